# The Bank image: the web app (gunicorn), and with another command the Celery worker and beat.
# See docker-compose.yml for the production stack built from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    FLASK_APP=wsgi \
    INSTANCE_PATH=/app/instance \
    BIND=0.0.0.0:5000

WORKDIR /app

# The font of the printable QR card (PDF): DejaVu covers Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that code changes do not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Only what the app runs (no .venv, .git, instance/ or .env from the build machine).
COPY wsgi.py gunicorn.conf.py babel.cfg ./
COPY app/ app/
COPY admin/ admin/
COPY widget/ widget/
COPY tasks/ tasks/
COPY migrations/ migrations/

# The .mo catalogs are build outputs (git-ignored): compile them here; fails on a broken catalog.
RUN pybabel -q compile -d app/translations

# Run as an unprivileged user; instance/uploads is where uploaded files go (a volume in compose).
RUN useradd --create-home --uid 10001 bank \
    && mkdir -p /app/instance/uploads \
    && chown -R bank:bank /app/instance
USER bank

EXPOSE 5000

# Apply pending migrations, then serve. A lock keeps two replicas from migrating at once; the
# one that finds it taken exits and is restarted by compose's restart policy.
CMD ["sh", "-c", "flask migrate && exec gunicorn -c gunicorn.conf.py wsgi:app"]
