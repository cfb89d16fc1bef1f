"""An operator imports a year's SiRUP export through the workspace: the import runs in a real
queue worker process while the page shows how far it got."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Process
from imports.models import ImportRun
from tests.factories import make_operator
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.workers import worker_process

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
ROWS = 3000


def test_an_operator_follows_a_large_import_from_upload_to_history(
    portal, page, media_root, tmp_path, console_errors
):
    # No worker yet: a worker another test killed may still look alive by its last heartbeat.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")
    make_operator(
        Agency.objects.get(code="dinas-kesehatan"), username="operator-dinkes", password=PASSWORD
    )
    export = tmp_path / "sirup_rup_penyedia_2018.csv"
    export.write_bytes(
        csv_bytes(
            [sirup_row(kode_rup=str(19_000_000 + i), nama_paket=f"Paket {i}") for i in range(ROWS)]
        )
    )
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "operator-dinkes")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto(portal.url + "/admin/imports/importrun/impor/")
    page.set_input_files("#id_file", str(export))
    page.get_by_role("button", name="Lihat pratinjau").click()
    page.wait_for_url(re.compile(r"/admin/imports/importrun/impor/\d+/$"))
    state = page.locator("#keadaan-impor")
    expect(state).to_have_attribute("data-state", "queued")
    expect(page.get_by_text("tidak ada proses latar yang berjalan")).to_be_visible()

    with worker_process(media_root=media_root):
        # The page refreshes itself: rows counted while the preview runs, then the preview.
        expect(state).to_have_attribute("data-state", "running", timeout=60_000)
        expect(page.locator("progress")).to_be_visible()
        confirm = page.get_by_role("button", name="Impor sekarang")
        expect(confirm).to_be_visible(timeout=120_000)
        expect(page.get_by_text("Belum ada yang ditulis")).to_be_visible()
        expect(page.locator('td[data-outcome="created"]')).to_have_text(str(ROWS))
        assert not Process.objects.exists()

        confirm.click()
        expect(state).to_have_attribute("data-state", "running", timeout=60_000)
        expect(state).to_have_attribute("data-state", "done", timeout=180_000)
    expect(state).to_contain_text("Impor selesai")
    page.get_by_role("link", name="Lihat riwayat impor").click()
    expect(page.get_by_text("sirup_rup_penyedia_2018.csv")).to_be_visible()
    assert Process.objects.count() == ROWS
    assert ImportRun.objects.get().rows == ROWS
    assert console_errors == []
