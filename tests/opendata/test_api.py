"""The read-only JSON API: pages that walk every published package once, filters as on the
site, drafts nowhere, open CORS, and a rate limit shared by every worker."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from contracts import public_cache, services
from contracts.filters import PackageFilter
from contracts.models import Bidder, Process, Supplier
from opendata.models import RateCounter
from tests.factories import make_operator, make_process, planning_fields


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def data():
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    health_operator, roads_operator = make_operator(health), make_operator(roads)
    published = [
        publish(health_operator, title=f"Obat {n}", fiscal_year=2018 + n % 3) for n in range(7)
    ] + [publish(roads_operator, title=f"Jembatan {n}", method="seleksi") for n in range(4)]
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju Jaya")
    published[0].supplier = winner
    services.save_process(process=published[0], by=health_operator)
    hidden_supplier = Supplier.objects.create(npwp="0099999999999000", name="PT Rahasia")
    draft = make_process(health, title="Draf rahasia", supplier=hidden_supplier)
    Bidder.objects.create(process=draft, supplier=hidden_supplier)
    withdrawn = publish(health_operator, title="Ditarik")
    services.withdraw_process(process=withdrawn, by=health_operator, reason="Batal")
    return {
        "published": published,
        "hidden": [draft, withdrawn],
        "winner": winner,
        "hidden_supplier": hidden_supplier,
        "health": health,
    }


def walk(client, url):
    """Follow `next` from the first page to the last; return every result and the pages."""
    results, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        pages += 1
        url = body["next"]
    return results, pages, body["count"]


@pytest.mark.django_db
def test_the_pages_walk_every_published_package_exactly_once(client, data):
    results, pages, count = walk(client, reverse("opendata:api-packages") + "?per_halaman=3")
    ocids = [item["ocid"] for item in results]
    assert sorted(ocids) == sorted(p.ocid for p in data["published"])
    assert len(ocids) == len(set(ocids)) == count == 11
    assert pages == 4
    last = client.get(reverse("opendata:api-packages") + "?per_halaman=3&halaman=4").json()
    assert last["next"] is None and last["previous"].endswith("per_halaman=3&halaman=3")
    # Every sort order walks the same set once.
    for sort in ["nilai", "nilai_kecil", "kontrak", "nama", "terbaru"]:
        url = reverse("opendata:api-packages") + f"?per_halaman=4&urut={sort}"
        results, _, _ = walk(client, url)
        assert sorted(r["ocid"] for r in results) == sorted(ocids), sort


@pytest.mark.django_db
def test_filters_and_search_answer_as_the_site_does(client, data):
    for query in ["tahun=2019", "metode=seleksi", "q=jembatan", f"pd={data['health'].code}"]:
        results, _, count = walk(client, reverse("opendata:api-packages") + f"?{query}")
        from django.http import QueryDict

        site = PackageFilter.from_query(QueryDict(query)).apply(Process.objects.published())
        assert sorted(r["ocid"] for r in results) == sorted(site.values_list("ocid", flat=True))
        assert count == site.count() > 0, query
    winner = data["winner"]
    results, _, _ = walk(client, reverse("opendata:api-packages") + f"?penyedia={winner.pk}")
    assert [r["ocid"] for r in results] == [data["published"][0].ocid]
    assert results[0]["penyedia"]["npwp"] == winner.npwp


@pytest.mark.django_db
def test_drafts_appear_nowhere_and_withdrawn_packages_only_at_their_ocid(client, data):
    everything = []
    for name in ["api-packages", "api-agencies", "api-suppliers"]:
        results, _, _ = walk(client, reverse(f"opendata:{name}") + "?per_halaman=100")
        everything.append(str(results))
    draft, withdrawn = data["hidden"]
    for process in data["hidden"]:
        assert all(process.ocid not in text and process.title not in text for text in everything)
    assert client.get(reverse("opendata:api-package", args=[draft.ocid])).status_code == 404
    # A withdrawn package stays readable at its ocid, as in its OCDS, with the reason.
    body = client.get(reverse("opendata:api-package", args=[withdrawn.ocid])).json()
    assert (body["status"], body["alasan_penarikan"], body["url"]) == ("withdrawn", "Batal", None)
    assert body["ditarik"]
    hidden_supplier = data["hidden_supplier"]
    assert "PT Rahasia" not in everything[2]
    url = reverse("opendata:api-supplier", args=[hidden_supplier.pk])
    assert client.get(url).status_code == 404
    health = client.get(reverse("opendata:api-agency", args=[data["health"].code])).json()
    assert health["paket"] == 7  # the draft and the withdrawn package are not counted
    assert sum(year["paket"] for year in health["per_tahun"]) == 7


@pytest.mark.django_db
def test_a_package_in_detail(client, data, settings):
    process = data["published"][0]
    body = client.get(reverse("opendata:api-package", args=[process.ocid])).json()
    assert body["ocid"] == process.ocid and body["pagu"] == 1_250_000_000
    assert [stage["tahap"] for stage in body["tahap"]] == [
        "perencanaan",
        "pemilihan",
        "pemenang",
        "kontrak",
        "implementasi",
    ]
    assert body["perangkat_daerah"]["kode"] == "dinas-kesehatan"
    # 0012345678901000: its 9th digit should be 4 by the Luhn rule; shown, but as unverified.
    assert body["penyedia"]["npwp"] == "0012345678901000"
    assert body["penyedia"]["npwp_lolos_uji"] is False
    checked = Supplier.objects.create(npwp="0712420314601000", name="CV Benar")
    supplier = client.get(reverse("opendata:api-supplier", args=[checked.pk]))
    assert supplier.status_code == 404  # on no published package yet
    process.supplier = checked
    services.save_process(process=process, by=make_operator(data["health"]))
    answer = client.get(reverse("opendata:api-supplier", args=[checked.pk])).json()
    assert answer["npwp_lolos_uji"] is True
    assert body["ocds"].endswith(f"/ocds/{process.ocid}/")
    assert client.get(body["ocds"]).status_code == 200


@pytest.mark.django_db
def test_bad_requests_get_a_clear_answer(client, data):
    url = reverse("opendata:api-packages")
    response = client.get(url + "?tahun=dua-ribu&metode=arisan")
    assert response.status_code == 400
    body = response.json()
    assert body["galat"] == "Ada saringan yang tidak valid."
    assert len(body["masalah"]) == 2 and "arisan" in body["masalah"][1]
    for query in ["halaman=nol", "halaman=0", "per_halaman=101", "per_halaman=0"]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400 and "halaman" in response.json()["galat"], query
    response = client.get(url + "?halaman=99")
    assert response.status_code == 404 and "hanya ada 1 halaman" in response.json()["galat"]
    assert client.get(reverse("opendata:api-package", args=["ocds-x-1"])).status_code == 404


@pytest.mark.django_db
def test_cors_is_open_for_reading_only(client, data):
    url = reverse("opendata:api-packages")
    assert client.get(url)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(url, HTTP_ORIGIN="https://peneliti.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    for method in [client.post, client.put, client.delete]:
        response = method(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert Process.objects.published().count() == 11  # nothing was written


@pytest.mark.django_db
def test_the_rate_limit_is_per_address_and_answers_when_to_retry(client, data, settings):
    settings.API_RATE_LIMIT = (3, 60)
    url = reverse("opendata:api-root")
    remaining = [client.get(url)["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Terlalu banyak permintaan" in refused.json()["galat"]
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Another address is counted on its own; the count lives in the database for all workers.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert RateCounter.objects.get(key="api:127.0.0.1").hits == 4


@pytest.mark.django_db
def test_behind_a_proxy_the_address_the_proxy_saw_is_counted(client, data, settings):
    settings.API_RATE_LIMIT = (1, 60)
    settings.TRUSTED_PROXIES = 1
    url = reverse("opendata:api-root")
    # A client cannot escape the limit by forging the first X-Forwarded-For entries.
    for forged in ["1.1.1.1", "2.2.2.2"]:
        client.get(url, HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7")
    assert RateCounter.objects.get(key="api:203.0.113.7").hits == 2


@pytest.mark.django_db
def test_a_list_page_costs_the_same_queries_whatever_its_size(client, data):
    url = reverse("opendata:api-packages")

    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{url}?{query}").status_code == 200
        return len(captured)

    # Computing an answer costs the same whatever the page size: rate limit, data version,
    # cache miss, total, page (agency and supplier joined), its flags, cache writes.
    queries("per_halaman=5")  # (the cache table's first writes cost a little more)
    cold = []
    for query in ["per_halaman=2", "per_halaman=100", "per_halaman=100&q=obat"]:
        public_cache.changed()
        cold.append(queries(query))
    assert cold[0] == cold[1] == cold[2]
    # Then it is served from the cache: rate limit, the answer with its data versions.
    queries("per_halaman=2"), queries("per_halaman=100")
    assert queries("per_halaman=2") == queries("per_halaman=100") == 2


@pytest.mark.django_db
def test_the_documentation_page_examples_work(client, data):
    html = client.get(reverse("opendata:api-docs")).content.decode()
    import re

    links = re.findall(r'href="(/api/v1/[^"]*)"', html)
    assert len(links) >= 3
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    for example in re.findall(r"curl '[^']*?(/api/v1/[^']*)'", html):
        assert client.get(example.replace("&amp;", "&")).status_code == 200, example


@pytest.mark.django_db
def test_deep_pages_go_by_cursor_and_never_by_offset(client, data, monkeypatch):
    from opendata import api

    monkeypatch.setattr(api, "MAX_OFFSET", 4)  # numbers reach 4 rows deep here
    url = reverse("opendata:api-packages")
    refused = client.get(url, {"per_halaman": 2, "halaman": 3})
    assert refused.status_code == 400 and "ikuti tautan next" in refused.json()["galat"]
    published = sorted(p.ocid for p in data["published"])
    for sort in ["terbaru", "nama"]:
        following, seen, cursors = f"{url}?per_halaman=2&urut={sort}", [], 0
        while following:
            with CaptureQueriesContext(connection) as captured:
                body = client.get(following).json()
            if "setelah=" in following:
                cursors += 1
                assert not any("OFFSET" in q["sql"] for q in captured.captured_queries)
            seen += [item["ocid"] for item in body["results"]]
            following = body["next"]
        assert sorted(seen) == published and len(seen) == len(set(seen)), sort
        assert cursors == 5  # eleven packages, two per page: every page after the first
    # An order without a keyset stops where page numbers stop: no next beyond the limit.
    assert client.get(url, {"per_halaman": 2, "halaman": 2, "urut": "nilai"}).json()["next"] is None
    first = data["published"][0].pk
    for params in [
        {"setelah": "abc"},
        {"setelah": "987654321"},
        {"setelah": first, "urut": "nilai"},
    ]:
        response = client.get(url, params)
        assert response.status_code == 400 and response.json()["galat"], params


@pytest.mark.django_db
def test_a_cursor_on_a_row_the_list_does_not_show_answers_as_a_missing_id(client, data):
    """Finding 3 of issue 17: a draft's id in `setelah` answered 500 where a missing id answered
    400 and a published one 200: an oracle for drafts, and with urut=nama the titles around
    a draft's place. Every cursor now resolves within the list it pages, and nowhere else."""
    draft, withdrawn = data["hidden"]
    missing = max(Process.objects.values_list("pk", flat=True)) + 1000
    hidden_supplier = data["hidden_supplier"].pk
    for url, hidden_ids, extra in [
        ("/api/v1/paket/", [draft.pk, withdrawn.pk], {}),
        ("/api/v1/paket/", [draft.pk, withdrawn.pk], {"urut": "nama"}),
        ("/api/v1/penyedia/", [hidden_supplier], {}),
    ]:
        expected = client.get(url, {"setelah": missing, **extra})
        assert expected.status_code == 400, url
        assert expected["Content-Type"] == "application/json"
        for hidden in hidden_ids:
            answer = client.get(url, {"setelah": hidden, **extra})
            assert (answer.status_code, answer.content) == (
                expected.status_code,
                expected.content,
            ), (url, extra)
    # A published row outside the current filter is not this list's either.
    other_year = next(p for p in data["published"] if p.fiscal_year != 2018)
    answer = client.get("/api/v1/paket/", {"setelah": other_year.pk, "tahun": 2018})
    assert answer.status_code == 400
    # Within the list the cursor still walks on.
    shown = data["published"][0]
    assert client.get("/api/v1/paket/", {"setelah": shown.pk}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "9" * 400, "-1", " ", "1e3", "0x10"])
