#!/usr/bin/env bash
# Builds Chorus' real demo corpora (manifest + media) from public packages.
# Run with --help for usage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL=(emoji tuxpaint asterisk motion)

usage() {
  cat <<EOF
Usage: $(basename "$0") NAME... [--dest DIR] [--force]

Builds Chorus' demo corpora from public packages (npm registry, Debian archive) and writes each
to DIR/NAME/ as a manifest plus media files; media paths in a manifest are relative to its folder.

NAME
  emoji     Google emoji 64x64 PNGs + English captions      -> emoji/manifest.jsonl
            (npm emoji-datasource-google, emojibase-data)
  tuxpaint  Tux Paint stamps: image, English description,  -> tuxpaint/manifest.csv
            spoken description and sound effect (Debian tuxpaint-stamps-default)
  asterisk  Asterisk voice prompts, 8 kHz WAV + transcript -> asterisk/manifest.tsv
            (Debian asterisk-core-sounds-en-wav, asterisk-core-sounds-en)
  motion    2 s clips of emoji moving left/right/up/down,  -> motion/manifest.jsonl
            zooming in/out (made with ffmpeg from the emoji corpus; installs Debian's ffmpeg as
            root when it is missing)
  all       all of the above

Options
  --dest DIR   output folder (default: \${CHORUS_DATA:-\$HOME/.cache/chorus}/corpora)
  --force      rebuild even when a corpus is already complete
  -h, --help   this text

Downloads are cached in DIR/.downloads, so a rebuild works offline. A corpus whose manifest
exists, was made by the same recipe and whose media files are all present is skipped. The
manifest is written last and atomically: a killed build never leaves one that looks complete.
One summary line per corpus goes to stdout; progress goes to stderr.
EOF
}

dest="${CHORUS_DATA:-$HOME/.cache/chorus}/corpora"
force=0
names=()
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --dest) [[ $# -ge 2 && -n "$2" ]] || { echo "build-corpus: --dest needs a folder" >&2; exit 2; }
            dest=$2; shift ;;
    --dest=*) dest=${1#--dest=} ;;
    --force) force=1 ;;
    all) names+=("${ALL[@]}") ;;
    emoji | tuxpaint | asterisk | motion) names+=("$1") ;;
    *) echo "build-corpus: unknown corpus or option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if ((${#names[@]} == 0)); then
  usage >&2
  exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "build-corpus: ERROR: python3 is needed" >&2; exit 1; }

mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

# Each corpus once, in the order asked (motion reads the emoji corpus and builds it if needed).
declare -A seen=()
ordered=()
for n in "${names[@]}"; do
  [[ -n "${seen[$n]:-}" ]] && continue
  seen[$n]=1
  ordered+=("$n")
done

now() { date +%s.%N; }

human() {
  awk -v b="$1" 'BEGIN { split("B KiB MiB GiB", u, " "); i = 1; while (b >= 1024 && i < 4) { b /= 1024; i++ }
                         printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}

# build_one NAME: skips a complete corpus, else runs NAME.sh; prints the summary line.
build_one() {
  local name=$1 t0 t1 recipe status why
  t0="$(now)"
  recipe="$("$HERE/$name.sh" --recipe)"
  if ((force == 0)) && why="$(python3 "$HERE/corpuslib.py" check "$dest/$name" "$recipe")"; then
    status="skipped (complete)"
  else
    [[ -d "$dest/$name" ]] && echo "build-corpus [$name]: rebuilding: ${why:-forced}" >&2
    "$HERE/$name.sh" "$dest" || { echo "build-corpus: ERROR: building corpus '$name' failed" >&2; exit 1; }
    python3 "$HERE/corpuslib.py" check "$dest/$name" "$recipe" >/dev/null \
      || { echo "build-corpus: ERROR: corpus '$name' is not complete after its build" >&2; exit 1; }
    status="built"
  fi
  t1="$(now)"
  local rows media bytes
  read -r rows media bytes < <(python3 "$HERE/corpuslib.py" summary "$dest/$name")
  printf '%-9s %-19s %6d rows  %6d media files  %10s  %7.1f s  %s\n' \
    "$name" "$status" "$rows" "$media" "$(human "$bytes")" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    "$dest/$name"
}

for n in "${ordered[@]}"; do
  build_one "$n"
done
