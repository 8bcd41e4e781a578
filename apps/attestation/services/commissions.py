"""Commissions by level (DOMAIN.md "Commission by level") and the portfolio review by their
members: forming a commission and keeping its composition valid, each member's independent
scoring sheet, and a reviewer's return of an application for a specific correction."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.scopes import commission_seats_forget
from apps.core.calendar import add_working_days
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient

from ..exclusions import attested_member_ids, member_exclusion
from ..models import (
    Application,
    AttestationCycle,
    Commission,
    CommissionMember,
    CommissionSession,
    Level,
    Review,
    ReviewCriterion,
)
from . import _locked, _transition

A = Application.Status
Member = CommissionMember.Role
# Applications that wait for their commission: attached when it is created.
AWAITING_COMMISSION = (A.ACCEPTED, A.CORRECTION)
# A member may score while the application is under review, before it is decided.
SCORABLE = (A.ACCEPTED, A.SCHEDULED)


# --- commissions ------------------------------------------------------------------------------


def _check_open(cycle: AttestationCycle) -> None:
    if cycle.status == AttestationCycle.Status.CLOSED:
        raise ValidationError(
            _("The %(year)s cycle is closed: its commissions can no longer be changed.")
            % {"year": cycle.school_year},
            code="closed",
        )


def _manageable(commission: Commission, actor) -> Commission:
    """The commission's row locked (composition changes one at a time), after the checks
    every change of a commission makes."""
    if not actor.has_perm("attestation.manage_commissions", commission):
        raise PermissionDenied
    commission = (
        Commission.objects.select_for_update(of=("self",))
        .select_related("cycle", "organization__district", "district")
        .get(pk=commission.pk)
    )
    _check_open(commission.cycle)
    return commission


def _body_errors(commission: Commission) -> dict:
    """The body a commission of its level needs, in the cycle's region."""
    level, region_id = commission.level, commission.cycle.region_id
    if level == Level.MINISTRY:
        return {
            "level": _(
                "The ministry's decisions are recorded as received: it has no commission here."
            )
        }
    if level == Level.ORGANIZATION:
        if commission.organization is None:
            return {"organization": _("Choose the organisation.")}
        if commission.organization.district.region_id != region_id:
            return {"organization": _("The organisation is not in the cycle's region.")}
    if level == Level.DISTRICT:
        if commission.district is None:
            return {"district": _("Choose the district or city.")}
        if commission.district.region_id != region_id:
            return {"district": _("The district is not in the cycle's region.")}
    return {}


def _body_filter(commission: Commission) -> dict:
    """The lookups of the commissions (and applications) of the same body and cycle."""
    if commission.level == Level.ORGANIZATION:
        return {"organization_id": commission.organization_id}
    if commission.level == Level.DISTRICT:
        return {"district_id": commission.district_id}
    return {}


def commission_create(
    *,
    actor,
    cycle: AttestationCycle,
    level: str,
    organization=None,
    district=None,
    name_kk: str,
    name_ru: str,
) -> Commission:
    """The commission of a body for a cycle, being formed. It takes over the applications
    of its body already accepted in the cycle that had no commission to go to."""
    commission = Commission(
        cycle=cycle,
        level=level,
        organization=organization if level == Level.ORGANIZATION else None,
        district=district if level == Level.DISTRICT else None,
        name_kk=name_kk.strip(),
        name_ru=name_ru.strip(),
        created_by=actor,
    )
    errors = _body_errors(commission)
    if errors:
        raise ValidationError(errors)
    if not actor.has_perm("attestation.manage_commissions", commission):
        raise PermissionDenied
    commission.full_clean(exclude=["cycle", "created_by"], validate_constraints=False)
    with transaction.atomic():
        cycle = AttestationCycle.objects.select_for_update().get(pk=cycle.pk)
        _check_open(cycle)
        same_body = Commission.objects.filter(cycle=cycle, level=level, **_body_filter(commission))
        if same_body.exists():
            raise ValidationError(
                _("This body already has a commission for the %(year)s cycle.")
                % {"year": cycle.school_year},
                code="duplicate",
            )
        commission.cycle = cycle
        commission.save()
        _attach_waiting_applications(commission)
    return commission


