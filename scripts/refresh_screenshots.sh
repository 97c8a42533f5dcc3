#!/usr/bin/env bash
# Refresh the README's screenshots on purpose: the browser test takes them (into the ignored artifacts/),
# then they are copied to docs/. Needs Debian's chromium and, for the Chinese one, fonts-wqy-microhei.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest -n 0 -q tests/test_browser_present.py -k screenshot_for_the_readme
cp artifacts/screenshot.png artifacts/screenshot-zh.png docs/
