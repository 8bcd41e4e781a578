"""Authentication by e-mail (django-allauth); Django's model permissions for staff only.

Model permissions matter only in the admin; the pages' permissions are the rules of
apps/accounts/rules.py. Asking ModelBackend for everyone else would cost two permission
queries on every page a non-staff user opens.
"""

from allauth.account.auth_backends import AuthenticationBackend


class AccountBackend(AuthenticationBackend):
    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_staff and super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_staff and super().has_module_perms(user_obj, app_label)
