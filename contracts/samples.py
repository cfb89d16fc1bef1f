"""Small, real PDFs with readable text: for the demo packages and for the tests."""

from io import BytesIO

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

A4 = (595, 842)
LINES_PER_PAGE = 45


def _escape(line):
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text.encode("cp1252", errors="replace")


def _content(lines):
    body = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
    for line in lines:
        body.append(b"(" + _escape(line) + b") Tj T*")
    body.append(b"ET")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(body))
    return stream


def make_pdf(title, lines=(), *, pages=1):
    """A PDF of `pages` A4 pages: the title, then the lines, Helvetica, text extractable."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    all_lines = [title, "", *lines]
    for number in range(pages):
        chunk = all_lines[number * LINES_PER_PAGE : (number + 1) * LINES_PER_PAGE]
        page = writer.add_blank_page(*A4)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page[NameObject("/Contents")] = writer._add_object(
            _content(chunk or [f"Halaman {number + 1}"])
        )
    writer.add_metadata({"/Title": title, "/Producer": "Open Data Kontrak"})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
