"""A throwaway portal for the fault and load scripts, and an HTTP client that acts like a person.

`LivePortal` gets its own folder (embedded PostgreSQL, media, static files), is migrated and
filled with the regency's real 2018 data, and is served by gunicorn (2 workers of 4 threads,
deploy/gunicorn.conf.py) on loopback, exactly as `make run` serves it. `Browser` keeps
cookies, reads CSRF tokens, signs in to the workspace and submits the package form with PDFs,
as a browser would.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "sandi-uji-beban-2018"  # noqa: S105 (a throwaway portal's accounts)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LivePortal:
    def __init__(self, var, *, operators=5):
        self.var = Path(var)
        self.operators = operators
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = None

    # --- in this process: Django against the same database ----------------------------------

    def setup(self, *, data=True):
        os.environ["PORTAL_VAR_DIR"] = str(self.var)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from contracts.models import Process

        if data and not Process.objects.exists():
            call_command("import_bojonegoro", verbosity=0)
        return self.make_operators()

    def make_operators(self):
        from django.contrib.auth.models import Group

        from agencies import roles
        from agencies.models import Agency, User

        agencies = list(Agency.objects.active().order_by("pk")[: self.operators])
        accounts = []
        for number, agency in enumerate(agencies):
            user, _ = User.objects.get_or_create(
                username=f"operator-uji-{number}", defaults={"agency": agency, "is_staff": True}
            )
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=roles.OPERATOR))
            accounts.append((user.username, agency.pk))
        return accounts

    # --- gunicorn ----------------------------------------------------------------------------

    def start(self, *, log_level="WARNING"):
        environment = {
            **os.environ,
            "PORTAL_VAR_DIR": str(self.var),
            "API_RATE_LIMIT": "1000000000",
            "LOG_LEVEL": log_level,
        }
        self.server = subprocess.Popen(  # noqa: S603 (fixed argv)
            [
                sys.executable, "-m", "gunicorn", "opendata_kontrak.wsgi",
                "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
                "--timeout", "60", "--graceful-timeout", "5",
            ],
            cwd=ROOT,
            env=environment,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/tentang/", timeout=2)  # noqa: S310
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def workers(self):
        path = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self):
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=30)


class Browser:
    """Cookies, CSRF and forms, over urllib: what a person's browser does, minus the drawing."""

    def __init__(self, base, timeout=120):
        self.base = base
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (loopback)

    def post(self, path, fields, files=()):
        body, content_type = multipart(fields, files)
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.base + path,
            data=body,
            headers={"Content-Type": content_type, "Referer": self.base + path},
        )
        return self._open(request)

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def csrf(self, html):
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1).decode()

    def sign_in(self, username, password=PASSWORD):
        status, html, _ = self.get("/admin/login/")
        status, _, _ = self.post(
            "/admin/login/",
            {
                "csrfmiddlewaretoken": self.csrf(html),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")

    def package_form(self, agency_id, title):
        """The fields of a new package as the workspace's form would send them (None: no form)."""
        status, html, _ = self.get("/admin/contracts/process/add/")
        self.form_status = status
        if status != 200:
            return None
        fields = dict(management_forms(html))
        dpa = re.search(rb'<option value="(\d+)">DPA', html)
        fields.update(
            {
                "csrfmiddlewaretoken": self.csrf(html),
                "agency": str(agency_id),
                "fiscal_year": "2026",
                "title": title,
                "funding_sources": "APBD",
                "planned_start": "01/03/2026",
                "planned_end": "30/11/2026",
                "program_name": "Program uji beban",
                "activity_name": "Kegiatan uji beban",
                "rup_code": str(uuid.uuid4().int % 10**9),
                "budget_amount": "125.000.000",
                "category": "barang",
                "method": "pengadaan_langsung",
                "location_kecamatan": "Dander",
                "pa_kpa_name": "Kepala Dinas",
                "ppk_name": "PPK",
                "pptk_name": "PPTK",
                "upload_type_perencanaan": dpa.group(1).decode() if dpa else "",
                "_save": "Simpan",
            }
        )
        return fields

    def add_package(self, agency_id, title, pdfs):
        """Submit the workspace's package form with planning fields and PDFs; the status (of
        the form's page when that was not served: a 503 there is a 503 of the upload)."""
        fields = self.package_form(agency_id, title)
        if fields is None:
            return self.form_status
        files = [("upload_files_perencanaan", name, content) for name, content in pdfs]
        status, _, _ = self.post("/admin/contracts/process/add/", fields, files)
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def management_forms(html):
    pattern = rb'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"'
    for name, value in re.findall(pattern, html):
        yield name.decode(), value.decode()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
