#!/usr/bin/env bash
# Installs (if needed) and starts a throwaway PostgreSQL cluster from Debian's packages,
# listening on 127.0.0.1 only, with a fresh role whose password is random for this run.
# Prints `export RUSTOK_TEST_PG_URL=...` for the caller to eval. Needs root (CI runs as root).
set -euo pipefail
log() { echo "[ci-postgres] $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q .; then
  pg_createcluster "$version" main >&2
fi
conf="/etc/postgresql/$version/main/postgresql.conf"
sed -i "s/^#\?listen_addresses\s*=.*/listen_addresses = '127.0.0.1'/" "$conf"
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
# One random password per machine boot, kept root-only in /run, so concurrent callers agree.
pwfile=/run/rustok-test-pg-password
if [ ! -s "$pwfile" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24 > "$pwfile")
fi
password=$(cat "$pwfile")
su postgres -c "psql -q -v ON_ERROR_STOP=1 -p $port" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rustok_test') THEN
    CREATE ROLE rustok_test LOGIN CREATEDB;
  END IF;
END \$\$;
ALTER ROLE rustok_test PASSWORD '$password';
SQL
if ! su postgres -c "psql -tA -p $port -c \"SELECT 1 FROM pg_database WHERE datname='rustok_test'\"" | grep -q 1; then
  su postgres -c "createdb -p $port -O rustok_test rustok_test" >&2
fi
log "PostgreSQL $version on 127.0.0.1:$port, database rustok_test"
echo "export RUSTOK_TEST_PG_URL='postgres://rustok_test:$password@127.0.0.1:$port/rustok_test'"
