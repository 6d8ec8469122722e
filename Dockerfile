# monitor: Arabic news monitor daemon.
#   docker build -t monitor .
#   docker run -v "$PWD/config:/app/config:ro" -v monitor-state:/app/state monitor
# BASE can point at a local image when Docker Hub is unreachable (see README, "Docker").
# WHEELS=1 installs from ./wheels (pre-built with `pip wheel`) with no index access.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

ARG WHEELS=0
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MONITOR_CONFIG=/app/config/monitor.toml \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY src ./src
COPY wheels* ./wheels/
RUN python3 -m venv /opt/venv \
 && if [ "$WHEELS" = "1" ]; then \
      /opt/venv/bin/pip install --no-index --find-links ./wheels . ; \
    else \
      /opt/venv/bin/pip install --no-cache-dir -c requirements.lock . ; \
    fi \
 && rm -rf ./wheels /root/.cache \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin monitor \
 && mkdir -p /app/state && chown monitor /app/state

COPY config ./config
USER 10001
VOLUME ["/app/state"]
EXPOSE 9108
HEALTHCHECK --interval=5m --timeout=10s --start-period=2m CMD ["monitor", "healthcheck"]
# exec form: monitor is PID 1 and gets SIGTERM directly; it finishes the cycle in flight.
STOPSIGNAL SIGTERM
CMD ["monitor", "run"]
