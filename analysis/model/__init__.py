"""The arithmetic: cohorts, the projection engine, scenarios, revisions, KPIs and budgets."""
