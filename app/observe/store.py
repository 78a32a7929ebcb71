"""Count the archive's failures: ``laborsign_object_store_errors_total{backend,operation}``.

:func:`counting` wraps the app's :class:`archive.ObjectStore` (``archive_ext.store()``) in a
thin proxy: every public method is called as before and raises what it raised before; a
failure of the backend (unreachable, integrity, a disk error, a refused write) is counted
on its way out. A missing object (``ObjectNotFound``: ``exists`` asks that way) and invalid
arguments (``ValueError``) are the caller's answers, not store errors, and are not counted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from types import GeneratorType
from typing import Any

from app.metrics import OBJECT_STORE_ERRORS
from archive import ObjectNotFound

NOT_COUNTED = (ObjectNotFound, ValueError)


def backend_name(store: object, configured: str = "") -> str:
    """``"s3"`` or ``"local"`` by the store's class (``configured`` for other stores)."""
    from archive import LocalObjectStore, S3ObjectStore

    if isinstance(store, S3ObjectStore):
        return "s3"
    if isinstance(store, LocalObjectStore):
        return "local"
    return configured or type(store).__name__.lower()


def count(backend: str, operation: str) -> None:
    """Count one failed operation."""
    OBJECT_STORE_ERRORS.labels(backend=backend, operation=operation).inc()


class CountingStore:
    """``store`` with its failures counted (see the module doc); everything else delegated."""

    def __init__(self, store: object, backend: str) -> None:
        self.wrapped = store
        self.backend = backend

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.wrapped, name)
        if name.startswith("_") or not callable(value):
            return value
        return self._counted(name, value)

    def _counted(self, operation: str, method: Callable) -> Callable:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = method(*args, **kwargs)
            except NOT_COUNTED:
                raise
            except Exception:
                count(self.backend, operation)
                raise
            if isinstance(result, GeneratorType):  # list(): failures surface while iterating
                return self._iterate(operation, result)
            return result

        return call

    def _iterate(self, operation: str, items: Iterator) -> Iterator:
        try:
            yield from items
        except NOT_COUNTED:
            raise
        except Exception:
            count(self.backend, operation)
            raise

    def __repr__(self) -> str:
        return f"<CountingStore {self.wrapped!r}>"


def counting(store: object, configured: str = "") -> object:
    """``store`` wrapped in a :class:`CountingStore` (once: a wrapped store is returned as is)."""
    if isinstance(store, CountingStore):
        return store
    return CountingStore(store, backend_name(store, configured))
