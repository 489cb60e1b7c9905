"""The system's plan as validated configuration: ``parameters/<system>/plan/``.

Layout::

    parameters/<system>/plan/plan.yml               # who approved the plan, when; illustrative?
    parameters/<system>/plan/programmes/<id>.yml    # one logic model per programme

Adding a programme is adding a file. Every file is checked by strict models
(unknown keys, wrong types, dates out of order, arrows that point nowhere or
backwards) and against the system and the data (places that do not exist, a
metric the data cannot supply for a place); each problem is an error naming the
file and the field. ``hi-analysis validate`` and ``build`` check the plan before any
notebook runs. ``python -m hi_analysis.logic_model.plan`` writes the JSON Schema editors
use (``parameters/plan.schema.json``; a test checks it is current).

Examples
--------
>>> from hi_analysis.config import load_system
>>> plan = load_plan(load_system("llr"))
>>> [p.id for p in plan.programmes_for("rutland")][:2]
['htn-case-finding', 'smi-health-checks']
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hi_analysis.config import SLUG_PATTERN, System
from hi_analysis.errors import ConfigError
from hi_analysis.logic_model.metrics import METRICS, available
from hi_analysis.paths import parameters_dir

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
MetricId = Annotated[str, StringConstraints(pattern=r"^(ext|ft)\.[a-z0-9_]{1,60}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

#: Stages of a logic model, in causal order.
STAGES = ("activity", "output", "proxy", "outcome")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Owner(_Strict):
    """Who answers for a programme or activity (a role, not a person's name)."""

    role: Text
    organisation: Text


class Target(_Strict):
    """A SMART target for an output: value (in the metric's unit), date and direction."""

    value: float = Field(ge=0)
    by: dt.date
    direction: Literal["at_least", "at_most"]
    source: Text


class ExpectedChange(_Strict):
    """The change the plan expects in a proxy or outcome, and why."""

    direction: Literal["increase", "decrease"]
    relative_size: float = Field(gt=0, lt=1, description="0.05 = the plan expects a 5% change")
    lag_months: int = Field(ge=0, le=240)
    horizon: Literal["short", "medium", "long"]
    evidence: Text


class Activity(_Strict):
    """Something the programme does."""

    id: Slug
    description: Text
    owner: Owner
    start: dt.date
    end: dt.date | None = None
    reaches: list[Literal["all", "core20", "plus", "ld", "smi", "older_people"]] = ["all"]

    @model_validator(mode="after")
    def _ordered(self) -> Activity:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"activity {self.id!r}: end {self.end} is before start {self.start}")
        return self


class Output(_Strict):
    """What the activities deliver, with its target."""

    id: Slug
    description: Text
    metric: MetricId
    target: Target


class Measure(_Strict):
    """An early (proxy) measure or a long-term outcome, with the change expected."""

    id: Slug
    description: Text
    metric: MetricId
    expected_change: ExpectedChange


class Assumption(_Strict):
    """One arrow of the logic model: why ``source`` should lead to ``target``."""

    id: Slug
    source: Slug
    target: Slug
    text: Text
    evidence: Text


class Equity(_Strict):
    """Whose gap the programme should close, on which measure."""

    step: Slug
    measure: Literal["sii", "rii"] = "sii"
    intent: Literal["narrow", "no_widening"]


class Evaluation(_Strict):
    """The evaluation design, registered before the results were seen."""

    design: Literal["its", "controlled_its", "did"]
    start: dt.date
    impact_model: Literal["level", "slope", "level_and_slope"] = "level_and_slope"
    comparator: Literal["none", "other_places"] = "none"
    covid: Literal["indicator", "exclude"] = "indicator"
    registered_on: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> Evaluation:
        if self.design in ("controlled_its", "did") and self.comparator == "none":
            raise ValueError(f"design {self.design!r} needs a comparator (other_places)")
        if self.design == "its" and self.comparator != "none":
            raise ValueError("design 'its' takes no comparator: use 'controlled_its' or 'did'")
        return self


