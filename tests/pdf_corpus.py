"""A corpus of PDFs written object by object in the tests: active content of every kind in every
place the intake must look, each spelled three ways, and the benign look-alikes it must accept.

The files are written by hand (a small writer below) rather than by a PDF library, because a
library would normalise exactly what the corpus needs to vary: `#xx`-escaped names, objects
packed in compressed object streams, several revisions, orphan objects.
"""

import io
import random
import zlib
from dataclasses import dataclass

import pikepdf
from PIL import Image

SPELLINGS = ("plain", "escaped", "object-stream")


# --- a minimal PDF writer ----------------------------------------------------------------


@dataclass
class Stream:
    dictionary: str
    data: bytes
    compress: bool = True


def name(text, spelling):
    """A PDF name; with the escaped spelling every other letter is written as #xx."""
    if spelling != "escaped":
        return f"/{text}"
    return "/" + "".join(f"#{ord(ch):02X}" if i % 2 == 0 else ch for i, ch in enumerate(text))


def write_pdf(objects, *, spelling="plain", version="1.7"):
    """Bytes of a PDF whose object N is `objects[N]` (a str body or a Stream); object 1 is the
    catalog. With the object-stream spelling every non-stream object is packed into one
    compressed object stream and the cross-reference is a stream too."""
    out = io.BytesIO()
    out.write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
    offsets = {}
    packed = {}
    if spelling == "object-stream":
        packed = {n: body for n, body in objects.items() if not isinstance(body, Stream)}
    for number in sorted(objects):
        if number in packed:
            continue
        offsets[number] = out.tell()
        out.write(_object_bytes(number, objects[number]))
    size = max(objects) + 1
    if not packed:
        xref_at = out.tell()
        out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for number in range(1, size):
            if number in offsets:
                out.write(f"{offsets[number]:010d} 00000 n \n".encode())
            else:
                out.write(b"0000000000 65535 f \n")
        out.write(
            f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )
        return out.getvalue()
    objstm_number, xref_number = size, size + 1
    header, bodies = [], []
    position = 0
    for number in sorted(packed):
        body = packed[number].encode("latin-1") + b"\n"
        header.append(f"{number} {position}")
        bodies.append(body)
        position += len(body)
    head = (" ".join(header) + "\n").encode()
    offsets[objstm_number] = out.tell()
    out.write(
        _object_bytes(
            objstm_number,
            Stream(f"/Type /ObjStm /N {len(packed)} /First {len(head)}", head + b"".join(bodies)),
        )
    )
    offsets[xref_number] = out.tell()
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    index_in_stream = {number: i for i, number in enumerate(sorted(packed))}
    for number in range(1, xref_number + 1):
        if number in packed:
            rows.append(
                b"\x02"
                + objstm_number.to_bytes(4, "big")
                + index_in_stream[number].to_bytes(2, "big")
            )
        elif number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big"))
    out.write(
        _object_bytes(
            xref_number,
            Stream(
                f"/Type /XRef /Size {xref_number + 1} /W [1 4 2] /Root 1 0 R",
                b"".join(rows),
            ),
        )
    )
    out.write(f"startxref\n{offsets[xref_number]}\n%%EOF\n".encode())
    return out.getvalue()


def _object_bytes(number, body):
    if isinstance(body, Stream):
        data = zlib.compress(body.data) if body.compress else body.data
        filters = " /Filter /FlateDecode" if body.compress else ""
        return (
            (
                f"{number} 0 obj\n<< {body.dictionary}{filters} /Length {len(data)} >>\nstream\n"
            ).encode("latin-1")
            + data
            + b"\nendstream\nendobj\n"
        )
    return f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")


