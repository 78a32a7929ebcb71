"""gunicorn settings (read by default from the working directory): ``gunicorn wsgi:app``.

Access and error logs never contain one-time link tokens: the logger class below redacts
``/s/<token>``, ``/api/v1/sign/<token>/...``, ``/password/reset/<token>``,
``/account/invite/<token>`` (any path segment after /s/, /sign/, /reset/, /invite/), and
masks phone, ID and bank numbers.

``LOG_FORMAT=json``: both logs are one JSON object a line, as the app's own
(:mod:`app.observe.logs`); an access line carries ``method``, ``path`` (redacted),
``status``, ``bytes``, ``duration`` and the ``request_id`` the app answered with.

``PROMETHEUS_MULTIPROC_DIR``: the workers' metrics are summed from that folder (created at
start); a worker that exits is marked dead there (``child_exit``).
Everything else is gunicorn's default or the command line's (``--bind``, ``--workers``...).
"""

import logging
import os
import sys

from gunicorn.glogging import Logger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app.logging_redact import RedactTokens  # noqa: E402

JSON_LOGS = os.environ.get("LOG_FORMAT", "text").strip().lower() == "json"


class AccessFields(logging.Filter):
    """Copy an access record's fields (gunicorn's atoms) onto it for the JSON formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            seconds = atoms.get("L", "-")
            record.__dict__.update({
                "method": atoms.get("m"), "path": atoms.get("U"), "status": atoms.get("s"),
                "bytes": atoms.get("B"), "remote_addr": atoms.get("h"),
                "duration": float(seconds) if seconds not in ("-", None) else None,
                "request_id": atoms.get("{x-request-id}o") or None})
        return True


class RedactingLogger(Logger):
    """gunicorn's logger with :class:`app.logging_redact.RedactTokens` on both logs (and the
    app's JSON formatter on both when ``LOG_FORMAT=json``)."""

    def setup(self, cfg):
        super().setup(cfg)
        if JSON_LOGS and not any(isinstance(f, AccessFields) for f in self.access_log.filters):
            self.access_log.addFilter(AccessFields())  # before the redaction drops the atoms
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactTokens) for f in log.filters):
                log.addFilter(RedactTokens())
            if JSON_LOGS:
                from app.observe.logs import JsonLogFormatter

                for handler in log.handlers:
                    handler.setFormatter(JsonLogFormatter())


def on_starting(server):
    """Create the metrics folder of multiprocess mode."""
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A worker exited: drop its live-gauge files (prometheus-client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


logger_class = RedactingLogger
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
