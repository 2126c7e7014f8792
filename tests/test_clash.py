"""Installing pathgrad beside another distribution that uses the import name `autograd` or `nn` (HIPS
autograd, for one) is seen on import and answered with a warning that says what to do."""
import pathlib
import shutil
import subprocess
import sys
import warnings

import pytest

from autograd._clash import shared_with, warn_if_shared

ROOT = pathlib.Path(__file__).resolve().parent.parent


def fake_distribution(site, name, version, files):
    """A distribution's installed metadata, as pip leaves it: NAME-VERSION.dist-info/{METADATA,RECORD}."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    record = [*files, f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("".join(f"{f},sha256=x,1\n" if "," not in f else f + "\n" for f in record))
    for f in files:
        path = site / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def test_another_distributions_files_in_the_package_folder_are_found(tmp_path):
    site = tmp_path / "site-packages"
    fake_distribution(site, "pathgrad", "0.1.0", ["autograd/__init__.py", "autograd/engine.py", "nn/__init__.py"])
    assert shared_with("autograd", site / "autograd") == []  # pathgrad's own files are no clash
    fake_distribution(site, "autograd", "1.6.2", ["autograd/__init__.py", "autograd/numpy/__init__.py"])
    fake_distribution(site, "autograd_gamma", "0.5.0", ["autograd_gamma/__init__.py"])  # a neighbour, not inside
    assert shared_with("autograd", site / "autograd") == ["autograd 1.6.2"]
    assert shared_with("nn", site / "nn") == []
    with pytest.warns(RuntimeWarning, match=r"autograd 1\.6\.2.*virtual environment"):
        warn_if_shared("autograd", str(site / "autograd"))


def test_a_source_checkout_warns_of_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_shared("autograd", str(ROOT / "autograd"))
        warn_if_shared("nn", str(ROOT / "nn"))


@pytest.mark.parametrize("package, other", [("autograd", "autograd 1.6.2"), ("nn", "nn 0.1.1")])
def test_the_first_import_warns_when_another_distribution_shares_the_folder(tmp_path, package, other):
    # pathgrad copied into a fake site-packages, as pip would install it, over another distribution's files
    site = tmp_path / "site-packages"
    name, version = other.split()
    fake_distribution(site, name, version, [f"{package}/__init__.py", f"{package}/theirs.py"])
    for pkg in ("autograd", "nn"):
        shutil.copytree(ROOT / pkg, site / pkg, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run([sys.executable, "-c", f"import {package}"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "RuntimeWarning" in out.stderr and other in out.stderr and "virtual environment" in out.stderr
    assert out.stderr.count("RuntimeWarning") == 1
