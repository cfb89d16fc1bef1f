"""The place register and the resolver, against spellings taken from the real Bojonegoro
exports (imports/data/bojonegoro: SiRUP `detail_lokasi`, LPSE `lokasi`). The expected answers
come from the register file (Kepmendagri codes), not from the resolver."""

import pytest
from django.core.management import call_command

from agencies.models import Desa, Kecamatan, PlaceAlias
from agencies.places import REGISTER_FILE, PlaceResolver, Resolved, load_places, read_places


@pytest.fixture
def resolver(db):
    return PlaceResolver()


@pytest.mark.django_db
def test_the_register_holds_every_kecamatan_desa_and_kelurahan_of_the_source():
    assert Kecamatan.objects.count() == 28
    assert Desa.objects.filter(kind="desa").count() == 419
    assert Desa.objects.filter(kind="kelurahan").count() == 11
    assert Kecamatan.objects.get(code="35.22.06").name == "Dander"
    assert Desa.objects.get(code="35.22.06.2013").name == "Ngumpakdalem"
    # Every kelurahan is in the town.
    assert set(Desa.objects.filter(kind="kelurahan").values_list("kecamatan__name", flat=True)) == {
        "Bojonegoro"
    }
    assert len(read_places(REGISTER_FILE)) == 28 + 430


@pytest.mark.django_db
def test_loading_again_adds_nothing_and_keeps_the_administrators_aliases():
    dander = Kecamatan.objects.get(name="Dander")
    PlaceAlias.objects.create(text="taman tirta", kecamatan=dander)
    Kecamatan.objects.filter(name="Dander").update(name="Dander (diubah)")
    result = load_places()
    assert (result.kecamatan_created, result.desa_created) == (0, 0)
    assert Kecamatan.objects.filter(name="Dander (diubah)").exists()  # kept without --update
    call_command("load_places", update=True)
    assert Kecamatan.objects.get(code="35.22.06").name == "Dander"
    assert PlaceAlias.objects.filter(text="taman tirta").exists()


