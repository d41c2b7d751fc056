"""Atomic writes: a reader sees the old file (or set of files) or the new one, never half.

A planner may open a scenario or report in a spreadsheet while a run rewrites it, and a
crash must not leave a truncated file behind.  Data goes to a temporary file in the target's
own directory (``os.replace`` is only atomic within one file system), is flushed to disk,
and then replaces the target in one step.  Files that belong together (a solve's reports)
are replaced as one folder (``FolderSwap``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""``mkstemp`` creates private (0600) files; the result should get the usual permissions."""
_FOLDER_MODE = 0o777 & ~_current_umask()
"""Likewise for the private (0700) folders of ``mkdtemp``."""


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


class OutputFolderError(ValueError):
    """A folder cannot take a set of files: it is a file, holds files of its own, or cannot
    be written.  Raised before anything is written, so a caller can check it first."""


def write_durably(path: Path, data: bytes) -> None:
    """Write a new file and flush it to disk (inside a folder not yet visible to anyone)."""
    with path.open("xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, _FILE_MODE)


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to clean up
        return True
    return True


class FolderSwap:
    """The next version of folder ``target``, built beside it and swapped in whole.

    A set of files that belong together (a solve's reports) must never be seen mixed, old
    and new, however the writer ends.  The files go to a hidden folder beside ``target``
    (``.NAME.new-PID-XXXX``, same file system, so renames are atomic); ``commit`` flushes
    them, renames ``target`` aside (``.NAME.old-PID-XXXX``), renames the new folder in and
    removes the old one.  A crash leaves ``target`` as it was, or — between the two renames
    only — absent with the old set intact aside: the next ``FolderSwap`` on the same target
    renames it back, and removes hidden folders of runs no longer alive.  (Linux's
    ``renameat2(RENAME_EXCHANGE)`` would close that window but is not portable.)

    ``owned`` are the names ``target`` may hold: files a previous set left.  A folder that
    holds anything else (a user's notes, the log a script writes there while it runs) is
    never replaced, since that would delete or orphan files the writer never made: the set
    is built in a hidden folder inside it and its files are renamed in one by one, each
    atomically, the file named ``last`` (a summary that says the set is complete) after
    the others, and owned files the new set lacks are removed.  Entering checks all this
    and creates the hidden folder, so an output that cannot be written fails before the
    work that would fill it.
    """

    def __init__(self, target: Path, owned: frozenset[str], last: str = "") -> None:
        self.target = target.absolute()
        self.owned = owned
        self.last = last
        self.staging = self.target
        self.shared = False
        """``target`` holds files not ``owned``: the set's files are renamed in one by one."""
        self._committed = False

    def __enter__(self) -> FolderSwap:
        target, parent = self.target, self.target.parent
        existing = target
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise OutputFolderError(f"{existing}: is a file; give a folder for the files")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._recover()
            if target.is_dir():
                self.shared = any(name not in self.owned for name in os.listdir(target))
            home = target if self.shared else parent
            self.staging = Path(tempfile.mkdtemp(dir=home, prefix=self._prefix("new")))
            os.chmod(self.staging, _FOLDER_MODE)
        except OSError as exc:
            raise OutputFolderError(f"{parent}: cannot be written: {exc.strerror}") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abandon()

    def abandon(self) -> None:
        """Remove the new version unless it was swapped in: ``target`` stays as it was."""
        if not self._committed and self.staging != self.target:
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self) -> None:
        """Swap the filled hidden folder in for ``target`` (see the class docstring)."""
        target, parent = self.target, self.target.parent
        _fsync_folder(self.staging)
        if self.shared:
            self._rename_in()
            return
        retired = None
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=parent, prefix=self._prefix("old")))
            os.rename(target, retired)
        os.rename(self.staging, target)
        self._committed = True
        _fsync_folder(parent)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)

    def _rename_in(self) -> None:
        """Into a folder shared with other files: each new file renamed over its old
        version, ``last`` last, then the owned files the new set lacks removed."""
        target = self.target
        names = sorted(os.listdir(self.staging), key=lambda name: (name == self.last, name))
        for name in names:
            os.replace(self.staging / name, target / name)
        for name in self.owned - set(names):
            (target / name).unlink(missing_ok=True)
        self._committed = True
        os.rmdir(self.staging)
        _fsync_folder(target)

    def _prefix(self, kind: str) -> str:
        return f".{self.target.name}.{kind}-{os.getpid()}-"

    def _recover(self) -> None:
        """Remove the hidden folders of runs that died, restoring a set caught mid-swap."""
        prefix = f".{self.target.name}."
        inside = list(self.target.iterdir()) if self.target.is_dir() else []
        for entry in [*self.target.parent.iterdir(), *inside]:
            if not entry.name.startswith(prefix):
                continue
            kind, _, rest = entry.name.removeprefix(prefix).partition("-")
            pid = rest.partition("-")[0]
            if kind not in ("new", "old") or not pid.isdigit() or _alive(int(pid)):
                continue
            if kind == "old" and not self.target.exists():
                os.rename(entry, self.target)
            else:
                shutil.rmtree(entry, ignore_errors=True)
