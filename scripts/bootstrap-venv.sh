#!/usr/bin/env bash
# Create the project's virtual environment with Python 3.11, installing what a fresh
# Debian machine lacks (python3-venv) when running as root.
set -euo pipefail
python="$1"; venv="$2"
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  if command -v python3.11 >/dev/null 2>&1; then python=python3.11
  else echo "partyday needs Python 3.11 (found: $("$python" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2; exit 1; fi
fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"; "$python" -m venv "$venv"
  else
    echo "could not create a virtual environment; install python3-venv" >&2; exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip>=23" "setuptools==81.0.0"
