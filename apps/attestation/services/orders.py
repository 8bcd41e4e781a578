"""Orders (приказ) that put attestation decisions into force, ministry decisions recorded as
received, and the category certificates (удостоверение) issued under an order: their
frozen printed data, register numbers, stored PDFs, the order's merged PDF with a progress
bar, and revocation.

An order puts into force only decisions whose appeal period has passed and that no appeal
is being reviewed against (the ministry's decisions, recorded as received, come with the
ministry's own order and wait for no period here).
It is one transaction: the order, a certificate per decision (numbered from the
certificates app's locked RegisterCounter, so numbers never repeat or skip), the teacher's
record (category, award date, term, with the order named in its history) and the
application completed. The PDFs and the holders' e-mails follow in the worker.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.certificates.services import certificate_pdf_store, new_code, register_numbers
from apps.core.dates import add_years, short_date
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient
from apps.teachers.services import teacher_update

from ..models import (
    Appeal,
    Application,
    CategoryCertificate,
    Decision,
    DocumentJob,
    Level,
    Order,
)
from ..pdf import certificate as pdf
from . import _locked, _transition
from .appeals import appeal_lodge_until, recorded_from_ministry

logger = logging.getLogger(__name__)

A = Application.Status
CS = CategoryCertificate.Status
# The body that decides master claims; its decisions and orders are recorded as received.
MINISTRY_KK = "Қазақстан Республикасы Оқу-ағарту министрлігі"
MINISTRY_RU = "Министерство просвещения Республики Казахстан"
# Register numbers of category certificates: ATT-2026-000123, from the same locked,
# gapless counter as course certificates, under a prefix of their own.
REGISTER_PREFIX = "ATT"
ORDERED_OUTCOMES = (Decision.Outcome.MEETS, Decision.Outcome.LOWER)


# --- orders -----------------------------------------------------------------------------------


def order_issue(
    *,
    actor,
    decisions,
    number: str,
    dated,
    issuing_body_kk: str,
    issuing_body_ru: str,
    signed_by: str = "",
) -> Order:
    """Put decisions into force by an order of the attesting body: all of one commission
    (or all the ministry's of one cycle), assigning a category, their applications
    decided, their appeal period over (the order dated after it) and no appeal against
    them under review. Everything is checked first and written together, or nothing is.
    The decisions' rows are locked, as `appeal_lodge` locks them, so an order and an
    appeal never cross."""
    number, signed_by = number.strip(), signed_by.strip()
    issuing_body_kk, issuing_body_ru = issuing_body_kk.strip(), issuing_body_ru.strip()
    _check_order_fields(number, dated, issuing_body_kk, issuing_body_ru)
    ids = sorted({decision.pk for decision in decisions})
    if not ids:
        raise ValidationError(_("Choose the decisions the order puts into force."), code="empty")
    with transaction.atomic():
        # Not the order joined in: a row locked after another transaction's wait is
        # read afresh, but what is joined to it is not (its order would read as none).
        locked = list(
            Decision.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related(
                "assigned_category",
                "application__cycle",
                "application__commission__organization__district",
                "application__commission__district",
                "application__teacher",
            )
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise ValidationError(_("Some of the chosen decisions are no longer there."))
        cycle, commission = _body_of(locked)
        if not actor.has_perm("attestation.issue_orders", commission or cycle):
            raise PermissionDenied
        applications = _locked_applications(locked)
        _check_decisions(locked, applications, dated)
        order = _order_create(
            cycle=cycle,
            commission=commission,
            number=number,
            dated=dated,
            issuing_body_kk=issuing_body_kk,
            issuing_body_ru=issuing_body_ru,
            signed_by=signed_by,
            actor=actor,
        )
        Decision.objects.filter(pk__in=ids).update(order=order, updated_at=timezone.now())
        certificates = _certificates_issue(order, locked, applications, actor=actor)
        for certificate in certificates:
            application = applications[certificate.decision.application_id]
            _record_category(application.teacher, certificate, order=order, actor=actor)
            _transition(
                application,
                A.COMPLETED,
                actor=actor,
                comment=_("Category recorded by order No. %(number)s of %(date)s.")
                % {"number": order.number, "date": short_date(order.dated)},
            )
        _job_start(order, total=len(certificates), actor=actor)
    return order


def _check_order_fields(number, dated, issuing_body_kk, issuing_body_ru) -> None:
    errors = {}
    if not number:
        errors["number"] = _("Give the order number.")
    if dated is None:
        errors["dated"] = _("Give the order date.")
    elif dated > timezone.localdate():
        errors["dated"] = _("The order date cannot be in the future.")
    if not issuing_body_kk:
        errors["issuing_body_kk"] = _("Name the issuing body in Kazakh.")
    if not issuing_body_ru:
        errors["issuing_body_ru"] = _("Name the issuing body in Russian.")
    if errors:
        raise ValidationError(errors)


def _body_of(decisions: list[Decision]):
    """(cycle, commission) of the decisions: one commission, or none at all for the
    ministry's decisions of one cycle."""
    commissions = {d.application.commission_id for d in decisions}
    if len(commissions) > 1:
        raise ValidationError(
            _("An order puts into force the decisions of one commission: choose only those."),
            code="mixed",
        )
    cycles = {d.application.cycle_id for d in decisions}
    if len(cycles) > 1:
        raise ValidationError(
            _("An order puts into force the decisions of one cycle: choose only those."),
            code="mixed",
        )
    first = decisions[0].application
    return first.cycle, first.commission


def _locked_applications(decisions: list[Decision]) -> dict[int, Application]:
    """The decisions' applications, locked in one query (in id order, as every service
    locks them), with what the certificates and the teachers' records read."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related(
            "teacher__user",
            "teacher__position",
            "teacher__organization__district",
            "position",
            "organization",
        )
        .order_by("pk")
        .in_bulk([d.application_id for d in decisions])
    )


def _check_decisions(decisions, applications, dated) -> None:
    """Every reason a decision cannot go into this order, each naming its teacher."""
    lodged = {
        appeal.decision_id: appeal
        for appeal in Appeal.objects.filter(decision__in=decisions, status=Appeal.Status.LODGED)
    }
    problems = []
    for decision in decisions:
        application = applications[decision.application_id]
        teacher = application.teacher.full_name
        in_force_from = _in_force_from(decision)
        if decision.revised_at is not None:
            problem = _("the decision was revised on appeal and is no longer in force")
        elif decision.order_id is not None:
            problem = _("the decision is already in order No. %(number)s") % {
                "number": decision.order.number
            }
        elif decision.outcome not in ORDERED_OUTCOMES:
            problem = _("the current category is kept, so the decision needs no order")
        elif application.status != A.DECIDED:
            problem = _("the application is “%(status)s”, not decided") % {
                "status": application.get_status_display()
            }
        elif decision.pk in lodged:
            problem = _(
                "an appeal against the decision is being reviewed (the answer is due by "
                "%(date)s): the order waits for the answer"
            ) % {"date": short_date(lodged[decision.pk].due_on)}
        elif in_force_from is not None and in_force_from > timezone.localdate():
            problem = _(
                "appeals against the decision may be lodged until %(until)s: the order can "
                "be issued from %(date)s"
            ) % {
                "until": short_date(in_force_from - dt.timedelta(days=1)),
                "date": short_date(in_force_from),
            }
        elif in_force_from is not None and dated is not None and dated < in_force_from:
            problem = _(
                "the decision comes into force on %(date)s, after its appeal period: the order "
                "cannot be dated earlier"
            ) % {"date": short_date(in_force_from)}
        elif dated is not None and dated < decision.decided_on:
            problem = _("the order cannot be dated before the decision of %(date)s") % {
                "date": short_date(decision.decided_on)
            }
        elif not decision.assigned_category.validity_years:
            problem = _("the category “%(category)s” has no term to print on a certificate") % {
                "category": decision.assigned_category.name
            }
        else:
            continue
        problems.append(_("%(teacher)s: %(problem)s.") % {"teacher": teacher, "problem": problem})
    if problems:
        raise ValidationError(problems, code="not_orderable")


def _in_force_from(decision: Decision) -> dt.date | None:
    """The first day the decision may be put into force, the day after its appeal period;
    None for the ministry's decisions recorded as received, which come with their order."""
    if recorded_from_ministry(decision):
        return None
    return appeal_lodge_until(decision) + dt.timedelta(days=1)


def _order_create(*, cycle, commission, number, dated, issuing_body_ru, actor, **fields) -> Order:
    """The order, its number unique for the body and date (said in words, not as a
    database error, also when two people type the same number at once)."""
    taken = ValidationError(
        {
            "number": _("This body already has an order No. %(number)s of %(date)s.")
            % {"number": number, "date": short_date(dated)}
        },
        code="duplicate",
    )
    if Order.objects.filter(issuing_body_ru=issuing_body_ru, number=number, dated=dated).exists():
        raise taken
    try:
        with transaction.atomic():
            return Order.objects.create(
                cycle=cycle,
                commission=commission,
                number=number,
                dated=dated,
                issuing_body_ru=issuing_body_ru,
                created_by=actor,
                **fields,
            )
    except IntegrityError:
        raise taken from None


def _certificates_issue(order, decisions, applications, *, actor) -> list[CategoryCertificate]:
    """A certificate for each decision, numbered in the teachers' alphabetical order, with
    the printed data frozen; each teacher's certificate in force until now is replaced."""
    today = timezone.localdate()

    def by_name(decision):
        teacher = applications[decision.application_id].teacher
        return (teacher.last_name, teacher.first_name, teacher.pk)

    decisions = sorted(decisions, key=by_name)
    teacher_ids = [applications[d.application_id].teacher_id for d in decisions]
    previous = _replaced(teacher_ids, order=order)
    numbers = register_numbers(prefix=REGISTER_PREFIX, year=today.year, count=len(decisions))
    certificates = []
    for decision, register_number in zip(decisions, numbers, strict=True):
        application = applications[decision.application_id]
        teacher, category = application.teacher, decision.assigned_category
        certificates.append(
            CategoryCertificate(
                decision=decision,
                teacher=teacher,
                order=order,
                register_number=register_number,
                year=today.year,
                code=new_code(),
                replaces=previous.get(teacher.pk),
                holder_name=teacher.full_name,
                holder_iin=teacher.iin,
                category_kk=category.name_kk,
                category_ru=category.name_ru,
                position_kk=application.position.name_kk,
                position_ru=application.position.name_ru,
                organization_kk=application.organization.name_kk,
                organization_ru=application.organization.name_ru,
                issuing_body_kk=order.issuing_body_kk,
                issuing_body_ru=order.issuing_body_ru,
                order_number=order.number,
                order_date=order.dated,
                decided_on=decision.decided_on,
                valid_until=add_years(order.dated, category.validity_years),
                issued_on=today,
                issued_by=actor,
            )
        )
    return CategoryCertificate.objects.bulk_create(certificates)


def _replaced(teacher_ids, *, order: Order) -> dict[int, CategoryCertificate]:
    """Mark the teachers' valid certificates replaced; {teacher id: the latest of them},
    which the new certificate links to."""
    now = timezone.now()
    reason = _("Replaced by the certificate under order No. %(number)s of %(date)s.") % {
        "number": order.number,
        "date": short_date(order.dated),
    }
    latest = {}
    previous = CategoryCertificate.objects.select_for_update().filter(
        teacher_id__in=teacher_ids, status=CS.VALID
    )
    for certificate in previous.order_by("issued_on", "pk"):
        certificate.status = CS.REPLACED
        certificate.revoked_at = now
        certificate.revoke_reason = reason
        certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
        latest[certificate.teacher_id] = certificate
    return latest


def _record_category(teacher, certificate: CategoryCertificate, *, order: Order, actor) -> None:
    """The teacher's record takes the category from the order's date for its term, with
    the order named in the record's history.

    The issuer's right comes from the order (the attesting body's staff), checked once for
    the whole order. A teacher who has moved to another school or district since applying
    may be outside the issuer's own scope on the registry; the order still binds, so the
    record is changed under the order's authority and the history row is signed with the
    issuer all the same."""
    fields = {
        "category": certificate.decision.assigned_category,
        "category_awarded_on": order.dated,
        "category_valid_until": certificate.valid_until,
    }
    source = _("Order No. %(number)s of %(date)s: %(category)s") % {
        "number": order.number,
        "date": short_date(order.dated),
        "category": certificate.decision.assigned_category.name,
    }
    in_scope = actor.has_perm("teachers.change_teacher", teacher)
    try:
        changed = teacher_update(
            teacher=teacher, actor=actor if in_scope else None, source=source, **fields
        )
    except ValidationError as exc:
        raise ValidationError(
            _("%(teacher)s: the record cannot take the category: %(error)s")
            % {"teacher": teacher.full_name, "error": " ".join(exc.messages)},
            code="record",
        ) from None
    if changed and not in_scope:
        latest = teacher.history.latest()
        teacher.history.filter(pk=latest.pk).update(history_user=actor)


def _job_start(order: Order, *, total: int, actor) -> DocumentJob:
    from ..tasks import order_certificates_task

    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.CERTIFICATES, order=order, total_rows=total, created_by=actor
    )
    order_certificates_task.delay_on_commit(job.pk)
    return job


