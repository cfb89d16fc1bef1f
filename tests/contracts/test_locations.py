"""Packages' places: imports resolve them, administrators map what did not resolve, and the
public list finds a kecamatan whatever the source's spelling."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Desa, Kecamatan, PlaceAlias, UnresolvedPlace
from contracts.models import Process
from tests.factories import make_administrator, make_operator, make_process
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row
from tests.imports.test_order import import_tenders, tender_row

TAMAN = "Taman Rekreasi Tirta Wana"


@pytest.fixture
def agency(db):
    return Agency.objects.get(code="dinas-kesehatan")


def plans(*places):
    return csv_bytes(
        [
            sirup_row(kode_rup=str(17000100 + n), nama_paket=f"Paket {n}", detail_lokasi=place)
            for n, place in enumerate(places)
        ]
    )


@pytest.mark.django_db
def test_an_import_stores_the_register_names_and_keeps_the_source_text():
    import_plans(plans("Kec. Sumberejo", "Desa Mojo Kec. Kalitidu Kab. Bojonegoro", TAMAN))
    stored = {
        p.location_detail: (p.location_kecamatan, p.location_desa) for p in Process.objects.all()
    }
    assert stored == {
        "Kec. Sumberejo": ("Sumberejo", ""),
        "Desa Mojo Kec. Kalitidu Kab. Bojonegoro": ("Kalitidu", "Mojo"),
        TAMAN: ("", ""),
    }
    unresolved = UnresolvedPlace.objects.get()
    assert (unresolved.text, unresolved.example, unresolved.package_count) == (
        "taman rekreasi tirta wana",
        TAMAN,
        1,
    )


@pytest.mark.django_db
def test_a_tender_import_resolves_its_lokasi():
    import_tenders([tender_row(id_rup="0", lokasi="Kec. Sugiwaras - Bojonegoro (Kab.)")])
    assert Process.objects.get().location_kecamatan == "Sugihwaras"


@pytest.mark.django_db
def test_a_preview_lists_nothing_for_the_administrators():
    import_plans(plans(TAMAN), commit=False)
    assert not UnresolvedPlace.objects.exists()


@pytest.mark.django_db
def test_mapping_a_text_re_resolves_its_packages_and_is_remembered_for_the_next_import():
    import_plans(plans(TAMAN, TAMAN.upper()))
    import_plans(plans(TAMAN, TAMAN.upper()))  # the same file again: still two packages
    unresolved = UnresolvedPlace.objects.get()
    assert unresolved.package_count == 2
    administrator = make_administrator()
    dander = Kecamatan.objects.get(name="Dander")
    from contracts.locations import map_place

    changed = map_place(
        unresolved=unresolved,
        kecamatan=dander,
        desa=Desa.objects.get(name="Ngumpakdalem"),
        by=administrator,
    )
    assert changed == 2
    assert set(Process.objects.values_list("location_kecamatan", "location_desa")) == {
        ("Dander", "Ngumpakdalem")
    }
    assert not UnresolvedPlace.objects.exists()
    # The next import reads the alias: a new package with that text is placed at once.
    import_plans(csv_bytes([sirup_row(kode_rup="17000999", detail_lokasi=TAMAN)]))
    assert Process.objects.get(rup_code="17000999").location_kecamatan == "Dander"
    assert not UnresolvedPlace.objects.exists()


@pytest.mark.django_db
def test_the_administrator_maps_a_text_in_the_admin(client):
    import_plans(plans(TAMAN))
    unresolved = UnresolvedPlace.objects.get()
    client.force_login(make_administrator())
    url = reverse("admin:agencies_unresolvedplace_change", args=[unresolved.pk])
    assert "Petakan ke register wilayah" in client.get(url).content.decode()
    dander, kalitidu = Kecamatan.objects.get(name="Dander"), Kecamatan.objects.get(name="Kalitidu")
    mojo = Desa.objects.get(name="Mojo")
    # A desa of another kecamatan is refused, in Indonesian.
    response = client.post(url, {"kecamatan": dander.pk, "desa": mojo.pk})
    assert "ada di Kecamatan Kalitidu" in response.content.decode()
    response = client.post(url, {"kecamatan": kalitidu.pk, "desa": mojo.pk}, follow=True)
    assert "1 paket diperbarui" in response.content.decode()
    assert Process.objects.get().location_desa == "Mojo"
    alias = PlaceAlias.objects.get()
    assert (alias.text, alias.kecamatan, alias.desa) == (
        "taman rekreasi tirta wana",
        kalitidu,
        mojo,
    )


@pytest.mark.django_db
def test_an_operator_sees_nothing_of_the_place_register(client, agency):
    import_plans(plans(TAMAN))
    unresolved = UnresolvedPlace.objects.get()
    client.force_login(make_operator(agency))
    assert "Lokasi belum dikenali" not in client.get(reverse("admin:index")).content.decode()
    for url in [
        reverse("admin:agencies_unresolvedplace_changelist"),
        reverse("admin:agencies_unresolvedplace_change", args=[unresolved.pk]),
        reverse("admin:agencies_placealias_changelist"),
        reverse("admin:agencies_kecamatan_changelist"),
    ]:
        assert client.get(url).status_code == 403, url
    dander = Kecamatan.objects.get(name="Dander")
    response = client.post(
        reverse("admin:agencies_unresolvedplace_change", args=[unresolved.pk]),
        {"kecamatan": dander.pk},
    )
    assert response.status_code == 403
    assert not PlaceAlias.objects.exists()
    assert Process.objects.get().location_kecamatan == ""


@pytest.mark.django_db
def test_resolve_places_puts_older_packages_in_the_register_names(agency):
    spelled = {"Sumberrejo": "", "KECAMATAN SUMBEREJO": "", "Kec. Bojonegoro": "Ledok Kulon"}
    for kecamatan, desa in spelled.items():
        make_process(agency, location_kecamatan=kecamatan, location_desa=desa)
    make_process(agency, location_detail="Puskesmas Mejuwet")
    make_process(agency, location_kecamatan="Kantor Lama", location_detail="Gedung Lama")
    call_command("resolve_places")
    assert set(Process.objects.values_list("location_kecamatan", "location_desa")) == {
        ("Sumberejo", ""),
        ("Bojonegoro", "Ledok Kulon"),
        ("Sumberejo", "Mejuwet"),
        ("Kantor Lama", ""),  # unresolved: left as it was, and listed
    }
    assert UnresolvedPlace.objects.get().example == "Gedung Lama"


@pytest.mark.django_db
def test_the_public_list_finds_a_kecamatan_whatever_its_spelling(client):
    import_plans(
        plans(
            "Kec. Sumberejo - Bojonegoro (Kab.)",
            "Kecamatan Sumberrejo",
            "Puskesmas Mejuwet",
            "Kecamatan Dander",
        )
    )
    assert Process.objects.published().count() == 4  # SiRUP announced them
    url = reverse("contracts:process-list")
    html = client.get(url).content.decode()
    assert '<option value="Sumberejo">Sumberejo</option>' in html  # from the register
    for typed in ["Sumberejo", "sumberrejo", "Kec. Sumberrejo"]:
        html = client.get(url, {"kecamatan": typed}).content.decode()
        assert 'data-count="3"' in html, typed
    api = client.get(reverse("opendata:api-packages"), {"kecamatan": "Sumberrejo"}).json()
    assert len(api["results"]) == 3
