"""gunicorn settings (read by default from the working directory): ``gunicorn wsgi:app``.

Access and error logs never contain one-time link tokens: the logger class below redacts
``/s/<token>``, ``/api/v1/sign/<token>/...``, ``/password/reset/<token>``,
``/account/invite/<token>`` (any path segment after /s/, /sign/, /reset/, /invite/).
Everything else is gunicorn's default or the command line's (``--bind``, ``--workers``...).
"""

import os
import sys

from gunicorn.glogging import Logger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app.logging_redact import RedactTokens  # noqa: E402


class RedactingLogger(Logger):
    """gunicorn's logger with :class:`app.logging_redact.RedactTokens` on both logs."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactTokens) for f in log.filters):
                log.addFilter(RedactTokens())


logger_class = RedactingLogger
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
