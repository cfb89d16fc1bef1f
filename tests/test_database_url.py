"""DATABASE_URL, single- and multi-host, into a DATABASES entry (opendata_kontrak/database_url.py),
and the settings built from it in a fresh interpreter as a deployment starts."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from opendata_kontrak.database_url import parse
from tests.test_settings import run_python


def test_a_single_host_url_gives_each_field_and_the_rest_as_options():
    database = parse("postgresql://portal:rahasia@db.example.go.id:5432/portal", conn_max_age=60)
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "USER": "portal",
        "PASSWORD": "rahasia",
        "HOST": "db.example.go.id",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
        "OPTIONS": {},
    }


def test_a_multi_host_url_keeps_libpqs_lists_and_its_options():
    database = parse(
        "postgresql://portal:rahasia@db-a:5432,db-b:5433/portal"
        "?target_session_attrs=read-write&sslmode=verify-full&connect_timeout=3"
        "&application_name=portal-web&options=-c%20statement_timeout%3D30s"
    )
    assert (database["HOST"], database["PORT"]) == ("db-a,db-b", "5432,5433")
    assert database["OPTIONS"] == {
        "target_session_attrs": "read-write",
        "sslmode": "verify-full",
        "connect_timeout": 3,  # seconds, as settings' own default
        "application_name": "portal-web",
        "options": "-c statement_timeout=30s",
    }


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        # A host written without its port keeps an empty place in the list: the default.
        ("postgresql://u@db-a,db-b:6432/d", "db-a,db-b", ",6432"),
        ("postgres://u@db-a,db-b/d", "db-a,db-b", ","),
        # One port for every host, libpq's other allowed shape.
        ("postgresql://u@db-a,db-b/d?port=6432", "db-a,db-b", "6432"),
        # IPv6 in brackets; the brackets are the URL's, not the address's.
        ("postgresql://u@[2001:db8::1]:5432,[::1]:5433/d", "2001:db8::1,::1", "5432,5433"),
        # A Unix socket folder, percent-encoded in the host or in the query string.
        ("postgresql://u@%2Frun%2Fpostgresql/d", "/run/postgresql", ""),
        ("postgresql:///d?host=/run/postgresql&port=5433&user=u", "/run/postgresql", "5433"),
        ("postgresql:///d?host=/a,/b&port=5432,5433", "/a,/b", "5432,5433"),
    ],
)
def test_hosts_and_ports_in_every_shape_libpq_reads(url, host, port):
    database = parse(url)
    assert (database["HOST"], database["PORT"], database["NAME"]) == (host, port, "d")


def test_percent_encoded_credentials_are_decoded():
    database = parse("postgresql://portal%40kab:p%40ss%3Aw%2Fd@db/portal")
    assert (database["USER"], database["PASSWORD"]) == ("portal@kab", "p@ss:w/d")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@db/d", "must point at a PostgreSQL server"),
        ("sqlite:///db.sqlite3", "must point at a PostgreSQL server"),
        ("postgresql://u@db", "must name the database"),
        ("postgresql://u@db/d?bogus=1", 'invalid URI query parameter: "bogus"'),
        ("postgresql://u@db:54x2/d", "port '54x2' is not a port number"),
        ("postgresql://u@db:70000/d", "port '70000' is not a port number"),
        ("postgresql://u@a:1,b:2,c:3/d?port=1,2", "lists 3 hosts but 2 ports"),
        ("postgresql://u@db/d?connect_timeout=soon", "connect_timeout must be whole seconds"),
    ],
)
def test_a_bad_url_is_refused_naming_the_variable_and_the_fault(url, message):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as refused:
        parse(url)
    assert message in str(refused.value)


PRINT_DATABASE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({key: db[key] for key in
    ("HOST", "PORT", "NAME", "OPTIONS", "DISABLE_SERVER_SIDE_CURSORS", "CONN_MAX_AGE")}))
"""


def read_database(env):
    result = run_python(PRINT_DATABASE, env)
    return result.returncode, result.stdout, result.stderr


def test_settings_take_a_failover_url_and_the_poolers_switch(tmp_path):
    code, out, err = read_database(
        {
            "DATABASE_URL": "postgresql://portal:x@db-a:5432,db-b:5433/portal"
            "?target_session_attrs=read-write",
            "DISABLE_SERVER_SIDE_CURSORS": "true",
            "PORTAL_VAR_DIR": str(tmp_path),
        }
    )
    assert code == 0, err
    assert json.loads(out) == {
        "HOST": "db-a,db-b",
        "PORT": "5432,5433",
        "NAME": "portal",
        # The settings' own connect timeout is added; the URL's attribute kept.
        "OPTIONS": {"target_session_attrs": "read-write", "connect_timeout": 5},
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "CONN_MAX_AGE": 60,
    }


def test_server_side_cursors_stay_on_without_a_pooler_and_a_bad_switch_is_refused(tmp_path):
    env = {"DATABASE_URL": "postgresql://portal@db/portal", "PORTAL_VAR_DIR": str(tmp_path)}
    code, out, err = read_database(env)
    assert code == 0, err
    assert json.loads(out)["DISABLE_SERVER_SIDE_CURSORS"] is False
    code, _, err = read_database({**env, "DISABLE_SERVER_SIDE_CURSORS": "perhaps"})
    assert code != 0
    assert "DISABLE_SERVER_SIDE_CURSORS must be true or false" in err
    code, _, err = read_database({**env, "DATABASE_URL": "postgresql://portal@a:1,b:x/portal"})
    assert code != 0
    assert "DATABASE_URL: port 'x' is not a port number" in err
