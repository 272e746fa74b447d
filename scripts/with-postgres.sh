#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: initdb into a temporary
# folder (as user postgres when run as root: initdb refuses root), trust auth,
# 127.0.0.1 on a free port; the server and its folder are removed when the
# command ends, whatever happens. The command sees
#   TEST_DATABASE_URL and BENCH_DATABASE_URL = postgres://postgres@127.0.0.1:<port>/postgres
#   TEST_PG_CTL = a script that stops/starts/restarts that server (for the fault tests)
# Usage: bash scripts/with-postgres.sh <command> [args...]
#   e.g. bash scripts/with-postgres.sh npm test
#        bash scripts/with-postgres.sh npm run bench
# PG_FAST=1 turns durability off (fsync, synchronous_commit, full_page_writes) for test runs.
# PG_BIN picks the server binaries (default: the newest /usr/lib/postgresql/*/bin);
# when none are installed and this runs as root, postgresql-15 is installed with apt-get.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh <command> [args...]" >&2
  exit 2
fi

log() { echo "[with-postgres] $*"; }

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "no PostgreSQL server binaries found: installing postgresql-15 with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    PG_BIN="$(find_pg_bin)"
  fi
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "[with-postgres] no PostgreSQL server binaries (set PG_BIN to the folder holding initdb and pg_ctl)" >&2
    exit 1
  fi
fi

# A free TCP port on 127.0.0.1, asked of the kernel.
PG_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
PG_DIR="$(mktemp -d /tmp/medtrace-pg.XXXXXX)"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi

stop_postgres() {
  local status=$?
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    log "stopped PostgreSQL on port $PG_PORT"
  fi
  if [ "$status" -ne 0 ] && [ -z "${COMMAND_STARTED:-}" ] && [ -f "$PG_DIR/server.log" ]; then
    echo "[with-postgres] last lines of the server log:" >&2
    tail -n 20 "$PG_DIR/server.log" >&2 || true
  fi
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "initdb ($("$PG_BIN/postgres" --version)) into $PG_DIR/data"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; exit 1; }

PG_OPTS="-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200"
# PG_FAST=1 (for test runs): durability off, nothing here must survive a crash of the machine.
# Left unset (benchmarks), the server keeps PostgreSQL's default, durable settings.
if [ "${PG_FAST:-0}" = "1" ]; then PG_OPTS="$PG_OPTS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start -o "$PG_OPTS" >/dev/null
log "PostgreSQL listening on 127.0.0.1:$PG_PORT$([ "${PG_FAST:-0}" = "1" ] && echo ' (fsync off)')"

# TEST_PG_CTL: a script that stops, starts or restarts this server (the fault tests
# restart Postgres under load): `bash "$TEST_PG_CTL" stop [fast|immediate] | start | restart [fast|immediate]`.
PG_CTL_SCRIPT="$PG_DIR/pgctl.sh"
{
  echo '#!/usr/bin/env bash'
  echo '# pg_ctl for the throwaway server of scripts/with-postgres.sh: stop|start|restart [fast|immediate]'
  echo 'set -euo pipefail'
  printf 'PG_BIN=%q; PG_DATA=%q; PG_LOG=%q; PG_OPTS=%q\n' "$PG_BIN" "$PG_DIR/data" "$PG_DIR/server.log" "$PG_OPTS"
  echo 'as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }'
  echo 'mode="${2:-fast}"'
  echo 'case "${1:-}" in'
  echo '  stop) as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "$mode" -w -t 60 stop >/dev/null ;;'
  echo '  start) as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o "$PG_OPTS" >/dev/null ;;'
  echo '  restart) as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m "$mode" -w -t 60 restart -o "$PG_OPTS" >/dev/null ;;'
  echo '  *) echo "usage: $0 stop|start|restart [fast|immediate]" >&2; exit 2 ;;'
  echo 'esac'
} >"$PG_CTL_SCRIPT"
chmod 755 "$PG_CTL_SCRIPT"
export TEST_PG_CTL="$PG_CTL_SCRIPT"
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export BENCH_DATABASE_URL="$TEST_DATABASE_URL"
log "running: $*"
COMMAND_STARTED=1
"$@"
