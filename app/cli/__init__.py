"""The command line (``flask --app wsgi <group> <command>``), one module a group:

* ``seed-demo`` (:mod:`.demo`): the embedded default's demo employer, users and a contract;
* ``jobs work`` (:mod:`.jobs`): a job worker;
* ``contracts remind-expiring|remind-unsigned`` (:mod:`.contracts`): the daily and hourly runs;
* ``wages reconcile`` (:mod:`.wages`): every project's wage reconciliation, nightly;
* ``schedule run`` (:mod:`.schedule`): the scheduler running the periodic jobs above;
* ``ca init|revoke`` (:mod:`.ca`): the platform CA;
* ``org``, ``user``, ``apikey`` (:mod:`.accounts`): headless account set-ups;
* ``keys rotate`` (:mod:`.keys`): re-encrypt personal data under the newest field key;
* ``archive …`` (:mod:`.archive`): the bucket, integrity checks, backups;
* ``security report`` (:mod:`.security`): a checklist of the running configuration;
* ``audit verify-chain|anchor`` (:mod:`.audit`): the access log's hash chain and anchors;
* ``filings export``, ``bureau-key create|revoke`` (:mod:`.filings`): filings out to 人社;
* ``feed-key …`` (:mod:`.feeds`): keys of the attendance systems and banks that push data;
* ``archive evidence-zip|reverify`` (:mod:`.archive_jobs`), ``archive renew-timestamps``
  (:mod:`.renewal`): the archive over the years.

Commands are thin as routes are: read the options, call a use case through :func:`.common.run`
(a refusal ends the command with exit code 1 and a message naming the fields), print.
"""

from __future__ import annotations

from flask import Flask

from app.cli import (
    accounts,
    archive,
    archive_jobs,
    audit,
    ca,
    contracts,
    demo,
    feeds,
    filings,
    jobs,
    keys,
    renewal,
    schedule,
    security,
    wages,
)

COMMANDS = (demo.seed_demo_command, jobs.group, contracts.group, wages.group, ca.group,
            *accounts.GROUPS, keys.group, schedule.group, archive.group, security.group,
            audit.group, *filings.GROUPS, *feeds.GROUPS)
ARCHIVE_COMMANDS = (*archive_jobs.ARCHIVE_COMMANDS, *renewal.ARCHIVE_COMMANDS)


def register(app: Flask) -> None:
    """Attach every command and group to ``app.cli``."""
    for command in COMMANDS:
        app.cli.add_command(command)
    for command in ARCHIVE_COMMANDS:
        archive.group.add_command(command)
