#!/usr/bin/env bash
# Local stack: a JetStream-enabled nats-server and a throwaway PostgreSQL cluster on loopback ports,
# both living in one state directory. fsync is off (a machine crash may lose data, a process crash does not). Nothing here touches system services or /etc.
#
#   scripts/stack.sh start  [DIR]   start both (or reuse them if already running); prints the env file path
#   scripts/stack.sh stop   [DIR]   stop both and remove DIR
#   scripts/stack.sh status [DIR]   exit 0 when both are up
#   scripts/stack.sh env    [DIR]   print the export lines (FERRY_NATS_URL, FERRY_DATABASE_URL, ...)
#
# DIR defaults to $FERRY_STACK_DIR or /tmp/ferry-stack. Its parent must be traversable by the postgres
# user. Ports are picked free at start unless FERRY_STACK_NATS_PORT / FERRY_STACK_PG_PORT are set.
# Starting after a crash works: stale pid files and half-started servers are cleaned up first.
set -euo pipefail

cmd=${1:-}
DIR=${2:-${FERRY_STACK_DIR:-/tmp/ferry-stack}}
DIR=$(realpath -m "$DIR")

log() { printf '[stack] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1 || true)

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A killed server may linger as a zombie when nothing reaps it (containers without an init): not alive.
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
    local p tries=0
    while [ $tries -lt 200 ]; do
        p=$((20000 + RANDOM % 30000))
        if port_free "$p"; then echo "$p"; return 0; fi
        tries=$((tries + 1))
    done
    die "no free port found"
}

# After a crash the same ports are reused when free, so clients that cached the URL reconnect.
reuse_or_pick() {
    local file=$1 attempt=$2 old
    old=$(cat "$file" 2>/dev/null || true)
    if [ "$attempt" -eq 1 ] && [ -n "$old" ] && port_free "$old"; then echo "$old"; else pick_port; fi
}

nats_pid() { cat "$DIR/nats/nats.pid" 2>/dev/null || true; }
pg_pid() { head -1 "$DIR/pg/data/postmaster.pid" 2>/dev/null || true; }

nats_up() {
    local pid; pid=$(nats_pid)
    pid_alive "$pid" && [ -f "$DIR/nats/port" ] && ! port_free "$(cat "$DIR/nats/port")"
}

pg_up() {
    [ -n "$PGBIN" ] && [ -d "$DIR/pg/data" ] && \
        as_postgres "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$DIR/pg/port" 2>/dev/null || echo 0)" 2>/dev/null
}

write_env() {
    local np pp
    np=$(cat "$DIR/nats/port"); pp=$(cat "$DIR/pg/port")
    cat > "$DIR/stack.env" <<EOF
export FERRY_STACK_DIR="$DIR"
export FERRY_NATS_URL="nats://127.0.0.1:$np"
export FERRY_NATS_MONITOR_URL="http://127.0.0.1:$(cat "$DIR/nats/mport")"
export FERRY_DATABASE_URL="postgres://postgres@127.0.0.1:$pp/postgres?sslmode=disable"
export FERRY_PG_PORT="$pp"
export FERRY_PG_BIN="$PGBIN"
EOF
}

