"""Import teacher records from an XLSX or CSV file: a dry run unless --apply."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.organizations.models import Organization
from apps.teachers.exports import write_csv, write_xlsx
from apps.teachers.imports import services
from apps.teachers.imports.columns import FIELDS


class Command(BaseCommand):
    help = "Import teachers from an XLSX or CSV file (a dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--apply", action="store_true", help="write the valid rows")
        parser.add_argument(
            "--organisation",
            "--organization",
            dest="organisation",
            help="BIN of the organisation for rows that have none",
        )
        parser.add_argument("--sheet", default="", help="XLSX sheet (default: the first)")
        parser.add_argument(
            "--errors", type=Path, help="write the rejected rows to this .xlsx or .csv file"
        )

    def handle(self, *args, path: Path, apply, organisation, sheet, errors, **options):
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        organization = None
        if organisation:
            organization = Organization.objects.filter(bin=organisation).first()
            if organization is None:
                raise CommandError(
                    _("No organisation with BIN %(bin)s is registered.") % {"bin": organisation}
                )
        try:
            with path.open("rb") as handle:
                job = services.import_job_create(
                    actor=None,
                    uploaded_file=File(handle, name=path.name),
                    organization=organization,
                )
            if sheet:
                job = services.import_job_configure(
                    job=job, actor=None, mapping=_mapping(job), sheet=sheet
                )
            elif "iin" not in job.mapping.values():
                raise ValidationError(_("Choose the column that holds the IIN: it is the key."))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(_("Columns:"))
        for index, title in enumerate(job.header):
            field = job.mapping.get(str(index))
            label = FIELDS[field].label if field else _("(not imported)")
            self.stdout.write(f"  {title} -> {label}")
        job = services.import_job_check(job_id=job.pk)
        if apply:
            job = services.import_job_apply(job_id=job.pk)
        self.stdout.write(
            (_("Applied: ") if apply else _("Dry run (nothing written): "))
            + _(
                "created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                "rejected %(rejected)d"
            )
            % {
                "created": job.created_count,
                "updated": job.updated_count,
                "unchanged": job.unchanged_count,
                "rejected": job.rejected_count,
            }
        )
        for error in job.row_errors.order_by("row_number")[:20]:
            reasons = "; ".join(f"{c}: {m}" for c, m in error.messages)
            self.stdout.write(
                _("  row %(row)d: %(reasons)s") % {"row": error.row_number, "reasons": reasons}
            )
        if errors and job.rejected_count:
            header, rows = services.import_job_error_rows(job)
            if errors.suffix.lower() == ".xlsx":
                with errors.open("wb") as out:
                    write_xlsx(header, rows, out)
            else:
                with errors.open("w", encoding="utf-8", newline="") as out:
                    write_csv(header, rows, out)
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": errors})


def _mapping(job) -> dict[int, str]:
    return {int(i): name for i, name in job.mapping.items()}
