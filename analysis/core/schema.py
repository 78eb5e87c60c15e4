"""Names shared by every table: municipalities, age groups, columns and labels."""

from __future__ import annotations

import re
import unicodedata

REGION = "圏域"
"""The 定住自立圏 as a whole: the sum of its municipalities."""

FIGURE_PATH_KEY = "report_figure"
"""The display-metadata key under which a notebook lists the figure files it saved."""

AGE_GROUPS: tuple[str, ...] = ("0-14", "15-64", "65+")
"""The three age groups (年齢3区分), youngest first."""

TOTAL = "total"
ALL_AGE_GROUPS: tuple[str, ...] = (*AGE_GROUPS, TOTAL)

AGE_GROUP_LABELS = {
    "0-14": "年少人口（0～14歳）",
    "15-64": "生産年齢人口（15～64歳）",
    "65+": "老年人口（65歳以上）",
    TOTAL: "総人口",
}

# Spellings a planner's spreadsheet may use; keys are NFKC-normalised.
_AGE_GROUP_ALIASES = {
    "0-14": "0-14",
    "0~14": "0-14",
    "0~14歳": "0-14",
    "0-14歳": "0-14",
    "年少人口": "0-14",
    "15-64": "15-64",
    "15~64": "15-64",
    "15~64歳": "15-64",
    "15-64歳": "15-64",
    "生産年齢人口": "15-64",
    "65+": "65+",
    "65-": "65+",
    "65歳以上": "65+",
    "老年人口": "65+",
    "高齢人口": "65+",
    "total": "total",
    "合計": "total",
    "総数": "total",
    "総人口": "total",
    "計": "total",
}


_BRACKETS = re.compile(r"[(\[【]([^)\]】]*)[)\]】]")


def normalise_age_group(label: str) -> str | None:
    """Canonical age-group code for a label, or None when it is not one we know.

    Accepts the labels the reports print, such as ``年少人口（0～14歳）``: either
    the name outside the brackets or the range inside them.
    """
    key = unicodedata.normalize("NFKC", str(label)).strip().replace(" ", "")
    key = key.replace("〜", "~").replace("－", "-").replace("ー", "-")
    candidates = [key, _BRACKETS.sub("", key), *_BRACKETS.findall(key)]
    for candidate in candidates:
        found = _AGE_GROUP_ALIASES.get(candidate) or _AGE_GROUP_ALIASES.get(candidate.lower())
        if found:
            return found
    return None


YEAR_RANGE = (1920, 2100)
"""Years a population edition may hold (census back to 1920, projections to 2100)."""


def find_age_group(text: str) -> str | None:
    """The one age group a title or sheet name names (``表2 年少人口（0～14歳）``), else None."""
    exact = normalise_age_group(text)
    if exact is not None:
        return exact
    key = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("〜", "~")
    found = {
        code
        for label, code in _AGE_GROUP_ALIASES.items()
        if len(label) >= 4 and label in key and code != "total"
    }
    return found.pop() if len(found) == 1 else None


FLAG_YES = ("1", "yes", "y", "true", "○", "はい", "あり")
FLAG_NO = ("", "0", "no", "n", "false", "×", "いいえ", "なし", "-")
FLAG_VOCABULARY = "1・はい・○（該当）、空欄・0・いいえ・×（該当しない）"
"""What a registry flag may say, as planners write it in Excel (for messages)."""


def parse_flag(text: object) -> bool | None:
    """A registry flag: True, False, or None when it is none of the accepted words."""
    key = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if key in {unicodedata.normalize("NFKC", w) for w in FLAG_YES}:
        return True
    if key in {unicodedata.normalize("NFKC", w) for w in FLAG_NO}:
        return False
    return None


def is_yes(text: object) -> bool:
    """True only for a flag that says yes (a wrong one is reported by :func:`parse_flag`'s callers)."""
    return parse_flag(text) is True
