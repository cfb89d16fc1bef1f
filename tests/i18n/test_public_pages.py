"""The remaining public pages in English under /en/ (issue #23): the error pages, the about page,
the agencies, a kecamatan, a supplier, a withdrawn package, "Belanja dalam angka", the home
page's charts, the list's heading for a combination of filters and the glossary of the terms
kept in Indonesian. Each English page shows the English written in the catalogue and none of
its Indonesian sentences; the same page without the prefix still reads in Indonesian."""

import datetime
import html as html_lib
import re

import pytest
from django.test import Client
from django.utils import translation

from agencies.models import Agency
from contracts import services, spending
from contracts.list_heading import describe
from contracts.models import Bidder, Supplier
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process
from tests.i18n.pages import absent
from tests.sitemaps import whole_sitemap


def visible(response, status=200):
    """The page's visible text, its tags and scripts removed, runs of spaces made one."""
    assert response.status_code == status, response.status_code
    text = response.content.decode()
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html_lib.unescape(text).split())


def main_text(response, status=200):
    """The visible text of the page's <main> only: the header and footer are base.html's."""
    assert response.status_code == status, response.status_code
    page = response.content.decode()
    body = re.search(r"<main\b.*?</main>", page, re.S).group(0)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html_lib.unescape(body).split())


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def world(health):
    operator = make_operator(health)
    supplier = Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    won = publish(
        make_process(
            health,
            title="Rehabilitasi Puskesmas Dander",
            fiscal_year=2019,
            method="tender",
            budget_amount=1_250_000_000,
            location_kecamatan="Dander",
            supplier=supplier,
            award_amount=1_100_000_000,
        ),
        operator,
    )
    bid = publish(
        make_process(
            health, title="Pengadaan Obat Generik", fiscal_year=2019, budget_amount=300_000_000
        ),
        operator,
    )
    Bidder.objects.create(process=bid, supplier=supplier, bid_amount=290_000_000)
    withdrawn = publish(
        make_process(health, title="Paket Ditarik Jembatan", fiscal_year=2019), operator
    )
    services.withdraw_process(
        process=withdrawn, by=operator, reason="Anggaran dialihkan ke penanganan banjir."
    )
    return {"won": won, "bid": bid, "withdrawn": withdrawn, "supplier": supplier}


# --- the error pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_404_page_under_en_is_english_and_unprefixed_indonesian(client):
    english = client.get("/en/tidak-ada/")
    page = english.content.decode()
    assert english.status_code == 404 and '<html lang="en">' in page
    text = main_text(english, 404)
    assert "Page not found" in text
    assert (
        "The address you opened does not exist, has moved, or has not been published yet." in text
    )
    assert "Back to the home page" in text and "Browse by agency" in text
    assert 'href="/en/"' in page and 'href="/en/perangkat-daerah/"' in page
    assert (
        absent(text, ["Halaman tidak ditemukan", "Alamat yang Anda buka", "Kembali ke beranda"])
        == []
    )
    indonesian = main_text(client.get("/tidak-ada/"), 404)
    assert "Halaman tidak ditemukan" in indonesian and "Kembali ke beranda" in indonesian
    assert "Page not found" not in indonesian


@pytest.mark.django_db
def test_the_403_page_under_en_is_english(client, health):
    client.force_login(make_operator(health))
    text = main_text(client.get("/en/pengawasan/"), 403)
    assert "Access denied" in text
    assert "Your task list" in text and "To your workspace" in text
    assert "Back to the home page" in text
    assert (
        absent(
            text,
            ["Akses ditolak", "Daftar tugas Anda", "Ke ruang kerja Anda", "Kembali ke beranda"],
        )
        == []
    )
    assert "Akses ditolak" in main_text(client.get("/pengawasan/"), 403)


@pytest.mark.django_db
def test_a_stale_form_under_en_gets_the_english_csrf_page():
    client = Client(enforce_csrf_checks=True)
    english = client.post("/en/langganan/ikuti/", {"surel": "warga@example.org"})
    assert '<html lang="en">' in english.content.decode()
    text = main_text(english, 403)
    assert "The form cannot be accepted" in text
    assert "Nothing was saved." in text and "allow cookies for this portal" in text
    assert absent(text, ["Formulir tidak dapat diterima", "Tidak ada yang disimpan", "CSRF"]) == []
    indonesian = main_text(client.post("/langganan/ikuti/", {"surel": "warga@example.org"}), 403)
    assert "Formulir tidak dapat diterima" in indonesian and "Tidak ada yang disimpan" in indonesian


