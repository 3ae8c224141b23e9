#!/usr/bin/env bash
# asterisk corpus: Asterisk's English voice prompts (8 kHz WAV) with their transcripts
# -> DEST/asterisk/manifest.tsv
# Sources (Debian): asterisk-core-sounds-en-wav (the WAVs) and asterisk-core-sounds-en (its
# core-sounds-en.txt.gz holds the transcripts), fetched with apt-get download and unpacked with
# dpkg-deb -x (nothing is installed).
# Usage: asterisk.sh DEST   (normally via build-corpus.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WAV_PACKAGE=asterisk-core-sounds-en-wav
TEXT_PACKAGE=asterisk-core-sounds-en
RECIPE="asterisk/1 $WAV_PACKAGE $TEXT_PACKAGE"
if [[ "${1:-}" == "--recipe" ]]; then echo "$RECIPE"; exit 0; fi

begin_corpus asterisk "${1:-}"
wav_deb="$(fetch_deb "$WAV_PACKAGE")"
text_deb="$(fetch_deb "$TEXT_PACKAGE")"
extract_deb "$wav_deb" "$WORK/wav"
extract_deb "$text_deb" "$WORK/text"

# The WAVs live in usr/share/asterisk/sounds/<voice>/ (en_US_f_Allison in Debian 12).
shopt -s nullglob
voices=("$WORK"/wav/usr/share/asterisk/sounds/*/)
shopt -u nullglob
((${#voices[@]} == 1)) || die "expected one voice folder under usr/share/asterisk/sounds in $wav_deb, found ${#voices[@]}"
transcripts="$WORK/text/usr/share/doc/$TEXT_PACKAGE/core-sounds-en.txt.gz"
[[ -f "$transcripts" ]] || die "$text_deb has no usr/share/doc/$TEXT_PACKAGE/core-sounds-en.txt.gz"

"$PYTHON" "$CORPORA_DIR/asterisk.py" \
  --sounds "${voices[0]%/}" \
  --transcripts "$transcripts" \
  --out "$OUT" \
  --recipe "$RECIPE" \
  --source "$WAV_PACKAGE=$(deb_version "$wav_deb")" \
  --source "$TEXT_PACKAGE=$(deb_version "$text_deb")"
