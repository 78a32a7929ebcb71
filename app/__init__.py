"""The Flask application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import get_locale, lazy_gettext

from app.extensions import (
    archive_ext,
    babel,
    csrf,
    db,
    login_manager,
    migrate,
    pii_ext,
    pki_ext,
    sms_ext,
)

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(config: object | dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "app" / "static"),
    )
    register_config(app, config)
    register_observability(app)
    register_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    register_template_filters(app)
    hops = app.config.get("TRUST_PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def register_template_filters(app: Flask) -> None:
    """The filters that show internal values as people read them (:mod:`app.display`):
    ``|beijing``, ``|bj_minute``, ``|bj_date``, ``|actor_name``, ``|audit_action``, ...."""
    from app import display

    display.init_app(app)


REQUIRED_SECRETS = ("SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE")


class ProductionConfigError(RuntimeError):
    """Production mode (``LABORSIGN_ENV=production``) without its required settings."""


def register_config(app: Flask, config: object | dict | None) -> None:
    """Load config.Config (or the given object/dict); in production mode check the secrets,
    in the embedded default fill missing ones from ``instance/``."""
    from config import Config

    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config.get("PRODUCTION"):
        check_production(app)
    from app.services.exports.deadlines import check_settings

    check_settings(app.config)  # filing deadlines per region: refuse a malformed value now
    instance = Path(app.config["INSTANCE_DIR"])
    for name in REQUIRED_SECRETS:
        if not app.config.get(name):
            app.config[name] = _instance_secret(instance, name.lower())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from app.logging_redact import install

    install("werkzeug")  # the dev server's access log: no signing-link tokens


def check_production(app: Flask) -> None:
    """Refuse to start in production mode with a missing secret or with debug on.

    :raises ProductionConfigError: naming every missing or wrong setting.
    """
    problems = [f"{name} is not set" for name in REQUIRED_SECRETS if not app.config.get(name)]
    if app.debug or app.config.get("DEBUG") or os.environ.get("FLASK_DEBUG", "").strip().lower() in (
            "1", "true", "yes", "on"):
        problems.append("debug mode is on (unset FLASK_DEBUG / DEBUG)")
    if (weak := _weak_password_hash(app.config.get("PASSWORD_HASH_METHOD", ""))):
        problems.append(weak)
    if problems:
        raise ProductionConfigError("LABORSIGN_ENV=production refuses to start: "
                                    + "; ".join(problems)
                                    + ". Set them in the environment of every app instance "
                                      "(the same values everywhere).")


def _weak_password_hash(method: str) -> str | None:
    """Why ``method`` (werkzeug's ``scrypt:N:r:p``) is weaker than production needs, or None."""
    from werkzeug.security import generate_password_hash

    from config import PRODUCTION_PASSWORD_HASH_METHOD

    floor = [int(n) for n in PRODUCTION_PASSWORD_HASH_METHOD.split(":")[1:]]
    kind, _, params = method.partition(":")
    try:
        values = [int(n) for n in params.split(":")]
    except ValueError:
        values = []
    if kind != "scrypt" or len(values) != 3 or any(v < f for v, f in zip(values, floor, strict=True)):
        return (f"PASSWORD_HASH_METHOD {method!r} is weaker than "
                f"{PRODUCTION_PASSWORD_HASH_METHOD!r}")
    try:  # e.g. N not a power of two: every login would fail
        generate_password_hash("probe", method=method)
    except ValueError as exc:
        return f"PASSWORD_HASH_METHOD {method!r} cannot hash: {exc}"
    return None


def _instance_secret(instance: Path, name: str) -> str:
    """A random secret kept in ``instance/`` (embedded default only; set env in production)."""
    path = instance / f".{name}"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _locale() -> str:
    """Chinese first: ``?lang=``, then the ``lang`` cookie, then Accept-Language."""
    lang = request.args.get("lang") or request.cookies.get("lang")
    if lang in ("zh_CN", "en"):
        return lang
    return "en" if request.accept_languages.best_match(["zh_CN", "zh", "en"]) == "en" else "zh_CN"


def _remember_language(response):
    lang = request.args.get("lang")
    if lang in ("zh_CN", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def register_observability(app: Flask) -> None:
    """Logs (text or JSON), request ids, request metrics and ``/metrics`` (:mod:`app.observe`);
    first, so that its hooks see every request whole."""
    from app import observe

    observe.init_app(app)


def register_security(app: Flask) -> None:
    """Security headers, cookie flags, bounded ``<int:…>`` URLs, the request-input guard."""
    from app import request_guard, security, uploads

    security.init_app(app)
    request_guard.init_app(app)
    uploads.init_app(app)  # per-kind body limits of upload forms


def register_extensions(app: Flask) -> None:
    """Bind db, migrations, login, CSRF, Babel, the platform's resources and jobs to ``app``."""
    from app import models  # noqa: F401 - registers the tables
    from app.services import wiring

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # the embedded default's web process, scheduler and job threads share one file: a
        # writer waits up to 30 s for another's commit (sqlite3's own default is 5 s)
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    # every context's job handlers, text-message kinds and event subscribers: first, so that
    # the SMS extension checks its settings against every message kind
    wiring.init_app(app)
    for extension in (pii_ext, archive_ext, sms_ext, pki_ext):
        extension.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("请先登录")
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale,
                   default_translation_directories=str(BASE_DIR / "app" / "translations"))

    app.after_request(_remember_language)
    app.jinja_env.globals["get_locale"] = get_locale

    @login_manager.user_loader
    def _load_user(user_id: str):
        """The user of a live server-side session (see app.services.accounts.sessions), else None."""
        from flask import session

        from app.services.accounts import sessions

        return sessions.load(user_id, session.get(sessions.COOKIE_KEY))


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature; the JSON API is exempt from cookie CSRF (bearer tokens)."""
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.admin.sms import receipts_bp
    from app.api import bp as api_bp
    from app.audit import bp as audit_bp
    from app.auth import bp as auth_bp
    from app.bureau import bp as bureau_bp
    from app.ca import bp as ca_bp
    from app.employer import bp as employer_bp
    from app.health import bp as health_bp
    from app.portal import bp as portal_bp
    from app.projects import bp as projects_bp
    from app.verify import bp as verify_bp
    from app.worker import bp as worker_bp

    for bp in (auth_bp, employer_bp, worker_bp, audit_bp, ca_bp, verify_bp, admin_bp, health_bp,
               account_bp, projects_bp, portal_bp, receipts_bp, bureau_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)
    csrf.exempt(ca_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_error_handlers(app: Flask) -> None:
    """Clear errors as HTML or JSON, never a bare 500 page; a refused form shown again."""
    from app import surface
    from app.errors import register_error_handlers as register

    register(app)
    surface.init_app(app)


def register_cli(app: Flask) -> None:
    """``flask seed-demo``, ``flask jobs work``, ``flask ca ...`` and the rest (:mod:`app.cli`)."""
    from app.cli import register

    register(app)
