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

import csv
import datetime as dt
import functools
import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hi_analysis.chapters import CHAPTERS as REGISTRY
from hi_analysis.chapters import chapter_ids
from hi_analysis.errors import ConfigError
from hi_analysis.paths import parameters_dir, public_data_dir

#: Identifiers used in paths: lower-case letters, digits, ``-`` and ``_``; starts with a letter.
SLUG_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
LocalAuthorityCode = Annotated[str, StringConstraints(pattern=r"^E(06|07|08|09|10)\d{6}$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^E(06|07|08|09)\d{6}$")]
IcbCode = Annotated[str, StringConstraints(pattern=r"^E54\d{6}$")]
AreaCode = Annotated[str, StringConstraints(pattern=r"^E\d{8}$")]
#: NHS sub-ICB location codes: the old three-character CCG codes (``04C``) and the five-character
#: codes of locations formed since 2022 (``B2M3M``).
SubIcbCode = Annotated[str, StringConstraints(pattern=r"^(?:[0-9A-Z]{3}|[0-9A-Z]{5})$")]
PostcodeDistrict = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}\d[A-Z\d]?$")]

#: Characters allowed in names and labels shown on pages: letters (any alphabet), digits,
#: spaces and the punctuation of real place names. Anything that could be markup
#: (``< > { } [ ] ` * _ # | $ \\ :`` ...) is refused at validation, and every value is
#: still escaped where it is inserted (:func:`hi_analysis.text.escape_markdown`).
PLAIN_TEXT_PATTERN = r"^[^\W_](?:[^\W_]|[ ,.'’&()/-])*$"


def _plain_text(value: str) -> str:
    if not re.fullmatch(PLAIN_TEXT_PATTERN, value) or "  " in value or value != value.strip():
        bad = sorted({c for c in value if not (c.isalnum() or c in " ,.'’&()/-")})
        found = f" (found {' '.join(repr(c) for c in bad)})" if bad else ""
        raise ValueError(
            "must be plain text: letters, digits, single spaces and , . ' & ( ) / - only, "
            f"starting with a letter or digit{found}"
        )
    return value


def _date_format(value: str) -> str:
    if not any(d in value for d in ("%d", "%j")) or "%m" not in value and "%b" not in value:
        raise ValueError("must be a strptime format with day, month and year, e.g. '%d/%m/%Y'")
    if "%Y" not in value:
        raise ValueError("must include a four-digit year (%Y), e.g. '%d/%m/%Y'")
    return value


DateFormat = Annotated[str, StringConstraints(max_length=40), AfterValidator(_date_format)]

#: A name or label that reaches a page: plain text, one line, at most 100 characters.
PlainText = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(_plain_text)
]

#: Chapters a system may publish, in reading order (from :mod:`hi_analysis.chapters`).
CHAPTERS = chapter_ids()

