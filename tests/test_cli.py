import subprocess
import sys
from pathlib import Path

from hi_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "llr: Leicester, Leicestershire and Rutland (E54000015)" in out
    assert "rutland: Rutland (E06000017)" in out


def test_validate(capsys):
    assert main(["validate", "--system", "llr"]) == 0
    assert "all shipped input data and 0 extract(s) are valid" in capsys.readouterr().out


def test_unknown_system_exits_non_zero_with_reason(capsys):
    assert main(["build", "--system", "nowhere"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hi-analysis: error: ") and "nowhere/system.yml" in err


def test_unknown_place(capsys):
    assert main(["build", "--system", "llr", "--place", "york"]) == 1
    assert "system 'llr' has no place 'york'" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("hi-analysis")
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "build" in proc.stdout
