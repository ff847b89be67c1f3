# syntax=docker/dockerfile:1
# One image for the four botbridge services; its argument names the service (why one image: deploy/README.md):
#   docker build -t botbridge .                 then  docker run botbridge gateway | orchestrator | dimelo_adapter | ai_service
#   docker build -t botbridge-sandbox --target sandbox .   the local Dimelo stand-in, for the compose demo only
# Build tools (grpcio-tools, setuptools, pip) and test tools stay in the build stage; nothing secret is copied in
# (.dockerignore lets in only what the image needs).

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements.txt ./
# /opt/build: protoc for the stubs. /opt/venv: the run-time dependencies only, a venv without pip, copied to the image.
RUN grep -E '^(grpcio|grpcio-tools|protobuf|setuptools)==' requirements.txt > build-requirements.txt \
 && grep -Ev '^(grpcio-tools|setuptools|pytest|pytest-asyncio)==' requirements.txt > runtime-requirements.txt \
 && python -m venv /opt/build \
 && /opt/build/bin/pip install --quiet -r build-requirements.txt \
 && python -m venv --without-pip /opt/venv \
 && /opt/build/bin/pip --python /opt/venv/bin/python install --quiet -r runtime-requirements.txt
COPY protos/ protos/
COPY tools/ tools/
RUN /opt/build/bin/python -m tools.gen_protos
# The application tree the image runs from (PYTHONPATH=/app): our packages with their data files, and the stubs.
COPY service_kit/ /app/service_kit/
COPY gateway/ /app/gateway/
COPY orchestrator/ /app/orchestrator/
COPY dimelo_adapter/ /app/dimelo_adapter/
COPY ai_service/ /app/ai_service/
COPY dimelo_sandbox/ /sandbox/dimelo_sandbox/
RUN cp -R gen/python/botbridge /app/botbridge \
 && python -m compileall -q /app /sandbox

FROM python:3.11-slim-bookworm AS runtime
# No package installer at run time; a fixed non-root user (Kubernetes runs the pods as the same UID).
RUN python -m pip uninstall --yes --quiet pip setuptools wheel \
 && groupadd --system --gid 10001 botbridge \
 && useradd --system --uid 10001 --gid botbridge --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin botbridge \
 && install -d -o 10001 -g 10001 /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --chmod=0755 deploy/docker/healthcheck.py /usr/local/bin/botbridge-healthcheck
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
