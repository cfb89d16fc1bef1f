"""What in a PDF can act by itself: found by parsing the file with qpdf (pikepdf), never by
searching its bytes.

Why pikepdf rather than pypdf for this: qpdf is the reference implementation of the PDF
container (it reads every revision of an incremental update, object and cross-reference
streams, repairs broken cross-reference tables the way readers do, normalises `#xx`-escaped
names, and decrypts every standard security handler without another package), and it does so
in C++, so walking all the objects of a 3,000-page file takes a fraction of a second. pypdf
still reads the text (contracts.pdf_worker).

The file is read in several views, and every object of every view is walked:
- the file as a reader opens it (the newest revision);
- each earlier revision of an incrementally updated file (the file cut after each `%%EOF`):
  a reader's "show the signed version" and a repairing reader can both reach them;
- the file as a repairing reader rebuilds it when its cross-reference table is broken (every
  `N G obj` in the body, found by qpdf's own reconstruction).

What is refused, wherever it sits (document, page, annotation, bookmark, form field at any
depth, a chain of `/Next` actions, an object no one refers to):
- actions that run code, start programs, send or fetch data or open other files: JavaScript,
  Launch, SubmitForm, ImportData, GoToR, GoToE, Rendition, Movie, Sound, RichMediaExecute;
- a `/JS` script with no action type (tolerant readers run it as JavaScript);
- URI actions to anything but `http:`, `https:` and `mailto:` (`javascript:`, `file:`,
  `data:` ... would run or open something on the reader's machine);
- the document's JavaScript name tree, XFA forms;
- media annotations (RichMedia, 3D, Movie, Screen, Sound): each carries a player of its own
  (Flash, U3D scripts, media) that the reader starts on activation;
- embedded files other than PDFs that pass these same rules and plain text data (`.txt`,
  `.csv`, `.json`, UTF-8 without control characters): an attachment is opened by whatever
  program the citizen's computer has for it, and a published record has no need of one.

Words in page text, metadata (the Info dictionary, XMP) or keywords never count: only the
structure of the document does.
"""

import bisect
import json
import re
from dataclasses import dataclass, field
from io import BytesIO

import pikepdf

# Action types (/S) that act on the reader's machine or beyond the document, with how an
# operator should read them.
REFUSED_ACTIONS = {
    "/JavaScript": "aksi JavaScript",
    "/Launch": "aksi menjalankan program (Launch)",
    "/SubmitForm": "aksi mengirim isian ke alamat lain (SubmitForm)",
    "/ImportData": "aksi mengambil data dari berkas lain (ImportData)",
    "/GoToR": "aksi membuka berkas lain (GoToR)",
    "/GoToE": "aksi membuka berkas tertanam (GoToE)",
    "/Rendition": "aksi memutar media (Rendition)",
    "/Movie": "aksi memutar film (Movie)",
    "/Sound": "aksi memutar suara (Sound)",
    "/RichMediaExecute": "aksi menjalankan media kaya (RichMediaExecute)",
}
# Every action type of ISO 32000-2 §12.6.4: a dictionary whose /S is one of these is an action.
ACTION_TYPES = set(REFUSED_ACTIONS) | {
    "/GoTo",
    "/GoToDp",
    "/Thread",
    "/URI",
    "/Hide",
    "/Named",
    "/SetOCGState",
    "/Trans",
    "/GoTo3DView",
    "/ResetForm",
}
# Keys whose value a reader runs as an action (besides the entries of an /AA dictionary).
ACTION_KEYS = {"/A", "/OpenAction", "/Next", "/PA", "/Names"}
SAFE_URI_SCHEMES = {"http", "https", "mailto", "tel"}
TRAILER = (0, 0)
# Named actions that only move through the document (ISO 32000-2 §12.6.4.12, and the back and
# forward buttons office exports add); any other names a menu command of the reader.
NAVIGATION_NAMES = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage", "/GoBack", "/GoForward"}
FILE_NAME_KEYS = ("/UF", "/F", "/DOS", "/Mac", "/Unix")
MAX_CLIMB = 10_000
MEDIA_ANNOTATIONS = {
    "/RichMedia": "anotasi media kaya (RichMedia)",
    "/3D": "anotasi 3D",
    "/Movie": "anotasi film (Movie)",
    "/Screen": "anotasi layar media (Screen)",
    "/Sound": "anotasi suara (Sound)",
}
ANNOTATION_SUBTYPES = {
    "/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
    "/FileAttachment", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark", "/Redact",
    "/Projection",
} | set(MEDIA_ANNOTATIONS)  # fmt: skip
PDF_HEADER = b"%PDF-"
TEXT_ATTACHMENTS = {".txt", ".csv", ".json"}
MAX_EMBEDDED_DEPTH = 3
MAX_REVISIONS = 100
# Keys whose references never lead to where an action sits: back pointers of the structure
# tree and of annotations, and a page's resources. Not recorded in the map of who refers to
# whom, which keeps a 100,000-object tagged export within the worker's memory.
UNPLACED_KEYS = {
    "/P", "/Pg", "/K", "/Obj", "/Stm", "/StructParent", "/ParentTree", "/Resources", "/Font",
    "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/Properties",
    "/FontDescriptor", "/FontFile", "/FontFile2", "/FontFile3", "/Widths", "/ToUnicode",
    "/Encoding", "/DescendantFonts", "/CIDSystemInfo", "/Length", "/Metadata", "/Contents",
    "/Group", "/SMask", "/Mask", "/Thumb", "/OutputIntents", "/DestOutputProfile",
}  # fmt: skip
# Keys that point back up or sideways; a place is better named by who holds the object.
BACK_POINTERS = {"/Parent", "/P", "/Prev", "/Dest", "/D", "/Last", "/Popup", "/IRT"}