def append_revision(data, objects, *, root=1):
    """An incremental update: `objects` appended after the file, with a cross-reference section
    pointing back at the previous one, as a PDF editor saves."""
    previous = int(data.rstrip().rsplit(b"startxref", 1)[1].split()[0])
    out = io.BytesIO()
    out.write(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(_object_bytes(number, objects[number]))
    xref_at = out.tell()
    out.write(b"xref\n")
    for number in sorted(offsets):
        out.write(f"{number} 1\n{offsets[number]:010d} 00000 n \n".encode())
    size = max(max(objects) + 1, _size(data))
    out.write(
        f"trailer\n<< /Size {size} /Root {root} 0 R /Prev {previous} >>\n"
        f"startxref\n{xref_at}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _size(data):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return int(pdf.trailer.Size)


# --- a plain one-page document, and places to hang things on it ----------------------------

PAGE_TEXT = "BT /F1 14 Tf 72 760 Td (Kerangka Acuan Kerja Pembangunan Jalan Desa) Tj ET"


def base_objects(*, catalog_extra="", page_extra="", text=PAGE_TEXT):
    return {
        1: f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
        2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            f"/Resources << /Font << /F1 5 0 R >> >> {page_extra} >>"
        ),
        4: Stream("", text.encode("latin-1")),
        5: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }


def action_body(kind, n):
    """The action dictionary of one kind of active content; `n` spells its names."""
    s = f"{n('S')}"
    return {
        "javascript": f"<< {s} {n('JavaScript')} {n('JS')} (app.alert\\(1\\)) >>",
        "javascript-untyped": f"<< {n('JS')} (app.launchURL\\('http://contoh.test'\\)) >>",
        "launch": f"<< {s} {n('Launch')} {n('F')} (C:\\\\Windows\\\\System32\\\\calc.exe) >>",
        "submit-form": (
            f"<< {s} {n('SubmitForm')} {n('F')} << /FS /URL /F (https://contoh.test/ambil) >> >>"
        ),
        "import-data": f"<< {s} {n('ImportData')} {n('F')} (data.fdf) >>",
        "goto-remote": f"<< {s} {n('GoToR')} {n('F')} (//server/berkas.pdf) /D [0 /Fit] >>",
        "goto-embedded": f"<< {s} {n('GoToE')} /T << /R /C /N (lampiran.pdf) >> /D [0 /Fit] >>",
        "javascript-uri": f"<< {s} {n('URI')} {n('URI')} (  JavaScript:app.alert\\(1\\)) >>",
        "file-uri": f"<< {s} {n('URI')} {n('URI')} (file:///C:/Windows/System32/calc.exe) >>",
    }[kind]


ACTION_KINDS = (
    "javascript",
    "javascript-untyped",
    "launch",
    "submit-form",
    "import-data",
    "goto-remote",
    "goto-embedded",
    "javascript-uri",
    "file-uri",
)
ACTION_WORDS = {
    "javascript": "aksi JavaScript",
    "javascript-untyped": "aksi JavaScript",
    "launch": "Launch",
    "submit-form": "SubmitForm",
    "import-data": "ImportData",
    "goto-remote": "GoToR",
    "goto-embedded": "GoToE",
    "javascript-uri": "tautan javascript:",
    "file-uri": "tautan file:",
}

ACTION_PLACES = (
    "open-action",
    "document-trigger",
    "page-trigger",
    "link",
    "link-trigger",
    "bookmark",
    "nested-bookmark",
    "form-field",
    "form-field-calculate",
    "next-chain",
    "orphan",
)
PLACE_WORDS = {
    "open-action": "saat dokumen dibuka",
    "document-trigger": "pemicu otomatis dokumen",
    "page-trigger": "pemicu otomatis halaman",
    "link": "tautan (anotasi Link) di halaman 1",
    "link-trigger": "tautan (anotasi Link) di halaman 1",
    "bookmark": "penanda buku (bookmark)",
    "nested-bookmark": "penanda buku (bookmark)",
    "form-field": "isian formulir (AcroForm) di halaman 1",
    "form-field-calculate": "isian formulir (AcroForm) di halaman 1",
    "next-chain": "saat dokumen dibuka",
    "orphan": "objek lepas",
}


def action_pdf(kind, place, spelling="plain"):
    """A one-page PDF whose object 10 is an action of `kind`, reached from `place`."""

    def n(text):
        return name(text, spelling)

    action = action_body(kind, n)
    rect = "/Rect [72 700 300 720]"
    catalog, page = "", ""
    extra = {}
    if place == "open-action":
        catalog = f"{n('OpenAction')} 10 0 R"
    elif place == "document-trigger":
        catalog = f"{n('AA')} << /WC 10 0 R >>"
    elif place == "page-trigger":
        page = f"{n('AA')} << /O 10 0 R >>"
    elif place == "link":
        page = "/Annots [11 0 R]"
        extra[11] = (
            f"<< /Type /Annot {n('Subtype')} {n('Link')} {rect} /Border [0 0 0] /A 10 0 R >>"
        )
    elif place == "link-trigger":
        page = "/Annots [11 0 R]"
        extra[11] = f"<< /Type /Annot /Subtype /Link {rect} {n('AA')} << /E 10 0 R >> >>"
    elif place == "bookmark":
        catalog = f"{n('Outlines')} 12 0 R"
        extra[12] = "<< /Type /Outlines /First 13 0 R /Last 13 0 R /Count 1 >>"
        extra[13] = "<< /Title (Daftar isi) /Parent 12 0 R /A 10 0 R >>"
    elif place == "nested-bookmark":
        catalog = "/Outlines 12 0 R"
        extra[12] = "<< /Type /Outlines /First 13 0 R /Last 13 0 R /Count 2 >>"
        extra[13] = (
            "<< /Title (Bab I) /Parent 12 0 R /First 14 0 R /Last 14 0 R /Count 1 "
            "/Dest [3 0 R /Fit] >>"
        )
        extra[14] = f"<< /Title (Bab I.1) /Parent 13 0 R {n('A')} 10 0 R >>"
    elif place in ("form-field", "form-field-calculate"):
        # A field three levels deep: anggaran > rincian > jumlah (the widget on the page).
        catalog = f"{n('AcroForm')} << /Fields [14 0 R] >>"
        page = "/Annots [16 0 R]"
        extra[14] = "<< /T (anggaran) /Kids [15 0 R] >>"
        extra[15] = "<< /T (rincian) /Parent 14 0 R /Kids [16 0 R] >>"
        trigger = "/A 10 0 R" if place == "form-field" else f"{n('AA')} << /C 10 0 R >>"
        extra[16] = (
            f"<< /Type /Annot /Subtype /Widget /FT /Tx /T (jumlah) /Parent 15 0 R {rect} "
            f"/P 3 0 R {trigger} >>"
        )
    elif place == "next-chain":
        catalog = "/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [17 0 R] >>"
        extra[17] = f"<< /S /GoTo /D [3 0 R /XYZ 0 842 0] {n('Next')} 10 0 R >>"
    elif place != "orphan":
        raise ValueError(place)
    objects = base_objects(catalog_extra=catalog, page_extra=page)
    objects[10] = action
    objects.update(extra)
    return write_pdf(objects, spelling=spelling)


# --- active content that is not an action ----------------------------------------------------

OTHER_KINDS = (
    "javascript-name-tree",
    "xfa",
    "rich-media",
    "3d",
    "movie",
    "embedded-executable",
    "embedded-html",
    "attached-executable",
    "embedded-pdf-with-javascript",
)
OTHER_WORDS = {
    "javascript-name-tree": "pustaka JavaScript dokumen",
    "xfa": "formulir XFA",
    "rich-media": "anotasi media kaya (RichMedia)",
    "3d": "anotasi 3D",
    "movie": "anotasi film (Movie)",
    "embedded-executable": "lampiran tertanam “setup.exe” berjenis .exe",
    "embedded-html": "lampiran tertanam “petunjuk.html” berjenis .html",
    "attached-executable": "lampiran tertanam “faktur.exe” berjenis .exe",
    "embedded-pdf-with-javascript": "aksi JavaScript saat dokumen dibuka (OpenAction) di dalam",
}
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))


