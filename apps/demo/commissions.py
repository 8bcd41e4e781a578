"""Demo attestation, second half: the commissions of the demo school, its district and the
region with their members; portfolios scored; a correction asked for; a closed session
with its decisions and protocol; an order with category certificates; a planned session;
appeals (one open, one rejected); a ministry decision; a falsified portfolio sanctioned;
a category frozen and one assigned without attestation. All through the services, as a
year's work would make them."""

import datetime as dt
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import role_assignment_create
from apps.attestation import scoring
from apps.attestation.exclusions import excluded_members
from apps.attestation.models import (
    Application,
    CategoryFreeze,
    CategoryGrant,
    Commission,
    CommissionMember,
    Decision,
    Level,
)
from apps.attestation.services import appeals, commissions, orders, sessions, special
from apps.teachers.models import QualificationCategory, Teacher

VOTING_MEMBERS = 7
MINISTRY = ("Қазақстан Республикасы Оқу-ағарту министрлігі", "Министерство просвещения РК")


def seed_commissions(*, rng, cycle, region_admin, school_admin, methodologist, member) -> dict:
    """`member` is the demo commission member's login: they sit on every commission."""
    from .seed import DEMO_EMAIL_DOMAIN, person_name

    today = timezone.localdate()
    school = school_admin.role_assignments.get(role="school_admin").organization
    district = methodologist.role_assignments.get(role="methodologist").district
    others = _member_users(rng, DEMO_EMAIL_DOMAIN, person_name)
    bodies = (
        (Level.ORGANIZATION, school_admin, school, school.name_kk, school.name_ru),
        (
            Level.DISTRICT,
            methodologist,
            None,
            f"{district.name_kk} білім бөлімі",
            f"Отдел образования {district.name_ru}",
        ),
        (
            Level.REGION,
            region_admin,
            None,
            "Түркістан облысының білім басқармасы",
            "Управление образования Туркестанской области",
        ),
    )
    decided = []
    for level, staff, works_in, body_kk, body_ru in bodies:
        commission = commissions.commission_create(
            actor=staff,
            cycle=cycle,
            level=level,
            organization=school if level == Level.ORGANIZATION else None,
            district=district if level == Level.DISTRICT else None,
            name_kk=f"{body_kk}: аттестаттау комиссиясы",
            name_ru=f"{body_ru}: аттестационная комиссия",
        )
        seats = [(others[0], "chair"), (member, "member")]
        seats += [(user, "member") for user in others[1:]]
        seats.append((methodologist if level != Level.ORGANIZATION else school_admin, "secretary"))
        for user, role in seats:
            commissions.member_add(
                commission=commission,
                actor=staff,
                user=user,
                role=role,
                full_name=f"{user.last_name} {user.first_name}",
                position="Әдіскер" if works_in is None else "Пән мұғалімі",
                experience_years=rng.randint(8, 30),
                organization=works_in,
            )
        commission = commissions.commission_form(commission=commission, actor=staff)
        decided += _year_of(
            rng, commission, staff=staff, body=(body_kk, body_ru), member=member, today=today
        )
    _ministry(cycle, actor=region_admin, today=today)
    _appeals(decided)
    _sanction(cycle, actor=region_admin)
    _special_paths(rng, region_admin=region_admin, school_admin=school_admin, school=school)
    return {"commissions": len(bodies)}


