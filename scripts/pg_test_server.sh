#!/usr/bin/env bash
# A throwaway PostgreSQL server for the audit log's tests: its own cluster in
# DIR, listening only on a Unix socket in DIR (no TCP port to collide with),
# trust authentication, run as a non-root user (postgres refuses to run as
# root; under root this script runs the server as the `postgres` user).
#
#   scripts/pg_test_server.sh start DIR   # initdb (first time) + start; prints
#                                         #   export ZHI_TEST_PG_URL=...
#   scripts/pg_test_server.sh stop DIR [fast|immediate]
#   scripts/pg_test_server.sh url DIR     # the connection string only
#
# DIR must be a short path (Unix socket paths hold ~100 bytes) that the server's
# user may write; `start` creates it. Needs the Debian `postgresql` package.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR | stop DIR [fast|immediate] | url DIR" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
cmd="$1"
dir="$2"
[[ "$dir" == /* ]] || dir="$PWD/$dir"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
    bindir="$d"
    break
  fi
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  bindir="$(dirname "$(command -v initdb)")"
fi
if [[ -z "$bindir" ]]; then
  echo "pg_test_server: initdb/pg_ctl not found (install the Debian package 'postgresql')" >&2
  exit 1
fi

# The server's OS user, and how to run a command as it.
if [[ $(id -u) -eq 0 ]]; then
  pg_user=postgres
  if ! id "$pg_user" >/dev/null 2>&1; then
    echo "pg_test_server: running as root and there is no 'postgres' user to run the server as" >&2
    exit 1
  fi
  as_pg() { runuser -u "$pg_user" -- "$@"; }
else
  pg_user="$(id -un)"
  as_pg() { "$@"; }
fi

url() { echo "postgresql:///postgres?host=$dir&user=$pg_user"; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown "$pg_user" "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_pg "$bindir/initdb" -D "$dir/data" -U "$pg_user" --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        echo "pg_test_server: initdb failed" >&2
        exit 1
      }
    fi
    # Unix socket only; small. fsync=off: the tests crash processes (the client
    # with kill -9, the server with an immediate stop), never the machine, and a
    # commit is still written to the WAL (synchronous_commit stays on) before it
    # is acknowledged, so crash recovery keeps every acknowledged record.
    opts="-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=60"
    opts+=" -c shared_buffers=16MB -c logging_collector=off -c fsync=off"
    if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null; then
      cat "$dir/server.log" >&2 || true
      echo "pg_test_server: the server did not start" >&2
      exit 1
    fi
    echo "export ZHI_TEST_PG_URL='$(url)'"
    ;;
  stop)
    mode="${3:-fast}"
    [[ "$mode" == fast || "$mode" == immediate ]] || usage
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null
    fi
    ;;
  url)
    url
    ;;
  *)
    usage
    ;;
esac
