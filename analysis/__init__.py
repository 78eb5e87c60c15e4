"""Population and KPI analysis for the 第3次一関・平泉定住自立圏共生ビジョン.

The package is grouped by role, each layer importing only the ones below it
(``run`` → ``report`` → ``model`` → ``inputs`` → ``core``; the contracts are in
``pyproject.toml`` and checked by import-linter). Import the submodules you need
(``from analysis.model import cohort``). This
module deliberately imports nothing heavy so that ``python -m analysis`` can
decide that nothing changed without loading pandas.
"""

__version__ = "0.1.0"
