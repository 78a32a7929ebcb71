"""Flask extensions, created unbound and initialised in :func:`app.create_app`.

Besides the third-party ones (database, migrations, login, CSRF, Babel) the platform's own
resources are extensions too: the archive store, the SMS gateway, the PKI objects and the
personal-data keys. Each keeps its per-app state in ``app.extensions`` under its own name
(the Flask convention), reads the config in ``init_app`` and builds what may be down at start
(S3) or is expensive (keys, fonts) lazily at first use. Tests swap the store and the SMS
gateway per test with ``archive_ext.use(...)`` and ``sms_ext.use(...)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app import pii, sms

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations get stable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Lazy(Generic[T]):
    """A value built once at first use (thread-safe); ``set`` replaces it, ``reset`` drops it."""

    def __init__(self) -> None:
        self._value: T | None = None
        self._lock = threading.RLock()

    def get(self, build: Callable[[], T]) -> T:
        """The value, built with ``build`` when absent (a failed build is retried next time)."""
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = build()
                value = self._value
        return value

    def set(self, value: T | None) -> None:
        """Replace the value (``None``: build again at next use)."""
        with self._lock:
            self._value = value

    def reset(self) -> None:
        """Forget the value; the next :meth:`get` builds it again from the config."""
        self.set(None)


class _AppExtension:
    """Per-app state kept in ``app.extensions[self.name]``."""

    name = ""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Attach fresh state to ``app``."""
        app.extensions[self.name] = self._new_state(app)

    def _new_state(self, app: Flask) -> Any:
        raise NotImplementedError

    def state(self, app: Flask | None = None) -> Any:
        """This extension's state on ``app`` (default: the current app)."""
        app = app or current_app
        try:
            return app.extensions[self.name]
        except KeyError:
            raise RuntimeError(f"{type(self).__name__} is not initialised on this app "
                               "(use app.create_app)") from None


class Archive(_AppExtension):
    """The archive object store (local folder or S3/MinIO), opened from the config at first
    use: S3 may be down when the app starts; a failed opening is retried at the next use."""

    name = "laborsign.archive"

    def _new_state(self, app: Flask) -> Lazy:
        return Lazy()

    def store(self, app: Flask | None = None):
        """The app's :class:`archive.ObjectStore`, its failures counted in the metrics
        (:mod:`app.observe.store`; behaviour unchanged).

        :raises archive.ArchiveUnavailable: S3 is unreachable (creating the bucket failed).
        """
        from app.observe.store import count, counting

        configured = (app or current_app).config.get("ARCHIVE_BACKEND", "")
        try:
            store = self.state(app).get(_open_archive)
        except Exception:
            count(configured, "open")
            raise
        return counting(store, configured)

    def use(self, store, app: Flask | None = None) -> None:
        """Use ``store`` from now on (tests, tools); ``None``: reopen from the config."""
        self.state(app).set(store)


def _open_archive():
    from archive import open_store

    store = open_store(current_app.config)
    if not hasattr(store, "ensure_bucket"):
        return store
    if current_app.config.get("PRODUCTION"):
        # production never creates its bucket at run time (a mistyped S3_BUCKET or a wiped
        # MinIO must not be answered with a new empty bucket): `flask archive init` does it
        store.healthcheck()
    else:  # embedded default and tests: a new bucket gets object lock on
        store.ensure_bucket()
    return store


@dataclass
class SmsState:
    """The primary gateway (``SMS_BACKEND``) and the fallback (``SMS_FALLBACK_BACKEND``)."""

    primary: Lazy = field(default_factory=Lazy)
    fallback: Lazy = field(default_factory=Lazy)


class Sms(_AppExtension):
    """The SMS gateways chosen by ``SMS_BACKEND`` and ``SMS_FALLBACK_BACKEND`` (checked when
    the app starts; in production a provider backend without its credentials is refused)."""

    name = "laborsign.sms"

    def _new_state(self, app: Flask) -> SmsState:
        problems = sms.config_problems(app.config)
        unknown = [p for p in problems if p.startswith("unknown") or "must differ" in p]
        if unknown or (problems and app.config.get("PRODUCTION")):
            raise sms.SmsConfigError("; ".join(unknown or problems))
        return SmsState()

    def gateway(self, app: Flask | None = None) -> sms.SmsGateway:
        """The app's :class:`app.sms.SmsGateway`."""
        return self.state(app).primary.get(_open_sms)

    def fallback(self, app: Flask | None = None) -> sms.SmsGateway | None:
        """The second provider, tried when the first is down or throttling (None: none)."""
        state = self.state(app)
        if not ((app or current_app).config.get("SMS_FALLBACK_BACKEND") or state.fallback._value):
            return None
        return state.fallback.get(_open_fallback)

    def use(self, gateway, app: Flask | None = None) -> None:
        """Use ``gateway`` from now on (tests); ``None``: rebuild from the config."""
        self.state(app).primary.set(gateway)

    def use_fallback(self, gateway, app: Flask | None = None) -> None:
        """Use ``gateway`` as the fallback (tests); ``None``: rebuild from the config."""
        self.state(app).fallback.set(gateway)


def _open_sms() -> sms.SmsGateway:
    return sms.BACKENDS[current_app.config["SMS_BACKEND"]](current_app.config)


def _open_fallback() -> sms.SmsGateway:
    return sms.BACKENDS[current_app.config["SMS_FALLBACK_BACKEND"]](current_app.config)


@dataclass
class PkiState:
    """The PKI objects of one app, each built at first use by :mod:`app.services.platform.pki`."""

    ca: Lazy = field(default_factory=Lazy)
    font: Lazy = field(default_factory=Lazy)
    tsa: Lazy = field(default_factory=Lazy)
    signer: Lazy = field(default_factory=Lazy)
    seals: dict[str, bytes] = field(default_factory=dict)
    # (revocation state, built at, DER) of the issuing CA's CRL; (built at, DER) of the root's
    issuing_crl: tuple | None = None
    root_crl: tuple | None = None
    # the TSA's block of reserved serial numbers (app.services.platform.pki.SerialBlocks)
    serials: object | None = None


class Pki(_AppExtension):
    """The platform CA, TSA, signer, font, seal images and CRL caches of the app."""

    name = "laborsign.pki"

    def _new_state(self, app: Flask) -> PkiState:
        return PkiState()

    def reset(self, app: Flask | None = None) -> None:
        """Forget every built object (after a config change, e.g. ``TSA_URL``)."""
        self.init_app(app or current_app)


class PiiKeys(_AppExtension):
    """The personal-data keys (field encryption, keyed hashes), derived once from the config."""

    name = pii.STATE

    def _new_state(self, app: Flask) -> pii.Keys:
        return pii.derive_keys(app.config)

    def reload(self, app: Flask | None = None) -> None:
        """Derive the keys again (after changing ``PII_KEY`` / ``PII_FIELD_KEYS``)."""
        app = app or current_app
        self.init_app(app)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
archive_ext = Archive()
sms_ext = Sms()
pki_ext = Pki()
pii_ext = PiiKeys()
