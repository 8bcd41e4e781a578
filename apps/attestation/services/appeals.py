"""Appeals against a decision (DOMAIN.md, "Appeals"): the teacher lodges a complaint within
the cycle's working days after the decision; the body above the one that decided answers
within its working days. Upheld, the decision is marked revised and the application goes
back to review to be decided again through the normal path; rejected, the reasons are
recorded. APPEAL_TRANSITIONS is the one table of an appeal's status changes and
`_appeal_transition` the one place that changes it, writing an AppealEvent each time.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, RoleAssignment
from apps.core.calendar import add_working_days
from apps.core.dates import short_date
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient

from ..models import Appeal, AppealEvent, Application, Decision, Level
from . import _locked, _transition

AP = Appeal.Status
APPEAL_TRANSITIONS: dict = {
    None: {AP.LODGED},
    AP.LODGED: {AP.UPHELD, AP.REJECTED},
    AP.UPHELD: set(),
    AP.REJECTED: set(),
}
# The body that reviews an appeal against the decision of a body of each level.
REVIEW_LEVEL = {
    Level.ORGANIZATION: Level.DISTRICT,
    Level.DISTRICT: Level.REGION,
    Level.REGION: Level.MINISTRY,
    Level.MINISTRY: Level.MINISTRY,
}
# Who reviews appeals, and so is told of a new one in their scope.
REVIEWER_ROLES = (Role.METHODOLOGIST, Role.REGION_ADMIN)


def _appeal_transition(appeal: Appeal, to: str, *, actor, comment: str = "") -> None:
    current = appeal.status or None
    if to not in APPEAL_TRANSITIONS[current]:
        raise ValidationError(
            _("An appeal that is “%(from)s” cannot become “%(to)s”.")
            % {"from": AP(current).label if current else "—", "to": AP(to).label},
            code="transition",
        )
    appeal.status = to
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal,
        from_status=current or "",
        to_status=to,
        actor=actor if actor and actor.is_authenticated else None,
        comment=comment,
    )


def decision_level(decision: Decision) -> str:
    """The level of the body that decided: its commission's; a decision recorded without a
    session is the ministry's."""
    if decision.session_id is None:
        return Level.MINISTRY
    return decision.session.commission.level


def appeal_lodge_until(decision: Decision) -> dt.date:
    """The last day to lodge an appeal against the decision."""
    cycle = decision.application.cycle
    return add_working_days(decision.decided_on, cycle.appeal_lodge_working_days)


def appeal_lodge(*, decision: Decision, actor, text: str) -> Appeal:
    """The teacher's complaint against the decision in force on their application: within
    the cycle's working days after it, one open appeal per decision. The reviewers of the
    body above are told by e-mail."""
    from ..tasks import appeal_lodged_notify_task

    if not actor.has_perm("attestation.lodge_appeal", decision.application):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what you disagree with and why.")})
    today = timezone.localdate()
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("application__cycle", "session__commission")
            .get(pk=decision.pk)
        )
        if decision.revised_at is not None:
            raise ValidationError(
                _("This decision was revised on appeal: it can no longer be appealed.")
            )
        until = appeal_lodge_until(decision)
        if today > until:
            raise ValidationError(
                _("Appeals against this decision could be lodged until %(date)s.")
                % {"date": short_date(until)},
                code="too_late",
            )
        if decision.appeals.filter(status=AP.LODGED).exists():
            raise ValidationError(
                _("An appeal against this decision is already being reviewed."), code="open"
            )
        cycle = decision.application.cycle
        appeal = Appeal(
            decision=decision,
            application=decision.application,
            text=text,
            review_level=REVIEW_LEVEL[decision_level(decision)],
            due_on=add_working_days(today, cycle.appeal_review_working_days),
            lodged_by=actor,
        )
        _appeal_transition(appeal, AP.LODGED, actor=actor)
        appeal_lodged_notify_task.delay_on_commit(appeal.pk)
    return appeal


def appeal_decide(*, appeal: Appeal, actor, upheld: bool, reason: str) -> Appeal:
    """The reviewing body's answer. Upheld: the decision is marked revised and the
    application goes back to review, to be decided again (its category certificate, if
    one was issued, stays valid until the new decision's order replaces it). Rejected: the
    decision stands. Either way the teacher is told, with the reasons."""
    from ..tasks import appeal_decided_notify_task

    if not actor.has_perm("attestation.review_appeal", appeal):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reasons for the answer.")})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        appeal.outcome_reason = reason
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        _appeal_transition(
            appeal, AP.UPHELD if upheld else AP.REJECTED, actor=actor, comment=reason
        )
        if upheld:
            _revise(appeal, actor=actor)
        appeal_decided_notify_task.delay_on_commit(appeal.pk)
    return appeal


def _revise(appeal: Appeal, *, actor) -> None:
    application = _locked(appeal.application)
    Decision.objects.filter(pk=appeal.decision_id).update(revised_at=timezone.now())
    _transition(
        application,
        Application.Status.ACCEPTED,
        actor=actor,
        comment=_(
            "Appeal lodged on %(date)s upheld: the decision is revised and the portfolio is "
            "reviewed again."
        )
        % {"date": short_date(timezone.localtime(appeal.created_at).date())},
    )


# --- e-mail -----------------------------------------------------------------------------------


def _url(name: str, pk: int) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _appeal_for_mail(appeal_id: int) -> Appeal | None:
    return (
        Appeal.objects.select_related(
            "application__teacher__user",
            "application__organization__district",
            "application__claimed_category",
            "decision__assigned_category",
        )
        .filter(pk=appeal_id)
        .first()
    )


def appeal_reviewers(appeal: Appeal) -> list:
    """The methodologists and regional administrators whose scope covers the appeal: of
    the district for a district's review, and of the region for every appeal."""
    _organization_id, district_id, region_id = appeal.scope_keys
    scope = Q(region_id=region_id)
    if district_id is not None:
        scope |= Q(district_id=district_id)
    assignments = RoleAssignment.objects.filter(
        scope, role__in=REVIEWER_ROLES, user__is_active=True
    ).select_related("user")
    own = appeal.application.teacher.user_id
    users = {a.user_id: a.user for a in assignments if a.user_id != own}
    return sorted(users.values(), key=lambda user: user.pk)


def appeal_lodged_notify(*, appeal_id: int) -> None:
    """Tell the reviewers of the body above, each in their language."""
    appeal = _appeal_for_mail(appeal_id)
    if appeal is None:
        return
    context = {
        "appeal": appeal,
        "teacher": appeal.application.teacher,
        "appeal_url": _url("attestation:appeal_detail", appeal.pk),
    }
    for user in appeal_reviewers(appeal):
        mail_send_localized(
            to=user.email,
            language=user.preferred_language,
            template="attestation/email/appeal_lodged",
            context={**context, "reviewer": user},
        )


def appeal_decided_notify(*, appeal_id: int) -> None:
    """Tell the teacher the answer to their appeal, in their language."""
    appeal = _appeal_for_mail(appeal_id)
    if appeal is None or appeal.status == AP.LODGED:
        return
    teacher = appeal.application.teacher
    to, language = teacher_recipient(teacher)
    mail_send_localized(
        to=to,
        language=language,
        template="attestation/email/appeal_decided",
        context={
            "appeal": appeal,
            "teacher": teacher,
            "upheld": appeal.status == AP.UPHELD,
            "application_url": _url("attestation:application_detail", appeal.application_id),
        },
    )
