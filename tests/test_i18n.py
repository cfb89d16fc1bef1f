"""Indonesian first, English second (issue #23): which language each address answers in, the
switcher and the alternates, the sitemap in both, the caches kept apart per language, money and
dates by language, and the English catalogue complete.

Every template and every module of the apps is scanned for text shown to users outside a
translation (tests/i18n_scan.py).
"""

import datetime
import gettext
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from agencies.models import Agency
from contracts import public_cache
from contracts.sitemaps import PackageSitemap
from contracts.templatetags import rupiah as money_filters
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process
from tests.i18n.pages import html_of
from tests.i18n_scan import unmarked_strings, untranslated_text
from tests.sitemaps import whole_sitemap

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Every template and every Python module of the apps is scanned (tests/i18n_scan.py) for text
# shown to users outside a translation.
APPS = [
    "opendata_kontrak",
    "contracts",
    "agencies",
    "dashboards",
    "opendata",
    "imports",
    "participation",
    "followups",
    "alerts",
    "integrity",
]
TEMPLATES = sorted(
    p.relative_to(ROOT / "templates").as_posix()
    for p in (ROOT / "templates").rglob("*")
    if p.suffix in (".html", ".txt", ".xml")
)
PYTHON = sorted(
    p.relative_to(ROOT).as_posix()
    for app in APPS
    for p in (ROOT / app).rglob("*.py")
    if "migrations" not in p.parts and "commands" not in p.parts
)


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def package(health):
    operator = make_operator(health)
    return publish(
        make_process(
            health,
            title="Rehabilitasi Puskesmas Dander",
            fiscal_year=2019,
            method="tender",
            budget_amount=1_250_000_000,
            planned_start=datetime.date(2019, 5, 12),
        ),
        operator,
    )


# --- which language each address answers in ------------------------------------------------


