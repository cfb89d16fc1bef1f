"""The package form's upload alerts speak the workspace's language: the sentences come from the
page (data-* of the progress box), not from the script (from the workspace try-out: a file over
the limit was refused with an Indonesian alert in the English workspace)."""

import pytest

from agencies.models import Agency
from tests.factories import make_operator

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "File too large (limit 25 MB): besar.pdf"),
        ("id", "Berkas terlalu besar (batas 25 MB): besar.pdf"),
    ],
)
def test_a_file_over_the_limit_is_refused_in_the_workspace_language(
    portal, page, language, expected
):
    make_operator(
        Agency.objects.get(code="dinas-kesehatan"), username="operator-dinkes", password=PASSWORD
    )
    page.context.add_cookies([{"name": "django_language", "value": language, "url": portal.url}])
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "operator-dinkes")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.goto(portal.url + "/admin/contracts/process/add/")
    upload = page.locator("input[type=file][data-max-bytes]").first
    limit = int(upload.get_attribute("data-max-bytes"))
    assert limit == 25 * 1024 * 1024
    upload.set_input_files(
        {"name": "besar.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * limit}
    )
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.locator("input[name=_continue]").click()
    page.wait_for_timeout(300)
    assert messages == [expected]
