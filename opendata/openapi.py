"""The API's OpenAPI 3.1 description: `opendata/openapi.yaml`, kept by hand beside the views,
completed with what settings and the code's choices decide, served at /api/v1/openapi.json.

Hand-kept rather than generated: the API is a handful of plain Django views (no serializer
layer a generator could read), and generators for plain Django (drf-spectacular, django-ninja)
would mean rewriting them. What would drift is pinned by tests instead
(tests/opendata/test_openapi.py): every route described, every query parameter a view reads
described, every answer checked against its schema by Schemathesis.

What changes with the code or the deployment is filled in here, never typed twice: the server
(`PORTAL["BASE_URL"]`), the ocid prefix, the filters' accepted values (`contracts.filters`),
the page limits (`opendata.api`) and the rate limit (`API_RATE_LIMIT`).
"""

import copy
import functools
import hashlib
import json
import re
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from agencies.models import AgencyKind
from contracts.filters import COMPLETENESS, SORTS
from contracts.models import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    Category,
    FundingSource,
    Method,
    Stage,
)
from integrity.models import Flag

SOURCE = Path(__file__).resolve().parent / "openapi.yaml"
# The official OCDS 1.1.5 schemas the document refers to for OCDS bodies; copies of the same
# files are kept in contracts/ocds/1.1.5/ for offline validation.
OCDS_SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
# JSON Schema types as the documentation page names them (in the page's language).
TYPE_LABELS = {
    "integer": gettext_lazy("bilangan bulat"),
    "string": gettext_lazy("teks"),
    "boolean": gettext_lazy("benar/salah"),
}


@functools.cache
def _source():
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def resolved(spec, node):
    """`node`, or the component of `spec` it refers to (`{"$ref": "#/components/..."}`)."""
    ref = node.get("$ref", "")
    if not ref.startswith("#/components/"):
        return node
    _, _, kind, name = ref.split("/")
    return spec["components"][kind][name]


def _parameter(spec, path, name):
    """The parameter `name` of GET `path`, followed through a component reference."""
    for parameter in spec["paths"][path]["get"]["parameters"]:
        parameter = resolved(spec, parameter)
        if parameter["name"] == name:
            return parameter
    raise KeyError(f"{name} is not a parameter of {path}")


def _or_blank(values):
    return [*values, ""]


NO_NUL = "^[^\\u0000]*$"


