#!/usr/bin/env bash
# motion corpus: 2 s clips (128x128, 16 frames at 8 fps) of real emoji images moving left, right,
# up, down, zooming in and out on a plain background -> DEST/motion/manifest.jsonl
# Made with the ffmpeg CLI (Debian's ffmpeg is installed as root when it is missing) from the emoji
# corpus, which is built first when it is not complete.
# Usage: motion.sh DEST   (normally via build-corpus.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECIPE="motion/1 objects=24 size=128 frames=16 fps=8 on $("$CORPORA_DIR/emoji.sh" --recipe)"
if [[ "${1:-}" == "--recipe" ]]; then echo "$RECIPE"; exit 0; fi

[[ -n "${1:-}" ]] || die "usage: motion.sh DEST (normally called by build-corpus.sh)"
# The emoji corpus first (skipped when complete); its summary line goes to stderr here.
"$CORPORA_DIR/build-corpus.sh" emoji --dest "$1" >&2 || die "the emoji corpus, which motion is made from, failed to build"

begin_corpus motion "$1"
ensure_ffmpeg

"$PYTHON" "$CORPORA_DIR/motion.py" \
  --emoji "$DEST/emoji" \
  --out "$OUT" \
  --recipe "$RECIPE" \
  --source "emoji corpus ($("$CORPORA_DIR/emoji.sh" --recipe))" \
  --source "$(ffmpeg -hide_banner -version 2>/dev/null | sed -n 1p)" \
  --jobs "${CORPUS_JOBS:-$(nproc 2>/dev/null || echo 2)}"
