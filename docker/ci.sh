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

. docker/engine.sh
trap stop_engine EXIT
engine_with_images

postgres_image="${EDU_LOCAL_POSTGRES_IMAGE:-edu-local/pgvector:pg18}"
azurite_image="${EDU_LOCAL_AZURITE_IMAGE:-edu-local/azurite:3.37.0}"
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
