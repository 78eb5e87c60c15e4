"""``tests/workbooks.py``'s made-up inputs, for ``test_text_stays_text`` moved here whole.

That file was moved without any edit (others are changing it), so its ``from .workbooks``
resolves here; once it imports ``tests.workbooks`` directly, this module goes.
"""

from __future__ import annotations

from tests.workbooks import made_up_edition, published_workbook

__all__ = ["made_up_edition", "published_workbook"]
