"""The scale benchmark's CPU meter, which says whether the database is the limit, gives each process group
the CPU it used: a busy process is seen busy, an idle one idle, and work done by a child that has already
exited (a PostgreSQL backend whose connection closed) still counts for the group that forked it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench.bench_scale import CpuMeter

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def _spawn(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


@pytest.mark.timeout(60)
def test_cpu_goes_to_the_group_that_used_it_including_exited_children():
    idle = _spawn("import time; time.sleep(30)")
    # A parent that forks a short-lived child to do the work once the meter runs, then waits for it, as the
    # postmaster does for a backend.
    forks = _spawn(
        "import subprocess, sys, time\n"
        "time.sleep(1.0)\n"
        f"subprocess.run([sys.executable, '-c', {BURN.format(s=1.0)!r}])\n"
        "time.sleep(30)\n"
    )
    try:
        time.sleep(0.3)
        meter = CpuMeter({"idle": [idle.pid], "forks": [forks.pid]})
        meter.start()
        time.sleep(
            3.5
        )  # the child has burnt its second and been reaped: only its parent's totals remember it
        shares = meter.stop()
    finally:
        for p in (idle, forks):
            p.kill()
            p.wait()
    assert shares["idle"] < 0.02, shares
    # A second of one core over about 3.5 s of all cores: well above zero, and never more than the machine.
    assert shares["forks"] > 0.05, shares
    assert shares["forks"] <= shares["machine"] + 0.02, shares
