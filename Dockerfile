# One image recipe for every service. Build from the repository root:
#   docker build --build-arg SERVICE=ingest -t pixhound/ingest:dev .
ARG PYTHON=python:3.11-slim

FROM ${PYTHON} AS build
ARG SERVICE
WORKDIR /src
COPY proto proto
COPY libs/platform libs/platform
COPY services/${SERVICE} services/${SERVICE}
RUN test -n "${SERVICE}" \
 && python -m venv /opt/pixhound \
 && /opt/pixhound/bin/pip install --no-cache-dir ./proto ./libs/platform "./services/${SERVICE}"

FROM ${PYTHON}
ARG SERVICE
RUN useradd --system --uid 10001 --no-create-home pixhound
COPY --from=build /opt/pixhound /opt/pixhound
ENV PATH=/opt/pixhound/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIXHOUND_SERVICE=${SERVICE}
USER 10001
EXPOSE 8080
# The Kubernetes manifests set the command (`python -m pixhound_<service> serve|migrate`).
CMD ["sh", "-c", "exec python -m pixhound_${PIXHOUND_SERVICE} serve --port 8080"]
