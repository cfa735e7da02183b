#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real: TeX Live with bibtex and biber,
# poppler's pdftotext, Chromium for the browser tests and JabRef for the round-trip test. Does
# nothing when they are present.
set -euo pipefail

need=()
command -v pdflatex >/dev/null || need+=(texlive-latex-base texlive-latex-recommended texlive-latex-extra)
command -v biber >/dev/null || need+=(biber texlive-bibtex-extra)
kpsewhich biblatex.sty >/dev/null 2>&1 || need+=(texlive-bibtex-extra)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v jabref >/dev/null || need+=(jabref)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
