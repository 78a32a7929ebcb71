"""Missing tools and services: a skip on a developer's machine, a failure in CI (CI=true)."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() == "true"


def need(ok: bool, reason: str) -> None:
    """Stop the test when ``ok`` is false: fail in CI, skip elsewhere."""
    if not ok:
        (pytest.fail if IN_CI else pytest.skip)(reason)


def need_tool(name: str) -> str:
    """Path of a command-line tool (see :func:`need`)."""
    path = shutil.which(name)
    need(path is not None, f"{name} not installed")
    return path
