"""Production settings, checked the way production starts them: a fresh process, env only."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Start from a clean slate for every variable settings.py reads that matters here, so the
    # test runner's own defaults (pytest-env) don't leak into "production".
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "HTTPS", "MLL_REQUIRE_MFA"):
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def production_env(tmp_path) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mll.example.org",
        "SITE_URL": "https://mll.example.org",
        "MLL_VAR_DIR": str(tmp_path / "var"),
    }


def test_deploy_check_passes_with_production_values(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    # An empty value, not an absent one: settings.py also reads a developer's .env file,
    # which could otherwise supply a key.
    env = {**production_env(tmp_path), "SECRET_KEY": ""}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_development_key_when_debug_is_off(tmp_path):
    env = {**production_env(tmp_path), "SECRET_KEY": "django-insecure-" + "x" * 50}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
