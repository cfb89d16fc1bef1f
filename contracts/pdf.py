"""PDF intake: only real, readable PDFs without active content get in.

The cheap checks (size, the `%PDF-` header at byte 0, SHA-256) run here while the file
streams; parsing runs in contracts.pdf_worker, in a child process with a time and memory
limit, where qpdf reads the structure (contracts.pdf_active says what is refused and why) and
pypdf the text. Every rejection says, in Indonesian, which file, what exactly was wrong with it
and what the operator can do.

PDFs carrying JavaScript or automatic actions are rejected, not sanitised: a published
document is the agency's official record, and rewriting it would change its hash and break any
digital signature on it. The operator exports a clean PDF instead.
"""

import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

HEADER_WINDOW = 1024
# The reasons are translated when a file is refused (gettext at the raise), into the language
# of the request that checks it; the bulk upload's worker has none and keeps Indonesian.
NOT_PDF = gettext_noop("bukan berkas PDF (isinya tidak diawali penanda %PDF-)")
MAKE_SIMPLER = gettext_noop(
    "cetak ulang ke PDF atau pisahkan menjadi beberapa berkas, lalu unggah kembali"
)
# What an operator can do about active content: printing to PDF keeps the pages and drops
# every script, action and attachment.
CLEAN_COPY_ADVICE = gettext_noop(
    "buka berkas ini lalu cetak ulang ke PDF (menu Cetak, pilih “Microsoft Print to PDF” "
    "atau “Simpan sebagai PDF”), atau ekspor ulang dari dokumen aslinya tanpa skrip dan "
    "lampiran, lalu unggah salinan itu"
)


class PdfRejected(Exception):
    def __init__(self, filename, reason):
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename}: {reason}")


@dataclass(frozen=True)
class PdfInfo:
    size: int
    sha256: str
    page_count: int
    text: str
    text_status: str


def max_bytes():
    return settings.DOCUMENT_MAX_BYTES


def inspect_upload(uploaded, *, timeout=None):
    """Check one uploaded file; return PdfInfo or raise PdfRejected with the reason.

    `timeout` (seconds) shortens the worker's PDF_WORKER_TIMEOUT_SECONDS.
    """
    name = display_filename(uploaded.name)
    if getattr(uploaded, "oversized", False) or uploaded.size > max_bytes():
        raise PdfRejected(
            name,
            gettext("ukurannya melebihi batas %(limit)s per berkas")
            % {"limit": filesizeformat(max_bytes())},
        )
    if uploaded.size == 0:
        raise PdfRejected(name, gettext("berkas kosong (0 bita)"))

    digest = hashlib.sha256()
    head = b""
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
        if len(head) < HEADER_WINDOW:
            head += chunk[: HEADER_WINDOW - len(head)]
    uploaded.seek(0)

    if not head.startswith(b"%PDF-"):
        if b"%PDF-" in head:
            raise PdfRejected(
                name,
                gettext(
                    "bukan PDF murni: ada isi lain (misalnya HTML atau skrip) sebelum penanda "
                    "%PDF- di awal berkas; simpan ulang dari aplikasi asalnya sebagai PDF"
                ),
            )
        raise PdfRejected(name, gettext(NOT_PDF))

    result = _run_worker(uploaded, name, timeout)
    _refuse_on_error(name, result)
    return PdfInfo(
        size=uploaded.size,
        sha256=digest.hexdigest(),
        page_count=result["pages"],
        text=result["text"],
        text_status=result["text_status"],
    )


def _refuse_on_error(name, result):
    error = result.get("error")
    if not error:
        return
    detail = result.get("detail")
    if error == "not_pdf":
        raise PdfRejected(name, gettext(NOT_PDF))
    if error == "truncated":
        raise PdfRejected(
            name,
            gettext(
                "berkas PDF terpotong atau tidak utuh (penanda akhir %%EOF tidak ada); "
                "unggah ulang berkas aslinya"
            ),
        )
    if error == "needs_password":
        raise PdfRejected(
            name,
            gettext(
                "PDF ini hanya bisa dibuka dengan kata sandi. Buka dengan kata sandinya lalu "
                "simpan salinan tanpa kata sandi (di Adobe Acrobat: Properti Dokumen → Keamanan "
                "→ Tanpa Keamanan; atau cetak ulang ke PDF), kemudian unggah salinan itu"
            ),
        )
    if error == "no_pages":
        raise PdfRejected(name, gettext("PDF tidak memiliki halaman"))
    if error == "too_many_revisions":
        raise PdfRejected(
            name,
            gettext(
                "PDF menyimpan terlalu banyak revisi untuk diperiksa; simpan sebagai salinan "
                "baru (Simpan Sebagai) lalu unggah salinan itu"
            ),
        )
    if error == "active_content":
        # What was found (contracts.pdf_active, read in the worker) stays in its words; the
        # sentence around it follows the request's language.
        more = len(detail) - 5
        shown = detail[:5] + (
            [gettext("dan %(count)s lainnya") % {"count": more}] if more > 0 else []
        )
        raise PdfRejected(
            name,
            gettext(
                "PDF memuat konten aktif atau lampiran yang tidak diterima, yang bisa berjalan "
                "sendiri atau dibuka program lain di komputer pembaca: %(found)s. Agar bisa "
                "diterbitkan, %(advice)s"
            )
            % {"found": "; ".join(shown), "advice": gettext(CLEAN_COPY_ADVICE)},
        )
    if detail:
        reason = gettext(
            "PDF rusak dan tidak dapat dibaca (menurut pustaka PDF: %(detail)s); buka berkas "
            "aslinya, simpan ulang sebagai PDF, lalu unggah kembali"
        ) % {"detail": detail}
    else:
        reason = gettext(
            "PDF rusak dan tidak dapat dibaca; buka berkas aslinya, simpan ulang sebagai PDF, "
            "lalu unggah kembali"
        )
    raise PdfRejected(name, reason)


