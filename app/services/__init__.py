"""Use cases, one function and one transaction each, grouped by context.

Each context is a package whose front door (its ``__init__``) lists its use cases — the
functions that commit a transaction, and the job handlers and event subscribers that run in
one — in ``__all__``. Its modules hold the reads and helpers beside them. A context imports
only the contexts below it, as :data:`CONTEXTS` declares (``tests/test_architecture.py``
holds the code to it); where a lower context must make a higher one act, it publishes an
event (:mod:`app.services.platform.events`) that the higher one subscribes to at start-up
(:mod:`app.services.wiring`, which also registers every job handler).
"""

#: context -> the contexts it may import (its own modules aside), lowest first
CONTEXTS: dict[str, tuple[str, ...]] = {
    # who acts and what they may see, audit trail, jobs, events, PKI, webhooks, rate limits
    "platform": (),
    # text messages: queued as durable jobs, sent by a provider with a fallback and send
    # limits, the delivery log and the providers' receipts
    "messaging": ("platform",),
    # organizations, users, API keys, auditors, passwords, login sessions, registration
    "accounts": ("platform", "messaging"),
    # region tables with effective dates: minimum wages, wage-arrears thresholds
    "standards": ("platform",),
    # contract templates, their versions, employer copies and texts
    "templates": ("platform",),
    # drafting, the rule engine, documents, the signing link, the employer's list and exports
    "contracts": ("platform", "messaging", "standards", "templates"),
    # the worker's path on the phone: the link, identity by SMS code, reading, signing
    "worker_signing": ("platform", "messaging", "templates", "contracts"),
    # automatic filing, evidence packages, verification, auditors' search, staff register
    "filing": ("platform", "contracts"),
    # after sending: void, resend, decline, reminders, amendment, renewal, termination,
    # certificate, expiry notices, bulk actions
    "lifecycle": ("platform", "messaging", "accounts", "templates", "contracts", "worker_signing",
                  "filing"),
    # roster files checked and launched as batches of contracts
    "batches": ("platform", "standards", "templates", "contracts"),
    # construction projects, their archives, attendance and payroll, wage reconciliation
    "projects": ("platform", "messaging", "standards", "batches"),
    # the worker's own space: sign-in by SMS code, every signed contract, pay, history
    "worker_space": ("platform", "messaging", "contracts", "lifecycle"),
    # filings out to the 人社 systems: the incremental export, bureau keys, deadlines, late list
    "exports": ("platform", "contracts"),
    # the bureau's county employment register: employers, in service, hires and leavers,
    # workers seen in attendance or payroll without a contract
    "bureau": ("platform", "contracts", "projects"),
    # real-time feeds: attendance and bank pay-out pushes, their scoped keys, re-reconciliation
    # of the worker-months they touch
    "feeds": ("platform", "standards", "projects"),
    # the archive over the years: bulk evidence ZIPs and batch re-verification, as jobs
    "archive_jobs": ("platform", "contracts", "filing"),
}
