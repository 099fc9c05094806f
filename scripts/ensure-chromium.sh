#!/usr/bin/env bash
# Make sure Debian's headless Chromium is present for the browser test runs.
# Vitest's playwright provider launches /usr/bin/chromium; no browser is ever downloaded.
set -euo pipefail
CHROMIUM="${CURIO_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing and we are not root; install Debian's 'chromium' package (apt-get install -y chromium)" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
test -x "$CHROMIUM"
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo installed)" >&2
