from pathlib import Path

import pytest
import yaml

from hi_analysis.config import available_systems, load_system
from hi_analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_llr_system_is_complete(llr):
    assert llr.icb_code == "E54000015"
    assert [p.code for p in llr.places] == ["E06000016", "E10000018", "E06000017"]
    assert len(llr.place("leicestershire").districts) == 7
    assert llr.comparator.name == "England"
    assert llr.disclosure == "nhs_england"
    assert "llr" in available_systems()


def _copy_llr(tmp_path, monkeypatch):
    src = ROOT / "parameters" / "llr"
    dst = tmp_path / "parameters" / "llr"
    (dst / "places").mkdir(parents=True)
    for f in src.rglob("*.yml"):
        (dst / f.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        (dst / f.relative_to(src)).write_text(f.read_text())
    monkeypatch.setenv("HI_ANALYSIS_ROOT", str(tmp_path))
    return dst


def _edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "system.yml", lambda s: s.update(colour="blue"))
    with pytest.raises(ConfigError, match=r"system\.yml: colour: Extra inputs are not permitted"):
        load_system("llr")


def test_wrong_type_is_an_error(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "places" / "rutland.yml", lambda p: p.update(code=6000017))
    with pytest.raises(ConfigError, match=r"rutland\.yml: code: Input should be a valid string"):
        load_system("llr")


def test_bad_area_code_is_an_error(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "places" / "rutland.yml", lambda p: p.update(code="X06000017"))
    with pytest.raises(ConfigError, match=r"rutland\.yml: code: String should match pattern"):
        load_system("llr")


def test_unsafe_place_identifier_is_rejected(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "system.yml", lambda s: s.update(places=["leicester", "../etc"]))
    with pytest.raises(ConfigError, match=r"unsafe place identifier '\.\./etc'"):
        load_system("llr")


def test_unsafe_system_identifier_is_rejected():
    with pytest.raises(ConfigError, match="unsafe system identifier 'LLR;rm'"):
        load_system("LLR;rm")


def test_place_listed_without_file(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "system.yml", lambda s: s["places"].append("nowhere"))
    with pytest.raises(ConfigError, match=r"nowhere\.yml: parameter file not found"):
        load_system("llr")


def test_place_id_must_match_file_name(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "places" / "rutland.yml", lambda p: p.update(id="rutland2"))
    with pytest.raises(ConfigError, match="does not match the file name 'rutland'"):
        load_system("llr")


def test_unknown_disclosure_preset(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    _edit(d / "system.yml", lambda s: s.update(disclosure="none"))
    with pytest.raises(ConfigError, match="disclosure: Input should be 'nhs_england'"):
        load_system("llr")


def test_new_system_needs_no_code(tmp_path, monkeypatch):
    d = _copy_llr(tmp_path, monkeypatch)
    other = d.parent / "rutland-only"
    (other / "places").mkdir(parents=True)
    _edit(d / "system.yml", lambda s: None)
    sys_yaml = yaml.safe_load((d / "system.yml").read_text())
    sys_yaml.update(id="rutland-only", places=["rutland"], name="Rutland alone")
    (other / "system.yml").write_text(yaml.safe_dump(sys_yaml))
    (other / "places" / "rutland.yml").write_text((d / "places" / "rutland.yml").read_text())
    system = load_system("rutland-only")
    assert [p.id for p in system.places] == ["rutland"]
    assert "rutland-only" in available_systems()
