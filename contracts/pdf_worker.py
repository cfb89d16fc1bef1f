"""Reads one PDF in a process of its own and prints what it found as JSON.

Run by contracts.pdf under a time and memory limit, so that a hostile or broken file can
exhaust only this process, never a web worker. Usage: python -m contracts.pdf_worker PATH
TEXT_SECONDS MAX_CHARS
"""

import json
import logging
import re
import signal
import sys

# Actions that run code, start programs or send data somewhere without the reader asking.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/Rendition",
    "/RichMediaExecute",
    "/GoToE",
}
RAW_SCRIPT = re.compile(rb"/(JavaScript|JS)\b")


class TextTimeout(Exception):
    pass


def _resolve(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _action_problems(action, depth=0):
    action = _resolve(action)
    if not isinstance(action, dict) or depth > 20:
        return []
    problems = []
    subtype = action.get("/S")
    if subtype in ACTIVE_ACTIONS:
        problems.append(str(subtype)[1:])
    if "/JS" in action:
        problems.append("JavaScript")
    following = _resolve(action.get("/Next"))
    for item in following if isinstance(following, list) else [following]:
        problems.extend(_action_problems(item, depth + 1))
    return problems


def _triggers_problems(triggers):
    """An /AA dictionary: actions fired automatically (on open, on page view, on focus...)."""
    triggers = _resolve(triggers)
    problems = []
    if isinstance(triggers, dict):
        for action in triggers.values():
            problems.extend(_action_problems(action))
    return problems


def active_content(reader, raw):
    catalog = reader.trailer["/Root"]
    problems = []
    open_action = catalog.get("/OpenAction")
    if open_action is not None and isinstance(_resolve(open_action), dict):
        problems.extend(_action_problems(open_action))
    problems.extend(_triggers_problems(catalog.get("/AA")))
    names = _resolve(catalog.get("/Names"))
    if isinstance(names, dict) and "/JavaScript" in names:
        problems.append("JavaScript")
    acroform = _resolve(catalog.get("/AcroForm"))
    if isinstance(acroform, dict):
        for field in _resolve(acroform.get("/Fields")) or []:
            field = _resolve(field)
            if isinstance(field, dict):
                problems.extend(_action_problems(field.get("/A")))
                problems.extend(_triggers_problems(field.get("/AA")))
    for page in reader.pages:
        problems.extend(_triggers_problems(page.get("/AA")))
        for annotation in _resolve(page.get("/Annots")) or []:
            annotation = _resolve(annotation)
            if isinstance(annotation, dict):
                problems.extend(_action_problems(annotation.get("/A")))
                problems.extend(_triggers_problems(annotation.get("/AA")))
    if RAW_SCRIPT.search(raw):
        problems.append("JavaScript")
    return sorted(set(problems))


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
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return {"error": "encrypted"}
        page_count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {"error": "unreadable"}
    if page_count < 1:
        return {"error": "no_pages"}
    try:
        problems = active_content(reader, raw)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {"error": "unreadable"}
    if problems:
        return {"error": "active_content", "detail": problems}
    text_status, text = extract_text(reader, text_seconds, max_chars)
    return {"pages": page_count, "text_status": text_status, "text": text}


def main():
    logging.disable(logging.CRITICAL)  # pypdf's warnings about sloppy files are not errors here
    path, text_seconds, max_chars = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    json.dump(inspect(path, text_seconds, max_chars), sys.stdout)


if __name__ == "__main__":
    main()
