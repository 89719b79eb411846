#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium through Debian's chromedriver
# (the two always match). Install them when absent and we may use apt; otherwise say
# what is missing and fail, so the browser tests never skip silently.
set -euo pipefail
browser="${PARTYDAY_CHROMIUM:-/usr/bin/chromium}"
driver="${PARTYDAY_CHROMEDRIVER:-/usr/bin/chromedriver}"
[ -x "$browser" ] && [ -x "$driver" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }
fi
[ -x "$browser" ] && [ -x "$driver" ] && { echo "Chromium installed: $browser, $driver"; exit 0; }
echo "No Chromium at $browser or no chromedriver at $driver: install Debian's chromium and chromium-driver," \
     "or set PARTYDAY_CHROMIUM and PARTYDAY_CHROMEDRIVER." >&2
exit 1
