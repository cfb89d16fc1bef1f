"""The nginx site file of deploy/nginx/, filled in for one deployment.

The template leaves open what a deployment decides (host name, certificate, where gunicorn
listens) and the body-size caps, which come from the portal's own upload limits here so that
nginx never refuses an upload Django would have accepted, nor lets through one many times
larger. `manage.py nginx_config` prints it; `standalone` wraps it in a main configuration of
its own, as Debian's /etc/nginx/nginx.conf would, for the tests and scripts/slowloris.py.
"""

import math
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

TEMPLATE = settings.BASE_DIR / "deploy" / "nginx" / "opendata-kontrak.conf"
MIB = 1024 * 1024
# One save of the package form: a stage's documents usually go up a handful at a time. Four at
# the per-file limit fit one request; more go up in a second save (and their checks fit
# PDF_BATCH_SECONDS).
DOCUMENTS_PER_SAVE = 4


def body_limits():
    """client_max_body_size of the public site and of the workspace, in bytes."""
    from contracts.forms import FIELD_MAX_PHOTOS
    from participation.forms import MAX_PHOTOS

    # Room for the form's other fields and the multipart framing. The field page
    # (/pengawasan/lapangan/) is outside /admin/: its progress photos pass the public cap.
    fields = MIB
    public = max(MAX_PHOTOS, FIELD_MAX_PHOTOS) * settings.REPORT_PHOTO_MAX_BYTES + fields
    workspace = max(settings.IMPORT_MAX_BYTES, DOCUMENTS_PER_SAVE * settings.DOCUMENT_MAX_BYTES)
    return {"public": public, "workspace": workspace + fields}


def render_site(
    *,
    server_name,
    certificate,
    certificate_key,
    upstream="127.0.0.1:8000",
    http_listen="80",
    https_listen="443",
):
    limits = body_limits()
    # Several app servers (scripts/cluster.py, or one gunicorn per machine): one `server` line
    # each in the upstream block, nginx balances them and passes a request on to the next
    # when one refuses the connection.
    upstreams = [upstream] if isinstance(upstream, str) else list(upstream)
    values = {
        "server_name": server_name,
        "certificate": str(certificate),
        "certificate_key": str(certificate_key),
        "upstream": upstreams[0],
        "http_listen": http_listen,
        "https_listen": https_listen,
        "public_max_body": f"{math.ceil(limits['public'] / MIB)}m",
        "workspace_max_body": f"{math.ceil(limits['workspace'] / MIB)}m",
    }
    for name, value in values.items():
        # Each value ends up inside one directive: nothing in it may end that directive early.
        # Only server_name takes several words (the host names, separated by spaces).
        words = value.split(" ") if name == "server_name" else [value]
        if not all(words) or any(re.search(r"[\s;{}'\"#$\\]", word) for word in words):
            raise ValueError(f"{name}: {value!r} is not a plain nginx value")

    for extra in upstreams[1:]:
        if not extra or re.search(r"[\s;{}'\"#$\\]", extra):
            raise ValueError(f"upstream: {extra!r} is not a plain nginx value")
    values["upstream"] = ";\n    server ".join(upstreams)

    def fill(match):
        return values[match.group(1)]

    return re.sub(r"\{\{ (\w+) \}\}", fill, TEMPLATE.read_text())


def standalone(directory, site):
    """Write `site` and a main configuration around it into `directory`; the main file's path.

    Everything nginx writes (pid, logs, request bodies) stays in `directory`, so it runs as
    the current user without touching /etc/nginx or /var: `nginx -p DIR -c DIR/nginx.conf`.
    """
    directory = Path(directory)
    (directory / "opendata-kontrak.conf").write_text(site)
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # Run by root (CI), the master would hand its workers to "nobody", who cannot read this
    # directory; as anyone else nginx ignores `user`, with a warning, so it is left out.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    main = directory / "nginx.conf"
    main.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {directory}/opendata-kontrak.conf;
}}
"""
    )
    return main


def self_signed_certificate(directory):
    """A throwaway certificate for localhost (certificate, key), made by openssl."""
    certificate, key = Path(directory) / "localhost.crt", Path(directory) / "localhost.key"
    openssl = shutil.which("openssl") or "openssl"
    subprocess.run(  # noqa: S603 (fixed argv)
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key
