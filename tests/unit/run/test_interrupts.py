"""analysis.run.interrupts: a signal only sets a flag; a checkpoint raises once a stop is requested."""

from __future__ import annotations

import signal

import pytest

from analysis.run import interrupts


def test_a_checkpoint_raises_only_once_a_stop_is_requested() -> None:
    interrupts.reset()
    interrupts.checkpoint("anything")
    interrupts.request(signal.SIGTERM)
    try:
        with pytest.raises(interrupts.Stopped):
            interrupts.checkpoint("anything")
        interrupts.checkpoint("inside a decided commit", stoppable=False)
        assert interrupts.exit_code() == 143
    finally:
        interrupts.reset()