QPDF_PREFIX = re.compile(r"^(stream <[^>]*>|empty PDF|[^:]*\.pdf)?\s*(\([^)]*\))?: ")


class NeedsPassword(Exception):
    """The file opens only with a user password."""


class Unreadable(Exception):
    """qpdf cannot open the file; the message says why (without our temporary path)."""


class TooManyRevisions(Exception):
    pass


@dataclass
class Finding:
    what: str
    where: str = ""

    def __str__(self):
        return f"{self.what} {self.where}".strip()


@dataclass
class _View:
    """One reading of the file: every object, who refers to whom, and what was found."""

    pdf: pikepdf.Pdf
    depth: int
    objects: dict = field(default_factory=dict)  # objgen -> JSON value
    streams: set = field(default_factory=set)
    referrers: dict = field(default_factory=dict)  # objgen -> [(objgen, frames)]
    raw_findings: list = field(default_factory=list)  # (what, objgen, frames)
    # Findings that count only where a reader would run them: (what, objgen, frames, whether
    # an object nothing refers to counts).
    conditional: list = field(default_factory=list)
    attachments: dict = field(default_factory=dict)  # stream objgen -> {names}
    info: tuple | None = None
    pages: dict = field(default_factory=dict)  # objgen -> page number


def open_pdf(data):
    """Open bytes as qpdf does, with the empty password.

    Returns a pikepdf.Pdf; raises NeedsPassword or Unreadable(reason).
    """
    try:
        return pikepdf.open(BytesIO(data), password="")
    except pikepdf.PasswordError as error:
        raise NeedsPassword from error
    except (pikepdf.PdfError, ValueError, RuntimeError, OverflowError) as error:
        raise Unreadable(plain_reason(error)) from error


