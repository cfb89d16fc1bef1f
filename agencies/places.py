"""The place register (kecamatan, desa, kelurahan of the regency) and the resolver that reads a
location text from an import or a form and finds its kecamatan and desa in it.

Sources spell a place many ways: "Sumberejo" and "Sumberrejo", "Sugiwaras" and "Sugihwaras",
"Kec. Dander - Bojonegoro (Kab.)", "KECAMATAN KAPAS", a desa without its kecamatan, several schools
in one cell. The resolver compares names by a *key* that forgets what these spellings disagree
on (case, spaces, punctuation, doubled letters, the letter h, old spelling dj/tj/oe), then reads
the markers around each name ("Kec.", "Desa", "Kel.") to tell a kecamatan from a desa.

An administrator's alias for a whole text wins over every rule.
"""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

REGISTER_FILE = settings.BASE_DIR / "agencies" / "data" / "bojonegoro_wilayah.csv"
REGISTER_SOURCE = "Kepmendagri 100.1.1-6117/2022, via cahyadsn/wilayah db/wilayah_2022.sql"
KINDS = ("kecamatan", "desa", "kelurahan")
# Stored keys are cut here (the column's length); a longer text rarely differs only after it.
KEY_LENGTH = 500


class PlaceRegisterError(Exception):
    pass


# --- comparing names ---------------------------------------------------------------------------


