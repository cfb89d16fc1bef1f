"""Signing in, the two-step page, imports and the background jobs in both languages (#23).

The workspace follows the operator's choice, kept in the `django_language` cookie; without it,
Indonesian, as before. What an import stored (its rows' notes, its warnings) stays as stored:
the pages put their own words (titles, outcomes, the summary) around it in the reader's
language. The English expected here is the catalogue's (locale/en), typed by hand.
"""

import html as html_module
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from imports.models import ImportRun
from tests.agencies.test_signin import current_code
from tests.factories import make_administrator, make_operator
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.imports.test_order import TENDER_HEADER, tender_row
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

PASSWORD = "kata-sandi-uji-123"
LOGIN = "/admin/login/"
IMPORT = "/admin/imports/importrun/impor/"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def in_indonesian(client):
    """No choice made: the workspace's default."""
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)


def content_text(response):
    """The words of the page's content (the part under the header), tags and entities
    removed, spaces collapsed."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", page)
    start = page.find('<div id="content"')
    page = page[start:] if start >= 0 else page
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())


def words(text):
    return set(re.findall(r"[A-Za-z]+", text))


# --- signing in ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_follows_the_workspace_language(client):
    indonesian = client.get(LOGIN).content.decode()
    assert 'value="Masuk"' in indonesian
    assert "Kode autentikator" in indonesian
    assert (
        "Enam angka dari aplikasi autentikator, bila autentikasi dua langkah aktif." in indonesian
    )

    in_english(client)
    response = client.get(LOGIN)
    english = response.content.decode()
    assert response["Content-Language"] == "en"
    assert 'value="Sign in"' in english
    assert "Authenticator code" in english
    assert "The six digits from the authenticator app, if two-step authentication is on." in (
        english
    )
    assert 'value="Masuk"' not in english and "Enam angka" not in english


@pytest.mark.django_db
def test_a_refused_sign_in_and_a_lockout_say_why_in_the_chosen_language(client):
    make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-sehat")
    attempt = {"username": "operator-sehat", "password": "salah-sekali", "next": "/admin/"}

    refused = client.post(LOGIN, attempt, REMOTE_ADDR="10.0.0.1").content.decode()
    assert "Nama pengguna, kata sandi, atau kode autentikator salah." in refused

    in_english(client)
    refused = client.post(LOGIN, attempt, REMOTE_ADDR="10.0.0.1").content.decode()
    assert (
        "Wrong username, password or authenticator code. Mind upper and lower case; an "
        "authenticator code works only once."
    ) in refused
    assert "Nama pengguna, kata sandi" not in refused
    for _ in range(2):
        client.post(LOGIN, attempt, REMOTE_ADDR="10.0.0.1")
    locked = client.post(LOGIN, attempt, REMOTE_ADDR="10.0.0.1")  # the fifth failure locks
    assert locked.status_code == 429
    assert (
        "Too many failed sign-in attempts for this account or address. Try again in 15 minutes."
    ) in locked.content.decode()
    assert "Terlalu banyak percobaan" not in locked.content.decode()

    in_indonesian(client)
    locked = client.post(LOGIN, attempt, REMOTE_ADDR="10.0.0.1").content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal untuk akun atau alamat ini." in locked
    assert "Coba lagi dalam 15 menit." in locked


@pytest.mark.django_db
def test_the_two_step_page_in_english_and_in_indonesian(client):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    client.force_login(operator)
    setup = reverse("two-factor")

    indonesian = client.get(setup).content.decode()
    assert "Pindai kode QR ini, atau ketik rahasianya:" in indonesian
    assert 'value="Aktifkan"' in indonesian

    in_english(client)
    english = client.get(setup).content.decode()
    assert "Two-step authentication" in english
    assert (
        "Open an authenticator app on your phone (for example Google Authenticator, Microsoft "
        "Authenticator, FreeOTP, Aegis)."
    ) in english
    assert "Scan this QR code, or type its secret:" in english
    assert "Enter the six-digit code the app shows." in english
    assert 'alt="QR code for the authenticator app; the same secret is written above."' in english
    assert "Code from the app" in english and 'value="Switch on"' in english
    for indonesian_text in ["Pindai kode QR", "Masukkan kode enam angka", "Aktifkan", "Kode dari"]:
        assert indonesian_text not in english, indonesian_text

    device = TOTPDevice.objects.get(user=operator)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    refused = client.post(setup, {"code": wrong}).content.decode()
    assert "The code does not match. Check the phone’s clock and enter the latest code." in (  # noqa: RUF001 (the catalogue's apostrophe)
        refused
    )
    confirmed = client.post(setup, {"code": current_code(device)}, follow=True)
    assert "Two-step authentication is on. From now on, sign in with its code." in (
        confirmed.content.decode()
    )

    on = client.get(setup).content.decode()
    assert "Two-step authentication is <strong>on</strong> (set up " in on
    assert "When signing in, enter the six-digit code from the authenticator app." in on
    assert (
        "New phone? Set it up again with a new secret (the old one stops working at once), or "
        "switch two-step authentication off: both ask for the code the app is showing now."
    ) in on
    assert ">Set up again</button>" in on and ">Switch off</button>" in on
    in_indonesian(client)
    on = client.get(setup).content.decode()
    assert "Autentikasi dua langkah <strong>aktif</strong> (dipasang " in on
    assert ">Pasang ulang</button>" in on and ">Matikan</button>" in on


@pytest.mark.django_db
def test_the_authenticators_and_users_lists_have_no_english_in_indonesian(client):
    """django-otp has no Indonesian and the users' list titled a column by its method's name:
    "TOTP devices", "Confirmed", "Last used at" and "Get full name" showed in the Indonesian
    workspace."""
    administrator = make_administrator()
    TOTPDevice.objects.create(user=administrator, name="Aplikasi autentikator", confirmed=True)
    client.force_login(administrator)
    devices = content_text(client.get("/admin/otp_totp/totpdevice/"))
    assert "Terpasang" in devices and "Terakhir dipakai" in devices and "Dipasang" in devices
    for english in ["TOTP", "devices", "device", "Confirmed", "Created", "Last", "User"]:
        assert english not in words(devices), english
    users = content_text(client.get("/admin/agencies/user/"))
    assert "Nama lengkap" in users and "Get full name" not in users

    in_english(client)
    devices = content_text(client.get("/admin/otp_totp/totpdevice/"))
    assert "Set up" in devices and "Last used" in devices and "Terpasang" not in devices
    users = content_text(client.get("/admin/agencies/user/"))
    assert "Full name" in users and "Nama lengkap" not in users


# --- imports ------------------------------------------------------------------------------


def upload(client, content, name):
    response = client.post(IMPORT, {"kind": "", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return response["Location"]


# Two rows: one new package (with a note: the NIP spoilt by a spreadsheet), one skipped.
TWO_ROWS = csv_bytes([sirup_row(), sirup_row(kode_rup="x")])
SKIPPED_NOTE = "kode RUP 'x' kosong atau bukan angka"
NIP_NOTE = "NIP '1,97408E+17' rusak oleh notasi ilmiah spreadsheet; angka aslinya hilang"
# What the English pages must not show of the Indonesian around the stored notes.
INDONESIAN_FRAME = [
    "Pratinjau",
    "Belum ada yang ditulis",
    "Baris yang dilewati",
    "Impor sekarang",
    "Alasan",
    "Catatan",
    ">baru<",
    ">dilewati<",
    ">tidak berubah<",
    ">diperbarui<",
]


@jobs_db
def test_an_import_preview_and_its_outcome_in_indonesian_have_no_english_word(client, media_root):
    load_migrated_data()
    client.force_login(make_administrator())
    job = upload(client, TWO_ROWS, "rup.csv")
    run_queued_jobs()
    preview = client.get(job)
    page = preview.content.decode()
    for title in ["baru", "diperbarui", "tidak berubah", "dilewati"]:
        assert f'<th scope="col">{title}</th>' in page, title
    text = content_text(preview)
    assert "Pratinjau: Rencana pengadaan SiRUP (RUP penyedia) — rup.csv" in text
    assert "Baris yang dilewati (1): tidak akan diimpor" in text and SKIPPED_NOTE in text
    assert "Baris yang diimpor dengan catatan (1)" in text
    assert f"2 17000001 baru {NIP_NOTE}" in text  # the noted row, its outcome in words
    outcome_words = {"created", "updated", "unchanged", "skipped", "new", "None", "Preview"}
    assert not outcome_words & words(text)

    client.post(job)
    run_queued_jobs()
    done = content_text(client.get(job))
    assert (
        "Impor selesai. rup.csv: 2 baris — 1 baru, 0 diperbarui, 0 tidak berubah, 1 dilewati; "
        "1 baris dengan catatan"
    ) in done
    assert not outcome_words & words(done)
    # The import's record showed its outcome as the stored JSON, keyed by English names.
    run = content_text(
        client.get(reverse("admin:imports_importrun_change", args=[ImportRun.objects.get().pk]))
    )
    assert "1 baru, 0 diperbarui, 0 tidak berubah, 1 dilewati" in run
    assert not outcome_words & words(run)
    uploads = content_text(client.get(IMPORT))
    assert "Unggahan Anda terakhir" in uploads and "impor selesai" in uploads


@jobs_db
def test_an_import_preview_and_its_outcome_in_english(client, media_root):
    load_migrated_data()
    client.force_login(make_administrator())
    in_english(client)
    upload_page = client.get(IMPORT)
    assert 'value="See the preview"' in upload_page.content.decode()
    form = content_text(upload_page)
    assert "Kind of data" in form and "Export file" in form
    assert "Recognise from its column names" in form
    job = upload(client, TWO_ROWS, "rup.csv")
    assert "Waiting in the background queue…" in content_text(client.get(job))
    run_queued_jobs()
    preview = client.get(job)
    page = preview.content.decode()
    for title in ["new", "updated", "unchanged", "skipped"]:
        assert f'<th scope="col">{title}</th>' in page, title
    text = content_text(preview)
    assert "Preview: SiRUP procurement plans (RUP, through suppliers) — rup.csv" in text
    assert (
        "Nothing has been written yet. When you press Import now , every row below is processed "
        "at once: all of it is saved, or none of it."
    ) in text
    assert "Skipped rows (1): they will not be imported" in text
    assert "Rows imported with notes (1)" in text
    # The notes were written when the preview ran, and stay as written: in Indonesian.
    assert f"3 x {SKIPPED_NOTE}" in text
    assert f"2 17000001 new {NIP_NOTE}" in text
    for indonesian in INDONESIAN_FRAME:
        assert indonesian not in page, indonesian

    client.post(job)
    run_queued_jobs()
    done = content_text(client.get(job))
    assert (
        "Import finished. rup.csv: 2 rows — 1 new, 0 updated, 0 unchanged, 1 skipped; "
        "1 row with notes"
    ) in done
    assert "See the import history" in done and "Import another file" in done
    assert "Impor selesai" not in done and "baris" not in words(done)
    history = content_text(client.get("/admin/imports/importrun/"))
    assert "1 new, 0 updated, 0 unchanged, 1 skipped" in history
    assert "Import a file" in history
    uploads = content_text(client.get(IMPORT))
    assert "Your latest uploads" in uploads and "import finished" in uploads


@jobs_db
def test_an_lpse_tender_preview_in_both_languages(client, media_root):
    load_migrated_data()
    client.force_login(make_administrator())
    job = upload(client, csv_bytes([tender_row()], header=TENDER_HEADER), "tender.csv")
    run_queued_jobs()
    indonesian = client.get(job)
    assert "Pratinjau: Hasil tender LPSE — tender.csv" in content_text(indonesian)
    assert '<th scope="col">dilewati</th>' in indonesian.content.decode()
    assert not {"created", "skipped", "new", "Preview"} & words(content_text(indonesian))

    in_english(client)
    english = client.get(job)
    assert "Preview: LPSE tender results — tender.csv" in content_text(english)
    page = english.content.decode()
    assert '<th scope="col">skipped</th>' in page and '<th scope="col">new</th>' in page
    assert "Pratinjau" not in page and '<th scope="col">dilewati</th>' not in page


# --- the background jobs ------------------------------------------------------------------


@pytest.fixture
def empty_queue():
    """The queue's tables are not Django's to flush between tests (as tests/test_jobs.py)."""

    def empty():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_events, procrastinate_periodic_defers, "
                "procrastinate_jobs, procrastinate_workers CASCADE"
            )

    empty()
    yield
    empty()


@jobs_db
def test_the_jobs_page_in_both_languages(client, empty_queue):
    from integrity.tasks import recompute_flags
    from opendata import tasks as opendata_tasks

    load_migrated_data()
    waiting = recompute_flags.defer()
    failed = opendata_tasks.build_open_data.defer(timestamp=0)
    ProcrastinateJob.objects.filter(pk=failed).update(status="failed")
    client.force_login(make_administrator())
    listing = reverse("admin:procrastinate_procrastinatejob_changelist")
    one_job = reverse("admin:procrastinate_procrastinatejob_change", args=[waiting])

    indonesian = client.get(listing).content.decode()
    assert "<h1>Pekerjaan latar</h1>" in indonesian
    assert ">menunggu</a>" in indonesian and ">gagal</a>" in indonesian
    assert "Hitung ulang tanda untuk dicermati<br><small>" in indonesian
    # A job still waiting has not started or ended: its page said "None", in English.
    page = content_text(client.get(one_job))
    assert "Mulai (terakhir): —" in page and "Berakhir: —" in page
    assert "Dijadwalkan: —" in page and "None" not in words(page)

    in_english(client)
    english = client.get(listing).content.decode()
    assert "<h1>Background jobs</h1>" in english
    assert ">waiting</a>" in english and ">failed</a>" in english and ">running</a>" in english
    assert (
        "Recompute the flags to look into<br><small>integrity.tasks.recompute_flags</small>"
    ) in english
    assert "Build the open data files<br><small>opendata.tasks.build_open_data</small>" in english
    listed = content_text(client.get(listing))
    for column in ["Task", "Status", "Attempts", "Queued", "Started (last)", "Ended", "Last error"]:
        assert column in listed, column
    for indonesian_text in ["Pekerjaan latar", ">menunggu<", "Hitung ulang", "Tugas"]:
        assert indonesian_text not in english, indonesian_text
    page = content_text(client.get(one_job))
    assert "Started (last): —" in page and "Ended: —" in page and "Scheduled: —" in page
    assert "Task name: integrity.tasks.recompute_flags" in page and "Queue: recompute" in page