def plain_reason(error):
    """qpdf's message without what it prefixes it with: the name of the stream it read (our
    temporary file or buffer) and the byte offset; the operator needs the rest."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = QPDF_PREFIX.sub("", text, count=1)
    return text[:200]


def revision_ends(data):
    """Offsets just after each `%%EOF` marker (and its end of line): where each revision of an
    incrementally updated file ends. The last is the file as readers open it."""
    ends = []
    start = 0
    while (found := data.find(b"%%EOF", start)) != -1:
        end = found + 5
        while end < len(data) and data[end : end + 1] in (b"\r", b"\n"):
            end += 1
        ends.append(end)
        start = found + 5
    return ends


def active_content(pdf, data, depth=0):
    """Every finding in the file `data` already opened as `pdf`, as sorted unique strings.

    Raises TooManyRevisions when the file holds more revisions than MAX_REVISIONS.
    """
    # Where the body defines its objects, found once and read by every view below.
    headers = list(OBJECT_START.finditer(data))
    aliases = _aliases(data, headers)
    xref_streams = set()
    findings = {str(f) for f in _findings(pdf, depth, aliases, xref_streams)}
    ends = revision_ends(data)
    if len(ends) > MAX_REVISIONS:
        raise TooManyRevisions
    try:
        listed = set(pdf.get_xref_table())
    except (pikepdf.PdfError, ValueError, RuntimeError, AttributeError):
        listed = None
    for view_data, where in _other_views(data, ends, listed, xref_streams, headers):
        try:
            view_pdf = pikepdf.open(BytesIO(view_data), password="")
        except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RuntimeError):
            continue  # a cut that is not a revision, or a view qpdf cannot rebuild
        with view_pdf:
            for finding in _findings(view_pdf, depth, aliases):
                text = str(finding)
                if text not in findings and f"{text} ({where})" not in findings:
                    findings.add(f"{text} ({where})")
    return sorted(findings)


def _other_views(data, ends, listed=None, xref_streams=(), headers=None):
    """The earlier revisions, then the file as a repairing reader rebuilds it (a `startxref`
    that points nowhere makes qpdf scan the body for every object), one at a time: a file of
    many revisions never holds more than one copy in memory.

    A revision ends with `startxref N %%EOF`; a marker with no new `startxref` before it
    (padding, a marker inside a stream) or one repeating an earlier offset is no revision.
    """
    offsets = set()
    revisions = []
    previous = 0
    for end in ends:
        segment = data[previous:end]
        previous = end
        at = segment.rfind(b"startxref")
        if at == -1:
            continue
        words = segment[at + 9 :].split()
        if not words or not words[0].isdigit() or words[0] in offsets:
            continue
        offsets.add(words[0])
        revisions.append(end)
    if revisions and data.find(b"startxref", revisions[-1]) == -1:
        revisions.pop()  # the file as readers open it: already read
    for end in revisions:
        yield data[:end], "revisi lama"
    # qpdf's repair finds an object only where its `N G obj` starts a line; PDFium and pdf.js
    # find it anywhere (`endobj 1 0 obj <<...` on one line). The repaired views read a copy
    # of the file with a line break before every object that does not start a line (and
    # always read it: the table's offsets no longer match that copy).
    if headers is None:
        headers = list(OBJECT_START.finditer(data))
    normalized = _objects_on_their_own_lines(data, headers)
    if normalized is not None:
        data, ends, listed = normalized, revision_ends(normalized), None
        headers = list(OBJECT_START.finditer(data))
    defined, blanks, positions = _definitions(ends, headers)
    # A cross-reference stream in the body that no startxref names: a reader repairing a
    # damaged file may take its table (pdf.js and PDFium do, qpdf does not), and with it
    # objects held in object streams that nothing else lists.
    for objgen in sorted(xref_streams):
        for at in positions.get(objgen, ()):
            if str(at).encode() not in offsets:
                pointed = data + b"\nstartxref\n%d\n%%%%EOF\n" % at
                yield pointed, "tabel rujukan lain di dalam berkas"
    if blanks or listed is None or not defined <= listed:
        # Only a file with objects its tables do not list, or defined twice, reads otherwise
        # when repaired: an ordinary file is not read a second time.
        yield data + b"\nstartxref\n0\n%%EOF\n", "objek di luar tabel rujukan"
    if blanks:
        copy = bytearray(data)
        for at in blanks:
            copy[at : at + 3] = b"   "
        yield bytes(copy) + b"\nstartxref\n0\n%%EOF\n", "salinan objek yang ganda"


# White space, and comments, between the tokens of an object's header.
WHITE = rb"(?:[ \t\r\n\f\x00]|%[^\r\n]*[\r\n])+"
OBJECT_START = re.compile(rb"(?<![0-9])([0-9]{1,10})" + WHITE + rb"([0-9]{1,5})" + WHITE + rb"obj")


def _objects_on_their_own_lines(data, headers):
    """`data` with a line break before every object header (of `headers`, its OBJECT_START
    matches) that does not start a line, or None when every one does (as in any ordinary
    file)."""
    inserts = [
        match.start()
        for match in headers
        if match.start() > 0 and data[match.start() - 1 : match.start()] not in (b"\r", b"\n")
    ]
    if not inserts:
        return None
    pieces, previous = [], 0
    for at in inserts:
        pieces += [data[previous:at], b"\n"]
        previous = at
    pieces.append(data[previous:])
    return b"".join(pieces)


def _definitions(ends, headers):
    """Every (number, generation) the body defines with `N G obj`, and where to blank the
    later definitions of an object defined twice within one revision: the file as a
    repairing reader that keeps the *first* definition (pdf.js; qpdf and PDFium keep the last)
    rebuilds it. An ordinary file defines each object once per revision."""
    defined = set()
    blanks = []
    positions = {}
    seen = {}  # (number, generation) -> the revision it was last defined in
    for match in headers:
        key = (int(match[1]), int(match[2]))
        revision = bisect.bisect_right(ends, match.start())
        if seen.get(key) == revision:
            blanks.append(match.end() - 3)
        seen[key] = revision
        defined.add(key)
        positions.setdefault(key, []).append(match.start())
    return defined, blanks, positions


ALIAS_BODY = re.compile(
    WHITE + rb"([0-9]{1,10})" + WHITE + rb"([0-9]{1,5})" + WHITE + rb"R" + WHITE + rb"endobj"
)


def _aliases(data, headers):
    """Objects whose whole body is a reference (`7 0 obj 8 0 R endobj`): qpdf reads the body
    as the number 8, PDFium follows the reference. Read here as PDFium does."""
    aliases = {}
    for header in headers:
        body = ALIAS_BODY.match(data, header.end())
        if body:
            aliases[(int(header[1]), int(header[2]))] = f"{int(body[1])} {int(body[2])} R"
    return aliases


def _findings(pdf, depth, aliases=None, xref_streams=None):
    view = _View(pdf=pdf, depth=depth)
    info = pdf.trailer.get("/Info")
    if info is not None and info.is_indirect:
        view.info = info.objgen
    try:
        view.pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
    except (pikepdf.PdfError, ValueError, RuntimeError):
        view.pages = {}
    # Every object first, so that a value given by reference (an action type, a link's
    # address, an attachment's name) is read whatever the order of the objects.
    for obj in pdf.objects:
        # None: a number the cross-reference table lists with nothing behind it; a Python int,
        # Decimal or bool: an indirect number (LibreOffice and Ghostscript write every stream's
        # /Length so), which can hold nothing active.
        if not isinstance(obj, pikepdf.Object):
            continue
        try:
            value = json.loads(obj.to_json(dereference=True, schema_version=2))
        except (pikepdf.PdfError, ValueError, RuntimeError, AttributeError, TypeError):
            continue
        view.objects[obj.objgen] = value
        if obj._type_code == pikepdf.ObjectType.stream:
            view.streams.add(obj.objgen)
            if xref_streams is not None and value.get("/Type") == "/XRef":
                xref_streams.add(obj.objgen)
    for objgen, ref in (aliases or {}).items():
        view.objects.setdefault(objgen, ref)
    for objgen, value in view.objects.items():
        if isinstance(value, dict) and value.get("/Type") == "/EmbeddedFile":
            view.attachments.setdefault(objgen, set())
        _walk(view, objgen, value, ())
    # The trailer may hold the catalog itself rather than a reference to it.
    try:
        trailer = json.loads(pdf.trailer.to_json(dereference=True, schema_version=2))
    except (pikepdf.PdfError, ValueError, RuntimeError, AttributeError, TypeError):
        trailer = {}
    _walk(view, TRAILER, trailer, ())
    view.raw_findings.extend(
        (what, objgen, frames)
        for what, objgen, frames, orphan_counts in view.conditional
        if _reached_as_action(view, objgen, frames, orphan_counts)
    )
    found = [
        Finding(what, _place(view, objgen, frames) if objgen else "")
        for what, objgen, frames in view.raw_findings
    ]
    found.extend(_attachment_findings(view))
    return found


def _is_ref(value):
    return isinstance(value, str) and value.endswith(" R") and value[:1].isdigit()


def _objgen(ref):
    number, generation, _ = ref.split()
    return int(number), int(generation)


def _resolve(view, value):
    """A value given by reference, followed to what it refers to (None when nothing)."""
    for _ in range(16):
        if not _is_ref(value):
            return value
        value = view.objects.get(_objgen(value))
    return None


def _final(view, ref):
    """The object a reference ends at, through objects that are references themselves."""
    objgen = _objgen(ref)
    for _ in range(16):
        value = view.objects.get(objgen)
        if not _is_ref(value):
            break
        objgen = _objgen(value)
    return objgen


def _walk(view, objgen, value, frames):
    if isinstance(value, dict):
        _examine(view, objgen, value, frames)
        items = value.items()
    elif isinstance(value, list):
        # An array's items are named by the key that holds the array; an array that is an
        # object of its own has no container and no key.
        container, key = frames[-1] if frames else ({}, None)
        items = ((key, item) for item in value)
        frames = frames[:-1]
        value = container
    else:
        return
    for key, child in items:
        if isinstance(child, (dict, list)):
            _walk(view, objgen, child, (*frames, (value, key)))
        elif key not in UNPLACED_KEYS and _is_ref(child):
            view.referrers.setdefault(_objgen(child), []).append((objgen, (*frames, (value, key))))


def _examine(view, objgen, d, frames):
    action = _name(view, d.get("/S"))
    is_info = objgen == view.info and not frames
    if action == "/JavaScript" and _only_field_formatting(_script_text(view, d.get("/JS"))):
        action = None  # a date or number field as office suites write it; see below
    elif action in REFUSED_ACTIONS:
        finding = (REFUSED_ACTIONS[action], objgen, frames)
        if _resolve(view, d.get("/Type")) == "/StructElem":
            # A tagged PDF's structure element names its role with /S too (a custom role
            # could be called "Sound"); it counts only where a reader would run it, which
            # an element nothing refers to (as the tree refers to it: not recorded) is not.
            view.conditional.append((*finding, False))
        else:
            view.raw_findings.append(finding)
    elif (
        "/JS" in d
        and action not in ACTION_TYPES
        and _is_script(view, d["/JS"])
        and not _only_field_formatting(_script_text(view, d["/JS"]))
    ):
        finding = (REFUSED_ACTIONS["/JavaScript"], objgen, frames)
        if is_info:
            # The document information may carry any key as metadata; a script there counts
            # only if something runs the dictionary as an action.
            view.conditional.append((*finding, False))
        else:
            view.raw_findings.append(finding)
    if action == "/URI":
        problem = _link_problem(_address(view, d.get("/URI")))
        if problem:
            view.raw_findings.append((problem, objgen, frames))
    elif action == "/Thread" and "/F" in d:
        view.raw_findings.append(("aksi membuka utas di berkas lain (Thread)", objgen, frames))
    elif action == "/Named":
        name = _name(view, d.get("/N"))
        if isinstance(name, str) and name not in NAVIGATION_NAMES:
            view.raw_findings.append((f"aksi perintah menu ({name[1:]})", objgen, frames))
    if "/Base" in d and _held_under(view, objgen, frames, "/URI"):
        # The base every relative link of the document is read against.
        problem = _link_problem(_address(view, d.get("/Base")))
        if problem:
            view.raw_findings.append((f"alamat dasar {problem}", objgen, frames))
    scripts = _resolve(view, d.get("/JavaScript"))
    if isinstance(scripts, dict) and ("/Names" in scripts or "/Kids" in scripts):
        # A name tree under the key /JavaScript: the document's own scripts, run on opening
        # (a structure role map may name a role "JavaScript": a name, not a tree).
        view.raw_findings.append(("pustaka JavaScript dokumen (name tree)", None, ()))
    if "/XFA" in d and ("/Fields" in d or _held_under(view, objgen, frames, "/AcroForm")):
        xfa = d["/XFA"]
        is_stream = _is_ref(xfa) and _final(view, xfa) in view.streams
        if is_stream or isinstance(_resolve(view, xfa), list):
            view.raw_findings.append(("formulir XFA", objgen, frames))
    if "/AdditionalStreams" in d and not frames and objgen == TRAILER:
        view.raw_findings.append(
            ("dokumen ODF tertanam (PDF hibrida LibreOffice: matikan pilihan “PDF hibrida”)",
             None, ())
        )  # fmt: skip
    subtype = _name(view, d.get("/Subtype"))
    if subtype in MEDIA_ANNOTATIONS and (
        "/Rect" in d or _resolve(view, d.get("/Type")) == "/Annot"
    ):
        view.raw_findings.append((MEDIA_ANNOTATIONS[subtype], objgen, frames))
    embedded = _resolve(view, d.get("/EF"))
    if isinstance(embedded, dict):
        names = {_text(view, d.get(key)) for key in FILE_NAME_KEYS} - {""}
        for stream in embedded.values():
            if _is_ref(stream):
                view.attachments.setdefault(_final(view, stream), set()).update(names)


def _link_problem(uri):
    """What is wrong with a link's address, or "" for a web or mail address (or none).

    An address without a scheme is refused too: a reader resolves it against the document's
    own location, a file share (`\\\\server\\share`) or the local disk."""
    shown = "".join(ch for ch in uri if ch.isprintable()).strip()
    if not shown:
        return ""
    scheme = _scheme(uri)
    if scheme in SAFE_URI_SCHEMES or (not scheme and shown.startswith("#")):
        return ""  # a web, mail or telephone address, or a place in this document
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    if scheme:
        return f"tautan {scheme}: ({shown})"
    return f"tautan ke berkas atau jaringan lokal ({shown})"


def _reached_as_action(view, objgen, frames, orphan_counts, depth=0):
    """Whether a reader would run this dictionary as an action: it sits under an action key,
    in a trigger (/AA) dictionary or a name tree's values (or, if `orphan_counts`, nothing at
    all refers to it)."""
    if frames and frames[-1][1] is not None:
        return _action_slot(frames, view, objgen)
    if depth > 32:
        return True
    referrers = view.referrers.get(objgen, ())
    if not referrers:
        return orphan_counts
    return any(
        _reached_as_action(view, parent, parent_frames, False, depth + 1)
        for parent, parent_frames in referrers
    )


def _action_slot(frames, view=None, objgen=None):
    """Whether the value at the end of `frames` is run as an action: under an action key, or
    an entry of a trigger (/AA) dictionary, written in place or as an object of its own."""
    key = frames[-1][1]
    if key in ACTION_KEYS or (len(frames) > 1 and frames[-2][1] == "/AA"):
        return True
    if len(frames) == 1 and view is not None:
        return _held_under(view, objgen, (), "/AA")
    return False


def _held_under(view, objgen, frames, key):
    """Whether the dictionary at `frames` in object `objgen` is the value of `key`, written in
    place or referred to."""
    if frames:
        return frames[-1][1] == key
    return any(
        parent_frames and parent_frames[-1][1] == key
        for _, parent_frames in view.referrers.get(objgen, ())
    )


# Acrobat's own field-formatting functions (Acrobat JavaScript API reference, AForm): they
# only format, check or limit what is typed into a field. LibreOffice and Word write them for
# every date, time, number, currency or percent field of a PDF form.
FIELD_FORMATTING = {
    "AFNumber_Format", "AFNumber_Keystroke", "AFPercent_Format", "AFPercent_Keystroke",
    "AFDate_Format", "AFDate_FormatEx", "AFDate_Keystroke", "AFDate_KeystrokeEx",
    "AFTime_Format", "AFTime_FormatEx", "AFTime_Keystroke", "AFTime_KeystrokeEx",
    "AFSpecial_Format", "AFSpecial_Keystroke", "AFSpecial_KeystrokeEx", "AFRange_Validate",
}  # fmt: skip
LITERAL = r"""(?:"[^"\\\n]*"|'[^'\\\n]*'|-?[0-9]+(?:\.[0-9]+)?|true|false)"""
FORMATTING_CALL = re.compile(
    rf"\s*([A-Za-z_]+)\(\s*(?:{LITERAL}\s*(?:,\s*{LITERAL}\s*)*)?\)\s*;?\s*"
)


