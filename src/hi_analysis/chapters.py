"""The chapter registry: every chapter the book can publish, in reading order.

A chapter is a plug-in: a notebook in ``notebooks/``, its module(s) in the
package, and one :class:`Chapter` entry here. The parameters, runner, book and
command line read this registry; nothing else needs to change to add a
chapter.

Examples
--------
>>> CHAPTERS["sii"].title
'Slope index of inequality'
>>> chapter_ids()[:2]
('needs_analysis', 'sii')
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hi_analysis.config import Place, System


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book.

    Attributes
    ----------
    id : str
        Identifier used in parameters, paths and the notebook's file name
        (``notebooks/<id>.ipynb``).
    title : str
        Title shown in the table of contents and on each place's page.
    extracts : tuple of str
        The record-level extracts the chapter reads (empty for real published
        data only). The build generates and validates these first, and the
        runner re-runs the chapter when one of them changes.
    summary : str
        One sentence for the place page saying what the chapter answers.
    parameter_dirs : tuple of str
        Folders under ``parameters/<system>/`` the chapter reads (e.g. ``"plan"``):
        the runner re-runs the chapter when a file in them changes.
    key_results : tuple of str
        Identifiers of the :class:`hi_analysis.results.KeyResult` records the
        chapter writes to its sidecar; a family of records is one shell-style
        pattern (``"first_dose_*_nims"``). Empty: not declared yet.
    template : pathlib.Path, optional
        The notebook template, when it is not ``notebooks/<id>.ipynb`` (a chapter
        kept outside the repository, or a test's throwaway chapter).
    compute : str
        ``"module:function"`` of the chapter's single compute entry point,
        ``f(system, place, extracts)``, which runs every computation of a place's page
        (what the notebook calls; ``benchmarks/bench_build.py`` times it without one).
    extract_scope : str
        ``"place"`` when the chapter reads only the place's rows of its extracts,
        ``"system"`` when it needs every place's (e.g. comparators).
    """

    id: str
    title: str
    extracts: tuple[str, ...] = ()
    summary: str = ""
    parameter_dirs: tuple[str, ...] = ()
    key_results: tuple[str, ...] = ()
    template: Path | None = None
    compute: str = ""
    extract_scope: str = "place"

    @property
    def notebook(self) -> str:
        """File name of the chapter's notebook template."""
        return f"{self.id}.ipynb"

    @property
    def template_path(self) -> Path:
        """Absolute path of the chapter's notebook template."""
        from hi_analysis.paths import notebooks_dir

        return self.template if self.template is not None else notebooks_dir() / self.notebook

    def run(self, system: System, place: Place) -> object:
        """Run the chapter's computations for a place, as its notebook does (no notebook).

        Reads the chapter's validated extracts from the cache (the place's rows, or the
        system's when ``extract_scope`` is ``"system"``) and calls :attr:`compute`.

        Raises
        ------
        ValueError
            When the chapter declares no compute entry point.
        """
        import importlib

        from hi_analysis.extracts import read_extracts

        if not self.compute:
            raise ValueError(f"chapter {self.id!r} declares no compute entry point")
        module, _, name = self.compute.partition(":")
        function = getattr(importlib.import_module(module), name)
        scope = None if self.extract_scope == "system" else place
        return function(system, place, read_extracts(system, self.extracts, scope))

    def declares(self, result_id: str) -> bool:
        """Whether a key-result identifier is one the chapter declares.

        Examples
        --------
        >>> CHAPTERS["covid"].declares("first_dose_50plus_nims")
        True
        >>> CHAPTERS["covid"].declares("made_up")
        False
        """
        return any(fnmatchcase(result_id, pattern) for pattern in self.key_results)


#: Every chapter, in reading order. Add a chapter by adding one entry.
_REGISTRY: tuple[Chapter, ...] = (
    Chapter(
        id="needs_analysis",
        title="Needs analysis",
        summary="Who lives here, how deprived their neighbourhoods are, and their health "
        "against England.",
        compute="hi_analysis.needs:compute",
        # OHID's published indicators by sex (a county's per district: "<id>.<district code>")
        key_results=(
            "core20_share_*",
            "qof_hypertension_modelled",
            "life_expectancy_*",
            "healthy_life_expectancy_*",
            "le_inequality_published_*",
            "preventable_mortality_u75*",
            "smoking_prevalence*",
            "adult_overweight*",
            "year6_obesity*",
            "dental_decay_age5*",
            "depression_prevalence*",
            "physically_inactive*",
        ),
    ),
    Chapter(
        id="sii",
        title="Slope index of inequality",
        extracts=("registered_population", "deaths", "emergency_admissions", "ltc_register"),
        summary="How much health differs between the most and least deprived neighbourhoods.",
        compute="hi_analysis.inequality:compute",
        key_results=("sii_*",),
    ),
    Chapter(
        id="covid",
        title="COVID-19 impact",
        extracts=(
            "registered_population",
            "deaths",
            "vaccinations",
            "waiting_list",
            "gp_appointments",
        ),
        summary="How many more people died in the pandemic, who was hit hardest, whether "
        "vaccination reached everyone, and who is still waiting for care.",
        compute="hi_analysis.covid.chapter:compute",
        key_results=(
            "excess_deaths_2020_2021",
            "excess_percent_2020_2021",
            "excess_deaths_system_2020_2021",
            "covid_share_of_deaths_to_2021w22",  # where local registrations are not shipped
            "covid_death_rate_ratio_*",
            "first_dose_*_nims",
            "vaccination_msoa_sii",
            "long_wait_ratio_latest",
            "long_wait_gap_did",
            "ethnicity_recorded_*",
        ),
    ),
    Chapter(
        id="logic_model",
        title="Logic-model evaluation",
        extracts=("programme_series",),
        summary="Whether each programme of the plan is working, arrow by arrow, and for whom.",
        parameter_dirs=("plan",),
        key_results=("*.arrow*",),
        compute="hi_analysis.logic_model.evaluate:compute",
        extract_scope="system",
    ),
)

#: The registry by identifier, in reading order.
CHAPTERS: dict[str, Chapter] = {c.id: c for c in _REGISTRY}


def chapter_ids() -> tuple[str, ...]:
    """Identifiers of every registered chapter, in reading order."""
    return tuple(CHAPTERS)


def get(chapter_id: str) -> Chapter:
    """Return the registered chapter with this identifier.

    Raises
    ------
    KeyError
        If no chapter has this identifier.
    """
    return CHAPTERS[chapter_id]
