# Starts and stops a throwaway PostgreSQL cluster on 127.0.0.1 (sourced by scripts/test).
# shellcheck shell=bash

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "error: PostgreSQL binaries not found under /usr/lib/postgresql" >&2; exit 1; }
  echo "$dir"
}

postgres_start() {
  local bin; bin=$(postgres_bin)
  POSTGRES_DIR=$(mktemp -d /tmp/steward-pg.XXXXXX)
  POSTGRES_PORT=${STEWARD_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
  local password; password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  mkdir -p "$POSTGRES_DIR/sock"
  echo "$password" > "$POSTGRES_DIR/pwfile"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$POSTGRES_DIR"
    chmod 755 "$POSTGRES_DIR"
    run=(runuser -u postgres --)
  fi
  # --no-sync: a throwaway cluster needs no flush to disk, and a flush of the whole data folder
  # stalls every other process writing on this machine (the shared test server among them).
  "${run[@]}" "$bin/initdb" -D "$POSTGRES_DIR/data" -U postgres -E UTF8 --locale=C \
    --auth-host=scram-sha-256 --auth-local=trust --pwfile="$POSTGRES_DIR/pwfile" --no-sync >"$POSTGRES_DIR/initdb.log" 2>&1 \
    || { cat "$POSTGRES_DIR/initdb.log" >&2; exit 1; }
  postgres_server_start "$POSTGRES_DIR" "$POSTGRES_PORT" || exit 1
  POSTGRES_URL="postgres://postgres:$password@127.0.0.1:$POSTGRES_PORT/postgres"
  export POSTGRES_DIR POSTGRES_PORT POSTGRES_URL
  export STEWARD_TEST_POSTGRES_DATA="$POSTGRES_DIR/data" STEWARD_TEST_POSTGRES_BIN="$bin"
}

# Starts the server of a cluster made by postgres_start (again, after postgres_server_stop).
postgres_server_start() {
  local dir=$1 port=$2 run=()
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
}

# Stops a cluster's server: mode fast (clean) or immediate (as if it crashed).
postgres_server_stop() {
  local dir=$1 mode=${2:-fast} run=()
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null
}

postgres_stop() {
  local status=$?
  if [ -n "${POSTGRES_DIR:-}" ] && [ -d "$POSTGRES_DIR/data" ]; then
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$(postgres_bin)/pg_ctl" -D "$POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$POSTGRES_DIR"
  fi
  return $status
}
