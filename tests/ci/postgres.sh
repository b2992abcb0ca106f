#!/usr/bin/env bash
# A private PostgreSQL cluster for the store's tests: 127.0.0.1 port 55432 (not the system's 5432), data in
# /tmp/portatlas-pg (or $PORTATLAS_PG_DIR, whose parents the postgres user must be able to traverse), socket in /tmp. Idempotent: installs PostgreSQL when missing, initialises the
# cluster once, starts it when stopped, creates the role and database when missing. Needs root.
# Prints the connection string on stdout (last line); source it to export PORTATLAS_TEST_POSTGRES:
#   tests/ci/postgres.sh            start (or find running) and print the connection string
#   . tests/ci/postgres.sh          the same, and export PORTATLAS_TEST_POSTGRES in this shell
#   tests/ci/postgres.sh --stop     stop the cluster
set -euo pipefail
_pa_port=55432
_pa_data="${PORTATLAS_PG_DIR:-/tmp/portatlas-pg}"
_pa_user=portatlas
_pa_password=portatlas-test
_pa_db=portatlas

if [ "$(id -u)" -ne 0 ]; then echo "tests/ci/postgres.sh: needs root" >&2; exit 1; fi

_pa_bin() { # newest installed server's binaries
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
if [ -z "$(_pa_bin)" ] || [ ! -x "$(_pa_bin)/initdb" ]; then
  echo "installing postgresql" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
_pa_pgbin="$(_pa_bin)"
_pa_as_pg() { su postgres -s /bin/sh -c "$*"; }

if [ "${1:-}" = "--stop" ]; then
  [ -f "$_pa_data/PG_VERSION" ] && _pa_as_pg "'$_pa_pgbin/pg_ctl' -D '$_pa_data' -m fast stop" >&2 || true
  exit 0
fi

mkdir -p "$(dirname "$_pa_data")"
if [ ! -f "$_pa_data/PG_VERSION" ]; then
  mkdir -p "$_pa_data"
  chown postgres:postgres "$_pa_data"
  chmod 700 "$_pa_data"
  _pa_pw="$(mktemp)"; echo postgres > "$_pa_pw"; chown postgres "$_pa_pw"
  _pa_as_pg "'$_pa_pgbin/initdb' -D '$_pa_data' -A scram-sha-256 --pwfile='$_pa_pw' -U postgres" >&2
  rm -f "$_pa_pw"
  # Local socket connections by the postgres OS user need no password (for the setup below); TCP needs one.
  sed -i 's/^local\s\+all\s\+all\s\+scram-sha-256/local all all peer/' "$_pa_data/pg_hba.conf"
fi
if ! _pa_as_pg "'$_pa_pgbin/pg_ctl' -D '$_pa_data' status" >/dev/null 2>&1; then
  _pa_as_pg "'$_pa_pgbin/pg_ctl' -D '$_pa_data' -l '$_pa_data/server.log' -w -o \"-p $_pa_port -k /tmp -c listen_addresses=127.0.0.1\" start" >&2
fi
_pa_psql() { _pa_as_pg "'$_pa_pgbin/psql' -h /tmp -p $_pa_port -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [ "$(_pa_psql "SELECT 1 FROM pg_roles WHERE rolname='$_pa_user'")" != "1" ]; then
  _pa_psql "CREATE ROLE $_pa_user LOGIN PASSWORD '$_pa_password'" >&2
fi
if [ "$(_pa_psql "SELECT 1 FROM pg_database WHERE datname='$_pa_db'")" != "1" ]; then
  _pa_psql "CREATE DATABASE $_pa_db OWNER $_pa_user" >&2
fi
export PORTATLAS_TEST_POSTGRES="Host=127.0.0.1;Port=$_pa_port;Username=$_pa_user;Password=$_pa_password;Database=$_pa_db"
echo "$PORTATLAS_TEST_POSTGRES"
