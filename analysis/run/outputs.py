"""Everything a run owns, replaced all together or not at all.

A run writes every output into ``reports/.staging/`` first. When everything
succeeded it records its decision in a journal (``COMMIT.json``: the moves,
the deletions and the new manifest) and only then moves the files into place.
If the run is interrupted before the journal exists, the next run throws the
staging folder away and the previous outputs stand; if it is interrupted after,
the next run finishes the moves. Either way the outputs on disk are always one
complete set, and the manifest records a hash of every file in it, so any other
damage (a file deleted or edited by hand) is detected and repaired by a rebuild.

One run at a time per checkout: :func:`run_lock` holds an OS file lock that
dies with its process (also with ``kill -9``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import sysconfig
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.findings import Finding
from analysis.core.paths import DATA_PROCESSED, DATA_RAW, PACKAGE, REPORTS, ROOT
from analysis.inputs.io import atomic_open, sync_file
from analysis.run import interrupts
from analysis.run.interrupts import checkpoint

MANIFEST = REPORTS / ".manifest.json"
STAGING = REPORTS / ".staging"
JOURNAL_NAME = "COMMIT.json"
LOCK = ROOT / ".run.lock"
MANIFEST_VERSION = 2
OUTPUT_FOLDERS = (DATA_PROCESSED, REPORTS, REPORTS / "figures")


class OutputError(RuntimeError):
    """An output could not be written (disk full, no permission); nothing was replaced."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.finding = Finding(
            severity="error",
            file="",
            line=None,
            column="-",
            check="output-failed",
            params={"path": relative(path), "reason": os_reason(error)},
        )
        super().__init__(str(self.finding))


class OutputLocked(OutputError):
    """An output is held open by another program (Excel on Windows locks an open workbook)."""

    def __init__(self, path: Path, decided: bool) -> None:
        name = relative(path)
        suffix = Path(name).suffix.lower()
        program = (
            "Excel"
            if suffix in {".xlsx", ".csv"}
            else "PDF の表示ソフト（ブラウザなど）"
            if suffix == ".pdf"
            else "ほかのプログラム"
        )
        self.finding = Finding(
            severity="error",
            file="",
            line=None,
            column="-",
            check="output-locked-decided" if decided else "output-locked",
            params={"path": name, "program": program},
        )
        RuntimeError.__init__(self, str(self.finding))


LOCK_RETRY_SECONDS = 3.0
"""How long a locked output is retried (an antivirus scan or a preview holds a file briefly)."""


def _replaceable(target: Path) -> bool:
    """False when another program holds ``target`` so that it cannot be replaced.

    On Windows a file that Excel (or a PDF viewer) has open cannot be opened for
    writing, renamed over or deleted; opening it for writing is the probe. Elsewhere
    the probe succeeds: nothing locks a file against its owner.
    """
    try:
        with open(target, "r+b"):
            return True
    except FileNotFoundError:
        return True
    except PermissionError:
        return False
    except OSError:
        return True  # another problem: the move itself reports it


def _wait_until_replaceable(targets: Iterable[Path]) -> Path | None:
    """The first target still held after :data:`LOCK_RETRY_SECONDS`, or None."""
    pending = [t for t in targets if not _replaceable(t)]
    deadline = time.monotonic() + LOCK_RETRY_SECONDS
    while pending and time.monotonic() < deadline:
        if interrupts.wait(0.25):
            interrupts.check()
        pending = [t for t in pending if not _replaceable(t)]
    return pending[0] if pending else None


wait_until_replaceable = _wait_until_replaceable
"""For writers outside the commit (``pdf``): the same probe and retry."""


class Busy(RuntimeError):
    """Another run holds the lock of this checkout."""


def os_reason(error: OSError) -> str:
    """A planner's explanation of an operating-system error."""
    reasons = {
        errno.ENOSPC: "ディスクの空き容量が足りません",
        errno.EDQUOT: "ディスクの割り当て容量を超えました",
        errno.EACCES: "書き込みの権限がありません",
        errno.EPERM: "書き込みの権限がありません",
        errno.EROFS: "読み取り専用の場所です",
        errno.ENOENT: "フォルダがありません",
        errno.EISDIR: "同じ名前のフォルダがあります",
        errno.ENOTDIR: "フォルダの途中にファイルがあります",
    }
    return reasons.get(error.errno or 0, error.strerror or type(error).__name__)


def relative(path: Path | str) -> str:
    resolved = Path(path).resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(path)


# ---------------------------------------------------------------- the lock


