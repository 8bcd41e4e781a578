"""The special paths of a category (DOMAIN.md, "Special paths"): a category without
attestation, kept until the pension, frozen while the teacher is away, and the sanctions.

Each measure is a service with its rules and a record row (CategoryGrant, CategoryFreeze,
Sanction) holding what the category was before; the teacher's record changes only through
`teacher_update`, so simple-history keeps who, when and why. The numbers (years kept,
years barred, years lowered, the pension age) are the cycle's.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.dates import add_years, short_date
from apps.teachers.models import Position, QualificationCategory, Teacher
from apps.teachers.services import teacher_update

from .. import eligibility
from ..models import Application, AttestationCycle, CategoryFreeze, CategoryGrant, Sanction
from . import _locked, _transition
from .orders import teacher_category_certificates_revoke

G = CategoryGrant.Ground
T = QualificationCategory.Track
# Grounds that give the moderator category to a teacher (a PhD or candidate or doctor of
# science, a listed graduate, a CELTA or DELTA holder).
MODERATOR_GROUNDS = frozenset({G.ACADEMIC_DEGREE, G.LISTED_GRADUATE, G.TEACHING_CERTIFICATE})
# A "1000 leaders" reservist appointed head or deputy head: position -> the category given.
RESERVIST_CATEGORIES = {"director": "head-1", "deputy-director": "deputy-1"}
# What a falsified portfolio drops the category to.
FALSIFIED_CATEGORY = "teacher"
# The applications a falsified portfolio closes: those still on their way to a decision.
DISQUALIFIABLE = frozenset(
    {
        Application.Status.SUBMITTED,
        Application.Status.ACCEPTED,
        Application.Status.CORRECTION,
        Application.Status.SCHEDULED,
    }
)


def _locked_teacher(teacher: Teacher) -> Teacher:
    return (
        Teacher.objects.select_for_update(of=("self",))
        .select_related("organization__district", "position", "category")
        .get(pk=teacher.pk)
    )


def _cycle_of(teacher: Teacher) -> AttestationCycle:
    cycle = eligibility.rules_cycle(teacher)
    if cycle is None:
        raise ValidationError(
            _("The teacher's region has no attestation cycle whose rules could apply.")
        )
    return cycle


def _not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _valid_until(category: QualificationCategory, start: dt.date) -> dt.date | None:
    return add_years(start, category.validity_years) if category.validity_years else None


# --- without attestation ----------------------------------------------------------------------


def _grant_refusal(teacher: Teacher, ground: str, category: QualificationCategory) -> str | None:
    """Why the ground does not give this category to this teacher (None: it does)."""
    if ground in MODERATOR_GROUNDS:
        if category.code != "moderator":
            return _("This ground gives the moderator category only.")
        if eligibility.track_for_position(teacher.position) != T.TEACHER:
            return _("This ground applies to teachers, not to heads or deputy heads.")
        # A legacy category is never "below moderator": on attestation it leads to moderator
        # or higher, so the grant would give its holder nothing certain.
        current = teacher.category
        if current is not None and (current.track != T.TEACHER or current.rank >= category.rank):
            return _("The teacher already has %(category)s: the ground gives nothing more.") % {
                "category": current.name
            }
        return None
    if ground == G.LEADERS_RESERVIST:
        expected = RESERVIST_CATEGORIES.get(teacher.position.code)
        if expected is None:
            return _("A reservist gets a category once appointed head or deputy head.")
        if category.code != expected:
            return _("A reservist appointed %(position)s gets the category %(category)s.") % {
                "position": teacher.position.name,
                "category": QualificationCategory.objects.get(code=expected).name,
            }
        return None
    return _("This ground has a service of its own.")


def category_grant_without_attestation(
    *,
    teacher: Teacher,
    ground: str,
    category: QualificationCategory,
    awarded_on: dt.date,
    actor,
    document: str,
) -> CategoryGrant:
    """A category assigned without attestation where the rules list a ground: moderator for
    a degree, a listed programme or a teaching certificate; the 1st head or deputy-head
    category for a "1000 leaders" reservist appointed to the post. Valid for the category's
    term from `awarded_on`. `actor` None is a call on the system's own behalf."""
    if actor is not None and not actor.has_perm("attestation.grant_category", teacher):
        raise PermissionDenied
    document = document.strip()
    if not document:
        raise ValidationError({"document": _("Name the document that proves the ground.")})
    _not_in_future(awarded_on, "awarded_on")
    with transaction.atomic():
        teacher = _locked_teacher(teacher)
        refusal = _grant_refusal(teacher, ground, category)
        if refusal:
            raise ValidationError({"ground": refusal})
        grant = CategoryGrant.objects.create(
            teacher=teacher,
            ground=ground,
            category=category,
            previous_category=teacher.category,
            previous_valid_until=teacher.category_valid_until,
            awarded_on=awarded_on,
            valid_until=_valid_until(category, awarded_on),
            document=document,
            created_by=actor,
        )
        # The document is the history's reason: it names the ground (a diploma, a
        # certificate, the order appointing a reservist), the grant row keeps the rest.
        teacher_update(
            teacher=teacher,
            actor=actor,
            source=document,
            category=category,
            category_awarded_on=awarded_on,
            category_valid_until=grant.valid_until,
        )
    return grant


