"""/healthz: is the database up, can the broker be reached."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from mll.celery import app as celery_app


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the reason is reported
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_state() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
def healthz(request):
    state = {"database": _database_state(), "broker": _broker_state()}
    ok = state["database"] == "ok"
    return JsonResponse({"status": "ok" if ok else "error", **state}, status=200 if ok else 503)
