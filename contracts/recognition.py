"""Which document type a PDF is, read from the name the operator's file already has.

Operators name files the way their office does: "SPK Pembangunan Jalan.pdf",
"Laporan Kemajuan Juli.pdf", "KAK_Pelaksanaan_final.PDF", "LaporanKemjuan2.pdf". A name is
split into lower-case words (at separators, at a lower-to-upper case change and between
letters and digits), and each type is recognised by any of its phrases: every word of the
phrase must appear in the name, a long word (six letters or more) also when mistyped by about
one letter. The longest matching phrase wins; a tie between types, or no match, leaves the
choice to the operator. A type an administrator adds without phrases here is recognised by
the words of its code, as before.
"""

import difflib
import re

# Phrases per DocumentType.code (contracts.rules.DOCUMENT_TYPES): the type's own name, the
# abbreviations and the older words (lelang, SPK) found in the agencies' file names.
PHRASES = {
    "dpa": [("dpa",), ("dokumen", "pelaksanaan", "anggaran")],
    "renja": [("renja",), ("rencana", "kerja")],
    "jadwal-kegiatan": [("jadwal", "kegiatan"), ("jadwal",)],
    "kak-perencanaan": [
        ("kak", "perencanaan"),
        ("kerangka", "acuan", "perencanaan"),
        ("tor", "perencanaan"),
    ],
    "rup": [("rup",), ("sirup",)],
    "kak-pelaksanaan": [
        ("kak", "pelaksanaan"),
        ("kerangka", "acuan", "pelaksanaan"),
        ("tor", "pelaksanaan"),
    ],
    "pengumuman-pemilihan": [
        ("pengumuman", "pemilihan"),
        ("pengumuman", "tender"),
        ("pengumuman", "lelang"),
    ],
    "dokumen-pemilihan": [
        ("dokumen", "pemilihan"),
        ("dokumen", "tender"),
        ("dokumen", "lelang"),
        ("dok", "pemilihan"),
    ],
    "ba-hasil-pemilihan": [
        ("ba", "hasil", "pemilihan"),
        ("berita", "acara", "hasil", "pemilihan"),
        ("bahp",),
        ("ba", "hp"),
    ],
    "pengumuman-pemenang": [("pengumuman", "pemenang"), ("penetapan", "pemenang")],
    "sppbj": [("sppbj",)],
    "kontrak": [("kontrak",), ("spk",), ("surat", "perjanjian")],
    "spmk": [("spmk",)],
    # "Adendum Kontrak I" names the amendment, not the contract: the longer phrase wins.
    "adendum": [("adendum",), ("addendum",), ("adendum", "kontrak"), ("addendum", "kontrak")],
    "laporan-fisik": [
        ("laporan", "kemajuan"),
        ("laporan", "fisik"),
        ("kemajuan", "fisik"),
        ("progres", "fisik"),
    ],
    "laporan-keuangan": [("laporan", "keuangan"), ("sp2d",), ("termin",), ("pembayaran",)],
    "foto": [("foto",), ("dokumentasi",)],
    "bast": [("bast",), ("pho",), ("fho",), ("serah", "terima")],
    "audit": [("audit",), ("lhp",)],
}

# Shorter words are abbreviations (DPA, SPK, BA): one letter off is another word.
FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 0.85


def file_name_words(filename):
    """The lower-case words of a file name, without its extension: a list of str."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename)
    stem = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    stem = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " ", stem)
    return [word for word in re.split(r"[^a-z0-9]+", stem.lower()) if word]


def _has_word(word, words):
    if word in words:
        return True
    if len(word) < FUZZY_MIN_LENGTH:
        return False
    candidates = [w for w in words if len(w) >= FUZZY_MIN_LENGTH]
    return bool(difflib.get_close_matches(word, candidates, n=1, cutoff=FUZZY_CUTOFF))


def _name_words(filename):
    # "SP2D" stays one word as well as its parts, so that "SPK01" is an SPK and "SP2D" a SP2D.
    whole = re.split(r"[^a-z0-9]+", re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename).lower())
    return set(file_name_words(filename)) | {word for word in whole if word}


def _phrases(document_type):
    return PHRASES.get(document_type.code) or [tuple(document_type.code.split("-"))]


def _best_named(filename, types):
    """The types of `types` whose matching phrase is longest (a list; empty when none)."""
    words = _name_words(filename)
    best_length, best = 0, []
    for document_type in types:
        phrases = _phrases(document_type)
        lengths = [len(p) for p in phrases if all(_has_word(w, words) for w in p)]
        if not lengths:
            continue
        length = max(lengths)
        if length > best_length:
            best_length, best = length, [document_type]
        elif length == best_length:
            best.append(document_type)
    return best


def recognise_document_type(filename, types):
    """The one DocumentType of `types` (any iterable, of one stage or of all) that the file
    name names most specifically, or None when it names none or several equally.

    Pass every stage's types to learn that "KAK Pelaksanaan.pdf" chosen in Perencanaan
    belongs to Pemilihan (the result's `stage`).
    """
    best = _best_named(filename, types)
    return best[0] if len(best) == 1 else None


def candidate_document_types(filename, types):
    """The types of `types` a name may mean when it names none of them alone, for the
    operator to choose among: those named equally well ("KAK Perencanaan Pelaksanaan.pdf"),
    else those a phrase of which starts with a word of the name ("KAK.pdf": KAK Perencanaan
    or KAK Pelaksanaan; "Laporan Juli.pdf": the physical or the financial report). A list in
    the order of `types`; empty when the name says nothing of a type, one type when it names
    it."""
    types = list(types)
    best = _best_named(filename, types)
    if best:
        return best
    words = _name_words(filename)
    return [t for t in types if any(_has_word(p[0], words) for p in _phrases(t))]
