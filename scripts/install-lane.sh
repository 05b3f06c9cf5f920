#!/usr/bin/env bash
# The install lane: a bare Debian bookworm (debootstrap --variant=minbase: no compiler, no make, no Python)
# where the packed tarball is installed as a new user would, to prove skene installs with no compiler.
# Built once per machine under the cache folder, like the sid lane (scripts/sid-lane.sh); see docs/TESTING.md.
#
#   scripts/install-lane.sh ensure         build the chroot when missing or older than a month
#   scripts/install-lane.sh run CMD ...    run CMD inside it, in the current folder, with the host's node and npm
#
# Mounts are made only inside a private mount namespace of the `run` process (unshare), so they vanish with
# it and nothing ever deletes the cache through a mount; a rebuild refuses to delete while anything is
# mounted below the cache. The network namespace is the host's: npm reaches the registry from inside.
set -euo pipefail

CACHE=${SKENE_LANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skene/lanes}
ROOT=$CACHE/bookworm-install
MAX_AGE_DAYS=30
REPO=$(cd "$(dirname "$0")/.." && pwd)

debian_mirror() {
  if [ -n "${SKENE_DEBIAN_MIRROR:-}" ]; then echo "$SKENE_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [ -z "$uri" ] && uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    echo "install lane: no Debian mirror in the apt sources; set SKENE_DEBIAN_MIRROR" >&2
    exit 1
  fi
  echo "$uri"
}

is_fresh() {
  [ -f "$ROOT/.skene-lane" ] && [ -z "$(find "$ROOT/.skene-lane" -mtime +"$MAX_AGE_DAYS" 2>/dev/null)" ]
}

refuse_if_mounted() {
  if findmnt -rn -o TARGET | grep -qF -- "$1"; then
    echo "install lane: something is mounted under $1; unmount it first (nothing was deleted)" >&2
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
      echo "install lane: needs root and debootstrap (sudo apt-get install debootstrap)" >&2
      exit 1
    fi
  }
  local mirror new started
  mirror=$(debian_mirror)
  new="$CACHE/bookworm-install.new.$$"
  started=$(date +%s)
  mkdir -p "$CACHE"
  for stale in "$CACHE"/bookworm-install.new.*; do remove_tree "$stale"; done
  trap 'remove_tree "$new"' EXIT
  echo "install lane: building a minimal Debian bookworm chroot (once a month; a minute or two)" >&2
  debootstrap --variant=minbase bookworm "$new" "$mirror" >"$CACHE/install-lane.log" 2>&1 ||
    { tail -n 20 "$CACHE/install-lane.log" >&2; remove_tree "$new"; exit 1; }
  # Mount points for the host's node and npm (bound read-only by `run`), nothing else installed.
  mkdir -p "$new/usr/lib/node_modules/npm"
  touch "$new/usr/local/bin/node"
  ln -sf /usr/lib/node_modules/npm/bin/npm-cli.js "$new/usr/local/bin/npm"
  ln -sf /usr/lib/node_modules/npm/bin/npx-cli.js "$new/usr/local/bin/npx"
  printf 'built=%s\n' "$(date -u +%FT%TZ)" >"$new/.skene-lane"
  remove_tree "$ROOT.old"
  [ -e "$ROOT" ] && { refuse_if_mounted "$ROOT"; mv "$ROOT" "$ROOT.old"; }
  mv "$new" "$ROOT"
  trap - EXIT
  remove_tree "$ROOT.old"
  echo "install lane: built in $(($(date +%s) - started)) s" >&2
}

# in_root CWD CMD...: CMD inside the chroot, with /proc, /dev, /tmp, this repository and the host's node and
# npm mounted at the same paths, in a mount namespace of its own.
in_root() {
  local cwd=$1
  shift
  local npm_dir
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root=$1 cwd=$2 repo=$3 npm_dir=$4; shift 4
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /tmp "$root/tmp"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    mount --bind "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
    mount --bind -o ro "$npm_dir" "$root/usr/lib/node_modules/npm"
    mkdir -p "$root$repo"
    mount --rbind -o ro "$repo" "$root$repo"
    # The host trusts its certificate authorities; so does npm inside, to reach the registry wherever the host does.
    mkdir -p "$root/etc/ssl/certs"
    mount --bind -o ro /etc/ssl/certs "$root/etc/ssl/certs"
    ca=()
    [ -f /etc/ssl/certs/ca-certificates.crt ] && ca=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
    exec chroot "$root" /usr/bin/env -i -C "$cwd" PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "${ca[@]}" "$@"
  ' install-lane "$ROOT" "$cwd" "$REPO" "$npm_dir" "$@"
}

case "${1:-}" in
  ensure)
    if ! is_fresh; then
      mkdir -p "$CACHE"
      exec 9>"$CACHE/bookworm-install.lock"
      flock 9
      is_fresh || build
    fi
    ;;
  run)
    shift
    is_fresh || { echo "install lane: not built; run scripts/install-lane.sh ensure" >&2; exit 1; }
    in_root "$PWD" "$@"
    ;;
  *)
    echo "usage: scripts/install-lane.sh ensure | run CMD ..." >&2
    exit 2
    ;;
esac
