"""Settings: typed, with embedded defaults, and no default secret in production."""

import pytest

from app.config import ConfigError, load_config

STRONG = "x" * 40


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production"}, tmp_path)


def test_production_refuses_short_secrets(tmp_path):
    environ = {"APP_ENV": "production", "SECRET_KEY": STRONG, "JWT_SECRET_KEY": "changeme",
               "OTP_SECRET": STRONG}
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
        load_config(environ, tmp_path)


def test_production_starts_with_strong_secrets_and_generates_nothing(tmp_path):
    environ = {"APP_ENV": "production", "SECRET_KEY": STRONG, "JWT_SECRET_KEY": STRONG + "j",
               "OTP_SECRET": STRONG + "o"}
    config = load_config(environ, tmp_path)
    assert config["JWT_SECRET_KEY"] == STRONG + "j"
    assert not (tmp_path / "secrets.json").exists()


def test_development_generates_secrets_once(tmp_path):
    first = load_config({}, tmp_path)
    second = load_config({}, tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] != first["JWT_SECRET_KEY"]


def test_embedded_defaults(tmp_path):
    config = load_config({}, tmp_path)
    assert config["MONGODB_URI"] is None
    assert config["EMBEDDED_STORE_PATH"].startswith(str(tmp_path))
    assert config["CELERY_BROKER_URL"] is None and config["REDIS_URL"] is None
    assert config["SMS_PROVIDER"] == "console"


@pytest.mark.parametrize("environ,name", [
    ({"APP_ENV": "staging"}, "APP_ENV"),
    ({"SMS_CODE_TTL_SECONDS": "five"}, "SMS_CODE_TTL_SECONDS"),
    ({"SMS_PROVIDER": "pigeon"}, "SMS_PROVIDER"),
    ({"SMS_PROVIDER": "http"}, "SMS_HTTP_URL"),
])
def test_bad_settings_are_refused_with_their_name(tmp_path, environ, name):
    with pytest.raises(ConfigError, match=name):
        load_config(environ, tmp_path)


def test_celery_is_eager_without_a_broker(app):
    assert app.extensions["celery"].conf.task_always_eager is True


def test_the_app_factory_refuses_production_with_default_secrets(tmp_path, monkeypatch):
    from app import create_app

    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "OTP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="refusing to start in production"):
        create_app({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path)})
