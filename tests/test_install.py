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


def _fake_flask(folder: Path) -> Path:
    """A stand-in for ``.venv/bin/flask --app wsgi``: logs its pid and arguments; ``run`` and
    ``schedule run`` (the two long-lived commands) then wait like the real ones do."""
    script = folder / "flask"
    script.write_text("#!/bin/sh\n"
                      f'echo "$$ $*" >> {folder}/calls.log\n'
                      'case " $* " in *" run "*) exec sleep 300;; esac\n', "utf-8")
    script.chmod(0o755)
    return script


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.mark.parametrize("stop", ["ctrl-c", "server-dies"])
def test_make_run_runs_the_scheduler_beside_the_server_and_stops_it(tmp_path, stop):
    """``make run`` starts ``flask schedule run`` next to ``flask run``; when the server stops
    (Ctrl-C on the terminal, or the server exits) the scheduler is stopped too."""
    import signal
    import time

    make = shutil.which("make")
    need(make is not None, "make is not installed")
    fake = _fake_flask(tmp_path)
    # deps-run and venv are taken as done: only the run recipe's own commands are exercised
    proc = subprocess.Popen([make, "-s", "-o", "deps-run", "-o", "venv", "run", f"FLASK={fake}"],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    log = tmp_path / "calls.log"
    try:
        deadline = time.monotonic() + 20
        calls: dict[str, int] = {}
        while time.monotonic() < deadline and len(calls) < 2:
            lines = log.read_text().splitlines() if log.exists() else []
            calls = {args: int(pid) for pid, _, args in (line.partition(" ") for line in lines)
                     if args.startswith(("schedule run", "run --host"))}
            time.sleep(0.05)
        assert set(calls) == {"schedule run", "run --host 127.0.0.1 --port 5000"}, lines
        assert [line.split(" ", 1)[1] for line in lines[:3]] == ["db upgrade", "ca init", "seed-demo"]
        scheduler, server = calls["schedule run"], calls["run --host 127.0.0.1 --port 5000"]
        assert _alive(scheduler) and _alive(server)
        if stop == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # the terminal sends it to the whole group
        else:
            os.kill(server, signal.SIGTERM)
        proc.wait(timeout=20)
        deadline = time.monotonic() + 10
        while _alive(scheduler) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(scheduler), "the scheduler outlived make run"
        assert proc.returncode != 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