def category_pre_pension_keep(*, teacher: Teacher, actor) -> CategoryGrant:
    """Keep the teacher's category until their pension, within the cycle's pre-pension
    years of it. A category that had already expired before that window opened is not
    revived."""
    if not actor.has_perm("attestation.grant_category", teacher):
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        teacher = _locked_teacher(teacher)
        if teacher.category is None:
            raise ValidationError(_("The teacher has no category to keep."))
        cycle = _cycle_of(teacher)
        pension = eligibility.pension_date(teacher=teacher, cycle=cycle)
        window_opens = add_years(pension, -cycle.pre_pension_years)
        if not window_opens <= today < pension:
            raise ValidationError(
                ngettext(
                    "The category is kept only within %(years)s year of the pension "
                    "(%(date)s): from %(from)s.",
                    "The category is kept only within %(years)s years of the pension "
                    "(%(date)s): from %(from)s.",
                    cycle.pre_pension_years,
                )
                % {
                    "years": cycle.pre_pension_years,
                    "date": short_date(pension),
                    "from": short_date(window_opens),
                }
            )
        valid_until = teacher.category_valid_until
        if valid_until is not None and valid_until < window_opens:
            raise ValidationError(
                _("The category expired on %(date)s, before the pre-pension years began.")
                % {"date": short_date(valid_until)}
            )
        if valid_until is None or valid_until >= pension:
            raise ValidationError(
                _("The category is already valid until the pension (%(date)s).")
                % {"date": short_date(pension)}
            )
        grant = CategoryGrant.objects.create(
            teacher=teacher,
            ground=G.PRE_PENSION,
            category=teacher.category,
            previous_category=teacher.category,
            previous_valid_until=valid_until,
            awarded_on=today,
            valid_until=pension,
            document=_("Pension on %(date)s") % {"date": short_date(pension)},
            created_by=actor,
        )
        teacher_update(
            teacher=teacher,
            actor=actor,
            source=_("Pre-pension age: the category is kept until the pension."),
            category_valid_until=pension,
        )
    return grant


# --- frozen categories ------------------------------------------------------------------------


def category_freeze_start(
    *, teacher: Teacher, reason: str, starts_on: dt.date, actor
) -> CategoryFreeze:
    """The teacher is away (illness, child care, postgraduate study, military service):
    their category is frozen. One open freeze at a time."""
    if not actor.has_perm("attestation.freeze_category", teacher):
        raise PermissionDenied
    _not_in_future(starts_on, "starts_on")
    with transaction.atomic():
        teacher = _locked_teacher(teacher)
        if teacher.category is None:
            raise ValidationError(_("The teacher has no category to freeze."))
        if CategoryFreeze.objects.filter(teacher=teacher, returned_on__isnull=True).exists():
            raise ValidationError(
                _("The teacher's category is already frozen: record the return first.")
            )
        freeze = CategoryFreeze(
            teacher=teacher,
            reason=reason,
            starts_on=starts_on,
            category=teacher.category,
            created_by=actor,
        )
        freeze.full_clean()
        freeze.save()
    return freeze


def category_freeze_end(*, freeze: CategoryFreeze, returned_on: dt.date, actor) -> CategoryFreeze:
    """The teacher is back: the category is kept the cycle's number of years after the
    return, and its validity extended to then if it would end earlier (only while the
    teacher still holds the category that was frozen)."""
    if not actor.has_perm("attestation.freeze_category", freeze.teacher):
        raise PermissionDenied
    _not_in_future(returned_on, "returned_on")
    with transaction.atomic():
        teacher = _locked_teacher(freeze.teacher)
        freeze = CategoryFreeze.objects.select_for_update().get(pk=freeze.pk)
        if freeze.returned_on is not None:
            raise ValidationError(
                _("The return was already recorded on %(date)s.")
                % {"date": short_date(freeze.returned_on)}
            )
        if returned_on < freeze.starts_on:
            raise ValidationError(
                {"returned_on": _("The return cannot precede the start of the absence.")}
            )
        freeze.returned_on = returned_on
        freeze.kept_until = add_years(returned_on, _cycle_of(teacher).freeze_kept_years)
        freeze.save(update_fields=["returned_on", "kept_until", "updated_at"])
        valid_until = teacher.category_valid_until
        if teacher.category_id == freeze.category_id and (
            valid_until is not None and valid_until < freeze.kept_until
        ):
            teacher_update(
                teacher=teacher,
                actor=actor,
                source=_("Frozen category (%(reason)s): kept until %(date)s after the return.")
                % {"reason": freeze.get_reason_display(), "date": short_date(freeze.kept_until)},
                category_valid_until=freeze.kept_until,
            )
    return freeze


