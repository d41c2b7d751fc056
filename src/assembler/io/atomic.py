"""Atomic file writes: a reader sees the old file or the new one, never half of one.

A planner may open a scenario or report in a spreadsheet while a run rewrites it, and a
crash must not leave a truncated file behind.  Data goes to a temporary file in the target's
own directory (``os.replace`` is only atomic within one file system), is flushed to disk,
and then replaces the target in one step.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""``mkstemp`` creates private (0600) files; the result should get the usual permissions."""


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically; the parent directory must exist."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically (UTF-8 unless told otherwise).

    Newlines are written as given: CSV text from the ``csv`` module already carries its
    own ``\\r\\n`` line ends.
    """
    atomic_write_bytes(path, text.encode(encoding))
