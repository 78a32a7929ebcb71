"""Scratch things for benches: a PostgreSQL database dropped afterwards, and a module as it was
at an earlier commit (imported from git), so that a bench can run the previous code next to
the current one on the same data."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def module_at(commit: str, path: str, name: str) -> ModuleType:
    """``path`` (e.g. ``app/services/exports/late.py``) at ``commit``, importable as ``name``
    (registered in ``sys.modules``: its dataclasses look themselves up there)."""
    source = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True,
                            capture_output=True).stdout
    file = Path(tempfile.mkdtemp(prefix=f"{name}-")) / f"{name}.py"
    file.write_bytes(source)
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new PostgreSQL database next to ``admin_url``'s, its URL; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