# --- sanctions --------------------------------------------------------------------------------


def one_step_lower(category: QualificationCategory) -> QualificationCategory | None:
    """The rung below on the category's own ladder. The legacy categories step down among
    themselves (highest -> first -> second); "second", the lowest, leads on attestation to
    moderator at least, so one step below it is "teacher". None: nothing is lower."""
    lower = QualificationCategory.objects.filter(
        track=category.track, rank=category.rank - 1
    ).first()
    if lower is None and category.track == T.LEGACY:
        return QualificationCategory.objects.get(code=FALSIFIED_CATEGORY)
    return lower


def _disqualify(application: Application, teacher: Teacher, *, actor, reason: str) -> None:
    if application.teacher_id != teacher.pk:
        raise ValidationError({"application": _("This is another teacher's application.")})
    application = _locked(application)
    if application.status not in DISQUALIFIABLE:
        raise ValidationError(
            {
                "application": _(
                    "An application that is “%(status)s” can no longer be disqualified."
                )
                % {"status": application.get_status_display()}
            }
        )
    _transition(
        application,
        Application.Status.DISQUALIFIED,
        actor=actor,
        comment=_("Falsified portfolio: %(reason)s") % {"reason": reason},
    )


def sanction_impose(
    *, teacher: Teacher, kind: str, reason: str, actor, application: Application | None = None
) -> Sanction:
    """A sanction with its effect on the category. A falsified portfolio drops the category
    to "teacher", bars attestation for the cycle's years (fewer for heads) and closes the
    application under review; a late application or a breach of the test rules lowers the
    category one step for the cycle's years. Either way the teacher's valid category
    certificates are revoked, with the sanction as the reason: the public check must not
    call a category valid that the sanction took away."""
    if not actor.has_perm("attestation.impose_sanction", teacher):
        raise PermissionDenied
    if kind not in Sanction.Kind.values:
        raise ValidationError({"kind": _("Choose what the sanction is for.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the sanction.")})
    today = timezone.localdate()
    with transaction.atomic():
        teacher = _locked_teacher(teacher)
        cycle = application.cycle if application is not None else _cycle_of(teacher)
        before = teacher.category
        sanction = Sanction(
            teacher=teacher,
            application=application,
            kind=kind,
            imposed_on=today,
            reason=reason,
            category_before=before,
            valid_until_before=teacher.category_valid_until,
            created_by=actor,
        )
        if kind == Sanction.Kind.FALSIFIED:
            heads = teacher.position.staff_group == Position.StaffGroup.MANAGER
            years = cycle.falsification_bar_years_heads if heads else cycle.falsification_bar_years
            sanction.barred_until = add_years(today, years)
            dropped = QualificationCategory.objects.get(code=FALSIFIED_CATEGORY)
            higher = before is not None and not (
                before.track == T.TEACHER and before.rank <= dropped.rank
            )
            after = dropped if higher else before
            valid_after = _valid_until(dropped, today) if higher else teacher.category_valid_until
            if application is not None:
                _disqualify(application, teacher, actor=actor, reason=reason)
        else:
            if before is None:
                raise ValidationError(_("The teacher has no category to lower."))
            after = one_step_lower(before)
            if after is None:
                raise ValidationError(
                    _("%(category)s is the lowest on its ladder: it cannot be lowered.")
                    % {"category": before.name}
                )
            valid_after = add_years(today, cycle.lowered_category_years)
        sanction.category_after = after
        sanction.valid_until_after = valid_after
        sanction.full_clean()
        sanction.save()
        source = _("Sanction (%(kind)s): %(reason)s") % {
            "kind": sanction.get_kind_display(),
            "reason": reason,
        }
        if after != before or valid_after != teacher.category_valid_until:
            teacher_update(
                teacher=teacher,
                actor=actor,
                source=source,
                category=after,
                category_awarded_on=today,
                category_valid_until=valid_after,
            )
        teacher_category_certificates_revoke(teacher=teacher, reason=source)
    return sanction
