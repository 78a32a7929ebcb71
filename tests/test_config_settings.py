"""Every setting the app reads from its config is declared in ``config.Config`` (read from
the environment there): a setting read only as ``config.get("X")`` would silently stay at its
fallback in a deployment, whatever the operator put in the environment."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

import config

ROOT = Path(__file__).resolve().parents[1]
#: read by the app but set only by tests (never by an operator)
TEST_ONLY = {"API_VALIDATE_RESPONSES"}
_CONFIG_NAMES = {"config", "cfg", "settings"}


def _is_config(node: ast.AST) -> bool:
    return ((isinstance(node, ast.Attribute) and node.attr == "config")
            or (isinstance(node, ast.Name) and node.id in _CONFIG_NAMES))


def settings_read(root: Path) -> dict[str, set[str]]:
    """Upper-case keys read as ``<config>["X"]`` or ``<config>.get("X")`` under ``root``."""
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            key = None
            if (isinstance(node, ast.Subscript) and _is_config(node.value)
                    and isinstance(node.slice, ast.Constant)):
                key = node.slice.value
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "get" and _is_config(node.func.value) and node.args
                  and isinstance(node.args[0], ast.Constant)):
                key = node.args[0].value
            if isinstance(key, str) and key.isupper():
                found.setdefault(key, set()).add(str(path.relative_to(root)))
    return found


def test_every_setting_the_app_reads_is_declared_in_config():
    flask_own = set(Flask(__name__).config)
    read = settings_read(ROOT / "app")
    assert {"METRICS_TOKEN", "LOG_FORMAT", "SMS_BACKEND"} <= set(read)  # the scan finds them
    undeclared = {k: sorted(v) for k, v in read.items()
                  if not hasattr(config.Config, k) and k not in flask_own | TEST_ONLY}
    assert undeclared == {}, "read by the app, not declared in config.Config"


def test_the_scan_sees_a_setting_read_with_get(tmp_path):
    (tmp_path / "m.py").write_text('def f(app):\n    return app.config.get("NOT_DECLARED")\n')
    assert settings_read(tmp_path) == {"NOT_DECLARED": {"m.py"}}


def test_operational_settings_come_from_the_environment():
    """Set in the environment, they reach the app (not only a test's config dict)."""
    env = {**os.environ, "METRICS_TOKEN": "from-env-token", "LOG_FORMAT": "json",
           "METRICS_PORT": "9109", "READY_MAX_QUEUE_AGE_SECONDS": "42", "SMS_BACKEND": "log"}
    script = ("import config; c = config.Config; "
              "print(c.METRICS_TOKEN, c.LOG_FORMAT, c.METRICS_PORT, "
              "c.READY_MAX_QUEUE_AGE_SECONDS, c.SMS_BACKEND)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["from-env-token", "json", "9109", "42", "log"]
