# The portal's production image: web, worker and beat all run from it with different commands.
# Build:  docker build -t hackney-portal .
# Run:    docker run --env-file production.env -p 8000:8000 hackney-portal
# See docs/deployment.md for every variable and the Kubernetes manifests in deploy/kubernetes/.

FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Production dependencies only: no embedded servers, no test tools (see pyproject's dependency groups).
COPY deploy/requirements.production.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-deps --require-hashes -r /tmp/requirements.lock
COPY . /app
# The development servers and demo logins never reach the final image (.dockerignore drops tests and bench).
RUN rm -rf /app/hackney_portal/devservices \
    && DJANGO_SETTINGS_MODULE=hackney_portal.settings.production \
       DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
       DJANGO_ALLOWED_HOSTS=build.invalid \
       PORTAL_SITE_URL=https://build.invalid \
       FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
       PORTAL_STORAGE=s3 AWS_STORAGE_BUCKET_NAME=build.invalid \
       PORTAL_STATIC_ROOT=/app/staticfiles \
       /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=hackney_portal.settings.production \
    PORTAL_STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --no-create-home --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness only: the process answers. Readiness (/readyz) is the orchestrator's business.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
# Web by default; the worker and beat override the command (deploy/kubernetes/).
CMD ["gunicorn", "hackney_portal.wsgi"]
