# The one image behind every app service in docker-compose.yml (web, worker, beat, migrate).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MLL_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

RUN groupadd --system --gid 1000 mll \
    && useradd --system --uid 1000 --gid mll --home-dir /app --shell /usr/sbin/nologin mll

WORKDIR /app

# Dependencies first, so a code change doesn't reinstall them. The project installs no
# packages of its own (setuptools packages = []): the code runs from /app.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Static files are built into the image (served by WhiteNoise). The key exists only for this
# command; the running container gets its own SECRET_KEY or refuses to start.
RUN SECRET_KEY=collectstatic-only-build-key-never-used-at-runtime DEBUG=false \
        python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/beat \
    && chown -R mll:mll /app/var /data

USER mll
EXPOSE 8000

CMD ["gunicorn", "mll.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
