"""Backup and restore: the database (pg_dump) and every stored file, in one tar archive.

The archive holds `manifest.json` (what is inside, each file with its size and SHA-256),
`database.dump` (pg_dump's custom format, without the cache and rate counters, which are
rebuilt on their own) and `files/<storage name>` for each stored file (documents, report
photos, bulk files), read through the storage API, so local media and the bucket alike.

The database is dumped first, then the files copied: a document saved meanwhile is in the
files but not the dump (harmless); one in the dump always has its file, since a document's
file is stored before its row is committed.

A restore checks the whole archive against its manifest before it changes anything, replaces
the database in one transaction (all or nothing), writes the files back, then checks every
document's recorded SHA-256 against the file it now has.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from psycopg.conninfo import make_conninfo

from opendata_kontrak import chunked

FORMAT = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """Something the person running the backup or restore must know, in words."""


def sha256_of(handle):
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _server_major():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _client(program):
    """pg_dump or pg_restore of the server's own major version (or the closest newer one)."""
    major = _server_major()
    candidates = []
    from opendata_kontrak import embedded_db

    embedded = embedded_db._server_module().POSTGRES_BIN_PATH / program
    if embedded.exists():
        version = subprocess.run(  # noqa: S603 (our own arguments)
            [str(embedded), "--version"], capture_output=True, text=True, check=True
        ).stdout  # "pg_dump (PostgreSQL) 18.1"
        candidates.append((int(version.split()[-1].split(".")[0]), embedded))
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        if folder.parent.name.isdigit() and (folder / program).exists():
            candidates.append((int(folder.parent.name), folder / program))
    usable = sorted((version, path) for version, path in candidates if version >= major)
    if not usable:
        raise BackupError(f"{program} untuk PostgreSQL {major} tidak ditemukan di mesin ini.")
    exact = [path for version, path in usable if version == major]
    return str(exact[0] if exact else usable[0][1])


def _conninfo():
    """The libpq connection string of the database as Django reaches it, for pg_dump and
    pg_restore: host and port lists (failover), target_session_attrs, sslmode, options and
    every other keyword of DATABASE_URL kept. Built from what Django hands psycopg
    (get_connection_params), so a URL's `?host=/socket/dir` form counts as it does for the
    site. The password is left out: it goes in PGPASSWORD (the environment), not in the
    arguments any user of the machine can read in `ps`."""
    params = connection.get_connection_params()
    return make_conninfo(
        **{
            key: value
            for key, value in params.items()
            if key != "password" and isinstance(value, str | int) and not isinstance(value, bool)
        }
    )


def _libpq_environment():
    environment = {**os.environ}
    password = connection.settings_dict.get("PASSWORD")
    if password:
        environment["PGPASSWORD"] = str(password)
    return environment


def stored_names(folder=""):
    """Every file name in the default storage, recursively."""
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:  # local media before anything was stored
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from stored_names(f"{folder}/{directory}" if folder else directory)


def create(output):
    """Write a backup archive to `output`; return its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cadangan-") as workdir:
        dump = Path(workdir) / "database.dump"
        result = subprocess.run(  # noqa: S603 (our own arguments)
            [
                _client("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--no-unlogged-table-data",
                f"--dbname={_conninfo()}",
                f"--file={dump}",
            ],
            env=_libpq_environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_dump gagal: {result.stderr.strip()}")
        with open(dump, "rb") as handle:
            manifest = {
                "format": FORMAT,
                "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": {"size": dump.stat().st_size, "sha256": sha256_of(handle)},
                "files": [],
            }
        partial = output.with_name(output.name + ".sebagian")
        try:
            _write_archive(partial, dump, manifest, workdir)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)  # a backup is either whole or absent
    return manifest


def _write_archive(path, dump, manifest, workdir):
    with tarfile.open(path, "w") as archive:
        archive.add(dump, arcname="database.dump")
        for name in sorted(stored_names()):
            copy = Path(workdir) / "berkas"
            with default_storage.open(name, "rb") as source, open(copy, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            with open(copy, "rb") as handle:
                digest = sha256_of(handle)
            manifest["files"].append({"name": name, "size": copy.stat().st_size, "sha256": digest})
            archive.add(copy, arcname=f"files/{name}")
        body = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))


def read_manifest(archive):
    try:
        member = archive.getmember("manifest.json")
    except KeyError as missing:
        raise BackupError(
            "Arsip ini bukan cadangan Open Data Kontrak (manifest.json tidak ada)."
        ) from missing
    manifest = json.load(archive.extractfile(member))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format cadangan {manifest.get('format')} tidak dikenal.")
    return manifest


def verify(path):
    """Check every member of the archive against its manifest; return the manifest."""
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Arsip cadangan tidak terbaca: {error}") from error
    with archive:
        manifest = read_manifest(archive)
        expected = {"database.dump": manifest["database"]["sha256"]}
        expected.update({f"files/{f['name']}": f["sha256"] for f in manifest["files"]})
        for name, digest in expected.items():
            try:
                handle = archive.extractfile(name)
            except KeyError as missing:
                raise BackupError(f"Arsip cadangan tidak lengkap: {name} tidak ada.") from missing
            if handle is None or sha256_of(handle) != digest:
                raise BackupError(
                    f"Arsip cadangan rusak: isi {name} tidak cocok dengan SHA-256-nya."
                )
    return manifest


def restore(path):
    """Replace the database and write back the files of the archive; return a summary."""
    manifest = verify(path)
    with tempfile.TemporaryDirectory(prefix="pulihkan-") as workdir, tarfile.open(path) as archive:
        dump = Path(workdir) / "database.dump"
        with open(dump, "wb") as target:
            shutil.copyfileobj(archive.extractfile("database.dump"), target, CHUNK)
        connection.close()  # our own session must not hold the tables pg_restore replaces
        result = subprocess.run(  # noqa: S603 (our own arguments)
            [
                _client("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_conninfo()}",
                str(dump),
            ],
            env=_libpq_environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(
                f"pg_restore gagal; basis data tidak berubah: {result.stderr.strip()[-2000:]}"
            )
        for entry in manifest["files"]:
            source = archive.extractfile(f"files/{entry['name']}")
            if default_storage.exists(entry["name"]):
                default_storage.delete(entry["name"])
            saved = default_storage.save(entry["name"], File(source, name=entry["name"]))
            if saved != entry["name"]:
                raise BackupError(f"Berkas {entry['name']} tersimpan sebagai {saved}.")
    return {"files": len(manifest["files"]), "documents": check_documents()}


def check_documents():
    """Every document's file, read back, against its recorded SHA-256; the number checked."""
    from contracts.models import Document

    wrong = []
    count = 0
    for document in chunked.by_pk(Document.objects.only("pk", "file", "sha256")):
        count += 1
        try:
            with default_storage.open(document.file.name, "rb") as handle:
                if sha256_of(handle) != document.sha256:
                    wrong.append(document.file.name)
        except FileNotFoundError:
            wrong.append(document.file.name)
    if wrong:
        raise BackupError(
            f"{len(wrong)} dokumen tidak cocok dengan SHA-256-nya setelah pemulihan: "
            + ", ".join(wrong[:10])
        )
    return count
