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
