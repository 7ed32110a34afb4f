#!/usr/bin/env bash
# Wire-conformance suite for tagtrail: drives `tagtrail demo` with the independent PyPI Metrc
# client thunkmetrc-client.
#   bash conformance/run.sh [sqlite|postgres] [extra pytest args...]
# Exit code = pytest's.
set -euo pipefail

BACKEND="${1:-sqlite}"
shift || true
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="$REPO/.venv-conformance"
REQ="$HERE/requirements.txt"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
STAMP="$VENV/.conformance-requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
    echo "$WANT" > "$STAMP"
fi

export TAGTRAIL_BIN="${TAGTRAIL_BIN:-$REPO/target/debug/tagtrail}"

PG_DB=""
cleanup() {
    if [ -n "$PG_DB" ] && [ "${TAGTRAIL_CONFORMANCE_KEEP:-}" != "1" ]; then
        psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

case "$BACKEND" in
    sqlite)
        unset TAGTRAIL_CONFORMANCE_DATABASE_URL
        ;;
    postgres)
        PG_DB="tagtrail_conf_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $PG_DB"
        export TAGTRAIL_CONFORMANCE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB"
        ;;
    *)
        echo "usage: bash conformance/run.sh [sqlite|postgres] [pytest args...]" >&2
        exit 2
        ;;
esac

echo "[conformance] backend=$BACKEND bin=$TAGTRAIL_BIN ${TAGTRAIL_CONFORMANCE_DATABASE_URL:-}"
cd "$HERE"
set +e
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest -q "$HERE" "$@"
RC=$?
set -e
exit $RC
