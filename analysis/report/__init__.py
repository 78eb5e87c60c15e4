"""Turning results into what planners read: words, tables, figures, labels, the workbook."""
