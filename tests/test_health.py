import pytest
from django.urls import reverse

from mll import health


@pytest.mark.django_db
def test_it_reports_the_database_and_the_broker_as_ok(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_is_never_cached(client):
    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_unreachable_broker_is_reported_but_the_app_stays_healthy(client, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    connect = health.celery_app.connection_for_write
    monkeypatch.setattr(
        health.celery_app,
        "connection_for_write",
        lambda: connect(url="redis://127.0.0.1:1/0"),
    )

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_it_answers_over_plain_http_when_https_is_enforced(client, settings):
    # The container healthcheck talks plain HTTP to gunicorn behind the TLS proxy.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 301


def test_it_needs_no_login(client, django_user_model, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert "database" in response.json()
