"""The output set of a build, replaced as one unit.

A build never writes into the output folder file by file. It

1. takes the folder's **build lock** (``.<out>.dossier-lock`` next to it, an exclusive
   ``flock``), waiting up to a minute for another build of the same folder, then
   failing with an error that names that build;
2. **recovers** what an interrupted build left (see below);
3. writes every output and the manifest into a **staging folder** next to the output
   folder (``.<out>.dossier-staging``), each file flushed to disk;
4. writes the **journal** (``journal.json`` in the staging folder, atomically): the
   list of moves, each with the hash of the file it replaces and of the file it
   brings. Writing the journal is the commit point;
5. **moves** the files into place one by one (``os.replace``), the manifest last, then
   deletes the journal and the staging folder. A move may also *remove* a file (a PDF
   that a build without ``--pdf`` would leave older than its draft): it is deleted only
   if it is still the file the build checked.

A later build that finds a staging folder *without* a journal rolls it back (deletes it:
the output folder was not touched yet); one *with* a journal completes its moves. A move
is completed only if the file in the output folder is still the one the interrupted
build checked (or already the new one): a draft edited since is left as it is, and the
next edit check reports it, truthfully. A document that is open in a word processor
stops the recovery (an error) so that it can be completed once the document is closed.
Either way the folder holds outputs of one build and the manifest that describes them,
so an interrupted build never makes the next one report an edit that nobody made.

Files are created with mode ``0666`` less the umask, like any file a program writes.

``DOSSIER_PAUSE_AFTER_MOVE=N`` makes a build stop after its N-th move and wait (for ten
minutes), after creating ``paused`` in the staging folder: the tests use it to kill a
build at a known point.

Codes:
``DOS-B004`` another build is writing to the same output folder,
``DOS-B009`` the output set cannot be written (no permission or no room; nothing is replaced).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.package.editor_locks import find_lock

__all__ = [
    "PAUSE_VARIABLE",
    "BuildLock",
    "Move",
    "commit",
    "file_hash",
    "make_folder",
    "recover",
    "staging_folder",
    "write_file",
]

JOURNAL = "journal.json"
PAUSE_VARIABLE = "DOSSIER_PAUSE_AFTER_MOVE"
FILE_MODE = 0o666
"""Mode of new files before the umask is applied (``0644`` under umask ``0022``)."""


def _sibling(out_dir: Path, suffix: str) -> Path:
    folder = out_dir.resolve()
    return folder.parent / f".{folder.name or 'out'}.{suffix}"


def staging_folder(out_dir: Path) -> Path:
    """Where a build of ``out_dir`` stages its outputs: a hidden folder next to it."""
    return _sibling(out_dir, "dossier-staging")


def lock_path(out_dir: Path) -> Path:
    """The build lock of ``out_dir``: a hidden file next to it."""
    return _sibling(out_dir, "dossier-lock")


def file_hash(path: Path) -> str | None:
    """Hex SHA-256 of a regular file, ``None`` when there is none."""
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0666 less the umask) with ``data``, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def make_folder(out_dir: Path) -> None:
    """Create the output folder (and its parents); a located ``DOS-B009`` when it cannot
    be (a parent that cannot be written, a file of that name, no room)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(out_dir, exc, "the output folder cannot be created") from None


def _error(code: str, message: str, where: Path, hint: str | None = None) -> UserError:
    return UserError(Diagnostic(code, Severity.ERROR, message, Location(str(where)), hint))


def _unwritable(out_dir: Path, exc: OSError, what: str) -> UserError:
    where = f" ({exc.filename})" if exc.filename else ""
    return _error(
        "DOS-B009",
        f"{what}: {exc.strerror or exc}{where}",
        out_dir,
        "check that the output folder and the folder around it can be written and that the "
        "disk has room",
    )


# --------------------------------------------------------------------------- build lock


