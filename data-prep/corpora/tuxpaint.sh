#!/usr/bin/env bash
# tuxpaint corpus: Tux Paint stamps (PNG photo cut-outs) with their English description, English
# spoken description and sound effect -> DEST/tuxpaint/manifest.csv
# Source (Debian): tuxpaint-stamps-default, fetched with apt-get download and unpacked with
# dpkg-deb -x (nothing is installed).
# Usage: tuxpaint.sh DEST   (normally via build-corpus.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGE=tuxpaint-stamps-default
RECIPE="tuxpaint/1 $PACKAGE"
if [[ "${1:-}" == "--recipe" ]]; then echo "$RECIPE"; exit 0; fi

begin_corpus tuxpaint "${1:-}"
deb="$(fetch_deb "$PACKAGE")"
extract_deb "$deb" "$WORK/pkg"
stamps="$WORK/pkg/usr/share/tuxpaint/stamps"
[[ -d "$stamps" ]] || die "$deb has no usr/share/tuxpaint/stamps: the package layout changed"

"$PYTHON" "$CORPORA_DIR/tuxpaint.py" \
  --stamps "$stamps" \
  --out "$OUT" \
  --recipe "$RECIPE" \
  --source "$PACKAGE=$(deb_version "$deb")"