def _member_users(rng, domain: str, person_name) -> list[User]:
    """The chair and the other members of the demo commissions (besides the demo login)."""
    password = make_password(settings.DEMO_PASSWORD)
    users = []
    for n in range(1, VOTING_MEMBERS):
        sex = rng.choice((Teacher.Sex.FEMALE, Teacher.Sex.MALE))
        last_name, first_name, _middle = person_name(
            rng, origin="kk", sex=sex, age=rng.randint(35, 60)
        )
        user = User.objects.create(
            email=f"member{n}@{domain}",
            password=password,
            first_name=first_name,
            last_name=last_name,
            preferred_language="kk",
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        role_assignment_create(user=user, role=Role.TEACHER)
        users.append(user)
    return users


def _year_of(rng, commission: Commission, *, staff, body, member, today) -> list[Decision]:
    """A commission's year so far: a third of the applications decided three weeks ago
    and put in force by an order once their appeal period passed; a quarter decided two
    days ago (still open to appeal); the next one on a planned session; one sent back for
    a correction; the rest under review, the last one not scored yet. Returns the recent
    decisions (the ones that may still be appealed)."""
    applications = list(
        commission.applications.filter(status=Application.Status.ACCEPTED)
        .select_related("teacher", "claimed_category", "cycle")
        .order_by("pk")
    )
    if not applications:
        return []
    members = list(commission.members.select_related("user"))
    voting = [m for m in members if m.role != CommissionMember.Role.SECRETARY]
    secretary = next(m for m in members if m.role == CommissionMember.Role.SECRETARY)
    n = len(applications)
    older = applications[: max(1, n // 3)]
    recent = applications[len(older) : len(older) + n // 4]
    rest = applications[len(older) + len(recent) :]
    _score(rng, commission, applications[:-1] if rest else applications, voting=voting)
    decisions = _closed_session(
        rng, commission, older, secretary=secretary, voting=voting, day=today - dt.timedelta(21)
    )
    in_force = [d for d in decisions if d.outcome != Decision.Outcome.KEEP]
    if in_force:
        orders.order_issue(
            actor=staff,
            decisions=in_force,
            number=f"{rng.randint(100, 300)}-Ж",
            dated=today - dt.timedelta(days=7),
            issuing_body_kk=body[0],
            issuing_body_ru=body[1],
            signed_by=f"{voting[0].full_name}",
        )
    appealable = []
    if recent:
        appealable = _closed_session(
            rng, commission, recent, secretary=secretary, voting=voting, day=today - dt.timedelta(2)
        )
    if rest:
        planned = sessions.session_create(
            commission=commission,
            actor=secretary.user,
            starts_at=_at(today + dt.timedelta(days=12)),
            place="Мәжіліс залы / Актовый зал",
        )
        sessions.session_agenda_add(session=planned, actor=secretary.user, applications=rest[:1])
        rest = rest[1:]
    if rest:
        commissions.review_return(
            application=rest[0],
            actor=member,
            comment="Олимпиада дипломының көшірмесі оқылмайды: анық көшірмесін жүктеңіз.",
        )
    return appealable


def _score(rng, commission, applications, *, voting) -> None:
    """Every voting member who sits scores each portfolio, around its threshold."""
    sitting_out = excluded_members(commission, applications, voting)
    criteria = list(commission.cycle.review_criteria.all())
    thresholds = scoring.review_summaries(applications)
    for application in applications:
        target = (thresholds[application.pk].threshold or 60) + rng.randint(-15, 20)
        for seat in voting:
            if (application.pk, seat.pk) not in sitting_out:
                commissions.review_save(
                    application=application,
                    actor=seat.user,
                    scores=_scores(rng, criteria, target),
                    submit=True,
                )


def _scores(rng, criteria, target: int) -> dict[str, int]:
    """Points per criterion adding up to about `target`, none over its maximum."""
    most = sum(c.max_points for c in criteria)
    share = Decimal(max(0, min(target, most))) / most
    return {
        c.code: max(0, min(c.max_points, round(c.max_points * share) + rng.randint(-1, 1)))
        for c in criteria
    }


def _closed_session(rng, commission, applications, *, secretary, voting, day) -> list:
    """A session on `day`: everyone present, votes as the points suggest (now and then
    one member dissenting), closed with its protocol."""
    session = sessions.session_create(
        commission=commission,
        actor=secretary.user,
        starts_at=_at(day),
        place="Мәжіліс залы / Актовый зал",
    )
    sessions.session_agenda_add(session=session, actor=secretary.user, applications=applications)
    sessions.session_attendance_set(session=session, actor=secretary.user, present=voting)
    summaries = scoring.review_summaries(applications)
    sitting_out = excluded_members(commission, applications, voting)
    votes = {}
    for item in session.items.select_related("application"):
        meets = summaries[item.application_id].meets is not False
        seats = [s for s in voting if (item.application_id, s.pk) not in sitting_out]
        dissenter = rng.choice(seats[1:]) if rng.random() < 0.3 and len(seats) > 2 else None
        for seat in seats:
            votes[(item.pk, seat.pk)] = "for" if meets != (seat == dissenter) else "against"
    sessions.session_votes_set(session=session, actor=secretary.user, votes=votes)
    number = str(commission.sessions.filter(status="closed").count() + 1)
    sessions.session_close(session=session, actor=secretary.user, protocol_number=number)
    return list(session.decisions.select_related("application__teacher").order_by("pk"))


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _ministry(cycle, *, actor, today) -> None:
    """Master claims: the ministry's decision recorded as received, with its order."""
    for n, application in enumerate(
        cycle.applications.filter(status=Application.Status.ACCEPTED, level=Level.MINISTRY)
    ):
        orders.ministry_decision_record(
            application=application,
            actor=actor,
            outcome=Decision.Outcome.MEETS,
            assigned_category=application.claimed_category,
            decided_on=today - dt.timedelta(days=4),
            reasons="",
            order_number=f"{510 + n}",
            order_dated=today - dt.timedelta(days=2),
        )


def _appeals(decisions: list) -> None:
    """The teachers of two decisions appeal (they get accounts for it): one appeal is
    still with the body above, the other was rejected."""
    from .seed import DEMO_EMAIL_DOMAIN

    candidates = [d for d in decisions if d.order_id is None][:2]
    for n, decision in enumerate(candidates, start=1):
        teacher = decision.application.teacher
        user = _teacher_account(teacher, f"appeal{n}@{DEMO_EMAIL_DOMAIN}")
        appeal = appeals.appeal_lodge(
            decision=decision,
            actor=user,
            text="Портфолиодағы аудандық олимпиада дипломы есепке алынбады деп есептеймін.",
        )
        if n == 2:
            reviewer = next(iter(appeals.appeal_reviewers(appeal)), None)
            if reviewer is not None:
                appeals.appeal_decide(
                    appeal=appeal,
                    actor=reviewer,
                    upheld=False,
                    reason="Диплом бағаланған: критерий бойынша 3 балл қойылған.",
                )


def _teacher_account(teacher: Teacher, email: str) -> User:
    user = User.objects.create_user(
        email,
        password=settings.DEMO_PASSWORD,
        first_name=teacher.first_name,
        last_name=teacher.last_name,
        preferred_language="kk",
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    role_assignment_create(user=user, role=Role.TEACHER)
    Teacher.objects.filter(pk=teacher.pk).update(user=user)  # an account link only
    teacher.user = user
    return user


def _sanction(cycle, *, actor) -> None:
    """A portfolio found falsified: the application closed, the teacher barred."""
    application = (
        cycle.applications.filter(status=Application.Status.ACCEPTED).order_by("-pk").first()
    )
    if application is not None:
        special.sanction_impose(
            teacher=application.teacher,
            kind="falsified",
            reason="Семинарға қатысу сертификаты жалған екені анықталды.",
            actor=actor,
            application=application,
        )


def _special_paths(rng, *, region_admin, school_admin, school) -> None:
    """A category frozen for child care, and a moderator category assigned without
    attestation to a teacher with a PhD."""
    staff = Teacher.objects.filter(organization=school, applications__isnull=True)
    frozen = staff.filter(category__isnull=False, position__staff_group="school").first()
    if frozen is not None:
        special.category_freeze_start(
            teacher=frozen,
            reason=CategoryFreeze.Reason.CHILD_CARE,
            starts_on=timezone.localdate() - dt.timedelta(days=rng.randint(60, 300)),
            actor=school_admin,
        )
    teacher_ladder = Q(category__isnull=True) | Q(category__code__in=("intern", "teacher"))
    doctor = staff.filter(teacher_ladder, position__staff_group="school").exclude(
        pk=getattr(frozen, "pk", None)
    )
    doctor = doctor.first()
    if doctor is not None:
        special.category_grant_without_attestation(
            teacher=doctor,
            ground=CategoryGrant.Ground.ACADEMIC_DEGREE,
            category=QualificationCategory.objects.get(code="moderator"),
            awarded_on=timezone.localdate() - dt.timedelta(days=30),
            actor=region_admin,
            document="PhD дипломы № 0012345",
        )
