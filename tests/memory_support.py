"""The peak resident memory a piece of code adds to a fresh Python process, as Linux counts it (VmHWM)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

MEASURE = """
import sys
from core.allocator import keep_freed_memory
keep_freed_memory()  # glibc's thresholds as the app and the command line set them


def status(name):
    line = next(line for line in open('/proc/self/status') if line.startswith(name + ':'))
    return int(line.split()[1]) / 1024  # kB to MiB


exec(sys.argv[1])  # the setup: imports, and whatever a run loads once (not counted)
open('/proc/self/clear_refs', 'w').write('5')  # the peak starts again from the resident memory now
start = status('VmRSS')
exec(sys.argv[2])
print(status('VmHWM') - start)
"""


def can_measure() -> bool:
    """Whether this system has /proc/self/clear_refs, which resets the peak (Linux 4.0 and later)."""
    return Path("/proc/self/clear_refs").exists() and sys.platform.startswith("linux")


def peak_rise_mib(setup: str, code: str) -> float:
    """MiB by which the process's peak resident memory rises above its resident memory after `setup` while `code`
    runs, both run in a fresh interpreter (cwd: the project), with the allocator's thresholds the app sets."""
    done = subprocess.run([sys.executable, "-c", MEASURE, setup, code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return float(done.stdout)
