"""What the system states for its accountability pages: ``parameters/<system>/plan/``.

Beside the logic models (:mod:`hi_analysis.logic_model.plan`) the plan folder holds::

    dashboard.yml        # the agreed metrics of the health equity dashboard (001 Action 7c)
    assurance.yml        # the board's own ratings of the 8 x 5 grid and the data rules (002)
    report.yml           # the board report's cover sheet, deliverables, recommendations (002, 001)
    standards.yml        # status and owner of each Midlands plan standard (000 Section 2)
    audits/<id>.yml      # one health equity audit per project (001 Action 8; 004 tool)

Each file is checked by strict models (unknown keys, wrong types, dates written as
text, unknown metrics) and every problem is one line naming the file and the
field. ``python -m hi_analysis.accountability.plan`` writes the JSON Schema for
editors (``parameters/accountability.schema.json``; a test checks it is current).

Examples
--------
>>> from hi_analysis.config import load_system
>>> acc = load_accountability(load_system("llr"))
>>> len(acc.dashboard.metrics) >= 10, len(acc.audits) >= 1
(True, True)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import SLUG_PATTERN, System
from hi_analysis.errors import ConfigError
from hi_analysis.logic_model.plan import _explain, _read, plan_dir
from hi_analysis.paths import parameters_dir

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
#: A key result a chapter writes: ``<chapter>.<id>`` (e.g. ``sii.sii_le_female``).
ResultRef = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[A-Za-z0-9_.]{1,80}$")]

#: The eight key lines of enquiry of the board assurance tool, exactly as seed 002 words them.
KLOES: dict[str, str] = {
    "K1": "Leadership capability focused on achieving health equity",
    "K2": "Clear vision and credible strategy to deliver action on inequality with robust "
    "delivery plans",
    "K3": "Equality and diversity are actively promoted in the workplace so that service access "
    "and delivery are high quality, sustainable and sensitive to the needs of all. Staff well "
    "being is supported.",
    "K4": "Clear responsibilities, roles and systems of accountability, to support good "
    "governance and management on tackling inequality.",
    "K5": "Clear effective processes for managing risks, issues and performance, with focus on "
    "achieving equity.",
    "K6": "Appropriate and accurate information to measure progress.",
    "K7": "People who use our services, our communities, staff and external partners, are "
    "involved and empowered to ensure services have equitable access, excellent experience and "
    "optimal outcomes for all.",
    "K8": "Robust systems and processes for learning , continuous improvement and innovation, "
    "to achieve equity.",
}
#: The five national priorities as the grid's column headers (seed 002).
PRIORITIES: dict[str, str] = {
    "P1": "P1. Restore NHS services Inclusively",
    "P2": "P2. Develop digitally-enabled pathways inclusively",
    "P3": "P3. Ensure datasets are complete and timely",
    "P4": "P4. Proactively engage people at greatest risk in prevention",
    "P5": "P5. Strengthen leadership and accountability",
}
#: The same priorities as the board reporting template's tick table words them (seed 002).
REPORT_PRIORITIES: dict[str, str] = {
    "P1": "Restoring NHS services inclusively",
    "P2": "Mitigating against 'digital exclusion'",
    "P3": "Ensuring datasets are complete and timely",
    "P4": "Accelerating preventative programmes",
    "P5": "Strengthening leadership and accountability",
}
#: The only prompts the seed gives: row K1 (seed 002, line 111).
K1_PROMPTS: dict[str, tuple[str, ...]] = {
    "P1": (
        "Bring questioning and challenge to ensure health equity is at the heart of plans for "
        "restoring services and reducing waiting lists.",
    ),
    "P2": (
        "Ensure focus on equitable access for all in digital plans, and fair access for all via "
        "digital routes, face to face and telephone.",
    ),
    "P3": (
        "Ensure relevant and complete datasets are collected and utilised in decision-making to "
        "tackle inequality.",
        "Ensure collaborative working to complete patient datasets across the system.",
        "Include patient-level data on social factors so that prioritising is based on the "
        "whole person, balance of clinical and social factors.",
    ),
    "P4": (
        "Collaborative leadership with partners and primary care, place-based approach, "
        "empowering communities, and building on assets and strength.",
    ),
    "P5": (
        "Tackling inequality is not a separate programme. Embed it in leadership, "
        "decision-making, strategies and delivery plans.",
        "Board health inequalities senior responsible officers (SROs) to have passion, "
        "commitment and ensure a high profile on health inequalities.",
        "Show leadership across the system. Collaborative working with senior leaders and "
        "health inequality leads in the integrated care system (ICS), other provider "
        "organisations and primary care networks (PCNs).",
        "Resist pressure on delivering numbers, eg waiting list reduction, without taking into "
        "account the impact of inequality. Give board backing to operational staff.",
    ),
}
#: The Midlands plan standards (seed 000 Section 2), in the seed's order; the seed numbers
#: B4 twice, so the two are told apart by their ids and both labelled "B4".
STANDARDS: dict[str, tuple[str, str, str]] = {
    "A1": ("A1", "A. The bedrock of the plan", "Model of Health and Inequalities Framework"),
    "A2": ("A2", "A. The bedrock of the plan", "Metrics, Data and Intelligence"),
    "A3": (
        "A3",
        "A. The bedrock of the plan",
        "Description of local communities and critical demographic features",
    ),
    "B1": (
        "B1",
        "B. Topics within the plan",
        "Application of Health Equity Assessment on priority programmes and appropriate action "
        "plans to address any challenges. The NHS LTP describes the major programmes which "
        "should be the priority for HEA.",
    ),
    "B2a": (
        "B2 a)",
        "B. Topics within the plan",
        "Health promoting NHS (ensuring in all aspects of business, health is actively "
        "promoted. Includes smoke free sites, availability of fruit and vegetables, etc)",
    ),
    "B2b": (
        "B2 b)",
        "B. Topics within the plan",
        "Incorporation of Making Every Contact Count and active referrals to support health "
        "promoting life styles (tobacco, alcohol and physical activity and nutrition). "
        "Prevention interventions included in all clinical care pathways",
    ),
    "B2c": (
        "B2 c)",
        "B. Topics within the plan",
        "Ensuring vaccination and immunisation programmes meet national ambitions",
    ),
    "B2d": (
        "B2 d)",
        "B. Topics within the plan",
        "Ensuring screening programmes meet national ambitions",
    ),
    "B3": (
        "B3",
        "B. Topics within the plan",
        "Improvement plans based on national benchmarking programmes",
    ),
    "B4-primary-care": (
        "B4",
        "B. Topics within the plan",
        "Strengthening of primary and community services with a focus on those supporting "
        "deprived communities and within the context of community assets in the locality "
        "concerned",
    ),
    "B4-determinants": ("B4", "B. Topics within the plan", "Determinants of health"),
    "B5": ("B5", "B. Topics within the plan", "Inclusion health"),
    "B6": (
        "B6",
        "B. Topics within the plan",
        "Resources: Financial plan for inequalities programme and appropriate use of tools "
        "supporting return on investment",
    ),
    "B7": (
        "B7",
        "B. Topics within the plan",
        "Interventions that deliver in the short, medium and long term",
    ),
    "C1": (
        "C1",
        "C. Enablers",
        "Workforce initiatives; training on inequalities, equality and diversity etc.",
    ),
    "C2": ("C2", "C. Enablers", "Community/patient engagement"),
}
#: The Equality Act 2010's nine protected characteristics (001 Action 8: "at a minimum").
PROTECTED_CHARACTERISTICS = (
    "age",
    "disability",
    "gender_reassignment",
    "marriage_and_civil_partnership",
    "pregnancy_and_maternity",
    "race",
    "religion_or_belief",
    "sex",
    "sexual_orientation",
)
#: Seed 004's "Examples of sources to consider" (question 1a).
AUDIT_SOURCES: dict[str, str] = {
    "external_data": "External data and analysis (national and local)",
    "service_breakdowns": "Breakdowns of service activity/KPI/experience/ACs data (by "
    "geography, protected characteristic, other groups)",
    "qualitative_feedback": "Qualitative feedback from relevant communities",
    "access_communication_needs": "Data on service users access and communication needs",
    "social_economic_conditions": "Data on service users social economic and environmental "
    "conditions",
    "practitioner_insight": "Practitioner/ colleague insights",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Owner(_Strict):
    """Who answers for something (a role, not a person's name)."""

    role: Text
    organisation: Text


class Target(_Strict):
    """An agreed target in the measure's unit."""

    value: float
    direction: Literal["at_least", "at_most"]
    by: dt.date
    source: Text


# ----------------------------------------------------------------------------- dashboard
class DashboardMetric(_Strict):
    """One agreed metric: the key result it shows, its gap measure, baseline and target."""

    id: Slug
    result: ResultRef
    gap: ResultRef | None = None
    gap_is_change: bool = Field(
        default=False, description="the gap result measures a change in the gap (e.g. a DiD)"
    )
    baseline: Text | None = Field(
        default=None, description="period label of the agreed baseline in the series"
    )
    target: Target | None = None
    domain: Literal["outcomes", "prevention", "elective_recovery", "digital", "data_quality"]
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = None


class Dashboard(_Strict):
    """``dashboard.yml``: the agreed metrics of every place's dashboard."""

    agreed_by: Text
    agreed_on: dt.date
    baseline_label: Text
    metrics: list[DashboardMetric] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Dashboard:
        ids = [m.id for m in self.metrics]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate metric ids: {', '.join(dup)}")
        return self

    def metric(self, metric_id: str) -> DashboardMetric:
        """The agreed metric with this id."""
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(metric_id)


# ----------------------------------------------------------------------------- assurance (002)
Kloe = Literal["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"]
Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Rating = Literal["green", "amber", "red"]


class Evidence(_Strict):
    """An item of evidence behind a self-assessed rating."""

    text: Text
    dated: dt.date
    link: Text | None = None


class CellAssessment(_Strict):
    """The board's own rating of one KLOE x priority cell."""

    kloe: Kloe
    priority: Priority
    rating: Rating
    assessed_by: Text
    assessed_on: dt.date
    evidence: list[Evidence] = []
    prompt: Text | None = Field(
        default=None, description="the system's own prompt (K2-K8 prompts are not in the seed)"
    )
    comment: Text | None = None


class DataRule(_Strict):
    """A rule, declared before the data are seen, that rates a cell from the book's figures.

    ``target_and_gap``: green when the metric's target is met and its gap is not
    widening, red when the gap is widening or the target is consistently failed,
    amber otherwise. ``vs_england``: green better, amber similar, red worse than
    England. ``threshold``: green at or beyond ``green_at``, red beyond ``red_at``,
    amber between (``direction`` says which way is good). ``gap_change``: for a
    change-in-gap result, red when its interval excludes zero in the widening
    direction, green when it excludes zero in the narrowing direction.
    """

    kloe: Kloe
    priority: Priority
    metric: Slug = Field(description="a dashboard metric id")
    rule: Literal["target_and_gap", "vs_england", "threshold", "gap_change"]
    green_at: float | None = None
    red_at: float | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> DataRule:
        if self.rule == "threshold" and (self.green_at is None or self.red_at is None):
            raise ValueError(
                f"{self.kloe} x {self.priority}: rule 'threshold' needs green_at and red_at"
            )
        return self


class Assurance(_Strict):
    """``assurance.yml``: the board's self-assessment and the data rules."""

    organisation: Text
    stale_after_months: int = Field(default=12, ge=1, le=36)
    cells: list[CellAssessment]
    rules: list[DataRule] = []

    @model_validator(mode="after")
    def _once(self) -> Assurance:
        for name, keys in (
            ("cells", [(c.kloe, c.priority) for c in self.cells]),
            ("rules", [(r.kloe, r.priority) for r in self.rules]),
        ):
            dup = sorted({f"{k} x {p}" for k, p in keys if keys.count((k, p)) > 1})
            if dup:
                raise ValueError(f"{name}: each cell may appear once ({', '.join(dup)})")
        return self


# ----------------------------------------------------------------------------- audits (001 A8)
class PcReview(_Strict):
    """One protected characteristic: considered or not, and why."""

    characteristic: Literal[PROTECTED_CHARACTERISTICS]  # type: ignore[valid-type]
    considered: bool
    note: Text


class AuditAction(_Strict):
    """One action of the audit's plan (004 question 3)."""

    description: Text
    owner: Owner
    due: dt.date
    metric: Slug | None = Field(default=None, description="a dashboard metric id it should move")


class UseNeed(_Strict):
    """Where the who-uses-vs-who-needs table comes from.

    ``vaccinations``: people vaccinated (a first dose) against the people eligible, for
    one programme and season. ``programme_activity``: people with at least one activity
    of ``programme`` in ``year`` against registered people aged ``min_age`` and over.
    """

    extract: Literal["vaccinations", "programme_activity"]
    programme: Text
    season: Text | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    min_age: int = Field(default=0, ge=0, le=120)

    @model_validator(mode="after")
    def _period(self) -> UseNeed:
        if self.extract == "vaccinations" and self.season is None:
            raise ValueError("use_need: extract 'vaccinations' needs a season")
        if self.extract == "programme_activity" and self.year is None:
            raise ValueError("use_need: extract 'programme_activity' needs a year")
        return self


class Audit(_Strict):
    """``audits/<id>.yml``: one health equity audit, following seed 004's four questions."""

    id: Slug
    title: Text
    programme: Slug | None = Field(default=None, description="the plan programme it audits")
    owner: Owner
    places: list[Slug] = Field(min_length=1)
    population: Text
    stage: Literal["prepare", "assess", "refine_and_apply", "review"]
    completed_on: dt.date
    review_due: dt.date
    sources: list[Literal[tuple(AUDIT_SOURCES)]] = Field(min_length=1)  # type: ignore[valid-type]
    other_information: Text
    review_forum: Text
    concerns: list[Text] = Field(min_length=1)
    protected_characteristics: list[PcReview]
    actions: list[AuditAction] = Field(min_length=1)
    monitoring: Text
    use_need: UseNeed | None = None

    @model_validator(mode="after")
    def _checks(self) -> Audit:
        seen = [p.characteristic for p in self.protected_characteristics]
        missing = [c for c in PROTECTED_CHARACTERISTICS if c not in seen]
        if missing:
            raise ValueError(
                "protected_characteristics: not reviewed: "
                + ", ".join(missing)
                + " (001 Action 8: at a minimum the Equality Act's protected characteristics)"
            )
        if self.review_due <= self.completed_on:
            raise ValueError(
                f"review_due {self.review_due} must be after completed_on {self.completed_on}"
            )
        return self


# ----------------------------------------------------------------------------- standards (000)
class StandardStatus(_Strict):
    """The system's own statement on one Midlands standard."""

    id: Literal[tuple(STANDARDS)]  # type: ignore[valid-type]
    status: Literal["met", "partly_met", "not_met", "not_assessed"]
    owner: Owner
    assessed_on: dt.date
    note: Text | None = None


class Standards(_Strict):
    """``standards.yml``: every Midlands plan standard, once."""

    assessed_by: Text
    standards: list[StandardStatus]

    @model_validator(mode="after")
    def _all(self) -> Standards:
        ids = [s.id for s in self.standards]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        missing = [i for i in STANDARDS if i not in ids]
        if dup:
            raise ValueError(f"standards: listed more than once: {', '.join(dup)}")
        if missing:
            raise ValueError(f"standards: missing: {', '.join(missing)} (000 Section 2)")
        return self


# ----------------------------------------------------------------------------- board report
class PreviousConsideration(_Strict):
    """A meeting that saw the paper before (001 cover sheet)."""

    meeting: Text
    date: dt.date
    purpose: Literal["decision", "discussion", "assurance", "noting"]


class Recommendation(_Strict):
    """A recommendation for the board, and the dashboard metrics or programmes it responds to."""

    text: Text
    responds_to: list[Slug] = []


class Risks(_Strict):
    """The cover sheet's risk references (001)."""

    strategic: Text | None = None
    organisational: Text | None = None
    new: Text | None = None


class Report(_Strict):
    """``report.yml``: the board report's cover sheet and what only the system can state."""

    title: Text
    meeting: Text
    meeting_date: dt.date
    paper: Text
    author: Text
    sponsor: Text
    purpose: Literal["decision", "discussion", "assurance", "noting"]
    previous_consideration: list[PreviousConsideration] = []
    deliverables: list[Text] = Field(min_length=1)
    local_priorities: dict[Literal["a", "b", "c", "d", "e"], Text] = {}
    local_priorities_addressed: list[Literal["a", "b", "c", "d", "e"]] = []
    recommendations: list[Recommendation] = Field(min_length=1)
    equality_impact: Text
    public_involvement: Text
    risks: Risks = Risks()
    next_paper: dt.date | None = None

    @model_validator(mode="after")
    def _letters(self) -> Report:
        unknown = [x for x in self.local_priorities_addressed if x not in self.local_priorities]
        if unknown:
            raise ValueError(
                f"local_priorities_addressed: {', '.join(unknown)} not among local_priorities"
            )
        return self


class Accountability(BaseModel):
    """Everything the system states for its accountability pages."""

    model_config = ConfigDict(frozen=True)

    dashboard: Dashboard
    assurance: Assurance
    report: Report
    standards: Standards
    audits: tuple[Audit, ...]
    illustrative: bool
    files: dict[str, str]


# ----------------------------------------------------------------------------- loading
FILES = {
    "dashboard": Dashboard,
    "assurance": Assurance,
    "report": Report,
    "standards": Standards,
}


def has_accountability(system: System) -> bool:
    """Whether the system's plan folder holds a dashboard file (the pages are then built)."""
    return (plan_dir(system.id) / "dashboard.yml").is_file()


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    if not path.is_file():
        raise ConfigError(f"{path}: file not found (the accountability pages need it)")
    try:
        return model.model_validate(_read(path))
    except ValidationError as exc:
        raise _explain(path, exc) from None


def _check(acc: dict, paths: dict[str, Path], system: System) -> None:
    places = {p.id for p in system.places}
    dash: Dashboard = acc["dashboard"]
    metric_ids = {m.id for m in dash.metrics}
    for i, m in enumerate(dash.metrics):
        for field in ("result", "gap"):
            ref = getattr(m, field)
            if ref is not None and ref.split(".")[0] not in system.chapters:
                raise ConfigError(
                    f"{paths['dashboard']}: metrics.{i}.{field}: {ref!r} names no chapter of "
                    f"{system.id} (chapters: {', '.join(system.chapters)})"
                )
    for i, r in enumerate(acc["assurance"].rules):
        if r.metric not in metric_ids:
            raise ConfigError(
                f"{paths['assurance']}: rules.{i}.metric: unknown dashboard metric "
                f"{r.metric!r} (known: {', '.join(sorted(metric_ids))})"
            )
        if r.rule == "target_and_gap" and dash.metric(r.metric).target is None:
            raise ConfigError(
                f"{paths['assurance']}: rules.{i}: rule 'target_and_gap' needs a target on "
                f"dashboard metric {r.metric!r}"
            )
    programme_ids = {p.stem for p in (plan_dir(system.id) / "programmes").glob("*.yml")}
    for i, rec in enumerate(acc["report"].recommendations):
        for j, ref in enumerate(rec.responds_to):
            if ref not in metric_ids | programme_ids:
                raise ConfigError(
                    f"{paths['report']}: recommendations.{i}.responds_to.{j}: {ref!r} is "
                    "neither a dashboard metric nor a plan programme"
                )
    for audit, path in acc["audits"]:
        for i, place in enumerate(audit.places):
            if place not in places:
                raise ConfigError(
                    f"{path}: places.{i}: unknown place {place!r} (places of {system.id}: "
                    f"{', '.join(p.id for p in system.places)})"
                )
        for i, action in enumerate(audit.actions):
            if action.metric is not None and action.metric not in metric_ids:
                raise ConfigError(
                    f"{path}: actions.{i}.metric: unknown dashboard metric {action.metric!r}"
                )


def load_accountability(system: System) -> Accountability:
    """Load and validate the system's accountability files.

    Raises
    ------
    ConfigError
        One line naming the file and field, for any malformed or inconsistent entry.
    """
    from hi_analysis.logic_model.plan import PlanInfo

    root = plan_dir(system.id)
    paths = {name: root / f"{name}.yml" for name in FILES}
    loaded: dict = {name: _load(paths[name], model) for name, model in FILES.items()}
    audits = []
    for path in sorted((root / "audits").glob("*.yml")):
        audit = _load(path, Audit)
        if audit.id != path.stem:
            raise ConfigError(f"{path}: id {audit.id!r} does not match the file name {path.stem!r}")
        audits.append((audit, path))
    loaded["audits"] = audits
    _check(loaded, paths, system)
    info_path = root / "plan.yml"
    illustrative = False
    if info_path.is_file():
        try:
            illustrative = PlanInfo.model_validate(_read(info_path)).illustrative
        except ValidationError as exc:
            raise _explain(info_path, exc) from None
    return Accountability(
        dashboard=loaded["dashboard"],
        assurance=loaded["assurance"],
        report=loaded["report"],
        standards=loaded["standards"],
        audits=tuple(a for a, _ in audits),
        illustrative=illustrative,
        files={**{k: str(v) for k, v in paths.items()}, **{a.id: str(p) for a, p in audits}},
    )


def json_schema() -> dict:
    """JSON Schema of the accountability files (one definition per file)."""
    out: dict = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hi-analysis accountability files (parameters/<system>/plan/*.yml, audits/*.yml)",
        "$defs": {},
    }
    for name, model in {**FILES, "audit": Audit}.items():
        out["$defs"][name] = model.model_json_schema()
    return out


def schema_path() -> Path:
    """Where the published JSON Schema lives: ``parameters/accountability.schema.json``."""
    return parameters_dir() / "accountability.schema.json"


def write_schema(path: Path | None = None) -> Path:
    """Write :func:`json_schema` to ``path`` (default :func:`schema_path`)."""
    path = path or schema_path()
    path.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


_ = CHAPTERS  # the registry names the chapters a result may come from

if __name__ == "__main__":  # python -m hi_analysis.accountability.plan
    print(write_schema())
