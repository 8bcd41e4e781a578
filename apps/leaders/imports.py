"""A selection stage's scores from a spreadsheet (XLSX or CSV; columns IIN and score, headers
in Kazakh, Russian or English): every row is checked first and the outcome shown (to record,
rejected with row, column and reason); applying then records the good rows only, all
together through services.stage_scores_record, or none. The rejected rows download with an
"error" column, to fix and import again. A stage has hundreds of candidates, so all of it
runs in the request."""

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.teachers.imports.cleaning import CellError, clean_iin
from apps.teachers.imports.columns import ColumnSet, NamedColumn
from apps.teachers.imports.readers import ImportFileError, open_table

from . import services
from .models import Candidate, Stage

_CENT = Decimal("0.01")

# Column name -> (label, synonyms), in the order of the error file.
COLUMNS = ColumnSet(
    {
        "iin": NamedColumn(
            gettext_lazy("IIN"), ("ИИН", "ЖСН", "IIN", "ИИН кандидата", "Кандидаттың ЖСН")
        ),
        "score": NamedColumn(
            gettext_lazy("Score"),
            ("Балл", "Баллы", "Результат", "Жинаған балл", "Нәтиже", "Score", "Points"),
        ),
    }
)


def column_label(name: str) -> str:
    return COLUMNS.label(name)


@dataclass
class ImportRow:
    number: int
    cells: dict  # column name -> the cell as found (text, for the session and the error file)
    errors: list = field(default_factory=list)  # (column label, message)
    candidate_id: int | None = None
    name: str = ""
    score: Decimal | None = None


@dataclass
class ImportCheck:
    """What the import would do: the rows to record and the rejected ones."""

    file_name: str
    good: list[ImportRow]
    rejected: list[ImportRow]

    def as_data(self) -> dict:
        """Plain data for the session, until the user applies it (see from_data)."""
        return {
            "file_name": self.file_name,
            "good": [[r.number, r.cells, r.candidate_id, r.name, str(r.score)] for r in self.good],
            "rejected": [[r.number, r.cells, r.errors] for r in self.rejected],
        }

    @classmethod
    def from_data(cls, data: dict) -> "ImportCheck":
        return cls(
            file_name=data["file_name"],
            good=[
                ImportRow(number, cells, [], pk, name, Decimal(score))
                for number, cells, pk, name, score in data["good"]
            ],
            rejected=[
                ImportRow(number, cells, [tuple(e) for e in errors])
                for number, cells, errors in data["rejected"]
            ],
        )

    def scores(self) -> dict[int, Decimal]:
        return {row.candidate_id: row.score for row in self.good}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _clean_score(value, stage: Stage) -> Decimal:
    text = "".join(_cell_text(value).split()).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if number != number.quantize(_CENT):
        raise CellError(_("A score has at most two decimals."))
    if not Decimal(0) <= number <= stage.max_score:
        raise CellError(_("A score is from 0 to %(max)s.") % {"max": stage.max_score})
    return number.quantize(_CENT)


def _read(path: Path, file_name: str) -> tuple[dict[str, int], list]:
    try:
        with open_table(
            path, filename=file_name, max_bytes=settings.RESULTS_IMPORT_MAX_BYTES
        ) as table:
            header, rows = table.header, list(table.rows)
    except ImportFileError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    return COLUMNS.map(header), rows


def stage_import_check(*, stage: Stage, actor, file) -> ImportCheck:
    """Check every row of an uploaded file against the stage (a dry run: nothing is
    written). A file that cannot be read at all raises ValidationError."""
    if not actor.has_perm("leaders.manage_selection", stage.intake):
        raise PermissionDenied
    if stage.closed_at:
        raise ValidationError(
            _("The results of this stage have been decided and can no longer change.")
        )
    file_name = Path(file.name).name[:255]
    with tempfile.NamedTemporaryFile(suffix=Path(file_name).suffix.lower()) as copy:
        for chunk in file.chunks():
            copy.write(chunk)
        copy.flush()
        columns, table = _read(Path(copy.name), file_name)
    rows = []
    for number, cells in table:
        row = ImportRow(number, {name: _cell_text(cells[i]) for name, i in columns.items()})
        for name, cleaner in (("iin", clean_iin), ("score", lambda v: _clean_score(v, stage))):
            if not row.cells[name]:
                row.errors.append((column_label(name), _("Required.")))
                continue
            try:
                value = cleaner(cells[columns[name]])
            except CellError as exc:
                row.errors.append((column_label(name), exc.message))
            else:
                row.cells[name] = str(value)
                if name == "score":
                    row.score = value
        rows.append(row)
    _check_candidates(stage, rows)
    return ImportCheck(
        file_name=file_name,
        good=[r for r in rows if not r.errors],
        rejected=[r for r in rows if r.errors],
    )


def _check_candidates(stage: Stage, rows: list[ImportRow]) -> None:
    """Each IIN once in the file, and a candidate of the intake still in selection."""
    seen = defaultdict(list)
    for row in rows:
        if row.cells["iin"]:
            seen[row.cells["iin"]].append(row.number)
    candidates = {
        c.teacher.iin: c
        for c in Candidate.objects.filter(
            intake_id=stage.intake_id, teacher__iin__in=list(seen)
        ).select_related("teacher")
    }
    iin = column_label("iin")
    for row in rows:
        if any(label == iin for label, _message in row.errors):
            continue
        numbers = seen[row.cells["iin"]]
        candidate = candidates.get(row.cells["iin"])
        if len(numbers) > 1:
            row.errors.append(
                (
                    iin,
                    _("This IIN is in the file more than once (rows %(rows)s).")
                    % {"rows": ", ".join(str(n) for n in numbers)},
                )
            )
        elif candidate is None:
            row.errors.append((iin, _("No candidate of this intake has this IIN.")))
        elif candidate.status != Candidate.Status.APPLIED:
            row.errors.append(
                (
                    iin,
                    _("%(name)s is no longer in selection (%(status)s).")
                    % {
                        "name": candidate.teacher.full_name,
                        "status": candidate.get_status_display(),
                    },
                )
            )
        else:
            row.candidate_id, row.name = candidate.pk, candidate.teacher.full_name


def stage_import_apply(*, stage: Stage, actor, check: ImportCheck) -> int:
    """Record the good rows of a checked file, all together or none (the service checks
    each candidate and score again)."""
    if not check.good:
        raise ValidationError(_("The file has no scores to record."), code="nothing")
    return services.stage_scores_record(
        stage=stage, scores=check.scores(), actor=actor, source="import"
    )


def error_rows(check: ImportCheck) -> tuple[list[str], list[list]]:
    """(header, rows): each rejected row's cells under the import's column headings, with
    a last "error" column, ready to fix and import again."""
    header = [column_label(name) for name in COLUMNS] + [capfirst(_("error"))]
    return header, [
        [row.cells.get(name) for name in COLUMNS]
        + [
            "; ".join(
                _("%(column)s: %(message)s") % {"column": column, "message": message}
                for column, message in row.errors
            )
        ]
        for row in check.rejected
    ]
