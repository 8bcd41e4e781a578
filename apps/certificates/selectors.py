"""Reads of the certificates app: the one scoping function, detail, a teacher's and a run's
certificates, and the public look-up by verification code."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from apps.accounts.scopes import read_scope, user_provider_ids
from apps.courses.models import CourseRun
from apps.teachers.models import Teacher

from .models import CODE_ALPHABET, CODE_LENGTH, Certificate, CertificateBatch

S = Certificate.Status
# What people mistype when they copy a code by hand (Crockford's reading rules).
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def visible_certificates(user) -> QuerySet[Certificate]:
    """Every certificate this user may see: their own, those of teachers in their read
    scope, and those issued by the providers whose staff they are (as the rules say)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    scope = read_scope(user)
    if scope.everything:
        return Certificate.objects.all()
    return Certificate.objects.filter(
        scope.q(
            organization="teacher__organization_id",
            district="teacher__organization__district_id",
            region="teacher__organization__district__region_id",
        )
        | Q(teacher__user=user)
        | Q(provider_id__in=user_provider_ids(user))
    )


def certificate_get(*, user, pk: int) -> Certificate:
    """One certificate the user may see (Certificate.DoesNotExist otherwise), with what its
    page and permission checks read."""
    return (
        visible_certificates(user)
        .select_related(
            "teacher__organization__district", "replaces", "replaced_by", "enrolment__run"
        )
        .get(pk=pk)
    )


def certificate_events(certificate: Certificate) -> QuerySet:
    return certificate.events.select_related("actor")


def teacher_certificates(*, teacher: Teacher) -> QuerySet[Certificate]:
    return Certificate.objects.filter(teacher=teacher).order_by("-issued_on", "-pk")


def run_certificates(*, run: CourseRun) -> QuerySet[Certificate]:
    return Certificate.objects.filter(enrolment__run=run).order_by("register_number")


@dataclass(frozen=True)
class RunCertificateCounts:
    valid: int
    revoked: int
    replaced: int

    @property
    def total(self) -> int:
        return self.valid + self.revoked + self.replaced


def run_certificate_counts(*, run: CourseRun) -> RunCertificateCounts:
    counts = run_certificates(run=run).aggregate(
        valid=Count("pk", filter=Q(status=S.VALID)),
        revoked=Count("pk", filter=Q(status=S.REVOKED)),
        replaced=Count("pk", filter=Q(status=S.REPLACED)),
    )
    return RunCertificateCounts(**counts)


def run_batches(*, run: CourseRun, user, limit: int = 5) -> list[CertificateBatch]:
    """The user's latest downloads of the run's certificates (a batch is its creator's)."""
    batches = CertificateBatch.objects.filter(run=run)
    if not user.is_superuser:
        batches = batches.filter(created_by=user)
    return list(batches[:limit])


def normalize_code(text: str) -> str:
    """A code as typed or scanned: spaces and dashes dropped, upper case, look-alike
    letters read as the digits they stand for."""
    cleaned = "".join(text.split()).replace("-", "").replace("–", "").upper()
    return cleaned.translate(_LOOKALIKES)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, for the public page; None if unknown."""
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return Certificate.objects.select_related("replaced_by").filter(code=code).first()
