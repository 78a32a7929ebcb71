"""Accounts and access: organizations and their users, API keys, auditors and their scopes,
passwords (policy, one-time links, changes), login sessions, employer self-registration and
its review, headless provisioning for operators.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.accounts.accounts import change_role, invite_user, set_user_active
from app.services.accounts.apikeys import create as create_api_key
from app.services.accounts.apikeys import create_for_organization as create_api_key_for_organization
from app.services.accounts.apikeys import revoke as revoke_api_key
from app.services.accounts.apikeys import revoke_by_prefix as revoke_api_key_by_prefix
from app.services.accounts.auditors import create_auditor, set_auditor_active, update_scope
from app.services.accounts.password_changes import change_password, request_reset, use_link
from app.services.accounts.provisioning import create_organization, create_user, deactivate_user
from app.services.accounts.registration import decide as decide_registration
from app.services.accounts.registration import register_employer
from app.services.accounts.sessions import end as log_out
from app.services.accounts.sessions import log_in

__all__ = [
    "invite_user",
    "change_role",
    "set_user_active",
    "create_api_key",
    "revoke_api_key",
    "create_api_key_for_organization",
    "revoke_api_key_by_prefix",
    "create_auditor",
    "update_scope",
    "set_auditor_active",
    "use_link",
    "change_password",
    "request_reset",
    "create_organization",
    "create_user",
    "deactivate_user",
    "register_employer",
    "decide_registration",
    "log_in",
    "log_out",
]
