# The operator image: `groundtruth operator run` as a non-root user on a slim Python base.
# Build: docker build -t groundtruth-operator:0.1.0 .
# (This repository's CI cannot build images: no container engine there. The chart's e2e
# suite runs the same command as a local process instead; see docs/kubernetes.md.)

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
COPY local ./local
# A virtualenv is one directory to copy into the runtime stage, with nothing else from pip.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-compile .

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="groundtruth-operator" \
      org.opencontainers.image.description="Kubernetes operator for SageMaker Ground Truth labeling jobs" \
      org.opencontainers.image.licenses="Apache-2.0"
# Fixed numeric IDs so runAsNonRoot can verify them and the chart's runAsUser matches.
RUN groupadd --system --gid 10001 groundtruth \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin groundtruth
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
# kopf liveness (/healthz, --health-port) and Prometheus metrics (/metrics, --metrics-port).
EXPOSE 8081 8080
ENTRYPOINT ["groundtruth"]
CMD ["operator", "run", "--all-namespaces"]
