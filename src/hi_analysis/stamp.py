"""Is the published site current? A cheap answer, before any heavy import.

After a build publishes, :func:`record_published` writes
``_build/<system>/published.json`` holding two fingerprints:

``inputs``
    :func:`inputs_stamp`: everything a build reads, taken cheaply -- the bytes of the
    package code, notebook templates, book sources, ``_config.yml``, the lock file and
    the system's parameter files, plus the size and modification time of every shipped
    data file and extract (hashing those would take seconds), the Python version and
    the ``HI_ANALYSIS_*`` locations;
``outputs``
    :func:`outputs_stamp`: what is published -- every edition's link and version folder.

A build whose inputs and outputs stamps both match, and whose published
``index.html`` still exists, has nothing to do (:func:`current_index`). The inputs
stamp errs on the side of rebuilding: touching a data file without changing it
makes the next build check properly (notebooks are still cached; see
:func:`hi_analysis.pipeline.build`). Only the standard library is imported here, so
the check takes a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from hi_analysis.paths import (
    book_sources_dir,
    build_dir,
    extracts_root,
    notebooks_dir,
    parameters_dir,
    public_data_dir,
    source_root,
)
from hi_analysis.safeio import atomic_write_text

#: The record of the last publish, under ``_build/<system>/``.
STAMP_NAME = "published.json"


def _files(folder: Path, pattern: str = "*") -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob(pattern) if p.is_file())


def _hash_bytes(h: hashlib._Hash, files: list[Path], root: Path) -> None:
    for p in files:
        h.update(b"\0" + str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes())


def _hash_stats(h: hashlib._Hash, files: list[Path]) -> None:
    for p in files:
        st = p.stat()
        h.update(f"\0{p}\0{st.st_size}\0{st.st_mtime_ns}".encode())


def inputs_stamp(system_id: str) -> str:
    """Digest of everything a build of ``system_id`` reads (cheaply: see the module)."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    for name in sorted(os.environ):
        if name.startswith("HI_ANALYSIS_") and name != "HI_ANALYSIS_DEBUG":
            h.update(f"\0{name}={os.environ[name]}".encode())
    src = source_root()
    package = Path(__file__).resolve().parent
    code = [
        *_files(package, "*.py"),
        *_files(notebooks_dir(), "*.ipynb"),
        *_files(book_sources_dir()),
        *(p for p in (src / "_config.yml", src / "requirements.lock") if p.is_file()),
    ]
    _hash_bytes(h, sorted(code), src)
    params = parameters_dir() / system_id
    _hash_bytes(h, _files(params), params)
    _hash_stats(h, _files(public_data_dir()))
    _hash_stats(h, _extract_files(extracts_root() / system_id))
    return h.hexdigest()


def _extract_files(folder: Path) -> list[Path]:
    """The extract files a build can read: top-level CSV and Parquet files, not hidden.

    (Caches or temporary files a build writes beside them do not count.)
    """
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix in (".csv", ".parquet")
    )


def outputs_stamp(system_id: str) -> str:
    """Digest of what is published for ``system_id``: its editions and the ``site`` link."""
    root = build_dir() / system_id
    h = hashlib.sha256()
    for link in [root / "site", root / "teaching" / "site", *sorted((root / "editions").glob("*"))]:
        if link.is_symlink():
            h.update(f"\0{link.name}->{os.readlink(link)}".encode())
        elif link.is_dir():
            h.update(f"\0{link.name}/".encode())
    return h.hexdigest()


def _path(system_id: str) -> Path:
    return build_dir() / system_id / STAMP_NAME


def read(system_id: str) -> dict:
    """The record of the last publish (empty when there is none or it is unreadable)."""
    try:
        data = json.loads(_path(system_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_published(
    system_id: str,
    *,
    inputs: str,
    content: str,
    index: Path,
    edition: str = "",
    indexes: dict[str, Path] | None = None,
) -> None:
    """Remember what was just published (call after a successful publish).

    Parameters
    ----------
    inputs
        :func:`inputs_stamp` taken when the build started (a change made during the
        build then makes the next build look again).
    content
        The pipeline's exact fingerprint of the book's inputs (notebooks' cache keys,
        book sources, code): see :func:`hi_analysis.pipeline.content_fingerprint`.
    index
        The published ``index.html``.
    edition
        The published edition's label, for the message of a no-op rebuild.
    indexes
        Every version published, ``profile -> index.html`` (default: the board's only).
    """
    root = build_dir() / system_id
    record = {
        "inputs": inputs,
        "content": content,
        "outputs": outputs_stamp(system_id),
        "index": os.path.relpath(index, root),
        "indexes": {k: os.path.relpath(v, root) for k, v in (indexes or {"board": index}).items()},
        "edition": edition,
    }
    atomic_write_text(_path(system_id), json.dumps(record, indent=1, sort_keys=True) + "\n")


def published_indexes(
    system_id: str, record: dict, profiles: tuple[str, ...] = ("board",)
) -> dict[str, Path] | None:
    """The recorded ``index.html`` of each version in ``profiles``, if all are as recorded.

    ``None`` when a version asked for was not published by the recorded build, a
    published file is missing, or any published edition changed since.
    """
    recorded = record.get("indexes") or {"board": record.get("index")}
    if not isinstance(recorded, dict) or record.get("outputs") != outputs_stamp(system_id):
        return None
    out = {}
    for profile in profiles:
        rel = recorded.get(profile)
        if not isinstance(rel, str):
            return None
        path = (build_dir() / system_id / rel).resolve()
        if not path.is_file():
            return None
        out[profile] = path
    return out


def published_index(system_id: str, record: dict) -> Path | None:
    """The recorded board ``index.html`` if it and every published edition are as recorded."""
    found = published_indexes(system_id, record)
    return found["board"] if found else None


def current_indexes(
    system_id: str, profiles: tuple[str, ...] = ("board",)
) -> dict[str, Path] | None:
    """The published ``index.html`` of each version asked for when nothing changed since.

    Reads no data and imports nothing heavy (a no-op rebuild decides here).
    """
    record = read(system_id)
    if not record or record.get("inputs") != inputs_stamp(system_id):
        return None
    return published_indexes(system_id, record, profiles)


def current_index(system_id: str) -> Path | None:
    """The published board ``index.html`` when nothing changed since it was published."""
    found = current_indexes(system_id)
    return found["board"] if found else None
