"""The OCDS release schema patched with the extensions the portal names, offline.

ocdsextensionregistry's ProfileBuilder fetches each extension's files through its own
requests session; an adapter mounted on that session answers from the folders vendored in
the repository (each laid out as its extension's repository), and refuses anything else.
"""

import io
import json
import zipfile
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from ocdsextensionregistry import ProfileBuilder
from ocdsextensionregistry import util as registry_util

from contracts.ocds import BIDS_EXTENSION_URL, SCHEMA_DIR, red_flags_extension_url
from opendata.extensions import BIDS_DIR, RED_FLAGS_DIR


def _response(request, content):
    response = requests.Response()
    response.url, response.request = request.url, request
    response.status_code = 200 if content is not None else 404
    response._content = content or b""
    response.raw = io.BytesIO(response._content)
    return response


class VendoredFiles(requests.adapters.BaseAdapter):
    """Answers GETs under `prefix` from the files of `folder`: 200 with the file, else 404."""

    def __init__(self, prefix, folder):
        super().__init__()
        self.prefix, self.folder = prefix, Path(folder).resolve()

    def send(self, request, **kwargs):
        path = (self.folder / request.url.removeprefix(self.prefix)).resolve()
        found = path.is_relative_to(self.folder) and path.is_file()
        return _response(request, path.read_bytes() if found else None)

    def close(self):
        pass


class VendoredArchive(VendoredFiles):
    """Answers a GitHub archive URL (`…/archive/<ref>.zip`, which ocdsextensionregistry reads
    an extension hosted on GitHub from) with a ZIP of `folder` laid out as GitHub's."""

    def send(self, request, **kwargs):
        if request.url != self.prefix:
            return _response(request, None)
        top = "extension/"
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w") as archive:
            archive.writestr(top, "")
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    archive.write(path, top + path.relative_to(self.folder).as_posix())
        return _response(request, content.getvalue())


def _folder_of(url):
    return url.rsplit("/", 1)[0] + "/"


def _github_archive(url):
    """The archive ocdsextensionregistry downloads for a raw.githubusercontent.com URL."""
    prefix = "https://raw.githubusercontent.com/"
    if not url.startswith(prefix):
        return None
    user, repository, ref = url.removeprefix(prefix).split("/")[:3]
    return f"https://github.com/{user}/{repository}/archive/{ref}.zip"


@contextmanager
def vendored_extensions():
    """Within the block, the bids and red-flags extensions' URLs answer from the repository."""
    session = registry_util.session
    saved = dict(session.adapters)
    for url, folder in [
        (BIDS_EXTENSION_URL, BIDS_DIR),
        (red_flags_extension_url(), RED_FLAGS_DIR),
    ]:
        session.mount(_folder_of(url), VendoredFiles(_folder_of(url), folder))
        archive = _github_archive(url)
        if archive:
            session.mount(archive, VendoredArchive(archive, folder))
    try:
        with session.cache_disabled():
            yield
    finally:
        session.adapters.clear()
        session.adapters.update(saved)


def patched_release_validator(extension_urls):
    """A validator of releases against OCDS 1.1.5 patched with these extensions."""
    assert settings.PORTAL["BASE_URL"]
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    with vendored_extensions():
        builder = ProfileBuilder(None, list(extension_urls))
        patched = builder.patched_release_schema(schema=schema)
    return Draft4Validator(patched, format_checker=FormatChecker())


def release_errors(release, extension_urls):
    validator = patched_release_validator(extension_urls)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(release)
    ]
