"""Review OCDS packages with the Open Contracting Partnership's own library (libcoveocds), offline.

libcoveocds reads the standard from the zip kept in the repo (`contracts/ocds/`), the extensions a
package lists through ocdsextensionregistry's requests session, and schemas a schema refers to
with requests.get. Both get a transport adapter serving our vendored extensions and the
standard's schemas from disk; any other address is refused with `NetworkRefused`, so a review
never leaves the machine.
"""

import contextlib
import dataclasses
import io
import mimetypes
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

import requests
import urllib3
from django.conf import settings
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry import util as registry_util

from contracts.ocds import BIDS_EXTENSION_URL, SCHEMA_DIR, SCHEMA_URL, red_flags_extension_url
from opendata.extensions import BIDS_DIR, RED_FLAGS_DIR

ROOT = Path(__file__).resolve().parents[1]
STANDARD_ZIP = ROOT / "contracts" / "ocds" / "standard-1__1__5.zip"


def vendored_extensions():
    """{published URL prefix: folder on disk} of the extensions our packages list, and of the
    standard's schemas (the record package schema refers to one by its URL).

    One line per extension, at the folder of the `extension.json` URL packages list."""
    assert settings.PORTAL["BASE_URL"]
    return {
        _folder_of(red_flags_extension_url()): RED_FLAGS_DIR,
        _folder_of(BIDS_EXTENSION_URL): BIDS_DIR,
        SCHEMA_URL: SCHEMA_DIR,
    }


def _folder_of(url):
    return url.rsplit("/", 1)[0] + "/"


def _github_archive(prefix):
    """The archive ocdsextensionregistry downloads an extension hosted on GitHub from
    (`https://github.com/<user>/<repo>/archive/<ref>.zip` for a raw.githubusercontent.com
    folder), or None."""
    raw = "https://raw.githubusercontent.com/"
    if not prefix.startswith(raw):
        return None
    user, repository, ref = prefix.removeprefix(raw).split("/")[:3]
    return f"https://github.com/{user}/{repository}/archive/{ref}.zip"


def _archive_of(folder):
    """A ZIP of `folder` laid out as GitHub's archives are (one top directory)."""
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("extension/", "")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "extension/" + path.relative_to(folder).as_posix())
    return content.getvalue()


class NetworkRefused(Exception):
    """A review asked for an address no vendored folder serves: it would have gone online.

    Deliberately not a requests exception, which libcoveocds would turn into a warning."""


class VendoredExtensions(requests.adapters.HTTPAdapter):
    """Answers GETs for vendored extension files from disk; refuses every other address."""

    def __init__(self, folders):
        super().__init__()
        self.folders = folders
        self.served = []

    def send(self, request, **kwargs):
        for prefix, folder in self.folders.items():
            if request.url == _github_archive(prefix):
                found, content, kind = True, _archive_of(folder), "application/zip"
            elif request.url.startswith(prefix):
                path = (folder / request.url.removeprefix(prefix)).resolve()
                found = path.is_relative_to(folder.resolve()) and path.is_file()
                content = path.read_bytes() if found else b""
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            else:
                continue
            raw = urllib3.HTTPResponse(
                body=io.BytesIO(content),
                headers={"Content-Type": kind, "Content-Length": str(len(content))},
                status=200 if found else 404,
                preload_content=False,
                request_url=request.url,
            )
            self.served.append(request.url)
            return self.build_response(request, raw)
        raise NetworkRefused(f"Review is offline: no vendored folder serves {request.url}")


@contextlib.contextmanager
def offline():
    """Within the block, ocdsextensionregistry's requests session answers from the vendored
    folders and refuses every other address; yields the adapter (its `served` list)."""
    adapter = VendoredExtensions(vendored_extensions())
    session = registry_util.session
    saved = dict(session.adapters)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.cache.clear()
    try:
        with session.cache_disabled():
            yield adapter
    finally:
        session.adapters.clear()
        session.adapters.update(saved)


@dataclasses.dataclass
class Review:
    schema_errors: list  # ["path: what is wrong (value)"], against the extended schema
    codelist_errors: list  # ["path: values not in codelist"] of closed codelists
    open_codelist_values: dict  # {path: values} outside open codelists: allowed, reported
    additional_checks: dict  # libcoveocds' additional checks, by check name
    additional_fields: list  # ["path/field"] no schema (core or listed extension) declares
    extensions: dict  # {url: problem} for a listed extension that could not be used
    served: list  # what the adapter served from disk


def review(package):
    """Run libcoveocds over one release or record package (a dict); return a Review."""
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = f"file://{STANDARD_ZIP}"
    with offline() as adapter:
        # Schema references are fetched with a plain requests.get: through the adapter too.
        plain = requests.Session()
        plain.mount("https://", adapter)
        plain.mount("http://", adapter)
        # libcoveocds writes the extended schema it used into output_dir.
        with (
            tempfile.TemporaryDirectory(prefix="ocds-review-") as output_dir,
            mock.patch("requests.get", plain.get),
        ):
            result = ocds_json_output(output_dir, json_data=package, lib_cove_ocds_config=config)
    extensions = result.get("extensions") or {}
    return Review(
        schema_errors=[
            f"{error['path']}: {error['description']} ({error.get('value')!r})"
            for error in result.get("validation_errors", [])
        ],
        codelist_errors=[
            f"{path}: {item['values']} not in {item['codelist']}"
            for path, item in (result.get("additional_closed_codelist_values") or {}).items()
        ],
        open_codelist_values={
            path: item["values"]
            for path, item in (result.get("additional_open_codelist_values") or {}).items()
        },
        additional_checks=result.get("additional_checks") or {},
        additional_fields=[
            f"{item['path']}/{item['field']}" for item in result.get("additional_fields") or []
        ],
        extensions=extensions.get("invalid_extension") or {},
        served=adapter.served,
    )