class BuildLock:
    """An exclusive lock on an output folder, held by one build at a time.

    The lock is an ``flock`` on a file next to the folder, which the kernel releases when
    the process ends however it ends, so a killed build never leaves a stale lock. The
    holder writes who it is into the file, for the message of a build that gives up
    waiting. The file is removed on release; a build that locked a file removed meanwhile
    tries again, so two builds never both hold the lock.
    """

    def __init__(self, out_dir: Path, *, wait: float = 60.0, owner: dict[str, str] | None = None):
        self.out_dir = out_dir
        self.path = lock_path(out_dir)
        self.wait = wait
        self.owner = owner or {}
        self._fd: int | None = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds; ``DOS-B004`` after that."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: builds are not serialized
            return
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            except OSError as exc:
                raise _unwritable(self.out_dir, exc, "the build lock cannot be created") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                if on_wait is not None and not told:
                    on_wait(
                        f"waiting for another build writing to {self.out_dir}: {self._holder()}"
                    )
                    told = True
                time.sleep(0.1)
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the previous holder removed the file after we opened it
                os.close(fd)
                continue
            self._fd = fd
            record = {**self.owner, "pid": str(os.getpid()), "host": socket.gethostname()}
            record["started"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            os.ftruncate(fd, 0)
            os.write(fd, (json.dumps(record) + "\n").encode("utf-8"))
            return

    def release(self) -> None:
        """Remove the lock file and let the next build in."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None

    def _holder(self) -> str:
        try:
            record = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return "a build whose details are not known yet"
        if not isinstance(record, dict):
            return "a build whose details are not known"
        parts = [f"process {record.get('pid', '?')} on {record.get('host', '?')}"]
        if record.get("project"):
            parts.append(f"building {record['project']}")
        if record.get("build"):
            parts.append(f"build {record['build']}")
        if record.get("started"):
            parts.append(f"started {record['started']}")
        return ", ".join(parts)

    def _busy(self) -> UserError:
        return _error(
            "DOS-B004",
            f"another build is writing to {self.out_dir} ({self._holder()}); "
            f"gave up after waiting {self.wait:.0f} s",
            self.out_dir,
            "wait for that build to finish, or stop it, then build again",
        )


# --------------------------------------------------------------------------- the moves


@dataclass(frozen=True)
class Move:
    """One file of the output set: its name, the hash of the file it replaces (``None``
    when there is none) and the hash of the new file (``None``: the file is removed)."""

    name: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, str | None]:
        """The journal entry."""
        return {"name": self.name, "before": self.before, "after": self.after}


def _pause_after() -> int | None:
    value = os.environ.get(PAUSE_VARIABLE, "").strip()
    return int(value) if value.isdigit() else None


def _pause(staging: Path) -> None:
    write_file(staging / "paused", b"")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        time.sleep(0.05)


def commit(out_dir: Path, staging: Path, moves: list[Move], build: str) -> list[str]:
    """Write the journal (the commit point), then move the staged files into place.
    Returns the names left as they were because they changed after they were checked."""
    tmp = staging / f"{JOURNAL}.tmp"
    entries = [move.to_dict() for move in moves]
    write_file(tmp, (json.dumps({"build": build, "moves": entries}, indent=1) + "\n").encode())
    os.replace(tmp, staging / JOURNAL)
    _fsync_dir(staging)
    try:
        return _apply(out_dir, staging, moves)
    except OSError as exc:
        raise _unwritable(
            out_dir, exc, "the outputs could not all be moved into place (the next build will)"
        ) from None


def _apply(out_dir: Path, staging: Path, moves: list[Move]) -> list[str]:
    pause = _pause_after()
    left: list[str] = []
    for done, move in enumerate(moves, start=1):
        staged = staging / move.name
        target = out_dir / move.name
        if move.after is None:  # a removal: only of the file that was checked
            current = file_hash(target)
            if current == move.before:
                target.unlink()
            elif current is not None:
                left.append(move.name)
        elif staged.exists():
            current = file_hash(target)
            if current in (move.before, move.after) or move.name == "manifest.json":
                os.replace(staged, target)
            else:
                left.append(move.name)
        if pause is not None and done == pause:
            _fsync_dir(out_dir)
            _pause(staging)
    _fsync_dir(out_dir)
    (staging / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    return left


def _plain_name(name: str) -> bool:
    return name not in {"", ".", ".."} and "/" not in name and "\\" not in name


def _read_journal(path: Path) -> list[Move] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        return [
            Move(str(m["name"]), m["before"], None if m["after"] is None else str(m["after"]))
            for m in data["moves"]
            if _plain_name(str(m["name"]))
        ]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def recover(out_dir: Path, say: Callable[[str], None] | None = None) -> list[str]:
    """Complete or roll back the output set of an interrupted build of ``out_dir``
    (call with the build lock held). Returns the names that were left as they were."""
    staging = staging_folder(out_dir)
    if not staging.exists():
        return []
    journal = staging / JOURNAL
    moves = _read_journal(journal) if journal.is_file() else None
    if moves is None:  # interrupted before its commit point: out_dir was not touched
        if say is not None:
            say("removing the unfinished output set of an interrupted build")
        if staging.is_dir() and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.unlink(missing_ok=True)
        return []
    pending = [m for m in moves if (staging / m.name).exists() or (m.after is None and m.before)]
    for move in pending:
        lock = find_lock(out_dir, move.name)
        if lock is not None:
            raise _error(
                "DOS-B002",
                f"{move.name} is open in a word processor (lock file {lock.name}); an "
                "interrupted build must replace it to finish its output set",
                out_dir / move.name,
                "close the document, then build again",
            )
    if say is not None:
        say("completing the output set of an interrupted build")
    try:
        return _apply(out_dir, staging, moves)
    except OSError as exc:
        raise _unwritable(
            out_dir, exc, "the output set of an interrupted build cannot be completed"
        ) from None


@contextlib.contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A fresh, empty staging folder; removed again if the block fails (roll back)."""
    staging = staging_folder(out_dir)
    try:
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    except OSError as exc:
        raise _unwritable(out_dir, exc, "the staging folder cannot be made") from None
    try:
        yield staging
    except BaseException as exc:
        if (staging / JOURNAL).exists():  # committed: the next build completes the moves
            raise
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _unwritable(
                out_dir, exc, "the outputs could not be written; nothing was replaced"
            ) from None
        raise
