"""The sign-in audit moves to django-axes: successes to its access log, failures and refusals
to its failure log, and the failures of the last lockout period to its counters, so that a
lockout in force when the portal is upgraded stays in force."""

import datetime
import ipaddress

from django.conf import settings
from django.db import migrations
from django.db.models import Count, Max

SUCCESS, FAILED, BAD_CODE, LOCKED = "berhasil", "gagal", "kode_salah", "terkunci"
LOGIN_PATH = "/admin/login/"


def address(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def keep_attempt_time(model):
    # attempt_time is auto_now_add: a copied row keeps the time it happened.
    model._meta.get_field("attempt_time").auto_now_add = False


def to_axes(apps, schema_editor):
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    AccessLog = apps.get_model("axes", "AccessLog")
    AccessFailureLog = apps.get_model("axes", "AccessFailureLog")
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        keep_attempt_time(model)

    def common(row):
        return {
            "username": row.username,
            "ip_address": address(row.address),
            "user_agent": row.user_agent[:255],
            "http_accept": "",
            "path_info": LOGIN_PATH,
            "attempt_time": row.at,
        }

    rows = LoginAttempt.objects.order_by("pk").iterator(chunk_size=2000)
    successes, failures = [], []
    for row in rows:
        if row.outcome == SUCCESS:
            successes.append(AccessLog(**common(row)))
        else:
            failures.append(AccessFailureLog(**common(row), locked_out=row.outcome == LOCKED))
    AccessLog.objects.bulk_create(successes, batch_size=2000)
    AccessFailureLog.objects.bulk_create(failures, batch_size=2000)

    since = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
    recent = (
        LoginAttempt.objects.filter(outcome__in=[FAILED, BAD_CODE], at__gte=since)
        .values("username", "address", "user_agent")
        .annotate(failures=Count("pk"), last=Max("at"))
    )
    counters = {}
    for group in recent:
        key = (group["username"], address(group["address"]), group["user_agent"][:255])
        failures, last = counters.get(key, (0, group["last"]))
        counters[key] = (failures + group["failures"], max(last, group["last"]))
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=username,
            ip_address=ip_address,
            user_agent=user_agent,
            http_accept="",
            path_info=LOGIN_PATH,
            get_data="",
            post_data="",
            failures_since_start=failures,
            attempt_time=last,
        )
        for (username, ip_address, user_agent), (failures, last) in counters.items()
    )


def from_axes(apps, schema_editor):
    # Back to the project's table, which counts and audits alone again; a wrong code and a
    # wrong password are one kind of failure in axes' log, so both come back as "gagal".
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    AccessLog = apps.get_model("axes", "AccessLog")
    AccessFailureLog = apps.get_model("axes", "AccessFailureLog")
    LoginAttempt._meta.get_field("at").auto_now_add = False

    def row(entry, outcome):
        return LoginAttempt(
            username=(entry.username or "")[:150],
            address=entry.ip_address or "",
            user_agent=entry.user_agent[:300],
            outcome=outcome,
            at=entry.attempt_time,
        )

    LoginAttempt.objects.bulk_create(
        (row(entry, SUCCESS) for entry in AccessLog.objects.iterator(chunk_size=2000)),
        batch_size=2000,
    )
    LoginAttempt.objects.bulk_create(
        (
            row(entry, LOCKED if entry.locked_out else FAILED)
            for entry in AccessFailureLog.objects.iterator(chunk_size=2000)
        ),
        batch_size=2000,
    )
    for model in (AccessLog, AccessFailureLog, apps.get_model("axes", "AccessAttempt")):
        model.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_load_place_register"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(to_axes, from_axes)]
