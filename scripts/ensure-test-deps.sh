#!/usr/bin/env bash
# The tests run the generated Python on two lanes (docs/TESTING.md): Debian's own interpreter and packages,
# with PostgreSQL for the concurrency tests and Chromium for the HTML report of skene stats, and a Debian sid
# chroot with today's stack (scripts/sid-lane.sh, built once a week; skipped only when SKENE_TEST_LANES names
# bookworm alone). Installs what is missing when run as root; otherwise prints the command to run.
set -euo pipefail
debs=(python3-fastapi python3-httpx python3-sqlalchemy python3-pytest python3-stripe python3-uvicorn
      python3-psycopg2 python3-pyflakes python3-alembic python3-aiosqlite postgresql chromium)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
ensure_sid_lane() {
  case ",${SKENE_TEST_LANES:-all}," in
    *,all,*|*,sid,*) bash "$(dirname "$0")/sid-lane.sh" ensure ;;
  esac
}
if [ ${#missing[@]} -eq 0 ]; then
  ensure_sid_lane
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The tests need Debian's packages: ${missing[*]} (apt-get not found)." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "The tests need: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
ensure_sid_lane
