"""Child processes for ``test_hostile``: the ``assembler`` command run as a user runs it,
with its time and its own peak memory measured, and the processes left behind found."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from builders import ROOT


@dataclass(frozen=True)
class Outcome:
    """How a child ``assembler`` command ended: exit code, output, time and peak memory."""

    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float

    @property
    def output(self) -> str:
        return self.out + self.err


CHILD = """
import atexit, os

def peak():  # VmHWM: this process's own high-water mark, from the exec on
    with open("/proc/self/status") as status, open(os.environ["PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])

atexit.register(peak)
from assembler.cli import app
app()
"""
"""The command, reporting its peak memory as it exits: ``ru_maxrss`` of a child would
count the memory of the pytest worker it was forked from."""


class Command:
    """``assembler ARGS`` in a child process: its output in files (no pipe to fill), its
    peak resident memory as the process itself measured it."""

    def __init__(self, *args: str, env: Mapping[str, str] | None = None, group: bool = False):
        # Files, not pipes, take the output: a pipe nobody reads would block the child.
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by ``wait``
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by ``wait``
        self._peak = Path(tempfile.mkdtemp()) / "peak"
        path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            stdout=self._out,
            stderr=self._err,
            env={**os.environ, "PYTHONPATH": path, "PEAK_FILE": str(self._peak), **(env or {})},
            start_new_session=group,
        )

    def stderr(self) -> str:
        self._err.seek(0)
        return self._err.read().decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        """Until ``text`` appears on stderr (a progress line: the search is under way)."""
        deadline = time.perf_counter() + timeout
        while text not in self.stderr():
            assert self.process.poll() is None, self.stderr()
            assert time.perf_counter() < deadline, f"no {text!r} after {timeout}s"
            time.sleep(0.1)

    def signal(self, signum: int = signal.SIGINT, group: bool = False) -> None:
        if group:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)

    def wait(self, timeout: float = 120.0) -> Outcome:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        seconds = time.perf_counter() - self.started
        peak = int(self._peak.read_text()) / 1024 if self._peak.exists() else float("nan")
        shutil.rmtree(self._peak.parent)
        self._out.seek(0)
        out = self._out.read().decode("utf-8", "replace")
        err = self.stderr()
        self._out.close()
        self._err.close()
        return Outcome(code, out, err, seconds, peak)


def assembler(*args: str, env: Mapping[str, str] | None = None) -> Outcome:
    return Command(*args, env=env).wait()


def group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs (zombies waiting for init do not)."""
    listing = subprocess.run(
        ["ps", "-eo", "pgid=,stat="], capture_output=True, text=True, check=True
    ).stdout
    return any(
        int(pgid) == group and not stat.startswith("Z")
        for pgid, stat in (line.split() for line in listing.splitlines())
    )
