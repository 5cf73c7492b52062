"""A public-records request portal with tracked disclosures."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> "Flask":
    # Imported here so the pure libraries (portal.watermark, portal.storage) load without Flask.
    import config

    from .core.web import Portal

    app = Portal(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(config.load(app.instance_path, test_config))

    from . import models  # noqa: F401  (every model registered before migrations look)
    from .extensions import csrf, db, login_manager, migrate
    from .record_requests.search import include_object

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR") or _migrations_dir()),
                     include_object=include_object)
    login_manager.init_app(app)
    csrf.init_app(app)

    from .auth.passwords import configure as configure_passwords
    configure_passwords(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_KIB"],
                        app.config["ARGON2_PARALLELISM"])

    from .core import web
    web.install(app)

    from .api import bp as api_bp
    from .audit.views import bp as audit_bp
    from .auth.admin_views import bp as admin_bp
    from .auth.views import bp as auth_bp, install_login
    from .core.views import bp as core_bp
    from .clawback.views import bp as clawback_bp
    from .disclosures.views import bp as disclosures_bp
    from .record_requests.log_views import bp as log_bp
    from .record_requests.staff_views import bp as staff_bp
    from .record_requests.views import bp as requests_bp
    from .records.views import bp as records_bp
    from .digests.views import bp as digests_bp
    from .screening.views import bp as screening_bp
    from .redaction.views import bp as redaction_bp
    from .workspace.views import bp as workspace_bp
    install_login(app)
    from . import i18n
    i18n.install(app)
    from .jobs import heartbeat
    heartbeat.install(app)
    from .core import formats
    formats.install(app)
    for bp in (core_bp, auth_bp, admin_bp, audit_bp, requests_bp, staff_bp, log_bp, disclosures_bp,
               clawback_bp, records_bp, digests_bp, screening_bp, redaction_bp, workspace_bp, api_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # the API authenticates by bearer token, never by cookie

    if app.config["PROXIES"]:  # trust X-Forwarded-* only from the configured number of proxies
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    # The stored objects each area's rows name, for `flask storage check` (the store knows no area).
    from .disclosures.copies import stored_keys as copy_keys
    from .records.services import stored_keys as upload_keys
    from .storage.cli import register_keys
    for source in (upload_keys, copy_keys):
        register_keys(app, source)

    from .cli import register as register_cli
    register_cli(app)
    return app


def _migrations_dir():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent / "migrations"
