"""Archive jobs for a bureau system's key under ``/api/v1/bureau`` (routes on the bureau
blueprint of :mod:`app.api.bureau`)."""

from __future__ import annotations
