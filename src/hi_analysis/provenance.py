"""A record of exactly which data and code produced each page.

Fingerprints are sha256 digests, so two runs with the same fingerprints used
the same inputs. They also key the runner's cache: a notebook is re-run only
when its template, its parameters, the package code or the data changed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hi_analysis import __version__
from hi_analysis.data.manifest import manifest_digest
from hi_analysis.paths import notebooks_dir, parameters_dir, source_root

if TYPE_CHECKING:
    from hi_analysis.config import System


def _digest_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(source_root()).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def code_fingerprint() -> str:
    """Digest of the package source and the notebook templates."""
    pkg = Path(__file__).resolve().parent
    files = list(pkg.rglob("*.py")) + list(notebooks_dir().glob("*.ipynb"))
    return _digest_files(files)


def data_fingerprint() -> str:
    """Digest of the shipped-data manifest (which pins every file's sha256)."""
    return manifest_digest()


def extracts_fingerprint(system_id: str, names: tuple[str, ...] | list[str]) -> str:
    """Digest of the record-level extract files a chapter reads (empty string for none)."""
    if not names:
        return ""
    from hi_analysis.extracts import extracts_record

    h = hashlib.sha256()
    for rec in extracts_record(system_id, names):
        h.update(f"{rec['extract']}={rec['file']}:{rec['sha256']};".encode())
    return h.hexdigest()


def system_fingerprint(system: System, folders: Sequence[str] | None = None) -> str:
    """Digest of everything in a system's parameters that can change a page.

    The whole validated :class:`~hi_analysis.config.System` (places, districts,
    codes, reporting period, disclosure rule, chapters...) dumped canonically,
    plus the bytes of the files under ``parameters/<system>/``.

    Parameters
    ----------
    system : System
        The validated system.
    folders : sequence of str, optional
        Sub-folders read by particular chapters only (e.g. ``"plan"``, see
        :attr:`hi_analysis.chapters.Chapter.parameter_dirs`). Files in any
        registered chapter's folders count only when their folder is listed
        here, so editing the plan re-runs the chapters that read it and no
        others. ``None`` counts every file.
    """
    from hi_analysis.chapters import CHAPTERS

    private = {d for c in CHAPTERS.values() for d in c.parameter_dirs}
    wanted = set(folders) if folders is not None else private
    h = hashlib.sha256()
    h.update(json.dumps(system.model_dump(mode="json"), sort_keys=True).encode())
    folder = parameters_dir() / system.id
    for p in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if not p.is_file():
            continue
        rel = p.relative_to(folder)
        top = rel.parts[0] if len(rel.parts) > 1 else ""
        if top in private and top not in wanted:
            continue
        h.update(b"\0" + rel.as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def git_revision() -> str:
    """The current git commit (with ``-dirty`` if there are uncommitted changes), or ``unknown``."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=source_root(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=source_root(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record() -> dict[str, str]:
    """Everything a page's provenance note states."""
    return {
        "package_version": __version__,
        "git_revision": git_revision(),
        "code_fingerprint": code_fingerprint()[:16],
        "data_fingerprint": data_fingerprint()[:16],
    }
