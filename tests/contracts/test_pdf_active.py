"""What the intake refuses as active content and what it lets through, decided by parsing.

The corpus (tests/pdf_corpus.py) is written object by object here, so each kind of active
content sits in each place a reader would act on it, spelled with plain names, `#xx`-escaped
names and inside a compressed object stream. The decision is the worker's, called in this
process; tests/contracts/test_pdf_intake.py sends one of each kind through the admin form.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import pdf_active
from contracts.pdf_worker import inspect
from tests import pdf_corpus as corpus


def decide(tmp_path, data):
    path = tmp_path / "berkas.pdf"
    path.write_bytes(data)
    return inspect(str(path), 10, 100_000)


def refused_for(result):
    assert result.get("error") == "active_content", result
    return result["detail"]


@pytest.mark.parametrize("spelling", corpus.SPELLINGS)
@pytest.mark.parametrize("place", corpus.ACTION_PLACES)
@pytest.mark.parametrize("kind", corpus.ACTION_KINDS)
def test_every_action_in_every_place_and_spelling_is_refused_and_named(
    tmp_path, kind, place, spelling
):
    findings = refused_for(decide(tmp_path, corpus.action_pdf(kind, place, spelling)))
    assert any(
        corpus.ACTION_WORDS[kind] in finding and corpus.PLACE_WORDS[place] in finding
        for finding in findings
    ), findings


@pytest.mark.parametrize("spelling", corpus.SPELLINGS)
@pytest.mark.parametrize("kind", corpus.OTHER_KINDS)
def test_scripts_forms_media_and_attachments_are_refused_and_named(tmp_path, kind, spelling):
    findings = refused_for(decide(tmp_path, corpus.other_pdf(kind, spelling)))
    assert any(corpus.OTHER_WORDS[kind] in finding for finding in findings), findings


def test_the_escaped_names_really_are_escaped_in_the_file():
    data = corpus.action_pdf("javascript", "bookmark", "escaped")
    assert b"/JavaScript" not in data and b"/#4Aa#76a#53c#72i#70t" in data


def test_the_object_stream_spelling_hides_the_action_from_a_byte_search():
    data = corpus.action_pdf("launch", "link", "object-stream")
    assert b"/Launch" not in data and b"/ObjStm" in data


def test_an_action_removed_in_a_later_revision_still_counts(tmp_path):
    findings = refused_for(decide(tmp_path, corpus.javascript_in_earlier_revision()))
    assert "aksi JavaScript saat dokumen dibuka (OpenAction) (revisi lama)" in findings


def test_an_action_added_by_an_incremental_update_counts(tmp_path):
    findings = refused_for(decide(tmp_path, corpus.javascript_in_incremental_update()))
    assert findings == ["aksi menjalankan program (Launch) saat dokumen dibuka (OpenAction)"]


def test_a_script_left_out_of_the_cross_reference_table_counts(tmp_path):
    findings = refused_for(decide(tmp_path, corpus.javascript_hidden_from_the_xref()))
    assert findings == [
        "aksi JavaScript saat dokumen dibuka (OpenAction) (objek di luar tabel rujukan)"
    ]


def test_a_clean_embedded_pdf_and_csv_are_accepted_but_an_active_one_is_not(tmp_path):
    assert "pages" in decide(tmp_path, corpus.benign_links_and_forms())
    findings = refused_for(decide(tmp_path, corpus.other_pdf("embedded-pdf-with-javascript")))
    assert findings == [
        "aksi JavaScript saat dokumen dibuka (OpenAction) di dalam lampiran tertanam “lampiran.pdf”"
    ]


BENIGN = {
    "text-and-metadata-mention-javascript": corpus.text_mentions_javascript,
    "links-bookmarks-plain-field-csv": corpus.benign_links_and_forms,
    "owner-password-aes256": lambda: corpus.with_owner_password(corpus.text_mentions_javascript()),
    "owner-password-aes128": lambda: corpus.with_owner_password(
        corpus.text_mentions_javascript(), r=4
    ),
    "owner-password-rc4": lambda: corpus.with_owner_password(
        corpus.text_mentions_javascript(), aes=False, r=3
    ),
    "padding-of-zeros": lambda: corpus.write_pdf(corpus.base_objects()) + b"\x00" * 4096,
    "padding-of-noise": lambda: corpus.write_pdf(corpus.base_objects()) + bytes(range(256)) * 16,
    "padding-of-blank-lines": lambda: corpus.write_pdf(corpus.base_objects()) + b"\r\n \r\n" * 50,
    "pdf-a": corpus.pdfa,
    "image-only-scan": corpus.scan,
    "incremental-update": lambda: corpus.incremental_update(
        corpus.write_pdf(corpus.base_objects())
    ),
    "linearised": lambda: corpus.linearized(corpus.many_pages(30)),
    "repaired-cross-reference": lambda: corpus.with_repaired_xref(
        corpus.write_pdf(corpus.base_objects())
    ),
    "object-streams": lambda: corpus.write_pdf(corpus.base_objects(), spelling="object-stream"),
}


@pytest.mark.parametrize("kind", BENIGN)
def test_benign_look_alikes_are_accepted(tmp_path, kind):
    result = decide(tmp_path, BENIGN[kind]())
    assert result.get("pages", 0) >= 1, result


def test_three_thousand_pages_are_accepted_and_counted(tmp_path):
    result = decide(tmp_path, corpus.many_pages(3000))
    assert result["pages"] == 3000
    assert "Halaman 1 baris 0: rincian belanja modal" in result["text"]


def test_owner_password_files_give_their_text_for_search(tmp_path):
    result = decide(tmp_path, corpus.with_owner_password(corpus.text_mentions_javascript()))
    assert "PHP/JavaScript" in result["text"]


def test_a_file_that_needs_a_password_to_open_is_refused(tmp_path):
    data = corpus.with_user_password(corpus.write_pdf(corpus.base_objects()))
    assert decide(tmp_path, data) == {"error": "needs_password"}


def test_an_unopenable_file_is_refused_with_the_librarys_reason(tmp_path):
    result = decide(tmp_path, b"%PDF-1.7\n%%EOF\n")
    assert result["error"] == "unreadable"
    assert result["detail"] == "unable to find trailer dictionary while recovering damaged file"


def test_something_before_the_header_is_not_a_pdf(tmp_path):
    data = b"<html><script>alert(1)</script></html>\n" + corpus.write_pdf(corpus.base_objects())
    assert decide(tmp_path, data) == {"error": "not_pdf"}


@pytest.mark.parametrize(
    ("uri", "refused"),
    [
        ("https://lpse.bojonegorokab.go.id", False),
        ("HTTP://contoh.test/a", False),
        ("mailto:ulp@contoh.go.id", False),
        ("", False),
        ("dokumen/lampiran.html", True),
        ("\\\\\\\\evil.example\\\\share\\\\a.exe", True),
        ("//evil.example/a.exe", True),
        ("javascript:alert(1)", True),
        (" java\tscript:alert(1)", True),
        ("JAVASCRIPT:alert(1)", True),
        ("file:///etc/passwd", True),
        ("data:text/html,<script>alert(1)</script>", True),
        ("vbscript:msgbox", True),
        ("smb://server/share", True),
    ],
)
def test_link_schemes(tmp_path, uri, refused):
    escaped = uri.replace("(", "\\(").replace(")", "\\)")
    objects = corpus.base_objects(page_extra="/Annots [11 0 R]")
    objects[11] = LINK + f"/A << /S /URI /URI ({escaped}) >> >>"
    result = decide(tmp_path, corpus.write_pdf(objects))
    assert (result.get("error") == "active_content") is refused, result


@pytest.mark.parametrize(
    ("filename", "content", "refused"),
    [
        ("rincian.csv", b"a;b\n1;2\n", False),
        ("catatan.txt", "Catatan rapat \u2014 tanpa skrip\n".encode(), False),
        ("data.json", b'{"pagu": 1250000000}', False),
        ("rincian.csv", b"MZ\x90\x00\x03\x00binary", True),
        ("skrip.js", b"app.alert(1)", True),
        ("gambar.svg", b"<svg onload='alert(1)'/>", True),
        ("makro.docm", b"PK\x03\x04", True),
        ("tanpa-nama", b"\x7fELF\x02\x01", True),
    ],
)
def test_attachments(tmp_path, filename, content, refused):
    objects = corpus.base_objects(
        catalog_extra=f"/Names << /EmbeddedFiles << /Names [({filename}) 20 0 R] >> >>"
    )
    objects[20] = f"<< /Type /Filespec /F ({filename}) /EF << /F 21 0 R >> >>"
    objects[21] = corpus.Stream("/Type /EmbeddedFile", content)
    result = decide(tmp_path, corpus.write_pdf(objects))
    assert (result.get("error") == "active_content") is refused, result


def test_too_many_revisions_is_refused_not_walked_forever(tmp_path):
    data = corpus.write_pdf(corpus.base_objects())
    data += b"%%EOF\n" * (pdf_active.MAX_REVISIONS + 1)
    assert decide(tmp_path, data) == {"error": "too_many_revisions"}


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    pages=st.integers(min_value=1, max_value=6),
    streams=st.integers(min_value=0, max_value=6),
    raw_size=st.integers(min_value=16, max_value=60_000),
    with_image=st.booleans(),
)
def test_clean_pdfs_with_random_compressed_and_image_content_are_never_refused(
    tmp_path, seed, pages, streams, raw_size, with_image
):
    data = corpus.random_content(
        seed, pages=pages, streams=streams, raw_size=raw_size, with_image=with_image
    )
    result = decide(tmp_path, data)
    assert result.get("pages", 0) >= pages, result


def test_a_tagged_pdfs_structure_roles_are_not_actions(tmp_path):
    # Word and LibreOffice write each paragraph style as a structure role; any name is possible.
    objects = corpus.base_objects(
        catalog_extra="/StructTreeRoot 30 0 R /MarkInfo << /Marked true >>"
    )
    objects[30] = "<< /Type /StructTreeRoot /K [31 0 R 32 0 R] /RoleMap << /Sound /P >> >>"
    objects[31] = "<< /Type /StructElem /S /Sound /P 30 0 R /Pg 3 0 R /K 0 >>"
    objects[32] = "<< /Type /StructElem /S /Movie /P 30 0 R /Pg 3 0 R /K 1 >>"
    assert decide(tmp_path, corpus.write_pdf(objects))["pages"] == 1


def test_an_action_dressed_as_a_structure_element_is_still_an_action(tmp_path):
    objects = corpus.base_objects(catalog_extra="/OpenAction 10 0 R")
    objects[10] = "<< /Type /StructElem /S /Launch /F (calc.exe) >>"
    assert refused_for(decide(tmp_path, corpus.write_pdf(objects))) == [
        "aksi menjalankan program (Launch) saat dokumen dibuka (OpenAction)"
    ]


@pytest.mark.parametrize("kind", ["javascript-uri", "launch", "javascript"])
def test_active_content_under_an_owner_password_is_found(tmp_path, kind):
    data = corpus.with_owner_password(corpus.action_pdf(kind, "link", "object-stream"))
    assert b"javascript:" not in data.lower()  # its strings are encrypted
    findings = refused_for(decide(tmp_path, data))
    assert any(corpus.ACTION_WORDS[kind] in finding for finding in findings), findings


# --- found by a tester who did not write the intake -------------------------------------------


def one_page(catalog="", page="", **objects):
    built = corpus.base_objects(catalog_extra=catalog, page_extra=page)
    built.update({int(number[1:]): body for number, body in objects.items()})
    return corpus.write_pdf(built)


def test_the_document_information_run_as_an_action_counts(tmp_path):
    data = one_page(
        "/OpenAction 6 0 R", o6="<< /Title (Renja) /S /JavaScript /JS (app.alert\\(1\\)) >>"
    )
    data = data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 6 0 R >>")
    assert refused_for(decide(tmp_path, data)) == [
        "aksi JavaScript saat dokumen dibuka (OpenAction)"
    ]


def test_a_metadata_key_named_js_is_only_metadata(tmp_path):
    data = one_page(o6="<< /Title (Renja) /JS (bukan skrip) /JavaScript (kata) >>")
    data = data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Info 6 0 R >>")
    assert decide(tmp_path, data)["pages"] == 1


MZ = corpus.Stream("", corpus.EXECUTABLE)
LINK = "<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "


@pytest.mark.parametrize(
    ("objects", "named"),
    [
        # /EF given by reference, the stream without /Type
        (
            {"o20": "<< /F (a.exe) /UF (a.exe) /EF 21 0 R >>", "o21": "<< /F 22 0 R >>", "o22": MZ},
            "a.exe",
        ),
        # one stream, two records: the dangerous name counts whatever the order
        (
            {
                "o20": "<< /F (evil.hta) /EF << /F 22 0 R >> >>",
                "o21": "<< /F (data.txt) /EF << /F 22 0 R >> >>",
                "o22": corpus.Stream("/Type /EmbeddedFile", b"<script>alert(1)</script>"),
            },
            "evil.hta",
        ),
        # the name given by reference, after the record
        (
            {"o20": "<< /F (x) /UF 23 0 R /EF << /F 22 0 R >> >>", "o22": MZ, "o23": "(evil.hta)"},
            "evil.hta",
        ),
        # a harmless /UF beside a dangerous /F, or a name in /DOS only
        ({"o20": "<< /UF (data.txt) /F (evil.hta) /EF << /F 22 0 R >> >>", "o22": MZ}, "evil.hta"),
        ({"o20": "<< /DOS (EVIL.EXE) /EF << /DOS 22 0 R >> >>", "o22": MZ}, "EVIL.EXE"),
    ],
    ids=["ef-by-reference", "shared-stream", "name-by-reference", "two-names", "dos-name"],
)
def test_attachments_are_judged_by_every_name_and_reference(tmp_path, objects, named):
    objects = {**objects, "o21": objects.get("o21", "<< /Type /Filespec /F (n.txt) >>")}
    catalog = "/Names << /EmbeddedFiles << /Names [(a) 20 0 R (b) 21 0 R] >> >>"
    findings = refused_for(decide(tmp_path, one_page(catalog, **objects)))
    assert any(f"“{named}”" in finding for finding in findings), findings


@pytest.mark.parametrize(
    "content",
    [
        "uraian;luas\nGedung 120 m²;suhu 25 °C\n".encode("cp1252"),
        "Catatan rapat\r\n".encode("utf-16"),
        b"\xef\xbb\xbfuraian,pagu\nJalan,1\n",
    ],
    ids=["excel-cp1252", "utf-16", "utf-8-bom"],
)
def test_text_attachments_in_office_encodings_are_accepted(tmp_path, content):
    catalog = "/Names << /EmbeddedFiles << /Names [(rincian.csv) 20 0 R] >> >>"
    data = one_page(
        catalog,
        o20="<< /Type /Filespec /F (rincian.csv) /EF << /F 21 0 R >> >>",
        o21=corpus.Stream("/Type /EmbeddedFile", content),
    )
    assert decide(tmp_path, data)["pages"] == 1


@pytest.mark.parametrize(
    ("page", "objects", "words"),
    [
        (
            "/Annots [8 0 R]",
            {
                "o8": LINK + "/A << /S /URI /URI 9 0 R >> >>",
                "o9": "(file:///C:/Windows/System32/calc.exe)",
            },
            "tautan file:",
        ),
        (
            "/Annots [8 0 R]",
            {
                "o8": LINK + "/A << /S 9 0 R /F (calc.exe) >> >>",
                "o9": "/Launch",
            },
            "Launch",
        ),
        (
            "/Annots [8 0 R]",
            {"o8": "<< /Type /Annot /Subtype 9 0 R /Rect [0 0 9 9] >>", "o9": "/RichMedia"},
            "RichMedia",
        ),
        (
            "/Annots [8 0 R]",
            {"o8": LINK + "/A << /Type /StructElem /S /SubmitForm >> >>"},
            "SubmitForm",
        ),
        (
            "/Annots 8 0 R",
            {
                "o8": "[9 0 R]",
                "o9": LINK + "/A << /S /Launch /F (x.exe) >> >>",
            },
            "(Launch) pada tautan (anotasi Link) di halaman 1",
        ),
        (
            "/Annots [8 0 R]",
            {"o8": LINK + "/A << /S /Thread /F (lain.pdf) /D 0 >> >>"},
            "Thread",
        ),
        (
            "/Annots [8 0 R]",
            {"o8": LINK + "/A << /S /Named /N /Print >> >>"},
            "perintah menu (Print)",
        ),
    ],
    ids=[
        "uri-by-reference",
        "type-by-reference",
        "subtype-by-reference",
        "dressed-as-structure",
        "indirect-annotation-array",
        "remote-thread",
        "named-print",
    ],
)
def test_values_by_reference_and_other_disguises_are_refused(tmp_path, page, objects, words):
    findings = refused_for(decide(tmp_path, one_page(page=page, **objects)))
    assert any(words in finding for finding in findings), findings


def test_a_base_address_for_links_must_be_a_web_address(tmp_path):
    findings = refused_for(decide(tmp_path, one_page("/URI << /Base (javascript:alert\\(1\\)) >>")))
    assert findings == [
        "alamat dasar tautan javascript: (javascript:alert(1)) pada katalog dokumen"
    ]


def test_a_long_chain_of_next_actions_still_says_where(tmp_path):
    objects = {f"o{n}": f"<< /S /GoTo /D [3 0 R /Fit] /Next {n + 1} 0 R >>" for n in range(10, 210)}
    objects["o210"] = "<< /S /Launch /F (calc.exe) >>"
    findings = refused_for(decide(tmp_path, one_page("/OpenAction 10 0 R", **objects)))
    assert findings == ["aksi menjalankan program (Launch) saat dokumen dibuka (OpenAction)"]


@pytest.mark.parametrize(
    "page",
    ["/Annots [99 0 R]", "/Annots [5 3 R]", "/Annots [] /Thumb 98 0 R"],
    ids=["missing-object", "wrong-generation", "missing-thumbnail"],
)
def test_a_reference_to_nothing_is_no_reason_to_refuse(tmp_path, page):
    assert decide(tmp_path, one_page(page=page))["pages"] == 1


def test_a_page_whose_text_contains_the_end_marker_is_accepted(tmp_path):
    data = corpus.write_pdf(corpus.base_objects(text="BT /F1 9 Tf 72 700 Td (%%EOF) Tj ET"))
    assert decide(tmp_path, data)["pages"] == 1


def test_named_navigation_is_accepted(tmp_path):
    link = LINK + "/A << /S /Named /N /{} >> >>"
    objects = {
        f"o{20 + i}": link.format(n)
        for i, n in enumerate(["NextPage", "PrevPage", "FirstPage", "LastPage", "GoBack"])
    }
    data = one_page(page="/Annots [20 0 R 21 0 R 22 0 R 23 0 R 24 0 R]", **objects)
    assert decide(tmp_path, data)["pages"] == 1


def test_end_markers_that_close_no_revision_are_not_read_again():
    data = corpus.many_pages(3) + b"\n%%EOF\n" * 50
    views = list(pdf_active._other_views(data, pdf_active.revision_ends(data)))
    assert [where for _, where in views] == ["objek di luar tabel rujukan"]
    updated = corpus.incremental_update(corpus.write_pdf(corpus.base_objects()))
    views = list(pdf_active._other_views(updated, pdf_active.revision_ends(updated)))
    assert [where for _, where in views] == ["revisi lama", "objek di luar tabel rujukan"]


# --- found by a second tester ------------------------------------------------------------------


def test_indirect_numbers_as_office_suites_write_them_are_accepted(tmp_path):
    # LibreOffice, Ghostscript and cairo write every stream's /Length as an object of its own.
    text = b"BT /F1 14 Tf 72 760 Td (Dokumen LibreOffice) Tj ET"
    objects = corpus.base_objects(catalog_extra="/Lang 7 0 R /Threshold 8 0 R /Flag 9 0 R")
    objects[4] = f"<< /Length 6 0 R >>\nstream\n{text.decode()}\nendstream"
    objects.update({6: str(len(text)), 7: "(id-ID)", 8: "0.5", 9: "true"})
    result = decide(tmp_path, corpus.write_pdf(objects))
    assert result["pages"] == 1 and "Dokumen LibreOffice" in result["text"]


@pytest.mark.parametrize(
    "holder",
    [
        ("/AA 9 0 R", ""),  # a page's triggers as an object of their own
        ("", "/AA 9 0 R"),  # the document's
    ],
)
def test_a_structure_element_in_an_indirect_trigger_dictionary_is_an_action(tmp_path, holder):
    catalog, page = holder[1], holder[0]
    data = one_page(
        catalog,
        page,
        o9="<< /O 10 0 R /WC 10 0 R >>",
        o10="<< /Type /StructElem /S /JavaScript /JS (app.alert\\(1\\)) >>",
    )
    assert any("aksi JavaScript" in f for f in refused_for(decide(tmp_path, data)))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("/file:#2F#2F#2FC:#2FWindows#2FSystem32#2Fcalc.exe", "tautan file:"),
        ("/#5C#5Chost#5Cshare#5Cx.exe", "tautan ke berkas atau jaringan lokal"),
    ],
)
def test_a_link_address_written_as_a_name_is_read_as_an_address(tmp_path, name, words):
    data = one_page(page="/Annots [6 0 R]", o6=LINK + f"/A << /S /URI /URI {name} >> >>")
    assert any(words in f for f in refused_for(decide(tmp_path, data)))


def test_a_base_address_given_by_reference_is_checked(tmp_path):
    data = one_page("/URI 7 0 R", o7="<< /Base (javascript:alert\\(1\\)//) >>")
    assert any("alamat dasar tautan javascript:" in f for f in refused_for(decide(tmp_path, data)))


def test_structure_roles_named_javascript_or_xfa_are_only_roles(tmp_path):
    data = one_page(
        "/StructTreeRoot 7 0 R /MarkInfo << /Marked true >>",
        o7="<< /Type /StructTreeRoot /RoleMap << /JavaScript /Code /XFA /Form >> >>",
    )
    assert decide(tmp_path, data)["pages"] == 1


def hand_written(bodies, *, point_at=None, comment_in_xref=False, start=None):
    """A file whose objects are `bodies` [(number, text)] in that order, its table pointing
    each number at `point_at[number]` (an index into bodies) or at its last body."""
    out = bytearray(b"%PDF-1.7\n")
    where = []
    for number, body in bodies:
        where.append((number, len(out)))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    offsets = {number: at for number, at in where}
    for number, index in (point_at or {}).items():
        offsets[number] = where[index][1]
    table, size = len(out), max(offsets) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += b"% a comment qpdf does not allow here\n" if comment_in_xref else b""
    for number in range(1, size):
        out += (
            f"{offsets[number]:010d} 00000 n \n".encode()
            if number in offsets
            else b"0000000000 65535 f \n"
        )
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{start or table}\n%%EOF\n".encode()
    return bytes(out)


PAGES = [
    (1, "<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"),
    (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    (3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"),
]
SCRIPT = "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
HARMLESS = "<< /S /GoTo /D [3 0 R /Fit] >>"


def test_an_object_defined_twice_counts_in_the_copy_a_first_copy_reader_keeps(tmp_path):
    # pdf.js reads this table and runs the first copy; qpdf and PDFium repair it and keep
    # the last: the first copy must be read as well.
    data = hand_written([(6, SCRIPT), *PAGES, (6, HARMLESS)], point_at={6: 0}, comment_in_xref=True)
    findings = refused_for(decide(tmp_path, data))
    assert any("aksi JavaScript saat dokumen dibuka" in f for f in findings), findings


def test_a_repair_that_keeps_the_last_copy_does_not_hide_the_first(tmp_path):
    data = hand_written([(6, SCRIPT), *PAGES, (6, HARMLESS)], start=5)
    assert any("aksi JavaScript" in f for f in refused_for(decide(tmp_path, data)))


def test_an_object_defined_twice_with_nothing_active_is_accepted(tmp_path):
    data = hand_written([(6, HARMLESS), *PAGES, (6, HARMLESS)], start=5)
    assert decide(tmp_path, data)["pages"] == 1


# --- found by a third tester, with real LibreOffice and Chromium output --------------------------


@pytest.mark.parametrize("name", ["S", "Subtype", "JS", "XFA", "JavaScript", "EF", "URI"])
def test_named_destinations_of_any_name_are_destinations(tmp_path, name):
    # Chromium and LibreOffice write anchors as keys of the catalog's /Dests: "#S" gives /S.
    data = one_page(f"/Dests << /{name} [3 0 R /XYZ 0 792 0] /Other [3 0 R /Fit] >>")
    assert decide(tmp_path, data)["pages"] == 1


def test_a_paragraph_style_named_js_is_a_role(tmp_path):
    data = one_page(
        "/StructTreeRoot 7 0 R",
        o7="<< /Type /StructTreeRoot /RoleMap << /JS /P /S /P /Launch /Span >> >>",
    )
    assert decide(tmp_path, data)["pages"] == 1


def test_telephone_links_and_links_into_the_document_are_accepted(tmp_path):
    data = one_page(
        page="/Annots [6 0 R 7 0 R]",
        o6=LINK + "/A << /S /URI /URI (tel:+62353881826) >> >>",
        o7=LINK + "/A << /S /URI /URI (#'Rincian'!A1) >> >>",
    )
    assert decide(tmp_path, data)["pages"] == 1


def test_a_catalog_written_inside_the_trailer_is_read(tmp_path):
    data = corpus.write_pdf(corpus.base_objects())
    inline = (
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
    )
    data = data.replace(b"/Root 1 0 R", b"/Root " + inline)
    assert any("aksi JavaScript" in f for f in refused_for(decide(tmp_path, data)))


def test_xfa_given_by_reference_to_an_array_is_refused(tmp_path):
    data = one_page(
        "/AcroForm << /Fields [] /XFA 7 0 R >>",
        o7="[(xdp) 8 0 R]",
        o8=corpus.Stream("", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"),
    )
    assert any("formulir XFA" in f for f in refused_for(decide(tmp_path, data)))


@pytest.mark.parametrize(
    ("alias", "stream"),
    [("8 0 R", "/Type /EmbeddedFile"), ("%komentar\n8 0 R", "")],
    ids=["bare", "with-a-comment"],
)
def test_an_attachment_behind_an_object_that_is_only_a_reference_is_judged(tmp_path, alias, stream):
    catalog = "/Names << /EmbeddedFiles << /Names [(laporan.exe) 20 0 R] >> >>"
    data = one_page(
        catalog,
        o20="<< /Type /Filespec /F (laporan.exe) /EF << /F 7 0 R >> >>",
        o7=alias,
        o8=corpus.Stream(stream, corpus.EXECUTABLE),
    )
    findings = refused_for(decide(tmp_path, data))
    assert any("“laporan.exe” berjenis .exe" in f for f in findings), findings


def test_a_libreoffice_hybrid_pdf_is_refused_with_the_option_to_untick(tmp_path):
    data = corpus.write_pdf(corpus.base_objects())
    data = data.replace(b"/Root 1 0 R", b"/Root 1 0 R /AdditionalStreams [(/document/odt) 4 0 R]")
    assert any("PDF hibrida" in f for f in refused_for(decide(tmp_path, data)))


def test_an_ordinary_file_is_not_read_a_second_time_as_repaired():
    data = corpus.many_pages(5)
    with pdf_active.open_pdf(data) as pdf:
        listed = set(pdf.get_xref_table())
    views = [
        where for _, where in pdf_active._other_views(data, pdf_active.revision_ends(data), listed)
    ]
    assert views == []


@pytest.mark.parametrize(
    ("script", "refused"),
    [
        ('AFDate_FormatEx("dd/mm/yyyy");', False),
        ('AFNumber_Keystroke(2, 0, 0, 0, "Rp ", true);', False),
        ('AFNumber_Format(2,0,0,0,"",true); AFPercent_Format(1, 0)', False),
        ('AFDate_FormatEx("dd/mm/yyyy"); app.alert(1)', True),
        ('AFSimple_Calculate("SUM", new Array("a"))', True),
        ("this.submitForm('http://contoh.test')", True),
    ],
)
def test_date_and_number_fields_as_office_suites_write_them(tmp_path, script, refused):
    # LibreOffice's date, time, number and currency form fields carry Acrobat's own
    # formatting calls as format (/F) and keystroke (/K) scripts.
    trigger = f"<< /S /JavaScript /JS ({script}) >>"
    data = one_page(
        "/AcroForm << /Fields [16 0 R] >>",
        "/Annots [16 0 R]",
        o16=(
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (tanggal) /Rect [72 500 300 520] "
            f"/P 3 0 R /AA << /F {trigger} /K {trigger} >> >>"
        ),
    )
    result = decide(tmp_path, data)
    assert (result.get("error") == "active_content") is refused, result


def damaged_with_a_body_xref_stream(action):
    """A classic table that lists objects 1-5 and a startxref off by seven, so readers repair
    the file; in the body an object stream holds object 20 (the open action) and a
    cross-reference stream lists it. qpdf's repair ignores that stream; pdf.js and PDFium
    take it and run the action."""
    objects = corpus.base_objects(catalog_extra="/OpenAction 20 0 R")
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += corpus._object_bytes(number, objects[number])
    head = b"20 0\n"
    offsets[19] = len(out)
    out += corpus._object_bytes(
        19, corpus.Stream(f"/Type /ObjStm /N 1 /First {len(head)}", head + action.encode())
    )
    offsets[21] = len(out)
    rows = [b"\x00" * 5 + b"\xff\xff"]
    for number in range(1, 22):
        if number == 20:
            rows.append(b"\x02" + (19).to_bytes(4, "big") + b"\x00\x00")
        elif number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x00" * 7)
    out += corpus._object_bytes(
        21, corpus.Stream("/Type /XRef /Size 22 /W [1 4 2] /Root 1 0 R", b"".join(rows))
    )
    table = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, 6))
    out += b"trailer\n<< /Size 22 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (table + 7)
    return bytes(out)


def test_a_body_cross_reference_stream_a_repairing_reader_takes_is_read(tmp_path):
    data = damaged_with_a_body_xref_stream("<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    findings = refused_for(decide(tmp_path, data))
    assert any("aksi JavaScript saat dokumen dibuka" in f for f in findings), findings
    harmless = damaged_with_a_body_xref_stream("<< /S /GoTo /D [3 0 R /Fit] >>")
    assert decide(tmp_path, harmless)["pages"] == 1


def test_an_object_that_does_not_start_its_line_is_read_as_a_repairing_reader_reads_it(
    tmp_path,
):
    # No table: every reader rebuilds it. PDFium and pdf.js find `1 0 obj` after an `endobj`
    # on the same line (and PDFium keeps it, the last copy); qpdf only finds line starts.
    evil = (
        "<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
    )
    body = (
        "%PDF-1.7\n"
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
        "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
        f"endobj 1 0 obj {evil} endobj\n"
        "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )
    findings = refused_for(decide(tmp_path, body.encode()))
    assert any("aksi JavaScript saat dokumen dibuka" in f for f in findings), findings
