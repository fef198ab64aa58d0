"""Finding the project file and resolving data-file references safely.

Data files are named relative to the project file and must stay inside the project
folder: absolute paths, ``..`` escapes, drive letters and symbolic links that lead
outside are refused, so a project can be shared and a build never reads elsewhere. A
data path must name a regular file (or a folder where one is expected): a device or a
named pipe would never end, or never answer, when read.

Codes (``L`` = location of files):

======== ======================================================
DOS-L001 no project file in the folder given
DOS-L002 several candidate project files in the folder
DOS-L003 a data path that is absolute or leaves the project folder
DOS-L004 a data file or folder that does not exist
DOS-L005 a file where a folder is expected, or the reverse
DOS-L006 a data path that names a device, a named pipe or a socket, not a file or folder
DOS-L007 a data path that no file can have: a NUL or other control character in it
DOS-L008 a data path whose symbolic links form a loop, or that cannot be followed
======== ======================================================
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.load.files import file_kind

__all__ = ["PROJECT_FILE", "find_project_file", "resolve_data_path"]

PROJECT_FILE = "dossier.yaml"


def _error(code: str, message: str, location: Location, hint: str | None = None) -> UserError:
    return UserError(
        Diagnostic(
            code=code, severity=Severity.ERROR, message=message, location=location, hint=hint
        )
    )


def find_project_file(path: Path) -> Path:
    """The project file itself, or the one project file in a folder."""
    if not path.is_dir():
        return path
    main = path / PROJECT_FILE
    if main.exists():  # also a folder or a pipe of that name: the loader says what it is
        return main
    candidates = sorted(path.glob("*.dossier.yaml"))
    if len(candidates) == 1:
        return candidates[0]
    where = Location(str(path), 0, 0)
    if not candidates:
        raise _error(
            "DOS-L001",
            f"no {PROJECT_FILE} (or *.dossier.yaml) in this folder",
            where,
            "create one with: dossier init " + str(path),
        )
    names = ", ".join(c.name for c in candidates)
    raise _error("DOS-L002", f"several project files in this folder: {names}", where)


_DRIVE = re.compile(r"^[A-Za-z]:")
_LOOP_HINT = "replace the symbolic link by the file it should lead to"


def _unfollowable(exc: Exception) -> str:
    """Why a path cannot be followed, in words."""
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "its symbolic links form a loop"
    return getattr(exc, "strerror", None) or str(exc)


def resolve_data_path(
    project_dir: Path,
    ref: str,
    location: Location,
    *,
    kind: Literal["file", "dir"] = "file",
) -> Path:
    """Resolve a data reference written at ``location``; refuse anything outside the project."""
    text = ref.strip()
    if not text:
        raise _error("DOS-L004", "the data path is empty", location)
    control = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        raise _error(
            "DOS-L007",
            f"the data path contains the control character U+{ord(control):04X}",
            location,
            "name the file as it is saved in the project folder",
        )
    posix = PurePosixPath(text.replace("\\", "/"))
    if posix.is_absolute() or _DRIVE.match(text) or PureWindowsPath(text).is_absolute():
        raise _error(
            "DOS-L003",
            f"'{ref}' is an absolute path; data paths are relative to the project file",
            location,
            "move the file into the project folder and name it relative to dossier.yaml",
        )
    if ".." in posix.parts:
        raise _error(
            "DOS-L003",
            f"'{ref}' leaves the project folder",
            location,
            "keep data files inside the project folder (e.g. data/...)",
        )
    try:
        root = project_dir.resolve()
        target = (root / Path(*posix.parts)).resolve()
    except (RuntimeError, OSError) as exc:  # a symbolic link loop (RuntimeError before 3.13)
        raise _error(
            "DOS-L008", f"'{ref}' cannot be followed: {_unfollowable(exc)}", location, _LOOP_HINT
        ) from None
    if target != root and root not in target.parents:
        raise _error(
            "DOS-L003",
            f"'{ref}' resolves outside the project folder (through a symbolic link)",
            location,
        )
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a loop found by stat (ELOOP), a name too long, no permission
        raise _error(
            "DOS-L008", f"'{ref}' cannot be followed: {_unfollowable(exc)}", location, _LOOP_HINT
        ) from None
    if mode is None:
        raise _error(
            "DOS-L004",
            f"the data {'file' if kind == 'file' else 'folder'} '{ref}' does not exist",
            location,
            f"looked for {target}",
        )
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise _error(
            "DOS-L006",
            f"'{ref}' is {file_kind(mode)}; a data {'file' if kind == 'file' else 'folder'} "
            "is expected here",
            location,
            "name a file saved in the project folder",
        )
    if kind == "file" and not stat.S_ISREG(mode):
        raise _error("DOS-L005", f"'{ref}' is a folder, but a file is expected here", location)
    if kind == "dir" and not stat.S_ISDIR(mode):
        raise _error("DOS-L005", f"'{ref}' is a file, but a folder is expected here", location)
    return target