# --- ministry decisions ------------------------------------------------------------------------


def ministry_decision_record(
    *,
    application: Application,
    actor,
    outcome: str,
    assigned_category,
    decided_on,
    reasons: str,
    order_number: str,
    order_dated,
) -> Decision:
    """The ministry's decision on a master claim, recorded by the region as received; a
    decision assigning a category comes with the ministry's order, which is put into force
    at once (certificate, the teacher's record)."""
    if not actor.has_perm("attestation.record_ministry_decision", application):
        raise PermissionDenied
    reasons = reasons.strip()
    with transaction.atomic():
        application = _locked(application)
        if application.level != Level.MINISTRY:
            raise ValidationError(
                _(
                    "Only the ministry's decisions are recorded here; this claim is decided "
                    "by the %(body)s."
                )
                % {"body": application.get_level_display()},
                code="level",
            )
        if application.status not in (A.ACCEPTED, A.SCHEDULED):
            raise ValidationError(
                _("A decision is recorded on an accepted application; this one is “%(status)s”.")
                % {"status": application.get_status_display()},
                code="status",
            )
        assigned = _ministry_category(application, outcome, assigned_category, reasons, decided_on)
        decision = Decision.objects.create(
            application=application,
            outcome=outcome,
            current_category=application.current_category,
            claimed_category=application.claimed_category,
            assigned_category=assigned,
            decided_on=decided_on,
            body_kk=MINISTRY_KK,
            body_ru=MINISTRY_RU,
            reasons=reasons,
            created_by=actor,
        )
        _transition(
            application,
            A.DECIDED,
            actor=actor,
            comment=_("The ministry's decision of %(date)s: %(outcome)s.")
            % {"date": short_date(decided_on), "outcome": decision.get_outcome_display()},
        )
        if assigned is not None:
            try:
                order_issue(
                    actor=actor,
                    decisions=[decision],
                    number=order_number or "",
                    dated=order_dated,
                    issuing_body_kk=MINISTRY_KK,
                    issuing_body_ru=MINISTRY_RU,
                )
            except ValidationError as exc:
                raise _order_fields_renamed(exc) from None
            decision.refresh_from_db()
    return decision


