"""The COVID-19 impact chapter: what the pandemic did to health inequalities in each place.

Sections and their data (R = real published data, S = synthetic extracts):

- :mod:`~hi_analysis.covid.excess` -- how many more people died (R: ONS monthly
  registrations; quasi-Poisson baseline, :mod:`hi_analysis.stats.excess`);
- :mod:`~hi_analysis.covid.deprivation` -- who died: deaths involving COVID-19 by
  MSOA deprivation quintile, crude and age-adjusted (R), and age-standardised
  rates by deprivation, ethnic group and sex (S);
- :mod:`~hi_analysis.covid.cases` -- where it spread (R: UKHSA cases);
- :mod:`~hi_analysis.covid.vaccination` -- did protection reach everyone (R: NHS
  England and OpenSAFELY; S: within-place gaps);
- :mod:`~hi_analysis.covid.waiting` -- who is still waiting (S: waiting list);
- :mod:`~hi_analysis.covid.access` -- how access changed (S: GP appointments,
  ethnicity recording);
- :mod:`~hi_analysis.covid.text` -- the sentences, and the board's actions;
- :mod:`~hi_analysis.covid.charts` -- the charts.

:func:`hi_analysis.covid.chapter.compute` runs every computation for a place.
"""

#: Real national tables the chapter needs for every district of a system (``hi-analysis init``
#: offers the chapter where they cover the system). The tables shipped for a few areas only
#: (monthly registrations, daily cases, vaccination by district and MSOA) are optional: where
#: they do not cover a place, its section says so and shows the national figure
#: (:func:`hi_analysis.covid.chapter.sources`).
REQUIRED_DISTRICT_TABLES = ("covid_deaths_cumulative",)