def _only_field_formatting(script):
    """Whether a script is nothing but calls of Acrobat's field-formatting functions with
    literal arguments (`AFDate_FormatEx("dd/mm/yyyy");`): read as a tiny grammar, a call at
    a time; anything else in it, and it is a script like any other."""
    if not script or not script.strip():
        return False
    position = 0
    while position < len(script):
        call = FORMATTING_CALL.match(script, position)
        if call is None or call[1] not in FIELD_FORMATTING:
            return False
        position = call.end()
    return True


def _script_text(view, value):
    """The text of a /JS value, a string or a stream; "" when it is neither."""
    if _is_ref(value) and _final(view, value) in view.streams:
        try:
            return view.pdf.get_object(_final(view, value)).read_bytes().decode("latin-1")
        except (pikepdf.PdfError, ValueError, RuntimeError):
            return ""
    return _text(view, value)


def _name(view, value):
    """A PDF name (direct or by reference) as qpdf writes it ("/Launch"); None otherwise."""
    value = _resolve(view, value)
    return value if isinstance(value, str) and value.startswith("/") else None


def _is_script(view, value):
    """Whether a /JS value is a script: a string or a stream (a destination named "JS" in a
    document's list of destinations is an array, a structure role "JS" a name)."""
    if _is_ref(value) and _final(view, value) in view.streams:
        return True
    value = _resolve(view, value)
    return isinstance(value, str) and value.startswith(("u:", "b:"))


