"""Values the list's filters read but nothing knows, said in words (issue #20).

`PackageFilter.from_query` checks each value's form; this checks what a well-formed value names:
an agency code no agency has (`?pd=tidak-ada`) is dropped and said so, as an unknown method
is; a kecamatan outside the register (`?kecamatan=Atlantis`) stays a filter (a package's place
not resolved to the register is matched as written) with a note why it likely finds nothing;
a lowest pagu above the highest is kept with a note that nothing can match.

The sentences are in the active language: the list's notes in the page's, a download's or a
feed's refusal in the language its view sets.
"""

from django.utils.translation import gettext

from agencies.models import Agency
from contracts import kecamatan as places
from contracts.templatetags.rupiah import money


def check(package_filter, *, notes=True):
    """Add to `package_filter.problems` a sentence for each unknown or impossible value, and
    drop the filters that are ignored (an unknown agency code) from its `params`.

    Returns the sentences of every filter the list ignores, `from_query`'s and these: a
    download refuses them rather than giving everything. `notes=False` (a download) leaves out
    the notes on filters kept. One query for an agency filter in use, one for a kecamatan's
    with notes, none otherwise."""
    params, problems = package_filter.params, package_filter.problems
    ignored = list(problems)  # from_query drops every value it cannot read
    code = params.get("pd")
    if code and not Agency.objects.filter(code=code).exists():
        del params["pd"]
        sentence = gettext("Perangkat daerah “%(code)s” tidak dikenal; saringan ini diabaikan.") % {
            "code": code[:40]
        }
        problems.append(sentence)
        ignored.append(sentence)
    place = params.get("kecamatan")
    if notes and place and places.find(place) is None:
        problems.append(
            gettext(
                "Kecamatan “%(place)s” tidak ada dalam daftar kecamatan; hanya paket yang "
                "lokasinya tertulis persis demikian yang dicari."
            )
            % {"place": place[:40]}
        )
    low, high = params.get("nilai_min"), params.get("nilai_max")
    if notes and low is not None and high is not None and low > high:
        problems.append(
            gettext(
                "Pagu terendah %(low)s lebih besar dari pagu tertinggi %(high)s: tidak ada "
                "paket yang dapat cocok. Tukar kedua nilai itu."
            )
            % {"low": _money(low), "high": _money(high)}
        )
    return ignored


def _money(amount):
    """An amount in a sentence, in the active language, "Rp"/"IDR" held to its digits."""
    return money(amount).replace(" ", "\N{NO-BREAK SPACE}", 1)
