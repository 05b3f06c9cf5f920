# The chroot test lanes' common part (scripts/sid-lane.sh, scripts/install-lane.sh; see docs/TESTING.md): a
# Debian tree made with debootstrap under a cache folder, swapped in whole when built, and entered in a mount
# namespace of its own. Sourced by a lane script after it sets:
#
#   LANE   its name in messages ("sid lane")
#   ROOT   the chroot's folder
#
# It defines lane_mounts (run inside the namespace with the chroot's folder as $1, after the common mounts; it may
# set LANE_ENV, the env(1) arguments before the command, e.g. `-i PATH=...`), then calls lane_reenter "$@" before
# it handles its own commands.
#
# Mounts are made only inside a private mount namespace of the `run` process (unshare), so they vanish with it
# and nothing ever deletes the cache through a mount; a rebuild refuses to delete while anything is mounted
# below the cache.

LANE_SCRIPT=$(readlink -f "$0")

lane_fail() {
  echo "$LANE: $*" >&2
  exit 1
}

# The Debian mirror the host's apt uses (deb822 sources first, then sources.list), or $SKENE_DEBIAN_MIRROR.
debian_mirror() {
  if [ -n "${SKENE_DEBIAN_MIRROR:-}" ]; then echo "$SKENE_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [ -z "$uri" ] && uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [ -n "$uri" ] || lane_fail "no Debian mirror in the apt sources; set SKENE_DEBIAN_MIRROR"
  echo "$uri"
}

refuse_if_mounted() {
  if findmnt -rn -o TARGET | grep -qF -- "$1"; then
    lane_fail "something is mounted under $1; unmount it first (nothing was deleted)"
  fi
}

remove_tree() {
  [ -e "$1" ] || return 0
  refuse_if_mounted "$1"
  rm -rf --one-file-system -- "$1"
}

# lane_is_fresh MAX_AGE_DAYS [DIGEST]: ROOT was built, less than MAX_AGE_DAYS ago (and from DIGEST, when given).
lane_is_fresh() {
  local marker=$ROOT/.skene-lane
  [ -f "$marker" ] || return 1
  if [ $# -ge 2 ]; then [ "$(sed -n 's/^packages=//p' "$marker")" = "$2" ] || return 1; fi
  [ -z "$(find "$marker" -mtime +"$1" 2>/dev/null)" ]
}

need_debootstrap() {
  command -v debootstrap >/dev/null && return 0
  [ "$(id -u)" = 0 ] || lane_fail "needs root and debootstrap (sudo apt-get install debootstrap)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
}

# lane_debootstrap SUITE NEW LOG: a minbase SUITE in NEW (beside ROOT), its log in LOG. Trees left by an
# interrupted build are removed first (the caller holds the lane's lock, so nothing runs in them); NEW is
# removed when the script exits before lane_swap_in.
lane_debootstrap() {
  local suite=$1 new=$2 log=$3 stale mirror
  need_debootstrap
  mirror=$(debian_mirror)
  mkdir -p "$(dirname "$new")"
  for stale in "$ROOT".new.*; do remove_tree "$stale"; done
  trap 'remove_tree "'"$new"'"' EXIT
  debootstrap --variant=minbase "$suite" "$new" "$mirror" >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; remove_tree "$new"; exit 1; }
}

# lane_swap_in NEW: NEW becomes ROOT; the ROOT it replaces is removed.
lane_swap_in() {
  local new=$1
  remove_tree "$ROOT.old"
  if [ -e "$ROOT" ]; then
    refuse_if_mounted "$ROOT"
    mv "$ROOT" "$ROOT.old"
  fi
  mv "$new" "$ROOT"
  trap - EXIT
  remove_tree "$ROOT.old"
}

# lane_enter TREE CWD CMD...: CMD inside TREE in a mount namespace of its own, with /proc, /dev, /tmp, the host's
# resolv.conf and (when TREE has the mount point /usr/local/bin/node) the host's node, then what lane_mounts adds.
# The lane script runs again inside the namespace (lane_reenter), so the mounts are made by these functions.
lane_enter() {
  unshare --mount --propagation private -- /bin/bash "$LANE_SCRIPT" __lane-enter "$@"
}

# lane_reenter "$@": called by the lane script before its own commands; inside lane_enter's namespace it mounts
# and enters the chroot, and never returns.
lane_reenter() {
  [ "${1:-}" = __lane-enter ] || return 0
  local root=$2 cwd=$3
  shift 3
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /tmp "$root/tmp"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  if [ -f "$root/usr/local/bin/node" ]; then mount --bind "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"; fi
  LANE_ENV=()
  lane_mounts "$root"
  exec chroot "$root" /usr/bin/env -C "$cwd" "${LANE_ENV[@]}" "$@"
}

# lane_bind DIR ROOT [ro]: DIR of the host at the same path inside ROOT (read-only with `ro`).
lane_bind() {
  [ -d "$1" ] || return 0
  mkdir -p "$2$1"
  mount --rbind ${3:+-o "$3"} "$1" "$2$1"
}
