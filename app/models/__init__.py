"""SQLAlchemy models; importing this package registers every table."""

from app.models.access_log import AccessLogAnchor, AccessLogEntry, AccessLogHead
from app.models.account import AccountToken, UserSession
from app.models.archive_job import ArchiveJob  # archive_jobs (issue 22)
from app.models.batch import BATCH_STATUSES, ROW_STATUSES, Batch, BatchRow
from app.models.bureau import BureauKey
from app.models.contract import (
    CONTRACT_STATUSES,
    DOCUMENT_KINDS,
    Contract,
    ContractDocument,
    Worker,
)
from app.models.expiry import ExpiryNotice
from app.models.feed import FeedKey, FeedPending, FeedReceipt  # feeds (issue 22)
from app.models.ops import AuditEvent, Counter, Filing, Job
from app.models.org import (
    EMPLOYER_ROLES,
    ORG_STATUSES,
    ROLES,
    ApiKey,
    Organization,
    User,
    auditor_employers,
)
from app.models.portal import PortalLogin
from app.models.project import Project, ProjectDocument, ProjectMember
from app.models.ratelimit import RateLimitCounter
from app.models.reminder import SigningReminder
from app.models.renewal import FilingTimestamp  # timestamp renewal (issue 22)
from app.models.schedule import ScheduledRun
from app.models.signing import OtpChallenge, RevokedCertificate, SignatureEvent, SigningLink
from app.models.sms import SMS_STATUSES, SmsDelivery
from app.models.template import TEMPLATE_KINDS, Template, TemplateVersion
from app.models.wage import MinimumWage, WageThreshold
from app.models.wage_record import AttendanceDay, PayRecord, WageFlag
from app.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessLogAnchor",
    "AccessLogEntry",
    "AccessLogHead",
    "BATCH_STATUSES",
    "ROW_STATUSES",
    "Batch",
    "BatchRow",
    "BureauKey",
    "CONTRACT_STATUSES",
    "DOCUMENT_KINDS",
    "EMPLOYER_ROLES",
    "ORG_STATUSES",
    "ROLES",
    "AccountToken",
    "AttendanceDay",
    "ApiKey",
    "AuditEvent",
    "Contract",
    "ContractDocument",
    "Counter",
    "ExpiryNotice",
    "Filing",
    "Job",
    "MinimumWage",
    "Organization",
    "PayRecord",
    "PortalLogin",
    "ScheduledRun",
    "OtpChallenge",
    "Project",
    "ProjectDocument",
    "ProjectMember",
    "RateLimitCounter",
    "RevokedCertificate",
    "SignatureEvent",
    "SigningReminder",
    "SigningLink",
    "SMS_STATUSES",
    "SmsDelivery",
    "TEMPLATE_KINDS",
    "Template",
    "TemplateVersion",
    "User",
    "UserSession",
    "WageFlag",
    "WageThreshold",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Worker",
    "auditor_employers",
]
__all__ += ["FeedKey", "FeedPending", "FeedReceipt"]  # feeds (issue 22)
__all__ += ["ArchiveJob"]  # archive_jobs (issue 22)
__all__ += ["FilingTimestamp"]  # timestamp renewal (issue 22)