class Programme(_Strict):
    """One programme's logic model: activities -> outputs -> proxies -> outcomes."""

    id: Slug
    name: Text
    places: list[Slug] = Field(min_length=1)
    owner: Owner
    core20plus5: list[
        Literal[
            "hypertension",
            "early_cancer",
            "copd",
            "maternity",
            "smi",
            "smoking",
            "ld",
            "vaccination",
            "other",
        ]
    ] = []
    inputs: list[Text] = Field(min_length=1)
    activities: list[Activity] = Field(min_length=1)
    outputs: list[Output] = Field(min_length=1)
    proxies: list[Measure] = Field(min_length=1)
    outcomes: list[Measure] = Field(min_length=1)
    assumptions: list[Assumption] = Field(min_length=1)
    external_factors: list[Text] = []
    equity: Equity
    evaluation: Evaluation
    context: list[MetricId] = []

    @model_validator(mode="after")
    def _links(self) -> Programme:
        stage = self.stages()
        ids = [a.id for a in self.activities] + [
            s.id for s in (*self.outputs, *self.proxies, *self.outcomes)
        ]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate step ids: {', '.join(dup)}")
        for a in self.assumptions:
            for end in (a.source, a.target):
                if end not in stage:
                    raise ValueError(f"assumption {a.id!r} refers to unknown step {end!r}")
            if STAGES.index(stage[a.target]) != STAGES.index(stage[a.source]) + 1:
                raise ValueError(
                    f"assumption {a.id!r}: an arrow goes from one stage to the next "
                    f"(activity -> output -> proxy -> outcome), not {stage[a.source]} "
                    f"{a.source!r} -> {stage[a.target]} {a.target!r}"
                )
        if self.equity.step not in stage or stage[self.equity.step] not in ("proxy", "outcome"):
            raise ValueError(f"equity.step {self.equity.step!r} must be a proxy or outcome id")
        first = min(a.start for a in self.activities)
        if self.evaluation.start < first:
            raise ValueError(
                f"evaluation.start {self.evaluation.start} is before any activity starts ({first})"
            )
        for o in self.outputs:
            if o.target.by < first:
                raise ValueError(
                    f"output {o.id!r}: target date {o.target.by} is before any "
                    f"activity starts ({first})"
                )
        for m in (*self.outputs, *self.proxies, *self.outcomes):
            if m.metric in METRICS and METRICS[m.metric].real:
                raise ValueError(
                    f"step {m.id!r}: {m.metric} is a published annual or quarterly "
                    "series; evaluated steps need a monthly ext.* metric (list it "
                    "under context instead)"
                )
        return self

    def stages(self) -> dict[str, str]:
        """Stage of every step id (``activity``, ``output``, ``proxy`` or ``outcome``)."""
        out = {a.id: "activity" for a in self.activities}
        out.update({s.id: "output" for s in self.outputs})
        out.update({s.id: "proxy" for s in self.proxies})
        out.update({s.id: "outcome" for s in self.outcomes})
        return out

    def step(self, step_id: str) -> Activity | Output | Measure:
        """The activity, output or measure with this id."""
        for s in (*self.activities, *self.outputs, *self.proxies, *self.outcomes):
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def metrics(self) -> list[str]:
        """Every metric id the programme names."""
        return [s.metric for s in (*self.outputs, *self.proxies, *self.outcomes)] + list(
            self.context
        )


class PlanInfo(_Strict):
    """``plan.yml``: the plan as a whole."""

    system: Slug
    version: Text
    approved_by: Text
    approved_on: dt.date
    illustrative: bool = False


