#!/usr/bin/env bash
# The "sid" test lane: today's Python stack (Debian unstable: Python 3.14, FastAPI 0.16x, Starlette 1.x,
# pydantic 2, SQLAlchemy 2) in a chroot built once per machine with debootstrap. See docs/TESTING.md.
#
#   scripts/sid-lane.sh ensure         build the chroot when missing, older than a week or built from
#                                      another package list; print the versions it holds
#   scripts/sid-lane.sh run CMD ...    run CMD inside it, in the current folder
#   scripts/sid-lane.sh versions       print the versions it holds
#
# Mounts are made only inside a private mount namespace of the `run` process (unshare), so they vanish
# with it and nothing ever deletes the cache through a mount; a rebuild also refuses to delete while
# anything is mounted below the cache.
set -euo pipefail

CACHE=${SKENE_LANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skene/lanes}
ROOT=$CACHE/sid
MAX_AGE_DAYS=7
PACKAGES=(python3 python3-fastapi python3-starlette python3-pydantic python3-pydantic-settings
  python3-sqlalchemy python3-httpx python3-pytest python3-uvicorn python3-pyflakes python3-jwt
  python3-python-multipart python3-aiosqlite python3-psycopg2 python3-asyncpg python3-alembic
  python3-sqlmodel python3-email-validator python3-stripe ruff postgresql libstdc++6 ca-certificates)
REPO=$(cd "$(dirname "$0")/.." && pwd)

list_digest() { printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16; }

debian_mirror() {
  if [ -n "${SKENE_DEBIAN_MIRROR:-}" ]; then echo "$SKENE_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [ -z "$uri" ] && uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    echo "sid lane: no Debian mirror in the apt sources; set SKENE_DEBIAN_MIRROR" >&2
    exit 1
  fi
  echo "$uri"
}

is_fresh() {
  [ -f "$ROOT/.skene-lane" ] || return 1
  [ "$(sed -n 's/^packages=//p' "$ROOT/.skene-lane")" = "$(list_digest)" ] || return 1
  [ -z "$(find "$ROOT/.skene-lane" -mtime +"$MAX_AGE_DAYS" 2>/dev/null)" ]
}

refuse_if_mounted() {
  local target=$1
  if findmnt -rn -o TARGET | grep -qF -- "$target"; then
    echo "sid lane: something is mounted under $target; unmount it first (nothing was deleted)" >&2
    exit 1
  fi
}

remove_tree() {
  [ -e "$1" ] || return 0
  refuse_if_mounted "$1"
  rm -rf --one-file-system -- "$1"
}

build() {
  command -v debootstrap >/dev/null || {
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
    else
      echo "sid lane: needs root and debootstrap (sudo apt-get install debootstrap)" >&2
      exit 1
    fi
  }
  local mirror new started
  mirror=$(debian_mirror)
  new="$CACHE/sid.new.$$"
  started=$(date +%s)
  mkdir -p "$CACHE"
  # Left by a build that was interrupted: nothing runs in them (the lock is held).
  for stale in "$CACHE"/sid.new.*; do remove_tree "$stale"; done
  trap 'remove_tree "$new"' EXIT
  echo "sid lane: building a Debian sid chroot (once a week; a few minutes)" >&2
  debootstrap --variant=minbase sid "$new" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$CACHE/debootstrap.log" >&2; remove_tree "$new"; exit 1; }
  # No services start inside the chroot, and PostgreSQL creates no cluster of its own: tests make theirs.
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
  chmod +x "$new/usr/sbin/policy-rc.d"
  mkdir -p "$new/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$new/etc/postgresql-common/createcluster.conf"
  # The mirror may serve a sid snapshot past its Valid-Until date; its signature is still checked.
  echo 'Acquire::Check-Valid-Until "false";' >"$new/etc/apt/apt.conf.d/99skene-lane"
  { in_root "$new" / apt-get update -qq &&
    in_root "$new" / env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
  } >>"$CACHE/debootstrap.log" 2>&1 || {
    echo "sid lane: installing the Python stack failed:" >&2
    tail -n 20 "$CACHE/debootstrap.log" >&2
    remove_tree "$new"
    exit 1
  }
  in_root "$new" / apt-get clean
  touch "$new/usr/local/bin/node"
  printf 'packages=%s\nbuilt=%s\n' "$(list_digest)" "$(date -u +%FT%TZ)" >"$new/.skene-lane"
  remove_tree "$ROOT.old"
  [ -e "$ROOT" ] && { refuse_if_mounted "$ROOT"; mv "$ROOT" "$ROOT.old"; }
  mv "$new" "$ROOT"
  trap - EXIT
  remove_tree "$ROOT.old"
  echo "sid lane: built in $(($(date +%s) - started)) s" >&2
}

# in_root ROOT CWD CMD...: CMD inside ROOT, with /proc, /dev, /tmp, this repository and the host's node
# mounted at the same paths, in a mount namespace of its own.
in_root() {
  local root=$1 cwd=$2
  shift 2
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root=$1 cwd=$2 repo=$3; shift 3
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /tmp "$root/tmp"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    if [ -f "$root/usr/local/bin/node" ]; then mount --bind "$(command -v node)" "$root/usr/local/bin/node"; fi
    for dir in "$repo" ${TMPDIR:+"$TMPDIR"} ${SKENE_LANE_BINDS:-}; do
      case "$dir" in /tmp|/tmp/*) continue ;; esac
      [ -d "$dir" ] || continue
      mkdir -p "$root$dir"
      mount --rbind "$dir" "$root$dir"
    done
    exec chroot "$root" /usr/bin/env -C "$cwd" "$@"
  ' skene-lane "$root" "$cwd" "$REPO" "$@"
}

versions() {
  in_root "$ROOT" / /usr/bin/python3 -c '
import importlib.metadata as m, platform, subprocess
names = ["fastapi", "starlette", "pydantic", "sqlalchemy", "sqlmodel", "httpx", "stripe", "uvicorn", "pytest"]
parts = ["Python " + platform.python_version()] + ["%s %s" % (n, m.version(n)) for n in names]
pg = subprocess.run(["sh", "-c", "ls /usr/lib/postgresql | sort -n | tail -n1"], capture_output=True, text=True).stdout.strip()
print("sid lane: " + ", ".join(parts) + ", PostgreSQL " + pg)'
}

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
    in_root "$ROOT" "$PWD" "$@"
    ;;
  versions) versions ;;
  *)
    echo "usage: scripts/sid-lane.sh ensure | run CMD ... | versions" >&2
    exit 2
    ;;
esac
