"""The portal's own OCDS extension (red flags, `tanda`) and the official ones it vendors.

The red-flags extension's files live in opendata/extension/tanda/; its `extension.json` is
served with the fields that depend on where the portal runs (its documentation page and its
contact), as OCP's extension metadata schema requires them. The official bids extension's
files, in opendata/extension/bids/, are only read by the tests (tools fetch them from OCP).
"""

import json
import re
from pathlib import Path

from django.conf import settings
from markdown_it import MarkdownIt
from markdown_it.token import Token

from opendata_kontrak.languages import canonical_reverse

AMOUNT = re.compile(r"Rp \d[\d.]*\d")
EXTENSION_ROOT = Path(__file__).resolve().parent / "extension"
RED_FLAGS_DIR = EXTENSION_ROOT / "tanda"
BIDS_DIR = EXTENSION_ROOT / "bids"

# The documentation page's languages: (language code, its README, its section's heading).
DOCUMENTATION = [
    ("id", "README.id.md", "Bahasa Indonesia"),
    ("en", "README.md", "English"),
]


def documentation_url(language):
    """The absolute URL of the extension's documentation in `language` ("id" or "en"): the
    canonical (Indonesian) page's section, whichever language the request is in, so that the
    served extension.json is the same file under /en/."""
    page = canonical_reverse("opendata:extension-docs")
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
    """[(language, heading, HTML)] of the extension's READMEs, rendered without raw HTML;
    their tables in the portal's style, each cell named by its column (read as stacked rows on
    a phone)."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    sections = []
    for language, name, heading in DOCUMENTATION:
        tokens = markdown.parse((RED_FLAGS_DIR / name).read_text(encoding="utf-8"))
        _label_table_cells(tokens)
        html = markdown.renderer.render(tokens, markdown.options, {})
        # An amount in the examples is read whole: "Rp" and its figure never on two lines
        # (the space stays a plain one, so a copied example is the same JSON).
        sections.append((language, heading, AMOUNT.sub(r'<span class="money">\g<0></span>', html)))
    return sections


def _label_table_cells(tokens):
    """Mark each table `table table--stack` and give each body cell its column's heading as
    `data-label` (the heading's text, without Markdown's backticks), its content in one
    <span> (the stacked cell's grid then sees one item beside the label)."""
    headings, column = [], 0
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            token.attrSet("class", "table table--stack")
            headings = []
        elif token.type == "th_open":
            headings.append(tokens[index + 1].content.replace("`", ""))
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(headings):
                token.attrSet("data-label", headings[column])
            column += 1
            content = tokens[index + 1]
            content.children = [
                Token("html_inline", "", 0, content="<span>"),
                *(content.children or []),
                Token("html_inline", "", 0, content="</span>"),
            ]
