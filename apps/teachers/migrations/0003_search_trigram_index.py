"""On PostgreSQL, a trigram GIN index makes the name search (LIKE '%word%') an index scan.

SQLite (the local run) has no trigram indexes, so the operation does nothing there; it is
written as SQL because the model cannot declare an index that only one backend supports.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS teacher_search_trgm ON teachers_teacher "
    "USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS teacher_search_trgm"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("teachers", "0002_reference_lists")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