def _address(view, value):
    """A link's address: a string, or a name (PDFium reads `/file:#2F#2F...` as one)."""
    value = _resolve(view, value)
    if isinstance(value, str) and value.startswith("/"):
        raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), value[1:].encode())
        return raw.decode("latin-1")
    return _text(view, value)


def _text(view, value):
    """A PDF string (direct or by reference) as Python text; "" for anything else."""
    value = _resolve(view, value)
    if not isinstance(value, str):
        return ""
    if value.startswith("u:"):
        return value[2:]
    if value.startswith("b:"):
        return bytes.fromhex(value[2:]).decode("latin-1")
    return ""


def _scheme(uri):
    """The scheme of a URI as a reader sees it: whitespace and control characters dropped."""
    cleaned = "".join(ch for ch in uri if ch.isprintable() and not ch.isspace())
    scheme, colon, _ = cleaned.partition(":")
    if not colon or not scheme or not scheme[0].isalpha():
        return ""
    if not all(ch.isalnum() or ch in "+-." for ch in scheme):
        return ""
    return scheme.lower()


def _kind(d):
    """What a dictionary is, for naming where something was found."""
    kind = d.get("/Type")
    subtype = d.get("/Subtype")
    if kind == "/Catalog":
        return "catalog"
    if kind == "/Page":
        return "page"
    if subtype == "/Widget" or "/FT" in d:
        return "field"
    if subtype in ANNOTATION_SUBTYPES and ("/Rect" in d or kind == "/Annot"):
        return "annotation"
    if kind == "/Outlines" or (
        "/Title" in d and any(key in d for key in ("/Parent", "/Next", "/Prev", "/First"))
    ):
        return "outline"
    if "/T" in d and ("/Kids" in d or "/Parent" in d):
        return "field"
    if kind == "/Filespec" or "/EF" in d:
        return "filespec"
    return None


