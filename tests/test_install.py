"""Installs that cannot break overnight: the lock file agrees with pyproject.toml, and a
deprecation raised inside a dependency never breaks the suite while ours still does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.needs import need

ROOT = Path(__file__).resolve().parents[1]


def _uv() -> str:
    """The uv the Makefile installs (``.uv/bin/uv``), else one on the PATH."""
    mine = ROOT / ".uv" / "bin" / "uv"
    path = str(mine) if mine.exists() else shutil.which("uv")
    need(path is not None, "uv is not installed (make venv installs it from requirements-uv.txt)")
    return path


def _lock_check(folder: Path) -> subprocess.CompletedProcess:
    """``uv lock --check`` in ``folder`` (it resolves what changed against the package index,
    as ``make test`` does before it installs)."""
    return subprocess.run([_uv(), "lock", "--check", "--python", sys.executable], cwd=folder,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})


def _project_copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_lock_agrees_with_pyproject(tmp_path):
    done = _lock_check(_project_copy(tmp_path))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("old", "new"), [
    ('"openpyxl>=3.1",', '"openpyxl>=3.1",\n  "six>=1.16",'),  # a dependency added
    ('"reportlab>=4.2",', '"reportlab>=4.2,<5",'),  # a range the locked 5.1.0 is outside of
])
def test_a_pyproject_the_lock_does_not_meet_fails_the_check(tmp_path, old, new):
    folder = _project_copy(tmp_path)
    text = (folder / "pyproject.toml").read_text("utf-8")
    assert old in text
    (folder / "pyproject.toml").write_text(text.replace(old, new), "utf-8")
    done = _lock_check(folder)
    need("network" not in done.stderr.lower() and "dns" not in done.stderr.lower(),
         f"the package index is unreachable: {done.stderr[-300:]}")
    assert done.returncode != 0
    assert "needs to be updated" in done.stderr, done.stderr


def test_every_locked_package_is_pinned_with_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    names = {p["name"] for p in lock["package"]}
    assert {"cryptography", "pyhanko", "flask", "pytest", "pytest-xdist"} <= names
    for package in lock["package"]:
        if package["name"] == "laborsign":
            continue
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]
    uv_pin = (ROOT / "requirements-uv.txt").read_text("utf-8")
    required = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["uv"]
    assert f"uv{required['required-version']} " in uv_pin and "--hash=sha256:" in uv_pin


def _pytest_on(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """Run pytest with this project's warning filters on one test module holding ``body``."""
    test = tmp_path / "test_probe.py"
    test.write_text(body, "utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(test)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_a_dependency_s_deprecation_does_not_break_collection(tmp_path):
    done = _pytest_on(tmp_path, "import pyhanko.sign.signers.pdf_cms  # imports DSA\n\n"
                                "def test_ok():\n    assert pyhanko.sign.signers.pdf_cms\n")
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 passed" in done.stdout


def test_the_same_deprecation_from_our_own_code_fails(tmp_path):
    """The import pyHanko makes, made by a module of ours, is an error (as it was for pyHanko
    before the filter named its origin)."""
    done = _pytest_on(tmp_path, "def test_ours():\n"
                                "    from cryptography.hazmat.primitives.asymmetric.dsa import (\n"
                                "        DSAPrivateKey)\n"
                                "    assert DSAPrivateKey\n")
    assert done.returncode == 1
    assert "CryptographyDeprecationWarning" in done.stdout and "DSA" in done.stdout
