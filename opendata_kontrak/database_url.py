"""DATABASE_URL → one entry of Django's DATABASES, single- or multi-host.

The URL is read by libpq itself (psycopg's `conninfo_to_dict`, which calls PQconninfoParse), so
the portal accepts exactly what PostgreSQL's own tools accept:

    postgresql://portal:secret@db.example:5432/portal
    postgresql://portal:secret@db-a:5432,db-b:5433/portal?target_session_attrs=read-write
    postgresql://portal@/portal?host=/run/postgresql            (a Unix socket, query form)
    postgresql://portal@%2Frun%2Fpostgresql/portal               (a Unix socket, encoded)
    postgresql://portal@[2001:db8::1]:5432/portal?sslmode=verify-full&connect_timeout=3

dj_database_url (used before) rejects a host list (`a:5432,b:5433` is no valid URL to
urllib) and leaves `?host=` in OPTIONS, where `manage.py backup` never looked. libpq's parser
has neither problem, percent-decodes every part, knows IPv6 brackets and refuses an unknown
query parameter, so one code path serves both shapes.

The result: HOST and PORT as libpq lists ("db-a,db-b", "5432,5433"; Django hands them to
psycopg as they are, and libpq tries the hosts in order), NAME, USER, PASSWORD, and every other
parameter (sslmode, target_session_attrs, connect_timeout, application_name, options, …) in
OPTIONS, which Django passes to psycopg.connect unchanged. Errors are ImproperlyConfigured,
naming the variable, as the rest of the settings do.
"""

import psycopg
from django.core.exceptions import ImproperlyConfigured
from psycopg.conninfo import conninfo_to_dict

SCHEMES = ("postgres://", "postgresql://")
# libpq keywords that are fields of a DATABASES entry rather than OPTIONS.
FIELDS = {"dbname": "NAME", "user": "USER", "password": "PASSWORD", "host": "HOST", "port": "PORT"}


def parse(url, *, name="DATABASE_URL", conn_max_age=0):
    """The DATABASES entry for `url` (a postgres:// or postgresql:// URI).

    `name` is the variable the URL came from, for the error messages."""
    if not url.startswith(SCHEMES):
        raise ImproperlyConfigured(f"{name} must point at a PostgreSQL server (postgresql://…)")
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        # libpq's own words: 'invalid URI query parameter: "bogus"', 'unexpected character …'.
        detail = str(error).strip() or "not a libpq connection URI"
        raise ImproperlyConfigured(f"{name} cannot be read: {detail}") from None
    if not params.get("dbname"):
        raise ImproperlyConfigured(f"{name} must name the database (postgresql://…/name)")
    hosts = params.get("host", "").split(",")
    ports = params.get("port", "").split(",")
    for port in ports:
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise ImproperlyConfigured(f"{name}: port {port!r} is not a port number")
    if "port" in params and len(ports) not in (1, len(hosts)):
        # libpq's rule: one port for every host, or a single one for all.
        raise ImproperlyConfigured(
            f"{name} lists {len(hosts)} hosts but {len(ports)} ports: give one port, or one each"
        )
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "",
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "CONN_MAX_AGE": conn_max_age,
        "OPTIONS": {},
    }
    for key, value in params.items():
        if key in FIELDS:
            database[FIELDS[key]] = value
        else:
            database["OPTIONS"][key] = value
    if "connect_timeout" in database["OPTIONS"]:
        timeout = database["OPTIONS"]["connect_timeout"]
        if not timeout.isdigit():
            raise ImproperlyConfigured(f"{name}: connect_timeout must be whole seconds")
        database["OPTIONS"]["connect_timeout"] = int(timeout)
    return database
