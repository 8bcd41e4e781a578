"""The certificates' sections of other apps' pages: a teacher's certificates on the teacher
page, and a run's certificates with their batch downloads on the run page."""

from . import selectors
from .forms import BatchForm


def teacher_certificates_panel(request, teacher):
    """Whoever sees the teacher page may see the teacher's certificates (the rules give the
    holder, staff over the holder and superusers both)."""
    certificates = list(selectors.teacher_certificates(teacher=teacher))
    if not certificates:
        return None
    return ("certificates/includes/teacher_panel.html", {"certificates": certificates})


def run_certificates_panel(request, run):
    """For those who may download the run's certificates, once the run has any."""
    if not request.user.has_perm("certificates.add_batch", run):
        return None
    counts = selectors.run_certificate_counts(run=run)
    if not counts.total:
        return None
    return (
        "certificates/includes/run_panel.html",
        {
            "run": run,
            "counts": counts,
            "formats": BatchForm.base_fields["format"].choices,
            "batches": selectors.run_batches(run=run, user=request.user),
        },
    )
