"""Citizens' participation, supervisors' requests and the red flags' summary in English (issue
#23): the package page's report form and its refusals, the poll, the report's own page, the
mails a report brings (in the language of the page it was sent from, whatever language the
moderator works in), the follow-up pages, the summary of flags and the moderation workspace.
The unprefixed pages stay Indonesian."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone, translation

from agencies.models import Agency
from alerts import mail
from alerts.models import OutgoingMail
from contracts import services as contract_services
from followups import services as followup_services
from participation import services
from participation.models import FollowUp, Moderation, Report
from tests.factories import (
    answered_report,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)
from tests.i18n.pages import html_of
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

AUTHOR = "pelapor@contoh.id"
BASE_URL = "https://lpse.contoh.go.id"
TITLE = "Rehabilitasi Jalan Dander"
BODY = "Aspal sudah retak dua minggu setelah selesai dikerjakan."
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": BASE_URL}


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(health):
    return make_operator(health)


@pytest.fixture
def package(health, operator):
    process = make_process(health, **planning_fields(title=TITLE))
    contract_services.publish_process(process=process, by=operator)
    return process


def report_url(package, prefix=""):
    return f"{prefix}/paket/{package.pk}/lapor/"


def fields(**values):
    return {
        "topic": "kualitas_pekerjaan",
        "body": BODY,
        "place": "Jalan Desa Ngumpakdalem",
        "name": "",
        "contact": "",
        "key": str(uuid.uuid4()),
        **values,
    }


def deliver(smtp_server, address=AUTHOR):
    """Send every waiting message (the queue worker's job); what `address` received."""
    waiting = OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING)
    mail.send(list(waiting.values_list("pk", flat=True)))
    return smtp_server.to(address)


def reference_of(report):
    return f"LAP-{report.created_at.astimezone(JAKARTA).year}-{report.pk:06d}"


def english_date(moment):
    """'j F Y' the English way, worked out here: 1 December 2026."""
    day = moment.astimezone(JAKARTA)
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


# --- the package page: the report form and the published reports -------------------------


@pytest.mark.parametrize("first", ["id", "en"])
def test_the_report_form_on_the_package_page_reads_in_english_under_en(client, package, first):
    # Either language first: the empty form is a cached fragment, kept per language.
    order = ["", "/en"] if first == "id" else ["/en", ""]
    pages = {prefix: html_of(client.get(f"{prefix}/paket/{package.pk}/")) for prefix in order}
    english, indonesian = pages["/en"], pages[""]
    for phrase in [
        '<h2 id="judul-partisipasi">Citizen participation</h2>',
        "Seen work that is damaged or late, or a contract that looks odd? Tell us here.",
        "No report or comment has been published for this package yet.",
        '<h3 id="lapor">Send a report or comment</h3>',
        ">Your report or comment</label>",
        "10 to 2,000 characters. Say what you saw and when.",
        ">Location (optional)</label>",
        "Leave empty to appear as “Citizen”.",
        ">E-mail or phone number (optional, never published)</label>",
        # The size the English way (5.0 MB), not the Indonesian written at import (5,0 MB).
        "JPEG or PNG, at most 3 photos of 5.0\xa0MB each. GPS location and camera data inside "
        "the photos are removed.",
        '<option value="kualitas_pekerjaan">Quality of the work</option>',
        '<option value="dugaan_penyimpangan">Suspected irregularity</option>',
        '<button type="submit">Send</button>',
        "Reports appear once the agency has reviewed them.",
    ]:
        assert phrase in english, phrase
    # The form posts to the English address: a refusal comes back in English.
    assert f'action="/en/paket/{package.pk}/lapor/#kesalahan-laporan"' in english
    for indonesian_text in [
        "Partisipasi warga",
        "Kirim laporan atau komentar",
        "Isi laporan atau komentar",
        "Kualitas pekerjaan",
        "Lokasi GPS dan data kamera",
    ]:
        assert indonesian_text not in english, indonesian_text
    for phrase in [
        '<h2 id="judul-partisipasi">Partisipasi warga</h2>',
        ">Isi laporan atau komentar</label>",
        "10 sampai 2.000 karakter. Sebutkan apa yang Anda lihat dan kapan.",
        "JPEG atau PNG, paling banyak 3 foto, masing-masing 5,0\xa0MB.",
        '<option value="kualitas_pekerjaan">Kualitas pekerjaan</option>',
        '<button type="submit">Kirim</button>',
    ]:
        assert phrase in indonesian, phrase
    assert f'action="/paket/{package.pk}/lapor/#kesalahan-laporan"' in indonesian
    assert "Citizen participation" not in indonesian


