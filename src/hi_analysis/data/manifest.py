"""The manifest of shipped public data: sha256, size and row count of every file.

``data/public/MANIFEST.json`` is the record of exactly which data the book was
built from; the build refuses to run if a file no longer matches it (so an
edited or truncated file is caught before anything is published), and every
run records the manifest's own hash in its provenance.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import zipfile
import zlib
from pathlib import Path

from hi_analysis.errors import DataValidationError
from hi_analysis.paths import public_data_dir
from hi_analysis.safeio import atomic_write_text

MANIFEST_NAME = "MANIFEST.json"
_SKIP = {MANIFEST_NAME, "README.md"}


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_rows(path: Path) -> int:
    """Count data rows: CSV lines after the header, or GeoJSON features.

    Handles ``.csv``, ``.csv.gz``, ``.geojson`` and ``.geojson.zip``. CSV rows are
    counted as records (quoted newlines are not row breaks).
    """
    name = path.name
    if name.endswith(".geojson"):
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    if name.endswith(".geojson.zip"):
        with zipfile.ZipFile(path) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".geojson"))
            return len(json.loads(zf.read(member))["features"])
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return sum(1 for _ in csv.reader(fh)) - 1


def data_files(root: Path | None = None) -> list[Path]:
    """List the shipped data files (everything but the README and the manifest), sorted."""
    root = root or public_data_dir()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in _SKIP)


def build_manifest(root: Path | None = None) -> dict[str, dict[str, int | str]]:
    """Compute the manifest entry (sha256, bytes, rows) of every shipped file."""
    root = root or public_data_dir()
    return {
        p.relative_to(root).as_posix(): {
            "sha256": sha256(p),
            "bytes": p.stat().st_size,
            "rows": _count_rows_or_explain(p, root),
        }
        for p in data_files(root)
    }


def _count_rows_or_explain(path: Path, root: Path) -> int:  # noqa: ARG001
    """:func:`count_rows`, turning a corrupt or unreadable file into one readable error."""
    try:
        return count_rows(path)
    except (
        OSError,
        EOFError,
        zlib.error,
        zipfile.BadZipFile,
        csv.Error,
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        StopIteration,
    ) as exc:
        kind = (
            "compressed file is corrupt or truncated"
            if path.suffix in (".gz", ".zip")
            else "file cannot be read"
        )
        detail = str(exc).strip() or type(exc).__name__
        try:
            shown = str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            shown = str(path)
        raise DataValidationError(
            shown,
            [
                f"{kind} ({detail}); restore it (e.g. `git checkout -- <file>`) before "
                "rewriting the manifest"
            ],
        ) from None


def write_manifest(root: Path | None = None) -> Path:
    """Write ``MANIFEST.json`` (run after deliberately updating a shipped file)."""
    root = root or public_data_dir()
    path = root / MANIFEST_NAME
    atomic_write_text(path, json.dumps(build_manifest(root), indent=2, sort_keys=True) + "\n")
    return path


def read_manifest(root: Path | None = None) -> dict[str, dict[str, int | str]]:
    """Read ``MANIFEST.json``."""
    root = root or public_data_dir()
    path = root / MANIFEST_NAME
    if not path.is_file():
        raise DataValidationError(str(path), ["manifest not found; run `hi-analysis manifest`"])
    return json.loads(path.read_text(encoding="utf-8"))


def verify_manifest(root: Path | None = None, *, rows: bool = False) -> None:
    """Check every shipped file against the manifest.

    Parameters
    ----------
    root : pathlib.Path, optional
        The data folder (default ``data/public``).
    rows : bool, default False
        Also recount rows (slower); the hash already pins the content.

    Raises
    ------
    DataValidationError
        Listing each missing, unexpected or changed file.
    """
    root = root or public_data_dir()
    expected = read_manifest(root)
    present = {p.relative_to(root).as_posix(): p for p in data_files(root)}
    problems = []
    for name in sorted(set(expected) - set(present)):
        problems.append(f"{name}: listed in the manifest but missing")
    for name in sorted(set(present) - set(expected)):
        problems.append(f"{name}: not in the manifest (add it with `hi-analysis manifest`)")
    for name in sorted(set(expected) & set(present)):
        entry, path = expected[name], present[name]
        if path.stat().st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
            problems.append(f"{name}: content differs from the manifest (sha256 mismatch)")
        elif rows and count_rows(path) != entry["rows"]:
            problems.append(f"{name}: {count_rows(path)} rows, manifest says {entry['rows']}")
    if problems:
        raise DataValidationError(str(root / MANIFEST_NAME), problems)


def manifest_digest(root: Path | None = None) -> str:
    """Return the sha256 of the manifest itself: one fingerprint of all shipped data."""
    root = root or public_data_dir()
    return sha256(root / MANIFEST_NAME)
