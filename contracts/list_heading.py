"""The public list's heading, which names the filters in use, and how many are in use.

"Paket di Kecamatan Sumberejo, TA 2019, penyedia CV Bangun Desa": a shared address says what
it lists, the supplier filter (reached from a supplier's page) included. In the active
language: the English list reads "Packages in Sumberejo district (kecamatan), FY 2019, supplier
CV Bangun Desa"; a feed (Indonesian whatever its address) and a mail (its reader's language)
set theirs before asking.
"""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, Kecamatan
from contracts import kecamatan as places
from contracts.filters import COMPLETENESS
from contracts.flag_codes import Flag
from contracts.models import Category, FundingSource, Method, Stage, Supplier
from contracts.templatetags.rupiah import money

# Parameters that shape the list without narrowing it: the search has its own box and the
# sort is not a filter.
NOT_FILTERS = {"q", "urut"}


def active_filters(params):
    """How many filters narrow the list (the search and the sort aside)."""
    return sum(1 for name in params if name not in NOT_FILTERS)


# Said instead of a typed search where the words must not be quoted (mail to an address not
# confirmed yet: anyone may type anything into the search and any address into the form).
SEARCH_UNQUOTED = _("dengan kata pencarian (tampil di halaman konfirmasi)")


def describe(params, *, names=None, kecamatan=None, search=None):
    """The heading for the list's `params` (PackageFilter.params), in the active language:
    "Paket pengadaan" with no filter, else "Paket" and each filter in words ("Paket di
    Kecamatan Dander, Dinas Kesehatan, TA 2019"; in English "Packages of Dinas Kesehatan in
    Dander district (kecamatan), FY 2019"). Reads the agency's, the supplier's and the
    kecamatan's names (one query each, only for a filter in use; none for the kecamatan when
    the caller passes the register's `kecamatan` it found already), or takes them from `names`
    (`names_for`, for many headings at once); an agency code found nowhere is shown as typed,
    a supplier the public may not see (`Supplier.objects.public()`, the rule of its page) as
    "nomor <id>". `search` replaces the typed search's quoted words (SEARCH_UNQUOTED).

    The place (kecamatan and agency) and the other filters are translated apart, and the
    sentence around them too: English puts the agency before the kecamatan and a comma after
    "Packages" when no place comes first, Indonesian neither."""
    names = names or _names_of(params, kecamatan)
    place_name = agency = None
    if "kecamatan" in params:
        place_name = names["kecamatan"].get(params["kecamatan"]) or params["kecamatan"]
    if "pd" in params:
        agency = names["pd"].get(params["pd"]) or params["pd"]
    if place_name and agency:
        place = gettext("di Kecamatan %(kecamatan)s, %(agency)s") % {
            "kecamatan": place_name,
            "agency": agency,
        }
    elif place_name:
        place = gettext("di Kecamatan %(kecamatan)s") % {"kecamatan": place_name}
    else:
        place = ""
    parts = []
    labels = {
        "jenis_pd": (gettext_noop("jenis perangkat daerah %(label)s"), AgencyKind),
        "tahap": (gettext_noop("tahap %(label)s"), Stage),
        "metode": (gettext_noop("metode %(label)s"), Method),
        "jenis": (None, Category),
        "dana": (gettext_noop("sumber dana %(label)s"), FundingSource),
        "tanda": (gettext_noop("tanda “%(label)s”"), Flag),
    }
    if "tahun" in params:
        parts.append(gettext("TA %(year)s") % {"year": params["tahun"]})
    for name, (template, choices) in labels.items():
        if name in params:
            label = gettext(choices(params[name]).label)
            parts.append(gettext(template) % {"label": label} if template else label)
    if "lengkap" in params:
        parts.append(gettext(COMPLETENESS[params["lengkap"]]).lower())
    if "nilai_min" in params:
        parts.append(gettext("pagu dari %(amount)s") % {"amount": _money(params["nilai_min"])})
    if "nilai_max" in params:
        parts.append(gettext("pagu sampai %(amount)s") % {"amount": _money(params["nilai_max"])})
    if "penyedia" in params:
        name = names["penyedia"].get(params["penyedia"])
        if name:
            parts.append(gettext("penyedia %(name)s") % {"name": name})
        else:
            parts.append(gettext("penyedia nomor %(id)s") % {"id": params["penyedia"]})
    if "q" in params:
        parts.append(str(search) if search else gettext("untuk “%(q)s”") % {"q": params["q"]})
    filters = ", ".join(parts)
    if agency and not place_name:
        # An agency alone: its own sentence, which English reads "Packages of <agency>".
        if filters:
            return gettext("Paket %(agency)s, %(filters)s") % {"agency": agency, "filters": filters}
        return gettext("Paket %(agency)s") % {"agency": agency}
    if place and filters:
        return gettext("Paket %(place)s, %(filters)s") % {"place": place, "filters": filters}
    if place:
        return gettext("Paket %(place)s") % {"place": place}
    if filters:
        return gettext("Paket %(filters)s") % {"filters": filters}
    return gettext("Paket pengadaan")


def _money(amount):
    """An amount for a heading, in the active language, "Rp"/"IDR" joined to its digits by a
    no-break space so that a line never ends between them."""
    return money(amount).replace(" ", "\N{NO-BREAK SPACE}", 1)


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
