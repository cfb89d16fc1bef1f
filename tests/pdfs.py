"""PDFs made in the tests: good ones, and each kind of bad one the intake must refuse."""

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from contracts.samples import make_pdf


def good_pdf(title="Dokumen uji", lines=("Isi dokumen uji.",), pages=1):
    return make_pdf(title, list(lines), pages=pages)


def _rewrite(data, change):
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf():
    return _rewrite(good_pdf(), lambda writer: writer.encrypt("rahasia"))


def javascript_pdf():
    def add_script(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('halo')"),
            }
        )

    return _rewrite(good_pdf(), add_script)


def launch_on_open_pdf():
    def add_launch(writer):
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {
                NameObject("/O"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("calc.exe"),
                    }
                )
            }
        )

    return _rewrite(good_pdf(), add_launch)


def truncated_pdf():
    data = good_pdf(pages=3)
    return data[: len(data) // 2]


def zero_page_pdf():
    out = BytesIO()
    PdfWriter().write(out)
    return out.getvalue()
