"""Sentences the project's own helpers build for every app — a field's limits, a store that
cannot be reached, a recompute sent to the queue, the workspace's title — in the active
language, the Indonesian ones unchanged."""

import errno

import pytest
from django import forms
from django.utils import translation

from opendata_kontrak import queue, storage
from opendata_kontrak.limits import say_limits
from tests.factories import make_administrator


def errors_of(field, value):
    class Form(forms.Form):
        pass

    Form.base_fields["value"] = field
    form = Form(data={"value": value})
    assert not form.is_valid()
    return form.errors["value"]


def test_a_fields_limits_in_english_and_in_indonesian():
    with translation.override("en"):
        text = say_limits(forms.CharField(label="Title", max_length=5))
        assert errors_of(text, "abcdefgh") == [
            "Title takes at most 5 characters; 8 were entered. Nothing was cut: shorten it and "
            "save again."
        ]
        date = say_limits(forms.DateField(label="Contract date"))
        assert date.help_text == "Format dd/mm/yyyy, for example 17/08/2025."
        assert errors_of(date, "31/31/2025") == [
            "Contract date: the date cannot be read. Write it in format dd/mm/yyyy, for example "
            "17/08/2025."
        ]
        amount = say_limits(forms.DecimalField(label="Value", max_digits=4, decimal_places=2))
        assert errors_of(amount, "1.234") == [
            "Value takes at most 2 digits after the decimal point; nothing is rounded."
        ]
    with translation.override("id"):
        text = say_limits(forms.CharField(label="Judul", max_length=5))
        assert errors_of(text, "abcdefgh") == [
            "Judul paling banyak 5 karakter, yang diisi 8 karakter. Tidak ada yang dipotong: "
            "singkatkan isinya lalu simpan lagi."
        ]
        date = say_limits(forms.DateField(label="Tanggal kontrak"))
        assert date.help_text == "Format hh/bb/tttt, misalnya 17/08/2025."


def test_the_store_unreachable_message_in_both_languages():
    full = OSError(errno.ENOSPC, "No space left on device")
    with translation.override("en"):
        assert storage.unavailable_message(full, files="fotonya") == (
            "The file store is full; nothing from this submission was saved. Tell the "
            "portal\u2019s administrator. What you entered is still in the form; choose the "
            "photos again."
        )
    with translation.override("id"):
        assert storage.unavailable_message(TimeoutError()) == (
            "Penyimpanan berkas sedang tidak dapat dijangkau; tidak ada yang tersimpan dari "
            "pengiriman ini. Coba kirim lagi beberapa saat lagi. Isian Anda masih di formulir; "
            "pilih ulang berkasnya."
        )


def test_the_queued_recompute_message_in_english():
    with translation.override("en"):
        message = queue.queued_message("Completeness of every package")
    assert message.startswith(
        "Completeness of every package will be recomputed in the background job queue"
    )
    assert ">Background jobs</a>." in message


@pytest.mark.django_db
def test_the_workspace_title_follows_the_language_choice(client):
    client.force_login(make_administrator())
    assert "Ruang Kerja Operator" in client.get("/admin/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/admin/").content.decode()
    assert "Open Data Kontrak \u2014 Operators\u2019 workspace" in english
    assert "Ruang Kerja Operator" not in english


def test_an_imports_history_names_fields_in_indonesian_in_an_english_request():
    from imports import common

    with translation.override("en"):
        assert str(common._field("title").verbose_name) == "package name"
        assert common._label("title") == "nama paket"


@pytest.mark.django_db
def test_every_page_links_the_glossary_in_its_language(client):
    indonesian = client.get("/paket/").content.decode()
    assert '<a href="/glosarium/">Glosarium istilah pengadaan</a>' in indonesian
    english = client.get("/en/paket/").content.decode()
    assert '<a href="/en/glosarium/">Glossary of procurement terms</a>' in english
    assert '<a href="/en/data-terbuka/kebijakan/">Open data policy</a>' in english


@pytest.mark.django_db
def test_the_workspace_names_many_of_a_kind_in_the_english_plural(client):
    """Indonesian says "perangkat daerah" for one agency and for many; English needs two words,
    so the plural names carry a context of their own ("jamak")."""
    client.force_login(make_administrator())
    indonesian = client.get("/admin/").content.decode()
    assert ">Paket pengadaan<" in indonesian and ">Perangkat daerah<" in indonesian
    client.cookies["django_language"] = "en"
    english = client.get("/admin/").content.decode()
    assert ">Procurement packages<" in english
    assert ">Agencies<" in english
    assert ">Suppliers<" in english


def test_a_rupiah_box_shows_the_page_language_and_reads_either():
    """The workspace shows IDR 1,250,000,000 in English: its amount boxes show and take that
    form too, and the Indonesian one, with one reading (from the try-out: English refused
    1,250,000,000 and told the operator to leave out cents)."""
    from contracts.forms import RupiahField, RupiahInput

    with translation.override("en"):
        assert RupiahInput().format_value(1_250_000_000) == "1,250,000,000"
        field = RupiahField()
        assert field.clean("1,250,000,000") == field.clean("Rp 1.250.000.000") == 1_250_000_000
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("1,250,000.50")
        assert refused.value.messages == ["Write a whole amount in rupiah, e.g. 1,250,000,000."]
    with translation.override("id"):
        assert RupiahInput().format_value(1_250_000_000) == "1.250.000.000"


@pytest.mark.django_db
def test_the_workspace_draws_the_vocabularies_in_its_language(client):
    """Methods, types and sources of funds are Indonesian data (gettext_noop); the workspace's
    forms, list columns and filters translate them as drawn (from the try-out: the English
    workspace offered "Pengadaan Langsung", "Pekerjaan Konstruksi", "Lainnya")."""
    from agencies.models import Agency
    from contracts.models import Process
    from tests.factories import make_process

    health = Agency.objects.get(code="dinas-kesehatan")
    make_process(
        health, title="Jalan Dander", method="pengadaan_langsung", category="pekerjaan_konstruksi"
    )
    client.force_login(make_administrator())
    client.cookies["django_language"] = "en"
    form = client.get("/admin/contracts/process/add/").content.decode()
    assert "Direct procurement" in form
    assert "Construction works" in form
    assert "Pengadaan Langsung" not in form and "Pekerjaan Konstruksi" not in form
    listing = client.get("/admin/contracts/process/").content.decode()
    assert "Pengadaan Langsung" not in listing
    del client.cookies["django_language"]
    indonesian = client.get("/admin/contracts/process/add/").content.decode()
    assert "Pengadaan Langsung" in indonesian and "Pekerjaan Konstruksi" in indonesian
    assert Process.objects.get(title="Jalan Dander").get_method_display() == "Pengadaan Langsung"


@pytest.mark.django_db
def test_view_site_opens_the_public_pages_in_the_workspace_language(client):
    client.force_login(make_administrator())
    assert '<a href="/">' in client.get("/admin/").content.decode()
    client.cookies["django_language"] = "en"
    assert '<a href="/en/">' in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_language_choice_outlives_the_browser_session(client):
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"]["max-age"] == 365 * 24 * 60 * 60
