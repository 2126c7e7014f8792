"""The benchmark's command line: flags it cannot honour are refused at once, before minutes of work."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("flags,named", [(["--max-links", "500"], "--max-links"), (["--rounds", "0"], "--rounds")])
def test_bench_refuses_flags_that_leave_nothing_to_measure(flags, named):
    proc = subprocess.run([sys.executable, "-m", "bench", *flags], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and named in proc.stderr and "round 1" not in proc.stderr


def test_bench_refuses_an_out_path_it_could_not_write_before_measuring(tmp_path):
    (tmp_path / "file").write_text("")
    proc = subprocess.run([sys.executable, "-m", "bench", "--out", str(tmp_path / "file" / "R.md")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--out" in proc.stderr and "round 1" not in proc.stderr
