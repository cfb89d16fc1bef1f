"""The portal's own OCDS extension (red flags, `tanda`) and the official ones it vendors.

The red-flags extension's files live in opendata/extension/tanda/; its `extension.json` is
served with the fields that depend on where the portal runs (its documentation page and its
contact), as OCP's extension metadata schema requires them. The official bids extension's
files, in opendata/extension/bids/, are only read by the tests (tools fetch them from OCP).
"""

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from markdown_it import MarkdownIt

EXTENSION_ROOT = Path(__file__).resolve().parent / "extension"
RED_FLAGS_DIR = EXTENSION_ROOT / "tanda"
BIDS_DIR = EXTENSION_ROOT / "bids"

# The documentation page's languages: (language code, its README, its section's heading).
DOCUMENTATION = [
    ("id", "README.id.md", "Bahasa Indonesia"),
    ("en", "README.md", "English"),
]


def documentation_url(language):
    """The absolute URL of the extension's documentation in `language` ("id" or "en")."""
    page = reverse("opendata:extension-docs")
    return f"{settings.PORTAL['BASE_URL']}{page}#{language}"


def red_flags_metadata():
    """The red-flags extension's `extension.json` as served: the file's fields, with the
    documentation URLs and the contact point of this portal."""
    metadata = json.loads((RED_FLAGS_DIR / "extension.json").read_text(encoding="utf-8"))
    portal = settings.PORTAL
    return {
        **metadata,
        "documentationUrl": {code: documentation_url(code) for code, *_ in DOCUMENTATION},
        "contactPoint": {
            "name": f"{portal['REGION_NAME']} — {portal['SITE_NAME']}",
            "email": portal["CONTACT_EMAIL"],
        },
    }


def red_flags_documentation():
    """[(language, heading, HTML)] of the extension's READMEs, rendered without raw HTML."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    return [
        (language, heading, markdown.render((RED_FLAGS_DIR / name).read_text(encoding="utf-8")))
        for language, name, heading in DOCUMENTATION
    ]
