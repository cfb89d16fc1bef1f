"""Who may open what: every URL pattern of the portal, for every role, with its expected outcome.

The cases are checked against the URL configuration itself: a pattern without a case here
fails `test_every_url_pattern_has_a_rule`, so a new page cannot ship without someone deciding
who may see it. Objects belong to agency A (Dinas Kesehatan); "operator B" works for another
agency and must never see or change A's drafts, documents, reports or records.
"""

import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse, translate_url
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from agencies.models import Agency, Desa, Kecamatan, PlaceAlias, UnresolvedPlace
from alerts import links as alert_links
from alerts import services as alert_services
from contracts import services
from contracts.models import (
    AuditEntry,
    BulkUpload,
    DocumentType,
    StageExemption,
    StageRequirement,
    Supplier,
)
from followups import services as followup_services
from imports.models import ImportJob, ImportRun
from integrity.models import Threshold
from participation import follow
from participation.models import Moderation, Report, ReportPhoto
from tests.contracts.test_public import attach
from tests.factories import make_administrator, make_operator, make_process, make_supervisor

ANON, OP_A, OP_B, SUPERVISOR, ADMIN = "anonim", "operator A", "operator B", "pengawas", "admin"
ROLES = [ANON, OP_A, OP_B, SUPERVISOR, ADMIN]

# Outcomes
OK = "ok"  # 200
LOGIN = "login"  # sent to the sign-in page
DENY = "deny"  # 403, 404, or the workspace's "no such object" redirect; nothing shown
GONE = "gone"  # 404: not there for this person (a draft's existence is not revealed)
MOVED = "moved"  # a redirect elsewhere than the sign-in page or the workspace's index
INDEX = "index"  # sent to the workspace's index (already signed in, or "no such object")
POST_ONLY = "post"  # 405 to a GET


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


PUBLIC = everyone(OK)
HIDDEN = everyone(GONE)
WORKSPACE = {ANON: LOGIN, OP_A: OK, OP_B: OK, SUPERVISOR: OK, ADMIN: OK}
EDITORS = {ANON: LOGIN, OP_A: OK, OP_B: OK, SUPERVISOR: DENY, ADMIN: OK}
SUPERVISORS = {ANON: LOGIN, OP_A: DENY, OP_B: DENY, SUPERVISOR: OK, ADMIN: OK}
ADMINISTRATORS = {ANON: LOGIN, OP_A: DENY, OP_B: DENY, SUPERVISOR: DENY, ADMIN: OK}
NOBODY = {ANON: LOGIN, OP_A: DENY, OP_B: DENY, SUPERVISOR: DENY, ADMIN: DENY}
# An object of agency A: its operators and those who see every agency read it ...
AGENCY_A = {ANON: LOGIN, OP_A: OK, OP_B: DENY, SUPERVISOR: OK, ADMIN: OK}
# ... and only its operators and administrators change it.
AGENCY_A_EDIT = {ANON: LOGIN, OP_A: OK, OP_B: DENY, SUPERVISOR: DENY, ADMIN: OK}
# A public address for something not public yet: only its own people get it.
PRIVATE_FILE = {ANON: GONE, OP_A: OK, OP_B: GONE, SUPERVISOR: OK, ADMIN: OK}


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def add_report(process, moderation):
    report = Report.objects.create(
        process=process, topic="keterlambatan", body="Belum dikerjakan.", moderation=moderation
    )
    ReportPhoto.objects.create(
        report=report,
        file=ContentFile(png(), name="foto.png"),
        content_type="image/png",
        width=8,
        height=8,
        size=100,
    )
    return report