def _place_name(kind, d, key, names_key):
    if kind == "catalog":
        if key == "/OpenAction":
            return "saat dokumen dibuka (OpenAction)"
        if key == "/AA":
            return "pada pemicu otomatis dokumen (AA)"
        if names_key == "/JavaScript":
            return "pada pustaka JavaScript dokumen (name tree)"
        if key == "/Names":
            return "pada daftar nama dokumen (Names)"
        if key == "/AcroForm":
            return "pada formulir dokumen (AcroForm)"
        return "pada katalog dokumen"
    if kind == "page":
        if key == "/AA":
            return "pada pemicu otomatis halaman (AA)"
        return "pada halaman"
    if kind == "field":
        return "pada isian formulir (AcroForm)"
    if kind == "annotation":
        if d.get("/Subtype") == "/Link":
            return "pada tautan (anotasi Link)"
        return f"pada anotasi {d.get('/Subtype', '')[1:]}".strip()
    if kind == "outline":
        return "pada penanda buku (bookmark)"
    if kind == "filespec":
        return "pada lampiran tertanam"
    return ""


def _place(view, objgen, frames):
    """Where a finding sits, as the operator knows it ("pada penanda buku (bookmark)",
    "pada tautan (anotasi Link) di halaman 3"): the nearest known container around it, then,
    through whoever refers to its object, the page it is on."""
    place, page = _climb(view, objgen, frames)
    if not place:
        place = "pada halaman" if page else ""
    if page:
        return f"pada halaman {page}" if place == "pada halaman" else f"{place} di halaman {page}"
    return place


