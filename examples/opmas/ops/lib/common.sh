# Helpers shared by the OPMAS example's scripts (sourced, not run). Needs bash, jq and coreutils.
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