def other_pdf(kind, spelling="plain"):
    def n(text):
        return name(text, spelling)

    rect = "/Rect [72 500 300 700]"
    catalog, page = "", ""
    extra = {}
    if kind == "javascript-name-tree":
        catalog = f"/Names << {n('JavaScript')} 20 0 R >>"
        extra[20] = "<< /Names [(init) 21 0 R] >>"
        extra[21] = "<< /S /JavaScript /JS 22 0 R >>"
        extra[22] = Stream("", b"app.alert('halo');")
    elif kind == "xfa":
        catalog = f"{n('AcroForm')} << /Fields [] {n('XFA')} 20 0 R >>"
        extra[20] = Stream("", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    elif kind in ("rich-media", "3d", "movie"):
        subtype = {"rich-media": "RichMedia", "3d": "3D", "movie": "Movie"}[kind]
        page = "/Annots [20 0 R]"
        extra[20] = f"<< /Type /Annot {n('Subtype')} {n(subtype)} {rect} >>"
    elif kind in ("embedded-executable", "embedded-html", "embedded-pdf-with-javascript"):
        filename, content = {
            "embedded-executable": ("setup.exe", EXECUTABLE),
            "embedded-html": ("petunjuk.html", b"<html><script>alert(1)</script></html>"),
            "embedded-pdf-with-javascript": (
                "lampiran.pdf",
                action_pdf("javascript", "open-action"),
            ),
        }[kind]
        catalog = f"/Names << {n('EmbeddedFiles')} << /Names [({filename}) 20 0 R] >> >>"
        extra[20] = (
            f"<< /Type /Filespec /F ({filename}) /UF ({filename}) {n('EF')} << /F 21 0 R >> >>"
        )
        extra[21] = Stream("/Type /EmbeddedFile", content)
    elif kind == "attached-executable":
        page = "/Annots [20 0 R]"
        extra[20] = f"<< /Type /Annot /Subtype /FileAttachment {rect} /FS 21 0 R >>"
        extra[21] = f"<< /Type /Filespec /F (faktur.exe) {n('EF')} << /F 22 0 R >> >>"
        extra[22] = Stream("/Type /EmbeddedFile", EXECUTABLE)
    else:
        raise ValueError(kind)
    objects = base_objects(catalog_extra=catalog, page_extra=page)
    objects.update(extra)
    return write_pdf(objects, spelling=spelling)


def javascript_in_earlier_revision():
    """JavaScript added in one revision and removed in the next: still in the file."""
    first = write_pdf(base_objects())
    second = append_revision(
        first,
        {
            1: "<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>",
            10: "<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        },
    )
    return append_revision(second, {1: "<< /Type /Catalog /Pages 2 0 R >>"})


def javascript_in_incremental_update():
    return append_revision(
        write_pdf(base_objects()),
        {
            1: "<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>",
            10: "<< /S /Launch /F (calc.exe) >>",
        },
    )


def javascript_hidden_from_the_xref():
    """A script object the cross-reference table does not list: a reader that repairs the
    table (as many do when it looks broken) finds it and runs it on open."""
    data = write_pdf(base_objects(catalog_extra="/OpenAction 10 0 R"))
    hidden = b"10 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n"
    at = data.index(b"xref\n")
    head, _, _ = data[at:].partition(b"startxref\n")
    return data[:at] + hidden + head + f"startxref\n{at + len(hidden)}\n%%EOF\n".encode()


# --- benign look-alikes --------------------------------------------------------------------


def text_mentions_javascript():
    text = (
        "BT /F1 11 Tf 72 760 Td (Aplikasi dibangun dengan PHP/JavaScript; tautan /JS dan "
        "/Launch hanya kata.) Tj ET"
    )
    objects = base_objects(text=text)
    objects[1] = "<< /Type /Catalog /Pages 2 0 R /Metadata 7 0 R >>"
    objects[6] = (
        "<< /Title (KAK Sistem Informasi /JavaScript) /Keywords (JavaScript, /JS, /Launch, "
        "/OpenAction, /AA) /Subject (/S /JavaScript /JS app.alert) /Producer (Writer) >>"
    )
    objects[7] = Stream(
        "/Type /Metadata /Subtype /XML",
        b"<?xpacket begin=''?><x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
        b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
        b"xmlns:pdf='http://ns.adobe.com/pdf/1.3/' pdf:Keywords='/JavaScript /JS /Launch'/>"
        b"</rdf:RDF></x:xmpmeta><?xpacket end='w'?>",
        compress=False,
    )
    data = write_pdf(objects)
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 6 0 R >>")


def with_owner_password(data, *, aes=True, r=6):
    """`data` saved with an owner password and an empty user password, printing and copying
    forbidden, as office PDF exports and scanners save it."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(
            out,
            encryption=pikepdf.Encryption(
                owner="rahasia-kantor",
                user="",
                R=r,
                aes=aes,
                metadata=r >= 4,
                allow=pikepdf.Permissions(extract=False, print_highres=False, modify_other=False),
            ),
        )
        return out.getvalue()


def with_user_password(data):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="pemilik", user="buka-saya", R=6))
        return out.getvalue()


def with_trailing_padding(data, padding):
    return data + padding


def with_repaired_xref(data):
    """The same file with every cross-reference offset wrong by a few bytes: readers rebuild
    the table."""
    head, _, tail = data.partition(b"xref\n")
    lines = tail.split(b"\n")
    fixed = []
    for line in lines:
        if line[:10].isdigit() and line.rstrip().endswith(b" n"):
            offset = int(line[:10]) + 3
            line = f"{offset:010d}".encode() + line[10:]
        fixed.append(line)
    return head + b"xref\n" + b"\n".join(fixed)


def pdfa(pages=2):
    """A PDF/A-2B-shaped file: XMP identification, an sRGB output intent with its ICC profile,
    embedded-font-free text drawn as an image would be; what archiving exports produce."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    pdf = pikepdf.new()
    for _ in range(pages):
        _scan_page(pdf, random.Random(1), width=600, height=840, quality=70)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = "DPA Dinas Pekerjaan Umum 2019"
    profile = pdf.make_stream(icc)
    profile.N = 3
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB"),
                DestOutputProfile=profile,
            )
        ]
    )
    return _save(pdf)