@pytest.mark.parametrize(
    ("text", "kecamatan", "desa"),
    [
        # Markers, case, the regency's name around the kecamatan
        ("Kecamatan Dander - Bojonegoro (Kab.)", "Dander", ""),
        ("Kec. Dander - Bojonegoro (Kab.)", "Dander", ""),
        ("Dander Kab. Bojonegoro", "Dander", ""),
        ("KECAMATAN KAPAS", "Kapas", ""),
        ("Kec.Kapas", "Kapas", ""),
        ("Kecamatan. Bojonegoro", "Bojonegoro", ""),
        ("Kec. Bojonegoro Kab.Bojonegoro", "Bojonegoro", ""),
        ("Kecamatan Kota Bojonegoro", "Bojonegoro", ""),
        ("Kec. Ngasem", "Ngasem", ""),
        ("Dander", "Dander", ""),
        (" Kec Gondang", "Gondang", ""),
        # Spellings: doubled and dropped letters, the h
        ("Kec. Sumberejo - Bojonegoro (Kab.)", "Sumberejo", ""),
        ("Kecamatan Sumberrejo - Bojonegoro (Kab.)", "Sumberejo", ""),
        ("Kec. Sugiwaras", "Sugihwaras", ""),
        ("Kecamatan Sugihwaras - Bojonegoro (Kab.)", "Sugihwaras", ""),
        ("Kec. Kedewan Desa Wonocolo - Bojonegoro (Kab.)", "Kedewan", "Wonocolo"),
        # A kecamatan named without a marker (a puskesmas, a hospital)
        ("Puskesmas Sumberrejo;Puskesmas Sumberrejo", "Sumberejo", ""),
        ("rsud padangan;rsud padangan", "Padangan", ""),
        ("PUSKESMAS KALITIDU", "Kalitidu", ""),
        # Desa with its kecamatan
        ("Desa Mojo Kec. Kalitidu Kab. Bojonegoro", "Kalitidu", "Mojo"),
        ("Kelurahan Ledok Kulon, Kecamatan Bojonegoro", "Bojonegoro", "Ledok Kulon"),
        ("Ds. Bubulan Kec. Bubulan", "Bubulan", "Bubulan"),
        ("Ds.Jono Kec.Temayang (P-APBD)*", "Temayang", "Jono"),
        ("BBI Mojoranu Ds.Mojoranu Kec.Dander", "Dander", "Mojoranu"),
        # "Kpas" is no kecamatan, but Plesungan is a desa of Kapas only
        ("Desa. Plesungan Kec. Kpas", "Kapas", "Plesungan"),
        ("Dsn. Kalitengah Ds. Wedoro Kec. Sugihwaras", "Sugihwaras", "Wedoro"),
        ("Jalan Sumberrejo - Kepohkidul Desa Ngampal Kec. Sumberrejo - Bojonegoro (Kab.)",
         "Sumberejo", "Ngampal"),
        # A desa name shared by several kecamatan: the stated kecamatan decides
        ("Desa Sukorejo Kecamatan Malo", "Malo", "Sukorejo"),
        ("Desa. Sidomukti Kec. Kepohbaru", "Kepohbaru", "Sidomukti"),
        ("Desa Sumberarum", None, None),  # in Ngraho and in Dander
        # A desa alone, unique in the regency, gives its kecamatan
        ("Puskesmas Mejuwet", "Sumberejo", "Mejuwet"),
        ("Daerah Irigasi Ngunut - Bojonegoro (Kab.)", "Dander", "Ngunut"),
        ("Desa Ngumpakdalem", "Dander", "Ngumpakdalem"),
        ("Ngumpak Dalem", "Dander", "Ngumpakdalem"),
        # The regency, an office, nothing of the register: no answer
        ("Kab. Bojonegoro - Bojonegoro (Kab.)", None, None),
        ("bojonegoro", None, None),
        ("Jl. Panglima Sudirman No.30, Bojonegoro Telp.(0353) 881350 - Bojonegoro (Kab.)",
         None, None),
        ("RSUD Dr. R. Sosodoro Djatikoesoemo", None, None),
        ("Dinas Kesehatan", None, None),
        ("", None, None),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_real_spellings_resolve_to_the_register(resolver, text, kecamatan, desa):
    expected = Resolved(kecamatan, desa) if kecamatan else None
    assert resolver.resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [
        # Several places, one kecamatan: that kecamatan
        (" ".join(f"SDN Ngumpak {n} Kec. Dander" for n in range(1, 6)), "Dander"),
        ("SDN Dander 1 Kec. Dander SDN Sumberarum 2 Kec. Dander", "Dander"),
        ("Ds. Sumbertlaseh Kec. Dander;Ds. Kunci Kec. Dander", "Dander"),
        ("Kec. Tambakrejo;Kec. Tambakrejo;Kec. Tambakrejo;Kec. Tambakrejo", "Tambakrejo"),
        # Several kecamatan: none chosen, the text stays in location_detail
        ("Kecamatan Kalitidu, Ngasem", None),
        ("Kecamatan Temayang, Gondang dan Baureno", None),
        ("Kecamatan Kapas, Kecamatan Balen, Kecamatan Bojonegoro dan Kecamatan Kalitidu", None),
        ("Ruas jalan Ngasem - Kalitidu - Bojonegoro (Kab.)", None),
        ("Desa Turigede Kec. Kepohbaru, Desa Sidobandung, Kec. Balen", None),
        ("Sekar, Tambakrejo", None),
    ],
)
@pytest.mark.django_db
def test_a_cell_of_several_places_resolves_only_within_one_kecamatan(resolver, text, kecamatan):
    found = resolver.resolve(text)
    assert (found.kecamatan_name if found else None) == kecamatan


@pytest.mark.django_db
def test_an_administrators_alias_wins_over_every_rule():
    dander = Kecamatan.objects.get(name="Dander")
    ngunut = Desa.objects.get(name="Ngunut")
    PlaceAlias.objects.create(text="kecamatan kalitidu ngasem", kecamatan=dander, desa=ngunut)
    PlaceAlias.objects.create(text="kec kapas", kecamatan=dander)
    resolver = PlaceResolver()
    assert resolver.resolve("Kecamatan Kalitidu, Ngasem") == Resolved("Dander", "Ngunut")
    assert resolver.resolve("KEC. KAPAS") == Resolved("Dander", "")


@pytest.mark.django_db
def test_only_texts_that_name_something_are_remembered_as_unresolved(resolver):
    assert resolver.fields_for("Kec. Sugiwaras") == {
        "location_kecamatan": "Sugihwaras",
        "location_desa": "",
        "location_kecamatan_all": ["Sugihwaras"],
    }
    assert resolver.fields_for("Kab. Bojonegoro - Bojonegoro (Kab.)") == {}
    assert resolver.fields_for("Dinas Kesehatan") == {}
    assert resolver.fields_for("DINAS KESEHATAN") == {}
    assert resolver.unresolved == {"dinas kesehatan": ["Dinas Kesehatan", 2]}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Kecamatan Sumberrejo, Balen, Kedungadem", ["Balen", "Kedungadem", "Sumberejo"]),
        ("Kecamatan Kalitidu, Ngasem", ["Kalitidu", "Ngasem"]),
        ("Kecamatan Temayang, Gondang dan Baureno", ["Baureno", "Gondang", "Temayang"]),
        (
            "Kecamatan Kapas, Kecamatan Balen, Kecamatan Bojonegoro dan Kecamatan Kalitidu",
            ["Balen", "Bojonegoro", "Kalitidu", "Kapas"],
        ),
        ("Ruas jalan Ngasem - Kalitidu - Bojonegoro (Kab.)", ["Kalitidu", "Ngasem"]),
        ("Desa Turigede Kec. Kepohbaru, Desa Sidobandung, Kec. Balen", ["Balen", "Kepohbaru"]),
        ("Sekar, Tambakrejo", ["Sekar", "Tambakrejo"]),
        # One kecamatan: that one; the regency or nothing at all: none.
        ("Ds. Sumbertlaseh Kec. Dander;Ds. Kunci Kec. Dander", ["Dander"]),
        ("Kab. Bojonegoro - Bojonegoro (Kab.)", []),
        ("Kabupaten Bojonegoro", []),
        ("Dinas Kesehatan", []),
        ("", []),
    ],
)
@pytest.mark.django_db
def test_every_kecamatan_a_text_names_is_listed(resolver, text, named):
    assert resolver.kecamatan_named(text) == named
    # The import's fields: the several listed, no kecamatan stored alone.
    fields = resolver.fields_for(text)
    assert fields.get("location_kecamatan_all", []) == named
    assert fields.get("location_kecamatan") == (named[0] if len(named) == 1 else None)
