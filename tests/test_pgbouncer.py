"""The portal behind a real PgBouncer in transaction mode (tests/pgservers.py), in front of the
test database: the package-add form, the bulk build and its lock, the chunked long reads.

The default alias is pointed at PgBouncer for the duration of each check, with the settings a
deployment gives it (DISABLE_SERVER_SIDE_CURSORS=true). PgBouncer hands each transaction the
next of several server connections (round robin), so whatever a session leaves behind (a
cursor, an advisory lock, a prepared statement) is met by another client's transaction, as on
a busy production pooler. The tests are transactional: PgBouncer's server connections see only
what is committed."""

import contextlib
import subprocess

import django.db
import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from agencies.models import Agency
from agencies.places import load_places
from contracts import services
from contracts.models import DocumentType, Process
from opendata import selection
from opendata.bulk import BuildRunning, build
from opendata.models import BulkFile
from tests import pdfs
from tests.admin_forms import form_data
from tests.contracts.test_admin import planning_post
from tests.factories import make_operator, make_process, planning_fields
from tests.pgservers import POSTGRES_BIN, pgbouncer
from tests.workers import load_migrated_data

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "https://data.contoh.go.id"
LOCK = "SELECT pg_advisory_xact_lock(hashtext('opendata.bulk'))"


@pytest.fixture
def bouncer(transactional_db, media_root):
    load_migrated_data()
    load_places()
    with pgbouncer(connection.settings_dict) as port:
        yield port


@contextlib.contextmanager
def through(port, *, server_side_cursors=False):
    """The default alias reaches the database through PgBouncer for the block (and every
    connection made from its settings meanwhile: the bulk build's lock holder too)."""
    database = connection.settings_dict
    kept = {key: database[key] for key in ("HOST", "PORT", "DISABLE_SERVER_SIDE_CURSORS")}
    connection.close()
    database.update(
        HOST="127.0.0.1", PORT=str(port), DISABLE_SERVER_SIDE_CURSORS=not server_side_cursors
    )
    try:
        yield
    finally:
        connection.close()
        database.update(kept)


def pooled_queries(port):
    """Statements PgBouncer has passed on for the test database so far (its admin console)."""
    out = subprocess.run(
        [str(POSTGRES_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U",
         connection.settings_dict["USER"], "-At", "-F", "|", "-c", "SHOW STATS", "pgbouncer"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for line in out.splitlines():
        fields = line.split("|")
        if fields[0] == connection.settings_dict["NAME"]:
            return int(fields[3])  # total_query_count
    return 0


def hold_build_lock(port):
    """Another builder, through PgBouncer: its transaction holds the bulk build's lock."""
    holder = psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
    )
    holder.execute(LOCK)
    return holder


def advisory_locks():
    """Advisory locks held in this test's database by anyone (asked directly, not through
    PgBouncer). Only this database: the suite's other processes share the server, each with a
    database of its own, and take locks of their own meanwhile (the flags' transaction lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


def post_package(client, agency, title):
    add = reverse("admin:contracts_process_add")
    page = client.get(add)
    assert page.status_code == 200
    response = client.post(
        add,
        form_data(
            page,
            **planning_post(agency, title=title),
            upload_type_perencanaan=str(DocumentType.objects.get(code="dpa").pk),
            upload_files_perencanaan=[
                SimpleUploadedFile("DPA.pdf", pdfs.good_pdf("DPA"), "application/pdf")
            ],
        ),
    )
    return response


def test_the_package_add_form_saves_every_time_through_pgbouncer(client, bouncer):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    with through(bouncer):
        before = pooled_queries(bouncer)
        client.force_login(operator)
        for number in range(5):
            response = post_package(client, health, f"Paket lewat pooler {number}")
            assert response.status_code == 302, response.content.decode()[:2000]
        assert pooled_queries(bouncer) > before + 50  # the pages' queries went through it
    saved = Process.objects.filter(title__startswith="Paket lewat pooler")
    assert saved.count() == 5
    assert all(process.documents.count() == 1 for process in saved)


def test_server_side_cursors_break_behind_pgbouncer_which_is_why_they_are_off(client, bouncer):
    """The failure the setting prevents, reproduced: the form's choices are read with a
    server-side cursor, declared in one transaction and fetched in the next, on another
    server connection."""
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    # psycopg's error, raised as it is or wrapped by Django's (which way depends on where the
    # fetch happens: iterating the cursor, or a query Django runs around it).
    errors = (psycopg.Error, django.db.Error)
    with through(bouncer, server_side_cursors=True), pytest.raises(errors) as broken:
        client.force_login(operator)
        for _ in range(5):
            client.get(reverse("admin:contracts_process_add"))
    assert "does not exist" in str(broken.value)


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


def test_the_bulk_build_runs_through_pgbouncer_and_its_lock_never_stays(bouncer):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    published = [publish(operator, title=f"Terbit {n}", fiscal_year=2018 + n % 2) for n in range(5)]
    with through(bouncer):
        assert build(base_url=BASE) == ["2019", "2018", "semua"]
        # Twice more, forced: each finds the lock free again (a session lock would have stayed
        # on whichever server connection took it, and the next build there "changed nothing").
        for _ in range(2):
            assert build(base_url=BASE, force=True) == ["2019", "2018", "semua"]
        assert build(base_url=BASE) == []  # nothing changed, truly
    assert advisory_locks() == 0
    assert BulkFile.objects.get(scope="semua", name="ocds.jsonl").packages == len(published)


def test_a_build_while_another_holds_the_lock_says_it_is_running(bouncer):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    publish(operator, title="Terbit", fiscal_year=2019)
    holder = hold_build_lock(bouncer)
    try:
        with through(bouncer):
            with pytest.raises(BuildRunning):
                build(base_url=BASE)
            out = _command_output()
            assert "pembangunan lain sedang berjalan" in out
            assert "tidak ada yang berubah" not in out
            assert not BulkFile.objects.exists()
    finally:
        # The other builder ends: its transaction, and the lock, go with it. Rolled back first:
        # a bare close leaves PgBouncer to end the server's transaction after the client has
        # gone, and the next build could still find the lock taken for a moment.
        holder.rollback()
        holder.close()
    with through(bouncer):
        assert build(base_url=BASE) == ["2019", "semua"]
    assert advisory_locks() == 0


def _command_output():
    import io

    out = io.StringIO()
    call_command("build_open_data", stdout=out)
    return out.getvalue()


def test_psycopg_prepares_no_statement_behind_pgbouncer(bouncer):
    with through(bouncer):
        for _ in range(10):  # psycopg would prepare from the 5th execution
            assert Agency.objects.filter(code="dinas-kesehatan").exists()
        assert connection.connection.prepare_threshold is None
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0


def test_the_selection_download_reads_in_chunks_through_pgbouncer(client, bouncer, monkeypatch):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    titles = [
        publish(operator, title=f"Pilihan {n}", budget_amount=(n + 1) * 100_000_000).title
        for n in range(7)
    ]
    monkeypatch.setattr(selection, "CHUNK", 3)  # three chunks, each its own transaction
    with through(bouncer):
        response = client.get(reverse("opendata:selection", args=["csv"]), {"urut": "nilai"})
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    # Every package once, in the list's order (largest budget first: the newest here), across
    # the chunks.
    found = [title for line in body.splitlines() for title in titles if title in line]
    assert found == titles[::-1]