def test_a_published_report_and_its_answer_read_in_english(client, package, operator):
    report = answered_report(
        package,
        operator,
        "Penyedia sudah kami minta memperbaiki.",
        topic="keterlambatan",
        body="Pekerjaan belum dimulai padahal kontrak sudah berjalan.",
    )
    english = html_of(client.get(f"/en/paket/{package.pk}/"))
    head = re.search(r'<p class="report__meta">(.*?)</p>', english, re.S).group(1)
    assert '<span class="stage-chip">Delay</span>' in head
    assert "<span>Citizen</span>" in head  # no name given
    assert ">Being followed up</span>" in head
    report.refresh_from_db()
    answered = english_date(report.answered_at)
    assert f"Answer from Dinas Kesehatan, {answered}</p>" in english
    # The citizen's and the agency's words stay as written.
    assert "Penyedia sudah kami minta memperbaiki." in english
    assert "Jawaban Dinas Kesehatan" not in english and "Ditindaklanjuti" not in english
    indonesian = html_of(client.get(f"/paket/{package.pk}/"))
    assert '<span class="stage-chip">Keterlambatan</span>' in indonesian
    assert "<span>Warga</span>" in indonesian and ">Ditindaklanjuti</span>" in indonesian


# --- a refused report ----------------------------------------------------------------------


def test_a_refused_report_is_refused_in_english_keeping_what_was_typed(client, package):
    response = client.post(
        report_url(package, "/en"),
        fields(body="", place="Jalan Desa Ngumpakdalem RT 02", contact="warga@x.id / 0812"),
    )
    html = html_of(response, 400)
    assert response["Content-Language"] == "en"
    assert (
        "Your report has not been sent. Check the fields marked below; what you have written "
        "is still there." in html
    )
    # Django's own message for an empty field, in English; ours for a contact of two.
    assert '<a href="#id_body">Your report or comment</a>: This field is required.' in html
    assert (
        "The e-mail address is not valid. Write a single e-mail address (for example "
        "warga@contoh.id) or a single phone number, with nothing else." in html
    )
    # What was typed is kept.
    assert 'value="Jalan Desa Ngumpakdalem RT 02"' in html
    assert 'value="warga@x.id / 0812"' in html
    for indonesian_text in [
        "Laporan belum terkirim",
        "Alamat surel tidak valid",
        "Isi laporan atau komentar",
    ]:
        assert indonesian_text not in html, indonesian_text
    assert Report.objects.count() == 0

    # A body too short: Django's English for the limit; the same in Indonesian unprefixed.
    short = html_of(client.post(report_url(package, "/en"), fields(body="Rusak")), 400)
    assert "Ensure this value has at least 10 characters (it has 5)." in short
    indonesian = html_of(client.post(report_url(package), fields(body="")), 400)
    assert (
        "Laporan belum terkirim. Periksa isian yang ditandai di bawah; yang sudah Anda tulis "
        "tetap ada." in indonesian
    )
    assert "Your report has not been sent" not in indonesian


