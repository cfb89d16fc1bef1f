"""The English pages carry no Indonesian of their own: every public page under /en/, its
visible text stripped of the data (names of agencies, places, packages, suppliers — Indonesian
by nature), of what is marked `lang="id"` (stored sentences) and of machine names written as
`<code>`, holds none of the Indonesian words any sentence of the interface would need."""

import html
import re

import pytest
from django.conf import settings

from agencies.models import Agency, Desa, Kecamatan
from contracts.models import Process, Supplier
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process, planning_fields

# Words no English sentence holds and almost every Indonesian one does.
INDONESIAN = {
    "yang", "dan", "untuk", "dengan", "belum", "sudah", "tidak", "dari", "atau", "pada",
    "oleh", "dalam", "ini", "itu", "adalah", "akan", "semua", "setiap", "tahun",
}  # fmt: skip

# Indonesian kept on purpose, each beside its English: a term's expansion on the glossary, the
# values a file holds ("ya (yes) / tidak (no)"), a stored description quoted. (Parameter names
# such as `halaman` are not in INDONESIAN: the API's page names them in its prose.)
GLOSSED = [
    "Anggaran Pendapatan dan Belanja Daerah",
    "Tahun anggaran",
    "ya (yes) / tidak (no)",
    "“belum jatuh tempo”",
]

PAGES = [
    "/en/",
    "/en/paket/",
    "/en/paket/?tahun=2019&metode=tender",
    "/en/perangkat-daerah/",
    "/en/perangkat-daerah/dinas-kesehatan/",
    "/en/kecamatan/",
    "/en/angka/",
    "/en/tanda/",
    "/en/data-terbuka/",
    "/en/data-terbuka/kebijakan/",
    "/en/data-terbuka/kode-lokal/",
    "/en/api/",
    "/en/glosarium/",
    "/en/tentang/",
    "/en/langganan/ikuti/?tahun=2019",
    "/en/langganan/peluang/",
    "/en/paket/999999/",
]


@pytest.fixture
def catalogue():
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    supplier = Supplier.objects.create(npwp="0012345674123000", name="CV Maju Jaya")
    process = publish(
        make_process(
            health,
            title="Rehabilitasi Puskesmas Dander",
            fiscal_year=2019,
            supplier=supplier,
            **planning_fields(budget_amount=1_250_000_000),
        ),
        operator,
    )
    return process, supplier


def data_strings():
    """Every name the data holds, longest first (so a name containing another goes whole)."""
    names = [settings.PORTAL["LOCAL_REGULATION"], settings.PORTAL["REGION_NAME"]]
    names += list(Agency.objects.values_list("name", flat=True))
    names += list(Kecamatan.objects.values_list("name", flat=True))
    names += list(Desa.objects.values_list("name", flat=True))
    names += list(Process.objects.values_list("title", flat=True))
    names += list(Supplier.objects.values_list("name", flat=True))
    return sorted({name for name in names if name}, key=len, reverse=True)


def visible_words(page, names):
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # Parts marked Indonesian inside the page (not the page itself: <html lang="id">).
    text = re.sub(r'<(?!html\b)(\w+)[^>]*\blang="id"[^>]*>.*?</\1>', " ", text, flags=re.S)
    # Machine names (a column, a parameter, a value such as `tidak`) are written as code.
    text = re.sub(r"<code\b.*?</code>", " ", text, flags=re.S)
    text = re.sub(r'<link[^>]*hreflang="id"[^>]*>', " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text)
    for name in [*names, *GLOSSED]:
        text = text.replace(re.sub(r"\s+", " ", name), " ")
    return re.findall(r"[^\W\d_]+", text.lower())


@pytest.mark.django_db
def test_no_english_page_speaks_indonesian(client, catalogue):
    process, supplier = catalogue
    pages = [*PAGES, f"/en/paket/{process.pk}/", f"/en/penyedia/{supplier.pk}/"]
    pages.append("/en/kecamatan/dander/")
    names = data_strings()
    found = {}
    for address in pages:
        response = client.get(address)
        assert response.status_code in (200, 404), (address, response.status_code)
        words = set(visible_words(response.content.decode(), names)) & INDONESIAN
        if words:
            found[address] = sorted(words)
    assert found == {}


@pytest.mark.django_db
def test_the_check_finds_indonesian_on_a_page(client, catalogue):
    """The same check on the Indonesian list finds its words: it is not blind."""
    words = set(visible_words(client.get("/paket/").content.decode(), data_strings()))
    assert {"tahun", "semua"} <= words & INDONESIAN
