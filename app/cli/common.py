"""What every command does around a use case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import current_app

from app.errors import AppError
from app.extensions import db
from app.services import platform

T = TypeVar("T")


def refusal(exc: AppError) -> click.ClickException:
    """A use case's refusal as a CLI error naming the fields (after a rollback)."""
    db.session.rollback()
    named = "; ".join(f"{name}: {problem}"
                      for name, problem in exc.to_dict().get("fields", {}).items())
    return click.ClickException(exc.message + (f" ({named})" if named else ""))


def run(use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``use_case(*args, **kwargs)``; a refusal (AppError) rolls back and ends the command
    with exit code 1 and the message.

    :raises click.ClickException: the use case refused.
    """
    try:
        return use_case(*args, **kwargs)
    except AppError as exc:
        raise refusal(exc) from None


def run_inline_jobs() -> str:
    """With ``JOBS_INLINE`` (no job workers: the embedded default), run the jobs the command
    queued now; the text to add to the command's report."""
    if not current_app.config.get("JOBS_INLINE"):
        return ""
    ran = platform.run_pending(limit=10000)
    return f"; ran {ran} job(s)" if ran else ""
