"""The teacher list at region size (67,000 teachers): p99 server time over 50 requests."""

import random

from .support import count_queries, ensure_region_data, p99, sample_ms, signed_in_client

REQUESTS = 50


def run(report) -> None:
    from apps.organizations.models import District
    from apps.teachers.models import QualificationCategory, Teacher

    ensure_region_data()
    client = signed_in_client("admin@demo.ustaz.kz")
    rng = random.Random(7)
    districts = list(District.objects.values_list("pk", flat=True))
    categories = list(QualificationCategory.objects.values_list("pk", flat=True))
    sample = list(Teacher.objects.order_by("?").values_list("iin", "last_name")[: REQUESTS * 2])
    base = "/teachers/"
    cases = {
        "list_plain_p99_ms": [f"{base}?page={rng.randint(1, 20)}" for _ in range(REQUESTS)],
        "list_filter_p99_ms": [
            f"{base}?district={rng.choice(districts)}&category={rng.choice(categories)}"
            f"&expiring_months=12"
            for _ in range(REQUESTS)
        ],
        "list_search_p99_ms": [
            f"{base}?q={name[: rng.randint(4, 7)]}" for _, name in sample[:REQUESTS]
        ],
        "list_iin_p99_ms": [f"{base}?q={iin}" for iin, _ in sample[REQUESTS:]],
        "list_deep_p99_ms": [f"{base}?page={1000 + i}" for i in range(REQUESTS)],
    }
    for name, urls in cases.items():
        report(name, p99(sample_ms(client, urls)), "ms")
    report("list_queries", count_queries(client, f"{base}?page=1000"), "queries")