@pytest.fixture
def world(media_root, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    op_a, op_b = make_operator(health), make_operator(roads)
    supplier = Supplier.objects.create(name="CV Uji Matriks", npwp="0012345678901000")
    draft = make_process(health, title="RAHASIA DRAF A", fiscal_year=2018)
    draft_document = attach(draft, op_a, "isi draf")
    published = make_process(health, title="Paket Terbit A", fiscal_year=2018, supplier=supplier)
    published_document = attach(published, op_a, "isi terbit")
    services.publish_process(process=published, by=op_a)
    published.refresh_from_db()
    # Agency A's DPA 2018 (a package of that year is published) and 2019 (none is yet).
    from tests.contracts.test_agency_documents import upload_agency_document

    public_agency_document = upload_agency_document(op_a, year=2018)
    draft_agency_document = upload_agency_document(op_a, year=2019)
    private_report = add_report(published, Moderation.PENDING)
    public_report = add_report(published, Moderation.PUBLISHED)
    draft_progress_photo = add_progress_photo(draft, op_a)
    public_progress_photo = add_progress_photo(published, op_a)
    # A photo operator A kept from a refused progress report of the draft: theirs alone.
    staged_photo = services.stage_photos(
        by=op_a, process=draft, photos=[("lokasi.png", clean_png())]
    )[0]
    from opendata.bulk import build

    build(base_url="http://testserver")
    users = {
        ANON: None,
        OP_A: op_a,
        OP_B: op_b,
        SUPERVISOR: make_supervisor(),
        ADMIN: make_administrator(),
    }
    run = ImportRun.objects.create(
        kind="sirup", filename="rup.csv", sha256="0" * 64, user=op_a, agency=health, rows=1
    )
    import_job = ImportJob.objects.create(
        filename="rup.csv", stored_name="impor/x.bin", sha256="0" * 64, user=op_a, agency=health
    )
    audit = {"username": "x", "ip_address": "10.0.0.1", "user_agent": "", "http_accept": ""}
    signed_in = AccessLog.objects.create(**audit, path_info="/admin/login/")
    failed = AccessFailureLog.objects.create(**audit, path_info="/admin/login/")
    counted = AccessAttempt.objects.create(
        **audit, path_info="/admin/login/", get_data="", post_data="", failures_since_start=1
    )
    device = TOTPDevice.objects.create(user=op_a, name="uji", confirmed=False)
    kecamatan = Kecamatan.objects.first()
    alias = PlaceAlias.objects.create(text="balai desa uji", kecamatan=kecamatan)
    unresolved = UnresolvedPlace.objects.create(
        text="entah di mana", example="Entah di mana", last_seen="2018-01-01T00:00+07:00"
    )
    # A supervisor's request to agency A about its draft.
    followup = followup_services.ask(by=users[SUPERVISOR], process=draft, text="Unggah KAK")
    bulk_upload = BulkUpload.objects.create(user=op_a, agency=health)
    from integrity.tasks import recompute_flags

    # A citizen following agency A by e-mail, with the confirmation mail queued.
    subscription, confirmation = alert_services.subscribe(
        email="warga@contoh.id", scope="perubahan", params={"pd": health.code}
    )
    return {
        "subscription": subscription,
        "users": users,
        "bulk_upload": bulk_upload,
        "followup": followup,
        "health": health,
        "draft": draft,
        "published": published,
        "draft_document": draft_document,
        "published_document": published_document,
        "public_agency_document": public_agency_document,
        "draft_agency_document": draft_agency_document,
        "private_report": private_report,
        "public_report": public_report,
        "draft_progress_photo": draft_progress_photo,
        "public_progress_photo": public_progress_photo,
        "staged_photo": staged_photo,
        "supplier": supplier,
        "import_job": import_job,
        # The object each admin model's object URLs are tried with: agency A's where scoped.
        "objects": {
            "auth_group": Group.objects.first().pk,
            "agencies_agency": health.pk,
            "agencies_user": op_a.pk,
            "axes_accesslog": signed_in.pk,
            "axes_accessfailurelog": failed.pk,
            "axes_accessattempt": counted.pk,
            "otp_totp_totpdevice": device.pk,
            "agencies_kecamatan": kecamatan.pk,
            "agencies_desa": Desa.objects.first().pk,
            "agencies_placealias": alias.pk,
            "agencies_unresolvedplace": unresolved.pk,
            "contracts_process": draft.pk,
            "contracts_agencydocument": draft_agency_document.pk,
            "contracts_supplier": supplier.pk,
            "contracts_documenttype": DocumentType.objects.first().pk,
            "contracts_stagerequirement": StageRequirement.objects.first().pk,
            "contracts_stageexemption": StageExemption.objects.first().pk,
            "contracts_auditentry": AuditEntry.objects.filter(process=draft).first().pk,
            "imports_importrun": run.pk,
            "participation_report": private_report.pk,
            "integrity_threshold": Threshold.objects.first().pk,
            "alerts_subscriber": subscription.subscriber_id,
            "alerts_subscription": subscription.pk,
            "alerts_outgoingmail": confirmation.pk,
            "procrastinate_procrastinatejob": recompute_flags.defer(),
        },
    }


# Admin object views by model: (changelist, add, change, history, delete)
ADMIN_MODELS = {
    # The roles are kept by the code (agencies/roles.py): administrators read them only.
    "auth_group": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    # Agencies and accounts are deactivated, never deleted: their history points at them.
    "agencies_agency": (WORKSPACE, ADMINISTRATORS, WORKSPACE, WORKSPACE, NOBODY),
    "agencies_user": (ADMINISTRATORS, ADMINISTRATORS, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    # The sign-in audit (django-axes): read by administrators, never edited; a lockout's
    # count may be deleted, which lifts it.
    "axes_accesslog": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    "axes_accessfailurelog": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    "axes_accessattempt": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, ADMINISTRATORS),
    # Authenticators (django-otp): administrators see who has one and delete a lost phone's.
    "otp_totp_totpdevice": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, ADMINISTRATORS),
    # The place register is the administrators' to keep; the imports fill the unresolved list.
    "agencies_kecamatan": (ADMINISTRATORS,) * 5,
    "agencies_desa": (ADMINISTRATORS,) * 5,
    "agencies_placealias": (ADMINISTRATORS,) * 5,
    "agencies_unresolvedplace": (
        ADMINISTRATORS,
        NOBODY,
        ADMINISTRATORS,
        ADMINISTRATORS,
        ADMINISTRATORS,
    ),
    # A's draft: its operators edit and may delete it, supervisors read it, B sees nothing.
    "contracts_process": (WORKSPACE, EDITORS, AGENCY_A, AGENCY_A, AGENCY_A_EDIT),
    # A's DPA: uploaded by A's operators (or administrators), read by supervisors, B nothing.
    "contracts_agencydocument": (WORKSPACE, EDITORS, AGENCY_A, AGENCY_A, AGENCY_A_EDIT),
    # Suppliers are shared, each seen through one's own packages: operators add them and read
    # those of their agency's packages (this one is on A's), administrators correct them.
    "contracts_supplier": (WORKSPACE, EDITORS, AGENCY_A, AGENCY_A, ADMINISTRATORS),
    "contracts_documenttype": (WORKSPACE, ADMINISTRATORS, WORKSPACE, WORKSPACE, ADMINISTRATORS),
    "contracts_stagerequirement": (
        WORKSPACE,
        ADMINISTRATORS,
        WORKSPACE,
        WORKSPACE,
        ADMINISTRATORS,
    ),
    "contracts_stageexemption": (WORKSPACE, ADMINISTRATORS, WORKSPACE, WORKSPACE, ADMINISTRATORS),
    # Records of what happened: read within one's reach, never written by hand.
    "contracts_auditentry": (WORKSPACE, NOBODY, AGENCY_A, AGENCY_A, NOBODY),
    "imports_importrun": (WORKSPACE, NOBODY, AGENCY_A, AGENCY_A, NOBODY),
    # A's report: A's operators and supervisors moderate; only administrators delete.
    "participation_report": (WORKSPACE, NOBODY, AGENCY_A, AGENCY_A, ADMINISTRATORS),
    "integrity_threshold": (SUPERVISORS, ADMINISTRATORS, SUPERVISORS, SUPERVISORS, ADMINISTRATORS),
    # Who follows what by e-mail, and the mail sent: administrators read it, nobody edits it
    # (changes go through the links mailed to the address).
    "alerts_subscriber": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    "alerts_subscription": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    "alerts_outgoingmail": (ADMINISTRATORS, NOBODY, ADMINISTRATORS, ADMINISTRATORS, NOBODY),
    # The job queue (Pekerjaan latar): administrators watch it, nobody edits it by hand.
    "procrastinate_procrastinatejob": (
        ADMINISTRATORS,
        NOBODY,
        ADMINISTRATORS,
        ADMINISTRATORS,
        NOBODY,
    ),
}


