"""The Atom feeds: any selection of the public list (its filters and search), a supplier's
packages, one package's changes; valid Atom whatever the data holds, and the pages that link
to each (contracts/feeds.py)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from agencies.models import Agency
from contracts import services
from contracts.feeds import PrintableAtom1Feed
from contracts.models import Amendment, Bidder, Process, Supplier
from tests.contracts.test_amendments import contracted
from tests.contracts.test_public import attach
from tests.factories import make_agency, make_operator, make_process, planning_fields

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "Open Data Kontrak Kabupaten Bojonegoro"


def publish(process, by):
    services.publish_process(process=process, by=by)
    return process


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def roads():
    return Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")


@pytest.fixture
def world(health, roads, media_root):
    """Three published packages, published in this order (the newest last), a draft and a
    withdrawn one; CV Sehat Sentosa won the first and bid for the third (and for the draft)."""
    health_operator, roads_operator = make_operator(health), make_operator(roads)
    supplier = Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    puskesmas = publish(
        make_process(
            health,
            title="Rehabilitasi Puskesmas Dander",
            fiscal_year=2018,
            method="tender",
            budget_amount=900_000_000,
            location_kecamatan="Dander",
            supplier=supplier,
        ),
        health_operator,
    )
    medicine = publish(
        make_process(
            health,
            title="Pengadaan Obat Generik",
            fiscal_year=2019,
            method="e_purchasing",
            budget_amount=300_000_000,
        ),
        health_operator,
    )
    road = publish(
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
    Bidder.objects.create(process=road, supplier=supplier, bid_amount=2_300_000_000)
    draft = make_process(health, title="Draf Rahasia Puskesmas", supplier=supplier)
    Bidder.objects.create(process=draft, supplier=supplier, bid_amount=1)
    withdrawn = publish(
        make_process(roads, title="Paket Ditarik Jembatan", location_kecamatan="Dander"),
        roads_operator,
    )
    services.withdraw_process(process=withdrawn, by=roads_operator, reason="Dibatalkan")
    return {
        "puskesmas": puskesmas,
        "medicine": medicine,
        "road": road,
        "draft": draft,
        "withdrawn": withdrawn,
        "supplier": supplier,
        "operator": health_operator,
    }


def parse(response):
    """The feed read by a strict XML parser, checked for what RFC 4287 requires: the feed's
    id, title and updated, an author for every entry (the feed's), and each entry's id, title,
    updated and link; entry ids unique. Returns the root element."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = etree.fromstring(response.content)  # raises on any character XML cannot hold
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    assert feed.findtext(f"{ATOM}author/{ATOM}name").strip()
    ids = []
    for entry in feed.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), ids
    return feed


def entry_titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def entry_ids(feed):
    return [entry.findtext(f"{ATOM}id") for entry in feed.iter(f"{ATOM}entry")]


def read(client, **params):
    return parse(client.get(reverse("contracts:feed"), params))


# --- any selection of the list ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_feed_follows_any_selection_of_the_list_newest_first(client, world):
    feed = read(client)
    assert feed.findtext(f"{ATOM}title") == f"Paket pengadaan — {SITE}"
    # Published in the order puskesmas, medicine, road; the draft and the withdrawn never.
    assert entry_titles(feed) == [
        "Peningkatan Jalan Ngumpakdalem",
        "Pengadaan Obat Generik",
        "Rehabilitasi Puskesmas Dander",
    ]

    feed = read(client, tahun="2018", kecamatan="Dander")
    assert entry_titles(feed) == ["Peningkatan Jalan Ngumpakdalem", "Rehabilitasi Puskesmas Dander"]
    assert feed.findtext(f"{ATOM}title") == f"Paket di Kecamatan Dander, TA 2018 — {SITE}"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/paket/?tahun=2018&kecamatan=Dander"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        "http://testserver/feed/paket/?tahun=2018&kecamatan=Dander"
    )

    feed = read(client, pd="dinas-kesehatan", q="puskesmas")
    assert entry_titles(feed) == ["Rehabilitasi Puskesmas Dander"]
    assert feed.findtext(f"{ATOM}title") == f"Paket Dinas Kesehatan, untuk “puskesmas” — {SITE}"

    # The pagu range and the method: the list's 900 juta to 2,4 miliar tenders.
    feed = read(client, metode="tender", nilai_min="Rp 900.000.000", nilai_max="2400000000")
    assert entry_titles(feed) == ["Peningkatan Jalan Ngumpakdalem", "Rehabilitasi Puskesmas Dander"]
    feed = read(client, jenis_pd="dinas", tahap="perencanaan", lengkap="tidak", tahun="2019")
    assert entry_titles(feed) == ["Pengadaan Obat Generik"]