def _order_fields_renamed(error: ValidationError) -> ValidationError:
    """The order's field errors under the names the ministry decision's form gives them."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"number": "order_number", "dated": "order_dated"}
    return ValidationError(
        {names.get(name, name): errors for name, errors in error.error_dict.items()}
    )


def _ministry_category(application, outcome, assigned_category, reasons, decided_on):
    """The category the decision assigns (none when the current one is kept), checked
    against the claim; field errors for the form."""
    errors = {}
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    claimed = application.claimed_category
    assigned = None
    if outcome == Decision.Outcome.MEETS:
        assigned = claimed
        if assigned_category is not None and assigned_category.pk != claimed.pk:
            errors["assigned_category"] = _(
                "A decision that the claim is met assigns the claimed category, %(category)s."
            ) % {"category": claimed.name}
    elif outcome == Decision.Outcome.LOWER:
        assigned = assigned_category
        if assigned is None:
            errors["assigned_category"] = _("Choose the lower category the ministry assigned.")
        elif assigned.track != claimed.track or assigned.rank >= claimed.rank:
            errors["assigned_category"] = _(
                "Choose a category below %(category)s on the same ladder."
            ) % {"category": claimed.name}
    elif outcome != Decision.Outcome.KEEP:
        errors["outcome"] = _("Choose the decision.")
    if outcome in (Decision.Outcome.LOWER, Decision.Outcome.KEEP) and not reasons:
        errors["reasons"] = _("Give the ministry's reasons: the teacher is told why.")
    if errors:
        raise ValidationError(errors)
    return assigned


# --- certificates ------------------------------------------------------------------------------


def category_certificate_print(certificate: CategoryCertificate) -> pdf.CategoryCertificatePrint:
    """What the PDF shows: the certificate's frozen data, nothing read afresh."""
    return pdf.CategoryCertificatePrint(
        register_number=certificate.register_number,
        code=certificate.display_code,
        verify_url=certificate.verify_url,
        holder_name=certificate.holder_name,
        holder_iin=certificate.holder_iin,
        category_kk=certificate.category_kk,
        category_ru=certificate.category_ru,
        position_kk=certificate.position_kk,
        position_ru=certificate.position_ru,
        organization_kk=certificate.organization_kk,
        organization_ru=certificate.organization_ru,
        issuing_body_kk=certificate.issuing_body_kk,
        issuing_body_ru=certificate.issuing_body_ru,
        order_number=certificate.order_number,
        order_date=certificate.order_date,
        decided_on=certificate.decided_on,
        valid_until=certificate.valid_until,
        issued_on=certificate.issued_on,
    )


