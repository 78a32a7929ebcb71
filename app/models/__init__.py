"""SQLAlchemy models; importing this package registers every table."""

from app.models.contract import CONTRACT_STATUSES, Contract, ContractDocument, Worker
from app.models.ops import AuditEvent, Counter, Filing, Job
from app.models.org import ROLES, ApiKey, Organization, User
from app.models.ratelimit import RateLimitCounter
from app.models.signing import OtpChallenge, RevokedCertificate, SignatureEvent, SigningLink

__all__ = [
    "CONTRACT_STATUSES",
    "ROLES",
    "ApiKey",
    "AuditEvent",
    "Contract",
    "ContractDocument",
    "Counter",
    "Filing",
    "Job",
    "Organization",
    "OtpChallenge",
    "RateLimitCounter",
    "RevokedCertificate",
    "SignatureEvent",
    "SigningLink",
    "User",
    "Worker",
]
