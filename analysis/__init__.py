"""Population and KPI analysis for the 第3次一関・平泉定住自立圏共生ビジョン.

Import the submodules you need (``from analysis import cohort, data``). This
module deliberately imports nothing heavy so that ``python -m analysis`` can
decide that nothing changed without loading pandas.
"""

__version__ = "0.1.0"
