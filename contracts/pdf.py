"""PDF intake: only real, readable, unprotected PDFs without active content get in.

The cheap checks (size, header, end marker, SHA-256) run here while the file streams; parsing
and text extraction run in contracts.pdf_worker, in a child process with a time and memory
limit. Every rejection says, in Indonesian, what was wrong with which file.

PDFs carrying JavaScript or automatic actions are rejected, not sanitised: a published
document is the agency's official record, and rewriting it would change its hash and break any
digital signature on it. The operator exports a clean PDF instead.
"""

import hashlib
import json
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat

HEADER_WINDOW = 1024
TRAILER_WINDOW = 2048


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


def inspect_upload(uploaded):
    """Check one uploaded file; return PdfInfo or raise PdfRejected with the reason."""
    name = display_filename(uploaded.name)
    if getattr(uploaded, "oversized", False) or uploaded.size > max_bytes():
        raise PdfRejected(
            name, f"ukurannya melebihi batas {filesizeformat(max_bytes())} per berkas"
        )
    if uploaded.size == 0:
        raise PdfRejected(name, "berkas kosong (0 bita)")

    digest = hashlib.sha256()
    head = b""
    tail = b""
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
        if len(head) < HEADER_WINDOW:
            head += chunk[: HEADER_WINDOW - len(head)]
        tail = (tail + chunk)[-TRAILER_WINDOW:]
    uploaded.seek(0)

    if b"%PDF-" not in head:
        raise PdfRejected(name, "bukan berkas PDF (isinya tidak diawali penanda %PDF)")
    if b"%%EOF" not in tail:
        raise PdfRejected(name, "berkas PDF terpotong atau tidak utuh (penanda akhir tidak ada)")

    result = _run_worker(uploaded, name)
    error = result.get("error")
    if error == "encrypted":
        raise PdfRejected(name, "dilindungi kata sandi atau terenkripsi; unggah versi tanpa kunci")
    if error == "no_pages":
        raise PdfRejected(name, "PDF tidak memiliki halaman")
    if error == "active_content":
        found = ", ".join(result.get("detail", []))
        raise PdfRejected(
            name,
            f"PDF memuat konten aktif ({found}) yang bisa berjalan sendiri saat dibuka; "
            "simpan ulang sebagai PDF biasa lalu unggah kembali",
        )
    if error:
        raise PdfRejected(name, "PDF rusak atau tidak dapat dibaca")
    return PdfInfo(
        size=uploaded.size,
        sha256=digest.hexdigest(),
        page_count=result["pages"],
        text=result["text"],
        text_status=result["text_status"],
    )


def _limit_memory():
    limit = settings.PDF_WORKER_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_worker(uploaded, name):
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
                ],
                capture_output=True,
                timeout=settings.PDF_WORKER_TIMEOUT_SECONDS,
                preexec_fn=_limit_memory,
                cwd=Path(__file__).resolve().parent.parent,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise PdfRejected(
                name, "PDF terlalu rumit untuk diperiksa dalam batas waktu"
            ) from error
    if completed.returncode != 0:
        raise PdfRejected(name, "PDF rusak atau terlalu berat untuk diperiksa")
    try:
        return json.loads(completed.stdout)
    except ValueError as error:
        raise PdfRejected(name, "PDF rusak atau tidak dapat dibaca") from error


def display_filename(name):
    """The uploaded name as a label only: no folders, no control characters, bounded length."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "dokumen.pdf"
    return cleaned[-200:]
