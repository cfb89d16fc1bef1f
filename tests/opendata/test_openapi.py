"""The API's OpenAPI 3.1 description (opendata/openapi.yaml, served at /api/v1/openapi.json):
valid by openapi-spec-validator, pinned to the URL configuration and to the parameters the
views read, and the running API checked against it by Schemathesis, offline."""

import copy
import datetime
import functools
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.http import QueryDict
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from jsonschema_path import SchemaPath
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, Payment, Supplier
from opendata import openapi
from opendata import urls as opendata_urls
from opendata.api import MAX_OFFSET, PAGE_SIZE
from opendata_kontrak.params import whole_number
from tests.factories import add_document, make_operator, make_process, planning_fields
from tests.pdfs import good_pdf

OCDS_DIR = Path(__file__).resolve().parents[2] / "contracts" / "ocds" / "1.1.5"
OCDS_FILES = [
    "release-package-schema.json",
    "record-package-schema.json",
    "release-schema.json",
    "versioned-release-validation-schema.json",
]
# Addresses of opendata/urls.py that are pages or files for people, not the JSON API.
NOT_API = {
    "index",
    "policy",
    "local-codes",
    "extension-file",
    "extension-docs",
    "download",
    "selection",  # the list's selection as files (/paket/unduh.*), like the bulk files
    "api-docs",
    "api-not-found",  # the API's JSON 404 for every address it does not have
}


def vendored_ocds(uri):
    """The OCDS 1.1.5 schema at an official URL, read from the copy kept in the repository:
    nothing here reaches the network, and any other remote reference fails loudly."""
    name = uri.removeprefix(openapi.OCDS_SCHEMA_BASE)
    if not uri.startswith(openapi.OCDS_SCHEMA_BASE) or name not in OCDS_FILES:
        raise AssertionError(f"a reference outside the vendored OCDS schemas: {uri}")
    return json.loads((OCDS_DIR / name).read_text(encoding="utf-8"))


def bundled(spec):
    """`spec` with the OCDS schemas it refers to carried inside it, as components named
    `ocds-<file>`: every `$ref` local, for a tool that would otherwise fetch them. The draft 4
    schemas become 2020-12 ones on the way: the only keywords that differ are `id` and
    OCDS's `deprecated` objects."""
    spec = copy.deepcopy(spec)
    names = {
        openapi.OCDS_SCHEMA_BASE + name: "ocds-" + name.removesuffix(".json") for name in OCDS_FILES
    }

    def relocate(node, own):
        if isinstance(node, dict):
            if isinstance(node.get("deprecated"), dict):
                # Draft 4 OCDS says why and since when; 2020-12 has a boolean for it.
                node["x-deprecated"], node["deprecated"] = node["deprecated"], True
            ref = node.get("$ref")
            if isinstance(ref, str):
                document, _, pointer = ref.partition("#")
                target = names[document] if document else own
                node["$ref"] = f"#/components/schemas/{target}{pointer}"
            for value in node.values():
                relocate(value, own)
        elif isinstance(node, list):
            for value in node:
                relocate(value, own)

    for uri, name in names.items():
        schema = vendored_ocds(uri)
        # A 2020-12 document: the draft-04 resource markers would name another dialect.
        schema.pop("id", None), schema.pop("$schema", None)
        relocate(schema, name)
        spec["components"]["schemas"][name] = schema
    for path in spec["paths"].values():
        for operation in path.values():
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    if ref in names:
                        media["schema"]["$ref"] = f"#/components/schemas/{names[ref]}"
    return spec


