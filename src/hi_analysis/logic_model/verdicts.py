"""The verdict rules: pure functions from estimates to a verdict in words.

Each arrow of a logic model gets one verdict (the design study's matrix, after
seed 000 section 30: "otherwise you could be aiming for targets but missing the
overall objective"):

==========================  ===================================================
key                         when
==========================  ===================================================
``delivered``               the output meets its target
``not_delivered``           the output misses its target
``on_track``                the measure moved as planned (interval excludes 0)
``wrong_direction``         the measure moved the other way (interval excludes 0)
``activity_not_moving``     no change in the early measure although a change of
                            the planned size would have been detected (MDE <=
                            expected)
``target_not_objective``    the early measure moved but the outcome did not,
                            although a change of the planned size would have
                            been detected
``too_early``               no change detected, and the data could not yet have
                            shown one of the planned size (MDE > expected), or
                            too few months since the start
``gap_widening``            the gains went to the less deprived (change in SII,
                            signed by the intended direction, interval above 0)
``gap_narrowing``           the gains went to the more deprived
``gap_unchanged``           no detectable change in the gap
==========================  ===================================================

Examples
--------
>>> change_class(0.12, 0.05, 0.20, "increase")
'right'
>>> proxy_verdict(True, estimable=True, effect=0.01, lower=-0.03, upper=0.05,
...               mde=0.04, expected=0.10, direction="increase")
'activity_not_moving'
>>> outcome_verdict(True, True, estimable=True, effect=-0.01, lower=-0.06, upper=0.04,
...                 mde=0.12, expected=0.05, direction="decrease")
'too_early'
"""

from __future__ import annotations

#: Verdicts in words, for tables and the diagram.
WORDS = {
    "delivered": "Delivered",
    "not_delivered": "Not delivered as planned",
    "on_track": "On track",
    "wrong_direction": "Moving the wrong way",
    "activity_not_moving": "Activity not moving the early measure",
    "target_not_objective": "Target met but objective not (yet) met",
    "too_early": "Too early to tell",
    "gap_widening": "Gap widening",
    "gap_narrowing": "Gap narrowing",
    "gap_unchanged": "Gap not detectably changed",
}


def output_verdict(value: float, target: float, direction: str) -> str:
    """``delivered`` when the output meets its target, else ``not_delivered``."""
    if direction not in ("at_least", "at_most"):
        raise ValueError(f"unknown target direction {direction!r}")
    met = value >= target if direction == "at_least" else value <= target
    return "delivered" if met else "not_delivered"


def change_class(effect: float, lower: float, upper: float, direction: str) -> str:
    """Classify the change as ``right``, ``wrong`` or ``none`` (direction and interval)."""
    if direction not in ("increase", "decrease"):
        raise ValueError(f"unknown direction {direction!r}")
    if lower > 0 or upper < 0:
        up = effect > 0
        return "right" if up == (direction == "increase") else "wrong"
    return "none"


def proxy_verdict(
    delivered: bool,
    *,
    estimable: bool,
    effect: float,
    lower: float,
    upper: float,
    mde: float,
    expected: float,
    direction: str,
) -> str:
    """Verdict on the arrow output -> early (proxy) measure."""
    if not delivered:
        return "not_delivered"
    if not estimable:
        return "too_early"
    cls = change_class(effect, lower, upper, direction)
    if cls == "right":
        return "on_track"
    if cls == "wrong":
        return "wrong_direction"
    return "activity_not_moving" if mde <= expected else "too_early"


def outcome_verdict(
    delivered: bool,
    proxy_moved: bool,
    *,
    estimable: bool,
    effect: float,
    lower: float,
    upper: float,
    mde: float,
    expected: float,
    direction: str,
) -> str:
    """Verdict on the arrow early measure -> outcome (``proxy_moved``: proxy on track)."""
    if not delivered:
        return "not_delivered"
    if not estimable:
        return "too_early"
    cls = change_class(effect, lower, upper, direction)
    if cls == "right":
        return "on_track"
    if cls == "wrong":
        return "wrong_direction"
    if mde > expected:
        return "too_early"
    return "target_not_objective" if proxy_moved else "activity_not_moving"


def equity_verdict(change: float, lower: float, upper: float, direction: str) -> str:
    """Verdict on who benefited, from the change in SII of a measure.

    The SII runs from the most deprived (rank 0) to the least deprived (rank 1), so a
    positive change means the measure rose more in less deprived areas. Signed by the
    intended direction, a positive change means the gains went to the less deprived.
    """
    sign = 1.0 if direction == "increase" else -1.0
    lo, hi = sorted((lower * sign, upper * sign))
    if lo > 0:
        return "gap_widening"
    if hi < 0:
        return "gap_narrowing"
    return "gap_unchanged"


def programme_verdict(arrows: list[str], equity: str) -> str:
    """The programme's headline verdict from its arrows' verdicts and its equity verdict.

    Examples
    --------
    >>> programme_verdict(["delivered", "on_track", "on_track"], "gap_unchanged")
    'on_track'
    >>> programme_verdict(["delivered", "on_track", "on_track"], "gap_widening")
    'gap_widening'
    """
    if equity == "gap_widening":
        return "gap_widening"
    for key in (
        "not_delivered",
        "wrong_direction",
        "activity_not_moving",
        "target_not_objective",
        "too_early",
    ):
        if key in arrows:
            return key
    return "on_track"
