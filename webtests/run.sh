#!/usr/bin/env bash
# Browser tests of the web UI. Needs Debian's chromium (apt-get install chromium); installs its
# Python packages into .venv-web. Usage: bash webtests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-web/bin/pytest ]; then
  python3 -m venv .venv-web
  .venv-web/bin/pip install -q -r webtests/requirements.txt
fi
# axe-core (npm) checks every page's accessibility.
if [ ! -f .venv-web/axe/node_modules/axe-core/axe.min.js ]; then
  mkdir -p .venv-web/axe
  npm install --silent --no-audit --no-fund --prefix .venv-web/axe axe-core@4.10.2 >/dev/null
fi
export TAGTRAIL_BIN="${TAGTRAIL_BIN:-$PWD/target/debug/tagtrail}"
exec .venv-web/bin/pytest -q webtests "$@"
