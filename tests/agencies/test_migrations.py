"""The sign-in records of an install upgraded from the project's own lockout and TOTP tables."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_AXES = ("agencies", "0005_load_place_register")


def migrate(target):
    """Migrate the test database to `target` and return the models as they are there."""
    # Rows written just before a table is dropped must not wait for the end of the test's
    # transaction to have their foreign keys checked.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("agencies")[0]


@pytest.mark.django_db
def test_the_sign_in_audit_moves_to_axes_and_a_lock_in_force_stays():
    apps = migrate(BEFORE_AXES)
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        ("admin-kab", "10.0.0.1", "berhasil", 400),  # days ago: the daily round drops it later
        ("admin-kab", "10.0.0.1", "gagal", 30),
        ("admin-kab", "bukan-alamat", "terkunci", 30),
    ] + [("operator-sehat", "10.0.0.9", "kode_salah", 0)] * 5
    for username, address, outcome, days in rows:
        attempt = LoginAttempt.objects.create(
            username=username, address=address, user_agent="Firefox", outcome=outcome
        )
        moment = now - datetime.timedelta(days=days, minutes=1)
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=moment)

    apps = migrate(latest())
    AccessLog = apps.get_model("axes", "AccessLog")
    AccessFailureLog = apps.get_model("axes", "AccessFailureLog")
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.user_agent) == (
        "admin-kab",
        "10.0.0.1",
        "Firefox",
    )
    assert now - success.attempt_time > datetime.timedelta(days=399)  # its own time, kept
    failures = AccessFailureLog.objects.order_by("attempt_time", "pk")
    assert list(failures.values_list("username", "ip_address", "locked_out")) == [
        ("admin-kab", "10.0.0.1", False),
        ("admin-kab", None, True),  # not an address: kept without one
        *[("operator-sehat", "10.0.0.9", False)] * 5,
    ]
    # The five recent failures still lock the account after the upgrade.
    counter = AccessAttempt.objects.get()
    assert (counter.username, counter.failures_since_start) == ("operator-sehat", 5)

    # And back: the rows return to the project's table.
    apps = migrate(BEFORE_AXES)
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    assert sorted(LoginAttempt.objects.values_list("outcome", flat=True)) == sorted(
        ["berhasil", "gagal", "terkunci"] + ["gagal"] * 5
    )
    apps = migrate(latest())
    assert apps.get_model("axes", "AccessFailureLog").objects.count() == 7  # not twice
