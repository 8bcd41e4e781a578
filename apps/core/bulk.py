"""Writing many rows fast: ids reserved up front, then COPY on PostgreSQL (batched
executemany elsewhere). The ORM's bulk_create prepares every value of every row in
Python, several times slower for the tens of thousands of rows of a seed or an import."""

import itertools

from django.db import connection, models
from django.db.models import Max

INSERT_BATCH = 5000


def allocate_ids(model, count: int) -> list[int]:
    """`count` primary keys nobody else will get: drawn from the table's sequence on
    PostgreSQL (safe beside concurrent inserts); after the largest id on SQLite, whose
    writers are serialised (transactions start IMMEDIATE)."""
    if count <= 0:
        return []
    if connection.vendor == "postgresql":
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
    start = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
    return list(range(start, start + count))


def insert_rows(model, rows: list[dict]) -> None:
    """Write rows given as {attname: value}, primary keys included (see allocate_ids).

    Columns and defaults come from the model, so a new field with a default needs no change
    here; values pass through the backend's own adapters for dates and datetimes. No
    signals are sent: callers write any history rows themselves.
    """
    if not rows:
        return
    fields = model._meta.concrete_fields
    specs = [(f.attname, None if f.primary_key else f.get_default(), _adapter(f)) for f in fields]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    values = (
        tuple(
            adapt(row.get(name, default)) if adapt else row.get(name, default)
            for name, default, adapt in specs
        )
        for row in rows
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row_values in values:
                    copy.write_row(row_values)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        # Identifiers come from the model and are quoted; values are parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        while batch := list(itertools.islice(values, INSERT_BATCH)):
            cursor.executemany(sql, batch)


def _adapter(field):
    """How a value reaches the database: plain for text, numbers and keys; converted otherwise."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return _memoized(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _memoized(ops.adapt_datefield_value)
    plain = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)
    if isinstance(field, plain) or field.primary_key:
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _memoized(adapt):
    """Dates repeat a lot (and every row has the same timestamps): adapt each value once."""
    cache = {None: None}

    def adapter(value):
        try:
            return cache[value]
        except KeyError:
            cache[value] = result = adapt(value)
            return result

    return adapter
