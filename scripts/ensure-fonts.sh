#!/usr/bin/env bash
# PDF posters, sign-in sheets and chart labels are Simplified Chinese: they need a
# TrueType font with CJK glyphs (PARTYDAY_CJK_FONT_PATH). Install Debian's
# fonts-wqy-microhei when it is absent and we may use apt.
set -euo pipefail
font="${PARTYDAY_CJK_FONT_PATH:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}"
[ -f "$font" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
fi
[ -f "$font" ] && { echo "CJK font installed: $font"; exit 0; }
echo "No CJK font at $font: install fonts-wqy-microhei or set PARTYDAY_CJK_FONT_PATH." >&2
exit 1
