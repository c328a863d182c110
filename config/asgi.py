import os

from django.core.asgi import get_asgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
embedded.bootstrap_env()
application = get_asgi_application()
