"""Configuration from the environment, with the embedded default when nothing is set.

Embedded default: SQLite under ``instance/``, the local-filesystem archive under
``instance/archive``, the built-in CA and TSA, the "file" SMS backend, jobs run in-process.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'laborsign.db'}")
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants "postgresql".
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _production() -> bool:
    return os.environ.get("LABORSIGN_ENV", "").strip().lower() == "production"


def _optional_bool(name: str) -> bool | None:
    return None if os.environ.get(name) is None else _bool(name, False)


PRODUCTION_PASSWORD_HASH_METHOD = "scrypt:32768:8:1"


class Config:
    """Settings read once from the environment when the module is imported."""

    # LABORSIGN_ENV=production: refuse to start without SECRET_KEY, PII_KEY, CA_KEY_PASSPHRASE
    # or with debug on (the embedded default generates missing secrets in instance/).
    PRODUCTION = _production()
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    INSTANCE_DIR = str(INSTANCE_PATH)
    SQLALCHEMY_DATABASE_URI = _database_url()
    # PostgreSQL: a server that accepts connections but does not answer is given up after
    # 5 s (readiness probes, requests), not after gunicorn's worker timeout.
    SQLALCHEMY_ENGINE_OPTIONS: dict = (
        {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
        if SQLALCHEMY_DATABASE_URI.startswith("postgresql") else {"pool_pre_ping": True})
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Personal data: the secret from which the keyed-hash key (and, unless PII_FIELD_KEYS is
    # set, the field-encryption key) are derived with HKDF.
    PII_KEY = os.environ.get("PII_KEY", "")
    # Field-encryption secrets, comma-separated, newest first: the first encrypts, all decrypt
    # (key rotation: prepend a new one, restart, run `flask keys rotate`). Empty: PII_KEY.
    PII_FIELD_KEYS = os.environ.get("PII_FIELD_KEYS", "")

    # Archive: "local" (embedded) or "s3" (MinIO in production).
    ARCHIVE_BACKEND = os.environ.get("ARCHIVE_BACKEND", "local")
    ARCHIVE_ROOT = os.environ.get("ARCHIVE_ROOT", str(INSTANCE_PATH / "archive"))
    S3_ENDPOINT = os.environ.get("S3_ENDPOINT", "")
    S3_ACCESS_KEY = os.environ.get("S3_ACCESS_KEY", "")
    S3_SECRET_KEY = os.environ.get("S3_SECRET_KEY", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "laborsign-archive")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_OBJECT_LOCK = _bool("S3_OBJECT_LOCK", True)
    # Server-side encryption of S3 uploads: "" (none), "AES256" (SSE-S3) or "aws:kms".
    S3_SSE = os.environ.get("S3_SSE", "")
    S3_SSE_KMS_KEY_ID = os.environ.get("S3_SSE_KMS_KEY_ID", "")

    # PKI: built-in CA under instance/pki (certificates; PEM keys encrypted with CA_KEY_PASSPHRASE).
    PKI_DIR = os.environ.get("PKI_DIR", str(INSTANCE_PATH / "pki"))
    CA_KEY_PASSPHRASE = os.environ.get("CA_KEY_PASSPHRASE", "")
    # Where the issuing CA and TSA keys live: "pem" (encrypted files in PKI_DIR) or "pkcs11"
    # (an HSM / SoftHSM2 / a licensed CA's token; keys generated there by `flask ca init`).
    CA_KEY_PROVIDER = os.environ.get("CA_KEY_PROVIDER", "pem")
    PKCS11_LIB = os.environ.get("PKCS11_LIB", "/usr/lib/softhsm/libsofthsm2.so")
    PKCS11_TOKEN_LABEL = os.environ.get("PKCS11_TOKEN_LABEL", "laborsign")
    PKCS11_USER_PIN = os.environ.get("PKCS11_USER_PIN", "")
    PKCS11_ISSUING_KEY_LABEL = os.environ.get("PKCS11_ISSUING_KEY_LABEL", "laborsign-issuing-ca")
    PKCS11_TSA_KEY_LABEL = os.environ.get("PKCS11_TSA_KEY_LABEL", "laborsign-tsa")
    # empty: the root key stays an encrypted PEM file in PKI_DIR (only needed for root CRLs)
    PKCS11_ROOT_KEY_LABEL = os.environ.get("PKCS11_ROOT_KEY_LABEL", "")
    CJK_FONT = os.environ.get("CJK_FONT", "")
    TSA_URL = os.environ.get("TSA_URL", "")  # empty: the built-in TSA
    # UUID-derived OID (arc 2.25, unique without registration) = signing.DEFAULT_POLICY_OID
    TSA_POLICY_OID = os.environ.get("TSA_POLICY_OID", "2.25.276313729586418511474774837371687207696")
    SIGNATURE_LEVEL = os.environ.get("SIGNATURE_LEVEL", "B-LTA")

    # SMS (app/sms, app/services/messaging): SMS_BACKEND "file" appends JSON lines to
    # SMS_OUTBOX, "log" only logs (masked), "aliyun" / "tencent" send through Alibaba Cloud /
    # Tencent Cloud SMS; SMS_FALLBACK_BACKEND (empty: none) is tried when the first provider
    # is down, throttling or refuses the template. Each provider has its own signature name
    # (签名) and one template per message kind: "invite=SMS_1,sign_code=SMS_2,..." (kinds in
    # app/services/wiring.py SMS_KINDS). Sends per number and per contract are limited across
    # providers (e.g. "30/hour"; "off": none). Receipts are accepted at
    # /sms/receipts/<provider>/<SMS_CALLBACK_SECRET> (empty: receipts off). Production refuses
    # a provider backend without its credentials, sign name or templates.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")
    SMS_OUTBOX = os.environ.get("SMS_OUTBOX", str(INSTANCE_PATH / "sms-outbox.jsonl"))
    SMS_FALLBACK_BACKEND = os.environ.get("SMS_FALLBACK_BACKEND", "")
    SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "10"))
    SMS_NUMBER_LIMIT = os.environ.get("SMS_NUMBER_LIMIT", "30/hour")
    SMS_CONTRACT_LIMIT = os.environ.get("SMS_CONTRACT_LIMIT", "20/day")
    SMS_CALLBACK_SECRET = os.environ.get("SMS_CALLBACK_SECRET", "")
    ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
    ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
    ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
    ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
    ALIYUN_SMS_TEMPLATES = os.environ.get("ALIYUN_SMS_TEMPLATES", "")
    TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
    TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
    TENCENT_SMS_SDK_APP_ID = os.environ.get("TENCENT_SMS_SDK_APP_ID", "")
    TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
    TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
    TENCENT_SMS_SIGN_NAME = os.environ.get("TENCENT_SMS_SIGN_NAME", "")
    TENCENT_SMS_TEMPLATES = os.environ.get("TENCENT_SMS_TEMPLATES", "")

    # Jobs: inline = run due jobs in-process right after the request that queued them.
    JOBS_INLINE = _bool("JOBS_INLINE", True)
    # Webhook URLs may point at private, loopback or link-local addresses (tests, local demos);
    # off in production: the platform must not be made to call into its own network.
    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", not _production())
    JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "25"))
    # A claimed job is its worker's for this long; a killed worker's job is run again after it.
    JOBS_LEASE_SECONDS = int(os.environ.get("JOBS_LEASE_SECONDS", "300"))
    # Wage-arrears thresholds of the county (defaults: deployed county systems' rules).
    WAGE_UNDERPAID_PERCENT = os.environ.get("WAGE_UNDERPAID_PERCENT", "5")  # more than: flag
    WAGE_LATE_DAYS = int(os.environ.get("WAGE_LATE_DAYS", "0"))  # days after the pay day
    WAGE_BIG_MONTH = os.environ.get("WAGE_BIG_MONTH", "50000")  # yuan, one worker, one month
    WAGE_BIG_YEAR = os.environ.get("WAGE_BIG_YEAR", "300000")  # yuan, one worker, one year
    WAGE_UNPAID_SHARE_PERCENT = os.environ.get("WAGE_UNPAID_SHARE_PERCENT", "10")

    # Worker signing links and one-time codes.
    SIGN_LINK_DAYS = int(os.environ.get("SIGN_LINK_DAYS", "7"))
    # Art. 47 severance cap: the local (county/city) average monthly wage of the previous year
    # as published by the statistics bureau. Unverified placeholder: set it per deployment.
    LOCAL_AVERAGE_MONTHLY_WAGE = os.environ.get("LOCAL_AVERAGE_MONTHLY_WAGE", "7500.00")
    OTP_TTL_SECONDS = int(os.environ.get("OTP_TTL_SECONDS", "600"))
    OTP_MAX_ATTEMPTS = int(os.environ.get("OTP_MAX_ATTEMPTS", "5"))
    OTP_RESEND_SECONDS = int(os.environ.get("OTP_RESEND_SECONDS", "60"))
    SIGN_SESSION_SECONDS = int(os.environ.get("SIGN_SESSION_SECONDS", "1800"))
    # Identity attempts (name + ID number) per signing link, and login attempts per username.
    SIGN_IDENTITY_LIMIT = os.environ.get("SIGN_IDENTITY_LIMIT", "10/15minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/15minute")
    # The worker's own space (/me): sign-in forms per client address, codes texted per person
    # (beyond it no code is sent, the answer stays the same), code entries per client address;
    # sessions end after this much idle time or this total age.
    PORTAL_LOGIN_RATE_LIMIT = os.environ.get("PORTAL_LOGIN_RATE_LIMIT", "60/15minute")
    PORTAL_SMS_LIMIT = os.environ.get("PORTAL_SMS_LIMIT", "5/hour")
    PORTAL_CODE_RATE_LIMIT = os.environ.get("PORTAL_CODE_RATE_LIMIT", "60/15minute")
    PORTAL_IDLE_SECONDS = int(os.environ.get("PORTAL_IDLE_SECONDS", str(15 * 60)))
    PORTAL_MAX_SECONDS = int(os.environ.get("PORTAL_MAX_SECONDS", str(60 * 60)))

    # Accounts: login attempts per (username, client address) above and per client address
    # here; self-registrations and password-reset requests per client address; lifetimes of
    # invitation and reset links; server-side login sessions end after this much idle time or
    # this total age (and always on logout, password change and deactivation).
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "60/15minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10/hour")
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "10/hour")
    INVITE_LINK_HOURS = int(os.environ.get("INVITE_LINK_HOURS", "72"))
    RESET_LINK_MINUTES = int(os.environ.get("RESET_LINK_MINUTES", "30"))
    SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(8 * 3600)))
    SESSION_MAX_SECONDS = int(os.environ.get("SESSION_MAX_SECONDS", str(7 * 86400)))
    # How passwords are hashed (werkzeug's method string): scrypt with N=2^15, r=8, p=1,
    # werkzeug's own default. Production mode refuses anything weaker; only the test suite
    # lowers it (a stored hash names its own method, so it is checked whatever this says).
    PASSWORD_HASH_METHOD = PRODUCTION_PASSWORD_HASH_METHOD

    # Filing numbers: 备案号 prefix is the county's administrative code.
    FILING_REGION_CODE = os.environ.get("FILING_REGION_CODE", "430121")
    # Filings out to the 人社 systems (app/services/exports; README "Filings out to the 人社
    # systems"): registration within N days of the contract's start, deregistration within N
    # days after the last working day ("以内" includes day N), with per-region overrides
    # ("4301=30,430121=20": the longest matching region-code prefix wins); at most this many
    # records a page (the export reads in commit order: no time lag).
    FILING_REGISTER_DAYS = int(os.environ.get("FILING_REGISTER_DAYS", "30"))
    FILING_DEREGISTER_DAYS = int(os.environ.get("FILING_DEREGISTER_DAYS", "15"))
    FILING_REGISTER_DAYS_BY_REGION = os.environ.get("FILING_REGISTER_DAYS_BY_REGION", "")
    FILING_DEREGISTER_DAYS_BY_REGION = os.environ.get("FILING_DEREGISTER_DAYS_BY_REGION", "")
    FILING_EXPORT_PAGE = int(os.environ.get("FILING_EXPORT_PAGE", "500"))

    # Public /verify page: largest upload, and requests per client IP (e.g. "20/minute", "off").
    VERIFY_MAX_BYTES = int(os.environ.get("VERIFY_MAX_BYTES", str(10 * 1024 * 1024)))
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "20/minute")
    # Behind nginx: trust this many X-Forwarded-* hops (client IPs for rate limits, https URLs).
    TRUST_PROXY_HOPS = int(os.environ.get("TRUST_PROXY_HOPS", "0"))

    # Observability (app/observe, app/health; README "Health, metrics and logs").
    # LOG_FORMAT: "text" (embedded default) or "json" (one JSON object a line, the deploy's);
    # tokens, phones, ID and bank numbers are masked in either. LOG_LEVEL: DEBUG, INFO, ...
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    # GET /metrics wants "Authorization: Bearer <METRICS_TOKEN>" when set; unset, it is open
    # in the embedded default and refused (403) in production mode.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # GET /readyz answers 503 when the oldest due queued job has waited longer (0: no check).
    READY_MAX_QUEUE_AGE_SECONDS = int(os.environ.get("READY_MAX_QUEUE_AGE_SECONDS", "900"))
    # Job workers and the scheduler serve their own metrics (texts sent, jobs finished,
    # scheduler runs) on this port, same token rule as /metrics; 0 (default): not served.
    METRICS_PORT = int(os.environ.get("METRICS_PORT", "0"))
    METRICS_ADDR = os.environ.get("METRICS_ADDR", "0.0.0.0")
    # PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself, not here): a folder shared
    # by the gunicorn workers (and job workers) of one host; set = multiprocess metrics.

    # --- feeds (issue 22): attendance and bank pushes ---
    # One push (POST /api/v1/feeds/attendance|payments) carries at most this many records
    # and this many bytes (more: 422 naming ``records``, or 413); a re-reconciliation job
    # takes at most this many workers' pending months per run (the rest: a next run).
    FEED_MAX_RECORDS = int(os.environ.get("FEED_MAX_RECORDS", "1000"))
    FEED_MAX_BYTES = int(os.environ.get("FEED_MAX_BYTES", str(2 * 1024 * 1024)))
    FEED_RECONCILE_PEOPLE = int(os.environ.get("FEED_RECONCILE_PEOPLE", "2000"))
    # --- archive_jobs (issue 22): bulk evidence ZIPs, re-verification ---
    # An auditor's bulk evidence ZIP holds at most this many filed contracts (more: refused
    # before queuing, naming the count); a re-verification at most this many filings. The
    # ZIP is kept in the archive under exports/ for this many days (retained, then gone),
    # stored in parts of this many bytes (never the whole ZIP in memory); a job commits its
    # progress every this many contracts.
    ARCHIVE_ZIP_MAX_CONTRACTS = int(os.environ.get("ARCHIVE_ZIP_MAX_CONTRACTS", "5000"))
    ARCHIVE_REVERIFY_MAX_FILINGS = int(os.environ.get("ARCHIVE_REVERIFY_MAX_FILINGS", "100000"))
    ARCHIVE_EXPORT_DAYS = int(os.environ.get("ARCHIVE_EXPORT_DAYS", "7"))
    ARCHIVE_EXPORT_PART_BYTES = int(os.environ.get("ARCHIVE_EXPORT_PART_BYTES",
                                                   str(64 * 1024 * 1024)))
    ARCHIVE_JOB_PROGRESS_EVERY = int(os.environ.get("ARCHIVE_JOB_PROGRESS_EVERY", "20"))
    # --- timestamp renewal (issue 22): PAdES-LTA archive time-stamps ---
    # README "Archive time-stamp renewal": a filed PDF gets a new document time-stamp when its
    # newest time-stamp's TSA certificate expires within this many days, or its hash
    # algorithm is on the weak list (comma-separated); at most this many filings are queued
    # per scheduled run (daily 04:00 Beijing time; the rest follow the next nights).
    TIMESTAMP_RENEW_BEFORE_DAYS = int(os.environ.get("TIMESTAMP_RENEW_BEFORE_DAYS", "365"))
    TIMESTAMP_WEAK_ALGORITHMS = os.environ.get("TIMESTAMP_WEAK_ALGORITHMS", "md5,sha1,sha224")
    TIMESTAMP_RENEW_BATCH = int(os.environ.get("TIMESTAMP_RENEW_BATCH", "20000"))
    # --- search (issue 22) ---
    # --- exports and register API (issue 22) ---

    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    LANGUAGES = ["zh_CN", "en"]
    # Largest JSON or plain form request. An upload form may carry its file kind's limit plus
    # 1 MiB (app/uploads.py: archive documents and wage imports 20 MB, rosters 5 MB); nginx
    # (deploy/nginx/laborsign.conf) lets 32 MB through so that the app names the limit.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024)))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None = automatic: Secure cookies when BASE_URL is https or in production mode
    # (resolved by create_app; set SESSION_COOKIE_SECURE=true/false to force it).
    SESSION_COOKIE_SECURE = _optional_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class TestConfig(Config):
    """Used by the test suite; the fixtures override the paths per test."""

    TESTING = True
    PRODUCTION = False
    WEBHOOK_ALLOW_PRIVATE = True
    SECRET_KEY = "test-secret-key"
    PII_KEY = "test-pii-key-0123456789abcdef"
    CA_KEY_PASSPHRASE = "test-ca-passphrase"
    BASE_URL = "http://localhost"
    SMS_BACKEND = "file"
    JOBS_INLINE = True
    OTP_RESEND_SECONDS = 0
    # Test-only: scrypt at N=256 instead of 32768 (about 1 ms instead of 130 ms a hash); the
    # production parameters are checked by tests/app/test_production_mode.py.
    PASSWORD_HASH_METHOD = "scrypt:256:8:1"