class Plan(BaseModel):
    """A system's plan: its information and its programmes (one file each)."""

    model_config = ConfigDict(frozen=True)

    info: PlanInfo
    programmes: tuple[Programme, ...]
    files: tuple[str, ...] = ()

    def programmes_for(self, place_id: str) -> list[Programme]:
        """The programmes covering a place, in file-name order."""
        return [p for p in self.programmes if place_id in p.places]

    def programme(self, programme_id: str) -> Programme:
        """The programme with this id."""
        for p in self.programmes:
            if p.id == programme_id:
                return p
        raise KeyError(programme_id)


# ----------------------------------------------------------------------------- loading
def plan_dir(system_id: str) -> Path:
    """``parameters/<system>/plan``."""
    return parameters_dir() / system_id / "plan"


def _read(path: Path) -> dict:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(content, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return content


def _explain(path: Path, exc: ValidationError) -> ConfigError:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "date_type" and isinstance(err.get("input"), str):
            msg += " (write dates unquoted as YYYY-MM-DD)"
        problems.append(f"{where}: {msg}")
    return ConfigError(f"{path}: " + "; ".join(problems))


def _check_against(path: Path, prog: Programme, system: System) -> None:
    known = {p.id: p for p in system.places}
    for i, place in enumerate(prog.places):
        if place not in known:
            raise ConfigError(
                f"{path}: places.{i}: unknown place {place!r} (places of "
                f"{system.id}: {', '.join(known)})"
            )
    for metric in prog.metrics():
        if metric not in METRICS:
            raise ConfigError(f"{path}: unknown metric {metric!r} (known: {', '.join(METRICS)})")
        for place in prog.places:
            pl = known[place]
            if not available(metric, pl.code, pl.district_codes):
                raise ConfigError(
                    f"{path}: metric {metric!r} is not available for place "
                    f"{place!r} ({pl.name}): the data have no values for it"
                )
    today = dt.date.today()
    if prog.evaluation.registered_on > today:
        raise ConfigError(
            f"{path}: evaluation.registered_on {prog.evaluation.registered_on} is in the future"
        )


def load_plan(system: System) -> Plan:
    """Load and validate a system's plan.

    Raises
    ------
    ConfigError
        Naming the file and field, for any malformed or inconsistent entry.
    """
    root = plan_dir(system.id)
    info_path = root / "plan.yml"
    if not info_path.is_file():
        raise ConfigError(f"{info_path}: plan file not found")
    try:
        info = PlanInfo.model_validate(_read(info_path))
    except ValidationError as exc:
        raise _explain(info_path, exc) from None
    if info.system != system.id:
        raise ConfigError(
            f"{info_path}: system {info.system!r} does not match the folder {system.id!r}"
        )
    programmes = []
    files = []
    for path in sorted((root / "programmes").glob("*.yml")):
        raw = _read(path)
        if raw.get("id") != path.stem:
            raise ConfigError(
                f"{path}: id {raw.get('id')!r} does not match the file name {path.stem!r}"
            )
        try:
            prog = Programme.model_validate(raw)
        except ValidationError as exc:
            raise _explain(path, exc) from None
        _check_against(path, prog, system)
        programmes.append(prog)
        files.append(str(path))
    if not programmes:
        raise ConfigError(f"{root / 'programmes'}: the plan has no programme files (*.yml)")
    return Plan(info=info, programmes=tuple(programmes), files=tuple(files))


def json_schema() -> dict:
    """JSON Schema of a programme file (for editors' YAML language server)."""
    schema = Programme.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = (
        "hi-analysis logic-model programme (parameters/<system>/plan/programmes/*.yml)"
    )
    return schema


def schema_path() -> Path:
    """Where the published JSON Schema lives: ``parameters/plan.schema.json``."""
    return parameters_dir() / "plan.schema.json"


def write_schema(path: Path | None = None) -> Path:
    """Write :func:`json_schema` to ``path`` (default :func:`schema_path`)."""
    path = path or schema_path()
    path.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m hi_analysis.logic_model.plan
    print(write_schema())
