"""Users (e-mail login) and their roles, each with a scope (region, district, organisation)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.organizations.models import District, Organization, Region


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    SCHOOL_ADMIN = "school_admin", _("school administrator")
    METHODOLOGIST = "methodologist", _("methodologist")
    COMMISSION_MEMBER = "commission_member", _("commission member")
    HR_ANALYST = "hr_analyst", _("regional HR analyst")
    REGION_ADMIN = "region_admin", _("regional administrator")


# Which scope each role takes: an organisation, a district or the region, or none (a teacher
# sees only their own records, found through the teacher record linked to the user).
ROLE_SCOPES = {
    Role.TEACHER: {"none"},
    Role.SCHOOL_ADMIN: {"organization"},
    Role.METHODOLOGIST: {"district", "region"},
    Role.COMMISSION_MEMBER: {"district", "region"},
    Role.HR_ANALYST: {"district", "region"},
    Role.REGION_ADMIN: {"region"},
}


class RoleAssignment(TimeStampedModel):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("district or city"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Exactly one scope column is set, or none for the teacher role.
            models.CheckConstraint(
                name="role_assignment_one_scope",
                condition=(
                    Q(role="teacher", region__isnull=True, district__isnull=True)
                    & Q(organization__isnull=True)
                )
                | Q(
                    role="school_admin",
                    organization__isnull=False,
                    region__isnull=True,
                    district__isnull=True,
                )
                | Q(
                    role__in=["methodologist", "commission_member", "hr_analyst"],
                    organization__isnull=True,
                )
                & (
                    Q(region__isnull=False, district__isnull=True)
                    | Q(region__isnull=True, district__isnull=False)
                )
                | Q(
                    role="region_admin",
                    region__isnull=False,
                    district__isnull=True,
                    organization__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        target = self.organization or self.district or self.region
        return f"{self.get_role_display()}: {target}" if target else self.get_role_display()
