"""Reads one PDF in a process of its own and prints what it found as JSON.

Run by contracts.pdf under a time and memory limit, so that a hostile or broken file can
exhaust only this process, never a web worker. Usage: python -m contracts.pdf_worker PATH
TEXT_SECONDS MAX_CHARS [MEMORY_BYTES]; the memory limit (address space) is set before anything
else is imported or read.

The decision (opens, needs a password, active content) is qpdf's reading of the structure
(contracts.pdf_active); the text for search is pypdf's.

Output: {"pages": int, "text_status": "ok"|"empty"|"failed"|"timeout", "text": str} or
{"error": code, "detail": ...} with code one of not_pdf, truncated, needs_password,
unreadable (detail: qpdf's reason), no_pages, too_many_revisions, active_content (detail:
list of findings in Indonesian).
"""

import json
import logging
import resource
import signal
import sys
from io import BytesIO
from pathlib import Path

UNREADABLE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError, RuntimeError)


class TextTimeout(Exception):
    pass


def extract_text(reader, seconds, max_chars):
    def expire(*_):
        raise TextTimeout

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    parts, length = [], 0
    try:
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
            if length >= max_chars:
                break
    except TextTimeout:
        return "timeout", "\n".join(parts)[:max_chars]
    except Exception:  # any parser failure here only means "no text"
        return "failed", "\n".join(parts)[:max_chars]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    text = "\n".join(parts)[:max_chars].replace("\x00", "")
    return ("ok" if text.strip() else "empty"), text


def inspect(path, text_seconds, max_chars):
    import pikepdf

    from contracts import pdf_active

    data = Path(path).read_bytes()
    if not data.startswith(pdf_active.PDF_HEADER):
        return {"error": "not_pdf"}
    if b"%%EOF" not in data:
        return {"error": "truncated"}
    try:
        pdf = pdf_active.open_pdf(data)
    except pdf_active.NeedsPassword:
        return {"error": "needs_password"}
    except pdf_active.Unreadable as error:
        return {"error": "unreadable", "detail": str(error)}
    with pdf:
        try:
            page_count = len(pdf.pages)
            if page_count < 1:
                return {"error": "no_pages"}
            problems = pdf_active.active_content(pdf, data)
        except pdf_active.TooManyRevisions:
            return {"error": "too_many_revisions"}
        except (pikepdf.PdfError, *UNREADABLE_ERRORS) as error:
            return {"error": "unreadable", "detail": pdf_active.plain_reason(error)}
        if problems:
            return {"error": "active_content", "detail": problems}
        source = BytesIO(data)
        if pdf.is_encrypted:
            # An owner password only restricts printing or copying; the text is for search.
            source = BytesIO()
            pdf.save(source, encryption=False)
            source.seek(0)
    text_status, text = _text(source, text_seconds, max_chars)
    return {"pages": page_count, "text_status": text_status, "text": text}


def _text(source, text_seconds, max_chars):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(source, strict=False)
    except (PyPdfError, *UNREADABLE_ERRORS):
        return "failed", ""
    return extract_text(reader, text_seconds, max_chars)


def main():
    if len(sys.argv) > 4:
        limit = int(sys.argv[4])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.disable(logging.CRITICAL)  # pypdf's warnings about sloppy files are not errors here
    path, text_seconds, max_chars = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    json.dump(inspect(path, text_seconds, max_chars), sys.stdout)


if __name__ == "__main__":
    main()