def _attach_waiting_applications(commission: Commission) -> int:
    """Give the commission the applications of its body that `services.commission_for`
    found none for when they were accepted (the same matching)."""
    waiting = Application.objects.filter(
        cycle_id=commission.cycle_id,
        level=commission.level,
        status__in=AWAITING_COMMISSION,
        commission__isnull=True,
    )
    if commission.level == Level.ORGANIZATION:
        waiting = waiting.filter(organization_id=commission.organization_id)
    elif commission.level == Level.DISTRICT:
        waiting = waiting.filter(
            Q(routed_district_id=commission.district_id)
            | Q(routed_district__isnull=True, organization__district_id=commission.district_id)
        )
    return waiting.update(commission=commission)


def commission_update(*, commission: Commission, actor, name_kk: str, name_ru: str) -> Commission:
    with transaction.atomic():
        commission = _manageable(commission, actor)
        commission.name_kk, commission.name_ru = name_kk.strip(), name_ru.strip()
        commission.full_clean(exclude=["cycle", "created_by"], validate_constraints=False)
        commission.save(update_fields=["name_kk", "name_ru", "updated_at"])
    return commission


def composition_problems(commission: Commission) -> list[str]:
    """What keeps the commission from being formed (DOMAIN.md): an odd number of voting
    members (the chair and the members; the secretary does not vote), at least the cycle's
    minimum, one chair, one secretary, every member with the cycle's years of experience.
    Members being attested in the cycle do not sit, so they are not counted as voting."""
    cycle = commission.cycle
    members = list(commission.members.all())
    roles = [m.role for m in members]
    attested = attested_member_ids(commission)
    sitting_out = [m for m in members if m.role != Member.SECRETARY and m.pk in attested]
    voting = sum(1 for role in roles if role != Member.SECRETARY) - len(sitting_out)
    problems = []
    if voting < cycle.commission_min_members:
        problems.append(
            ngettext(
                "There is %(count)s voting member (the chair and the members): "
                "at least %(min)s are needed.",
                "There are %(count)s voting members (the chair and the members): "
                "at least %(min)s are needed.",
                voting,
            )
            % {"count": voting, "min": cycle.commission_min_members}
        )
    if voting % 2 == 0:
        problems.append(
            _("The number of voting members must be odd: it is %(count)s.") % {"count": voting}
        )
    if problems and sitting_out:
        names = [m.full_name for m in sitting_out]
        problems.append(
            ngettext(
                "%(names)s is being attested in this cycle and does not sit: not counted "
                "among the voting members.",
                "%(names)s are being attested in this cycle and do not sit: not counted "
                "among the voting members.",
                len(names),
            )
            % {"names": ", ".join(names)}
        )
    if roles.count(Member.CHAIR) != 1:
        problems.append(_("The commission needs one chair."))
    if roles.count(Member.SECRETARY) != 1:
        problems.append(_("The commission needs one secretary (who does not vote)."))
    for member in members:
        if member.experience_years < cycle.member_min_experience_years:
            problems.append(
                ngettext(
                    "%(name)s has %(years)s year of experience: at least %(min)s are needed.",
                    "%(name)s has %(years)s years of experience: at least %(min)s are needed.",
                    member.experience_years,
                )
                % {
                    "name": member.full_name,
                    "years": member.experience_years,
                    "min": cycle.member_min_experience_years,
                }
            )
    return problems


def _recheck_formed(commission: Commission) -> None:
    """A formed commission whose composition is no longer valid is being formed again."""
    if commission.status == Commission.Status.FORMED and composition_problems(commission):
        commission.status = Commission.Status.FORMING
        commission.formed_on = None
        commission.save(update_fields=["status", "formed_on", "updated_at"])


