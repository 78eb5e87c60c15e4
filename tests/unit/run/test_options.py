"""analysis.run.options: impossible options refused before any work."""

from __future__ import annotations

import pytest

from analysis.run.options import Options, option_problems


@pytest.mark.parametrize("typed", ["", "  ", "\u3000"])
def test_an_empty_vision_from_scenario_is_refused(typed: str) -> None:
    [problem] = option_problems(Options(vision_from_scenario=typed.strip()))
    assert str(problem) == (
        "--vision-from-scenario：シナリオ名が空です。将来展望にするシナリオの名前（シナリオのファイルの scenario 欄）を指定してください"
    )
    assert option_problems(Options()) == []