@pytest.mark.django_db
def test_a_suspicious_request_under_en_gets_the_english_400(client, settings):
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    english = client.get("/en/paket/", fields)
    page = english.content.decode()
    assert f"<title>Bad request — {settings.PORTAL['REGION_NAME']}</title>" in page
    text = main_text(english, 400)
    assert "The address or the form data sent cannot be read." in text
    assert "What you can do: check the link" in text and "Search packages" in text
    assert f"mailto:{settings.PORTAL['CONTACT_EMAIL']}" in page
    assert absent(text, ["Permintaan tidak sah", "Yang dapat Anda lakukan", "Cari paket"]) == []
    assert "Permintaan tidak sah" in main_text(client.get("/paket/", fields), 400)


def test_the_server_error_pages_follow_the_address_not_the_language_left_active(rf):
    """The 500 handler and the outage's 503 take the address's language: a worker's thread
    keeps whatever the last request activated, which need not be this one's."""
    from django.db import OperationalError

    from opendata_kontrak import errors

    with translation.override("id"):  # left over from an Indonesian request
        page = errors.server_error(rf.get("/en/paket/")).content.decode()
    assert '<html lang="en">' in page
    assert "Sorry, an error occurred on the server" in page and 'href="/en/"' in page
    assert "Maaf" not in page and "beranda" not in page
    with translation.override("en"):
        page = errors.server_error(rf.get("/paket/")).content.decode()
    assert '<html lang="id">' in page and "Maaf, terjadi kesalahan di server" in page
    assert 'href="/"' in page
    with translation.override("id"):
        try:
            raise OperationalError("server closed the connection")
        except OperationalError:
            response = errors.server_error(rf.get("/en/paket/"))
    page = response.content.decode()
    assert response.status_code == 503 and '<html lang="en">' in page
    assert "The portal is being restored" in page and "Data already saved is safe" in page
    assert "Portal sedang dipulihkan" not in page


@pytest.mark.django_db
def test_the_413_page_reads_in_english(rf):
    """The 413 page's own words (its message comes from the guard that refuses the body)."""
    from django.template.loader import render_to_string

    with translation.override("en"):
        page = render_to_string("413.html", {"message": "x"}, request=rf.get("/en/"))
    assert "Submission too large" in page
    assert "the browser\u2019s “Back” button" in page and "fewer or smaller files" in page
    assert "Kiriman terlalu besar" not in page and "peramban" not in page


# --- the about page and the glossary ------------------------------------------------------------


@pytest.mark.django_db
def test_the_about_page_in_english_links_the_glossary(client, settings):
    english = client.get("/en/tentang/")
    text = main_text(english)
    assert f"About {settings.PORTAL['SITE_NAME']}" in text
    assert "Who fills in what" in text and "Agency operators" in text
    assert "Presidential Regulation No. 16 of 2018" in text
    assert "Law No. 14 of 2008 on Public Information Disclosure" in text
    assert 'href="/en/glosarium/">glossary</a>' in english.content.decode()
    assert (
        absent(
            text,
            [
                "Siapa mengisi apa",
                "Standar data",
                "Dasar hukum",
                "Peraturan Presiden",
                "Undang-Undang",
            ],
        )
        == []
    )
    indonesian = client.get("/tentang/")
    assert "Siapa mengisi apa" in main_text(indonesian)
    assert 'href="/glosarium/">Glosarium</a>' in indonesian.content.decode()


@pytest.mark.django_db
def test_the_glossary_defines_the_kept_terms_in_both_languages(client):
    english = client.get("/en/glosarium/")
    page, text = english.content.decode(), main_text(english)
    assert "<h1>Glossary</h1>" in page
    for term in [
        "Perangkat daerah (SKPD): agency",
        "HPS (Harga Perkiraan Sendiri): owner\u2019s estimate",
        "Pagu (pagu anggaran): budget ceiling",
        "Swakelola: self-managed",
        "Kecamatan: district",
        "PPK (Pejabat Pembuat Komitmen): commitment-making official",
        "SP2D (Surat Perintah Pencairan Dana): payment order",
        "Tahun anggaran (TA): fiscal year (FY)",
        "BLUD (Badan Layanan Umum Daerah): regional public service agency",
        "Penyedia (penyedia barang/jasa): supplier",
    ]:
        assert term in text, term
    # Each term has an anchor a page can link to.
    for anchor in ["hps", "pagu", "swakelola", "kecamatan", "ppk", "dpa", "rup", "sp2d", "blud"]:
        assert f'id="{anchor}"' in page, anchor
    assert (
        absent(
            text, ["Glosarium", "Batas tertinggi anggaran", "Wilayah administratif", "Pejabat yang"]
        )
        == []
    )
    indonesian = main_text(client.get("/glosarium/"))
    assert "Glosarium" in indonesian
    assert "Batas tertinggi anggaran yang tersedia untuk satu paket" in indonesian
    assert "owner\u2019s estimate" not in indonesian


