"""WSGI entry point (gunicorn ustaz_pd.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ustaz_pd.settings")
application = get_wsgi_application()
