#!/usr/bin/env bash
# Stops a cluster started by pg-up.sh; with --rm also deletes its directory.
set -euo pipefail
DIR=${1:?usage: pg-down.sh DIR [--rm]}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
RUNAS=${PG_RUNAS:-postgres}
if [ -f "$DIR/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUNAS" -- "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
  else "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
fi
if [ "${2:-}" = "--rm" ]; then rm -rf "$DIR"; fi