def commission_form(*, commission: Commission, actor) -> Commission:
    """Mark the commission formed (today), if its composition allows it. Forming after the
    cycle's date still works: the page says it is late."""
    with transaction.atomic():
        commission = _manageable(commission, actor)
        if commission.status == Commission.Status.FORMED:
            raise ValidationError(_("The commission is already formed."), code="formed")
        problems = composition_problems(commission)
        if problems:
            raise ValidationError(problems, code="composition")
        commission.status = Commission.Status.FORMED
        commission.formed_on = timezone.localdate()
        commission.save(update_fields=["status", "formed_on", "updated_at"])
    return commission


def member_add(
    *,
    commission: Commission,
    actor,
    user,
    role: str,
    full_name: str,
    position: str,
    experience_years: int,
    organization=None,
) -> CommissionMember:
    """A seat on the commission: one chair, one secretary, a user once. The member's
    `commission` is the commission as it is afterwards (being formed again if the new
    seat breaks the composition of a formed one)."""
    with transaction.atomic():
        commission = _manageable(commission, actor)
        seats = list(commission.members.all())
        errors = {}
        if role in (Member.CHAIR, Member.SECRETARY) and any(m.role == role for m in seats):
            errors["role"] = (
                _("The commission already has a chair.")
                if role == Member.CHAIR
                else _("The commission already has a secretary.")
            )
        if any(m.user_id == user.pk for m in seats):
            errors["user"] = _("%(user)s already sits on this commission.") % {"user": user.email}
        if (
            organization is not None
            and organization.district.region_id != commission.cycle.region_id
        ):
            errors["organization"] = _("The organisation is not in the cycle's region.")
        member = CommissionMember(
            commission=commission,
            user=user,
            role=role,
            full_name=" ".join(full_name.split()),
            position=position.strip(),
            organization=organization,
            experience_years=experience_years,
        )
        try:
            member.full_clean(exclude=["commission", "user"], validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)
        member.save()
        _recheck_formed(commission)
    commission_seats_forget(user)
    return member


def member_remove(*, member: CommissionMember, actor) -> Commission:
    """Take a seat away, with the member's draft sheets; not once the member has submitted
    a sheet, voted or sat in a closed session (the protocol names them). Returns the
    commission as it is afterwards (being formed again if it no longer may be formed)."""
    with transaction.atomic():
        commission = _manageable(member.commission, actor)
        member = CommissionMember.objects.select_for_update().filter(pk=member.pk).first()
        if member is None:  # removed meanwhile (a second tab, a replayed form)
            return commission
        if (
            member.reviews.filter(submitted_at__isnull=False).exists()
            or member.votes.exists()
            or member.sessions_attended.filter(status=CommissionSession.Status.CLOSED).exists()
        ):
            raise ValidationError(
                _(
                    "%(name)s has already submitted scores, voted or sat in a session: the "
                    "seat is part of the record and cannot be removed."
                )
                % {"name": member.full_name},
                code="has_record",
            )
        member.reviews.all().delete()
        member.delete()
        _recheck_formed(commission)
    return commission


# --- portfolio review -------------------------------------------------------------------------


def _scoring_seat(application: Application, actor) -> CommissionMember:
    """The actor's seat on the application's commission, if they may score it: a chair or
    a member (the secretary does not score) who does not sit this application out."""
    seat = (
        CommissionMember.objects.select_related("commission__cycle")
        .filter(commission_id=application.commission_id, user_id=actor.pk)
        .first()
        if application.commission_id
        else None
    )
    if seat is None or not actor.has_perm("attestation.review_application", application):
        raise PermissionDenied
    if seat.role == Member.SECRETARY:
        raise ValidationError(
            _("The secretary keeps the minutes and does not score portfolios."), code="secretary"
        )
    reason = member_exclusion(seat, application)
    if reason:
        raise ValidationError(
            _("%(name)s sits out this application: %(reason)s.")
            % {"name": seat.full_name, "reason": reason},
            code="excluded",
        )
    return seat


