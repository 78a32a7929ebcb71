"""Platform: who acts and what they may see (principal, scope), the append-only audit trail,
durable jobs and in-transaction events, the scheduler of periodic jobs, counters and rate
limits, the platform's PKI and certificate revocation, field-key rotation, and the employers'
webhooks.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.platform.access_chain import anchor as anchor_access_log
from app.services.platform.access_log import record_read as record_access
from app.services.platform.jobs import claim as claim_job
from app.services.platform.jobs import execute as execute_job
from app.services.platform.jobs import run_pending, work_forever
from app.services.platform.keys import rotate_field_key
from app.services.platform.revocation import revoke as revoke_certificate
from app.services.platform.schedule import claim as claim_scheduled_run
from app.services.platform.schedule import run_due as run_scheduled_jobs
from app.services.platform.schedule import run_forever as schedule_forever
from app.services.platform.webhook_delivery import deliver as deliver_webhook
from app.services.platform.webhooks import disable as disable_webhook
from app.services.platform.webhooks import on_audit as tell_webhooks_of_audit
from app.services.platform.webhooks import register as register_webhook
from app.services.platform.webhooks import replay as replay_delivery

__all__ = [
    "anchor_access_log",
    "record_access",
    "claim_job",
    "execute_job",
    "run_pending",
    "work_forever",
    "rotate_field_key",
    "revoke_certificate",
    "claim_scheduled_run",
    "run_scheduled_jobs",
    "schedule_forever",
    "deliver_webhook",
    "register_webhook",
    "disable_webhook",
    "replay_delivery",
    "tell_webhooks_of_audit",
]
