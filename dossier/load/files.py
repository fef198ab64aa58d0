"""Opening input files safely: regular files only, and never more bytes than a limit.

A path may name something that is not a file although it opens like one: a device
(``/dev/zero`` never ends), a named pipe (reading blocks until a writer comes, maybe
never), a socket or a folder. Those are refused by their type before anything is read:
the type is checked with ``stat`` before opening, and again on the open descriptor, so a
file swapped for a pipe in between is refused too. The descriptor is opened without
blocking, so opening a pipe cannot hang either.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["NotRegularFileError", "TooLargeError", "file_kind", "open_regular", "read_limited"]


class NotRegularFileError(OSError):
    """The path names a folder, a device, a pipe or a socket: ``kind`` says which."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a regular file")
        self.kind = kind
        self.strerror = f"it is {kind}, not a regular file"


class TooLargeError(OSError):
    """The file holds more bytes than the limit it is read with."""

    def __init__(self, size: int | None, limit: int) -> None:
        told = f"{size:,} bytes" if size is not None else f"larger than {limit:,} bytes"
        super().__init__(f"the file is {told} (limit {limit:,})")
        self.size = size
        self.limit = limit


def file_kind(mode: int) -> str:
    """What a ``st_mode`` names, in words: 'a regular file', 'a named pipe (FIFO)', ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)


def open_regular(path: Path, *, max_bytes: int | None = None) -> tuple[BinaryIO, int]:
    """Open a regular file for reading in binary; return the file and its size.

    Raises :class:`NotRegularFileError` for anything else, :class:`TooLargeError` when
    the file is larger than ``max_bytes``, and :class:`OSError` as ``open`` does."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(path, file_kind(mode))
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path, file_kind(info.st_mode))
        if max_bytes is not None and info.st_size > max_bytes:
            raise TooLargeError(info.st_size, max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: Path, max_bytes: int) -> bytes:
    """All bytes of a regular file of at most ``max_bytes`` (also if it grows meanwhile)."""
    file, _ = open_regular(path, max_bytes=max_bytes)
    with file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(None, max_bytes)
    return data
