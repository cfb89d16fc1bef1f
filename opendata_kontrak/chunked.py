"""Long reads in bounded memory, with or without server-side cursors.

`QuerySet.iterator(chunk_size=…)` streams through a server-side cursor, but behind PgBouncer in
transaction mode those are off (DISABLE_SERVER_SIDE_CURSORS: a cursor declared in one
transaction is gone, or on another client's connection, at the next fetch), and then psycopg
reads the whole result into the client before the first row: a million packages in memory.
These two readers hold one chunk at a time whatever the setting, each chunk one short query (a
transaction of its own in autocommit), so they are correct with any pooler:

- `by_pk`: a queryset in primary-key order, by keyset pagination (`pk > last ORDER BY pk
  LIMIT n`, read off the primary key's index; no OFFSET, so the cost per chunk stays flat).
  prefetch_related runs per chunk, as with iterator().
- `in_order`: a queryset in any other order (the list's sorts). Its primary keys are streamed
  first, in order, into a compact array (8 bytes a row: 8 MB for a million packages; libpq's
  single-row mode, so not even the id query is held whole), then the rows are read by chunks of
  those keys and put back in that order.

Each chunk reads the database as it is then: a row changed between chunks is read as changed,
one added behind the last key is not read (the bulk build takes its stamps first for this).
"""

from array import array
from operator import attrgetter

from django.db import connections

CHUNK = 2000


def by_pk(queryset, chunk_size=CHUNK, *, pk_of=attrgetter("pk")):
    """Each row of `queryset` in ascending primary key, `chunk_size` rows read at a time.

    `pk_of` reads a row's primary key: the default suits model instances; for
    `values_list("pk", …)` pass `operator.itemgetter(0)`. Any ordering of the queryset is
    replaced by the primary key's."""
    ordered = queryset.order_by("pk")
    last = None
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        rows = list(page[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = pk_of(rows[-1])


def ordered_keys(queryset):
    """The primary keys of `queryset`, in its order, as an array of 64-bit integers."""
    sql, params = queryset.values_list("pk", flat=True).query.sql_with_params()
    keys = array("q")
    with connections[queryset.db].cursor() as cursor:
        # psycopg's stream(): rows arrive one by one as the server sends them (one statement,
        # no cursor left behind, so no pooler can lose it).
        for (pk,) in cursor.cursor.stream(sql, params):
            keys.append(pk)
    return keys


def in_order(queryset, chunk_size=CHUNK):
    """Each row of `queryset` in the queryset's own order, `chunk_size` rows read at a time."""
    keys = ordered_keys(queryset)
    unordered = queryset.order_by()
    for start in range(0, len(keys), chunk_size):
        wanted = keys[start : start + chunk_size].tolist()
        found = {row.pk: row for row in unordered.filter(pk__in=wanted)}
        # A row gone since the keys were read is skipped; the others keep their place.
        yield from (found[pk] for pk in wanted if pk in found)
