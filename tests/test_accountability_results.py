"""Key results the accountability pages read: the optional fields and the chapters' new records."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hi_analysis import inequality, needs
from hi_analysis.results import KeyResult, from_sidecar, to_json


def test_optional_fields_round_trip_through_json():
    r = KeyResult(
        "needs_analysis",
        "le",
        "Life expectancy",
        80.1,
        None,
        None,
        "years",
        False,
        comparator_value=81.0,
        comparator_label="England",
        comparison="worse",
        series=(("2015 - 17", 80.5), ("2016 - 18", 80.3)),
        area="Blaby",
        completeness=0.9,
    )
    back = from_sidecar(json.loads(json.dumps({"key_results": to_json([r])})))
    assert back == [r] and back[0].series[1] == ("2016 - 18", 80.3)


def test_old_sidecars_without_the_new_fields_still_load():
    old = {
        "chapter": "covid",
        "id": "x",
        "label": "X",
        "value": 1.0,
        "lower": 0.5,
        "upper": 1.5,
        "unit": "ratio",
        "synthetic": False,
        "period": "",
        "polarity": "neutral",
    }
    r = KeyResult.from_dict(old)
    assert r.comparison is None and r.series is None and r.to_dict() == old


def test_unknown_comparison_is_refused():
    with pytest.raises(ValueError, match="unknown comparison"):
        KeyResult("c", "i", "l", 1.0, None, None, "%", False, comparison="fine")


@pytest.mark.parametrize("place_id", ["rutland", "leicestershire"])
def test_needs_key_results_are_the_published_values(llr, place_id):
    place = llr.place(place_id)
    status = needs.health_status(place)
    results = needs.health_key_results(place, status)
    assert results
    for r in results:
        row = status[
            (status["value"] == r.value)
            & (status["area_name"] == (r.area or place.name))
            & (status["comparison"].str.lower().str.startswith(r.comparison.split(" ")[0]))
        ]
        assert len(row) >= 1, r.id
        assert r.series[-1][1] == r.value  # the series ends with the latest value
        assert not r.synthetic and r.comparator_label == "England"
    if place_id == "leicestershire":
        assert all(r.area and r.id.count(".") == 1 for r in results)


def test_sii_key_results_carry_the_fit_and_the_trend():
    fit = pd.Series(
        {"sii": 7.5, "sii_lowercl": 6.0, "sii_uppercl": 9.0, "rii": 0.09, "n_quantiles": 10}
    )
    g = inequality.Gradient(
        "le_female",
        "Life expectancy at birth, women",
        "m",
        " years",
        "y",
        "2017 to 2019",
        0,
        True,
        True,
        "s",
        pd.DataFrame(),
        fit,
    )
    trend = pd.DataFrame(
        {
            "period": ["2015 - 17", "2016 - 18"],
            "series": ["Female", "Female"],
            "sii": [7.0, 7.5],
            "sii_lowercl": [6, 6],
            "sii_uppercl": [8, 9],
        }
    )
    (r,) = inequality.gap_key_results([g], trend)
    assert (r.id, r.value, r.lower, r.upper) == ("sii_le_female", 7.5, 6.0, 9.0)
    assert r.polarity == "lower_is_better" and r.synthetic
    assert r.series == (("2015 - 17", 7.0), ("2016 - 18", 7.5))
    side = inequality.key_results([g], pd.DataFrame(), trend)
    assert from_sidecar(side) == [r]