def cases(world):
    """(label, url, expected outcome per role) for every pattern of the URL configuration."""
    draft, published = world["draft"], world["published"]
    health = world["health"]
    objects = world["objects"]
    listed = [
        ("favicon.ico", "/favicon.ico", everyone(MOVED)),
        # A load balancer's probes: the same answer for everyone, nothing of anyone's.
        ("healthz", "/healthz", PUBLIC),
        ("readyz", "/readyz", PUBLIC),
        ("home", "/", PUBLIC),
        ("agencies:agency-list", "/perangkat-daerah/", PUBLIC),
        ("about", "/tentang/", PUBLIC),
        ("glossary", "/glosarium/", PUBLIC),
        ("contracts:process-list", "/paket/", PUBLIC),
        ("contracts:process-detail", f"/paket/{published.pk}/", PUBLIC),
        ("contracts:process-detail", f"/paket/{draft.pk}/", HIDDEN),
        ("contracts:agency-detail", f"/perangkat-daerah/{health.code}/", PUBLIC),
        ("contracts:supplier-detail", f"/penyedia/{world['supplier'].pk}/", PUBLIC),
        ("contracts:document-download", f"/dokumen/{world['published_document'].pk}/", PUBLIC),
        ("contracts:document-download", f"/dokumen/{world['draft_document'].pk}/", PRIVATE_FILE),
        (
            "contracts:agency-document-download",
            f"/dokumen-opd/{world['public_agency_document'].pk}/",
            PUBLIC,
        ),
        (
            "contracts:agency-document-download",
            f"/dokumen-opd/{world['draft_agency_document'].pk}/",
            PRIVATE_FILE,
        ),
        # A progress photo follows its package, as documents do.
        (
            "contracts:progress-photo",
            f"/foto-kemajuan/{world['public_progress_photo'].pk}/",
            PUBLIC,
        ),
        (
            "contracts:progress-photo",
            f"/foto-kemajuan/{world['draft_progress_photo'].pk}/",
            PRIVATE_FILE,
        ),
        ("contracts:feed", "/feed/paket/", PUBLIC),
        # A package's changes follow its OCDS: public once published, a draft's hidden.
        ("contracts:package-feed", f"/feed/paket/{published.pk}/", PUBLIC),
        ("contracts:package-feed", f"/feed/paket/{draft.pk}/", HIDDEN),
        ("contracts:kecamatan-list", "/kecamatan/", PUBLIC),
        ("contracts:spending", "/angka/", PUBLIC),
        ("contracts:kecamatan-detail", "/kecamatan/dander/", PUBLIC),
        ("dashboards:matrix", "/pengawasan/", SUPERVISORS),
        ("dashboards:cell", f"/pengawasan/2018/{health.code}/perencanaan/", SUPERVISORS),
        ("dashboards:todo", "/pengawasan/tugas/", EDITORS | {ADMIN: DENY}),
        # Bulk upload places files among one agency's packages: an operator's page, and a
        # batch only its own operator's.
        (
            "contracts:bulk-upload",
            "/admin/unggah-massal/",
            EDITORS | {ADMIN: DENY},
        ),
        (
            "contracts:bulk-batch",
            f"/admin/unggah-massal/{world['bulk_upload'].pk}/",
            AGENCY_A_EDIT | {ADMIN: DENY},
        ),
        # The field page is the operators' own: supervisors read, administrators use the admin.
        ("dashboards:field", "/pengawasan/lapangan/", EDITORS | {ADMIN: DENY}),
        (
            "dashboards:field-update",
            f"/pengawasan/lapangan/{draft.pk}/",
            AGENCY_A_EDIT | {ADMIN: DENY},
        ),
        # A staged photo is its owner's only (operator A): not even a colleague or the admin.
        (
            "dashboards:field-staged-photo",
            f"/pengawasan/lapangan/foto-sementara/{world['staged_photo'].pk}/",
            HIDDEN | {OP_A: OK},
        ),
        ("dashboards:openness", "/keterbukaan/", PUBLIC),
        ("dashboards:quality", "/pengawasan/kualitas-data/", SUPERVISORS),
        ("dashboards:quality-failures", "/pengawasan/kualitas-data/skema/", SUPERVISORS),
        # Asking for a run is a POST, by administrators only (tests/dashboards/test_quality.py).
        (
            "dashboards:quality-refresh",
            "/pengawasan/kualitas-data/hitung-ulang/",
            everyone(POST_ONLY),
        ),
        ("opendata:index", "/data-terbuka/", PUBLIC),
        ("opendata:policy", "/data-terbuka/kebijakan/", PUBLIC),
        ("opendata:local-codes", "/data-terbuka/kode-lokal/", PUBLIC),
        ("opendata:extension-docs", "/data-terbuka/ekstensi/tanda/", PUBLIC),
        ("opendata:extension-file", "/data-terbuka/ekstensi/tanda/extension.json", PUBLIC),
        ("opendata:download", "/data-terbuka/semua/paket.csv", PUBLIC),
        ("opendata:selection", "/paket/unduh.csv?tahun=2018", PUBLIC),
        ("opendata:release", f"/ocds/{published.ocid}/", PUBLIC),
        ("opendata:release", f"/ocds/{draft.ocid}/", HIDDEN),
        ("opendata:record", f"/ocds/{published.ocid}/rekam/", PUBLIC),
        ("opendata:record", f"/ocds/{draft.ocid}/rekam/", HIDDEN),
        ("opendata:api-docs", "/api/", PUBLIC),
        ("opendata:api-root", "/api/v1/", PUBLIC),
        ("opendata:api-packages", "/api/v1/paket/", PUBLIC),
        ("opendata:api-package", f"/api/v1/paket/{published.ocid}/", PUBLIC),
        ("opendata:api-package", f"/api/v1/paket/{draft.ocid}/", HIDDEN),
        ("opendata:api-agencies", "/api/v1/perangkat-daerah/", PUBLIC),
        ("opendata:api-agency", f"/api/v1/perangkat-daerah/{health.code}/", PUBLIC),
        ("opendata:api-suppliers", "/api/v1/penyedia/", PUBLIC),
        ("opendata:api-supplier", f"/api/v1/penyedia/{world['supplier'].pk}/", PUBLIC),
        ("opendata:api-openapi", "/api/v1/openapi.json", PUBLIC),
        ("opendata:api-not-found", "/api/v1/tidak-ada/", HIDDEN),
        # The report form answers a GET by pointing back at the package's form.
        ("participation:report", f"/paket/{published.pk}/lapor/", everyone(MOVED)),
        ("participation:report", f"/paket/{draft.pk}/lapor/", HIDDEN),
        ("participation:photo", photo_url(world["public_report"]), PUBLIC),
        ("participation:photo", photo_url(world["private_report"]), PRIVATE_FILE),
        # A report's page: public once published; before that only through the author's link
        # (its key), to whoever holds it; moderators read reports in the workspace.
        ("participation:follow", f"/laporan/{world['public_report'].reference}/", PUBLIC),
        ("participation:follow", f"/laporan/{world['private_report'].reference}/", HIDDEN),
        ("participation:follow", follow.author_url(world["private_report"]), PUBLIC),
        ("participation:poll", "/survei-kepuasan/", PUBLIC),
        ("participation:open-reports", "/pengawasan/laporan/", WORKSPACE),
        ("integrity:summary", "/tanda/", PUBLIC),
        # Supervisors' requests: supervisors ask and see all; A's operators see and answer
        # A's (B's list is empty, B's address to A's request a 404); answering, closing and
        # reopening are POSTs (tests/followups/test_views.py).
        ("followups:list", "/pengawasan/permintaan/", WORKSPACE),
        ("followups:new", "/pengawasan/permintaan/baru/", SUPERVISORS),
        ("followups:detail", followup_url(world["followup"]), AGENCY_A),
        ("followups:answer", followup_url(world["followup"], "jawab"), everyone(POST_ONLY)),
        ("followups:close", followup_url(world["followup"], "tutup"), everyone(POST_ONLY)),
        ("followups:reopen", followup_url(world["followup"], "buka-lagi"), everyone(POST_ONLY)),
        ("sitemap", "/sitemap.xml", PUBLIC),
        ("sitemap-section", "/sitemap-paket.xml", PUBLIC),
        # The language choice (Django's set_language): a GET only goes back to the home page.
        ("set_language", "/i18n/setlang/", everyone(MOVED)),
        # Following by e-mail: public forms; the token pages open for whoever holds the mailed
        # link (an altered one is a 404), whatever their role (tests/alerts/).
        ("alerts:subscribe", f"/langganan/ikuti/?pd={health.code}", PUBLIC),
        ("alerts:sent", "/langganan/ikuti/terkirim/", PUBLIC),
        ("alerts:opportunities", "/langganan/peluang/", PUBLIC),
        ("alerts:confirm", alert_links.confirm_url(world["subscription"]), PUBLIC),
        ("alerts:confirm", "/langganan/konfirmasi/palsu/", HIDDEN),
        ("alerts:unsubscribe", alert_links.unsubscribe_url(world["subscription"]), PUBLIC),
        ("alerts:unsubscribe", "/langganan/berhenti/palsu/", HIDDEN),
        ("alerts:manage-request", "/langganan/kelola/", PUBLIC),
        ("alerts:manage-sent", "/langganan/kelola/terkirim/", PUBLIC),
        ("alerts:manage", alert_links.manage_url(world["subscription"].subscriber), PUBLIC),
        ("alerts:manage", "/langganan/kelola/palsu/", HIDDEN),
        ("two-factor", "/admin/dua-langkah/", WORKSPACE),
        # The package sheet is an operator's, for their own agency's packages
        # (tests/contracts/test_spreadsheet.py); saving is a POST.
        ("process-sheet", "/admin/lembar-kerja-paket/", EDITORS | {ADMIN: DENY}),
        (
            "process-sheet-download",
            "/admin/lembar-kerja-paket/unduh/?tahun=2018",
            # B's agency has no package: sent back to the page, which says so.
            EDITORS | {OP_B: MOVED, ADMIN: DENY},
        ),
        (
            "process-sheet-confirm",
            "/admin/lembar-kerja-paket/simpan/",
            {**everyone(POST_ONLY), ANON: LOGIN},
        ),
        ("admin:index", "/admin/", WORKSPACE),
        # Signed in already: the sign-in page sends one on to the workspace.
        ("admin:login", "/admin/login/", {**everyone(INDEX), ANON: OK}),
        ("admin:logout", "/admin/logout/", {**everyone(POST_ONLY), ANON: INDEX}),
        ("admin:password_change", "/admin/password_change/", WORKSPACE),
        ("admin:password_change_done", "/admin/password_change/done/", WORKSPACE),
        # Asked without a field to complete: refused for everyone, signed in or not.
        ("admin:autocomplete", "/admin/autocomplete/", NOBODY),
        ("admin:jsi18n", "/admin/jsi18n/", WORKSPACE),
        # Django's "view on site" has nowhere to go: packages name no public address to it
        # (the package page links to its public page itself, once published).
        ("admin:view_on_site", view_on_site(draft), {**everyone(GONE), ANON: LOGIN}),
        ("admin:view_on_site", view_on_site(published), {**everyone(GONE), ANON: LOGIN}),
        ("admin:app_list", "/admin/contracts/", WORKSPACE),
        ("admin:app_list", "/admin/auth/", ADMINISTRATORS),
        ("admin:catch-all", "/admin/tidak-ada/", {**everyone(GONE), ANON: LOGIN}),
        # Publishing is a POST; a GET by those who may goes back to the package.
        (
            "admin:contracts_process_publish",
            admin_url(draft, "publikasi"),
            AGENCY_A_EDIT | {OP_A: MOVED, ADMIN: MOVED},
        ),
        ("admin:contracts_process_withdraw", admin_url(published, "tarik"), AGENCY_A_EDIT),
        (
            "admin:user-password",
            f"/admin/agencies/user/{objects['agencies_user']}/password/",
            ADMINISTRATORS,
        ),
        ("admin:imports_run", "/admin/imports/importrun/impor/", EDITORS),
        # An import job is its uploader's (and the administrators'): another operator gets a 404.
        (
            "admin:imports_job",
            f"/admin/imports/importrun/impor/{world['import_job'].pk}/",
            {ANON: LOGIN, OP_A: OK, OP_B: GONE, SUPERVISOR: DENY, ADMIN: OK},
        ),
    ]
    for model, (changelist, add, change, history, delete) in ADMIN_MODELS.items():
        base = reverse(f"admin:{model}_changelist")
        pk = objects[model]
        listed += [
            (f"admin:{model}_changelist", base, changelist),
            (f"admin:{model}_add", base + "add/", add),
            (f"admin:{model}_change", f"{base}{pk}/change/", change),
            (f"admin:{model}_history", f"{base}{pk}/history/", history),
            (f"admin:{model}_delete", f"{base}{pk}/delete/", delete),
            # The bare object address redirects to its change page for those signed in.
            (f"admin:{model}_object", f"{base}{pk}/", {**everyone(MOVED), ANON: LOGIN}),
        ]
    return listed


