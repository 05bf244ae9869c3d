# Sourced by docker/ci.sh and docker/with-engine.sh: make sure a Docker engine answers
# (start_engine), and with it both local images (engine_with_images).
# The one DOCKER_HOST (or the default socket) names, if it answers; else Debian's
# docker.io (installed with apt-get if missing, as root) started here with
# --ip=127.0.0.1 on a private socket. The caller's EXIT trap must call stop_engine,
# which stops only the dockerd started here, by its pid.
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
start_engine() {
    if docker info > /dev/null 2>&1; then
        say "using the running engine at ${DOCKER_HOST:-the default socket}"
    else
        if ! command -v dockerd > /dev/null; then
            [ "$(id -u)" = 0 ] || { echo "docker: no engine, and installing one needs root" >&2; exit 2; }
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
}

engine_with_images() {  # an engine, both images built offline, and no Ryuk
    start_engine
    bash docker/build-images.sh
    say "images built"
    # Ryuk's image cannot be pulled here; the plugin labels and reaps its own containers.
    export TESTCONTAINERS_RYUK_DISABLED=true
}