def _climb(view, objgen, frames):
    place = ""
    seen = set()
    first = True
    while len(seen) < MAX_CLIMB:
        names_key = None
        for container, key in reversed(frames):
            if key == "/JavaScript":
                names_key = key
            kind = _kind(container)
            if kind is None:
                continue
            if not place:
                place = _place_name(kind, container, key, names_key)
            if kind == "page":
                return place, view.pages.get(objgen)
            if kind in ("outline", "catalog", "filespec"):
                return place, None  # never on a page
        seen.add(objgen)
        referrers = [r for r in view.referrers.get(objgen, ()) if r[0] not in seen]
        if first and not place and not frames and not view.referrers.get(objgen):
            own = view.objects.get(objgen)
            if isinstance(own, dict) and _kind(own) == "page":
                return "pada halaman", view.pages.get(objgen)
            return f"pada objek lepas yang tidak dirujuk (objek {objgen[0]})", None
        first = False
        if not referrers:
            return place, None
        # A page's annotation list names the page; other forward pointers come next.
        referrers.sort(key=lambda r: (r[1][-1][1] != "/Annots", r[1][-1][1] in BACK_POINTERS))
        objgen, frames = referrers[0]
    return place, None


def _attachment_findings(view):
    found = []
    for objgen, names in sorted(view.attachments.items()):
        if objgen not in view.streams:
            continue
        try:
            content = view.pdf.get_object(objgen).read_bytes()
        except (pikepdf.PdfError, ValueError, RuntimeError):
            label = _attachment_label(sorted(names)[0] if names else "")
            found.append(Finding(f"{label} yang tidak dapat dibaca"))
            continue
        for name in sorted(names) or [""]:
            found.extend(_attachment_problems(content, name, view.depth))
    return found