def test_odd_cursor_and_page_values_are_400s_in_json(client, data, value):
    for url in ["/api/v1/paket/", "/api/v1/penyedia/", "/api/v1/perangkat-daerah/"]:
        for name in ["setelah", "halaman", "per_halaman"]:
            response = client.get(url, {name: value})
            assert response.status_code == 400, (url, name, value)
            assert response.json()["galat"]


@pytest.mark.django_db
def test_addresses_the_api_lacks_answer_json_and_a_missing_slash_is_added(client, data):
    # Found by Schemathesis: these were the site's HTML 404 page under a JSON API.
    for url in [
        "/api/v1/tidak-ada/",
        "/api/v1/perangkat-daerah/%C2%84/",
        "/api/v1/penyedia/-1/",
        "/api/v1/perangkat-daerah/%0Adinas/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "/api/v1/" in response.json()["galat"]
    moved = client.get("/api/v1/paket?tahun=2019")
    assert moved.status_code == 301 and moved["Location"] == "/api/v1/paket/?tahun=2019"
    process = data["published"][0]
    assert client.get(f"/api/v1/paket/{process.ocid}").status_code == 301
    # A missing package's OCDS is a 404 in JSON too, and its addresses are read-only.
    for url in [f"/ocds/{data['hidden'][0].ocid}/", f"/ocds/{data['hidden'][0].ocid}/rekam/"]:
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["galat"] == "Paket tidak ditemukan atau belum dipublikasikan."
        assert client.post(f"/ocds/{process.ocid}/").status_code == 405
    # And a NUL byte, refused before any view, is refused in JSON there as under /api/.
    for url in [f"/ocds/{process.ocid}/?a=%00", "/ocds/a%00b/", "/api/v1/openapi.json?x=%00"]:
        response = client.get(url)
        assert response.status_code == 400 and "NUL" in response.json()["galat"], url


@pytest.mark.django_db
def test_methods_unknown_to_django_are_refused_as_the_api_refuses_writes(client, data):
    # Found by Schemathesis: CSRF, checking first, answered 403 to QUERY or PROPFIND.
    process = data["published"][0]
    for url in ["/api/v1/paket/", f"/api/v1/paket/{process.ocid}/", f"/ocds/{process.ocid}/"]:
        for method in ["QUERY", "PROPFIND", "PATCH"]:
            response = client.generic(method, url)
            assert response.status_code == 405, (url, method)
            assert response["Allow"] == "GET, HEAD, OPTIONS"
