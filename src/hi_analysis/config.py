"""Validated parameter files: one folder per system under ``parameters/``.

A system folder holds ``system.yml`` and ``places/<place>.yml``. Adding a
system is adding such a folder; no code changes. Unknown keys, wrong types and
unsafe identifiers are errors that name the file and the field.

Examples
--------
>>> system = load_system("llr")
>>> system.icb_code, [p.id for p in system.places]
('E54000015', ['leicester', 'leicestershire', 'rutland'])
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hi_analysis.chapters import CHAPTERS as REGISTRY
from hi_analysis.chapters import chapter_ids
from hi_analysis.errors import ConfigError
from hi_analysis.paths import parameters_dir

#: Identifiers used in paths: lower-case letters, digits, ``-`` and ``_``; starts with a letter.
SLUG_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
LocalAuthorityCode = Annotated[str, StringConstraints(pattern=r"^E(06|07|08|09|10)\d{6}$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^E(06|07|08|09)\d{6}$")]
IcbCode = Annotated[str, StringConstraints(pattern=r"^E54\d{6}$")]
AreaCode = Annotated[str, StringConstraints(pattern=r"^E\d{8}$")]
SubIcbCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{3}$")]
PostcodeDistrict = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}\d[A-Z\d]?$")]

#: Chapters a system may publish, in reading order (from :mod:`hi_analysis.chapters`).
CHAPTERS = chapter_ids()

#: The record-level extracts each chapter reads (none: real published data only).
#: The runner re-runs a chapter when one of these files changes.
CHAPTER_EXTRACTS: dict[str, tuple[str, ...]] = {c.id: c.extracts for c in REGISTRY.values()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class District(_Strict):
    """A lower-tier local authority inside a place."""

    code: DistrictCode
    name: str = Field(min_length=1)


class PracticeSelection(_Strict):
    """Which GP practices belong to a place.

    Practices are selected by sub-ICB location, then optionally narrowed by
    the postcode district of the surgery (the payments file has no local
    authority column). This is an approximation, stated on the page.
    """

    sub_icb: list[SubIcbCode] = Field(min_length=1)
    postcode_districts: list[PostcodeDistrict] = Field(default_factory=list)
    exclude_postcode_districts: list[PostcodeDistrict] = Field(default_factory=list)


class Place(_Strict):
    """An upper-tier local authority: the unit each chapter is run for."""

    id: Slug
    name: str = Field(min_length=1)
    code: LocalAuthorityCode
    kind: Literal["unitary authority", "county council", "metropolitan borough", "london borough"]
    districts: list[District] = Field(min_length=1)
    gp_practices: PracticeSelection

    @property
    def district_codes(self) -> list[str]:
        """Codes of the lower-tier authorities making up the place."""
        return [d.code for d in self.districts]


class Comparator(_Strict):
    """The benchmark area (England)."""

    code: AreaCode
    name: str


class ReportingPeriod(_Strict):
    """The period the book reports on."""

    start: dt.date
    end: dt.date
    label: str


class System(_Strict):
    """An integrated care system and its places."""

    id: Slug
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1, max_length=20)
    icb_code: IcbCode
    reporting_period: ReportingPeriod
    comparator: Comparator
    disclosure: Literal["nhs_england", "suppress_lt5", "suppress_lt10"]
    chapters: list[Literal[CHAPTERS]] = Field(min_length=1)  # type: ignore[valid-type]
    places: list[Place] = Field(min_length=1)

    def place(self, place_id: str) -> Place:
        """Return the place with this identifier.

        Raises
        ------
        ConfigError
            If the system has no such place.
        """
        for p in self.places:
            if p.id == place_id:
                return p
        known = ", ".join(p.id for p in self.places)
        raise ConfigError(f"system {self.id!r} has no place {place_id!r} (places: {known})")


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path}: parameter file not found")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(content, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return content


def _explain(path: Path, exc: ValidationError) -> ConfigError:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        problems.append(f"{where}: {err['msg']}")
    return ConfigError(f"{path}: " + "; ".join(problems))


def _check_slug(value: str, what: str) -> None:
    if not re.fullmatch(SLUG_PATTERN, value):
        raise ConfigError(
            f"unsafe {what} identifier {value!r}: use lower-case letters, digits, '-' or '_' "
            "(must start with a letter, at most 40 characters)"
        )


def available_systems() -> list[str]:
    """List the systems that have a parameters folder.

    Examples
    --------
    >>> "llr" in available_systems()
    True
    """
    root = parameters_dir()
    return sorted(p.name for p in root.iterdir() if (p / "system.yml").is_file())


def load_place(system_id: str, place_id: str) -> Place:
    """Load and validate one place file, ``parameters/<system>/places/<place>.yml``."""
    _check_slug(system_id, "system")
    _check_slug(place_id, "place")
    path = parameters_dir() / system_id / "places" / f"{place_id}.yml"
    raw = _read_yaml(path)
    if raw.get("id") != place_id:
        raise ConfigError(f"{path}: id {raw.get('id')!r} does not match the file name {place_id!r}")
    try:
        return Place.model_validate(raw)
    except ValidationError as exc:
        raise _explain(path, exc) from None


def load_system(system_id: str) -> System:
    """Load and validate a system and all its places.

    Parameters
    ----------
    system_id : str
        The system's folder name under ``parameters/`` (a slug such as ``"llr"``).

    Returns
    -------
    System
        The validated system, with its places in the order listed in ``system.yml``.

    Raises
    ------
    ConfigError
        Naming the file and field, for unknown keys, wrong types, unsafe identifiers,
        or a place listed without a file.
    """
    _check_slug(system_id, "system")
    path = parameters_dir() / system_id / "system.yml"
    raw = _read_yaml(path)
    place_ids = raw.get("places")
    if not isinstance(place_ids, list) or not all(isinstance(p, str) for p in place_ids):
        raise ConfigError(f"{path}: places: expected a list of place identifiers")
    if raw.get("id") != system_id:
        raise ConfigError(f"{path}: id {raw.get('id')!r} does not match the folder {system_id!r}")
    if len(set(place_ids)) != len(place_ids):
        raise ConfigError(f"{path}: places: a place is listed twice")
    places = [load_place(system_id, p) for p in place_ids]
    try:
        return System.model_validate({**raw, "places": [p.model_dump() for p in places]})
    except ValidationError as exc:
        raise _explain(path, exc) from None
