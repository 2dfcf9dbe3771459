"""The standing cast: admin, two facilitators, members of org A and org B, outsider, anonymous.

Lab 1 (Chicago) has org A and org B; lab 2 has its own facilitator and org C.
"""

import os

import pytest

from tests.factories import (
    PASSWORD,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    UserFactory,
    seed_client_groups,
)


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The manifest needs collectstatic; tests serve static files straight from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Per-test memory cache: rate-limit counters must not leak between tests or runs.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _client_group_vocabulary(request):
    """Every test with a database finds the vocabulary its data migration creates.

    A transactional test (browser, Celery worker) ends with a flush that empties every
    table, migration data included, so it is put back before each test that needs it.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    seed_client_groups()


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Unit tests run queued work inline; tests that need the real worker start one.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def admin_user(db):
    return UserFactory(admin=True, email="admin@example.org", name="Ada Admin")


@pytest.fixture
def facilitator(db):
    return UserFactory(email="fran@example.org", name="Fran Facilitator")


@pytest.fixture
def facilitator2(db):
    return UserFactory(email="felix@example.org", name="Felix Facilitator")


@pytest.fixture
def lab(facilitator):
    return LabFactory(name="Chicago MLL", facilitators=[facilitator], with_agreement=True)


@pytest.fixture
def lab2(facilitator2):
    return LabFactory(name="Detroit MLL", facilitators=[facilitator2], with_agreement=True)


@pytest.fixture
def org_a(lab):
    org = OrganizationFactory(name="Out in Tech Chicago", client_groups=["lgbtqia-technologists"])
    ParticipationFactory(lab=lab, organization=org)
    return org


@pytest.fixture
def org_b(lab):
    org = OrganizationFactory(name="Latinas Building Tech", client_groups=["latina-women"])
    ParticipationFactory(lab=lab, organization=org)
    return org


@pytest.fixture
def org_c(lab2):
    org = OrganizationFactory(name="Motor City Mentors", client_groups=["black-technologists"])
    ParticipationFactory(lab=lab2, organization=org)
    return org


@pytest.fixture
def member_a(org_a):
    return MembershipFactory(organization=org_a, user__email="ana@orga.example").user


@pytest.fixture
def member_b(org_b):
    return MembershipFactory(organization=org_b, user__email="bea@orgb.example").user


@pytest.fixture
def outsider(db):
    return UserFactory(email="oscar@elsewhere.example")


@pytest.fixture
def login(client):
    """Sign a user in on the test client: `login(user)`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def postgresql():
    """For tests of concurrent claims and locks: they only prove something on PostgreSQL
    (SQLite has one writer and ignores row locks)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_required("postgresql")("this test needs PostgreSQL: set DATABASE_URL")


def service_required(name: str):
    """Fail, not skip, when CI lacks a service the test needs."""
    if os.environ.get("CI"):
        return pytest.fail
    return pytest.skip
