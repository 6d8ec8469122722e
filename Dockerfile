# monitor: Arabic news monitor daemon.
#   docker build -t monitor .
#   docker run -d --name monitor -v "$PWD/config:/app/config:ro" -v monitor-state:/app/state monitor
# BASE can point at a local image when Docker Hub is unreachable (README, "Docker").
# WHEELS=1 installs from ./wheels (pre-built with `pip wheel`) with no index access.
ARG BASE=python:3.11-slim-bookworm

# ---- build: a virtualenv with the package and its runtime dependencies (no dev tools) ----
FROM ${BASE} AS build
ARG WHEELS=0
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY src ./src
# requirements.lock rides along so the glob never matches nothing (no wheels/ in a clone).
COPY requirements.lock wheels* ./wheels/
RUN python3 -m venv /opt/venv \
 && if [ "$WHEELS" = "1" ]; then \
      /opt/venv/bin/pip install --no-cache-dir --no-index --find-links ./wheels . ; \
    else \
      /opt/venv/bin/pip install --no-cache-dir -c requirements.lock . ; \
    fi \
 && /opt/venv/bin/monitor --version

# ---- runtime: the base, the virtualenv, the default config, a non-root user ----
FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MONITOR_CONFIG=/app/config/monitor.toml \
    PATH=/opt/venv/bin:$PATH
COPY --from=build /opt/venv /opt/venv
RUN groupadd --gid 10001 monitor \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app \
      --shell /usr/sbin/nologin monitor \
 && mkdir -p /app/state \
 && chown monitor:monitor /app/state
WORKDIR /app
COPY config ./config
USER 10001:10001
# The SQLite state (and the default config's alerts.jsonl) lives here: keep it in a volume.
VOLUME ["/app/state"]
# The web pages when MONITOR_WEB_LISTEN=0.0.0.0:8080 (docker-compose.yml; a password is then
# required), and /metrics and /healthz when [health] metrics_port = 9108, metrics_host = "0.0.0.0".
EXPOSE 8080 9108
# Unhealthy before the first good cycle (after the start period) and when the last good
# cycle is older than [health] max_cycle_age_minutes.
HEALTHCHECK --interval=1m --timeout=30s --start-period=5m --retries=3 \
  CMD ["monitor", "healthcheck"]
# Exec form: monitor is PID 1 and gets SIGTERM itself. It lets the cycle in flight finish
# (fetches still running get 5 s) and exits 0, within `docker stop`'s default 10 s.
STOPSIGNAL SIGTERM
CMD ["monitor", "run"]