@pytest.mark.django_db
def test_the_sitemap_lists_the_glossary_in_both_languages(client):
    xml = whole_sitemap(client)
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert "http://testserver/glosarium/" in locations
    assert "http://testserver/en/glosarium/" in locations


# --- the agencies ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_list_in_english(client, world):
    response = client.get("/en/perangkat-daerah/")
    text = main_text(response)
    # 74 agencies in the register, of which only Dinas Kesehatan publishes (three packages,
    # one withdrawn: two shown). The kept term glossed, and linked to its definition.
    assert (
        '74 agencies (<a href="/en/glosarium/#perangkat-daerah">perangkat daerah</a>) of'
    ) in response.content.decode()
    assert "1 of them have published their procurement packages" in text
    assert "Dinas Kesehatan Dinkes 2 packages" in text
    assert "Office (dinas) (23)" in text and "no package yet" in text
    assert absent(text, ["terdaftar di portal ini", "belum ada paket", "Seberapa lengkap"]) == []
    indonesian = main_text(client.get("/perangkat-daerah/"))
    assert "74 perangkat daerah" in indonesian and "Dinas Kesehatan Dinkes 2 paket" in indonesian


@pytest.mark.django_db
def test_an_agency_page_in_english(client, world):
    response = client.get("/en/perangkat-daerah/dinas-kesehatan/")
    page, text = response.content.decode(), main_text(response)
    assert 'title="Latest packages of Dinas Kesehatan"' in page
    assert "filter all its packages" in text and "Atom feed" in text
    assert "Per fiscal year" in text
    assert "Year Packages Total budget ceiling (pagu) Total contracts All stages complete" in text
    # 2019: two packages of IDR 1,250,000,000 and 300,000,000; none complete.
    assert "2019 2 IDR 1,550,000,000" in text and "0 of 2" in text
    assert 'data-label="Total contracts"' in page
    assert (
        absent(text, ["Per tahun anggaran", "saring semua paketnya", "umpan Atom", "0 dari 2"])
        == []
    )
    indonesian = main_text(client.get("/perangkat-daerah/dinas-kesehatan/"))
    assert "Per tahun anggaran" in indonesian and "Rp 1.550.000.000" in indonesian
    assert "0 dari 2" in indonesian


# --- a kecamatan, the spending page, the home page's charts --------------------------------------


@pytest.mark.django_db
def test_a_kecamatan_page_in_english(client, world):
    response = client.get("/en/kecamatan/dander/")
    page, text = response.content.decode(), main_text(response)
    assert "<h1>Dander district (kecamatan)</h1>" in page
    assert 'title="Packages in Dander district"' in page
    assert "Filter further in the list of packages" in text and "all years" in text
    assert "Atom feed of packages in Dander district" in text
    assert "packages managed by Kecamatan Dander" in text
    assert absent(text, ["Saring lebih lanjut", "semua tahun", "umpan Atom", "yang dikelola"]) == []
    indonesian = client.get("/kecamatan/dander/").content.decode()
    assert "<h1>Kecamatan Dander</h1>" in indonesian and "Saring lebih lanjut" in indonesian


@pytest.mark.django_db
def test_the_kecamatan_index_in_english(client, world):
    response = client.get("/en/kecamatan/?tahun=2019")
    text = main_text(response)
    assert "Packages per district (kecamatan)" in text
    assert (
        'district (<a href="/en/glosarium/#kecamatan">kecamatan</a>)' in response.content.decode()
    )
    assert "Choose a district on the map or in the table." in text
    assert absent(text, ["Paket per kecamatan", "Apa yang dibangun", "Tahun anggaran 2019"]) == []
    assert "Paket per kecamatan" in main_text(client.get("/kecamatan/?tahun=2019"))