def _save(pdf, **options):
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def _scan_page(pdf, rng, *, width, height, quality):
    """A page holding one JPEG of noise and strokes: the bytes of a scanner's output."""
    image = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    jpeg = pdf.make_stream(buffer.getvalue())
    jpeg.Type = pikepdf.Name.XObject
    jpeg.Subtype = pikepdf.Name.Image
    jpeg.Width, jpeg.Height = width, height
    jpeg.ColorSpace = pikepdf.Name.DeviceGray
    jpeg.BitsPerComponent = 8
    jpeg.Filter = pikepdf.Name.DCTDecode
    page = pikepdf.Page(pdf.add_blank_page(page_size=(595, 842)))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=jpeg))
    page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")


def scan(*, pages=3, megabytes=None, seed=0):
    """An image-only scan; with `megabytes`, about that size (random noise hardly compresses)."""
    rng = random.Random(seed)
    pdf = pikepdf.new()
    if megabytes:
        side = int((megabytes * 1024 * 1024 / pages) ** 0.5 * 0.97)
        for _ in range(pages):
            _scan_page(pdf, rng, width=side, height=side, quality=95)
    else:
        for _ in range(pages):
            _scan_page(pdf, rng, width=400, height=560, quality=60)
    return _save(pdf)


def random_content(seed, *, pages=2, streams=3, raw_size=4000, with_image=True):
    """A clean PDF whose pages carry compressed streams of random bytes (private data of a
    producer, fonts, thumbnails) and optionally an image: random bytes spell `/JS` and
    `/JavaScript` now and then, which must not matter."""
    rng = random.Random(seed)
    pdf = pikepdf.new()
    for number in range(pages):
        page = pikepdf.Page(pdf.add_blank_page(page_size=(595, 842)))
        text = f"BT /F1 12 Tf 72 760 Td (Halaman {number + 1} dokumen {seed}) Tj ET"
        page.obj.Contents = pdf.make_stream(text.encode())
        page.obj.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(
                F1=pikepdf.Dictionary(
                    Type=pikepdf.Name.Font,
                    Subtype=pikepdf.Name.Type1,
                    BaseFont=pikepdf.Name.Helvetica,
                )
            )
        )
        blobs = pikepdf.Array()
        for _ in range(streams):
            blob = rng.randbytes(rng.randint(raw_size // 4, raw_size))
            # Plant the old false alarm's bytes at random in some of them.
            if rng.random() < 0.5:
                at = rng.randint(0, len(blob))
                blob = (
                    blob[:at] + rng.choice([b"/JS", b"/JavaScript", b"/Launch", b"/AA"]) + blob[at:]
                )
            blobs.append(pdf.make_stream(blob))
        page.obj.PieceInfo = pikepdf.Dictionary(
            Kantor=pikepdf.Dictionary(Private=blobs, LastModified=pikepdf.String("D:20190101"))
        )
    if with_image:
        _scan_page(pdf, rng, width=200, height=200, quality=rng.randint(30, 95))
    mode = rng.choice(list(pikepdf.ObjectStreamMode))
    return _save(pdf, object_stream_mode=mode, compress_streams=rng.random() < 0.8)


def many_pages(pages):
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number in range(pages):
        page = pikepdf.Page(pdf.add_blank_page(page_size=(595, 842)))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        lines = " ".join(
            f"BT /F1 10 Tf 72 {780 - 14 * i} Td (Halaman {number + 1} baris {i}: rincian "
            f"belanja modal jalan desa Rp 1.250.000.000) Tj ET"
            for i in range(40)
        )
        page.obj.Contents = pdf.make_stream(lines.encode())
    return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def linearized(data):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return _save(pdf, linearize=True)


def incremental_update(data):
    """A benign incremental update: a signature-like save that adds a second page."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        size = int(pdf.trailer.Size)
        kids = ", ".join(f"{k.objgen[0]} 0 R" for k in pdf.Root.Pages.Kids).replace(",", "")
        pages_number = pdf.Root.Pages.objgen[0]
        count = len(pdf.pages)
        root_number = pdf.Root.objgen[0]
    page, contents = size, size + 1
    return append_revision(
        data,
        {
            pages_number: f"<< /Type /Pages /Kids [{kids} {page} 0 R] /Count {count + 1} >>",
            page: (
                f"<< /Type /Page /Parent {pages_number} 0 R /MediaBox [0 0 595 842] "
                f"/Contents {contents} 0 R >>"
            ),
            contents: Stream("", b"0 0 1 rg 72 72 200 200 re f"),
        },
        root=root_number,
    )


def benign_links_and_forms():
    """What office exports do put in: web and mail links, bookmarks to pages, a plain form
    field, a named "next page" action and an embedded CSV of the figures."""
    objects = base_objects(
        catalog_extra=(
            "/Outlines 12 0 R /AcroForm << /Fields [16 0 R] >> "
            "/Names << /EmbeddedFiles << /Names [(rincian.csv) 20 0 R] >> >>"
        ),
        page_extra="/Annots [11 0 R 15 0 R 16 0 R]",
    )
    objects.update(
        {
            11: (
                "<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] "
                "/A << /S /URI /URI (https://lpse.bojonegorokab.go.id/eproc4) >> >>"
            ),
            12: "<< /Type /Outlines /First 13 0 R /Last 14 0 R /Count 2 >>",
            13: "<< /Title (Bab I) /Parent 12 0 R /Next 14 0 R /Dest [3 0 R /Fit] >>",
            14: "<< /Title (Bab II) /Parent 12 0 R /Prev 13 0 R /A << /S /Named /N /NextPage >> >>",
            15: (
                "<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] "
                "/A << /S /URI /URI (mailto:ulp@bojonegorokab.go.id) >> >>"
            ),
            16: (
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (catatan) "
                "/Rect [72 500 300 520] /P 3 0 R >>"
            ),
            20: "<< /Type /Filespec /F (rincian.csv) /UF (rincian.csv) /EF << /F 21 0 R >> >>",
            21: Stream("/Type /EmbeddedFile", b"uraian;pagu\nJalan desa;1.250.000.000\n"),
        }
    )
    return write_pdf(objects)
