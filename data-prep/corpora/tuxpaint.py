#!/usr/bin/env python3
"""Builds the tuxpaint corpus from an unpacked tuxpaint-stamps-default (see tuxpaint.sh).

Layout of the package (usr/share/tuxpaint/stamps/<category>/.../<name>.*), as Tux Paint reads it:
  <name>.png / <name>.svg        the stamp (Tux Paint prefers the SVG when both exist)
  <name>_mirror.png              pre-drawn mirror image of <name>: not a stamp of its own
  <name>.txt                     description: English on the first line, then `xx.utf8=...` lines
  <name>_desc.ogg                English spoken description; <name>_desc_<locale>.ogg other languages
  <name>.ogg                     sound effect; <name>_<locale>.ogg a localised one
  <name>.dat                     options (nomirror, noflip, ...)

Rows: every stamp with a PNG (SVG-only stamps are skipped and counted). A stamp without an English
description is still written with an empty caption (the prepare job rejects it as text.empty).

manifest.csv columns (RFC 4180, header row, CRLF):
  key      stamp path without extension ("animals/amphibians/frog")
  caption  English description (first line of the .txt, whitespace collapsed)
  image    stamps/<key>.png
  audio    English spoken description stamps/<key>_desc.ogg (falls back to _desc_en*.ogg/.wav)
  sound    sound effect stamps/<key>.ogg (falls back to <key>_en*.ogg, e.g. the en_GB letter names)
  label    top-level category ("animals")
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpuslib  # noqa: E402

COLUMNS = ["key", "caption", "image", "audio", "sound", "label"]
LOCALE_LINE = re.compile(r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?(@\w+)?\.utf8=")
ENGLISH_LOCALE_LINE = re.compile(r"^en(_[A-Z]{2})?\.utf8=(.*)$")
AUDIO_EXT = (".ogg", ".wav")
ENGLISH_SUFFIXES = ("", "_en", "_en_US", "_en_GB")


def first_existing(files, stem, middle):
    """First of stem+middle+{"",_en,_en_US,_en_GB}+{.ogg,.wav} in files; returns (path, suffix)."""
    for loc in ENGLISH_SUFFIXES:
        for ext in AUDIO_EXT:
            p = stem + middle + loc + ext
            if p in files:
                return p, loc + ext
    return None, None


def read_description(path, counts):
    with open(path, "rb") as f:
        raw = f.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        counts["txt_with_bom"] += 1
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        counts["txt_not_utf8"] += 1
        text = raw.decode("latin-1")
    lines = text.splitlines()
    first = lines[0].strip() if lines else ""
    if not first or LOCALE_LINE.match(first):
        counts["txt_without_english_first_line"] += 1
        for line in lines:
            m = ENGLISH_LOCALE_LINE.match(line.strip())
            if m:
                return " ".join(m.group(2).split())
        return ""
    return " ".join(first.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stamps", required=True, help="unpacked usr/share/tuxpaint/stamps folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--recipe", required=True)
    ap.add_argument("--source", action="append", default=[])
    a = ap.parse_args()

    files = set()
    for dirpath, dirs, names in os.walk(a.stamps):
        dirs.sort()
        for n in names:
            files.add(os.path.relpath(os.path.join(dirpath, n), a.stamps).replace(os.sep, "/"))

    stems = {}
    for p in files:
        stem, ext = os.path.splitext(p)
        if ext.lower() in (".png", ".svg"):
            stems.setdefault(stem, set()).add(ext.lower())

    counts = {"image_files_png_or_svg": len(stems), "mirror_images_skipped": 0, "stamps": 0,
              "svg_only_skipped": 0, "svg_only_with_description": 0, "png_and_svg": 0,
              "rows": 0, "with_caption": 0, "without_caption": 0, "without_txt": 0,
              "with_english_speech": 0, "english_speech_by_suffix": {},
              "with_speech_other_languages_only": 0,
              "with_sound": 0, "sound_by_suffix": {},
              "captions_non_ascii": 0, "txt_with_bom": 0, "txt_not_utf8": 0,
              "txt_without_english_first_line": 0, "empty_media_files": 0}
    per_label = {}
    rows = []
    for stem in sorted(stems):
        exts = stems[stem]
        if stem.endswith("_mirror") and stem[: -len("_mirror")] in stems:
            counts["mirror_images_skipped"] += 1
            continue
        counts["stamps"] += 1
        has_txt = stem + ".txt" in files
        if ".png" not in exts:
            counts["svg_only_skipped"] += 1
            if has_txt:
                counts["svg_only_with_description"] += 1
            continue
        if ".svg" in exts:
            counts["png_and_svg"] += 1

        caption = read_description(os.path.join(a.stamps, stem + ".txt"), counts) if has_txt else ""
        if not has_txt:
            counts["without_txt"] += 1
        speech, speech_suffix = first_existing(files, stem, "_desc")
        sound, sound_suffix = first_existing(files, stem, "")
        if speech is None and any(f.startswith(stem + "_desc_") for f in files):
            counts["with_speech_other_languages_only"] += 1

        row = {"key": stem, "caption": caption, "label": stem.split("/")[0] if "/" in stem else ""}
        for col, rel in (("image", stem + ".png"), ("audio", speech), ("sound", sound)):
            if rel is None:
                continue
            src = os.path.join(a.stamps, rel)
            if os.path.getsize(src) == 0:
                counts["empty_media_files"] += 1
                continue
            dst_rel = "stamps/" + rel
            corpuslib.link_or_copy(src, os.path.join(a.out, dst_rel))
            row[col] = dst_rel
        if "image" not in row:
            continue
        if row.get("audio"):
            counts["with_english_speech"] += 1
            s = counts["english_speech_by_suffix"]
            s[speech_suffix] = s.get(speech_suffix, 0) + 1
        if row.get("sound"):
            counts["with_sound"] += 1
            s = counts["sound_by_suffix"]
            s[sound_suffix] = s.get(sound_suffix, 0) + 1
        if caption:
            counts["with_caption"] += 1
            if any(ord(c) > 127 for c in caption):
                counts["captions_non_ascii"] += 1
        else:
            counts["without_caption"] += 1
        per_label[row["label"]] = per_label.get(row["label"], 0) + 1
        rows.append(row)

    counts["rows"] = len(rows)
    counts["per_label"] = dict(sorted(per_label.items()))
    info = {"name": "tuxpaint", "recipe": a.recipe, "sources": a.source, "counts": counts}
    corpuslib.finish_corpus(a.out, rows, "csv", COLUMNS, info)
    print("tuxpaint: %d stamps (+%d mirror images skipped); %d rows with a PNG, %d SVG-only skipped; "
          "%d with English description, %d without; %d with English speech (%d with speech in other "
          "languages only); %d with a sound effect"
          % (counts["stamps"], counts["mirror_images_skipped"], len(rows), counts["svg_only_skipped"],
             counts["with_caption"], counts["without_caption"], counts["with_english_speech"],
             counts["with_speech_other_languages_only"], counts["with_sound"]), file=sys.stderr)


if __name__ == "__main__":
    main()
