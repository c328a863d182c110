import os

from django.core.wsgi import get_wsgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
embedded.bootstrap_env()
application = get_wsgi_application()
