#!/usr/bin/env bash
# Browser tests of the web UI. Needs Debian's chromium (apt-get install chromium); installs its
# Python packages into .venv-web. Usage: bash webtests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-web/bin/pytest ]; then
  python3 -m venv .venv-web
  .venv-web/bin/pip install -q -r webtests/requirements.txt
fi
export TAGTRAIL_BIN="${TAGTRAIL_BIN:-$PWD/target/debug/tagtrail}"
exec .venv-web/bin/pytest -q webtests "$@"
