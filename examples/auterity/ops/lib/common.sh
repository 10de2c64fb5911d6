# Helpers shared by the Auterity example's scripts (sourced, not run). Needs bash, jq and coreutils.
# shellcheck shell=bash

# Prints a message on stderr (Steward keeps the tail of stderr in the event log).
log() { printf '%s\n' "$*" >&2; }

# Fails the action: a one-line reason on stderr, exit 1 (a terminal failure for Steward).
fail() { log "error: $*"; exit 1; }

# The current time, RFC 3339 in UTC.
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# Writes stdin to FILE atomically: a temporary file in the same folder, then rename.
write_atomically() {
  local file=$1 tmp
  mkdir -p "$(dirname "$file")"
  tmp=$(mktemp "$file.XXXXXX")
  cat > "$tmp"
  mv -f "$tmp" "$file"
}

# Reads a secret from ROOT/secrets/NAME (mode 0600, provisioned by the operator, never in Git)
# without printing it; fails naming the file when it is missing or empty.
read_secret() {
  local root=$1 name=$2 file
  file="$root/secrets/$name"
  [ -s "$file" ] || fail "secret $name is not provisioned: write it to $file (mode 0600)"
  tr -d '\n' < "$file"
}

# Exports PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE from a postgres:// URL, so that
# libpq tools get the password through the environment and never on their command line.
pg_env_from_url() {
  local url=$1
  local pattern='^postgres(ql)?://([^:@/]+)(:([^@]*))?@([^:/?]+)(:([0-9]+))?/([^?]+)'
  [[ $url =~ $pattern ]] || fail "the database URL is not of the form postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
  decode() { printf '%b' "${1//%/\\x}"; }
  PGUSER=$(decode "${BASH_REMATCH[2]}")
  PGPASSWORD=$(decode "${BASH_REMATCH[4]}")
  PGHOST=${BASH_REMATCH[5]}
  PGPORT=${BASH_REMATCH[7]:-5432}
  PGDATABASE=$(decode "${BASH_REMATCH[8]}")
  export PGUSER PGPASSWORD PGHOST PGPORT PGDATABASE
  export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}
}
