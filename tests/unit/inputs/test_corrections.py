"""analysis.inputs.corrections: a documented correction replaces a printed count only while it is still printed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.paths import DATA_RAW
from analysis.inputs.corrections import CORRECTION_KEYS, apply_corrections, read_corrections
from analysis.inputs.data import PopulationData
from analysis.inputs.io import LINE


def counts(*rows: tuple[str, str, int, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*CORRECTION_KEYS, "population"])


def test_the_shipped_correction_is_the_one_the_readme_documents() -> None:
    shipped = read_corrections()
    assert shipped[[*CORRECTION_KEYS, "printed_population", "corrected_population"]].to_dict(
        "records"
    ) == [
        {"edition": "vision_2024", "municipality": "平泉町", "year": 2035, "age_group": "65+",
         "printed_population": 2524, "corrected_population": 2383},
    ]  # fmt: skip
    assert shipped[LINE].tolist() == [2], "the row is named by its line for the report"


def test_a_correction_file_is_read_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text(
        "edition,municipality,year,age_group,printed_population,corrected_population,reason,evidence\n"
        'vision_2024,平泉町,２０３５,65歳以上,"2,524",2383,理由,根拠\n',
        encoding="utf-8",
    )
    read = read_corrections(path)
    assert read.loc[0, "year"] == 2035
    assert read.loc[0, "age_group"] == "65+"
    assert read.loc[0, "printed_population"] == 2524
    assert read["printed_population"].dtype == "int64"


def test_a_count_still_printed_is_corrected_and_reported() -> None:
    frame = counts(
        ("vision_2024", "平泉町", 2035, "65+", 2524),
        ("vision_2024", "平泉町", 2040, "65+", 2524),
        ("vision_2024", "一関市", 2035, "65+", 2524),
    )
    corrected, applied = apply_corrections(frame, read_corrections())
    assert corrected["population"].tolist() == [2383, 2524, 2524]
    assert corrected["corrected"].tolist() == [True, False, False]
    assert corrected["population"].dtype == "int64"
    assert list(corrected.columns) == [*frame.columns, "corrected"]
    assert len(applied) == 1 and LINE not in applied
    assert applied.loc[0, "corrected_population"] == 2383


def test_a_revised_count_is_never_changed() -> None:
    frame = counts(("vision_2024", "平泉町", 2035, "65+", 2400))
    corrected, applied = apply_corrections(frame, read_corrections())
    assert corrected["population"].tolist() == [2400]
    assert not corrected["corrected"].any()
    assert applied.empty


def test_without_corrections_nothing_is_marked() -> None:
    frame = counts(("vision_2024", "平泉町", 2035, "65+", 2524))
    corrected, applied = apply_corrections(frame, pd.DataFrame())
    assert corrected["population"].tolist() == [2524]
    assert corrected["corrected"].tolist() == [False]
    assert applied.empty


def test_the_correction_is_applied_only_to_the_processed_data(data: PopulationData) -> None:
    def value(frame: pd.DataFrame) -> float:
        row = frame[
            (frame["edition"] == "vision_2024")
            & (frame["municipality"] == "平泉町")
            & (frame["year"] == 2035)
            & (frame["age_group"] == "65+")
        ]
        return float(row["population"].iloc[0])

    assert value(data.raw) == 2_524
    assert value(data.corrected) == 2_383
    raw_file = (DATA_RAW / "population_vision_2024.csv").read_text(encoding="utf-8")
    assert "平泉町,2035,65+,2524," in raw_file
