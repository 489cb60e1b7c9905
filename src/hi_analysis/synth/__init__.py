"""Synthetic record-level extracts, generated from the real public data and calibrated to it.

``hi-analysis synth --system llr [--seed N]`` (and ``make book`` when extracts are
missing) calls :func:`generate`. The same seed gives byte-identical files. Every
file has ``SYNTHETIC`` in its name and an ``is_synthetic`` column, lives under
``data/extracts/<system>/`` (never in git, never under ``data/public``), and any
page built from it carries a banner saying so.

Calibration targets (all real, published) are documented in ``docs/extracts.md``
and checked by ``tests/test_synth.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hi_analysis.config import System
from hi_analysis.data.schemas import ETHNIC_GROUPS_5
from hi_analysis.extracts.io import extracts_dir, write_extract
from hi_analysis.extracts.schemas import EXTRACTS
from hi_analysis.safeio import atomic_write_text
from hi_analysis.synth import mortality, programmes, services
from hi_analysis.synth._tools import make_ids, recorded_ethnicity
from hi_analysis.synth.population import build_residents, lsoa_table

DEFAULT_SEED = 20_240_601

#: Share of records with ethnicity "Not stated" and with it left empty, by extract:
#: completeness differs by service, as in NHS data (the data-completeness priority).
ETHNICITY_COMPLETENESS = {
    "registered_population": (0.08, 0.03),
    "deaths": (0.03, 0.01),
    "emergency_admissions": (0.07, 0.03),
    "waiting_list": (0.12, 0.04),
    "vaccinations": (0.05, 0.02),
    "gp_appointments": (0.10, 0.04),
    "programme_activity": (0.06, 0.02),
    "ltc_register": (0.08, 0.03),
}


@dataclass
class SynthResult:
    """What :func:`generate` wrote and the calibration it achieved."""

    files: dict[str, Path]
    calibration: dict = field(default_factory=dict)


def _finish(
    name: str,
    frame: pd.DataFrame,
    lsoas: pd.DataFrame,
    residents: pd.DataFrame,
    rng: np.random.Generator,
    id_columns: dict[str, tuple[str, int]],
) -> pd.DataFrame:
    """Add codes, recorded ethnicity, identifiers and the synthetic flag; order columns."""
    not_stated, missing = ETHNICITY_COMPLETENESS[name]
    out = frame  # modified in place: the generators' frames are not reused
    out["lsoa11cd"] = pd.Categorical(
        lsoas["lsoa11cd"].to_numpy()[out.pop("lsoa").to_numpy()],
        categories=sorted(lsoas["lsoa11cd"]),
    )
    out["ethnicity"] = recorded_ethnicity(
        out.pop("ethnicity_true"), rng, not_stated=not_stated, missing=missing
    )
    if "person_index" in out:
        out["person_id"] = residents["person_id"].to_numpy()[out.pop("person_index").to_numpy()]
    for col, (prefix, start) in id_columns.items():
        out[col] = make_ids(prefix, start, len(out))
    out["age"] = out["age"].astype("int16")
    if "sex" in out:
        out["sex"] = pd.Categorical(out["sex"], categories=["Female", "Male"])
    for col, column in EXTRACTS[name].schema.columns.items():
        checks = [c for c in column.checks if c.name == "isin"]
        if checks and col != "ethnicity":
            out[col] = pd.Categorical(out[col], categories=checks[0].statistics["allowed_values"])
    out["is_synthetic"] = True
    cols = list(EXTRACTS[name].schema.columns)
    return out[cols + [c for c in out.columns if c not in cols]]


def _pick_people(
    residents: pd.DataFrame, frame: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """For records generated per (LSOA, age, sex, ethnicity) cell, pick a resident of the cell."""

    def key(lsoa: np.ndarray, age: np.ndarray, sex, eth) -> np.ndarray:
        sex_code = pd.Categorical(sex, categories=["Female", "Male"]).codes.astype(np.int64)
        eth_code = pd.Categorical(eth, categories=list(ETHNIC_GROUPS_5)).codes.astype(np.int64)
        return ((lsoa.astype(np.int64) * 96 + np.minimum(age, 95)) * 2 + sex_code) * 5 + eth_code

    key_r = key(
        residents["lsoa"].to_numpy(),
        residents["age"].to_numpy(),
        residents["sex"],
        residents["ethnicity"],
    )
    uniques, codes = np.unique(key_r, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    starts = np.cumsum(counts) - counts
    cell = np.searchsorted(
        uniques,
        key(
            frame["lsoa"].to_numpy(), frame["age"].to_numpy(), frame["sex"], frame["ethnicity_true"]
        ),
    )
    pick = starts[cell] + (rng.random(len(frame)) * counts[cell]).astype(np.int64)
    return order[pick]


def generate(system: System, *, seed: int = DEFAULT_SEED) -> SynthResult:
    """Generate every synthetic extract for a system and write them as Parquet.

    Parameters
    ----------
    system : System
        The system (its places' LSOAs and reporting period).
    seed : int
        Seed of the random generator: the same seed gives byte-identical files.

    Returns
    -------
    SynthResult
        The files written and the calibration achieved.
    """
    root = np.random.SeedSequence(seed)
    streams = [np.random.default_rng(s) for s in root.spawn(10)]
    years = range(system.reporting_period.start.year, system.reporting_period.end.year + 1)
    lsoas = lsoa_table(system)
    residents = build_residents(system, lsoas, streams[0])
    files: dict[str, Path] = {}
    n_res = len(residents)

    def write(
        name: str,
        frame: pd.DataFrame,
        rng: np.random.Generator,
        ids: dict[str, tuple[str, int]] | None = None,
    ) -> None:
        files[name] = write_extract(
            _finish(name, frame, lsoas, residents, rng, ids or {}), system.id, name
        )

    pop = residents.assign(
        ethnicity_true=residents["ethnicity"].astype(str), person_index=np.arange(n_res)
    ).drop(columns=["person_id", "ethnicity"])
    write("registered_population", pop, streams[1])

    deaths, calibration = mortality.deaths_extract(
        residents, lsoas, years, streams[2], id_start=n_res + 1
    )
    write("deaths", deaths, streams[2])

    covid, cells = services.covid_vaccinations(residents, lsoas, streams[3])
    flu = services.flu_vaccinations(residents, lsoas, streams[3])
    vacc = pd.concat([covid, flu], ignore_index=True)
    vacc["person_index"] = _vacc_people(residents)
    write("vaccinations", vacc, streams[3])
    del vacc, covid, flu

    register, qof_check = services.ltc_register(residents, lsoas, streams[4])
    write("ltc_register", register, streams[4])

    adm = services.emergency_admissions(residents, lsoas, years, streams[5])
    adm["person_index"] = _pick_people(residents, adm, streams[5])
    write("emergency_admissions", adm, streams[5], {"spell_id": ("S", 1)})
    del adm

    start = f"{system.reporting_period.start.year}-04-01"
    end = system.reporting_period.end.strftime("%Y-%m-01")
    wl = services.waiting_list(residents, lsoas, start, end, streams[6])
    first = np.r_[True, np.diff(wl["pathway"].to_numpy()) != 0]
    people = wl[first]
    picked = np.zeros(int(wl["pathway"].max()) + 1, dtype=np.int64)
    picked[people["pathway"].to_numpy()] = _pick_people(residents, people, streams[6])
    path = wl.pop("pathway").to_numpy()
    wl["person_index"] = picked[path]
    wl["pathway_id"] = pd.Categorical.from_codes(path, make_ids("W", 1, len(picked)))
    write("waiting_list", wl, streams[6])
    del wl, people, path, picked

    appts = services.gp_appointments(residents, lsoas, years, streams[7])
    write("gp_appointments", appts, streams[7], {"appointment_id": ("A", 1)})
    del appts

    activity = services.programme_activity(residents, lsoas, years, streams[8])
    write("programme_activity", activity, streams[8], {"activity_id": ("C", 1)})
    del activity

    files["programme_series"] = write_extract(
        programmes.programme_series(residents, lsoas, years, streams[9]),
        system.id,
        "programme_series",
    )

    report = {
        "seed": seed,
        "mortality": [
            {
                "district": c.district,
                "sex": c.sex,
                "theta": c.theta,
                "gamma": c.gamma,
                "life_expectancy_target": c.target.life_expectancy,
                "sii_target": c.target.sii,
                "sii_published": c.target.sii_published,
            }
            for c in calibration
        ],
        "vaccination_cells_capped": int((cells["real_first"] > cells["residents"]).sum()),
        "qof_max_abs_error": float(
            (qof_check["prevalence"] - qof_check["target_prevalence"]).abs().max()
        ),
    }
    path = extracts_dir(system.id) / "calibration.SYNTHETIC.json"
    atomic_write_text(path, json.dumps(report, indent=2, sort_keys=True) + "\n")
    return SynthResult(files, report)


def _vacc_people(residents: pd.DataFrame) -> np.ndarray:
    """Person index of each vaccination row (both generators keep residents' order)."""
    band_ok = np.flatnonzero(residents["age"].to_numpy() >= 18)
    flu_ok = np.flatnonzero(residents["age"].to_numpy() >= 65)
    return np.r_[band_ok, flu_ok]
