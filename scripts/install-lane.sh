#!/usr/bin/env bash
# The install lane: a bare Debian bookworm (debootstrap --variant=minbase: no compiler, no make, no Python)
# where the packed tarball is installed as a new user would, to prove skene installs with no compiler.
# Built once per machine under the cache folder, like the sid lane (scripts/sid-lane.sh); see docs/TESTING.md.
#
#   scripts/install-lane.sh ensure         build the chroot when missing or older than a month
#   scripts/install-lane.sh run CMD ...    run CMD inside it, in the current folder, with the host's node and npm
#
# How the chroot is built, swapped in and entered (mounts only in a private mount namespace): scripts/lib/chroot.sh.
# The network namespace is the host's: npm reaches the registry from inside.
set -euo pipefail

CACHE=${SKENE_LANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skene/lanes}
ROOT=$CACHE/bookworm-install
MAX_AGE_DAYS=30
REPO=$(cd "$(dirname "$0")/.." && pwd)
LANE="install lane"
# shellcheck source=lib/chroot.sh
source "$REPO/scripts/lib/chroot.sh"

is_fresh() { lane_is_fresh "$MAX_AGE_DAYS"; }

build() {
  local new="$ROOT.new.$$" started
  started=$(date +%s)
  echo "install lane: building a minimal Debian bookworm chroot (once a month; a minute or two)" >&2
  lane_debootstrap bookworm "$new" "$CACHE/install-lane.log"
  # Mount points for the host's node and npm (bound read-only by `run`), nothing else installed.
  mkdir -p "$new/usr/lib/node_modules/npm"
  touch "$new/usr/local/bin/node"
  ln -sf /usr/lib/node_modules/npm/bin/npm-cli.js "$new/usr/local/bin/npm"
  ln -sf /usr/lib/node_modules/npm/bin/npx-cli.js "$new/usr/local/bin/npx"
  printf 'built=%s\n' "$(date -u +%FT%TZ)" >"$new/.skene-lane"
  lane_swap_in "$new"
  echo "install lane: built in $(($(date +%s) - started)) s" >&2
}

# Inside the chroot besides what every lane has (scripts/lib/chroot.sh): the host's npm, this repository and the
# host's certificate authorities, all read-only, and a clean environment (npm reaches the registry wherever the
# host does, trusting what the host trusts).
lane_mounts() {
  local npm_dir
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mount --bind -o ro "$npm_dir" "$1/usr/lib/node_modules/npm"
  lane_bind "$REPO" "$1" ro
  lane_bind /etc/ssl/certs "$1" ro
  LANE_ENV=(-i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8)
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    LANE_ENV+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
  fi
}

lane_reenter "$@"
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
    lane_enter "$ROOT" "$PWD" "$@"
    ;;
  *)
    echo "usage: scripts/install-lane.sh ensure | run CMD ..." >&2
    exit 2
    ;;
esac
