"""ASGI entry point."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ustaz_pd.settings")
application = get_asgi_application()
if not settings.DEBUG and not settings.SECRET_KEY_SET:
    raise ImproperlyConfigured("Set SECRET_KEY to serve with DEBUG off.")
