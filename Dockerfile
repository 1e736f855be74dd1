# syntax=docker/dockerfile:1
# Production image for Học bạ số. Build context: the repository root (see .dockerignore, which
# keeps .env, .git, virtualenvs and tests out of the image). No secret is baked in: SECRET_KEY,
# MONGODB_URI etc. arrive as environment variables at run time (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Fixed unprivileged uid/gid, no login shell, no writable home.
RUN groupadd --system --gid 10001 hocba \
    && useradd --system --uid 10001 --gid hocba --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin hocba

WORKDIR /build

# Dependencies first, from the pins in pyproject.toml, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself (dependencies are already satisfied, so this only adds `hocba`).
COPY . .
RUN pip install . \
    && cd / \
    && rm -rf /build

# The backup service's volume is mounted here; a new named volume takes this owner.
RUN mkdir -p /backups && chown 10001:10001 /backups && chmod 700 /backups

# The code lives in site-packages, owned by root: the app user can run it but not change it.
WORKDIR /app
USER 10001:10001

ENV ENV=production \
    HOST=0.0.0.0 \
    PORT=8000

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

CMD ["hocba", "serve"]
