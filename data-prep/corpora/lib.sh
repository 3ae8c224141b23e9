# shellcheck shell=bash
# Shared helpers for the corpus builders. Sourced, never run.
#
# Every builder is called as `NAME.sh DEST` and writes DEST/NAME/. Downloads are cached in
# DEST/.downloads (a file appears there only once it is complete: it is fetched into a temp
# folder and moved in), scratch space lives in DEST/.work-NAME.* and is removed on exit.

# shellcheck disable=SC2034  # used by the builders that source this file
CORPORA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
# The builders import corpuslib.py: keep __pycache__ out of the source tree.
export PYTHONDONTWRITEBYTECODE=1

die() {
  echo "build-corpus${CORPUS_NAME:+ [$CORPUS_NAME]}: ERROR: $*" >&2
  exit 1
}

log() {
  echo "build-corpus${CORPUS_NAME:+ [$CORPUS_NAME]}: $*" >&2
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not on PATH; it is needed to build the ${CORPUS_NAME:-} corpus"
  done
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# begin_corpus NAME DEST: sets CORPUS_NAME, DEST, OUT (DEST/NAME), DOWNLOADS and WORK (scratch,
# removed on exit), and clears OUT. The manifest is removed first so that a build killed half-way
# never leaves something that looks complete.
begin_corpus() {
  CORPUS_NAME=$1
  DEST=$2
  [[ -n "$DEST" ]] || die "usage: $CORPUS_NAME.sh DEST (normally called by build-corpus.sh)"
  need_cmd "$PYTHON"
  mkdir -p "$DEST"
  DEST="$(cd "$DEST" && pwd)"
  OUT="$DEST/$CORPUS_NAME"
  DOWNLOADS="$DEST/.downloads"
  mkdir -p "$DOWNLOADS"
  rm -f "$OUT"/manifest.* "$OUT"/corpus.json
  rm -rf "$OUT"
  mkdir -p "$OUT"
  # Scratch left behind by a killed build of this corpus, and download temp folders over an hour old.
  rm -rf "$DEST/.work-$CORPUS_NAME".*
  find "$DOWNLOADS" -maxdepth 1 -type d \( -name '.npm.*' -o -name '.deb.*' \) -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  WORK="$(mktemp -d "$DEST/.work-$CORPUS_NAME.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$WORK'" EXIT
}

# fetch_npm NAME VERSION -> prints the cached .tgz path (npm pack; the registry's integrity
# hash is checked by npm).
fetch_npm() {
  local name=$1 version=$2
  local file="$DOWNLOADS/$name-$version.tgz"
  if [[ -s "$file" ]]; then
    echo "$file"
    return 0
  fi
  need_cmd npm
  log "downloading npm package $name@$version"
  local tmp
  tmp="$(mktemp -d "$DOWNLOADS/.npm.XXXXXX")"
  if ! (cd "$tmp" && npm pack --loglevel=error "$name@$version" >"$tmp/npm.out" 2>"$tmp/npm.err"); then
    cat "$tmp/npm.err" >&2 || true
    rm -rf "$tmp"
    die "download failed: 'npm pack $name@$version' (is the npm registry reachable?)"
  fi
  [[ -s "$tmp/$name-$version.tgz" ]] || { rm -rf "$tmp"; die "npm pack $name@$version produced no $name-$version.tgz"; }
  mv "$tmp/$name-$version.tgz" "$file"
  rm -rf "$tmp"
  echo "$file"
}

apt_has_candidate() {
  local cand
  cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
  [[ -n "$cand" && "$cand" != "(none)" ]]
}

# apt_ensure_candidate PKG: runs `apt-get update` once if Debian's package lists do not know PKG.
apt_ensure_candidate() {
  local pkg=$1
  apt_has_candidate "$pkg" && return 0
  is_root || die "Debian package '$pkg' has no candidate and only root can run 'apt-get update'"
  log "no candidate for '$pkg': running apt-get update"
  apt-get update -qq >&2 || die "'apt-get update' failed (is Debian's archive reachable?)"
  apt_has_candidate "$pkg" || die "Debian package '$pkg' not found, even after apt-get update"
}

# fetch_deb PKG -> prints the cached .deb path (apt-get download; apt checks the archive's hashes).
fetch_deb() {
  local pkg=$1
  local cached=()
  shopt -s nullglob
  cached=("$DOWNLOADS/${pkg}"_*.deb)
  shopt -u nullglob
  if ((${#cached[@]} > 0)); then
    printf '%s\n' "${cached[@]}" | sort -V | tail -n 1
    return 0
  fi
  need_cmd apt-get apt-cache
  apt_ensure_candidate "$pkg"
  log "downloading Debian package $pkg"
  local tmp opts=()
  tmp="$(mktemp -d "$DOWNLOADS/.deb.XXXXXX")"
  # As root, apt drops to the _apt user, who cannot write into a private temp folder.
  is_root && opts=(-o APT::Sandbox::User=root)
  if ! (cd "$tmp" && apt-get "${opts[@]}" -q download "$pkg") >"$tmp/apt.log" 2>&1; then
    cat "$tmp/apt.log" >&2 || true
    rm -rf "$tmp"
    die "download failed: 'apt-get download $pkg' (is Debian's archive reachable?)"
  fi
  local got=("$tmp"/*.deb)
  [[ -s "${got[0]}" ]] || { rm -rf "$tmp"; die "apt-get download $pkg produced no .deb"; }
  local name
  name="$(basename "${got[0]}")"
  mv "${got[0]}" "$DOWNLOADS/$name"
  rm -rf "$tmp"
  echo "$DOWNLOADS/$name"
}

deb_version() {
  dpkg-deb -f "$1" Version
}

# extract_deb FILE DIR
extract_deb() {
  need_cmd dpkg-deb
  mkdir -p "$2"
  dpkg-deb -x "$1" "$2" || die "cannot unpack $1 (corrupt download? delete it and rerun)"
}

# extract_tgz FILE DIR
extract_tgz() {
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" || die "cannot unpack $1 (corrupt download? delete it and rerun)"
}

# ensure_ffmpeg: installs Debian's ffmpeg (as root) when ffmpeg/ffprobe are missing.
ensure_ffmpeg() {
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    return 0
  fi
  is_root || die "ffmpeg is missing; install it (Debian: apt-get install --no-install-recommends ffmpeg) and rerun"
  apt_ensure_candidate ffmpeg
  log "installing Debian's ffmpeg (apt-get install --no-install-recommends ffmpeg)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ffmpeg >"$WORK/apt-ffmpeg.log" 2>&1 \
    || { tail -n 30 "$WORK/apt-ffmpeg.log" >&2; die "apt-get install ffmpeg failed"; }
  if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
    die "ffmpeg was installed but ffmpeg/ffprobe are still not on PATH"
  fi
}
