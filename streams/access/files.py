"""Private JSON files: written atomically with mode 0600, re-read when they change."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from streams.access.checks import AccessError

log = logging.getLogger(__name__)
T = TypeVar("T")


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step; the file is readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_text(path: Path) -> str | None:
    """The text of ``path``, ``None`` when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


class Watched(Generic[T]):
    """The value parsed from a file, parsed again whenever the file is replaced or changed.

    ``parse`` gets the file's text (``None`` when it is missing) and raises
    :class:`AccessError` on bad content: at construction that error propagates (refuse to
    start); later it is logged and the value becomes ``parse(None)`` (nothing is allowed
    until the file is fixed). A change costs one ``stat`` per :meth:`current` call.
    """

    def __init__(self, path: Path, parse: Callable[[str | None], T]) -> None:
        self.path = path
        self._parse = parse
        self._signature = _signature(path)
        self._value = parse(read_text(path))

    def current(self) -> T:
        """The value for the file as it is now."""
        signature = _signature(self.path)
        if signature != self._signature:
            self._signature = signature
            try:
                self._value = self._parse(read_text(self.path))
            except AccessError as error:
                log.error("ignoring %s until it is fixed: %s", self.path, error)
                self._value = self._parse(None)
        return self._value