@contextlib.contextmanager
def run_lock() -> Iterator[None]:
    """Hold this checkout's run lock; raise :class:`Busy` at once if another run has it."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy() from None
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------- fingerprints


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_input(path: Path, digest: Any) -> None:
    digest.update(relative(path).encode() if path.is_relative_to(ROOT) else path.name.encode())
    # A missing or unreadable supplied file is reported by validation, with its name, not here.
    try:
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    except OSError:
        digest.update(b"<unreadable>")


def _code_files() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in {".py", ".j2", ".json"}
    )


def shared_fingerprint(raw_dir: Path = DATA_RAW) -> str:
    """Hash of what every result depends on: raw data, package code, versions, Python."""
    digest = hashlib.sha256()
    files = sorted(p for p in raw_dir.rglob("*") if p.is_file())
    for path in [*files, *_code_files()]:
        _hash_input(path.resolve(), digest)
    for distribution in installed_distributions():
        digest.update(distribution.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def installed_distributions() -> list[str]:
    """``name-version`` of every distribution installed for this interpreter.

    Read from the names of the metadata folders (``pandas-3.1.1.dist-info``): every
    library, not a hand-written list, since any of them (fontTools, Pillow, jinja2,
    mistune, …) can change an output's bytes; and in a millisecond, not the 0.1 s
    that reading each distribution's metadata takes.
    """
    folders = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    found: set[str] = set()
    for folder in folders:
        with contextlib.suppress(OSError):
            found.update(
                name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info"))
            )
    extras = extras_only()
    return sorted(name for name in found if _project_name(name) not in extras)


def extras_only(lock: Path = ROOT / "requirements.lock") -> set[str]:
    """The distributions only the ``lab`` and ``pdf`` extras bring (JupyterLab, Playwright and
    what they alone need: the lock's sections after ``# [extra: …]``, see ``tasks.py lock``).

    They are installed the first time ``lab`` or ``pdf`` runs, after the reports were built,
    and change no output: counted, they would make the first ``pdf`` refuse every report as
    out of date."""
    try:
        text = lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    _, _, sections = text.partition("\n# [extra")
    return {_canonical(n) for n in re.findall(r"^([A-Za-z0-9][\w.\-]*)==", sections, re.M)}


def _project_name(metadata_folder: str) -> str:
    """``jupyter_server-2.21.1.dist-info`` → ``jupyter-server``."""
    return _canonical(metadata_folder.split("-", 1)[0])


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def fingerprint(shared: str, files: Iterable[Path], parameters: object) -> str:
    """Content hash of ``shared``, the given files and the parameters (JSON)."""
    digest = hashlib.sha256(shared.encode())
    for path in files:
        _hash_input(Path(path).resolve(), digest)
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def recipe(notebook: Path, inputs: Iterable[Path], parameters: dict[str, Any]) -> dict[str, Any]:
    """What a report was built from, as the manifest records it: enough for another
    command (``pdf``) to tell, by :func:`recipe_fingerprint`, whether it is still current."""
    return {
        "notebook": relative(notebook),
        "inputs": [str(path) for path in inputs],
        "parameters": parameters,
    }


def recipe_fingerprint(entry: dict[str, Any], shared: str) -> str | None:
    """The fingerprint a report recorded with ``recipe`` would have now (None: no recipe)."""
    made = entry.get("recipe")
    if not isinstance(made, dict):
        return None
    files = [ROOT / made["notebook"], *(Path(p) for p in made["inputs"])]
    return fingerprint(shared, files, made["parameters"])


# ---------------------------------------------------------------- the manifest


def read_manifest() -> dict[str, Any]:
    """The manifest of the outputs on disk ({} when missing, unreadable or of an older version)."""
    try:
        manifest = dict(json.loads(MANIFEST.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("version") == MANIFEST_VERSION else {}


def consistent(manifest: dict[str, Any]) -> bool:
    """True when every output the manifest lists is on disk with the recorded content."""
    return bool(manifest.get("files")) and not changed_outputs(manifest, first_only=True)


def changed_outputs(manifest: dict[str, Any], first_only: bool = False) -> list[str]:
    """The outputs the manifest lists that are missing or not as recorded (edited by hand)."""
    changed = []
    for name, digest in manifest.get("files", {}).items():
        try:
            same = hash_file(ROOT / name) == digest
        except OSError:
            same = False
        if not same:
            changed.append(name)
            if first_only:
                break
    return changed


def out_of_date_reports(manifest: dict[str, Any]) -> list[str]:
    """Reports whose inputs (data, code, supplied files, parameters) changed since they were
    built, or whose manifest entry does not say what they were built from."""
    shared = shared_fingerprint()
    return [
        name
        for name, entry in manifest.get("reports", {}).items()
        if recipe_fingerprint(entry, shared) != entry.get("fingerprint")
    ]


# ---------------------------------------------------------------- staging and commit


@dataclass
class Staging:
    """A fresh folder in which a run builds every output before any is moved into place."""

    folder: Path
    journal_written: bool = False
    """Set by :func:`commit` once the decision is on disk (the folder may be gone after)."""

    @classmethod
    def fresh(cls) -> Staging:
        shutil.rmtree(STAGING, ignore_errors=True)
        try:
            STAGING.mkdir(parents=True)
        except OSError as error:
            raise OutputError(STAGING, error) from None
        return cls(STAGING)

    def path(self, final: Path) -> Path:
        """Where ``final`` (inside the project) is built."""
        return self.folder / "files" / Path(final).resolve().relative_to(ROOT)

    def decided(self) -> bool:
        """True once the commit journal is written (from then on the commit must complete)."""
        return self.journal_written or (self.folder / JOURNAL_NAME).exists()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def preflight(folders: Iterable[Path]) -> None:
    """Fail now, before anything is replaced, if a destination folder cannot be written."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".probe-{os.getpid()}.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise OutputError(folder, error) from None


def commit(
    staging: Staging,
    moves: list[tuple[Path, Path]],
    deletions: list[Path],
    manifest: dict[str, Any],
) -> None:
    """Record the decision, then replace the outputs: all of ``moves``, ``deletions``, manifest.

    ``moves`` are (staged file, final path) pairs. Once the journal is written the
    commit is decided: an interruption from then on is finished by :func:`recover`.
    """
    preflight({final.parent for _, final in moves} | {MANIFEST.parent})
    held = _wait_until_replaceable([final for _, final in moves] + deletions + [MANIFEST])
    if held is not None:
        raise OutputLocked(held, decided=False)
    # On disk before the decision: a crash after the renames must not leave empty files.
    for staged, _ in moves:
        sync_file(staged)
    interrupts.check()  # the last moment a stop can still leave the previous set
    journal = {
        "moves": [[relative(s), relative(f)] for s, f in moves],
        "deletions": [relative(p) for p in deletions],
        "manifest": manifest,
    }
    try:
        with atomic_open(staging.folder / JOURNAL_NAME) as handle:
            json.dump(journal, handle, ensure_ascii=False, indent=1)
    except OSError as error:
        raise OutputError(staging.folder / JOURNAL_NAME, error) from None
    staging.journal_written = True
    _apply(staging.folder, journal)


def _replace(source: Path, target: Path) -> None:
    """One move of a commit, retried for a moment while another program holds the target."""
    deadline = time.monotonic() + LOCK_RETRY_SECONDS
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if time.monotonic() >= deadline:
                raise OutputLocked(target, decided=True) from None
            time.sleep(0.25)  # a decided commit is not interrupted: it must run to its end


def _apply(folder: Path, journal: dict[str, Any]) -> None:
    """Carry out a decided commit; safe to repeat after an interruption at any point."""
    try:
        for number, (staged, final) in enumerate(journal["moves"]):
            checkpoint(f"move:{number}", stoppable=False)
            source, target = ROOT / staged, ROOT / final
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                _replace(source, target)
        for name in journal["deletions"]:
            try:
                (ROOT / name).unlink(missing_ok=True)
            except PermissionError:
                raise OutputLocked(ROOT / name, decided=True) from None
        with atomic_open(MANIFEST, encoding="utf-8") as handle:
            json.dump(journal["manifest"], handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    except OSError as error:
        raise OutputError(MANIFEST, error) from None
    shutil.rmtree(folder, ignore_errors=True)


def recover() -> str:
    """Repair what an interrupted run left: finish a decided commit, else discard its staging.

    Returns what was done ("finished", "discarded" or "").
    """
    done = ""
    journal_path = STAGING / JOURNAL_NAME
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None  # the journal itself was being written: nothing was decided
        if journal is not None:
            _apply(STAGING, journal)
            done = "finished"
    if STAGING.exists():
        shutil.rmtree(STAGING, ignore_errors=True)
        done = done or "discarded"
    for folder in OUTPUT_FOLDERS:  # temporary files of a killed atomic write
        if folder.is_dir():
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
    return done
