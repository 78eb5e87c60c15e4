"""analysis.run.pdf: the guards before the browser refuse in one line."""

from __future__ import annotations

import pytest

from analysis.inputs.io import InputError
from analysis.run import outputs, pdf


def test_the_guards_are_input_errors_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outputs, "read_manifest", lambda: {})
    with pytest.raises(InputError) as caught:
        pdf.check_current()
    assert "\n" not in str(caught.value)
