"""The OCDS release schema patched with the extensions the portal names, offline.

ocdsextensionregistry's ProfileBuilder fetches each extension's files through its own
requests session; `tests.ocds_review.offline` answers from the folders vendored in the
repository (each laid out as its extension's repository) and refuses anything else.
"""

import json

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from ocdsextensionregistry import ProfileBuilder

from contracts.ocds import SCHEMA_DIR
from tests.ocds_review import offline


def patched_release_validator(extension_urls):
    """A validator of releases against OCDS 1.1.5 patched with these extensions."""
    assert settings.PORTAL["BASE_URL"]
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    with offline():
        builder = ProfileBuilder(None, list(extension_urls))
        patched = builder.patched_release_schema(schema=schema)
    return Draft4Validator(patched, format_checker=FormatChecker())


def release_errors(release, extension_urls):
    validator = patched_release_validator(extension_urls)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(release)
    ]
