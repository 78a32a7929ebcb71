"""The code's shape, read from its imports with ``ast``: no import cycles, no forbidden
direction between layers, contexts that import only the contexts below them, and front doors
that list every use case."""

from __future__ import annotations

import importlib

import pytest

from app.services import CONTEXTS
from tests.architecture import ROOT, Import, cycles, functions, imported_names, imports, within

SURFACES = ("app.account", "app.admin", "app.api", "app.audit", "app.auth", "app.ca",
            "app.employer", "app.health", "app.projects", "app.verify", "app.worker",
            "app.cli", "app.surface")
EDGES = imports()


def _external(prefix: str) -> list[tuple[str, str, int]]:
    """Imports of third-party names by modules under ``prefix``: (module, name, line)."""
    import ast

    from tests.architecture import module_files

    found = []
    for module, path in module_files().items():
        if within(module, [prefix]):
            tree = ast.parse(path.read_text("utf-8"))
            found += [(module, name, line) for name, line in imported_names(module, path, tree)]
    return found


def _show(edges: list[Import]) -> str:
    return "\n".join(f"{e.source}:{e.line} imports {e.target}" for e in edges)


def test_there_is_no_import_cycle():
    """Lazy imports inside functions and TYPE_CHECKING imports count too."""
    found = cycles(EDGES)
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_reader_finds_lazy_and_type_checking_cycles(tmp_path):
    """The check above can fail: a cycle made only of a lazy import and a TYPE_CHECKING one."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from app import b\n    return b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                                  "    from app.a import f\n")
    (package / "c.py").write_text("from app import a\n")
    assert cycles(imports(tmp_path)) == [["app.a", "app.b", "app.a"]]


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("app.domain", ("app.services", "app.models", "app.extensions", "app.errors", *SURFACES)),
    ("app.models", ("app.services", *SURFACES)),
    ("app.services", SURFACES + ("app",)),
    ("signing", ("app", "archive")),
    ("archive", ("app", "signing")),
])
def test_no_layer_imports_upwards(layer, forbidden):
    """Domain rules never reach the database or the web; services never reach the surfaces
    (nor the app factory); the plain libraries never reach the app."""
    wrong = [e for e in EDGES if within(e.source, [layer]) and _forbidden(e.target, forbidden)]
    assert wrong == [], _show(wrong)


def _forbidden(target: str, forbidden: tuple[str, ...]) -> bool:
    # "app" alone stands for the package itself (create_app), not for everything under it
    return any(target == f if f == "app" else within(target, [f]) for f in forbidden)


@pytest.mark.parametrize(("layer", "libraries"), [
    ("app.domain", ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")),
    ("signing", ("flask", "app")),
    ("archive", ("flask", "app")),
])
def test_plain_layers_import_no_framework(layer, libraries):
    wrong = [(m, n, line) for m, n, line in _external(layer)
             if any(n == lib or n.startswith(lib + ".") for lib in libraries)]
    assert wrong == []


def _context(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["app", "services"] and parts[2] in CONTEXTS:
        return parts[2]
    return None


def test_contexts_import_only_the_contexts_they_declare():
    """``app.services.CONTEXTS`` is the map; a new dependency between contexts is declared
    there deliberately (and must not close a circle)."""
    wrong = [e for e in EDGES
             if (a := _context(e.source)) and (b := _context(e.target)) and a != b
             and b not in CONTEXTS[a]]
    assert wrong == [], _show(wrong)
    declared = [Import(a, b, 0) for a, uses in CONTEXTS.items() for b in uses]
    assert cycles(declared) == []
    assert all(b in CONTEXTS for uses in CONTEXTS.values() for b in uses)


def test_every_context_is_a_package_and_few_modules_sit_beside_them():
    services = ROOT / "app" / "services"
    packages = {p.name for p in services.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(CONTEXTS)
    loose = sorted(p.name for p in services.glob("*.py"))
    assert len(loose) <= 12, loose
    assert loose == ["__init__.py", "demo.py", "wiring.py"]


FUNCTIONS = functions()
NOT_USE_CASES = {"init_app"}  # start-up wiring (Flask's convention), not a use case


def _entry_points(context: str) -> set[tuple[str, str]]:
    """Functions of ``context`` that commit (or run as a job or event handler) and are used
    from outside it: by a surface, another context or the start-up wiring."""
    package = f"app.services.{context}"
    return {(module, name) for module, name in FUNCTIONS.committing()
            if within(module, [package]) and not name.startswith("_")
            and name not in NOT_USE_CASES
            and any(not within(user, [package]) for user in FUNCTIONS.users.get((module, name), ()))}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_a_context_s_front_door_lists_its_use_cases(context):
    """Every function of the context that commits a transaction and is used from outside it
    (or is a job handler / event subscriber) is in the front door's ``__all__``; everything
    listed there is a function of the context."""
    door = importlib.import_module(f"app.services.{context}")
    listed = {getattr(door, name) for name in door.__all__}
    assert len(listed) == len(door.__all__), "a name is listed twice"
    assert all(callable(f) and f.__module__.startswith(f"app.services.{context}.")
               for f in listed)
    missing = []
    for module, name in sorted(_entry_points(context)):
        function = getattr(importlib.import_module(module), name)
        if function not in listed:
            missing.append(f"{module}.{name}")
    assert missing == [], f"use cases missing from app.services.{context}.__all__: {missing}"


def test_every_job_handler_and_subscriber_is_a_listed_use_case():
    from app.services import wiring

    listed = {getattr(importlib.import_module(f"app.services.{c}"), n)
              for c in CONTEXTS for n in importlib.import_module(f"app.services.{c}").__all__}
    handlers = [*wiring.JOB_KINDS.values(),
                *(h for hs in wiring.SUBSCRIBERS.values() for h in hs)]
    assert [h for h in handlers if h not in listed] == []


def test_the_use_case_reader_follows_calls_across_modules():
    """The check above can fail: a function that commits only through another module's use
    case is a committing function too; one that never reaches a commit is not."""
    committing = FUNCTIONS.committing()
    assert ("app.services.lifecycle.bulk_actions", "apply") in committing
    assert ("app.services.contracts.contracts", "send_contract") in committing
    assert ("app.services.platform.audit", "record") not in committing
    assert ("app.services.contracts.rules", "findings") not in committing
