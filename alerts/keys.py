"""What identifies a subscription: its scope and either the list's filters or one package.

`subscription_key(scope, params, process_id)` is the value of `Subscription.key` (unique per
subscriber): the same follow asked twice finds the row already there. The list's sort and page
(`urut`, `halaman`) are not part of what is followed and are left out, and the filters are
written in one canonical order, so `?pd=1.02&tahun=2019` and `?tahun=2019&pd=1.02&urut=nilai`
are the same subscription.

What the list finds alike is keyed alike: a search by its words as the search reads them
(contracts.search.search_words: letters and digits, lower case, any order, each once), so
"Jalan Baureno", "jalan  baureno" and "Baureno-Jalan" are one subscription. A kecamatan is
stored by the register's name (`alerts.views.target_from_query` resolves it), so
"Kec. Sumberrejo" and "Sumberejo" are one too.
"""

import hashlib
import json

from contracts.search import search_words

# Parameters of the public list that change how it is shown, not what it holds.
NOT_FOLLOWED = ("urut", "halaman")


def followed_params(params):
    """`params` (PackageFilter.params) without the sort and page: what a subscription keeps."""
    return {name: value for name, value in (params or {}).items() if name not in NOT_FOLLOWED}


def search_key(text):
    """The words of a typed search as the search reads them, canonical: lower case, sorted,
    each once, joined by one space ("Jalan  Baureno" → "baureno jalan")."""
    return " ".join(sorted({word.lower() for word in search_words(text)}))


def _canonical(name, value):
    return search_key(value) if name == "q" else str(value)


def subscription_key(scope, params, process_id):
    """SHA-256 (64 hex digits) of `scope` ("perubahan"/"peluang") with `params` (a dict of the
    list's filters, {} for a package) or `process_id` (a Process pk, None for filters). The
    search `q` counts by its words (`search_key`)."""
    canonical = json.dumps(
        {
            "scope": str(scope),
            "params": {
                name: _canonical(name, value) for name, value in followed_params(params).items()
            },
            "process": process_id,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