def _attachment_label(name):
    return f"lampiran tertanam “{name}”" if name else "lampiran tertanam tanpa nama"


def _attachment_problems(content, name, depth):
    """An attachment is accepted as a PDF that passes these same rules or as plain text data;
    each of its names must say which of the two it is (a name without a suffix, or no name,
    may be either)."""
    label = _attachment_label(name)
    suffix = _suffix(name)
    is_pdf = content.startswith(PDF_HEADER)
    if suffix == ".pdf" or (not suffix and is_pdf):
        if not is_pdf:
            return [Finding(f"{label} yang bukan PDF")]
        return _embedded_pdf_findings(content, label, depth)
    if suffix in TEXT_ATTACHMENTS or not suffix:
        if _plain_text(content):
            return []
        if suffix:
            return [Finding(f"{label} yang bukan teks biasa")]
        return [Finding(f"{label} yang bukan PDF atau teks biasa")]
    return [Finding(f"{label} berjenis {suffix}")]


def _embedded_pdf_findings(content, label, depth):
    if depth + 1 >= MAX_EMBEDDED_DEPTH:
        return [Finding(f"{label} berisi PDF bersarang terlalu dalam")]
    try:
        inner = open_pdf(content)
    except NeedsPassword:
        return [Finding(f"{label} berupa PDF berkata sandi")]
    except Unreadable:
        return [Finding(f"{label} berupa PDF rusak")]
    with inner:
        try:
            inner_findings = active_content(inner, content, depth + 1)
        except TooManyRevisions:
            return [Finding(f"{label} berupa PDF dengan terlalu banyak revisi")]
    return [Finding(f"{finding} di dalam {label}") for finding in inner_findings]


def _suffix(name):
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    return "." + base.rsplit(".", 1)[1].strip().lower()


def _plain_text(content):
    """Text a person could read in any editor: UTF-8 or UTF-16 (with its byte-order mark) or
    Windows-1252 (Excel's CSVs on Indonesian Windows), with no control characters but tabs,
    line ends and form feeds."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    return False
