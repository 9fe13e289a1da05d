"""The WSGI entry point: `gunicorn wsgi:app`; the Celery worker: `celery -A wsgi:celery worker`."""

from app import create_app

app = create_app()
celery = app.extensions["celery"]
