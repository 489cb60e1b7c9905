"""The logic-model evaluation chapter: is each programme of a place's plan working, for whom.

Modules:

- :mod:`.metrics` -- the catalogue of measures a plan may name;
- :mod:`.plan` -- the plan as validated configuration (``parameters/<system>/plan/``);
- :mod:`.evaluate` -- every arrow of every programme tested for a place;
- :mod:`.verdicts` -- the verdict rules (pure functions);
- :mod:`.diagram`, :mod:`.charts`, :mod:`.text` -- what the page shows.

The estimators are generic and live in :mod:`hi_analysis.stats` (``its``, ``did``,
``mde``, ``sii_change``).
"""
