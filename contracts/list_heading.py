"""The public list's heading, which names the filters in use, and how many are in use.

"Paket di Kecamatan Sumberejo, TA 2019, penyedia CV Bangun Desa": a shared address says what
it lists, the supplier filter (reached from a supplier's page) included.
"""

from agencies.models import Agency, AgencyKind, Kecamatan
from contracts import kecamatan as places
from contracts.filters import COMPLETENESS
from contracts.flag_codes import Flag
from contracts.models import Category, FundingSource, Method, Stage, Supplier
from contracts.templatetags.rupiah import rupiah_in_text as rupiah

# Parameters that shape the list without narrowing it: the search has its own box and the
# sort is not a filter.
NOT_FILTERS = {"q", "urut"}


def active_filters(params):
    """How many filters narrow the list (the search and the sort aside)."""
    return sum(1 for name in params if name not in NOT_FILTERS)


# Said instead of a typed search where the words must not be quoted (mail to an address not
# confirmed yet: anyone may type anything into the search and any address into the form).
SEARCH_UNQUOTED = "dengan kata pencarian (tampil di halaman konfirmasi)"


def describe(params, *, names=None, kecamatan=None, search=None):
    """The heading for the list's `params` (PackageFilter.params): "Paket pengadaan" with no
    filter, else "Paket" and each filter in words. Reads the agency's, the supplier's and the
    kecamatan's names (one query each, only for a filter in use; none for the kecamatan when
    the caller passes the register's `kecamatan` it found already), or takes them from `names`
    (`names_for`, for many headings at once); an agency code found nowhere is shown as typed,
    a supplier the public may not see (`Supplier.objects.public()`, the rule of its page) as
    "nomor <id>". `search` replaces the typed search's quoted words (SEARCH_UNQUOTED)."""
    names = names or _names_of(params, kecamatan)
    parts = []
    if "kecamatan" in params:
        name = names["kecamatan"].get(params["kecamatan"])
        parts.append(f"di Kecamatan {name or params['kecamatan']}")
    if "pd" in params:
        parts.append(names["pd"].get(params["pd"]) or params["pd"])
    labels = {
        "jenis_pd": ("jenis perangkat daerah {}", AgencyKind),
        "tahap": ("tahap {}", Stage),
        "metode": ("metode {}", Method),
        "jenis": ("{}", Category),
        "dana": ("sumber dana {}", FundingSource),
        "tanda": ("tanda “{}”", Flag),
    }
    if "tahun" in params:
        parts.append(f"TA {params['tahun']}")
    for name, (template, choices) in labels.items():
        if name in params:
            parts.append(template.format(choices(params[name]).label))
    if "lengkap" in params:
        parts.append(COMPLETENESS[params["lengkap"]].lower())
    if "nilai_min" in params:
        parts.append(f"pagu dari {rupiah(params['nilai_min'])}")
    if "nilai_max" in params:
        parts.append(f"pagu sampai {rupiah(params['nilai_max'])}")
    if "penyedia" in params:
        name = names["penyedia"].get(params["penyedia"])
        parts.append(f"penyedia {name or 'nomor ' + str(params['penyedia'])}")
    if "q" in params:
        parts.append(search or f"untuk “{params['q']}”")
    if not parts:
        return "Paket pengadaan"
    return "Paket " + ", ".join(parts)


def _names_of(params, kecamatan=None):
    names = {"kecamatan": {}, "pd": {}, "penyedia": {}}
    if "kecamatan" in params:
        found = kecamatan or places.find(params["kecamatan"])
        names["kecamatan"][params["kecamatan"]] = found.name if found else None
    if "pd" in params:
        names["pd"] = dict(Agency.objects.filter(code=params["pd"]).values_list("code", "name")[:1])
    if "penyedia" in params:
        names["penyedia"] = dict(
            Supplier.objects.public().filter(pk=params["penyedia"]).values_list("pk", "name")
        )
    return names


def names_for(param_sets):
    """The names `describe` reads, for many filter sets at once: three queries in all.
    {"pd": {code: name}, "penyedia": {id: name} (public suppliers only), "kecamatan": {text as
    typed: name}}."""
    param_sets = list(param_sets)
    wanted = {
        name: {params[name] for params in param_sets if name in params}
        for name in ("pd", "penyedia", "kecamatan")
    }
    # The spelling rule `places.find` reads a name with (one key per kecamatan).
    keys = {text: places._key(text) for text in wanted["kecamatan"]}
    register = dict(Kecamatan.objects.filter(key__in=set(keys.values())).values_list("key", "name"))
    return {
        "pd": dict(Agency.objects.filter(code__in=wanted["pd"]).values_list("code", "name")),
        "penyedia": dict(
            Supplier.objects.public()
            .filter(pk__in=[v for v in wanted["penyedia"] if isinstance(v, int)])
            .values_list("pk", "name")
        ),
        "kecamatan": {text: register.get(key) for text, key in keys.items()},
    }
