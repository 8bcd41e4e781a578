"""`make bench`: run every tests/benchmarks/bench_*.py on PostgreSQL and print its figures.

Each figure is printed as `name: number unit`. The database is BENCH_DATABASE_URL
(default: a local PostgreSQL database `ustaz_bench`, created if missing); the region-size
demo data is seeded once and reused by later runs.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ustaz_bench")


def main(names: list[str]) -> None:
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    package = Path(__file__).parent
    modules = sorted(
        m.name for m in pkgutil.iter_modules([str(package)]) if m.name.startswith("bench_")
    )
    for name in modules:
        if names and not any(n in name for n in names):
            continue
        module = importlib.import_module(f"tests.benchmarks.{name}")
        module.run(report)


def report(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:.{0 if unit == 'queries' else 2}f} {unit}", flush=True)


def _create_database() -> None:
    import psycopg

    if not BENCH_DB.startswith("postgres"):
        return
    base, _, dbname = BENCH_DB.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


if __name__ == "__main__":
    main(sys.argv[1:])
