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

#: Real tables the chapter reads by district, and by council (the place's code). They were
#: obtained for LLR only (``data/public/README.md``): the chapter runs where every one
#: covers the system, and ``hi-analysis init`` offers it only there.
DISTRICT_TABLES = ("cases_daily_llr", "vaccinations_ltla_age", "nims_population_ltla_age",
                   "covid_vaccination_msoa11")
COUNCIL_TABLES = ("deaths_monthly",)
