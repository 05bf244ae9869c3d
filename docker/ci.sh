#!/usr/bin/env bash
# The docker backend against a real engine, as CI runs it (.ci/run) and as
# `nox -s docker` runs it locally:
#   1. an engine: the one DOCKER_HOST (or the default socket) names if it answers;
#      else Debian's docker.io (installed with apt-get if missing, as root) started
#      here with --ip=127.0.0.1 on a private socket, and stopped on exit;
#   2. both images built offline (docker/build-images.sh), nothing pulled;
#   3. the docker-marked suites on --edu-backend docker --edu-pull-policy never,
#      with no skip allowed, and no container of ours left at the end.
# Run it with the python of a venv that has edu-contracts[dev] installed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { echo "docker-ci: $* ($((SECONDS - started)) s)"; }

dockerd_pid="" run_dir=""
stop_engine() {
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2> /dev/null; then
        kill "$dockerd_pid"
        for _ in $(seq 100); do kill -0 "$dockerd_pid" 2> /dev/null || break; sleep 0.2; done
        kill -0 "$dockerd_pid" 2> /dev/null && kill -9 "$dockerd_pid"
        say "stopped the dockerd this script started (pid $dockerd_pid)"
    fi
    if [ -n "$run_dir" ]; then rm -rf "$run_dir"; fi
}
trap stop_engine EXIT

if docker info > /dev/null 2>&1; then
    say "using the running engine at ${DOCKER_HOST:-the default socket}"
else
    if ! command -v dockerd > /dev/null; then
        [ "$(id -u)" = 0 ] || { echo "docker-ci: no engine, and installing one needs root" >&2; exit 2; }
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            docker.io > /dev/null
        say "installed docker.io"
    fi
    run_dir="$(mktemp -d "${TMPDIR:-/tmp}/edu-dockerd-XXXXXX")"
    export DOCKER_HOST="unix://$run_dir/docker.sock"
    # --ip: every published port on loopback, even one published without a host ip
    dockerd --ip=127.0.0.1 -H "$DOCKER_HOST" --pidfile "$run_dir/dockerd.pid" \
        > "$run_dir/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 150); do docker info > /dev/null 2>&1 && break; sleep 0.2; done
    docker info > /dev/null 2>&1 || { tail -20 "$run_dir/dockerd.log" >&2; exit 1; }
    say "started dockerd (pid $dockerd_pid, loopback-only ports)"
fi

postgres_image="${EDU_LOCAL_POSTGRES_IMAGE:-edu-local/pgvector:pg18}"
azurite_image="${EDU_LOCAL_AZURITE_IMAGE:-edu-local/azurite:3.37.0}"
bash docker/build-images.sh
say "images built"

# Ryuk's image cannot be pulled here; the plugin labels and reaps its own containers.
export TESTCONTAINERS_RYUK_DISABLED=true
log="$(mktemp)"
python -m pytest tests/docker -m docker -p no:cacheprovider \
    --edu-backend=docker --edu-pull-policy=never \
    --edu-postgres-image="$postgres_image" --edu-azurite-image="$azurite_image" \
    "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary="$(tail -1 "$log")"
rm -f "$log"
[ "$status" = 0 ] || exit "$status"
if [[ "$summary" == *skipped* ]]; then
    echo "docker-ci: docker tests were skipped although an engine runs: $summary" >&2
    exit 1
fi
left="$(docker ps -aq --filter label=org.edu-contracts.run-id)"
if [ -n "$left" ]; then
    echo "docker-ci: containers left behind: $left" >&2
    exit 1
fi
say "docker suites passed, no container left"
