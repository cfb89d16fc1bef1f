"""Settings per environment, each read in a fresh interpreter as a deployment would start."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import formats

ROOT = Path(__file__).resolve().parent.parent
# Never reached: settings only parse it, they do not connect.
SOME_SERVER = "postgresql://portal:secret@db.invalid:5432/portal"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "ALLOWED_HOSTS": "kontrak.example.go.id",
    "DATABASE_URL": SOME_SERVER,
    "EMAIL_URL": "smtp://portal:rahasia@mail.example.go.id:587/?tls=True",
}

PRINT_SETTINGS = """
import json
from django.conf import settings
from django.contrib.auth.hashers import make_password
print(json.dumps({
    "password_hash": make_password("kata-sandi").split("$")[:2],
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_host": settings.DATABASES["default"]["HOST"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "secret_key": settings.SECRET_KEY,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": {k: str(v) for k, v in settings.STORAGES["default"]["OPTIONS"].items()},
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "region": settings.PORTAL["REGION_NAME"],
    "ocid_prefix": settings.PORTAL["OCID_PREFIX"],
    "mail": [
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", None),
        getattr(settings, "EMAIL_PORT", None),
        getattr(settings, "EMAIL_USE_TLS", None),
        str(getattr(settings, "EMAIL_FILE_PATH", "")),
    ],
    "trusted_proxies": (
        settings.TRUSTED_PROXIES
        if isinstance(settings.TRUSTED_PROXIES, int)
        else [str(network) for network in settings.TRUSTED_PROXIES]
    ),
}))
"""


def run_python(code, env, *args):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    for name in [
        "DATABASE_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
        "S3_BUCKET",
        "EMAIL_URL",
        "EMAIL_HOST",
        "EMAIL_FILE_PATH",
    ]:
        clean.pop(name, None)
    clean["DJANGO_SETTINGS_MODULE"] = "opendata_kontrak.settings"
    return subprocess.run(
        [sys.executable, *args] if not code else [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(env):
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_defaults_are_safe_and_indonesian(tmp_path):
    values = read_settings({"DATABASE_URL": SOME_SERVER, "PORTAL_VAR_DIR": str(tmp_path)})
    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["allowed_hosts"] == ["127.0.0.1", "localhost"]
    assert values["storage"] == "django.core.files.storage.FileSystemStorage"
    assert values["storage_options"]["location"] == str(tmp_path / "media")
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["ssl_redirect"] is False
    assert (values["language"], values["time_zone"]) == ("id", "Asia/Jakarta")
    assert values["region"] == "Kabupaten Bojonegoro"
    assert values["trusted_proxies"] == 0
    # Django's own hasher at its full strength (the tests hash faster: tests/hashers.py).
    assert values["password_hash"][0] == "pbkdf2_sha256"
    assert int(values["password_hash"][1]) >= 1_000_000
    # No mail server: each message a file under var/mail/ (make run says so).
    assert values["mail"][0] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["mail"][4] == str(tmp_path / "mail")


def test_local_secret_key_is_generated_once_and_private(tmp_path):
    env = {"DATABASE_URL": SOME_SERVER, "PORTAL_VAR_DIR": str(tmp_path)}
    first = read_settings(env)["secret_key"]
    second = read_settings(env)["secret_key"]
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_database_url_selects_that_server():
    values = read_settings({"DATABASE_URL": SOME_SERVER})
    assert (values["db_host"], values["db_name"]) == ("db.invalid", "portal")


def test_the_running_suite_uses_postgresql():
    assert connection.vendor == "postgresql"
    if not os.environ.get("DATABASE_URL"):
        # No server named: the embedded one, on a Unix socket beside its data.
        assert connection.settings_dict["HOST"].startswith("/")
        assert django_settings.EMBEDDED_PGDATA is not None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL must point at a PostgreSQL"),
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({**PRODUCTION, "DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({**PRODUCTION, "DEBUG": "true"}, "DEBUG cannot be on"),
        ({"DJANGO_ENV": "staging", "DATABASE_URL": SOME_SERVER}, "DJANGO_ENV must be"),
        ({"DATABASE_URL": SOME_SERVER, "DEBUG": "perhaps"}, "DEBUG must be true or false"),
        ({"DATABASE_URL": SOME_SERVER, "OCDS_OCID_PREFIX": "ocds-toolong"}, "OCDS_OCID_PREFIX"),
        (
            {"DATABASE_URL": SOME_SERVER, "PORTAL_TRUSTED_PROXIES": "127.0.0.1, nginx.local"},
            "PORTAL_TRUSTED_PROXIES must be a number of proxies or a list",
        ),
        (
            {"DATABASE_URL": SOME_SERVER, "PORTAL_BEHIND_PROXY": "true"},
            "set PORTAL_TRUSTED_PROXIES=1 for one proxy",
        ),
    ],
)
def test_misconfiguration_fails_loudly(env, message):
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_turns_on_transport_security():
    values = read_settings(PRODUCTION)
    assert values["ssl_redirect"] is True
    assert values["hsts"] >= 31536000
    assert values["debug"] is False
    assert values["secret_key"] == PRODUCTION["SECRET_KEY"]
    assert values["password_hash"][0] == "pbkdf2_sha256"
    assert int(values["password_hash"][1]) >= 1_000_000


def test_check_deploy_is_clean_in_production():
    result = run_python(None, PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_local_mode():
    # The same check on local settings must complain, or the clean result above proves nothing.
    result = run_python(
        None,
        {"DATABASE_URL": SOME_SERVER},
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr or "security.W004" in result.stdout


def test_s3_storage_when_a_bucket_is_configured():
    values = read_settings(
        {
            "DATABASE_URL": SOME_SERVER,
            "S3_BUCKET": "dokumen-kontrak",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "S3_ACCESS_KEY_ID": "kunci",
            "S3_SECRET_ACCESS_KEY": "rahasia",
        }
    )
    assert values["storage"] == "storages.backends.s3.S3Storage"
    options = values["storage_options"]
    assert options["bucket_name"] == "dokumen-kontrak"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["default_acl"] == "None"
    assert options["querystring_auth"] == "True"


def test_publisher_is_configuration():
    values = read_settings(
        {
            "DATABASE_URL": SOME_SERVER,
            "PORTAL_REGION_NAME": "Kabupaten Tuban",
            "OCDS_OCID_PREFIX": "ocds-tbn001",
        }
    )
    assert (values["region"], values["ocid_prefix"]) == ("Kabupaten Tuban", "ocds-tbn001")


def test_dates_and_numbers_read_the_indonesian_way():
    from datetime import date

    assert formats.date_format(date(2026, 11, 27)) == "27 November 2026"
    assert formats.date_format(date(2018, 2, 1), "SHORT_DATE_FORMAT") == "01/02/2018"
    assert formats.get_format("THOUSAND_SEPARATOR") == "."
    assert formats.get_format("DECIMAL_SEPARATOR") == ","


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("2", 2),
        ("127.0.0.1, 10.0.0.0/8,2001:db8::1", ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::1/128"]),
    ],
)
def test_trusted_proxies_are_a_count_or_addresses(value, expected):
    values = read_settings({"DATABASE_URL": SOME_SERVER, "PORTAL_TRUSTED_PROXIES": value})
    assert values["trusted_proxies"] == expected


def test_email_url_names_the_mail_server_and_production_needs_one():
    values = read_settings(PRODUCTION)
    assert values["mail"][:4] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.go.id",
        587,
        True,
    ]
    without = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = run_python(PRINT_SETTINGS, without)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr
