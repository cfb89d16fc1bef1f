"""The public site: what citizens can find, and what they never see."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, DocumentType, Supplier
from contracts.pdf import inspect_upload
from tests import pdfs
from tests.factories import make_operator, make_process


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def roads():
    return Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")


@pytest.fixture
def operator(health):
    return make_operator(health)


def publish(process, by):
    services.publish_process(process=process, by=by)
    return process


def attach(process, by, text, name="KAK.pdf", code="kak-pelaksanaan"):
    uploaded = SimpleUploadedFile(name, pdfs.good_pdf(name, [text]))
    document_type = DocumentType.objects.get(code=code)
    return services.add_documents(
        process=process,
        stage=document_type.stage,
        document_type=document_type,
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=by,
    )[0]


@pytest.fixture
def catalogue(health, roads, operator, media_root):
    """Published, draft and withdrawn packages of two agencies, with a supplier and a PDF."""
    roads_operator = make_operator(roads)
    supplier = Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    published = publish(
        make_process(
            health,
            title="Rehabilitasi Puskesmas Dander",
            fiscal_year=2018,
            method="tender",
            budget_amount=900_000_000,
            location_kecamatan="Dander",
            supplier=supplier,
            funding_sources=["DAK"],
        ),
        operator,
    )
    attach(published, operator, "Spesifikasi kursi gigi hidrolik merk Zirkonia")
    publish(
        make_process(
            health,
            title="Pengadaan Obat Generik",
            fiscal_year=2019,
            method="e_purchasing",
            budget_amount=300_000_000,
        ),
        operator,
    )
    publish(
        make_process(
            roads,
            title="Peningkatan Jalan Ngumpakdalem",
            fiscal_year=2018,
            method="tender",
            budget_amount=2_400_000_000,
            location_kecamatan="Dander",
        ),
        roads_operator,
    )
    draft = make_process(
        health, title="Draf Rahasia Puskesmas", fiscal_year=2018, supplier=supplier
    )
    attach(draft, operator, "Kata unik draf Xylofon")
    withdrawn = publish(
        make_process(roads, title="Paket Ditarik Jembatan", fiscal_year=2018), roads_operator
    )
    services.withdraw_process(process=withdrawn, by=roads_operator, reason="Dibatalkan")
    Bidder.objects.create(process=draft, supplier=supplier, bid_amount=1)
    return {
        "published": published,
        "draft": draft,
        "withdrawn": withdrawn,
        "supplier": supplier,
        "operator": operator,
    }


def titles(response):
    return re.findall(
        r'class="package__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def count(response):
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


@pytest.mark.django_db
def test_filters_narrow_the_list(client, catalogue):
    url = reverse("contracts:process-list")
    assert count(client.get(url)) == 3
    assert count(client.get(url, {"pd": "dinas-kesehatan", "tahun": "2018"})) == 1
    assert count(client.get(url, {"tahun": "2018", "kecamatan": "dander"})) == 2
    assert titles(client.get(url, {"metode": "e_purchasing"})) == ["Pengadaan Obat Generik"]
    assert titles(client.get(url, {"dana": "DAK"})) == ["Rehabilitasi Puskesmas Dander"]
    assert count(client.get(url, {"nilai_min": "1.000.000.000"})) == 1
    assert count(client.get(url, {"jenis_pd": "kecamatan"})) == 0
    assert titles(client.get(url, {"urut": "nilai"}))[0] == "Peningkatan Jalan Ngumpakdalem"
    assert titles(client.get(url, {"urut": "nama"}))[0] == "Pengadaan Obat Generik"


@pytest.mark.django_db
def test_facets_count_without_their_own_filter(client, catalogue):
    response = client.get(reverse("contracts:process-list"), {"tahun": "2018"})
    facets = response.context["facets"]
    assert facets["tahun"] == {2018: 2, 2019: 1}
    assert facets["metode"] == {"tender": 2}


def naive_facets(params):
    """The facet counts the slow, obvious way: each one a filtered COUNT per option."""
    from contracts.filters import FACET_COLUMNS, PackageFilter, with_lookups
    from contracts.models import Process
    from integrity.models import Flag

    package_filter = PackageFilter.from_query(params)
    base = with_lookups(Process.objects.published())
    counts = {}
    for name, column in FACET_COLUMNS.items():
        matching = base.filter(package_filter.conditions(exclude=name))
        values = set(matching.values_list(column, flat=True))
        counts[name] = {v: matching.filter(**{column: v}).distinct().count() for v in values}
    matching = base.filter(package_filter.conditions(exclude="tanda"))
    counts["tanda"] = {
        flag: matching.filter(flags__flag=flag).distinct().count() for flag in Flag.values
    }
    counts["tanda"] = {flag: n for flag, n in counts["tanda"].items() if n}
    return matching.filter(package_filter.conditions()).distinct().count(), counts


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"tahun": "2018"},
        {"tahun": "2018", "metode": "tender"},
        {"q": "puskesmas"},
        {"kecamatan": "dander", "lengkap": "tidak"},
        {"penyedia": "SUPPLIER"},
        {"penyedia": "SUPPLIER", "tahun": "2019"},
        {"tanda": "hps_di_atas_pagu"},
    ],
)
def test_the_grouped_facet_counts_equal_counting_each_option(client, catalogue, params):
    from integrity.models import Flag

    supplier = catalogue["supplier"]
    # The supplier both won and bid for the published package: it must count once.
    Bidder.objects.create(process=catalogue["published"], supplier=supplier, bid_amount=5)
    params = {k: str(supplier.pk) if v == "SUPPLIER" else v for k, v in params.items()}
    # And its HPS above its pagu raises a flag, so the flag facet has something to count.
    published = catalogue["published"]
    published.hps_amount = published.budget_amount + 1
    services.save_process(process=published, by=catalogue["operator"])
    assert published.flags.filter(flag=Flag.HPS_ABOVE_BUDGET).exists()
    response = client.get(reverse("contracts:process-list"), params)
    total, expected = naive_facets(params)
    assert count(response) == total
    assert response.context["facets"] == expected


@pytest.mark.django_db
def test_a_drafts_change_leaves_public_pages_cached(client, catalogue, operator):
    from contracts import public_cache

    url = reverse("contracts:process-list")
    public, internal = public_cache.version(), public_cache.version(public_cache.INTERNAL)
    client.get(url)
    draft = catalogue["draft"]
    draft.title = "Draf Rahasia Diubah"
    services.save_process(process=draft, by=operator)
    # The supervisors' version moves, the citizens' does not: their pages stay warm.
    assert public_cache.version(public_cache.INTERNAL) != internal
    assert public_cache.version() == public
    # Publishing it is a public change.
    publish(draft, operator)
    assert public_cache.version() != public
    assert "Draf Rahasia Diubah" in client.get(url).content.decode()


@pytest.mark.django_db
def test_search_finds_words_inside_documents_titles_and_supplier_names(client, catalogue):
    url = reverse("contracts:process-list")
    assert titles(client.get(url, {"q": "zirkonia"})) == ["Rehabilitasi Puskesmas Dander"]
    assert titles(client.get(url, {"q": "sehat sentosa"})) == ["Rehabilitasi Puskesmas Dander"]
    # Accents typed or not, the same words are found (unaccent in the search configuration).
    assert titles(client.get(url, {"q": "ngumpakdalém"})) == ["Peningkatan Jalan Ngumpakdalem"]
    assert titles(client.get(url, {"q": "Ngumpakdalem"})) == ["Peningkatan Jalan Ngumpakdalem"]
    assert count(client.get(url, {"q": "xylofon"})) == 0  # only in a draft's PDF


@pytest.mark.django_db
def test_drafts_and_withdrawn_packages_appear_nowhere(client, catalogue, health):
    hidden = ["Draf Rahasia Puskesmas", "Paket Ditarik Jembatan"]
    pages = [
        reverse("home"),
        reverse("contracts:process-list"),
        reverse("contracts:process-list") + "?q=rahasia",
        reverse("contracts:process-list") + "?q=jembatan",
        reverse("contracts:feed"),
        reverse("contracts:feed") + "?pd=dinas-kesehatan",
        reverse("contracts:agency-detail", args=[health.code]),
        reverse("contracts:supplier-detail", args=[catalogue["supplier"].pk]),
        "/sitemap.xml",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        for title in hidden:
            assert title not in body, (url, title)
    draft_page = client.get(reverse("contracts:process-detail", args=[catalogue["draft"].pk]))
    assert draft_page.status_code == 404
    assert "Draf Rahasia Puskesmas" not in draft_page.content.decode()
    # A withdrawn package's page is a 410 notice (test_a_withdrawn_package_page_is_gone).
    withdrawn = catalogue["withdrawn"]
    assert client.get(reverse("contracts:process-detail", args=[withdrawn.pk])).status_code == 410
    draft_document = catalogue["draft"].documents.get()
    assert (
        client.get(reverse("contracts:document-download", args=[draft_document.pk])).status_code
        == 404
    )
    facets = client.get(reverse("contracts:process-list")).context["facets"]
    assert sum(facets["tahun"].values()) == 3


# Indonesian month names (KBBI), as the site writes dates ("5 Maret 2018").
BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@pytest.mark.django_db
def test_a_withdrawn_package_page_is_gone_with_its_reason_and_open_data(
    client, health, operator, media_root
):
    process = publish(make_process(health, title="Rehabilitasi Gedung Lama"), operator)
    document = attach(process, operator, "Kerangka acuan gedung lama")
    reason = "Lokasi ternyata cagar budaya; paket dianggarkan ulang tahun depan."
    services.withdraw_process(process=process, by=operator, reason=reason)
    process.refresh_from_db()

    response = client.get(reverse("contracts:process-detail", args=[process.pk]))

    # RFC 9110 15.5.11: 410 Gone, the resource is no longer available there, on purpose.
    assert response.status_code == 410
    page = response.content.decode()
    assert "Halaman tidak ditemukan" not in page
    assert "Paket ditarik" in page and "Rehabilitasi Gedung Lama" in page
    assert "Lokasi ternyata cagar budaya; paket dianggarkan ulang tahun depan." in page
    day = timezone.localtime(process.withdrawn_at).date()
    assert f"{day.day} {BULAN[day.month - 1]} {day.year}" in page
    assert f'href="/ocds/{process.ocid}/"' in page
    assert f'href="/ocds/{process.ocid}/rekam/"' in page
    # The documents stay off line: not linked, and not served.
    assert "/dokumen/" not in page
    assert client.get(f"/dokumen/{document.pk}/").status_code == 404
    # Its OCDS, linked from the notice, is there.
    assert client.get(f"/ocds/{process.ocid}/").status_code == 200


@pytest.mark.django_db
def test_a_draft_package_page_is_a_plain_not_found(client, health, operator):
    draft = make_process(health, title="Draf Belum Terbit", fiscal_year=2018)
    response = client.get(reverse("contracts:process-detail", args=[draft.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page
    assert "Draf Belum Terbit" not in page
    assert draft.ocid not in page


@pytest.mark.django_db
def test_a_supplier_seen_only_on_drafts_is_not_public(client, health, operator):
    hidden = Supplier.objects.create(name="PT Belum Publik")
    make_process(health, supplier=hidden)
    assert client.get(reverse("contracts:supplier-detail", args=[hidden.pk])).status_code == 404


@pytest.mark.django_db
def test_the_package_page_shows_stages_documents_and_supplier(client, catalogue):
    published = catalogue["published"]
    response = client.get(reverse("contracts:process-detail", args=[published.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="timeline__step') == 5
    assert "CV Sehat Sentosa" in html and "01.234.567.8-901.000" in html
    assert "Rp 900.000.000" in html
    assert published.ocid in html
    document = published.documents.get()
    assert reverse("contracts:document-download", args=[document.pk]) in html
    # What a stage lacks is said of the data, never of the work.
    assert "Data yang belum ada:" in html and "data belum lengkap" in html
    assert ">belum lengkap<" not in html


@pytest.mark.django_db
def test_the_package_page_links_its_ocds_record_releases_and_api_record(client, health, operator):
    published = publish(make_process(health, title="Rehabilitasi Pustu Kapas"), operator)
    draft = make_process(health, title="Draf Pustu Sukowati")
    html = client.get(reverse("contracts:process-detail", args=[published.pk])).content.decode()
    section = html[html.index('id="data-terbuka"') :]
    links = re.findall(r'href="([^"]+)"', section[: section.index("</section>")])
    ocid = published.ocid
    # The OCDS record (compiled state and every release), the release package, the API record.
    expected = [f"/ocds/{ocid}/rekam/", f"/ocds/{ocid}/", f"/api/v1/paket/{ocid}/"]
    assert links[:3] == expected
    record, releases, api = (client.get(url) for url in expected)
    assert [r.status_code for r in (record, releases, api)] == [200, 200, 200]
    assert [r["ocid"] for r in record.json()["records"]] == [ocid]
    assert {r["ocid"] for r in releases.json()["releases"]} == {ocid}
    assert api.json()["ocid"] == ocid
    # The ocid itself leads to the record.
    assert f'<a href="/ocds/{ocid}/rekam/"' in html
    # A draft has no page, so no links, and none of those addresses answers for it.
    assert client.get(reverse("contracts:process-detail", args=[draft.pk])).status_code == 404
    for url in [
        f"/ocds/{draft.ocid}/rekam/",
        f"/ocds/{draft.ocid}/",
        f"/api/v1/paket/{draft.ocid}/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_malformed_filters_are_named_and_ignored(client, catalogue):
    response = client.get(
        reverse("contracts:process-list"),
        {"tahun": "20x8", "metode": "arisan", "nilai_min": "banyak", "halaman": "999"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tahun “20x8” tidak valid" in html and "Metode “arisan” tidak dikenal" in html
    assert count(response) == 3


@pytest.mark.django_db
def test_an_empty_result_suggests_what_to_loosen(client, catalogue):
    html = client.get(
        reverse("contracts:process-list"), {"q": "kapal selam", "tahun": "2018"}
    ).content.decode()
    assert "Tidak ada paket yang cocok" in html
    assert "tanpa saringan “kata kunci”" in html and "?tahun=2018" in html


@pytest.mark.django_db
def test_the_feed_follows_an_agency(client, catalogue):
    body = client.get(reverse("contracts:feed"), {"pd": "dinas-kesehatan"}).content.decode()
    assert "<feed" in body and "Rehabilitasi Puskesmas Dander" in body
    assert "Peningkatan Jalan Ngumpakdalem" not in body


@pytest.mark.django_db
def test_home_shows_the_years_figures(client, catalogue):
    html = client.get(reverse("home"), {"tahun": "2018"}).content.decode()
    assert "Tahun anggaran 2018" in html
    assert "Rp 3.300.000.000" in html  # 900 juta + 2,4 miliar published in 2018


# --- speed guarded by structure --------------------------------------------------------------


# 26: the filter form, rendered anew, reads the kecamatan of the place register; a search
# also looks for agency documents (DPA, Renja) matching it. 2 of them: the selection's top
# suppliers and agencies, one grouped query each, cached with the facet counts. 27 since the
# cached value is read with its versions in one query (contracts.public_cache.remember). 34
# since the page's row ids are a cached value of their own (`daftar-baris`, served stale after
# a change while a job recomputes them): their read, the ids' query, their write (5 queries on
# the database cache, as each value's) and then the rows by id, instead of the rows query alone.
COLD_LIST_QUERIES = 34


def make_many(agency, by, number):
    for index in range(number):
        publish(make_process(agency, title=f"Paket massal {index}", budget_amount=index), by)


@pytest.mark.django_db
@pytest.mark.parametrize("many", [5, 30])
@pytest.mark.parametrize("prefix", ["", "/en"], ids=["id", "en"])
def test_list_pages_run_a_fixed_number_of_queries(
    client, health, operator, django_assert_num_queries, many, prefix
):
    make_many(health, operator, many)
    supplier = Supplier.objects.create(name="CV Tetap")
    for process in list(health.processes.all())[:3]:
        process.supplier = supplier
        process.save(update_fields=["supplier"])
    pages = [
        # (url, params, queries when cached: each cached value read with its versions in one
        # query, a fragment's versions, the fragment)
        # the list: aggregates, the fragments' versions, the rendered filter form and cards
        (reverse("contracts:process-list"), {}, 4),
        # with a year: its year facet (every year's counts) read apart
        (reverse("contracts:process-list"), {"q": "paket", "tahun": "2018"}, 5),
        # agency / supplier: its row, aggregates, the fragment's versions, the rendered cards
        (reverse("contracts:agency-detail", args=[health.code]), {}, 4),
        (reverse("contracts:supplier-detail", args=[supplier.pk]), {}, 4),
        # years and figures, the year's fragment and the latest packages' (versions + each)
        (reverse("home"), {}, 6),
    ]
    for url, params, warm in pages:
        # The same count in English (/en/...): the language changes no query.
        url = prefix + url
        assert client.get(url, params).status_code == 200  # computes the aggregates once
        with django_assert_num_queries(warm):
            client.get(url, params)
    translation.activate("id")  # the English pages' requests left English active here
    # A change to the data retires every cached aggregate at once.
    publish(make_process(health, title="Paket baru"), operator)
    html = client.get(reverse("contracts:process-list")).content.decode()
    assert f'data-count="{many + 1}"' in html
    # So does a correction of a supplier's name in the workspace (no package service).
    supplier.name = "CV Tetap Jaya"
    supplier.save()
    html = client.get(reverse("contracts:supplier-detail", args=[supplier.pk])).content.decode()
    # in the cached cards, not only the heading
    assert "<dt>Penyedia</dt><dd>CV Tetap Jaya</dd>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("many", [5, 30])
def test_computing_the_list_aggregates_costs_the_same_at_any_size(
    client, health, operator, django_assert_num_queries, many
):
    from contracts import public_cache

    make_many(health, operator, many)
    public_cache.version()  # made by the portal's first page ever, kept since
    # version, count with six facets in one scan, the flags, cache writes; the page and the
    # agencies of the filter
    with django_assert_num_queries(COLD_LIST_QUERIES):
        client.get(reverse("contracts:process-list"), {"q": "paket"})


@pytest.mark.django_db
def test_the_list_opens_pages_by_number_only_so_deep(client, health, operator, monkeypatch):
    from contracts import public_cache, views

    make_many(health, operator, 30)  # two pages of 25
    monkeypatch.setattr(views, "MAX_LIST_PAGES", 1)
    html = client.get(reverse("contracts:process-list"), {"halaman": "2"}).content.decode()
    assert 'aria-current="page">Halaman 1 dari 2' in html
    assert "dapat dibuka sampai halaman 1 (25 paket pertama" in html
    assert 'rel="next"' not in html
    monkeypatch.setattr(views, "MAX_LIST_PAGES", 2)
    public_cache.changed()  # the rendered pages were cached under the other limit
    html = client.get(reverse("contracts:process-list"), {"halaman": "1"}).content.decode()
    assert 'rel="next"' in html and "dapat dibuka sampai" not in html


@pytest.mark.django_db
def test_renaming_an_agency_retires_the_cached_filter_form(client, catalogue, health):
    url = reverse("contracts:process-list")
    assert health.name in client.get(url).content.decode()  # now cached
    health.name = "Dinas Kesehatan Kabupaten (nama baru)"
    health.save()
    assert "Dinas Kesehatan Kabupaten (nama baru)" in client.get(url).content.decode()


@pytest.mark.django_db
def test_empty_form_fields_leave_the_shared_address(client):
    response = client.get(reverse("contracts:process-list"), {"q": "", "tahun": "2018", "pd": ""})
    assert response.status_code == 302
    assert response["Location"] == "/paket/?tahun=2018"


@pytest.mark.django_db
def test_a_typo_gets_similar_titles(client, catalogue):
    html = client.get(reverse("contracts:process-list"), {"q": "puskemas"}).content.decode()
    assert "Tidak ada paket yang cocok" in html
    assert "Paket dengan judul mirip" in html and "Rehabilitasi Puskesmas Dander" in html
    assert "Draf Rahasia Puskesmas" not in html


@pytest.mark.django_db
def test_every_public_filter_and_the_search_have_an_index():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'contracts_process'")
        definitions = " ".join(row[0] for row in cursor.fetchall())
    for needle in [
        # is_sample: the public rule reads it, and the aggregates stay on the index alone.
        "(status, fiscal_year) INCLUDE (agency_id, stage_reached, method, category, "
        "all_complete, budget_amount, contract_amount, is_sample)",
        "(agency_id",
        "stage_reached",
        "method)",
        "category)",
        "budget_amount)",
        # the "Nilai kontrak terbesar" sort, packages without a contract last
        "(status, contract_amount DESC NULLS LAST, id DESC)",
        "all_complete)",
        "upper((location_kecamatan)",
        "gin (search_vector)",
        "gin (funding_sources)",
        "gin_trgm_ops",
        "supplier_id",
    ]:
        assert needle in definitions, needle


@pytest.mark.django_db
def test_lpse_registrations_are_not_presented_as_bidders(client, health, operator):
    """LPSE's "jumlah peserta" counts registrations (OCDS tender.numberOfRegistrations);
    bidders are the suppliers listed, bids those with a price."""
    process = publish(
        make_process(health, title="Jembatan Kali Gandong", method="tender", number_of_tenderers=9),
        operator,
    )
    for n, amount in enumerate([700_000_000, 650_000_000, None]):
        supplier = Supplier.objects.create(name=f"CV Penyedia {n}")
        Bidder.objects.create(process=process, supplier=supplier, bid_amount=amount)

    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    text = re.sub(r"\s+", " ", text)
    assert "Jumlah peserta" not in text
    assert "Peserta terdaftar (LPSE) 9 " in text
    assert "Penawaran masuk 2 " in text  # two of the three listed bidders gave a price
    assert "3 tercantum, 2 dengan penawaran" in text

    # The machine name stays; its human description says registrations, not bidders.
    spec = client.get("/api/v1/openapi.json").json()
    described = spec["components"]["schemas"]["Paket"]["properties"]["jumlah_peserta"]
    assert "mendaftar di LPSE" in described["description"]
    assert "numberOfRegistrations" in described["description"]
    policy = client.get(reverse("opendata:policy")).content.decode()
    item = policy.split('id="jumlah-peserta"')[1].split("</li>")[0]
    assert "<code>jumlah_peserta</code>" in item and "bukan jumlah penawar" in item
