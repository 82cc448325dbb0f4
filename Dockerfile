# The servicepunt image: API (uvicorn workers) and the simulation worker (Ray) share it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/servicepunt
# Exactly the packages of requirements-deploy.lock (the project with the ray extra), each file
# checked against its hash; then the project itself, resolving nothing.
COPY requirements-deploy.lock ./
RUN pip install --require-hashes -r requirements-deploy.lock
COPY pyproject.toml README.md alembic.ini ./
COPY domain domain
COPY afwegingskader afwegingskader
COPY capacity capacity
COPY matcher matcher
COPY placements placements
COPY simulations simulations
COPY api api
COPY migrations migrations
RUN pip install --no-deps --no-build-isolation . \
    && useradd --system --uid 10001 servicepunt \
    && mkdir -p /srv/results && chown servicepunt /srv/results
USER servicepunt
EXPOSE 8000
CMD ["uvicorn", "--factory", "api.app:create_app", "--host", "0.0.0.0", "--port", "8000", \
     "--log-config", "api/log_config.json"]
