"""The public package list's filters, search, sort and facets, read from the URL.

Every filter lives in the query string, so a search can be shared and bookmarked. A malformed
value is dropped and named back to the citizen, never a server error.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Upper
from django.utils.translation import gettext, gettext_noop

from agencies.models import Agency, AgencyKind, Kecamatan
from agencies.places import KECAMATAN_MARKERS, name_key, normalise
from contracts.flag_codes import Flag
from contracts.models import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    AgencyDocument,
    Bidder,
    Category,
    FundingSource,
    Method,
    Stage,
)
from contracts.search import package_search, search_words, words_query
from opendata_kontrak.params import whole_number

SORTS = {
    "terbaru": (gettext_noop("Terbaru"), ["-published_at", "-pk"]),
    "nilai": (gettext_noop("Pagu terbesar"), [F("budget_amount").desc(nulls_last=True), "-pk"]),
    "nilai_kecil": (gettext_noop("Pagu terkecil"), [F("budget_amount").asc(nulls_last=True), "pk"]),
    # The value as signed (an addendum's new value is a row of its own, not sortable here).
    "kontrak": (
        gettext_noop("Nilai kontrak terbesar"),
        [F("contract_amount").desc(nulls_last=True), "-pk"],
    ),
    "nama": (gettext_noop("Nama A-Z"), ["title", "pk"]),
    "relevan": (gettext_noop("Paling relevan"), None),
}
# Each facet beside the list and the column it counts.
FACET_COLUMNS = {
    "tahun": "fiscal_year",
    "jenis_pd": "agency__kind",
    "tahap": "stage_reached",
    "metode": "method",
    "jenis": "category",
    "lengkap": "all_complete",
}
# Of the data, never of the work ("belum lengkap" alone reads as unfinished work).
COMPLETENESS = {
    "ya": gettext_noop("Data semua tahap lengkap"),
    "tidak": gettext_noop("Data tahap belum lengkap"),
}


AMOUNT_PREFIXES = ("rp", "idr")


def rupiah_amount(raw):
    """The whole Rupiah `raw` spells, or None — the same reading on every page and for every
    client, whatever its language (one address, one filter: the language switcher and the API
    pass the query on as typed).

    Rupiah have no cents in practice, so a dot or a comma followed by exactly three digits
    groups thousands in both languages: Indonesian `Rp 1.250.000.000`, English
    `IDR 1,250,000,000`, `500.000` and `500,000` are all whole amounts. A last mark followed by
    one or two zeros is zero cents (`1.250.000,00`, `1,250,000.00`, `500.00`); the grouping mark
    must be one kind and group by three; cents other than zero (`100000000.50`), a mark before
    fewer or more than three digits (`1.5`, `1.0000`) and mixed groupings are refused (None),
    never read another way. The prefix (Rp, IDR) and spaces around are optional."""
    # Spaces around the amount and after its prefix (the no-break one of "Rp 1.000" too, and
    # the byte-order mark JSON Schema counts as one), none inside it, as the API describes.
    text = raw.replace("\ufeff", " ").strip()
    for prefix in AMOUNT_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :].lstrip()
            break
    marks = [index for index, char in enumerate(text) if char in ".,"]
    if marks and 1 <= len(text) - marks[-1] - 1 <= 2 and not text[marks[-1] + 1 :].strip("0"):
        # Zero cents after the last mark: "…,00", "….0".
        text = text[: marks[-1]]
    grouped = [char for char in text if char in ".,"]
    if grouped:
        if len(set(grouped)) != 1:
            return None
        head, *groups = text.split(grouped[0])
        if not (1 <= len(head) <= 3) or any(len(part) != 3 for part in groups):
            return None
        text = head + "".join(groups)
    return whole_number(text, max_digits=15)


@dataclass
class PackageFilter:
    params: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    @classmethod
    def from_query(cls, query):
        params, problems = {}, []

        def choice(name, allowed, label):
            value = query.get(name, "").strip()
            if not value:
                return
            if value in allowed:
                params[name] = value
            else:
                problems.append(
                    gettext("%(label)s “%(value)s” tidak dikenal; saringan ini diabaikan.")
                    % {"label": gettext(label), "value": value[:40]}
                )

        year = query.get("tahun", "").strip()
        if year:
            if (
                number := whole_number(year, max_digits=4)
            ) and MIN_FISCAL_YEAR <= number <= MAX_FISCAL_YEAR:
                params["tahun"] = number
            else:
                problems.append(
                    gettext("Tahun “%(year)s” tidak valid; saringan ini diabaikan.")
                    % {"year": year[:10]}
                )
        choice("jenis_pd", AgencyKind.values, gettext_noop("Jenis perangkat daerah"))
        choice("tahap", Stage.values, gettext_noop("Tahap"))
        choice("metode", Method.values, gettext_noop("Metode"))
        choice("jenis", Category.values, gettext_noop("Jenis pengadaan"))
        choice("dana", FundingSource.values, gettext_noop("Sumber dana"))
        choice("lengkap", COMPLETENESS, gettext_noop("Kelengkapan"))
        choice("urut", SORTS, gettext_noop("Urutan"))
        choice("tanda", Flag.values, gettext_noop("Tanda"))
        agency = query.get("pd", "").strip()
        if agency:
            params["pd"] = agency[:80]
        place = query.get("kecamatan", "").strip()
        if place:
            params["kecamatan"] = place[:100]
        supplier = query.get("penyedia", "").strip()
        if supplier:
            if (number := whole_number(supplier)) is not None:
                params["penyedia"] = number
            else:
                problems.append(gettext("Penyedia tidak valid; saringan ini diabaikan."))
        for name, label in [
            ("nilai_min", gettext_noop("Pagu terendah")),
            ("nilai_max", gettext_noop("Pagu tertinggi")),
        ]:
            raw = query.get(name, "").strip()
            if raw:
                if (number := rupiah_amount(raw)) is not None:
                    params[name] = number
                else:
                    problems.append(
                        gettext(
                            "%(label)s “%(raw)s” bukan jumlah rupiah (misalnya %(example)s); "
                            "diabaikan."
                        )
                        % {
                            "label": gettext(label),
                            "raw": raw[:20],
                            "example": gettext("Rp 100.000.000"),
                        }
                    )
        text = " ".join(query.get("q", "").split())[:200]
        if search_words(text):
            params["q"] = text
        return cls(params=params, problems=problems)

    # --- building the query ----------------------------------------------------------------

    def conditions(self, exclude=None):
        """Q for every active filter but `exclude` (a facet counts without its own filter)."""
        p = self.params
        q = Q()
        if "tahun" in p and exclude != "tahun":
            q &= Q(fiscal_year=p["tahun"])
        if "pd" in p and exclude != "pd":
            q &= Q(agency__code=p["pd"])
        if "jenis_pd" in p and exclude != "jenis_pd":
            q &= Q(agency__kind=p["jenis_pd"])
        if "tahap" in p and exclude != "tahap":
            q &= Q(stage_reached=p["tahap"])
        if "metode" in p and exclude != "metode":
            q &= Q(method=p["metode"])
        if "jenis" in p and exclude != "jenis":
            q &= Q(category=p["jenis"])
        if "dana" in p and exclude != "dana":
            q &= Q(funding_sources__contains=[p["dana"]])
        if "kecamatan" in p and exclude != "kecamatan":
            q &= in_kecamatan(p["kecamatan"])
        if "penyedia" in p:
            q &= involving(p["penyedia"])
        if "lengkap" in p and exclude != "lengkap":
            q &= Q(all_complete=p["lengkap"] == "ya")
        if "nilai_min" in p:
            q &= Q(budget_amount__gte=p["nilai_min"])
        if "nilai_max" in p:
            q &= Q(budget_amount__lte=p["nilai_max"])
        if "tanda" in p and exclude != "tanda":
            q &= Exists(_flag_rows().filter(process=OuterRef("pk"), flag=p["tanda"]))
        if "q" in p:
            q &= package_search(p["q"])
        return q

    def search_query(self):
        return words_query(self.params["q"])

    def apply(self, queryset):
        queryset = with_lookups(queryset).filter(self.conditions())
        sort = self.sort
        if sort == "relevan":
            return queryset.annotate(
                rank=SearchRank(F("search_vector"), self.search_query())
            ).order_by("-rank", "-pk")
        return queryset.order_by(*SORTS[sort][1])

    @property
    def sort(self):
        default = "relevan" if "q" in self.params else "terbaru"
        chosen = self.params.get("urut", default)
        return "terbaru" if chosen == "relevan" and "q" not in self.params else chosen

    def summary(self, base, *, without=()):
        """The number of matches and the counts beside each option of every facet.

        Each facet counts without its own filter, so its other options stay reachable (facets
        named in `without`, if in use, are left out: counted apart, see `year_facet`). Facets
        whose filter is not in use all share the same conditions: they are counted in one scan
        with GROUPING SETS, the total with them. Each facet in use costs one more grouped query,
        and the flags (several per package) one query on their own table.
        """
        base = with_lookups(base)
        active = [name for name in FACET_COLUMNS if name in self.params]
        shared = [name for name in FACET_COLUMNS if name not in active]
        counts = self._grouped(base, self.conditions(), shared)
        total = counts.pop(None)
        for name in active:
            if name in without:
                continue
            counts[name] = self._grouped(base, self.conditions(exclude=name), [name])[name]
        matching = base.filter(self.conditions(exclude="tanda")).values("pk")
        counts["tanda"] = dict(
            _flag_rows()
            .filter(process__in=matching)
            .values_list("flag")
            .annotate(n=Count("*"))
            .order_by()
        )
        return {"count": total, "facets": counts}

    def year_facet(self, base):
        """{fiscal year: count} of the packages the other filters choose."""
        base = with_lookups(base)
        return self._grouped(base, self.conditions(exclude="tahun"), ["tahun"])["tahun"]

    def _grouped(self, base, conditions, names):
        """{name: {value: count}} for each facet in `names`, and {None: total}, in one scan."""
        matching = (
            base.filter(conditions)
            .order_by()  # counted, not listed: the model's order would only add a sort
            .values(**{f"f_{name}": F(FACET_COLUMNS[name]) for name in names})
        )
        sql, params = matching.query.sql_with_params()
        columns = [f"f_{name}" for name in names]
        sets = "".join(f"({column}), " for column in columns)
        marks = f", GROUPING({', '.join(columns)})" if columns else ", 0"
        # Column names come from FACET_COLUMNS, values stay parameters: nothing typed is spliced.
        query = (
            f"SELECT COUNT(*){marks}{''.join(f', {c}' for c in columns)} "  # noqa: S608
            f"FROM ({sql}) AS matching GROUP BY GROUPING SETS ({sets}())"
        )
        counts = {name: {} for name in names}
        counts[None] = 0
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for n, mark, *values in cursor.fetchall():
                # GROUPING sets a bit for each column *not* grouped in this row.
                grouped = [
                    name for i, name in enumerate(names) if not mark & (1 << (len(names) - 1 - i))
                ]
                if not grouped:
                    counts[None] = n
                else:
                    counts[grouped[0]][values[names.index(grouped[0])]] = n
        return counts

    # --- URLs --------------------------------------------------------------------------------

    def query_string(self, **changes):
        merged = {**self.params, **changes}
        return "&".join(
            f"{key}={_quote(value)}" for key, value in merged.items() if value not in (None, "")
        )

    def suggestions(self):
        """What to loosen when nothing matches: [(label, query string without it)] for each
        active filter, the label as the form names it ("Tahun anggaran", "kata kunci")."""
        labels = {
            "q": gettext("kata kunci"),
            "tahun": gettext("Tahun anggaran"),
            "pd": gettext("Perangkat daerah"),
            "jenis_pd": gettext("Jenis perangkat daerah"),
            "tahap": gettext("Tahap terakhir"),
            "metode": gettext("Metode"),
            "jenis": gettext("Jenis pengadaan"),
            "dana": gettext("Sumber dana"),
            "kecamatan": gettext("Kecamatan"),
            "penyedia": gettext("Penyedia"),
            "lengkap": gettext("Kelengkapan"),
            "nilai_min": gettext("Pagu dari (Rp)"),
            "nilai_max": gettext("Pagu sampai (Rp)"),
            "tanda": gettext("Tanda untuk dicermati"),
        }
        return [
            (labels.get(name, name), self.query_string(**{name: None}))
            for name in self.params
            if name != "urut"
        ]


def involving(supplier_id):
    """Packages a supplier won or bid for, each once.

    The ids of both, as one UNION in a semi-join: a few index lookups. (An OR of the two made
    PostgreSQL walk every published package: 3.6 s at a million.)
    """
    from contracts.models import Process

    won = Process.objects.filter(supplier_id=supplier_id).order_by().values("pk")
    bid = Bidder.objects.filter(supplier_id=supplier_id).order_by().values("process_id")
    return Q(pk__in=won.union(bid, all=True))


def in_kecamatan(value):
    """Packages of the register's kecamatan however `value` spells it ("Kec. Sumberrejo" finds
    Sumberejo), in one SQL condition; a name outside the register is matched as written.

    A package is in a kecamatan when its stored kecamatan is that one, or when its location
    names it among others (`location_kecamatan_all`, "Kecamatan Sumberrejo, Balen,
    Kedungadem"): each condition has its index (upper-cased kecamatan; GIN on the array)."""
    key = name_key(" ".join(w for w in normalise(value).split() if w not in KECAMATAN_MARKERS))
    found = Kecamatan.objects.filter(key=key)  # one at most: the key is unique
    # Uncorrelated subqueries, computed once before the scan (an InitPlan), so each condition
    # can be an index scan of its own; "IN (subquery)" beside an OR could not (a hashed
    # subplan tested on every row).
    register = Subquery(found.annotate(upper=Upper("name")).values("upper")[:1])
    return (
        Q(kecamatan_upper=register)
        | Q(kecamatan_upper=value.upper())
        | Q(location_kecamatan_all__overlap=ArraySubquery(found.values("name")))
    )


def with_lookups(queryset):
    # Upper-cased kecamatan, so the filter uses its expression index whatever the case typed.
    return queryset.annotate(kecamatan_upper=Upper("location_kecamatan"))


def matching_agency_documents(text, limit=10):
    """Public agency documents (DPA, Renja SKPD, …) whose own search text matches a search, best
    first: found once each, never through every package they cover."""
    query = words_query(text)
    if query is None:
        return AgencyDocument.objects.none()
    return (
        AgencyDocument.objects.published()
        .filter(search_vector=query)
        .select_related("agency", "document_type")
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-pk")[:limit]
    )


def similar_titles(queryset, text, limit=5):
    """Packages whose title is close to a search that found nothing: typos forgiven (pg_trgm)."""
    # Only asked when a search found nothing, so a scan of the titles is affordable here.
    return (
        queryset.annotate(closeness=TrigramWordSimilarity(text.upper(), Upper("title")))
        .filter(closeness__gte=0.45)
        .order_by("-closeness", "-pk")[:limit]
    )


def _quote(value):
    from urllib.parse import quote

    return quote(str(value))


def agencies_for_filter():
    return Agency.objects.active().order_by("name").only("code", "name", "short_name")


def _flag_rows():
    """The flags' rows (integrity.PackageFlag), reached through Process's reverse relation
    `flags` as the package page reads them: integrity sits above contracts (its rows point at
    Process), so contracts does not import it."""
    from contracts.models import Process

    return Process._meta.get_field("flags").related_model.objects