def inspect_uploads(uploads, *, deadline=None):
    """Check several uploaded files, PDF_CHECKS_AT_ONCE at a time (each in its own worker
    process); return one PdfInfo or PdfRejected per file, in the order given.

    `deadline` (time.monotonic()) bounds the whole batch so that a save of many large files
    answers before the web server gives up on the request: a file whose turn comes too late is
    refused as not checked, and the operator saves it in a later batch.
    """
    deadline = deadline or time.monotonic() + settings.PDF_BATCH_SECONDS
    # Each check runs in a thread of its own, which does not inherit the request's language.
    language = translation.get_language()

    def check(uploaded):
        with translation.override(language):
            remaining = deadline - time.monotonic()
            if remaining < 1:
                return PdfRejected(display_filename(uploaded.name), not_checked_in_time())
            try:
                return inspect_upload(uploaded, timeout=remaining)
            except PdfRejected as rejection:
                return rejection

    with ThreadPoolExecutor(max_workers=settings.PDF_CHECKS_AT_ONCE) as pool:
        return list(pool.map(check, uploads))


def not_checked_in_time():
    return gettext(
        "belum sempat diperiksa: pemeriksaan semua berkas dalam satu kali simpan dibatasi "
        "%(seconds)s detik. Unggah berkas tahap ini dalam beberapa kali simpan, dengan lebih "
        "sedikit berkas besar sekaligus"
    ) % {"seconds": f"{settings.PDF_BATCH_SECONDS:g}"}


def _run_worker(uploaded, name, timeout=None):
    path = getattr(uploaded, "temporary_file_path", None)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        if path is None:
            for chunk in uploaded.chunks():
                copy.write(chunk)
            copy.flush()
            uploaded.seek(0)
            path = copy.name
        else:
            path = path()
        try:
            completed = subprocess.run(  # noqa: S603 (our own module, a path we chose)
                [
                    sys.executable,
                    "-m",
                    "contracts.pdf_worker",
                    str(path),
                    str(settings.PDF_TEXT_SECONDS),
                    str(settings.PDF_TEXT_MAX_CHARS),
                    str(settings.PDF_WORKER_MEMORY_BYTES),
                ],
                capture_output=True,
                timeout=min(timeout or math.inf, settings.PDF_WORKER_TIMEOUT_SECONDS),
                cwd=Path(__file__).resolve().parent.parent,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            if timeout is not None and timeout < settings.PDF_WORKER_TIMEOUT_SECONDS:
                raise PdfRejected(name, not_checked_in_time()) from error
            raise PdfRejected(
                name,
                gettext("PDF terlalu rumit untuk diperiksa dalam batas waktu; %(advice)s")
                % {"advice": gettext(MAKE_SIMPLER)},
            ) from error
    if completed.returncode != 0:
        raise PdfRejected(
            name,
            gettext("PDF rusak atau terlalu berat untuk diperiksa; %(advice)s")
            % {"advice": gettext(MAKE_SIMPLER)},
        )
    try:
        return json.loads(completed.stdout)
    except ValueError as error:
        raise PdfRejected(name, gettext("PDF rusak atau tidak dapat dibaca")) from error


def display_filename(name):
    """The uploaded name as a label only: no folders, no control characters, bounded length."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "dokumen.pdf"
    return cleaned[-200:]


def document_filename(name):
    """The name a stored document is shown and downloaded under: the uploaded label, always
    ending in `.pdf`, since the file is a PDF whatever the operator called it
    ("laporan.html" becomes "laporan.html.pdf", never a page a browser would run)."""
    label = display_filename(name)
    if label.lower().endswith(".pdf"):
        return label
    return f"{label[:196]}.pdf"
