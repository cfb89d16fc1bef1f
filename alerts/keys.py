"""What identifies a subscription: its scope and either the list's filters or one package.

`subscription_key(scope, params, process_id)` is the value of `Subscription.key` (unique per
subscriber): the same follow asked twice finds the row already there. The list's sort and page
(`urut`, `halaman`) are not part of what is followed and are left out, and the filters are
written in one canonical order, so `?pd=1.02&tahun=2019` and `?tahun=2019&pd=1.02&urut=nilai`
are the same subscription.
"""

import hashlib
import json

# Parameters of the public list that change how it is shown, not what it holds.
NOT_FOLLOWED = ("urut", "halaman")


def followed_params(params):
    """`params` (PackageFilter.params) without the sort and page: what a subscription keeps."""
    return {name: value for name, value in (params or {}).items() if name not in NOT_FOLLOWED}


def subscription_key(scope, params, process_id):
    """SHA-256 (64 hex digits) of `scope` ("perubahan"/"peluang") with `params` (a dict of the
    list's filters, {} for a package) or `process_id` (a Process pk, None for filters)."""
    canonical = json.dumps(
        {
            "scope": str(scope),
            "params": {name: str(value) for name, value in followed_params(params).items()},
            "process": process_id,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
