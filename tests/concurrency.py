"""Running the same work in several threads at once, each with its own database connection:
what the exactly-once tests use to make claims race for real (on PostgreSQL)."""

import threading

from django.db import connection


def run_at_once(target, threads: int) -> list:
    """Run `target()` in `threads` threads released together; return what each returned."""
    start = threading.Barrier(threads, timeout=30)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(target())
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    assert len(results) == threads
    return results