def _score_errors(criteria: list[ReviewCriterion], scores: dict, *, submit: bool) -> list[str]:
    known = {c.code: c for c in criteria}
    errors = [
        _("“%(code)s” is not a criterion of this cycle's scoring sheet.") % {"code": code}
        for code in scores
        if code not in known
    ]
    for criterion in criteria:
        if criterion.code not in scores:
            if submit:
                errors.append(
                    _("%(criterion)s: score it before submitting.") % {"criterion": criterion.title}
                )
            continue
        value = scores[criterion.code]
        # A bool is an int too: only a true integer is a score.
        if type(value) is not int or not 0 <= value <= criterion.max_points:
            errors.append(
                _("%(criterion)s: from 0 to %(max)s points.")
                % {"criterion": criterion.title, "max": criterion.max_points}
            )
    return errors


def review_save(
    *, application: Application, actor, scores: dict[str, int], comment: str = "", submit=False
) -> Review:
    """Save the actor's scoring sheet of the application: a draft (which may be partial and
    is not counted) or, with `submit`, the whole sheet. A submitted sheet may be changed
    and submitted again until the application is decided. The application's row is locked,
    so a sheet and a decision never cross."""
    with transaction.atomic():
        application = _locked(application)
        member = _scoring_seat(application, actor)
        if application.status not in SCORABLE:
            raise ValidationError(
                _("Only an application under review can be scored: this one is “%(status)s”.")
                % {"status": application.get_status_display()},
                code="status",
            )
        criteria = list(application.cycle.review_criteria.all())
        errors = _score_errors(criteria, scores, submit=submit)
        if errors:
            raise ValidationError({"scores": errors})
        review = Review.objects.filter(application=application, member=member).first() or Review(
            application=application, member=member
        )
        review.scores = {c.code: scores[c.code] for c in criteria if c.code in scores}
        review.total = sum(review.scores.values())
        review.comment = comment.strip()
        review.version = application.version
        review.submitted_at = timezone.now() if submit else None
        review.save()
    return review


def review_return(
    *, application: Application, actor, comment: str, due_on: dt.date | None = None
) -> Application:
    """A scoring member returns the application to the teacher for a specific correction,
    by a deadline (by default the cycle's working days from today). The teacher is told by
    e-mail; their resubmission (`application_submit`) brings it back to review as a new
    version."""
    from ..tasks import review_return_notify_task

    today = timezone.localdate()
    with transaction.atomic():
        application = _locked(application)
        _scoring_seat(application, actor)
        errors = {}
        if not comment.strip():
            errors["comment"] = _("Say what needs correcting.")
        if due_on is not None and due_on <= today:
            errors["due_on"] = _("The deadline must be after today.")
        if errors:
            raise ValidationError(errors)
        application.correction_due_on = due_on or add_working_days(
            today, application.cycle.correction_working_days
        )
        _transition(application, A.CORRECTION, actor=actor, comment=comment.strip())
        review_return_notify_task.delay_on_commit(application.pk)
    return application


def review_return_notify(*, application_id: int) -> None:
    """The e-mail to the teacher, in their language: what to correct, by when, and where."""
    application = (
        Application.objects.select_related("teacher__user", "claimed_category", "cycle")
        .filter(pk=application_id, status=A.CORRECTION)
        .first()
    )
    if application is None:
        return
    event = application.events.filter(to_status=A.CORRECTION).order_by("at", "pk").last()
    to, language = teacher_recipient(application.teacher)
    mail_send_localized(
        to=to,
        language=language,
        template="attestation/email/review_correction",
        context={
            "application": application,
            "teacher": application.teacher,
            "comment": event.comment if event else "",
            "due_on": application.correction_due_on,
            "application_url": settings.PUBLIC_BASE_URL.rstrip("/")
            + reverse("attestation:application_detail", args=[application.pk]),
        },
    )
