"""WSGI entry point (gunicorn ustaz_pd.wsgi)."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ustaz_pd.settings")
application = get_wsgi_application()
if not settings.DEBUG and not settings.SECRET_KEY_SET:
    raise ImproperlyConfigured("Set SECRET_KEY to serve with DEBUG off.")