def django_path(pattern):
    """`api/v1/paket/<str:ocid>/` as an OpenAPI path template with its parameters unnamed."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "{}", str(pattern.pattern))


def openapi_path(path):
    return re.sub(r"\{\w+\}", "{}", path)


# --- the document ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_served_document_is_valid_openapi_3_1(client, settings):
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": "https://kontrak.example.go.id"}
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    spec = response.json()
    assert spec["openapi"].startswith("3.1.")
    assert spec["servers"] == [
        {"url": "https://kontrak.example.go.id", "description": settings.PORTAL["SITE_NAME"]}
    ]
    # Validated as served, its OCDS references read from the vendored copies.
    path = SchemaPath.from_dict(spec, handlers={"https": vendored_ocds})
    OpenAPIV31SpecValidator(path).validate()
    OpenAPIV31SpecValidator(SchemaPath.from_dict(bundled(spec))).validate()


@pytest.mark.django_db
def test_the_document_is_open_to_every_origin_and_cacheable(client):
    url = reverse("opendata:api-openapi")
    first = client.get(url)
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["Cache-Control"] == "public, max-age=3600"
    again = client.get(url, HTTP_IF_NONE_MATCH=f'"lama", W/{first["ETag"]}')
    assert again.status_code == 304 and again.content == b""
    assert again["Cache-Control"] == "public, max-age=3600" and again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"lama"').status_code == 200
    assert client.options(url).status_code == 204
    assert client.post(url).status_code == 405
    # Linked from the API's own entry and from the documentation page.
    assert client.get(reverse("opendata:api-root")).json()["openapi"].endswith(url)
    assert f'href="{url}"' in client.get(reverse("opendata:api-docs")).content.decode()


def test_ocds_bodies_are_the_official_schemas_by_reference():
    spec = openapi.document()
    for path, file in [
        ("/ocds/{ocid}/", "release-package-schema.json"),
        ("/ocds/{ocid}/rekam/", "record-package-schema.json"),
    ]:
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"] == {"$ref": openapi.OCDS_SCHEMA_BASE + file}
        # The URL the vendored copy names itself by: the reference is the standard's own.
        assert vendored_ocds(schema["schema"]["$ref"])["id"] == schema["schema"]["$ref"]


def test_every_api_route_is_described_and_every_described_path_routed():
    routes = {
        django_path(pattern): pattern.name
        for pattern in opendata_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name not in NOT_API
    }
    described = {openapi_path(path): path for path in openapi.document()["paths"]}
    assert set(routes) == set(described)
    names = {name for name in routes.values()}
    assert {"api-root", "api-openapi", "release", "record"} <= names


def test_the_filters_accepted_values_are_the_documented_enums():
    from contracts.filters import PackageFilter

    spec = openapi.document()
    for parameter in spec["paths"]["/api/v1/paket/"]["get"]["parameters"]:
        enum = parameter.get("schema", {}).get("enum")
        if not enum:
            continue
        name = parameter["name"]
        for value in enum:
            found = PackageFilter.from_query(QueryDict(urlencode({name: value})))
            assert not found.problems, (name, value)
        refused = PackageFilter.from_query(QueryDict(urlencode({name: "bukan-nilai"})))
        assert refused.problems, name


@pytest.mark.django_db
def test_every_query_parameter_a_view_reads_is_described_and_none_else(
    client, published, monkeypatch
):
    """The views' reads of the query string are recorded while each operation answers: what
    a view reads and the document does not name would be an undocumented parameter, what the
    document names and no view reads a parameter that does nothing."""
    read = set()

    def recording(method):
        def reading(self, key, *args):
            read.add(key)
            return method(self, key, *args)

        return reading

    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, recording(getattr(QueryDict, name)))
    spec = openapi.document()
    values = {
        "ocid": published["full"].ocid,
        "kode": published["full"].agency.code,
        "id": published["winner"].pk,
    }
    for path, item in spec["paths"].items():
        documented = {
            openapi.resolved(spec, parameter)["name"]
            for parameter in item["get"].get("parameters", [])
            if openapi.resolved(spec, parameter)["in"] == "query"
        }
        read.clear()
        response = client.get(path.format(**values))
        assert response.status_code == 200, path
        assert read == documented, path


@pytest.mark.django_db
def test_the_documentation_page_is_built_from_the_document(client, published):
    html = client.get(reverse("opendata:api-docs")).content.decode()
    spec = openapi.document()
    operations = openapi.operations(spec)
    assert len(operations) == sum(len(item) for item in spec["paths"].values())
    for operation in operations:
        assert f'<section id="{operation["id"]}"' in html
        assert f'href="#{operation["id"]}"' in html
        for parameter in operation["parameters"]:
            assert f"<code>{parameter['name']}</code>" in html, parameter["name"]
    # The filters' accepted values, from the code through the document onto the page.
    assert "<code>tender_cepat</code>" in html and "<code>peserta_tunggal</code>" in html
    # Every example request is one of this portal's and answers, on its own data.
    examples = re.findall(r"curl '[^']*?(/(?:api/v1|ocds)/[^']*)'", html)
    assert len(examples) > len(operations)
    shown = {f"/api/v1/paket/{p.ocid}/" for p in [published["full"], *published["others"]]}
    assert shown & set(examples)  # a package of this portal, not the document's placeholder
    for example in examples:
        response = client.get(example.replace("&amp;", "&"))
        assert response.status_code == 200, example
        assert response["Content-Type"] == "application/json", example


# --- the running API against it ------------------------------------------------------------------


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def published(media_root):
    """A few published packages of two agencies, one through every stage with a winner,
    bidders, a document and flags; a draft and a withdrawn one that must stay out of sight."""
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    health_operator, roads_operator = make_operator(health), make_operator(roads)
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju Jaya")
    loser = Supplier.objects.create(npwp="0023456789012000", name="PT Kalah Tipis")
    full = publish(
        roads_operator,
        title="Rehabilitasi Jembatan Dander",
        tender_code="1234567",
        # HPS above the budget and a contract just under it: flags to describe.
        hps_amount=1_300_000_000,
        tender_announced=datetime.date(2018, 4, 2),
        bid_deadline=datetime.date(2018, 4, 5),
        number_of_tenderers=2,
        supplier=winner,
        award_amount=1_290_000_000,
        award_date=datetime.date(2018, 5, 1),
        contract_number="027/SPK/2018",
        contract_amount=1_290_000_000,
        contract_signed=datetime.date(2018, 5, 8),
        contract_start=datetime.date(2018, 5, 10),
        contract_end=datetime.date(2018, 11, 10),
    )
    Bidder.objects.create(process=full, supplier=winner, bid_amount=1_290_000_000)
    Bidder.objects.create(process=full, supplier=loser, bid_amount=1_295_000_000)
    add_document(full, roads_operator, good_pdf())
    # A payment: its SP2D number is the transaction's id (never a `source`, which is a URI).
    Payment.objects.create(
        process=full,
        label="Termin 1",
        sp2d_number="00123/SP2D/LS/2018",
        amount=387_000_000,
        date=datetime.date(2018, 7, 2),
    )
    services.save_process(process=full, by=roads_operator)
    others = [
        publish(health_operator, title=f"Obat {n}", fiscal_year=2018 + n % 3, method="")
        for n in range(4)
    ]
    draft = make_process(health, title="Draf rahasia")
    withdrawn = publish(health_operator, title="Ditarik")
    services.withdraw_process(process=withdrawn, by=health_operator, reason="Batal")
    return {"full": full, "others": others, "hidden": [draft, withdrawn], "winner": winner}


# Built once, at collection: Schemathesis makes one test per operation from it.
SPEC = bundled(openapi.document())
schema = schemathesis.openapi.from_dict(SPEC)


@functools.cache
def _portal():
    return get_wsgi_application()


def portal(environ, start_response):
    """The portal's WSGI application, built at the first request (after the session's static
    files are collected, which its middleware looks for)."""
    return _portal()(environ, start_response)


schema.app = portal
# The document's examples of path parameters, standing for an existing package and supplier
# (an agency's example is a code of the bundled register itself).
EXAMPLE_OCID = SPEC["components"]["parameters"]["ocid"]["example"]
(EXAMPLE_SUPPLIER,) = [
    parameter["example"]
    for parameter in SPEC["paths"]["/api/v1/penyedia/{id}/"]["get"]["parameters"]
    if parameter["name"] == "id"
]


@pytest.fixture
def connections_kept(collected_static):
    """Requests straight to the WSGI application, within the test's transaction: the end of a
    request must not close the connection under it (Django's test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def generous_rate_limit(settings):
    # Every generated request is counted; the limit itself is tested in test_api.py, and its
    # 429 is described (and checked, were it to happen) like every other answer.
    settings.API_RATE_LIMIT = (1_000_000, 60)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_it_is_described(case, published, generous_rate_limit, connections_kept):
    """Every operation, every parameter, positive and negative data: no 500, every status
    documented, every body and header as described, invalid input refused."""
    path = case.path_parameters or {}
    if path.get("ocid") == EXAMPLE_OCID:
        path["ocid"] = published["full"].ocid
    if path.get("id") == EXAMPLE_SUPPLIER:
        path["id"] = published["winner"].pk
    response = case.call()
    case.validate_response(response, excluded_checks=allowances(case))


def allowances(case):
    """The checks not to apply to `case`: a cursor is an id from a `next` link, valid only
    within its own list and order; page numbers reach only 10,000 rows deep. What no schema of
    single parameters can say: such a schema-valid request may get its documented 400 (the
    answer still checked against it), and no other request may."""
    query = case.query or {}
    deep = (whole_number(query.get("halaman", 1)) or 1) - 1
    deep *= whole_number(query.get("per_halaman", PAGE_SIZE)) or PAGE_SIZE
    return [positive_data_acceptance] if "setelah" in query or deep >= MAX_OFFSET else []


class FollowingLinks(schema.as_state_machine()):
    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response, additional_checks=additional_checks, excluded_checks=allowances(case)
        )


