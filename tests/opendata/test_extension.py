"""The red-flags OCDS extension as served: its metadata meets OCP's extension metadata schema,
its documentation page answers in both languages, its codelist and schema agree with the
flags the portal computes."""

import csv
import io
import json
from pathlib import Path

from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker

from integrity.models import Flag

EXTENSION_DIR = Path(__file__).resolve().parents[2] / "opendata" / "extension" / "tanda"


def language_map(values):
    """An object keyed by ISO 639-1 codes, English among them."""
    return {
        "type": "object",
        "required": ["en"],
        "minProperties": 1,
        "additionalProperties": False,
        "patternProperties": {"^[a-z]{2}$": values},
    }


# OCP's extension metadata schema (schema/extension-schema.json of the
# open-contracting/standard-maintenance-scripts repository, which no installed package ships),
# restated from its documented constraints: the required fields, the allowed ones, and the
# shape of each.
EXTENSION_METADATA_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name", "description", "documentationUrl", "contactPoint", "compatibility"],
    "additionalProperties": False,
    "properties": {
        "name": language_map({"type": "string", "minLength": 1}),
        "description": language_map({"type": "string", "minLength": 1}),
        "documentationUrl": language_map({"type": "string", "format": "uri"}),
        "compatibility": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": r"^\d+\.\d+$"},
        },
        "codelists": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": r"^.+\.csv$"},
        },
        "schemas": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": [
                    "record-package-schema.json",
                    "release-package-schema.json",
                    "release-schema.json",
                ]
            },
        },
        "contactPoint": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string", "format": "email"},
            },
        },
        "dependencies": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "testDependencies": {"type": "array", "items": {"type": "string", "format": "uri"}},
    },
}


def served(client, name):
    response = client.get(reverse("opendata:extension-file", args=[name]))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def test_the_served_metadata_meets_ocps_extension_metadata_schema(client, settings):
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": "https://opendatakontrak.example.go.id"}
    metadata = json.loads(served(client, "extension.json").content)
    validator = Draft4Validator(EXTENSION_METADATA_SCHEMA, format_checker=FormatChecker())
    assert [error.message for error in validator.iter_errors(metadata)] == []
    assert metadata["documentationUrl"] == {
        "id": "https://opendatakontrak.example.go.id/data-terbuka/ekstensi/tanda/#id",
        "en": "https://opendatakontrak.example.go.id/data-terbuka/ekstensi/tanda/#en",
    }
    assert metadata["contactPoint"]["email"] == settings.PORTAL["CONTACT_EMAIL"]
    # Every file it lists is served.
    for name in metadata["schemas"]:
        served(client, name)
    for name in metadata["codelists"]:
        served(client, f"codelists/{name}")


def test_the_checks_above_do_reject_what_ocps_schema_rejects():
    validator = Draft4Validator(EXTENSION_METADATA_SCHEMA, format_checker=FormatChecker())
    file_only = json.loads((EXTENSION_DIR / "extension.json").read_text())
    # The file alone lacks what depends on where the portal runs; the view adds it.
    missing = {error.message for error in validator.iter_errors(file_only)}
    assert "'documentationUrl' is a required property" in missing
    assert "'contactPoint' is a required property" in missing
    assert list(validator.iter_errors({**file_only, "homepage": "x"}))


def test_the_documentation_page_renders_both_readmes(client):
    response = client.get("/data-terbuka/ekstensi/tanda/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<section id="id" lang="id"' in page and '<section id="en" lang="en"' in page
    assert "Tanda untuk dicermati (Open Data Kontrak)" in page
    assert "Red flags (Open Data Kontrak)" in page
    for code in Flag.values:
        assert f"<code>{code}</code>" in page


def test_the_codelist_and_the_schema_hold_exactly_the_flags_computed(client):
    rows = list(csv.DictReader(io.StringIO(served(client, "codelists/redFlag.csv").text)))
    assert [row["Code"] for row in rows] == list(Flag.values)
    assert all(row["Title"] and row["Description"] for row in rows)
    # The codelist's titles are the names the portal shows (an award-based flag says so).
    assert [row["Title"] for row in rows] == list(Flag.labels)
    schema = json.loads(served(client, "release-schema.json").content)
    code = schema["definitions"]["RedFlag"]["properties"]["id"]
    assert (code["codelist"], code["openCodelist"]) == ("redFlag.csv", False)
    assert code["enum"] == list(Flag.values)
    figures = schema["definitions"]["RedFlag"]["properties"]["figures"]
    assert figures["type"] == "object"
    assert all(
        declared.get("description") and declared.get("type")
        for declared in figures["properties"].values()
    )
