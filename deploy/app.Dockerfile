# syntax=docker/dockerfile:1
# The LaborSign application image: one image for every app process of deploy/compose.yaml
# (gunicorn web and signing pools, job workers, the scheduler, the one-time init steps).
# Build from the repository root:  docker build -f deploy/app.Dockerfile -t laborsign:local .
FROM python:3.11.13-slim-bookworm

# The CJK font embedded in every contract PDF (as `make run` installs it).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/laborsign/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/laborsign/venv/bin:$PATH

WORKDIR /srv/laborsign

# uv itself, pinned with hashes (requirements-uv.txt), then exactly what uv.lock pins
# (hashes checked; --locked fails if pyproject.toml and uv.lock disagree). Runtime packages
# only: no test extras.
COPY requirements-uv.txt pyproject.toml uv.lock ./
RUN python -m venv /opt/uv \
 && /opt/uv/bin/pip install --no-cache-dir --no-deps --require-hashes -r requirements-uv.txt \
 && /opt/uv/bin/uv sync --locked --no-dev --python /usr/local/bin/python3 --no-cache \
 && rm -rf /opt/uv

# The application (no instance/, no secrets: those come from the env file and volumes).
COPY config.py wsgi.py gunicorn.conf.py babel.cfg ./
COPY app ./app
COPY signing ./signing
COPY archive ./archive
COPY templates ./templates
COPY migrations ./migrations

# A non-root user; the PKI volume and the prometheus multiprocess folder belong to it.
RUN groupadd --system --gid 10001 laborsign \
 && useradd --system --uid 10001 --gid laborsign --home-dir /var/lib/laborsign --no-create-home laborsign \
 && mkdir -p /var/lib/laborsign/pki /run/laborsign/metrics \
 && chown -R laborsign:laborsign /var/lib/laborsign /run/laborsign \
 && chmod 0700 /var/lib/laborsign/pki
USER laborsign

ENV INSTANCE_DIR=/var/lib/laborsign \
    PKI_DIR=/var/lib/laborsign/pki \
    FLASK_APP=wsgi
EXPOSE 8000 8001
CMD ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "wsgi:app"]
