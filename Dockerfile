# One image recipe for every service and for the photographers' portal. Build from the
# repository root:
#   docker build --build-arg SERVICE=ingest -t pixhound/ingest:dev .
#   docker build --build-arg SERVICE=portal -t pixhound/portal:dev .
# SERVICE is ingest, crawler, matcher, cases, notifier (services/<name>) or portal
# (apps/portal): one source stage each below, so an image's build only reads, and is only
# rebuilt for, its own sources.
ARG PYTHON=python:3.11-slim
ARG SERVICE

FROM scratch AS src-ingest
COPY services/ingest /
FROM scratch AS src-crawler
COPY services/crawler /
FROM scratch AS src-matcher
COPY services/matcher /
FROM scratch AS src-cases
COPY services/cases /
FROM scratch AS src-notifier
COPY services/notifier /
FROM scratch AS src-portal
COPY apps/portal /

FROM src-${SERVICE} AS src

FROM ${PYTHON} AS build
ARG SERVICE
WORKDIR /src
COPY proto proto
COPY libs/platform libs/platform
COPY --from=src / app/
RUN test -n "${SERVICE}" \
 && python -m venv /opt/pixhound \
 && /opt/pixhound/bin/pip install --no-cache-dir ./proto ./libs/platform ./app

FROM ${PYTHON}
ARG SERVICE
RUN useradd --system --uid 10001 --no-create-home pixhound
COPY --from=build /opt/pixhound /opt/pixhound
ENV PATH=/opt/pixhound/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIXHOUND_SERVICE=${SERVICE}
USER 10001
EXPOSE 8080
# The Kubernetes manifests set the command (`python -m pixhound_<service> serve|migrate`).
CMD ["sh", "-c", "exec python -m pixhound_${PIXHOUND_SERVICE} serve --port 8080"]
