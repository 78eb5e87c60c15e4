"""analysis.report.labels: the Japanese that planners read for every header, code and flag."""

from __future__ import annotations

import pandas as pd

from analysis.report import labels


def test_headers_codes_and_flags_become_japanese() -> None:
    frame = pd.DataFrame(
        {
            "municipality": ["一関市", "平泉町"],
            "sex": ["male", "female"],
            "age_group": ["0-4", "65+"],
            "severity": ["error", "note"],
            "derived": [True, False],
            "population": [1, 2],
            "unlisted": ["x", "y"],
        }
    )
    shown = labels.japanese(frame)
    assert list(shown.columns) == [
        "市町",
        "男女",
        "年齢区分",
        "区分",
        "算出値",
        "人口（人）",
        "unlisted",
    ]
    assert shown["男女"].tolist() == ["男", "女"]
    assert shown["年齢区分"].tolist() == ["0～4歳", "老年人口（65歳以上）"]
    assert shown["区分"].tolist() == ["エラー", "参考"]
    assert shown["算出値"].tolist() == ["○", ""]
    assert shown["unlisted"].tolist() == ["x", "y"]


def test_an_unknown_code_stays_as_it_is_and_the_input_is_not_changed() -> None:
    frame = pd.DataFrame({"scenario": ["pattern1", "mine"], "check": ["file-not-found", "new"]})
    shown = labels.japanese(frame)
    assert shown["シナリオ"].tolist() == ["パターン1（社人研準拠）", "mine"]
    assert shown["検査"].tolist() == ["ファイルがない", "new"]
    assert list(frame.columns) == ["scenario", "check"], "a copy is labelled"
    assert frame["scenario"].tolist() == ["pattern1", "mine"]


def test_sheet_names_are_unique_and_valid_in_excel() -> None:
    sheets = list(labels.SHEET_NAMES.values())
    assert len(sheets) == len(set(sheets))
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in sheets)
