"""Reading input tables as planners save them, and writing outputs atomically.

Every reader returns all cells as text plus a ``_line`` column holding the line
(CSV) or row (Excel) number a person sees in their editor, so that every error
can name ``file:line: column``.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from analysis.paths import display_path

if TYPE_CHECKING:
    import pandas as pd

LINE = "_line"
"""Column added by the readers: the line in the file (CSV) or the sheet row (Excel)."""

_ENCODINGS = ("utf-8-sig", "cp932")
"""UTF-8 (with or without BOM) first, then Shift_JIS as Japanese Excel saves it."""


class InputError(ValueError):
    """An input file that cannot be used; its message is one line naming the place."""


def decode_text(raw: bytes, path: Path) -> str:
    """Decode a CSV file in UTF-8 (BOM optional) or Shift_JIS (cp932)."""
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{display_path(path)}:1: -: cannot decode the file as UTF-8 or Shift_JIS (cp932); "
        "save it as 'CSV UTF-8' from Excel"
    )


def read_table(path: Path | str) -> pd.DataFrame:
    """Read a CSV or .xlsx file with every cell as text and a ``_line`` column.

    Blank lines are skipped; cells are stripped of surrounding white space.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"{display_path(path)}:-: -: file not found（ファイルがありません）")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = pd.read_excel(path, dtype=str, header=0, engine="openpyxl")
        # Excel row numbers: the header is row 1.
        frame.insert(0, LINE, range(2, len(frame) + 2))
        frame = frame.dropna(how="all", subset=[c for c in frame.columns if c != LINE])
    elif path.suffix.lower() in {".csv", ".txt"}:
        text = decode_text(path.read_bytes(), path)
        frame = _read_csv_text(text)
    else:
        raise InputError(
            f"{display_path(path)}:-: -: unsupported file type {path.suffix!r} (use .csv or .xlsx)（CSV か Excel のファイルにしてください）"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        if column != LINE:
            frame[column] = frame[column].astype("string").str.strip()
    return frame


def _read_csv_text(text: str) -> pd.DataFrame:
    import pandas as pd

    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return pd.DataFrame({LINE: pd.Series([], dtype="int64")})
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    header_number, header = numbered[0]
    body = [line for _, line in numbered[1:]]
    frame = pd.read_csv(
        io.StringIO("\n".join([header, *body]) + "\n"),
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )
    frame = frame.replace({"": None})
    frame.insert(0, LINE, [number for number, _ in numbered[1:]])
    del header_number
    return frame


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success.

    A failure or Ctrl-C leaves the previous ``target`` untouched and no partial
    file: the temporary file is created by the writer inside the ``with`` block
    and removed on the way out unless it was moved into place.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def remove_leftover_temporaries(*folders: Path) -> list[Path]:
    """Delete temporary files a killed run may have left (``.<name>.<id>.tmp``)."""
    removed = []
    for folder in folders:
        for path in folder.rglob(".*.tmp"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_open(target: Path | str, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary text file beside ``target``; replace ``target`` on success."""
    with atomic_path(target) as temporary, temporary.open("w", encoding=encoding) as handle:
        yield handle


def write_csv(frame: pd.DataFrame, target: Path | str) -> None:
    """Write a UTF-8 CSV with BOM (so Excel opens the Japanese text) atomically."""
    with atomic_path(target) as temporary:
        frame.to_csv(temporary, index=False, encoding="utf-8-sig", lineterminator="\n")