@pytest.mark.django_db
def test_the_sort_and_page_of_the_list_are_not_followed(client, world):
    # The list sorted by smallest pagu, page 2: the feed still lists all, newest first.
    feed = read(client, metode="tender", urut="nilai_kecil", halaman="2")
    assert entry_titles(feed) == ["Peningkatan Jalan Ngumpakdalem", "Rehabilitasi Puskesmas Dander"]
    assert entry_ids(read(client, metode="tender")) == entry_ids(feed)
    # A sort the list does not know is no filter either: not refused.
    assert client.get(reverse("contracts:feed"), {"urut": "acak"}).status_code == 200
    # Empty fields, as the list's form sends them, are no filters.
    assert len(entry_titles(read(client, tahun="", q="", pd=""))) == 3


@pytest.mark.django_db
def test_a_filter_the_list_would_drop_is_refused_with_its_reason(client, world):
    for params, reason in [
        ({"tahun": "abad"}, "Tahun “abad” tidak valid."),
        ({"pd": "dinas-tidak-ada"}, "Perangkat daerah “dinas-tidak-ada” tidak dikenal."),
        ({"penyedia": "CV Sehat"}, "Penyedia tidak valid."),
        (
            {"nilai_min": "sejuta"},
            "Pagu terendah “sejuta” bukan jumlah rupiah (misalnya Rp 100.000.000).",
        ),
        ({"metode": "lelang_gaib", "tahun": "2018"}, "Metode “lelang_gaib” tidak dikenal."),
    ]:
        response = client.get(reverse("contracts:feed"), params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert text.startswith("Umpan tidak dibuat: ada saringan yang tidak valid")
        assert reason in text.splitlines(), (params, text)
    # A kecamatan outside the register is not the whole regency's feed under its name.
    assert client.get(reverse("contracts:feed"), {"kecamatan": "Atlantis"}).status_code == 404
    # A NUL byte never reaches the database (opendata_kontrak.request_guard).
    assert client.get(reverse("contracts:feed"), {"q": "jalan\x00"}).status_code == 400


@pytest.mark.django_db
def test_a_suppliers_feed_lists_what_it_won_or_bid_for(client, world):
    supplier = world["supplier"]
    feed = read(client, penyedia=str(supplier.pk))
    # Won the puskesmas, bid for the road; the draft it bid for stays hidden.
    assert entry_titles(feed) == ["Peningkatan Jalan Ngumpakdalem", "Rehabilitasi Puskesmas Dander"]
    assert feed.findtext(f"{ATOM}title") == f"Paket penyedia CV Sehat Sentosa — {SITE}"
    summaries = [entry.findtext(f"{ATOM}summary") for entry in feed.iter(f"{ATOM}entry")]
    assert summaries[1] == (
        "Dinas Kesehatan · TA 2018 · pagu Rp 900.000.000 · penyedia CV Sehat Sentosa"
    )
    # The same packages as the list's ?penyedia= selection: one rule.
    listing = client.get(reverse("contracts:process-list"), {"penyedia": supplier.pk})
    assert {p.title for p in listing.context["page"].object_list} == set(entry_titles(feed))


@pytest.mark.django_db
def test_entry_ids_are_the_package_pages_and_stay_the_same(client, world):
    first = entry_ids(read(client))
    assert first == [
        f"http://testserver/paket/{world[name].pk}/" for name in ("road", "medicine", "puskesmas")
    ]
    assert entry_ids(read(client)) == first


@pytest.mark.django_db
def test_an_unchanged_feed_answers_not_modified(client, world):
    url = reverse("contracts:feed") + "?kecamatan=Dander"
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("ETag")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # Once the puskesmas is withdrawn, the same address has another body.
    services.withdraw_process(process=world["puskesmas"], by=world["operator"], reason="Batal")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert entry_titles(parse(changed)) == ["Peningkatan Jalan Ngumpakdalem"]


# --- one package's changes --------------------------------------------------------------------


def change(process, operator, **fields):
    process = Process.objects.get(pk=process.pk)
    for name, value in fields.items():
        setattr(process, name, value)
    return services.save_process(process=process, by=operator)


def package_feed(client, process):
    return parse(client.get(reverse("contracts:package-feed", args=[process.pk])))


def summaries(feed):
    return [entry.findtext(f"{ATOM}summary") for entry in feed.iter(f"{ATOM}entry")]


@pytest.mark.django_db
def test_a_package_feed_says_what_each_release_changed_newest_first(client, health, media_root):
    operator = make_operator(health)
    process = make_process(health, **planning_fields(title="Rehabilitasi Jalan Dander"))
    publish(process, operator)  # 1: announced at Perencanaan
    attach(process, operator, "Kerangka acuan", name="KAK Pelaksanaan.pdf")  # 2: a document
    change(  # 3: the selection begins
        process,
        operator,
        tender_code="5009244",
        hps_amount=1_200_000_000,
        tender_announced=D(2018, 4, 2),
        bid_deadline=D(2018, 4, 16),
    )
    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Maju")
    change(process, operator, supplier=supplier, award_amount=1_150_000_000)  # 4: a winner
    services.withdraw_process(process=process, by=operator, reason="Anggaran dialihkan")  # 5

    feed = package_feed(client, process)
    assert feed.findtext(f"{ATOM}title") == f"Perubahan paket Rehabilitasi Jalan Dander — {SITE}"
    assert entry_titles(feed) == [
        "Paket ditarik",
        "Data pemilihan penyedia diubah · Tahap Pemenang tercapai",
        "Tahap Pemilihan Penyedia tercapai",
        "Data perencanaan diubah · 1 dokumen baru",
        "Paket diumumkan (tahap Perencanaan)",
    ]
    said = summaries(feed)
    assert said[0] == (
        f"Paket ditarik. Alasan penarikan: Anggaran dialihkan. Tahap terakhir: Pemenang. "
        f"Rilis OCDS {process.ocid}-0005."
    )
    # A document is titled by its file name without ".pdf" (contracts.services.add_documents).
    assert "Dokumen baru: KAK Pelaksanaan." in said[3]
    assert said[4].endswith(f"Tahap terakhir: Perencanaan. Rilis OCDS {process.ocid}-0001.")
    # Each entry: the package's page, its release's date, an id of its own that stays.
    base = settings.PORTAL["BASE_URL"]
    ids = entry_ids(feed)
    assert ids == [f"{base}/ocds/{process.ocid}/#{process.ocid}-{n:04d}" for n in (5, 4, 3, 2, 1)]
    assert entry_ids(package_feed(client, process)) == ids
    links = {entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")}
    assert links == {f"http://testserver/paket/{process.pk}/"}
    dates = [r.date for r in process.releases.order_by("-sequence")]
    updated = [
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        for entry in feed.iter(f"{ATOM}entry")
    ]
    assert updated == dates
    # Withdrawn, its OCDS stays public, and so does this feed.
    assert client.get(reverse("contracts:process-detail", args=[process.pk])).status_code == 410


@pytest.mark.django_db
def test_a_reason_or_title_ending_its_own_sentence_gets_no_second_full_stop(
    client, health, media_root
):
    operator = make_operator(health)
    process = publish(make_process(health, **planning_fields(title="Renovasi Pustu")), operator)
    attach(process, operator, "Rincian anggaran", name="RAB APBD 2026..pdf")
    reason = "Anggaran dialihkan ke APBD 2026."
    services.withdraw_process(process=process, by=operator, reason=reason)

    withdrawn, documented, _ = summaries(package_feed(client, process))
    assert withdrawn == (
        "Paket ditarik. Alasan penarikan: Anggaran dialihkan ke APBD 2026. "
        f"Tahap terakhir: Perencanaan. Rilis OCDS {process.ocid}-0003."
    )
    assert "Dokumen baru: RAB APBD 2026. Tahap terakhir: Perencanaan." in documented


@pytest.mark.django_db
def test_an_addendum_is_said_as_such(client, health):
    operator = make_operator(health)
    process = contracted(operator)
    amendment = Amendment.objects.create(
        process=process, number="027/ADD-1/2018", date=D(2018, 10, 20), new_end=D(2018, 12, 4)
    )
    services.record_rows_changed(process=process, by=operator, label="Adendum", added=[amendment])
    feed = package_feed(client, process)
    assert entry_titles(feed) == ["Kontrak diubah (adendum)", "Paket diumumkan (tahap Kontrak)"]


@pytest.mark.django_db
def test_a_package_feed_only_for_packages_in_open_data(client, world, health):
    assert client.get(reverse("contracts:package-feed", args=[world["draft"].pk])).status_code == (
        404
    )
    assert client.get(reverse("contracts:package-feed", args=[999_999])).status_code == 404
    # A sample beside real data is out of open data: no feed either.
    sample = make_process(
        health,
        title="[CONTOH] Paket Contoh",
        is_sample=True,
        status="published",
        published_at=timezone.now(),
    )
    assert client.get(reverse("contracts:package-feed", args=[sample.pk])).status_code == 404
    # Published last, it would lead its agency's feed: beside real data it is not there.
    feed = read(client, pd="dinas-kesehatan")
    assert entry_titles(feed) == ["Pengadaan Obat Generik", "Rehabilitasi Puskesmas Dander"]
    withdrawn = package_feed(client, world["withdrawn"])
    assert entry_titles(withdrawn)[0] == "Paket ditarik"
    assert "Alasan penarikan: Dibatalkan." in summaries(withdrawn)[0]


# --- valid whatever the data holds --------------------------------------------------------------

# Every C0 control but tab, line feed and carriage return (NUL aside: PostgreSQL text cannot
# hold it, and the request guard refuses it in an address), DEL, C1 controls and U+FFFE.
CONTROLS = "".join(chr(c) for c in [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20)])
CONTROLS += "\x7f\x85\x9f\ufffe\uffff"


@pytest.mark.django_db
def test_control_characters_never_break_a_feed(client, media_root):
    agency = make_agency(name=f"Dinas {CONTROLS}Kontrol", code="dinas-kontrol")
    operator = make_operator(agency)
    supplier = Supplier.objects.create(name=f"CV {CONTROLS}Bersih", npwp="0012345678901000")
    process = make_process(
        agency,
        **planning_fields(title=f"Jalan {CONTROLS}Kontrol Dander", location_kecamatan="Dander"),
        supplier=supplier,
    )
    publish(process, operator)
    services.withdraw_process(process=process, by=operator, reason=f"Salah {CONTROLS}input")
    other = publish(
        make_process(agency, **planning_fields(title="Jembatan Kontrol", supplier=supplier)),
        operator,
    )
    Bidder.objects.create(process=other, supplier=supplier, bid_amount=1_000)
    feeds = [
        read(client),
        read(client, pd="dinas-kontrol", q=f"kontrol {CONTROLS}jembatan"),
        read(client, penyedia=str(supplier.pk), kecamatan="Dander"),
        package_feed(client, process),
        package_feed(client, other),
    ]
    text = "".join(etree.tostring(feed, encoding="unicode") for feed in feeds)
    assert not set(CONTROLS) & set(text)
    # The text around them is all there, each control a space.
    assert entry_titles(feeds[1]) == ["Jembatan Kontrol"]
    assert "untuk “kontrol" in feeds[1].findtext(f"{ATOM}title")
    assert "Paket Dinas" in feeds[1].findtext(f"{ATOM}title")
    assert f"penyedia CV {' ' * len(CONTROLS)}Bersih" in summaries(feeds[0])[0]
    # Published with its winner named: announced at Pemenang.
    assert entry_titles(feeds[4]) == ["Paket diumumkan (tahap Pemenang)"]
    assert "Salah" in summaries(feeds[3])[0] and "input." in summaries(feeds[3])[0]


# --- the pages link to their feeds -----------------------------------------------------------


@pytest.mark.django_db
def test_each_page_links_to_its_feed(client, world):
    url = reverse("contracts:process-list")
    html = client.get(url, {"tahun": "2018", "q": "jalan", "urut": "nama"}).content.decode()
    # The current filters and search, without the sort, both in the head and in the page.
    feed = "/feed/paket/?tahun=2018&amp;q=jalan"
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="Umpan Atom untuk pencarian ini" href="{feed}">'
    ) in html
    assert (
        f'<a href="{feed}" type="application/atom+xml" data-umpan="pencarian">'
        "Umpan Atom untuk pencarian ini</a>"
    ) in html
    # A filter the list dropped is not carried into its feed's address.
    html = client.get(url, {"tahun": "abad", "pd": "dinas-kesehatan"}).content.decode()
    assert 'href="/feed/paket/?pd=dinas-kesehatan" type="application/atom+xml"' in html

    supplier = world["supplier"]
    html = client.get(reverse("contracts:supplier-detail", args=[supplier.pk])).content.decode()
    feed = f"/feed/paket/?penyedia={supplier.pk}"
    assert f'title="Paket terbaru CV Sehat Sentosa" href="{feed}">' in html
    assert (
        f'<a href="{feed}" type="application/atom+xml" data-umpan="penyedia">'
        "Umpan Atom paket yang dimenangkan atau diikuti CV Sehat Sentosa</a>"
    ) in html

    process = world["puskesmas"]
    html = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    feed = f"/feed/paket/{process.pk}/"
    assert f'title="Perubahan paket ini" href="{feed}">' in html
    assert f'<a href="{feed}" type="application/atom+xml" data-umpan="paket">' in html
    gone = client.get(reverse("contracts:process-detail", args=[world["withdrawn"].pk]))
    assert f'href="/feed/paket/{world["withdrawn"].pk}/"' in gone.content.decode()

    html = client.get(reverse("contracts:kecamatan-detail", args=["dander"])).content.decode()
    assert 'title="Paket di Kecamatan Dander" href="/feed/paket/?kecamatan=Dander">' in html

    html = client.get(reverse("contracts:agency-detail", args=["dinas-kesehatan"]))
    assert 'href="/feed/paket/?pd=dinas-kesehatan"' in html.content.decode()


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_feed_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    # The whole regency: the newest packages with their agency and supplier, one query.
    with django_assert_max_num_queries(1):
        read(client)
    # The agency known, its name; the kecamatan in the register (its name with it); the
    # supplier's name; then the packages.
    params = {
        "pd": "dinas-kesehatan",
        "kecamatan": "Dander",
        "penyedia": str(world["supplier"].pk),
        "q": "puskesmas",
        "tahun": "2018",
    }
    with django_assert_max_num_queries(5):
        assert entry_titles(read(client, **params)) == ["Rehabilitasi Puskesmas Dander"]
    # A package's changes: the package, then its releases.
    with django_assert_max_num_queries(2):
        package_feed(client, world["puskesmas"])


def test_a_lone_surrogate_is_removed_too():
    # Neither PostgreSQL nor an address (decoded as UTF-8) can carry half of a UTF-16 pair, but
    # text built in the program could: the feed type removes it with the controls.
    feed = PrintableAtom1Feed(
        title="Paket \ud800uji\x1b", link="http://contoh.invalid/", description=""
    )
    feed.add_item(
        title="Judul \udfff\ufffe", link="http://contoh.invalid/1/", description="\x01isi"
    )
    root = etree.fromstring(feed.writeString("utf-8").encode())
    assert root.findtext(f"{ATOM}title") == "Paket  uji "
    assert entry_titles(root) == ["Judul   "]
    assert [e.findtext(f"{ATOM}summary") for e in root.iter(f"{ATOM}entry")] == [" isi"]