@pytest.mark.django_db
def test_the_spending_page_and_its_charts_in_english(client, world):
    text = main_text(client.get("/en/angka/?tahun=2030"))
    assert "Spending in figures: fiscal year 2019" in text
    assert "Fiscal year 2030 has no published package yet; fiscal year 2019 is shown." in text
    assert "Budget ceiling (pagu) and contract value per kind of agency, fiscal year 2019" in text
    # The health office's two 2019 packages: 1,250,000,000 + 300,000,000, short "IDR 1.6bn".
    assert "Office (dinas) IDR 1,550,000,000" in text and "IDR 1.6bn" in text
    # The package without a kecamatan is a note, not a bar; Dander's has no contract yet.
    assert (
        "No district, or one outside the list (packages: 1; budget ceiling IDR 300,000,000" in text
    )
    assert "Dander IDR 1,250,000,000 — (no contract yet)" in text
    assert "Balen no package" in text
    assert absent(
        text,
        ["Belanja dalam angka", "Pagu dan nilai kontrak", "belum ada kontrak", "tidak ada paket",
         "Tanpa kecamatan", "yang ditampilkan", " jt", "Rp "],
    ) == []  # fmt: skip
    indonesian = main_text(client.get("/angka/?tahun=2030"))
    assert "Tahun anggaran 2030 belum punya paket yang dipublikasikan" in indonesian
    assert "Rp 1,6 M" in indonesian and "Balen tidak ada paket" in indonesian


@pytest.mark.django_db
def test_the_home_page_charts_in_english(client, world):
    text = main_text(client.get("/en/"))
    assert "Where the money goes" in text
    assert "Budget ceiling (pagu) and contract value per fiscal year" in text
    # Per method: the tender of 1,250,000,000 (short 1.3bn) and the package with no method.
    assert "Open tender IDR 1.3bn" in text and "No method IDR 300m" in text
    assert "Spending in 2019 per kind of agency and per district (kecamatan)" in text
    assert (
        absent(text, ["Ke mana uangnya", "Tanpa metode", "per metode pemilihan", "Rp 1,3 M"]) == []
    )
    indonesian = main_text(client.get("/"))
    assert "Ke mana uangnya" in indonesian and "Tanpa metode Rp 300 jt" in indonesian


# --- a supplier, a withdrawn package, a package's summary --------------------------------------


@pytest.mark.django_db
def test_a_supplier_page_in_english(client, world):
    supplier = world["supplier"]
    response = client.get(f"/en/penyedia/{supplier.pk}/")
    page, text = response.content.decode(), main_text(response)
    assert "Packages won: 1; published packages taken part in: 2." in text
    assert "(fails the check-digit test: probably mistyped in the source data" in text
    assert "Atom feed of the packages CV Sehat Sentosa won or bid for" in text
    assert 'title="Latest packages of CV Sehat Sentosa"' in page
    assert (
        "Packages won, per year and agency" in text and "See all its packages in the list" in text
    )
    assert "Wins of CV Sehat Sentosa per fiscal year" in text and "2019 · 1 package" in text
    assert (
        absent(text, ["Menang 1 paket", "Paket yang dimenangkan", "tidak lolos uji", "Kemenangan"])
        == []
    )
    indonesian = main_text(client.get(f"/penyedia/{supplier.pk}/"))
    assert "Menang 1 paket; ikut dalam 2 paket yang dipublikasikan." in indonesian


@pytest.mark.django_db
def test_a_withdrawn_package_in_english(client, world):
    withdrawn = world["withdrawn"]
    response = client.get(f"/en/paket/{withdrawn.pk}/")
    text = main_text(response, 410)
    assert "Package withdrawn" in text
    assert (
        "The package Paket Ditarik Jembatan (Dinas Kesehatan, fiscal year 2019) was withdrawn "
        "from the site by its agency on"
    ) in text
    assert "Reason for withdrawal Anggaran dialihkan ke penanganan banjir." in text  # stored
    assert "This package\u2019s OCDS record (its whole history of releases)" in text
    assert (
        absent(text, ["Paket ditarik", "telah ditarik", "Alasan penarikan", "Telusuri paket lain"])
        == []
    )
    indonesian = main_text(client.get(f"/paket/{withdrawn.pk}/"), 410)
    assert "telah ditarik dari situs oleh perangkat daerahnya pada" in indonesian