@pytest.mark.django_db
def test_following_each_list_to_the_items_it_names_answers_as_described(
    published, generous_rate_limit, connections_kept
):
    """Stateful: from a list to the package, agency or supplier its first result names (the
    document's links), every answer on the way checked as above."""
    FollowingLinks.run(
        settings=hypothesis_settings(
            max_examples=15,
            stateful_step_count=4,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.django_db
def test_the_refusals_no_generated_request_meets_are_as_described(
    published, settings, monkeypatch, connections_kept
):
    """429 past the rate limit and 503 while the database is away: rare in a run, so each is
    brought about here and checked against the document like any generated answer."""
    settings.API_RATE_LIMIT = (1, 60)
    operation = schema["/api/v1/paket/"]["GET"]
    case = operation.Case(query={"tahun": 2018})
    assert case.call().status_code == 200
    refused = case.call()
    assert refused.status_code == 429
    case.validate_response(refused)
    assert int(refused.headers["retry-after"][0]) > 0

    from django.db import OperationalError

    from opendata import ratelimit

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ratelimit, "hit", unreachable)
    away = case.call()
    assert away.status_code == 503
    # A 5xx is what that check exists to catch; this one is the documented outage answer.
    case.validate_response(away, excluded_checks=[not_a_server_error])
    assert away.headers["retry-after"] == ["30"]