def normalise(text):
    """A location text as aliases and the unresolved list store it: lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))[:KEY_LENGTH]


def name_key(name):
    """What two spellings of one name share: 'Sumberrejo' and 'Sumber Rejo', 'Sugihwaras' and
    'Sugiwaras', 'Djatikoesoemo' and 'Jatikusumo' give one key."""
    key = re.sub(r"[^a-z]", "", name.lower())
    key = key.replace("dj", "j").replace("tj", "c").replace("oe", "u").replace("h", "")
    return re.sub(r"(.)\1+", r"\1", key)


KECAMATAN_MARKERS = {"kec", "kecamatan", "kecamaan"}
DESA_MARKERS = {"desa", "ds", "kel", "kelurahan", "kelurhan"}
# A name after these is a hamlet, not a desa of the register. (A road keeps its names: "Jalan
# Ngasem - Kalitidu" runs through both kecamatan.)
OTHER_MARKERS = {"dusun", "dsn", "dkn", "dukuh", "dk"}
# The regency's own name: "Kab. Bojonegoro", "Bojonegoro (Kab.)", "Kabupaten Bojonegoro".
REGENCY_WORDS = {"kab", "kabupaten"}
REGENCY_NAME = "bojonegoro"
# Words that say nothing about where in the regency: "..., Jawa Timur".
NOWHERE_WORDS = {"jawa", "timur", "jatim", "provinsi", "prov", "indonesia"}
# Desa names that are also everyday words: only read as a place after "Desa" or "Kel.".
COMMON_WORDS = {
    "bareng", "basah", "bendo", "bulu", "deru", "gading", "gajah", "geger", "jari", "kauman",
    "kemiri", "kunci", "mojo", "padang", "pandan", "panjang", "pelem", "petak", "pojok", "soko",
    "sudah", "talun", "tanjung", "temu", "turi", "wedi",
}  # fmt: skip
LONGEST_NAME_WORDS = 3
# The marker of the names after the first in "Kecamatan Kapas, Balen dan Kalitidu".
LIST = "(daftar kecamatan)"


@dataclass(frozen=True)
class Resolved:
    kecamatan_name: str
    desa_name: str = ""

    def fields(self):
        return {
            "location_kecamatan": self.kecamatan_name,
            "location_desa": self.desa_name,
            "location_kecamatan_all": [self.kecamatan_name],
        }


@dataclass
class _Mentions:
    marked_kecamatan: set = field(default_factory=set)
    named_kecamatan: set = field(default_factory=set)
    # Each desa mention: the desa of that name, as (kecamatan, desa) pairs.
    desa: list = field(default_factory=list)
    regency_only: bool = True


class PlaceResolver:
    """Loaded once per import or command (three queries), then resolves in memory."""

    def __init__(self):
        from agencies.models import Desa, Kecamatan, PlaceAlias

        self.kecamatan_by_key = {name_key(k.name): k.name for k in Kecamatan.objects.all()}
        self.desa_by_key = defaultdict(list)
        for desa in Desa.objects.select_related("kecamatan"):
            self.desa_by_key[name_key(desa.name)].append((desa.kecamatan.name, desa.name))
        self.aliases = {
            alias.text: Resolved(alias.kecamatan.name, alias.desa.name if alias.desa else "")
            for alias in PlaceAlias.objects.select_related("kecamatan", "desa")
        }
        # normalised text -> [an original, how many times it was asked]
        self.unresolved = {}
        self._answers = {}
        self._several = {}

    # --- the answer -----------------------------------------------------------------------------

    def resolve(self, text):
        """Resolved(kecamatan, desa) for a location text, or None when it names no single
        kecamatan of the register (no place, the whole regency, or several kecamatan)."""
        key = normalise(text)
        if not key:
            return None
        if key in self.aliases:
            return self.aliases[key]
        # A year's export repeats its location texts: each is read once per resolver.
        if key not in self._answers:
            self._answers[key] = self._by_rules(self._mentions(key))
        return self._answers[key]

    def kecamatan_named(self, text):
        """The register names of every kecamatan a location text names, sorted: [the one it
        resolves to], the several of "Kecamatan Sumberrejo, Balen, Kedungadem", or [] (no
        place, the whole regency, desa that no single kecamatan holds)."""
        place = self.resolve(text)
        if place is not None:
            return [place.kecamatan_name]
        key = normalise(text)
        if not key:
            return []
        if key not in self._several:
            mentions = self._mentions(key)
            # As _by_rules weighs them: a name after "Kec." outweighs a bare one.
            named = mentions.marked_kecamatan or mentions.named_kecamatan
            self._several[key] = sorted(named) if len(named) > 1 else []
        return list(self._several[key])

    def fields_for(self, text):
        """The package fields a location text gives; an unresolved text is remembered for
        `record_unresolved` and gives no kecamatan, so an existing package keeps its place.
        A text naming several kecamatan gives only `location_kecamatan_all`, their names."""
        place = self.resolve(text)
        if place is not None:
            return place.fields()
        if self.is_place_text(text):
            entry = self.unresolved.setdefault(normalise(text), [text.strip(), 0])
            entry[1] += 1
        several = self.kecamatan_named(text)
        return {"location_kecamatan_all": several} if several else {}

    def is_place_text(self, text):
        """False for an empty text and for one that names only the regency itself
        ("Kab. Bojonegoro - Bojonegoro (Kab.)"): nothing an administrator could map."""
        key = normalise(text)
        return bool(key) and not self._mentions(key).regency_only

    def canonical_kecamatan(self, text):
        """The register's name of a kecamatan typed any common way, or None."""
        place = self.resolve(text)
        return place.kecamatan_name if place else None

    # --- reading the text -------------------------------------------------------------------------

    def _mentions(self, key):
        words = key.split()
        mentions = _Mentions()
        marker = None
        i = 0
        while i < len(words):
            word = words[i]
            if word in KECAMATAN_MARKERS | DESA_MARKERS | OTHER_MARKERS:
                marker = word
                mentions.regency_only = False
                i += 1
                continue
            if word == "kota" and i + 1 < len(words) and words[i + 1] == REGENCY_NAME:
                # "Kota Bojonegoro", the town: the kecamatan of that name.
                marker = "kecamatan"
                mentions.regency_only = False
                i += 1
                continue
            if word in REGENCY_WORDS and i + 1 < len(words) and words[i + 1] == REGENCY_NAME:
                i += 2
                marker = None
                continue
            if (
                word == REGENCY_NAME
                and marker not in KECAMATAN_MARKERS
                and i + 1 < len(words)
                and words[i + 1] in REGENCY_WORDS
            ):
                i += 2
                marker = None
                continue
            if word == REGENCY_NAME and marker not in KECAMATAN_MARKERS:
                # "Bojonegoro" alone is the regency; the kecamatan is always named as one.
                i += 1
                marker = None
                continue
            if word in NOWHERE_WORDS:
                i += 1
                continue
            if word not in REGENCY_WORDS:
                mentions.regency_only = False
            taken, found = self._read_name(words, i, marker, mentions)
            i += taken
            # "Kecamatan Kapas, Balen dan Kalitidu": the marker covers the whole list.
            if found == "kecamatan" and marker in KECAMATAN_MARKERS | {LIST}:
                marker = LIST
                while i < len(words) and words[i] == "dan":
                    i += 1
            else:
                marker = None
        return mentions

    def _read_name(self, words, start, marker, mentions):
        """Record the longest register name beginning at `start`; return how many words it
        took and what it found ("kecamatan", "desa" or "")."""
        for size in range(LONGEST_NAME_WORDS, 0, -1):
            chunk = words[start : start + size]
            if len(chunk) < size or any(not _name_word(w, marker, size) for w in chunk):
                continue
            key = name_key("".join(chunk))
            if not key:
                continue
            kecamatan = self.kecamatan_by_key.get(key)
            desa = self.desa_by_key.get(key)
            if marker in KECAMATAN_MARKERS | {LIST} and kecamatan:
                mentions.marked_kecamatan.add(kecamatan)
                return size, "kecamatan"
            if marker in OTHER_MARKERS and (kecamatan or desa):
                return size, ""  # a hamlet of that name, not the place itself
            if marker in DESA_MARKERS and desa:
                mentions.desa.append(desa)
                return size, "desa"
            if marker in (None, LIST) and kecamatan:
                mentions.named_kecamatan.add(kecamatan)
                return size, "kecamatan"
            if marker in (None, LIST) and desa and chunk[0] not in COMMON_WORDS:
                mentions.desa.append(desa)
                return size, "desa"
        return 1, ""

    def _by_rules(self, mentions):
        # A kecamatan named after "Kec." outweighs a bare name, which may be a road or a school.
        kecamatan = mentions.marked_kecamatan or mentions.named_kecamatan
        if len(kecamatan) > 1:
            return None  # several kecamatan: the text stays in location_detail
        if len(kecamatan) == 1:
            (name,) = kecamatan
            desa = {d for candidates in mentions.desa for k, d in candidates if k == name}
            return Resolved(name, desa.pop() if len(desa) == 1 else "")
        if not mentions.desa:
            return None
        # Desa only: the kecamatan that holds a desa of every name mentioned, if just one.
        possible = set.intersection(*({k for k, _ in c} for c in mentions.desa))
        if len(possible) != 1:
            return None
        (name,) = possible
        desa = {d for candidates in mentions.desa for k, d in candidates if k == name}
        return Resolved(name, desa.pop() if len(desa) == 1 else "")

    # --- remembering what did not resolve ---------------------------------------------------

    def record_unresolved(self):
        """Add this run's unresolved texts to the administrators' list (or refresh them)."""
        from agencies.models import UnresolvedPlace

        if not self.unresolved:
            return
        now = timezone.now()
        existing = {
            place.text: place
            for place in UnresolvedPlace.objects.filter(text__in=list(self.unresolved))
        }
        new = []
        for key, (example, count) in self.unresolved.items():
            place = existing.get(key)
            if place is None:
                new.append(
                    UnresolvedPlace(text=key, example=example, package_count=count, last_seen=now)
                )
            else:
                # The same file imported twice names the same packages: not twice as many.
                place.package_count = max(place.package_count, count)
                place.example, place.last_seen = example, now
        UnresolvedPlace.objects.bulk_create(new)
        UnresolvedPlace.objects.bulk_update(
            list(existing.values()), ["package_count", "example", "last_seen"]
        )


