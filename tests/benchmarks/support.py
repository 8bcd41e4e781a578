"""Helpers shared by the benchmarks: region-size demo data and server-time sampling."""

import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REGION_TEACHERS = 67_000


def ensure_region_data(teachers: int = REGION_TEACHERS, *, force: bool = False) -> None:
    from apps.teachers.models import Teacher

    if force or Teacher.objects.count() != teachers:
        call_command("seed_demo", teachers=teachers, seed=1, reset=True, force=True, verbosity=0)
    with connection.cursor() as cursor:
        # Fresh statistics and a visibility map, as a production database would have.
        cursor.execute("VACUUM ANALYZE")


def signed_in_client(email: str) -> Client:
    from apps.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def sample_ms(client: Client, urls: list[str], *, warmup: int = 10) -> list[float]:
    """Server time of each request in milliseconds (Django's handler, no network)."""
    for url in urls[:warmup]:  # templates compiled, catalogues and connections warm
        client.get(url)
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def percentile(values: list[float], n: int) -> float:
    """The n-th percentile (n from 1 to 99), as p99 computes the 99th."""
    return statistics.quantiles(values, n=100, method="inclusive")[n - 1]


def ensure_superuser(email: str) -> None:
    """A superuser to sign in as (it sees every region)."""
    from apps.accounts.models import User

    if not User.objects.filter(email=email).exists():
        User.objects.create_superuser(email, password=None)