def followup_url(followup, action=""):
    return f"/pengawasan/permintaan/{followup.pk}/" + (f"{action}/" if action else "")


def clean_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opendata_kontrak import photos

    return photos.clean(SimpleUploadedFile("lokasi.png", png()))


def add_progress_photo(process, operator):
    """A progress report with one photo, from the field page's service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts.models import ProgressReport
    from opendata_kontrak import photos

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(buffer, "JPEG")
    report = ProgressReport(
        process=process, date="2018-08-01", physical_percent=50, financial_percent=40
    )
    services.add_implementation_row(
        row=report,
        by=operator,
        photos=[photos.clean(SimpleUploadedFile("lokasi.jpg", buffer.getvalue()))],
    )
    return report.photos.get()


def photo_url(report):
    return f"/laporan/foto/{report.photos.get().pk}/"


def admin_url(process, action):
    return f"/admin/contracts/process/{process.pk}/{action}/"


def view_on_site(process):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(process)
    return f"/admin/r/{content_type.pk}/{process.pk}/"


def outcome(response):
    status = response.status_code
    if status == 200:
        return OK
    if status in (301, 302):
        location = response["Location"]
        if "/admin/login/" in location and "next=" in location:
            return LOGIN
        if location in ("/admin/", "http://testserver/admin/"):
            return INDEX
        return MOVED
    if status == 403:
        return DENY
    if status == 404:
        return GONE
    if status == 405:
        return POST_ONLY
    return f"status {status}"


def matches(expected, seen):
    # A refusal may say "forbidden", "not found", or "no such object" (the workspace's index).
    return seen == expected or (expected == DENY and seen in (GONE, INDEX))


def all_patterns():
    """Every URL pattern: its name (namespaced) or, unnamed, its route."""

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield (
                    f"{namespace}{pattern.name}" if pattern.name else prefix + str(pattern.pattern)
                )

    return set(walk(get_resolver().url_patterns, "", ""))


# Patterns known by another label in the cases above.
ALIASES = {
    "favicon.ico": "favicon.ico",
    "admin/(?P<url>.*)$": "admin:catch-all",
    "admin:auth_user_password_change": "admin:user-password",
}


@pytest.mark.django_db
def test_every_url_pattern_has_a_rule(world):
    covered = {label for label, _, _ in cases(world)}
    missing = []
    for pattern in all_patterns():
        label = ALIASES.get(pattern, pattern)
        if label.startswith("admin/") and label.endswith("/<path:object_id>/"):
            model = label.removeprefix("admin/").split("/<path")[0].replace("/", "_")
            label = f"admin:{model}_object"
        if label not in covered:
            missing.append(pattern)
    assert not missing, f"URL patterns without an authorization rule: {sorted(missing)}"


@pytest.mark.django_db
def test_every_role_gets_the_expected_outcome_everywhere(client, world):
    wrong = []
    for role in ROLES:
        client.logout()
        if world["users"][role]:
            client.force_login(world["users"][role])
        for _label, url, expected in cases(world):
            response = client.get(url)
            seen = outcome(response)
            if not matches(expected[role], seen):
                wrong.append(f"{role:<10} {url:<55} expected {expected[role]}, got {seen}")
                continue
            if seen != OK and response.get("Content-Type", "").startswith("text/html"):
                # Refused: nothing of A's draft on the page that says so.
                assert "RAHASIA DRAF A" not in response.content.decode(), (role, url)
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.once  # the same rule as above, by the other language's addresses
@pytest.mark.django_db
def test_the_english_addresses_get_the_same_outcome(client, world):
    """Every address with an English form (/en/...) answers each role as its Indonesian one."""
    wrong, checked = [], 0
    for role in ROLES:
        client.logout()
        if world["users"][role]:
            client.force_login(world["users"][role])
        for _label, url, expected in cases(world):
            english = translate_url(url, "en")
            if english == url:
                continue  # outside the public pages' prefix: the workspace, files of no language
            checked += 1
            response = client.get(english)
            seen = outcome(response)
            if not matches(expected[role], seen):
                wrong.append(f"{role:<10} {english:<55} expected {expected[role]}, got {seen}")
                continue
            if seen != OK and response.get("Content-Type", "").startswith("text/html"):
                assert "RAHASIA DRAF A" not in response.content.decode(), (role, english)
        translation.activate("id")  # cases() reverses some addresses: in Indonesian
    assert checked > 100
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_operator_b_cannot_change_agency_as_objects_by_posting_either(client, world):
    draft = world["draft"]
    report = world["private_report"]
    client.force_login(world["users"][OP_B])
    posts = [
        (f"/admin/contracts/process/{draft.pk}/change/", {"title": "Diubah B"}),
        (f"/admin/contracts/process/{draft.pk}/delete/", {"post": "yes"}),
        (admin_url(draft, "publikasi"), {}),
        (admin_url(world["published"], "tarik"), {"reason": "Diubah B"}),
        (f"/admin/participation/report/{report.pk}/change/", {"moderation": "terbit"}),
        (
            "/admin/contracts/process/",
            {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        # Refused outright, or answered with the list where A's draft is not.
        assert outcome(response) in (DENY, GONE, INDEX, MOVED), (url, response.status_code)
    draft.refresh_from_db()
    world["published"].refresh_from_db()
    report.refresh_from_db()
    assert draft.title == "RAHASIA DRAF A" and draft.status == "draft"
    assert world["published"].status == "published"
    assert report.moderation == Moderation.PENDING


@pytest.mark.django_db
def test_without_the_required_second_step_nothing_more_than_anonymous(client, world, settings):
    """Two-step sign-in required, an administrator signed in by password alone: every address
    answers as to a signed-out visitor, or sends them to set up their authenticator."""
    settings.REQUIRE_ADMIN_TWO_FACTOR = True
    client.force_login(world["users"][ADMIN])
    setup = reverse("two-factor")
    # The pages that set the step up, sign in and sign out see who is signed in.
    exempt = {setup, reverse("admin:login"), reverse("admin:logout")}
    wrong = []
    for _label, url, expected in cases(world):
        if url in exempt:
            continue
        response = client.get(url)
        if response.status_code == 302 and response["Location"] == setup:
            continue
        seen = outcome(response)
        if not matches(expected[ANON], seen):
            wrong.append(f"{url:<55} expected {expected[ANON]}, got {seen}")
    assert not wrong, "\n" + "\n".join(wrong)