@pytest.mark.django_db
def test_a_package_summary_and_its_source_in_english(client, world, health):
    imported = publish(
        make_process(
            health,
            title="Paket Impor Dander",
            fiscal_year=2019,
            source_values={"sirup_status_aktif": "ya", "lpse_tahap": "x"},
            contract_signed=datetime.date(2019, 6, 3),
        ),
        make_operator(health),
    )
    text = main_text(client.get(f"/en/paket/{imported.pk}/"))
    assert "Open data: OCDS record · API data (JSON)" in text
    assert "Data source Imported from SiRUP and LPSE on" in text
    assert "Latest recorded event Contract signed, 3 June 2019" in text
    assert (
        absent(text, ["Data terbuka:", "Diimpor dari", "Kejadian terakhir", "penandatanganan"])
        == []
    )
    indonesian = main_text(client.get(f"/paket/{imported.pk}/"))
    assert "Diimpor dari SiRUP dan LPSE pada" in indonesian
    assert "Penandatanganan kontrak, 3 Juni 2019" in indonesian


# --- the list's heading -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_heading_reads_in_english_for_a_combination_of_filters(client, world):
    page = client.get("/en/paket/?tahun=2019&pd=dinas-kesehatan&kecamatan=dander&metode=tender")
    assert (
        '<h1 id="judul-daftar">Packages of Dinas Kesehatan in Dander district, FY 2019, '
        "method: Open tender</h1>"
    ) in page.content.decode()
    indonesian = client.get("/paket/?tahun=2019&pd=dinas-kesehatan&kecamatan=dander&metode=tender")
    assert (
        '<h1 id="judul-daftar">Paket di Kecamatan Dander, Dinas Kesehatan, TA 2019, '
        "metode Tender</h1>"
    ) in indonesian.content.decode()


@pytest.mark.django_db
def test_the_list_heading_without_a_place_and_with_amounts():
    params = {"tahun": 2019, "nilai_min": 100_000_000, "jenis": "barang", "q": "jalan"}
    with translation.override("en"):
        assert describe(params) == (
            "Packages, FY 2019, Goods, budget ceiling from IDR\N{NO-BREAK SPACE}100,000,000, "
            "matching “jalan”"
        )
        assert describe({}) == "Procurement packages"
        agency = {"pd": "dinas-kesehatan", "tahun": 2019}
        assert describe(agency) == "Packages of Dinas Kesehatan, FY 2019"
        assert describe({"pd": "dinas-kesehatan"}) == "Packages of Dinas Kesehatan"
    with translation.override("id"):
        assert describe(params) == (
            "Paket TA 2019, Barang, pagu dari Rp\N{NO-BREAK SPACE}100.000.000, untuk “jalan”"
        )
        assert (
            describe({"pd": "dinas-kesehatan", "tahun": 2019}) == "Paket Dinas Kesehatan, TA 2019"
        )


@pytest.mark.django_db
def test_a_refused_filter_is_said_in_english_on_the_english_list(client, world):
    text = main_text(client.get("/en/paket/?tahun=abc&pd=tidak-ada"))
    assert "Year “abc” is not valid; this filter is ignored." in text
    assert "Agency “tidak-ada” is not known; this filter is ignored." in text
    assert absent(text, ["tidak valid", "tidak dikenal"]) == []
    assert "Tahun “abc” tidak valid" in main_text(client.get("/paket/?tahun=abc"))


@pytest.mark.django_db
def test_the_feed_stays_indonesian_under_en(client, world):
    """A feed is the data's, in Indonesian, at either address: its title and its refusal."""
    feed = client.get("/en/feed/paket/?pd=dinas-kesehatan").content.decode()
    assert "<title>Paket Dinas Kesehatan — " in feed
    assert "Paket pengadaan yang baru dipublikasikan, terbaru lebih dulu." in feed
    refusal = client.get("/en/feed/paket/?tahun=abc")
    assert refusal.status_code == 400
    assert refusal.content.decode().startswith("Umpan tidak dibuat")
    assert "Tahun “abc” tidak valid." in refusal.content.decode()


def test_the_spending_names_are_lazy_and_follow_the_language():
    with translation.override("en"):
        assert str(spending.SPENDING_NAME) == "Spending"
        assert str(spending.NO_KECAMATAN) == "No district, or one outside the list"
    with translation.override("id"):
        assert str(spending.SPENDING_NAME) == "Belanja"
