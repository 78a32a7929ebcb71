"""Real-time feeds: attendance pushed by site devices or the housing department's platform,
pay-out results pushed by the banks, their scoped keys, and re-reconciliation of the
worker-months they touch.

Its use cases (each one transaction; the job handler runs in its job's) are listed in
``__all__``; reads and helpers are in its modules (:mod:`.keys`, :mod:`.push`,
:mod:`.rereconcile`).
"""

from app.services.feeds.keys import create_key, revoke_key
from app.services.feeds.project_keys import create_project_key, revoke_project_key
from app.services.feeds.push import push_attendance, push_payments
from app.services.feeds.rereconcile import reconcile_touched

__all__: list[str] = [
    "create_key",
    "revoke_key",
    "push_attendance",
    "push_payments",
    "reconcile_touched",
    "create_project_key",
    "revoke_project_key",
]
