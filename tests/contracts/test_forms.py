import pytest

from contracts.forms import RupiahField, guess_document_type
from contracts.models import DocumentType


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "stage", "code"),
    [
        ("DPA Dinkes 2018.pdf", "perencanaan", "dpa"),
        ("renja_skpd_2018.PDF", "perencanaan", "renja"),
        ("KAK-Perencanaan final.pdf", "perencanaan", "kak-perencanaan"),
        ("Jadwal Kegiatan.pdf", "perencanaan", "jadwal-kegiatan"),
        ("KAK Pelaksanaan.pdf", "pemilihan", "kak-pelaksanaan"),
        ("SPMK no 12.pdf", "kontrak", "spmk"),
        ("scan0001.pdf", "perencanaan", None),
        # "Adendum kontrak" is the amendment's own name, more specific than "kontrak".
        ("Adendum Kontrak I.pdf", "kontrak", "adendum"),
        # Names two types of the stage equally: the operator chooses.
        ("BAST dan SP2D.pdf", "implementasi", None),
    ],
)
def test_document_types_are_recognised_from_clear_file_names(filename, stage, code):
    types = list(DocumentType.objects.filter(stage=stage))
    guessed = guess_document_type(filename, types)
    assert (guessed.code if guessed else None) == code


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.250.000.000", 1_250_000_000),
        ("Rp 1.250.000.000", 1_250_000_000),
        ("845000000", 845_000_000),
        ("", None),
    ],
)
def test_rupiah_is_typed_the_indonesian_way(typed, value):
    assert RupiahField(required=False).clean(typed) == value


@pytest.mark.parametrize("typed", ["1.250,50", "satu juta", "-5"])
def test_rupiah_refuses_sen_words_and_negatives(typed):
    from django import forms

    with pytest.raises(forms.ValidationError):
        RupiahField(required=False).clean(typed)


@pytest.mark.django_db
def test_field_payment_form_reads_rupiah_either_way_and_refuses_cents():
    from contracts.forms import FieldPaymentForm

    data = {"label": "Termin I", "sp2d_number": "12/SP2D", "date": "2024-07-01"}
    form = FieldPaymentForm(data={**data, "amount": "1.250.000.000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 1_250_000_000
    english = FieldPaymentForm(data={**data, "amount": "IDR 1,250,000,000"})
    assert english.is_valid(), english.errors
    assert english.cleaned_data["amount"] == 1_250_000_000
    # Cents, or a mark that does not group by three: refused, never read as another amount.
    for typed in ("1.250.000.000,50", "1.5"):
        refused = FieldPaymentForm(data={**data, "amount": typed})
        assert not refused.is_valid(), typed
    assert refused.errors["amount"] == ["Tulis jumlah rupiah tanpa sen, mis. 1.250.000.000."]
    refused = FieldPaymentForm(data={**data, "amount": "1.250.000.000,50"})
    assert not refused.is_valid()
    assert refused.errors["amount"] == ["Tulis jumlah rupiah tanpa sen, mis. 1.250.000.000."]