start_nats() {
    if nats_up; then log "nats-server already running (pid $(nats_pid))"; return 0; fi
    local old; old=$(nats_pid)
    if pid_alive "$old" && grep -q nats-server "/proc/$old/cmdline" 2>/dev/null; then kill -9 "$old" 2>/dev/null || true; fi
    command -v nats-server >/dev/null || die "nats-server missing: run scripts/bootstrap.sh"
    mkdir -p "$DIR/nats/js"
    rm -f "$DIR/nats/nats.pid"
    local port mport attempt
    for attempt in 1 2 3 4 5; do
        port=${FERRY_STACK_NATS_PORT:-$(reuse_or_pick "$DIR/nats/port" "$attempt")}
        mport=$(reuse_or_pick "$DIR/nats/mport" "$attempt")
        nats-server -js -a 127.0.0.1 -p "$port" -m "$mport" -sd "$DIR/nats/js" >>"$DIR/nats/nats.log" 2>&1 &
        echo $! > "$DIR/nats/nats.pid"
        echo "$port" > "$DIR/nats/port"; echo "$mport" > "$DIR/nats/mport"
        for _ in $(seq 1 100); do
            if grep -q "Server is ready" "$DIR/nats/nats.log" 2>/dev/null && ! port_free "$port"; then
                grep -q "Starting JetStream" "$DIR/nats/nats.log" || die "nats-server started without JetStream"
                log "nats-server up on 127.0.0.1:$port (JetStream, store $DIR/nats/js)"
                return 0
            fi
            pid_alive "$(nats_pid)" || break
            sleep 0.1
        done
        kill -9 "$(nats_pid)" 2>/dev/null || true
        log "nats-server did not start on port $port (attempt $attempt), retrying"
        [ -n "${FERRY_STACK_NATS_PORT:-}" ] && break
    done
    tail -5 "$DIR/nats/nats.log" >&2 || true
    die "nats-server failed to start"
}

start_pg() {
    [ -n "$PGBIN" ] || die "PostgreSQL server binaries missing: run scripts/bootstrap.sh"
    if pg_up; then log "PostgreSQL already running (pid $(pg_pid))"; return 0; fi
    mkdir -p "$DIR/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/pg" && chmod 700 "$DIR/pg"
    # A crash leaves postmaster.pid behind; a live postmaster for this data dir is stopped first.
    local old; old=$(pg_pid)
    if pid_alive "$old"; then
        as_postgres "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || kill -9 "$old" 2>/dev/null || true
    fi
    rm -f "$DIR/pg/data/postmaster.pid"
    if [ ! -f "$DIR/pg/data/PG_VERSION" ]; then
        rm -rf "$DIR/pg/data"
        as_postgres "$PGBIN/initdb" -D "$DIR/pg/data" -U postgres -A trust -E UTF8 --no-sync >"$DIR/pg/initdb.log" 2>&1 \
            || { cat "$DIR/pg/initdb.log" >&2; die "initdb failed"; }
    fi
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=${FERRY_STACK_PG_PORT:-$(reuse_or_pick "$DIR/pg/port" "$attempt")}
        echo "$port" > "$DIR/pg/port"
        if as_postgres "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$DIR/pg -c fsync=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            log "PostgreSQL up on 127.0.0.1:$port (data $DIR/pg/data)"
            return 0
        fi
        log "PostgreSQL did not start on port $port (attempt $attempt), retrying"
        [ -n "${FERRY_STACK_PG_PORT:-}" ] && break
    done
    tail -5 "$DIR/pg/server.log" >&2 || true
    die "PostgreSQL failed to start"
}

stop_all() {
    local pid; pid=$(nats_pid)
    if pid_alive "$pid"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
        if pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
        log "nats-server stopped"
    fi
    if [ -n "$PGBIN" ] && [ -f "$DIR/pg/data/postmaster.pid" ]; then
        pid=$(pg_pid)
        if pid_alive "$pid"; then
            as_postgres "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
            log "PostgreSQL stopped"
        fi
    fi
    rm -rf "$DIR"
}

case "$cmd" in
    start)
        mkdir -p "$DIR"
        [ "$(id -u)" -eq 0 ] && chmod 755 "$DIR"
        start_nats
        start_pg
        write_env
        echo "$DIR/stack.env"
        ;;
    stop) stop_all ;;
    status)
        if nats_up && pg_up; then log "up ($DIR)"; exit 0; fi
        log "down ($DIR)"; exit 1
        ;;
    env) cat "$DIR/stack.env" ;;
    *) die "usage: $0 start|stop|status|env [DIR]" ;;
esac