def _name_word(word, marker, size):
    """May `word` be part of a place name? Never a number or a marker; "Bojonegoro" only as
    the kecamatan's name right after "Kec."."""
    if word in KECAMATAN_MARKERS | DESA_MARKERS | REGENCY_WORDS | NOWHERE_WORDS:
        return False
    if word == REGENCY_NAME:
        return marker in KECAMATAN_MARKERS and size == 1
    return not word.isdigit()


def kecamatan_with(stated, named):
    """A package's kecamatan list from its stored kecamatan `stated` (a register name, or "")
    and the kecamatan its location text names (`PlaceResolver.kecamatan_named`): a text
    naming several keeps them all, with the stated one; else the stated one alone wins (an
    operator who corrected the place); with none stated, what the text names."""
    if not stated:
        return list(named)
    return sorted({stated, *named}) if len(named) > 1 else [stated]


# --- loading the register --------------------------------------------------------------------


@dataclass
class PlaceLoad:
    kecamatan_created: int = 0
    desa_created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_places(path: Path) -> list[dict]:
    """Rows of the register file (comment lines start with #); PlaceRegisterError names the
    line of the first problem."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            lines = [(n, line) for n, line in enumerate(handle, 1) if not line.startswith("#")]
    except UnicodeDecodeError as error:
        raise PlaceRegisterError(f"{path.name}: bukan teks UTF-8 ({error.reason})") from error
    reader = csv.DictReader(line for _, line in lines)
    if set(reader.fieldnames or []) < {"kode", "nama", "jenis"}:
        raise PlaceRegisterError(f"{path.name}: kolom wajib: kode, nama, jenis")
    rows, seen = [], set()
    for (line, _), raw in zip(lines[1:], reader, strict=True):
        row = {name: (raw.get(name) or "").strip() for name in ("kode", "nama", "jenis")}
        if row["jenis"] not in KINDS or not row["nama"]:
            raise PlaceRegisterError(
                f"{path.name} baris {line}: nama kosong atau jenis {row['jenis']!r} tidak dikenal"
            )
        wanted = 8 if row["jenis"] == "kecamatan" else 13
        if not re.fullmatch(r"\d\d\.\d\d\.\d\d(\.\d{4})?", row["kode"]) or (
            len(row["kode"]) != wanted
        ):
            raise PlaceRegisterError(f"{path.name} baris {line}: kode {row['kode']!r} tidak sah")
        if row["kode"] in seen:
            raise PlaceRegisterError(f"{path.name} baris {line}: kode {row['kode']} ganda")
        seen.add(row["kode"])
        rows.append(row)
    return rows


@transaction.atomic
def load_places(*, path: Path = REGISTER_FILE, update: bool = False, models=None) -> PlaceLoad:
    """Add the register's missing kecamatan and desa; with update=True also take the file's
    names for existing codes. Aliases and the unresolved list are never touched.

    `models`: (Kecamatan, Desa) historical models, for a data migration."""
    if models is None:
        from agencies.models import Desa, Kecamatan
    else:
        Kecamatan, Desa = models
    rows = read_places(path)
    result = PlaceLoad()
    kecamatan = {k.code: k for k in Kecamatan.objects.all()}
    for row in (r for r in rows if r["jenis"] == "kecamatan"):
        place = kecamatan.get(row["kode"])
        if place is None:
            kecamatan[row["kode"]] = Kecamatan.objects.create(
                code=row["kode"],
                name=row["nama"],
                key=name_key(row["nama"]),
                source=REGISTER_SOURCE,
            )
            result.kecamatan_created += 1
        elif update and place.name != row["nama"]:
            place.name, place.key = row["nama"], name_key(row["nama"])
            place.save(update_fields=["name", "key"])
            result.updated += 1
        else:
            result.unchanged += 1
    desa = {d.code: d for d in Desa.objects.all()}
    new = []
    for row in (r for r in rows if r["jenis"] != "kecamatan"):
        parent = kecamatan.get(row["kode"][:8])
        if parent is None:
            raise PlaceRegisterError(f"{path.name}: kecamatan {row['kode'][:8]} tidak ada")
        place = desa.get(row["kode"])
        if place is None:
            new.append(
                Desa(kecamatan=parent, code=row["kode"], name=row["nama"], kind=row["jenis"])
            )
        elif update and (place.name, place.kind) != (row["nama"], row["jenis"]):
            place.name, place.kind = row["nama"], row["jenis"]
            place.save(update_fields=["name", "kind"])
            result.updated += 1
        else:
            result.unchanged += 1
    Desa.objects.bulk_create(new)
    result.desa_created = len(new)
    return result