def category_certificate_render(*, certificate_id: int) -> CategoryCertificate | None:
    """Render and store the certificate's PDF with its SHA-256, once."""
    certificate = CategoryCertificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return None
    return certificate_pdf_store(certificate=certificate, render=_render)


def _render(certificate: CategoryCertificate) -> bytes:
    return pdf.render_category_certificate(category_certificate_print(certificate))


def order_certificates_run(*, job_id: int) -> DocumentJob | None:
    """Store each certificate's PDF not stored yet and build the order's merged PDF (a page
    per certificate), moving the progress bar as it goes; then tell the holders. Safe to
    run twice: a finished job is left as it is, an interrupted one starts over (PDFs
    already stored are not drawn again)."""
    job = DocumentJob.objects.select_related("order", "created_by").filter(pk=job_id).first()
    if job is None or job.status == DocumentJob.Status.DONE:
        return job
    ids = list(job.order.certificates.order_by("register_number").values_list("pk", flat=True))
    job.status = DocumentJob.Status.RUNNING
    job.total_rows, job.processed_rows, job.failure = len(ids), 0, ""
    job.save(update_fields=["status", "total_rows", "processed_rows", "failure", "updated_at"])
    try:
        content = pdf.render_category_certificates(_printed(job, ids))
        job.file.save(f"order-{job.order_id}-certificates.pdf", ContentFile(content), save=False)
    except Exception as exc:
        user = job.created_by
        with translation.override(user.preferred_language if user else settings.LANGUAGE_CODE):
            job.failure = _("The certificates could not be prepared: %(error)s") % {"error": exc}
        job.status = DocumentJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at", "updated_at"])
        raise
    job.status = DocumentJob.Status.DONE
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save()
    _notify_holders(ids)
    return job