#: The record-level extracts each chapter reads (none: real published data only).
#: The runner re-runs a chapter when one of these files changes.
CHAPTER_EXTRACTS: dict[str, tuple[str, ...]] = {c.id: c.extracts for c in REGISTRY.values()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


#: A slope index of inequality in life expectancy, in years.
SiiYears = Annotated[float, Field(gt=0, le=30)]


class District(_Strict):
    """A lower-tier local authority inside a place."""

    code: DistrictCode
    name: PlainText
    #: SII in life expectancy (years, by sex) the synthetic deaths use when OHID publishes
    #: none for the district; without it a fallback computed from the data is used
    #: (:func:`hi_analysis.synth.targets.fallback_sii`).
    sii_if_unpublished: dict[Literal["Female", "Male"], SiiYears] | None = None


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
    name: PlainText
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
    name: PlainText


class ReportingPeriod(_Strict):
    """The period the book reports on."""

    start: dt.date
    end: dt.date
    label: PlainText

    @model_validator(mode="after")
    def _ordered(self) -> ReportingPeriod:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class System(_Strict):
    """An integrated care system and its places."""

    id: Slug
    name: PlainText
    short_name: Annotated[
        str, StringConstraints(min_length=1, max_length=20), AfterValidator(_plain_text)
    ]
    icb_code: IcbCode
    reporting_period: ReportingPeriod
    comparator: Comparator
    disclosure: Literal["nhs_england", "suppress_lt5", "suppress_lt10"]
    chapters: list[Literal[CHAPTERS]] = Field(min_length=1)  # type: ignore[valid-type]
    places: list[Place] = Field(min_length=1)
    #: strptime format of dates in CSV extracts when they are not ISO 8601 (e.g. "%d/%m/%Y").
    extract_date_format: DateFormat | None = None

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


#: The shipped ONS lookup that codes in parameter files are checked against.
GEOGRAPHY_LOOKUP = "lookup_lsoa21_ward24_lad24_utla23_icb24_england.csv.gz"


@dataclass(frozen=True)
class _Geography:
    icbs: dict[str, str]  # ICB code -> name
    utlas: dict[str, str]  # upper-tier code -> name
    ltlas: dict[str, str]  # district code -> name
    ltla_utla: dict[str, str]  # district code -> upper-tier code
    ltla_icbs: dict[str, frozenset[str]]  # district code -> ICBs its neighbourhoods are in
    utla_icbs: dict[str, frozenset[str]]
    sub_icbs: dict[str, str]  # sub-ICB location (NHS code) -> ICB code


@functools.cache
def _geography() -> _Geography:
    """Read the ONS LSOA-to-ICB lookup once (plain csv: no pandas at import time)."""
    path = public_data_dir() / GEOGRAPHY_LOOKUP
    icbs: dict[str, str] = {}
    utlas: dict[str, str] = {}
    ltlas: dict[str, str] = {}
    ltla_utla: dict[str, str] = {}
    ltla_icbs: dict[str, set[str]] = {}
    utla_icbs: dict[str, set[str]] = {}
    sub_icbs: dict[str, str] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                icb, utla, ltla = row["icb24_code"], row["utla23_code"], row["ltla24_code"]
                icbs[icb] = row["icb24_name"]
                utlas[utla] = row["utla23_name"]
                ltlas[ltla] = row["ltla24_name"]
                ltla_utla[ltla] = utla
                ltla_icbs.setdefault(ltla, set()).add(icb)
                utla_icbs.setdefault(utla, set()).add(icb)
                sub_icbs[row["sicbl24_code_nhs"]] = icb
    except (OSError, EOFError, KeyError, csv.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the geography lookup ({exc})") from None
    return _Geography(
        icbs,
        utlas,
        ltlas,
        ltla_utla,
        {k: frozenset(v) for k, v in ltla_icbs.items()},
        {k: frozenset(v) for k, v in utla_icbs.items()},
        sub_icbs,
    )


def check_geography(system: System, folder: Path) -> None:
    """Check the system's codes against the shipped ONS lookup, and against each other.

    The ICB code must exist; each place must be an upper-tier authority with
    neighbourhoods in that ICB; each district must be a lower-tier authority of
    that place; no code may belong to two places; GP sub-ICB locations must be
    in the ICB.

    Raises
    ------
    ConfigError
        Naming the parameter file and field at fault.
    """
    geo = _geography()
    sys_file = folder / "system.yml"
    if system.icb_code not in geo.icbs:
        raise ConfigError(
            f"{sys_file}: icb_code: unknown ICB code {system.icb_code!r} "
            f"(not in data/public/{GEOGRAPHY_LOOKUP})"
        )
    if system.comparator.code != "E92000001":
        raise ConfigError(
            f"{sys_file}: comparator.code: only England (E92000001) is supported as the "
            f"comparator, not {system.comparator.code!r}"
        )
    icb = system.icb_code
    seen_codes: dict[str, str] = {}
    for place in system.places:
        file = folder / "places" / f"{place.id}.yml"
        if place.code not in geo.utlas:
            raise ConfigError(
                f"{file}: code: unknown upper-tier local authority code {place.code!r} "
                f"(not in data/public/{GEOGRAPHY_LOOKUP})"
            )
        if icb not in geo.utla_icbs[place.code]:
            other = ", ".join(sorted(geo.utla_icbs[place.code]))
            raise ConfigError(
                f"{file}: code: {place.code} ({geo.utlas[place.code]}) is in ICB {other}, "
                f"not in this system's ICB {icb} ({geo.icbs[icb]})"
            )
        owner = seen_codes.get(place.code)
        if owner is not None:
            raise ConfigError(f"{file}: code: {place.code} is also used by place {owner!r}")
        seen_codes[place.code] = place.id
        for i, d in enumerate(place.districts):
            field = f"districts.{i}.code"
            if d.code not in geo.ltlas:
                raise ConfigError(
                    f"{file}: {field}: unknown district code {d.code!r} "
                    f"(not in data/public/{GEOGRAPHY_LOOKUP})"
                )
            if geo.ltla_utla[d.code] != place.code:
                up = geo.ltla_utla[d.code]
                raise ConfigError(
                    f"{file}: {field}: {d.code} ({geo.ltlas[d.code]}) is part of {up} "
                    f"({geo.utlas[up]}), not of this place {place.code}"
                )
            if icb not in geo.ltla_icbs[d.code]:
                raise ConfigError(
                    f"{file}: {field}: {d.code} ({geo.ltlas[d.code]}) is not in ICB {icb}"
                )
            owner = seen_codes.get(d.code)
            if owner is not None and not (owner == place.id and d.code == place.code):
                raise ConfigError(f"{file}: {field}: {d.code} is also used by place {owner!r}")
            seen_codes[d.code] = place.id
        for i, sub in enumerate(place.gp_practices.sub_icb):
            if geo.sub_icbs.get(sub) != icb:
                raise ConfigError(
                    f"{file}: gp_practices.sub_icb.{i}: {sub!r} is not a sub-ICB location "
                    f"of ICB {icb}"
                )


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


def load_place(system_id: str, place_id: str, root: Path | None = None) -> Place:
    """Load and validate one place file, ``parameters/<system>/places/<place>.yml``."""
    _check_slug(system_id, "system")
    _check_slug(place_id, "place")
    path = (root or parameters_dir()) / system_id / "places" / f"{place_id}.yml"
    raw = _read_yaml(path)
    if raw.get("id") != place_id:
        raise ConfigError(f"{path}: id {raw.get('id')!r} does not match the file name {place_id!r}")
    try:
        return Place.model_validate(raw)
    except ValidationError as exc:
        raise _explain(path, exc) from None


def load_system(system_id: str, root: Path | None = None) -> System:
    """Load and validate a system and all its places.

    Parameters
    ----------
    system_id : str
        The system's folder name under ``parameters/`` (a slug such as ``"llr"``).
    root : pathlib.Path, optional
        Another parameters folder (e.g. one being written by ``hi-analysis init``).

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
    path = (root or parameters_dir()) / system_id / "system.yml"
    raw = _read_yaml(path)
    place_ids = raw.get("places")
    if not isinstance(place_ids, list) or not all(isinstance(p, str) for p in place_ids):
        raise ConfigError(f"{path}: places: expected a list of place identifiers")
    if raw.get("id") != system_id:
        raise ConfigError(f"{path}: id {raw.get('id')!r} does not match the folder {system_id!r}")
    if len(set(place_ids)) != len(place_ids):
        raise ConfigError(f"{path}: places: a place is listed twice")
    places = [load_place(system_id, p, root) for p in place_ids]
    try:
        system = System.model_validate({**raw, "places": [p.model_dump() for p in places]})
    except ValidationError as exc:
        raise _explain(path, exc) from None
    check_geography(system, path.parent)
    return system
