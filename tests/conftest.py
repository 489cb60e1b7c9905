"""Shared fixtures: the LLR system, and one end-to-end build reused by the e2e tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hi_analysis.config import load_system

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_project_extracts(monkeypatch, tmp_path_factory):
    """Tests never read or write the project's own data/extracts (they use temporary folders)."""
    if "HI_ANALYSIS_EXTRACTS" not in os.environ:
        monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(tmp_path_factory.getbasetemp() / "none"))


@pytest.fixture
def llr_extracts_folder(tmp_path, monkeypatch) -> Path:
    """An empty extracts folder for LLR, with its own build folder (both temporary)."""
    monkeypatch.setenv("HI_ANALYSIS_EXTRACTS", str(tmp_path))
    monkeypatch.setenv("HI_ANALYSIS_BUILD", str(tmp_path / "_build"))
    (tmp_path / "llr").mkdir()
    return tmp_path / "llr"


@pytest.fixture(scope="session")
def llr():
    return load_system("llr")


@dataclass
class Build:
    build_dir: Path
    index: Path
    stdout: str
    stderr: str
    teaching_index: Path | None = None

    def page(self, place: str, chapter: str = "needs_analysis") -> str:
        return (self.index.parent / "places" / place / f"{chapter}.html").read_text("utf-8")

    def results(self, place: str, chapter: str = "needs_analysis") -> dict:
        path = self.build_dir / "llr" / "results" / place / f"{chapter}.json"
        return json.loads(path.read_text("utf-8"))


def run_cli(
    *args: str, build_dir: Path, extracts_dir: Path | None = None, check: bool = False
) -> subprocess.CompletedProcess:
    env = {**os.environ, "HI_ANALYSIS_BUILD": str(build_dir)}
    if extracts_dir is not None:
        env["HI_ANALYSIS_EXTRACTS"] = str(extracts_dir)
    exe = Path(sys.executable).with_name("hi-analysis")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, check=check, cwd=ROOT
    )


@pytest.fixture(scope="session")
def cli():
    """Run the installed ``hi-analysis`` command: ``cli(*args, build_dir=...)``."""
    return run_cli


@pytest.fixture(scope="session")
def extracts_root(tmp_path_factory) -> Path:
    """An empty extracts folder: the end-to-end build must generate the synthetic ones."""
    return tmp_path_factory.mktemp("data") / "extracts"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, extracts_root) -> Build:
    """Build the default system's book once, into temporary build and extracts folders.

    The extracts folder starts empty, so this also checks that a build generates the
    synthetic extracts when none exist (as ``make book`` does on a fresh clone).
    """
    build_dir = tmp_path_factory.mktemp("build")
    proc = run_cli(
        "build", "--system", "llr", "--jobs", "3", "--quiet", "--profile", "all",
        build_dir=build_dir, extracts_dir=extracts_root,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    teaching = [ln for ln in lines[:-1] if ln.endswith("index.html") and "/teaching/" in ln]
    assert len(teaching) == 1, lines
    return Build(build_dir, Path(lines[-1]), proc.stdout, proc.stderr, Path(teaching[0]))
