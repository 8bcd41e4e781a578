"""Helpers for tests that run real concurrent transactions on PostgreSQL."""

import threading

from django.db import connection, connections
from django.utils import translation


def connection_slots(margin: int = 10) -> int:
    """How many more connections the server takes now, less a margin for other clients."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        )
        return cursor.fetchone()[0] - margin


def run_together(calls) -> tuple[list, list[BaseException]]:
    """Run the calls in one thread each, released at once by a barrier; returns (results,
    errors). Each thread closes its database connection when done. If the server cannot
    take a connection per thread, the threads still start together and queue for one of
    the connections it can take."""
    language = translation.get_language()  # the threads speak the test's language
    barrier = threading.Barrier(len(calls))
    slots = threading.BoundedSemaphore(max(1, min(len(calls), connection_slots())))
    results, errors, lock = [], [], threading.Lock()

    def work(call):
        try:
            barrier.wait()
            with slots, translation.override(language):
                try:
                    result = call()
                finally:
                    connections.close_all()
            with lock:
                results.append(result)
        except BaseException as exc:  # reported by the test, not lost in the thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
