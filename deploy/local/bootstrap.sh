#!/usr/bin/env bash
# Make this checkout runnable: a virtual environment in .venv with the pinned packages,
# and the system packages the tests need (Chromium for the dashboard test, DejaVu fonts for PDFs, poppler and
# tesseract with its Vietnamese model to read the dossier PDFs back as images).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "sangkien needs Python 3.11 (python3.11 not found): install it, e.g. 'apt-get install python3.11 python3.11-venv' or pyenv" >&2
  exit 1
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing Python packages into .venv (pinned by pyproject.toml and constraints.txt)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi

# System packages used by tests and exports: Debian's chromium (headless dashboard test), DejaVu fonts (PDF; the
# italic of the date line is in fonts-dejavu-extra), pdftoppm and tesseract-ocr-vie (the dossier documents' test).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf ] || missing+=(fonts-dejavu-extra)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
[ -n "$(find /usr/share/tesseract-ocr -name vie.traineddata 2>/dev/null | head -1)" ] || missing+=(tesseract-ocr-vie)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: missing system packages ${missing[*]} (sudo apt-get install ${missing[*]}); the dashboard browser test, PDF export and the dossier documents' test need them" >&2
  fi
fi
