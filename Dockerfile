# One image for the four botbridge services; its argument names the service (why one image: deploy/README.md):
#   docker build -t botbridge .                 then  docker run botbridge gateway | orchestrator | dimelo_adapter | ai_service
#   docker build -t botbridge-sandbox --target sandbox .   the local Dimelo stand-in, for the compose demo only
# Build tools (grpcio-tools, setuptools, pip) and test tools stay in the build stage; nothing secret is copied in
# (.dockerignore lets in only what the image needs).
# BASE_IMAGE: any Debian bookworm with Python 3.11 as `python`; where no registry answers, tools/image_base.sh makes
# one (`make image` passes it). PIP_INDEX_URL and PIP_CERT, when given, are the package index and CA bundle pip
# uses in the build stage only (tools/image_build.sh passes the build machine's own).
# Builds with BuildKit and with the classic builder (docker-compose v1 uses it): no BuildKit-only syntax.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ARG PIP_INDEX_URL
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements/runtime.txt requirements/build.txt requirements/
# /opt/build: buf and protoc for the stubs. /opt/venv: the run-time dependencies only, a venv without pip, copied to the image.
# Both from their hashed locks (README "Dependencies"): pip installs nothing that is not listed with its hash.
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install --quiet --require-hashes -r requirements/build.txt \
 && python -m venv --without-pip /opt/venv \
 && /opt/build/bin/pip --python /opt/venv/bin/python install --quiet --require-hashes -r requirements/runtime.txt
COPY protos/ protos/
COPY buf.yaml buf.gen.yaml ./
COPY tools/ tools/
RUN PATH="/opt/build/bin:$PATH" buf generate
# The application tree the image runs from (PYTHONPATH=/app): our packages with their data files, and the stubs.
COPY service_kit/ /app/service_kit/
COPY gateway/ /app/gateway/
COPY orchestrator/ /app/orchestrator/
COPY dimelo_adapter/ /app/dimelo_adapter/
COPY ai_service/ /app/ai_service/
COPY dimelo_sandbox/ /sandbox/dimelo_sandbox/
# The compose healthchecks' probe, on the venv's PATH (the classic builder has no COPY --chmod).
COPY deploy/docker/healthcheck.py /opt/venv/bin/botbridge-healthcheck
RUN cp -R gen/python/botbridge /app/botbridge \
 && chmod 0755 /opt/venv/bin/botbridge-healthcheck \
 && python -m compileall -q /app /sandbox

FROM ${BASE_IMAGE} AS runtime
# No package installer at run time (the public base ships pip; Debian's Python has none unless added); a fixed
# non-root user (Kubernetes runs the pods as the same UID).
RUN if python -m pip --version >/dev/null 2>&1; then python -m pip uninstall --yes --quiet pip setuptools wheel; fi \
 && groupadd --system --gid 10001 botbridge \
 && useradd --system --uid 10001 --gid botbridge --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin botbridge \
 && install -d -o 10001 -g 10001 /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["python", "-m"]

# The local Dimelo stand-in for `docker compose up`; never deployed to Kubernetes.
FROM runtime AS sandbox
COPY --from=build /sandbox /app
EXPOSE 8700
CMD ["dimelo_sandbox"]

# The default target: the services' image.
FROM runtime AS service
LABEL org.opencontainers.image.title="botbridge" \
      org.opencontainers.image.description="Bot-to-agent bridge for Dimelo Digital: run with gateway, orchestrator, dimelo_adapter or ai_service as the argument"
EXPOSE 8080 50051 50052 50053