def _printed(job: DocumentJob, ids: list[int], chunk: int = 100):
    """The certificates' printed data in the order of `ids`, a chunk of rows at a time,
    each one's own PDF stored on the way; the progress is committed about fifty times
    whatever the order's size."""
    step = max(1, len(ids) // 50)
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = CategoryCertificate.objects.in_bulk(part)
        for pk in part:
            certificate = certificate_pdf_store(certificate=rows[pk], render=_render)
            yield category_certificate_print(certificate)
            done += 1
            if done % step == 0:
                DocumentJob.objects.filter(pk=job.pk).update(processed_rows=done)


def _notify_holders(ids: list[int]) -> None:
    """Tell each holder, in their language, that the category is recorded, with the links
    to the certificate (its PDF is stored by now) and to its public check. Sent once,
    when the order's documents are first ready; one undeliverable address does not hold
    back the others."""
    certificates = CategoryCertificate.objects.filter(pk__in=ids, status=CS.VALID)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    for certificate in certificates.select_related("teacher__user").order_by("register_number"):
        to, language = teacher_recipient(certificate.teacher)
        try:
            mail_send_localized(
                to=to,
                language=language,
                template="attestation/email/order_category_recorded",
                context={
                    "certificate": certificate,
                    "teacher": certificate.teacher,
                    "detail_url": base
                    + reverse("attestation:category_certificate_detail", args=[certificate.pk]),
                },
            )
        except Exception:
            logger.exception("Category certificate %s: the e-mail was not sent.", certificate.pk)


def _revoke(certificate: CategoryCertificate, *, reason: str, at) -> None:
    certificate.status = CS.REVOKED
    certificate.revoked_at = at
    certificate.revoke_reason = reason[:500]
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])


def category_certificate_revoke(
    *, certificate: CategoryCertificate, actor, reason: str
) -> CategoryCertificate:
    """Withdraw a valid certificate (issued in error, say); the public check then says it
    is revoked, with the date and reason. The teacher's record is not touched here: a
    category is taken away by its own measures (a sanction) or by a new order."""
    if not actor.has_perm("attestation.revoke_category_certificate", certificate):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")}, code="required")
    with transaction.atomic():
        certificate = CategoryCertificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status != CS.VALID:
            raise ValidationError(
                _("A certificate that is “%(status)s” cannot be revoked.")
                % {"status": certificate.get_status_display()},
                code="transition",
            )
        _revoke(certificate, reason=reason, at=timezone.now())
    return certificate


def teacher_category_certificates_revoke(*, teacher, reason: str) -> list[CategoryCertificate]:
    """Revoke the teacher's valid category certificates as part of a measure taken on their
    category (a sanction), so the public check no longer calls them valid. It has no
    permission check of its own: it runs inside the measure's service, which checked its
    right and holds the transaction."""
    now = timezone.now()
    certificates = list(
        CategoryCertificate.objects.select_for_update()
        .filter(teacher=teacher, status=CS.VALID)
        .order_by("pk")
    )
    for certificate in certificates:
        _revoke(certificate, reason=reason, at=now)
    return certificates
