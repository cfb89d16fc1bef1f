import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Agency
from contracts.models import AuditEntry
from followups import services
from followups.models import TEXT_LIMIT, FollowUp, FollowUpEntry
from tests.factories import make_administrator, make_operator, make_process, make_supervisor


@pytest.fixture
def two_agencies():
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    return {
        "health": health,
        "roads": roads,
        "op_health": make_operator(health),
        "op_roads": make_operator(roads),
        "supervisor": make_supervisor(),
        "process": make_process(health, title="Rehab Puskesmas Dander"),
    }


@pytest.mark.django_db
def test_a_request_on_a_package_belongs_to_the_packages_agency_and_is_audited(two_agencies):
    w = two_agencies
    followup = services.ask(
        by=w["supervisor"], process=w["process"], stage="perencanaan", text=" unggah KAK "
    )
    assert followup.agency == w["health"]
    assert followup.status == FollowUp.Status.OPEN
    assert followup.text == "unggah KAK"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REQUEST)
    assert entry.process == w["process"] and entry.agency == w["health"]
    assert entry.user == w["supervisor"]
    assert entry.changes == {"permintaan": "unggah KAK", "tahap": "Perencanaan"}


@pytest.mark.django_db
def test_a_request_on_an_agency_is_audited_in_that_agencys_trail(two_agencies):
    w = two_agencies
    services.ask(by=w["supervisor"], agency=w["roads"], text="DPA 2019 belum diunggah")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REQUEST)
    assert entry.process is None and entry.agency == w["roads"]
    assert entry.process_label == f"Perangkat daerah {w['roads'].name}"


@pytest.mark.django_db
def test_operators_cannot_ask_and_nobody_asks_with_empty_or_overlong_text(two_agencies):
    w = two_agencies
    with pytest.raises(PermissionDenied):
        services.ask(by=w["op_health"], process=w["process"], text="unggah KAK")
    with pytest.raises(ValidationError):
        services.ask(by=w["supervisor"], process=w["process"], text="   ")
    with pytest.raises(ValidationError, match=str(TEXT_LIMIT)):
        services.ask(by=w["supervisor"], process=w["process"], text="x" * (TEXT_LIMIT + 1))
    assert not FollowUp.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REQUEST).exists()


@pytest.mark.django_db
def test_only_the_agencys_operators_answer(two_agencies):
    w = two_agencies
    followup = services.ask(by=w["supervisor"], process=w["process"], text="nilai kontrak salah")
    with pytest.raises(PermissionDenied):
        services.answer(followup=followup, by=w["op_roads"], text="bukan urusan kami")
    with pytest.raises(PermissionDenied):  # supervisors close, they do not answer for operators
        services.answer(followup=followup, by=w["supervisor"], text="x", done=True)
    services.answer(followup=followup, by=w["op_health"], text="Sedang dicek ke PPK.")
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN  # a reply alone keeps it open
    services.answer(followup=followup, by=make_administrator(), text="", done=True)
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE
    assert list(followup.entries.values_list("action", flat=True)) == ["jawab", "selesai"]


@pytest.mark.django_db
def test_a_reply_needs_words_but_marking_done_does_not(two_agencies):
    w = two_agencies
    followup = services.ask(by=w["supervisor"], process=w["process"], text="unggah SPK")
    with pytest.raises(ValidationError):
        services.answer(followup=followup, by=w["op_health"], text="  ")
    services.answer(followup=followup, by=w["op_health"], text="", done=True)
    assert FollowUp.objects.get().status == FollowUp.Status.DONE


@pytest.mark.django_db
def test_close_and_reopen_by_supervisors_only_and_each_audited(two_agencies):
    w = two_agencies
    followup = services.ask(by=w["supervisor"], process=w["process"], text="unggah KAK")
    with pytest.raises(PermissionDenied):
        services.close(followup=followup, by=w["op_health"])
    with pytest.raises(ValidationError):  # still open: nothing to reopen
        services.reopen(followup=followup, by=w["supervisor"])
    services.close(followup=followup, by=w["supervisor"], text="Sudah ada.")
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CLOSED and followup.closed_at is not None
    with pytest.raises(ValidationError):  # a closed request takes no more answers
        services.answer(followup=followup, by=w["op_health"], text="tambahan")
    services.reopen(followup=followup, by=w["supervisor"], text="KAK yang diunggah salah.")
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN and followup.closed_at is None
    actions = list(
        AuditEntry.objects.filter(process=w["process"])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["request", "request_close", "request_reopen"]


@pytest.mark.django_db
def test_the_database_refuses_a_closed_request_without_its_date(two_agencies):
    w = two_agencies
    followup = services.ask(by=w["supervisor"], process=w["process"], text="unggah KAK")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=followup.pk).update(status=FollowUp.Status.CLOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpEntry.objects.create(followup=followup, action="jawab", text="")


@pytest.mark.django_db
def test_visibility_follows_the_one_rule(two_agencies):
    w = two_agencies
    mine = services.ask(by=w["supervisor"], process=w["process"], text="unggah KAK")
    theirs = services.ask(by=w["supervisor"], agency=w["roads"], text="unggah DPA")
    assert set(FollowUp.objects.visible_to(w["op_health"])) == {mine}
    assert set(FollowUp.objects.visible_to(w["op_roads"])) == {theirs}
    assert set(FollowUp.objects.visible_to(w["supervisor"])) == {mine, theirs}
    assert set(FollowUp.objects.visible_to(make_administrator())) == {mine, theirs}
    from django.contrib.auth.models import AnonymousUser

    assert not FollowUp.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_a_request_over_the_limit_is_refused_whole_not_cut():
    """The browser's maxlength cut a 2,100-character request to its first 2,000 and the
    request at its end was lost (from the try-out): the form states the limit instead."""
    from followups.forms import AskForm, NoteForm
    from followups.models import TEXT_LIMIT

    form = AskForm(data={"text": "x" * (TEXT_LIMIT + 100)}, process=object())
    assert "maxlength" not in str(form["text"])
    assert not form.is_valid()
    assert form.errors["text"] == [
        f"Permintaan paling banyak {TEXT_LIMIT} karakter, yang diisi {TEXT_LIMIT + 100} "
        "karakter. Tidak ada yang dipotong: singkatkan isinya lalu simpan lagi."
    ]
    note = NoteForm(data={"text": "x" * (TEXT_LIMIT + 1)})
    assert "maxlength" not in str(note["text"])
    assert not note.is_valid() and "Tidak ada yang dipotong" in note.errors["text"][0]
