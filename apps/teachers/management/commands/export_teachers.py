"""Export every teacher record to .xlsx or .csv (the format follows the file extension)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from apps.teachers.exports import (
    export_header,
    export_queryset,
    export_rows,
    in_chunks,
    write_csv,
    write_xlsx,
)
from apps.teachers.models import Teacher


class Command(BaseCommand):
    help = "Export all teachers to an .xlsx or .csv file that imports back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--language", default="kk", choices=["kk", "ru", "en"])

    def handle(self, *args, path: Path, language, **options):
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise CommandError(_("The file name must end in .xlsx or .csv."))
        queryset = export_queryset(Teacher.objects.order_by("last_name", "first_name", "id"))
        with translation.override(language):
            rows = export_rows(in_chunks(queryset))
            if suffix == ".xlsx":
                with path.open("wb") as out:
                    write_xlsx(export_header(), rows, out)
            else:
                with path.open("w", encoding="utf-8", newline="") as out:
                    write_csv(export_header(), rows, out)
        self.stdout.write(
            _("%(count)d teachers exported to %(path)s") % {"count": queryset.count(), "path": path}
        )
