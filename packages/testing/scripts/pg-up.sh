#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster: pg-up.sh DIR PORT -> prints DATABASE_URL=...
# Runs the server as an unprivileged system user when invoked as root (Postgres refuses root).
set -euo pipefail
DIR=${1:?usage: pg-up.sh DIR PORT}
PORT=${2:-54329}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "pg-up: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
RUNAS=${PG_RUNAS:-postgres}
as() { if [ "$(id -u)" = 0 ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
  id "$RUNAS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUNAS"
fi
mkdir -p "$DIR"
# The server user must reach DIR: add search permission to its parent, never take any away
# (a plain chmod 0755 of the parent once stripped /tmp of its sticky, world-writable mode).
[ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR" && chmod go+x "$(dirname "$DIR")" 2>/dev/null || true
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.log"
fi
as "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 ${PG_OPTS:--c fsync=off -c synchronous_commit=off -c full_page_writes=off}" >/dev/null
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
