"""The nginx site file in deploy/nginx/, rendered and run by Debian's nginx."""

import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from opendata.ratelimit import client_address
from opendata_kontrak import nginx
from participation.forms import MAX_PHOTOS

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture
def nginx_binary():
    if NGINX is None:
        message = "nginx is needed: apt-get install -y nginx"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return NGINX


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render(directory, *, upstream="127.0.0.1:9", https_port=443, http_port=80):
    certificate, key = nginx.self_signed_certificate(directory)
    site = nginx.render_site(
        server_name="kontrak.example.go.id localhost",
        certificate=certificate,
        certificate_key=key,
        upstream=upstream,
        http_listen=f"127.0.0.1:{http_port}",
        https_listen=f"127.0.0.1:{https_port}",
    )
    return nginx.standalone(directory, site)


def test_the_rendered_site_passes_nginx_own_check(tmp_path, nginx_binary):
    main = render(tmp_path)
    result = subprocess.run(
        [nginx_binary, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "{{" not in (tmp_path / "opendata-kontrak.conf").read_text()


def test_body_caps_follow_the_portal_upload_limits(settings):
    limits = nginx.body_limits()
    # A citizen's report with every photo at its limit passes; the public site takes no more.
    assert limits["public"] > MAX_PHOTOS * settings.REPORT_PHOTO_MAX_BYTES
    assert limits["public"] < settings.DOCUMENT_MAX_BYTES
    assert limits["workspace"] > settings.IMPORT_MAX_BYTES
    assert limits["workspace"] > 4 * settings.DOCUMENT_MAX_BYTES
    # And they move with the settings: a deployment that raises a limit re-renders, no edit.
    settings.IMPORT_MAX_BYTES = 300 * nginx.MIB
    assert nginx.body_limits()["workspace"] == 301 * nginx.MIB


def test_a_value_cannot_smuggle_in_directives():
    with pytest.raises(ValueError, match="server_name"):
        nginx.render_site(
            server_name="x; include /etc/passwd",
            certificate="/c.pem",
            certificate_key="/k.pem",
        )


class Echo(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the headers nginx passed on."""

    def do_GET(self):
        body = json.dumps(dict(self.headers)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def running_front(tmp_path, nginx_binary):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    https_port, http_port = free_port(), free_port()
    main = render(
        tmp_path,
        upstream=f"127.0.0.1:{upstream.server_address[1]}",
        https_port=https_port,
        http_port=http_port,
    )
    process = subprocess.Popen([nginx_binary, "-p", str(tmp_path), "-c", str(main)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield https_port
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()


def https_request(port, path, headers=(), method="GET", *, expect_continue=False):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throwaway certificate made above
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    with context.wrap_socket(raw, server_hostname="localhost") as connection:
        lines = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close", *headers]
        if expect_continue:
            lines.append("Expect: 100-continue")
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        # With a body announced but not sent, the first answer (100 or 413) is all there is.
        while (chunk := connection.recv(65536)) and not (
            expect_continue and b"\r\n\r\n" in answer + chunk
        ):
            answer += chunk
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def test_nginx_appends_the_address_it_saw_and_hides_its_version(running_front, settings):
    status, headers, body = https_request(
        running_front, "/paket/", ["X-Forwarded-For: 198.51.100.66"]
    )
    assert status == 200
    assert headers["Server"] == "nginx"
    passed = json.loads(body)
    assert passed["X-Forwarded-For"] == "198.51.100.66, 127.0.0.1"
    assert passed["X-Forwarded-Proto"] == "https"
    # What the portal makes of it with nginx trusted: the address nginx saw, not the forgery.
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=passed["X-Forwarded-For"]
    )
    assert client_address(request) == "127.0.0.1"


def test_an_upload_over_the_cap_is_refused_in_indonesian_before_it_is_read(running_front):
    def announce(path, size):
        return https_request(
            running_front,
            path,
            [f"Content-Length: {size}", "Content-Type: multipart/form-data; boundary=x"],
            method="POST",
            expect_continue=True,
        )

    status, headers, body = announce("/paket/x/lapor/", nginx.body_limits()["public"] + 1)
    assert status == 413
    assert headers["Server"] == "nginx"
    assert "Kiriman terlalu besar" in body.decode()
    # A report with every photo at its limit, and the workspace's largest import, may go on.
    photos = MAX_PHOTOS * settings.REPORT_PHOTO_MAX_BYTES
    assert announce("/paket/x/lapor/", photos)[0] == 100
    assert announce("/admin/imports/importjob/add/", settings.IMPORT_MAX_BYTES)[0] == 100
    status, _, _ = announce("/admin/imports/importjob/add/", nginx.body_limits()["workspace"] + 1)
    assert status == 413


def test_one_address_cannot_hold_every_connection(running_front):
    """Slow bodies from one address are cut at 60 connections: the next request is answered 429
    at once instead of waiting behind them (and nginx keeps connections for everyone else).
    (A slow header is not counted by nginx until it is whole; client_header_timeout cuts it.)"""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    held = []
    try:
        for _ in range(60):
            raw = socket.create_connection(("127.0.0.1", running_front), timeout=10)
            connection = context.wrap_socket(raw, server_hostname="localhost")
            connection.sendall(
                b"POST /paket/x/lapor/ HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
            )
            held.append(connection)
        time.sleep(0.5)  # nginx is reading all their bodies
        status, headers, _ = https_request(running_front, "/paket/")
        assert status == 429
        assert headers["Server"] == "nginx"
    finally:
        for connection in held:
            connection.close()
    time.sleep(0.5)
    assert https_request(running_front, "/paket/")[0] == 200
