"""The import graph of the project's own code, read with ``ast`` (nothing is imported).

Every import counts: at the top of a module, inside a function (a "lazy" import) or under
``TYPE_CHECKING``. ``from package import name`` is an edge to ``package.name`` when that is
a module, else to ``package``. A package's implicit import of its parents is not an edge.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "signing", "archive")
TOP_MODULES = ("config", "wsgi")


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``source`` imports ``target`` (at ``line``)."""

    source: str
    target: str
    line: int


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for the project's own code."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    for name in TOP_MODULES:
        if (root / f"{name}.py").exists():
            found[name] = root / f"{name}.py"
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _from(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a ``from … import`` statement of ``module`` imports from."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if _is_package(path) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(module: str, path: Path, tree: ast.AST) -> Iterable[tuple[str, int]]:
    """Every dotted name ``module`` imports, with its line (absolute form)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            prefix = _from(module, path, node)
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def imports(root: Path = ROOT, known: Mapping[str, Path] | None = None) -> list[Import]:
    """Every edge between the project's own modules."""
    known = known if known is not None else module_files(root)
    edges: set[Import] = set()
    for module, path in known.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for name, line in imported_names(module, path, tree):
            target = _resolve(name, known)
            if target is not None and target != module:
                edges.add(Import(module, target, line))
    return sorted(edges, key=lambda e: (e.source, e.target, e.line))


def cycles(edges: Iterable[Import]) -> list[list[str]]:
    """The import cycles: strongly connected groups of more than one module (Tarjan), each
    given as one closed path through the group, e.g. ``[a, b, c, a]``."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # iterative Tarjan: no recursion limit on long chains
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_closed_path(group, graph) for group in groups]


def _closed_path(group: set[str], graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest cycle through the group's first module (breadth-first), for the message."""
    start = min(group)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & group):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return sorted(group)


def within(module: str, prefixes: Iterable[str]) -> bool:
    """True when ``module`` is one of ``prefixes`` or inside one of them."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _bindings(module: str, path: Path, tree: ast.Module, known: Mapping[str, Path]) -> dict:
    """Names a module binds by importing: name -> (module, None) or (module, attribute)."""
    bound: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            prefix = _from(module, path, node)
            for alias in node.names:
                full = f"{prefix}.{alias.name}"
                name = alias.asname or alias.name
                if full in known:
                    bound[name] = (full, None)
                elif prefix in known:
                    bound[name] = (prefix, alias.name)
    return bound


def _targets(node: ast.AST, module: str, bound: Mapping, local: set[str]) -> set[tuple[str, str]]:
    """``(module, name)`` of every function ``node`` refers to: ``name`` of its own module,
    ``alias.name`` of an imported module, or a name imported from a module."""
    found: set[tuple[str, str]] = set()
    for ref in ast.walk(node):
        if isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name):
            target = bound.get(ref.value.id)
            if target is not None and target[1] is None:
                found.add((target[0], ref.attr))
        elif isinstance(ref, ast.Name):
            if ref.id in local:
                found.add((module, ref.id))
            elif (target := bound.get(ref.id)) is not None and target[1] is not None:
                found.add(target)  # type: ignore[arg-type]
    return found


def _is_commit(node: ast.AST) -> bool:
    return any(isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
               and call.func.attr == "commit" and ast.unparse(call.func.value) == "db.session"
               for call in ast.walk(node))


@dataclass
class Functions:
    """The top-level functions of the project's modules, what each refers to, and who
    refers to each function from where."""

    defined: dict[tuple[str, str], ast.AST]
    refers: dict[tuple[str, str], set[tuple[str, str]]]  # function -> functions it uses
    users: dict[tuple[str, str], set[str]]  # function -> modules that use it

    def committing(self) -> set[tuple[str, str]]:
        """Functions that commit a transaction: their own body calls ``db.session.commit()``,
        or a function they use (transitively) does."""
        found = {key for key, node in self.defined.items() if _is_commit(node)}
        grew = True
        while grew:
            grew = False
            for key, targets in self.refers.items():
                if key not in found and targets & found:
                    found.add(key)
                    grew = True
        return found


def functions(root: Path = ROOT) -> Functions:
    """Read every module's top-level functions and references (nothing is imported)."""
    known = module_files(root)
    defined: dict[tuple[str, str], ast.AST] = {}
    refers: dict[tuple[str, str], set[tuple[str, str]]] = {}
    users: dict[tuple[str, str], set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text("utf-8"))
        bound = _bindings(module, path, tree, known)
        local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                defined[(module, node.name)] = node
                refers[(module, node.name)] = _targets(node, module, bound, local)
        for target in _targets(tree, module, bound, set()):
            users.setdefault(target, set()).add(module)
    return Functions(defined, refers, users)
