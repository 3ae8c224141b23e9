#!/usr/bin/env bash
# emoji corpus: 64x64 Google emoji PNGs with English captions -> DEST/emoji/manifest.jsonl
# Sources (npm): emoji-datasource-google (images, names, categories), emojibase-data (labels, tags).
# Usage: emoji.sh DEST   (normally via build-corpus.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATASOURCE_VERSION=16.0.0
EMOJIBASE_VERSION=17.0.0
RECIPE="emoji/1 emoji-datasource-google@$DATASOURCE_VERSION emojibase-data@$EMOJIBASE_VERSION"
if [[ "${1:-}" == "--recipe" ]]; then echo "$RECIPE"; exit 0; fi

begin_corpus emoji "${1:-}"
ds_tgz="$(fetch_npm emoji-datasource-google "$DATASOURCE_VERSION")"
eb_tgz="$(fetch_npm emojibase-data "$EMOJIBASE_VERSION")"
extract_tgz "$ds_tgz" "$WORK/datasource"
extract_tgz "$eb_tgz" "$WORK/emojibase"

"$PYTHON" "$CORPORA_DIR/emoji.py" \
  --datasource "$WORK/datasource/package" \
  --emojibase "$WORK/emojibase/package" \
  --out "$OUT" \
  --recipe "$RECIPE" \
  --source "emoji-datasource-google@$DATASOURCE_VERSION" \
  --source "emojibase-data@$EMOJIBASE_VERSION"
