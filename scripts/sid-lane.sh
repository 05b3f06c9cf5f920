#!/usr/bin/env bash
# The "sid" test lane: today's Python stack (Debian unstable: Python 3.14, FastAPI 0.16x, Starlette 1.x,
# pydantic 2, SQLAlchemy 2) in a chroot built once per machine with debootstrap. See docs/TESTING.md.
#
#   scripts/sid-lane.sh ensure         build the chroot when missing, older than a week or built from
#                                      another package list; print the versions it holds
#   scripts/sid-lane.sh run CMD ...    run CMD inside it, in the current folder
#   scripts/sid-lane.sh versions       print the versions it holds
#
# How the chroot is built, swapped in and entered (mounts only in a private mount namespace): scripts/lib/chroot.sh.
set -euo pipefail

CACHE=${SKENE_LANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skene/lanes}
ROOT=$CACHE/sid
MAX_AGE_DAYS=7
PACKAGES=(python3 python3-fastapi python3-starlette python3-pydantic python3-pydantic-settings
  python3-sqlalchemy python3-httpx python3-pytest python3-uvicorn python3-pyflakes python3-jwt
  python3-python-multipart python3-aiosqlite python3-psycopg2 python3-asyncpg python3-alembic
  python3-sqlmodel python3-email-validator python3-stripe ruff postgresql libstdc++6 ca-certificates)
REPO=$(cd "$(dirname "$0")/.." && pwd)
LANE="sid lane"
# shellcheck source=lib/chroot.sh
source "$REPO/scripts/lib/chroot.sh"

list_digest() { printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16; }

is_fresh() { lane_is_fresh "$MAX_AGE_DAYS" "$(list_digest)"; }

build() {
  local new="$ROOT.new.$$" started
  started=$(date +%s)
  echo "sid lane: building a Debian sid chroot (once a week; a few minutes)" >&2
  lane_debootstrap sid "$new" "$CACHE/debootstrap.log"
  # No services start inside the chroot, and PostgreSQL creates no cluster of its own: tests make theirs.
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
  chmod +x "$new/usr/sbin/policy-rc.d"
  mkdir -p "$new/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$new/etc/postgresql-common/createcluster.conf"
  # The mirror may serve a sid snapshot past its Valid-Until date; its signature is still checked.
  echo 'Acquire::Check-Valid-Until "false";' >"$new/etc/apt/apt.conf.d/99skene-lane"
  { lane_enter "$new" / apt-get update -qq &&
    lane_enter "$new" / env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
  } >>"$CACHE/debootstrap.log" 2>&1 || {
    echo "sid lane: installing the Python stack failed:" >&2
    tail -n 20 "$CACHE/debootstrap.log" >&2
    remove_tree "$new"
    exit 1
  }
  lane_enter "$new" / apt-get clean
  touch "$new/usr/local/bin/node"
  printf 'packages=%s\nbuilt=%s\n' "$(list_digest)" "$(date -u +%FT%TZ)" >"$new/.skene-lane"
  lane_swap_in "$new"
  echo "sid lane: built in $(($(date +%s) - started)) s" >&2
}

# Inside the chroot besides what every lane has (scripts/lib/chroot.sh): this repository, $TMPDIR and
# $SKENE_LANE_BINDS at the same paths (what is under /tmp is there already); the host's environment is kept.
lane_mounts() {
  local dir
  for dir in "$REPO" ${TMPDIR:+"$TMPDIR"} ${SKENE_LANE_BINDS:-}; do
    case "$dir" in /tmp | /tmp/*) continue ;; esac
    lane_bind "$dir" "$1"
  done
}

versions() {
  lane_enter "$ROOT" / /usr/bin/python3 -c '
import importlib.metadata as m, platform, subprocess
names = ["fastapi", "starlette", "pydantic", "sqlalchemy", "sqlmodel", "httpx", "stripe", "uvicorn", "pytest"]
parts = ["Python " + platform.python_version()] + ["%s %s" % (n, m.version(n)) for n in names]
pg = subprocess.run(["sh", "-c", "ls /usr/lib/postgresql | sort -n | tail -n1"], capture_output=True, text=True).stdout.strip()
print("sid lane: " + ", ".join(parts) + ", PostgreSQL " + pg)'
}

lane_reenter "$@"
case "${1:-}" in
  ensure)
    if ! is_fresh; then
      mkdir -p "$(dirname "$CACHE")"
      exec 9>"$CACHE.lock"
      flock 9
      is_fresh || build
    fi
    versions
    ;;
  run)
    shift
    is_fresh || { echo "sid lane: not built; run scripts/sid-lane.sh ensure" >&2; exit 1; }
    lane_enter "$ROOT" "$PWD" "$@"
    ;;
  versions) versions ;;
  *)
    echo "usage: scripts/sid-lane.sh ensure | run CMD ... | versions" >&2
    exit 2
    ;;
esac
