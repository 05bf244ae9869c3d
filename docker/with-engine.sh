#!/usr/bin/env bash
# Run a command with a Docker engine and both local images ready, e.g. the whole
# benchmark (`nox -s bench`), whose docker row needs them:
#   bash docker/with-engine.sh python bench/run.py
# An engine that already answers is used as it is; one this script starts (see
# docker/engine.sh) is stopped when the command ends, whatever its outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { echo "docker: $* ($((SECONDS - started)) s)"; }

. docker/engine.sh
trap stop_engine EXIT
engine_with_images
"$@"