def test_too_many_reports_are_refused_in_english(client, package, settings):
    settings.REPORT_RATE_LIMIT = (1, 3600)
    assert client.post(report_url(package, "/en"), fields()).status_code == 302
    refused = client.post(report_url(package, "/en"), fields(place="Di depan SD Dander"))
    html = html_of(refused, 429)
    # The wait said in whole minutes (the Retry-After's seconds), in English, what was typed kept.
    minutes = max(1, round(int(refused["Retry-After"]) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    assert (
        f"Too many reports from your address. Try again in {minutes} {unit}; what you wrote, "
        "with the photos that passed the checks, is still below." in html
    )
    assert 'value="Di depan SD Dander"' in html
    assert "Terlalu banyak laporan" not in html


# --- sent under /en/: the report's page and its mails in English ----------------------------


def test_a_report_sent_under_en_brings_its_page_and_receipt_in_english(
    client, smtp_server, package, operator
):
    response = client.post(report_url(package, "/en"), fields(contact=AUTHOR))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.language == "en"
    reference = reference_of(report)
    # The author lands on the English page of their report.
    assert response["Location"].startswith(f"/en/laporan/{reference}/?kunci=")
    page = html_of(client.get(response["Location"]))
    assert "Thank you, we have received your report" in page
    assert f"Report number: <strong data-reference>{reference}</strong>" in page
    assert "We have also sent a receipt with this number and link" in page
    assert "Awaiting the agency\u2019s review" in page
    assert "Terima kasih, laporan Anda" not in page and "Nomor laporan" not in page

    (receipt,) = deliver(smtp_server)
    assert receipt["Subject"] == f"We have received report {reference}"
    text = text_part(receipt)
    assert text.startswith("Dear reporter,\n\nthank you. We have received your report.\n")
    assert f"Report number: {reference}\n" in text
    assert f"Package: {TITLE}\n" in text
    assert "Agency: Dinas Kesehatan\n" in text
    assert "Type: Quality of the work\n" in text
    assert f"Sent: {english_date(report.created_at)}\n" in text
    assert "What happens next\nThe agency first reviews your report." in text
    # Its link opens the English page of the report.
    follow = re.search(r"Follow your report with this link:\n(\S+)\n", text).group(1)
    assert follow.startswith(f"{BASE_URL}/en/laporan/{reference}/?kunci=")
    assert "You are receiving this e-mail because you sent the citizen\u2019s report" in text
    html = html_part(receipt)
    assert f">Follow report {reference}</a>" in html
    assert ">Report number</th>" in html
    for indonesian_text in ["Yth. Pelapor", "sudah kami terima", "Nomor laporan", "Anda menerima"]:
        assert indonesian_text not in text and indonesian_text not in html, indonesian_text

    # Published and answered later by an operator working in Indonesian: still English.
    smtp_server.clear()
    with translation.override("id"):
        services.moderate(
            report=report,
            by=operator,
            moderation=Moderation.PUBLISHED,
            rejection_reason="",
            status=FollowUp.IN_PROGRESS,
            answer="Penyedia sudah kami minta memperbaiki.",
        )
    (status,) = deliver(smtp_server)
    assert status["Subject"] == f"Report {reference} published and answered by the agency"
    text = text_part(status)
    assert (
        f"there is news about your report {reference} on the package {TITLE} "
        "(Dinas Kesehatan)." in text
    )
    assert (
        "PUBLISHED\nYour report has been reviewed and now appears on the package\u2019s page"
        in text
    )
    assert "ANSWER FROM DINAS KESEHATAN\nPenyedia sudah kami minta memperbaiki.\n" in text
    assert f"The package\u2019s page:\n{BASE_URL}/en/paket/{package.pk}/\n" in text
    assert "DITERBITKAN" not in text and "Halaman paket" not in text


def test_a_report_sent_unprefixed_is_mailed_in_indonesian_whatever_the_moderator_reads(
    client, smtp_server, package, operator
):
    assert client.post(report_url(package), fields(contact=AUTHOR)).status_code == 302
    report = Report.objects.get()
    assert report.language == "id"
    reference = reference_of(report)
    (receipt,) = deliver(smtp_server)
    assert receipt["Subject"] == f"Laporan {reference} sudah kami terima"
    smtp_server.clear()
    # The moderator's workspace in English does not change the author's language.
    with translation.override("en"):
        services.moderate(
            report=report,
            by=operator,
            moderation=Moderation.REJECTED,
            rejection_reason="Berisi data pribadi orang lain.",
            status=FollowUp.NEW,
            answer="",
        )
    (status,) = deliver(smtp_server)
    assert status["Subject"] == f"Laporan {reference} tidak diterbitkan"
    text = text_part(status)
    assert "TIDAK DITERBITKAN\nSetelah diperiksa, laporan Anda tidak diterbitkan." in text
    assert f"{BASE_URL}/laporan/{reference}/?kunci=" in text and "/en/" not in text


# --- the poll --------------------------------------------------------------------------------


def test_the_poll_reads_in_english_under_en(client):
    english = html_of(client.get("/en/survei-kepuasan/"))
    assert "<h1>Satisfaction survey</h1>" in english
    assert "<legend>How do you rate this portal?</legend>" in english
    for choice in ["Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied"]:
        assert f" {choice}</label>" in english, choice
    assert "No ratings yet." in english and "Sangat Puas" not in english

    response = client.post("/en/survei-kepuasan/", {"rating": "cukup_puas"})
    assert response.status_code == 302 and response["Location"] == "/en/survei-kepuasan/"
    after = html_of(client.get(response["Location"]))
    assert "Thank you for your rating." in after
    assert "You have already rated this month. Thank you." in after
    today = timezone.localdate()
    assert f"<h2>Results for {ENGLISH_MONTHS[today.month - 1]} {today.year}</h2>" in after
    assert "<caption>1 rating</caption>" in after
    assert "<td>Fairly satisfied</td><td>1</td>" in after
    assert "Hasil bulan" not in after and "penilaian" not in after

    indonesian = html_of(client.get("/survei-kepuasan/"))
    assert "<caption>1 penilaian</caption>" in indonesian
    assert "<td>Cukup Puas</td><td>1</td>" in indonesian


def test_the_home_pages_poll_offers_its_choices_in_english(client):
    english = html_of(client.get("/en/"))
    assert 'value="sangat_puas" required> Very satisfied</label>' in english
    indonesian = html_of(client.get("/"))
    assert 'value="sangat_puas" required> Sangat Puas</label>' in indonesian


# --- supervisors' requests -------------------------------------------------------------------


@pytest.fixture
def request_about_package(package):
    supervisor = make_supervisor(first_name="Sri", last_name="Pengawas")
    followup = followup_services.ask(
        by=supervisor, process=package, stage="perencanaan", text="Unggah KAK Perencanaan"
    )
    return supervisor, followup


def test_the_requests_pages_read_in_english_under_en(client, request_about_package, package):
    supervisor, followup = request_about_package
    client.force_login(supervisor)
    listing = html_of(client.get("/en/pengawasan/permintaan/"))
    assert "<h1>Supervisors\u2019 requests</h1>" in listing
    assert '<option value="belum-ditutup" selected>Not closed yet</option>' in listing
    assert '<option value="selesai">Marked done by the operator</option>' in listing
    assert '<p class="result-count">1 request.</p>' in listing
    assert f"<span>Package: {TITLE}</span>" in listing
    assert "<span>Stage: Planning</span>" in listing
    assert "<span>requested " in listing and " by Sri Pengawas</span>" in listing
    assert ">Open</span>" in listing
    assert "Permintaan pengawas" not in listing and "Belum ditutup" not in listing

    detail = html_of(client.get(f"/en/pengawasan/permintaan/{followup.pk}/"))
    assert "<dt>Stage</dt><dd>Planning</dd>" in detail
    assert f"(FY {package.fiscal_year})" in detail
    assert "<h2>Responses</h2>" in detail and "No responses yet." in detail
    assert "<h2>Close the request</h2>" in detail
    assert "Belum ada tanggapan" not in detail

    new = html_of(client.get("/en/pengawasan/permintaan/baru/", {"paket": package.pk}))
    assert "<h1>New request to the operators</h1>" in new
    assert f"About the package <strong>{TITLE}</strong> (Dinas Kesehatan, FY " in new
    assert '<option value="" selected>— no particular stage —</option>' in new
    assert '<option value="pemilihan">Supplier selection</option>' in new
    assert ">Stage (optional)</label>" in new

    indonesian = html_of(client.get("/pengawasan/permintaan/"))
    assert "<h1>Permintaan pengawas</h1>" in indonesian
    assert '<p class="result-count">1 permintaan.</p>' in indonesian
    assert "<span>Tahap Perencanaan</span>" in indonesian


def test_an_operators_answer_refused_and_accepted_in_english(
    client, request_about_package, operator
):
    _supervisor, followup = request_about_package
    client.force_login(operator)
    url = f"/en/pengawasan/permintaan/{followup.pk}/jawab/"
    refused = html_of(client.post(url, {"tindakan": "jawab", "jawab-text": "  "}), 400)
    assert "Write something." in refused and "Tuliskan isinya" not in refused
    assert '<button type="submit" name="tindakan" value="selesai">Mark done</button>' in refused
    done = client.post(url, {"tindakan": "selesai", "jawab-text": "KAK sudah diunggah."})
    assert done.status_code == 302
    page = html_of(client.get(done["Location"]))
    assert done["Location"] == f"/en/pengawasan/permintaan/{followup.pk}/"
    assert "Request marked done; a supervisor will check and close it." in page
    assert "marked done</span>" in page  # the thread's step, in lower case
    assert "<span>menandai selesai</span>" not in page


# --- the red flags' summary --------------------------------------------------------------------


@pytest.fixture
def flagged(health):
    future = {"planned_start": datetime.date(2099, 3, 1), "planned_end": datetime.date(2099, 3, 1)}
    now = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
    over = make_process(
        health,
        status="published",
        published_at=now,
        **planning_fields(**future, hps_amount=1_300_000_000),
    )
    clean = make_process(
        health,
        status="published",
        published_at=now,
        **planning_fields(**future, hps_amount=1_000_000_000),
    )
    return over, clean


def test_the_summary_of_flags_reads_in_english_under_en(client, flagged):
    over, _clean = flagged
    assert [flag.flag for flag in over.flags.all()] == ["hps_di_atas_pagu"]
    english = html_of(client.get("/en/tanda/"))
    assert "<h1>Red flags</h1>" in english
    assert "A red flag is <strong>a reason to look closer, not a verdict</strong>" in english
    # Two packages published, one of them flagged (the pagu is 1.25 billion, the HPS 1.3).
    assert "<p>1 of 2 published packages have at least one red flag.</p>" in english
    assert "<h2>By red flag</h2>" in english and "<h2>By agency</h2>" in english
    assert "<td>Owner\u2019s estimate (HPS) above the budget ceiling</td>" in english
    assert 'data-label="Owner\u2019s estimate (HPS) above the budget ceiling"' in english
    # The thresholds: units and amounts the English way, periods open to "now"; the legal
    # sources are data, shown as stored.
    assert '<span class="money">IDR 200,000,000</span>' in english
    assert ">7 days</td>" in english
    assert "Goods" in english and "every type" in english and "now</td>" in english
    assert "Perpres 16/2018" in english
    for indonesian_text in ["Per tanda", "mempunyai setidaknya", "Tanda untuk dicermati", "hari"]:
        assert indonesian_text not in english, indonesian_text
    english_year = html_of(client.get("/en/tanda/", {"tahun": over.fiscal_year}))
    assert (
        f"1 of 2 packages published for fiscal year {over.fiscal_year} have at least one red "
        "flag." in english_year
    )
    indonesian = html_of(client.get("/tanda/"))
    assert "1 dari 2 paket yang dipublikasikan mempunyai setidaknya satu tanda." in indonesian
    assert "<td>HPS di atas pagu</td>" in indonesian and ">7 hari</td>" in indonesian
    assert '<span class="money">Rp 200.000.000</span>' in indonesian


# --- the workspace: moderation by the operator's chosen language ------------------------------


def test_the_moderation_form_follows_the_workspace_language(client, package, operator):
    report = answered_report(package, operator, "Sudah kami periksa.")
    client.force_login(operator)
    url = f"/admin/participation/report/{report.pk}/change/"
    indonesian = html_of(client.get(url))
    assert "Pemeriksaan dan tindak lanjut" in indonesian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = html_of(client.get(url))
    assert "Review and follow-up" in english and "History" in english
    assert "Publish to show the report on the package\u2019s page;" in english
    assert "Reason for rejection" in english
    assert '<option value="menunggu">Awaiting review</option>' in english
    assert "Pemeriksaan dan tindak lanjut" not in english and "Riwayat" not in english
    listing = html_of(client.get("/admin/participation/report/"))
    assert "Publish the selected reports" in listing and "needs action" in listing.lower()


def test_a_flags_stored_reason_is_marked_indonesian_on_the_english_page(client, flagged):
    """A red flag's reason is stored in Indonesian (integrity.flags): the English page says so
    and marks it lang="id", so a screen reader reads it with an Indonesian voice."""
    over, _clean = flagged
    english = html_of(client.get(f"/en/paket/{over.pk}/"))
    assert "The reasons for each flag and their legal basis are recorded in Indonesian." in english
    reason = over.flags.get().reason
    assert f'<p lang="id">{reason}</p>' in english
    indonesian = html_of(client.get(f"/paket/{over.pk}/"))
    assert "dicatat dalam bahasa Indonesia" not in indonesian
    assert f'<p lang="id">{reason}</p>' in indonesian
