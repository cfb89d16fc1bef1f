"""The public list's heading, which names the filters in use, and how many are in use.

"Paket di Kecamatan Sumberejo, TA 2019, penyedia CV Bangun Desa": a shared address says what
it lists, the supplier filter (reached from a supplier's page) included.
"""

from agencies.models import Agency, AgencyKind
from contracts import kecamatan as places
from contracts.filters import COMPLETENESS
from contracts.models import Category, FundingSource, Method, Stage, Supplier
from contracts.templatetags.rupiah import rupiah_in_text as rupiah
from integrity.models import Flag

# Parameters that shape the list without narrowing it: the search has its own box and the
# sort is not a filter.
NOT_FILTERS = {"q", "urut"}


def active_filters(params):
    """How many filters narrow the list (the search and the sort aside)."""
    return sum(1 for name in params if name not in NOT_FILTERS)


def describe(params, *, kecamatan=None):
    """The heading for the list's `params` (PackageFilter.params): "Paket pengadaan" with no
    filter, else "Paket" and each filter in words. Reads the agency's, the supplier's and the
    kecamatan's names (one query each, only for a filter in use; none for the kecamatan when
    the caller passes the register's `kecamatan` it found already); an id or code found
    nowhere is shown as typed."""
    parts = []
    if "kecamatan" in params:
        found = kecamatan or places.find(params["kecamatan"])
        parts.append(f"di Kecamatan {found.name if found else params['kecamatan']}")
    if "pd" in params:
        name = Agency.objects.filter(code=params["pd"]).values_list("name", flat=True).first()
        parts.append(name or params["pd"])
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
        name = Supplier.objects.filter(pk=params["penyedia"]).values_list("name", flat=True).first()
        parts.append(f"penyedia {name or 'nomor ' + str(params['penyedia'])}")
    if "q" in params:
        parts.append(f"untuk “{params['q']}”")
    if not parts:
        return "Paket pengadaan"
    return "Paket " + ", ".join(parts)
