#!/usr/bin/env bash
# The generated runtime's pytest suite (test/python) on each Python lane (docs/TESTING.md): Debian 12's own
# Python ("bookworm") and the Debian sid chroot ("sid", scripts/sid-lane.sh). SKENE_TEST_LANES=bookworm or
# =sid runs one lane for a quick local run; CI runs both. Exits non-zero when any lane fails.
set -uo pipefail
cd "$(dirname "$0")/.."
lanes=${SKENE_TEST_LANES:-all}
[ "$lanes" = all ] && lanes=bookworm,sid
status=0
summary=()
for lane in ${lanes//,/ }; do
  case "$lane" in
    bookworm) python=(/usr/bin/python3) ;;
    sid) python=(bash scripts/sid-lane.sh run python3) ;;
    *) echo "SKENE_TEST_LANES: unknown lane '$lane' (bookworm, sid, all)" >&2; exit 2 ;;
  esac
  versions=$("${python[@]}" -c 'import platform, fastapi, pydantic, sqlalchemy, starlette; print("Python %s, FastAPI %s, Starlette %s, pydantic %s, SQLAlchemy %s" % (platform.python_version(), fastapi.__version__, starlette.__version__, pydantic.VERSION, sqlalchemy.__version__))') || {
    echo "lane $lane cannot run Python (for sid: bash scripts/sid-lane.sh ensure)" >&2
    status=1
    continue
  }
  echo "== pytest on $lane: $versions"
  started=$(date +%s)
  "${python[@]}" -m pytest -q -p no:cacheprovider test/python
  code=$?
  summary+=("$lane ($versions): pytest exit $code in $(($(date +%s) - started)) s")
  [ $code -eq 0 ] || status=1
done
printf '%s\n' "${summary[@]}"
exit $status