@pytest.mark.django_db
def test_unprefixed_pages_stay_indonesian_whatever_the_browser_asks(client, package):
    for url in ["/", "/paket/", f"/paket/{package.pk}/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
        html = html_of(response)
        assert '<html lang="id">' in html, url
        assert response["Content-Language"] == "id"
        # Nothing varies by the browser's language: caches may keep one copy per address.
        assert "Accept-Language" not in response.get("Vary", ""), url
    assert "Uang publik, terbuka untuk semua" in html_of(client.get("/"))
    assert "Tahun anggaran" in html_of(client.get("/paket/", HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.django_db
def test_english_pages_are_under_en(client, package):
    home = html_of(client.get("/en/"))
    assert '<html lang="en">' in home
    assert "Public money, open to everyone" in home
    assert "Uang publik, terbuka untuk semua" not in home
    # The navigation leads to the English pages.
    assert 'href="/en/paket/"' in home
    listing = html_of(client.get("/en/paket/"))
    assert "Fiscal year" in listing and "Tahun anggaran" not in listing
    # The vocabularies' labels, kept Indonesian in the data (gettext_noop), shown in English:
    # the filter's choices and the card's method.
    assert '<option value="tender">Open tender (1)</option>' in listing
    assert '<option value="nilai">Largest budget ceiling</option>' in listing
    assert "<span>Open tender</span>" in listing
    detail = client.get(f"/en/paket/{package.pk}/")
    assert detail["Content-Language"] == "en"
    page = html_of(detail)
    assert "Open data for this package" in page
    # Money and dates the English way (README "Bahasa"): IDR with commas, day month year.
    assert "IDR 1,250,000,000" in page and "Rp 1.250.000.000" not in page
    assert "12 May 2019" in page
    assert "1. Planning</h2>" in page and "1. Perencanaan" not in page
    indonesian = html_of(client.get(f"/paket/{package.pk}/"))
    assert "Rp 1.250.000.000" in indonesian and "12 Mei 2019" in indonesian
    assert "1. Perencanaan</h2>" in indonesian and "<span>Tender</span>" in indonesian


@pytest.mark.django_db
def test_an_address_prefixed_with_the_default_language_is_not_a_second_copy(client, package):
    assert client.get(f"/id/paket/{package.pk}/").status_code == 404
    assert client.get("/en/tidak-ada/").status_code == 404


@pytest.mark.django_db
def test_the_switcher_links_the_same_page_in_the_other_language(client, package):
    page = html_of(client.get("/paket/", {"tahun": "2019", "q": "puskesmas"}))
    switch = re.search(
        r'<a class="language-bar__link" href="([^"]+)" hreflang="en"[^>]*>English</a>', page
    )
    assert switch, "no switcher to English"
    assert switch.group(1) == "/en/paket/?tahun=2019&amp;q=puskesmas"
    english = html_of(client.get(f"/en/paket/{package.pk}/"))
    back = re.search(
        r'<a class="language-bar__link" href="([^"]+)" hreflang="id"[^>]*>Bahasa Indonesia</a>',
        english,
    )
    assert back and back.group(1) == f"/paket/{package.pk}/"
    # One link only: to the other language, not to the page itself.
    assert english.count('class="language-bar__link"') == 1
    # A page that is not there still offers the other language's (not there either) address.
    missing = client.get("/en/tidak-ada/").content.decode()
    assert 'href="/tidak-ada/" hreflang="id"' in missing


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_menu_marks_only_the_page_shown_as_current(client, package, prefix):
    """The home page is current on itself only: "/en/" begins every English address, and it was
    marked current beside the page shown (two current items for a screen reader)."""
    for path, expected in [("/", "/"), ("/paket/", "/paket/"), ("/tentang/", "/tentang/")]:
        html = client.get(prefix + path).content.decode()
        current = re.findall(r'<a class="site-nav__link" href="([^"]+)" aria-current="page"', html)
        assert current == [prefix + expected], (prefix + path, current)


@pytest.mark.django_db
def test_every_page_names_its_alternates(client, package):
    for url in [f"/paket/{package.pk}/", f"/en/paket/{package.pk}/"]:
        page = html_of(client.get(url))
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
        )
        assert alternates == {
            "id": f"http://testserver/paket/{package.pk}/",
            "en": f"http://testserver/en/paket/{package.pk}/",
            "x-default": f"http://testserver/paket/{package.pk}/",
        }, url


@pytest.mark.django_db
def test_the_workspace_follows_the_operators_choice_not_the_browser(client, health):
    operator = make_operator(health)
    client.force_login(operator)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "id"
    # The choice is offered on every workspace page: a form to Django's set_language view,
    # back to the same page.
    html = page.content.decode()
    assert '<form class="workspace-language" action="/i18n/setlang/" method="post">' in html
    assert '<input type="hidden" name="next" value="/admin/">' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html
    # Django's set_language view remembers the choice in a cookie.
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    answer = client.get("/admin/")
    assert answer["Content-Language"] == "en"
    assert "Cookie" in answer["Vary"]
    assert (
        'name="language" value="id" lang="id">Bahasa Indonesia</button>' in answer.content.decode()
    )
    # The bulk upload, a pattern of the public pages' resolver, opens in that choice too.
    assert client.get("/admin/unggah-massal/")["Content-Language"] == "en"
    # The public pages keep following their address.
    assert client.get("/")["Content-Language"] == "id"


# --- the sitemap ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sitemap_lists_every_page_in_both_languages(client, package):
    xml = whole_sitemap(client)
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert f"http://testserver/paket/{package.pk}/" in locations
    assert f"http://testserver/en/paket/{package.pk}/" in locations
    assert "http://testserver/en/" in locations and "http://testserver/" in locations
    assert len(locations) == len(set(locations))
    assert (
        f'<xhtml:link rel="alternate" hreflang="en" href="http://testserver/en/paket/{package.pk}/"/>'
        in xml
    )
    assert (
        f'<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/paket/{package.pk}/"/>'
        in xml
    )


class _Site:
    domain = "testserver"


@pytest.mark.django_db
def test_the_package_sitemap_pages_pairs_without_reading_every_package(
    health, django_assert_num_queries
):
    operator = make_operator(health)
    packages = [publish(make_process(health, title=f"Paket peta {n}"), operator) for n in range(3)]
    sitemap = PackageSitemap()
    sitemap.limit = 4  # 6 pairs: pages of 4 and 2
    with django_assert_num_queries(2):  # the count, then this page's rows only
        first = [url["location"] for url in sitemap.get_urls(page=1, site=_Site())]
    second = [url["location"] for url in PackageSitemap.get_urls(sitemap, page=2, site=_Site())]
    a, b, c = (p.pk for p in sorted(packages, key=lambda p: p.pk))
    assert first == [
        f"https://testserver/paket/{a}/",
        f"https://testserver/en/paket/{a}/",
        f"https://testserver/paket/{b}/",
        f"https://testserver/en/paket/{b}/",
    ]
    assert second == [f"https://testserver/paket/{c}/", f"https://testserver/en/paket/{c}/"]


@pytest.mark.django_db
def test_the_sitemap_index_reaches_every_package_past_the_first_page(client, health, monkeypatch):
    """Five packages in sections of four entries (ten pairs: three pages of packages, the other
    sections one page each): the index names every page of every section, and every package
    is listed in both languages. One sitemap of all sections ended at its first page (page 2
    of a one-page section is a 404), so a regency's packages past the limit were never
    listed."""
    monkeypatch.setattr(PackageSitemap, "limit", 4)
    operator = make_operator(health)
    packages = [publish(make_process(health, title=f"Paket peta {n}"), operator) for n in range(5)]
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-paket.xml?p=3</loc>" in index and "?p=4" not in index
    locations = re.findall(r"<loc>([^<]+)</loc>", whole_sitemap(client))
    for package in packages:
        assert f"http://testserver/paket/{package.pk}/" in locations
        assert f"http://testserver/en/paket/{package.pk}/" in locations
    assert len(locations) == len(set(locations))


# --- caches per language --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["id", "en"])
def test_a_cached_fragment_is_never_served_in_the_other_language(client, package, first):
    public_cache.changed()  # nothing cached from before
    indonesian, english = "/", "/en/"
    order = [indonesian, english] if first == "id" else [english, indonesian]
    for url in order:
        client.get(url)  # warms the fragments in its language
    for _round in range(2):  # the second read comes from the cache
        home_id = html_of(client.get(indonesian))
        home_en = html_of(client.get(english))
        # "Lima tahap setiap paket" is inside the cached fragment `beranda`.
        assert (
            "Lima tahap setiap paket" in home_id and "Five stages of every package" not in home_id
        )
        assert (
            "Five stages of every package" in home_en and "Lima tahap setiap paket" not in home_en
        )
        list_id = html_of(client.get("/paket/"))
        list_en = html_of(client.get("/en/paket/"))
        # The cards' sentences come from contracts/status.py, inside the cached `daftar_kartu`.
        assert "Pekerjaan: belum ada kontrak tercatat" in list_id
        assert "Work: no contract recorded" in list_en and "Pekerjaan:" not in list_en
        detail_en = html_of(client.get(f"/en/paket/{package.pk}/"))
        detail_id = html_of(client.get(f"/paket/{package.pk}/"))
        assert (
            "Open data for this package" in detail_en and "Data terbuka paket ini" not in detail_en
        )
        assert "Data terbuka paket ini" in detail_id


@pytest.mark.django_db
def test_the_package_page_costs_the_same_queries_in_english(client, package):
    counts = {}
    for url in [f"/paket/{package.pk}/", f"/en/paket/{package.pk}/"]:
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as queries:
            html_of(client.get(url))
        counts[url] = len(queries)
    assert len(set(counts.values())) == 1, counts


# --- money and dates ------------------------------------------------------------------------


def test_money_counts_and_shares_follow_the_language():
    with translation.override("id"):
        assert money_filters.money(1_250_000_000) == "Rp 1.250.000.000"
        assert money_filters.number(4681) == "4.681"
        assert money_filters.persen(96.4) == "96,4%"
        assert money_filters.percentage(Decimal("32.50")) == "32,5%"
        assert money_filters.deviasi(Decimal("-12.5")) == "-12,5%"
        assert formats.date_format(datetime.date(2019, 5, 12), "DATE_FORMAT") == "12 Mei 2019"
    with translation.override("en"):
        assert money_filters.money(1_250_000_000) == "IDR 1,250,000,000"
        assert money_filters.money(-5_000) == "-IDR 5,000"
        assert money_filters.money(None) == "—"
        assert money_filters.number(4681) == "4,681"
        assert money_filters.persen(96.4) == "96.4%"
        assert money_filters.percentage(Decimal("32.50")) == "32.5%"
        assert money_filters.deviasi(Decimal("2")) == "+2%"
        assert money_filters.deviasi(Decimal("-12.5")) == "-12.5%"
        assert formats.date_format(datetime.date(2019, 5, 12), "DATE_FORMAT") == "12 May 2019"
        # Sentences built in Python for storage or e-mail stay Indonesian (module docstring).
        assert money_filters.rupiah(1_250_000_000) == "Rp 1.250.000.000"
        assert money_filters.angka(4681) == "4.681"


# --- the catalogue --------------------------------------------------------------------------


def po_entries(path):
    """[(flags, msgctxt, msgid, msgid_plural, [msgstr...])] of a .po file, header included."""
    entries, current, field = [], None, None

    def finish():
        if current is not None:
            entries.append(current)

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            finish()
            current, field = None, None
            continue
        if current is None:
            current = {
                "flags": set(),
                "msgctxt": None,
                "msgid": None,
                "msgid_plural": None,
                "msgstr": {},
            }
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = _po_string(line)
            if isinstance(field, tuple):
                current["msgstr"][field[1]] += text
            else:
                current[field] += text
        else:
            keyword, _space, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                field = ("msgstr", int(match.group(1)))
                current["msgstr"][field[1]] = _po_string(rest)
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                current["msgstr"][0] = _po_string(rest)
            else:
                field = keyword
                current[keyword] = _po_string(rest)
    return [entry for entry in entries if entry["msgid"] is not None]


_PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _po_string(quoted):
    """A .po string's text: `"a \\"b\\" c\\n"` -> `a "b" c` and a line break."""
    return re.sub(r"\\(.)", lambda escape: _PO_ESCAPES[escape.group(1)], quoted[1:-1])


def test_the_english_catalogue_has_no_empty_or_fuzzy_entry():
    entries = po_entries(CATALOGUE)
    assert len(entries) > 200  # the converted templates and strings, not an empty file
    header = entries[0]
    assert header["msgid"] == ""
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    for entry in entries[1:]:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        forms = 2 if entry["msgid_plural"] is not None else 1
        assert sorted(entry["msgstr"]) == list(range(forms)), entry["msgid"]
        for form in entry["msgstr"].values():
            assert form.strip(), f"untranslated: {entry['msgid']!r}"


def test_the_compiled_catalogue_matches_its_source():
    with COMPILED.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in po_entries(CATALOGUE)[1:]:
        context, msgid = entry["msgctxt"], entry["msgid"]
        if entry["msgid_plural"] is None:
            found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            assert found == entry["msgstr"][0], msgid
        else:
            plural = entry["msgid_plural"]
            for count, form in ((1, 0), (5, 1)):
                found = (
                    catalogue.npgettext(context, msgid, plural, count)
                    if context
                    else catalogue.ngettext(msgid, plural, count)
                )
                assert found == entry["msgstr"][form], msgid


@pytest.mark.once
def test_makemessages_finds_nothing_new_to_translate(tmp_path, settings, monkeypatch):
    """`makemessages -l en --no-obsolete` over the project's sources, in a copy: it leaves the
    catalogue with every entry translated, so no marked string lacks its English."""
    for name in ["templates", *APPS]:
        shutil.copytree(
            ROOT / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pdf", "data"),
        )
    (tmp_path / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(CATALOGUE, tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    entries = po_entries(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    untranslated = [
        e["msgid"]
        for e in entries[1:]
        if "fuzzy" in e["flags"] or not all(f.strip() for f in e["msgstr"].values())
    ]
    assert untranslated == []
    committed = {(e["msgctxt"], e["msgid"]) for e in po_entries(CATALOGUE)}
    assert {(e["msgctxt"], e["msgid"]) for e in entries} == committed


# --- every template and module converted ---------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_have_no_text_outside_translation_tags(template):
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    if not template.endswith(".html"):
        source = f">{source}<"  # a mail's text part or subject: all of it is shown
    assert untranslated_text(source) == []


@pytest.mark.parametrize("module", PYTHON)
def test_python_text_shown_to_users_is_marked_for_translation(module):
    assert unmarked_strings((ROOT / module).read_text(encoding="utf-8")) == []


def test_the_scan_finds_a_word_left_out():
    assert untranslated_text('<p>{% translate "Cari" %}</p><h2>Tahap paket</h2>') == [
        "Tahap",
        "paket",
    ]
    assert untranslated_text('<input placeholder="Kata kunci">') == ["Kata", "kunci"]
    assert untranslated_text('<meta name="description" content="Kontrak terbuka">') == [
        "Kontrak",
        "terbuka",
    ]
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    assert untranslated_text(viewport + "<p>&rsaquo; &nbsp;</p>") == []
    assert untranslated_text('<a title="{% translate "Rekaman" %}">{{ x }} · 12</a>') == []


@pytest.mark.django_db
def test_the_feed_under_en_is_the_same_feed_with_the_same_entry_ids(client, package):
    """The English list links to /en/feed/paket/: the same feed, in the data's language, its
    entries named by the canonical (Indonesian) addresses, not a second id per package."""
    indonesian = client.get("/feed/paket/").content.decode()
    english = client.get("/en/feed/paket/").content.decode()
    ids = re.findall(r"<id>([^<]+)</id>", english)
    assert f"http://testserver/paket/{package.pk}/" in ids
    assert not any("/en/" in entry for entry in ids)
    assert ids == re.findall(r"<id>([^<]+)</id>", indonesian)
    assert 'xml:lang="id"' in english


def test_the_python_scan_finds_unmarked_text():
    source = """
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PLANNING = "perencanaan", "Perencanaan"
    TENDER = "pemilihan", _("Pemilihan Penyedia")


class Package(models.Model):
    title = models.CharField("Nama paket", max_length=10, help_text=_("Seperti di RUP"))
    note = models.CharField(verbose_name="Catatan", max_length=10)
    ocds = {"title": "Paket jalan"}  # i18n: data

    class Meta:
        verbose_name = "Paket"


def view(request):
    messages.success(request, f"Paket {x} tersimpan.")
    raise ValidationError(_("Pagu tidak sah."))
"""
    found = [text for _line, text in unmarked_strings(source)]
    assert found == ["Perencanaan", "Nama paket", "Catatan", "Paket", "Paket  tersimpan."]


def test_scripts_carry_no_sentence_of_their_own():
    """What a script says to a user (an alert, a status) comes from the page, in its language
    (data-* attributes rendered through the catalogue): a string literal of two words or more
    in static/js/ would be text no catalogue translates (from the try-out: the upload's alerts
    were Indonesian in the English workspace)."""
    literal = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')
    found = []
    for script in sorted((ROOT / "static" / "js").glob("*.js")):
        for line in script.read_text(encoding="utf-8").splitlines():
            code = line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
            for match in literal.finditer(code):
                text = match.group(1) or match.group(2) or ""
                if text != "use strict" and re.search(r"[^\W\d_]{2,} [^\W\d_]{2,}", text):
                    found.append((script.name, text))
    assert found == []