def document():
    """The OpenAPI 3.1 document as a dict (a fresh copy: callers may change it).

    Shape: an OpenAPI 3.1 Object; `servers` holds PORTAL["BASE_URL"]; OCDS bodies are `$ref`s
    to the official schema URLs under OCDS_SCHEMA_BASE.
    """
    from opendata.api import MAX_OFFSET, MAX_PAGE_SIZE, PAGE_SIZE

    spec = copy.deepcopy(_source())
    spec["servers"] = [
        {"url": settings.PORTAL["BASE_URL"], "description": settings.PORTAL["SITE_NAME"]}
    ]
    limit, window = settings.API_RATE_LIMIT
    spec["info"]["description"] += (
        f" Batas permintaan: {limit} per {window} detik dari satu alamat; sisanya di"
        " `X-RateLimit-Remaining`, lewat batas dijawab 429 dengan `Retry-After`."
    )

    prefix = settings.PORTAL["OCID_PREFIX"]
    ocid = spec["components"]["parameters"]["ocid"]
    ocid["schema"]["pattern"] = f"^{re.escape(prefix)}-[0-9]+$"
    ocid["example"] = f"{prefix}-1"

    packages = "/api/v1/paket/"
    # The list's filters accept exactly these values (contracts.filters.PackageFilter); an
    # empty value is no filter at all.
    for name, values in [
        ("jenis_pd", AgencyKind.values),
        ("tahap", Stage.values),
        ("metode", Method.values),
        ("jenis", Category.values),
        ("dana", FundingSource.values),
        ("lengkap", list(COMPLETENESS)),
        ("tanda", Flag.values),
        ("urut", list(SORTS)),
    ]:
        _parameter(spec, packages, name)["schema"]["enum"] = _or_blank(values)
    year = _parameter(spec, packages, "tahun")["schema"]
    year.update(minimum=MIN_FISCAL_YEAR, maximum=MAX_FISCAL_YEAR)

    # Free text may be anything but NUL, which the portal refuses in any address (a 400).
    for item in spec["paths"].values():
        for parameter in item.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and not {"enum", "pattern"} & set(schema):
                schema["pattern"] = NO_NUL

    parameters = spec["components"]["parameters"]
    parameters["per_halaman"]["schema"].update(maximum=MAX_PAGE_SIZE, default=PAGE_SIZE)
    # With one row a page, page numbers end at MAX_OFFSET.
    parameters["halaman"]["schema"]["maximum"] = MAX_OFFSET
    parameters["halaman"]["description"] = parameters["halaman"]["description"].replace(
        "10.000", f"{MAX_OFFSET:,}".replace(",", ".")
    )

    schemas = spec["components"]["schemas"]
    summary = schemas["RingkasanPaket"]["properties"]
    summary["metode_pemilihan"]["enum"] = _or_blank(Method.values)
    summary["jenis_pengadaan"]["enum"] = _or_blank(Category.values)
    summary["sumber_dana"]["items"]["enum"] = FundingSource.values
    summary["tahap_tercapai"]["enum"] = Stage.values
    summary["tanda"]["items"]["enum"] = Flag.values
    summary["tahun_anggaran"].update(minimum=MIN_FISCAL_YEAR, maximum=MAX_FISCAL_YEAR)
    detail = schemas["Paket"]["properties"]
    detail["tahap"]["items"]["properties"]["tahap"]["enum"] = Stage.values
    detail["dokumen"]["items"]["properties"]["tahap"]["enum"] = Stage.values
    detail["tanda_rinci"]["items"]["properties"]["tanda"]["enum"] = Flag.values
    for name in ("RujukanPerangkatDaerah", "BarisPerangkatDaerah"):
        schemas[name]["properties"]["jenis"]["enum"] = AgencyKind.values
    return spec


@functools.cache
def _served(base_url, prefix, rate_limit):
    body = json.dumps(document(), ensure_ascii=False, separators=(",", ":")).encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def served():
    """(the document as UTF-8 JSON bytes, its ETag), computed once per configuration."""
    return _served(
        settings.PORTAL["BASE_URL"], settings.PORTAL["OCID_PREFIX"], settings.API_RATE_LIMIT
    )


def operations(spec):
    """Each operation of `spec` for the documentation page, in the document's order.

    Shape: [{"id", "method", "path", "summary", "description", "tags", "parameters": [{"name",
    "in", "required", "description", "type", "enum", "limits", "example"}], "statuses"}], every
    `$ref` to a component parameter or response followed.
    """
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            parameters = []
            for parameter in operation.get("parameters", []):
                parameter = resolved(spec, parameter)
                schema = resolved(spec, parameter.get("schema", {}))
                parameters.append(
                    {
                        "name": parameter["name"],
                        "in": parameter["in"],
                        "required": parameter.get("required", False),
                        "description": parameter.get("description", ""),
                        "type": TYPE_LABELS.get(schema.get("type"), schema.get("type", "")),
                        "enum": [value for value in schema.get("enum", []) if value != ""],
                        "limits": _limits(schema),
                        "example": parameter.get("example"),
                    }
                )
            found.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tags": operation.get("tags", []),
                    "parameters": parameters,
                    "statuses": [
                        (status, resolved(spec, response).get("description", ""))
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    return found


def _limits(schema):
    """The schema's limits as the documentation page reads them, in the active language."""
    limits = []
    if "minimum" in schema:
        limits.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        limits.append(f"≤ {schema['maximum']}")
    if "maxLength" in schema:
        limits.append(gettext("≤ %(length)s karakter") % {"length": schema["maxLength"]})
    if "pattern" in schema:
        limits.append(gettext("pola %(pattern)s") % {"pattern": schema["pattern"]})
    if "default" in schema:
        limits.append(gettext("bawaan %(default)s") % {"default": schema["default"]})
    return limits
