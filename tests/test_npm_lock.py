"""The browser-test tools from the npm registry install exactly as package-lock.json pins
them: one exact version of axe-core, integrity hashes for every package, `npm ci` (never
`npm install`) in `make test`, and node_modules kept out of the repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_axe_core_is_pinned_with_an_integrity_hash():
    wanted = json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted["axe-core"])  # an exact version, no range
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    assert lock["lockfileVersion"] >= 3
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages["node_modules/axe-core"]["version"] == wanted["axe-core"]
    for name, package in packages.items():
        assert package.get("integrity", "").startswith("sha512-"), name


def test_make_test_installs_from_the_lock_and_git_ignores_node_modules():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "npm ci --ignore-scripts --no-audit --no-fund" in makefile
    assert "npm install" not in makefile
    test_target = re.search(r"^test:(.*)$", makefile, re.M).group(1)
    assert "deps-npm" in test_target
    assert "node_modules/" in (ROOT / ".gitignore").read_text("utf-8").splitlines()
