import config


def test_layers_defaults_environment_instance(tmp_path):
    (tmp_path / "portal.cfg").write_text('AGENCY_NAME = "Springfield"\n')
    cfg = config.load(str(tmp_path), environ={"PORTAL_BASE_URL": "https://records.example.gov/",
                                              "PORTAL_STORAGE": "s3", "PORTAL_HTTPS": "true",
                                              "OTHER": "ignored"})
    assert cfg["BASE_URL"] == "https://records.example.gov"
    assert cfg["STORAGE"] == "s3" and cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["AGENCY_NAME"] == "Springfield"
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path / 'portal.db'}"


def test_secret_is_generated_once_and_kept(tmp_path):
    first = config.load(str(tmp_path), environ={})
    second = config.load(str(tmp_path), environ={})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["WATERMARK_KEY"] != first["SECRET_KEY"]
    other = config.load(str(tmp_path / "elsewhere"), environ={})
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_environment_secret_wins_over_generation(tmp_path):
    cfg = config.load(str(tmp_path), environ={"PORTAL_SECRET_KEY": "from-env"})
    assert cfg["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_postgresql_statements_are_planned_for_their_own_values(app, ctx):
    """psycopg would prepare a statement on its fifth run, and PostgreSQL may then give it a
    generic plan that ignores the values (a one-assignee queue went from 3 to 40 ms of SQL)."""
    import sqlalchemy as sa

    from portal.extensions import db
    if app.config["BACKEND"] != "postgres":
        assert "prepare_threshold" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
        return
    for n in range(10):
        db.session.execute(sa.text("SELECT count(*) FROM record_requests WHERE assignee_id = :a"), {"a": n})
    assert db.session.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar() == 0
