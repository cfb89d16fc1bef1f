"""The chunked long reads (opendata_kontrak/chunked.py): every row once, in order, one chunk of
queries at a time, with server-side cursors off as behind a transaction-mode pooler."""

from operator import itemgetter

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from contracts.models import Document, Process
from opendata_kontrak import chunked
from tests.factories import make_process


@pytest.fixture
def seven(db):
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    agency = Agency.objects.get(code="dinas-kesehatan")
    yield [make_process(agency, title=f"Paket {letter}") for letter in "GFEDCBA"]
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False


def test_by_pk_reads_every_row_once_in_key_order_a_chunk_per_query(seven):
    ids = [p.pk for p in seven]
    packages = (
        Process.objects.filter(pk__in=ids)
        .order_by("-title")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.only("pk", "process_id")))
    )
    with CaptureQueriesContext(connection) as captured:
        read = [p.pk for p in chunked.by_pk(packages, 3)]
    assert read == sorted(ids)  # the key's order, whatever the queryset's
    # Chunks of 3, 3, 1: each its packages and their documents (prefetched per chunk).
    assert len(captured) == 3 * 2
    assert all("LIMIT 3" in q["sql"] for q in captured if "contracts_process" in q["sql"])


def test_by_pk_reads_tuples_and_stops_at_a_full_last_chunk(seven):
    ids = sorted(p.pk for p in seven)[:6]
    rows = Process.objects.filter(pk__in=ids).values_list("pk", "title")
    with CaptureQueriesContext(connection) as captured:
        read = list(chunked.by_pk(rows, 3, pk_of=itemgetter(0)))
    assert [pk for pk, _ in read] == ids
    assert len(captured) == 3  # two full chunks, then one that finds nothing


def test_in_order_keeps_the_querysets_order_and_skips_a_row_gone_meanwhile(seven):
    by_title = Process.objects.filter(pk__in=[p.pk for p in seven]).order_by("title")
    reader = chunked.in_order(by_title, 2)
    first = next(reader)  # the keys are read now, and the first chunk
    assert first.title == "Paket A"
    Process.objects.filter(title="Paket E").delete()
    assert [first.title] + [p.title for p in reader] == [
        "Paket A", "Paket B", "Paket C", "Paket D", "Paket F", "Paket G"
    ]  # fmt: skip
