"""The benchmarks still run: the quickest forms of two end with their figures, so that the figures in
docs/performance.md can be measured again (bench_memory.py --app and bench_conv.py had stopped at helpers the code no
longer has). The others take 5 to 50 s at their quickest and are run by hand."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_the_memory_benchmark_opens_its_links_in_the_app_and_reports_the_resident_memory():
    done = subprocess.run([sys.executable, "benchmarks/bench_memory.py", "--app", "--configs", "4", "--sessions", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("4 random networks (class mix, links opened in the app")
    assert re.search(r"^resident memory: \d+ MiB at the start, peak \d+ MiB, \d+ MiB when every session is done$",
                     done.stdout, re.MULTILINE)
    # every store a server keeps between requests, with what it holds and its bound
    stores = ("assembled draws", "streams", "orthogonal layers", "shell orders", "warped laws")
    kept = "; " + ", ".join(rf"{name} \d+ MiB \(at most \d+\)" for name in stores)
    assert re.search(rf"^caches: results [\d.]+ MiB .*frames .*templates .*{kept}$", done.stdout, re.MULTILINE)
    assert "raised an exception" not in done.stdout


@pytest.mark.slow
def test_the_conv_benchmark_times_the_engine_against_its_floors():
    done = subprocess.run([sys.executable, "benchmarks/bench_conv.py", "--repeat", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for line in ("simulate (new seed)", "conv products", "matmul floor", "im2col floor"):
        figure = rf"^  {re.escape(line)} +[\d.]+ ms +[\d.]+ x the matmul floor"
        assert re.search(figure, done.stdout, re.MULTILINE), line
