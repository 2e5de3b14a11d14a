#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser/), if it is missing.
# Runs apt-get only as root; otherwise says what to run. Never downloads a browser any other way
# (no `playwright install`). Exit 0 when Chromium is available afterwards, 1 when it is not.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "Chromium is present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing at $CHROMIUM and we are not root: run 'sudo apt-get install -y chromium'" >&2
  echo "to run the browser tests; without it they are skipped." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at $CHROMIUM and there is no apt-get: the browser tests will be skipped." >&2
  exit 1
fi
echo "Installing chromium with apt-get (about 30 s)..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y chromium \
  || { apt-get update && apt-get install -y chromium; }
if [ -x "$CHROMIUM" ]; then
  echo "Chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
else
  echo "apt-get finished but $CHROMIUM is still missing: the browser tests will be skipped." >&2
  exit 1
fi
