"""A heading names only suppliers the public may see (Supplier.objects.public(), the rule of
the supplier's own page): one named only on a draft is "nomor <id>" on the list, in its feed's
title, on the subscribe page and in a subscription's description, as its page answers 404."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.list_heading import describe, names_for
from contracts.models import Supplier
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def suppliers():
    """(one named on a published package, one named only on a draft)."""
    health = Agency.objects.get(code="dinas-kesehatan")
    public = Supplier.objects.create(name="CV Bangun Desa", npwp="0012345678901000")
    hidden = Supplier.objects.create(name="PT Rahasia Konstruksi", npwp="0098765432101000")
    services.publish_process(
        process=make_process(health, fiscal_year=2019, supplier=public),
        by=make_operator(health),
    )
    make_process(health, fiscal_year=2019, supplier=hidden)  # a draft: not published
    return public, hidden


def test_a_supplier_only_on_a_draft_is_named_by_number_everywhere(client, suppliers):
    public, hidden = suppliers
    assert client.get(reverse("contracts:supplier-detail", args=[hidden.pk])).status_code == 404

    listed = client.get(reverse("contracts:process-list"), {"penyedia": hidden.pk})
    assert f'<h1 id="judul-daftar">Paket penyedia nomor {hidden.pk}</h1>' in listed.content.decode()
    feed = client.get(reverse("contracts:feed"), {"penyedia": hidden.pk}).content.decode()
    assert f"Paket penyedia nomor {hidden.pk}" in feed
    for text in (listed.content.decode(), feed):
        assert "Rahasia" not in text

    # One read for many headings (the manage page) follows the same rule.
    names = names_for([{"penyedia": hidden.pk}, {"penyedia": public.pk}])
    assert names["penyedia"] == {public.pk: "CV Bangun Desa"}
    assert describe({"penyedia": hidden.pk}, names=names) == f"Paket penyedia nomor {hidden.pk}"
    assert describe({"penyedia": public.pk}) == "Paket penyedia CV Bangun Desa"


def test_a_supplier_only_on_a_draft_cannot_be_followed_like_an_unknown_one(client, suppliers):
    _, hidden = suppliers
    unknown = Supplier.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    answers = {}
    for pk in (hidden.pk, unknown):
        page = client.get(reverse("alerts:subscribe"), {"penyedia": pk})
        assert page.status_code == 400
        html = page.content.decode()
        assert f"Penyedia nomor {pk} tidak ditemukan." in html
        assert "Rahasia" not in html
        answers[pk] = html.replace(f"nomor {pk}", "nomor <id>").replace(f"={pk}", "=<id>")
    # The same page for both: nothing tells a draft's supplier from no supplier at all.
    assert answers[hidden.pk] == answers[unknown]
