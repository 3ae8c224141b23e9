#!/usr/bin/env python3
"""Builds the asterisk corpus from unpacked asterisk-core-sounds-en(-wav) (see asterisk.sh).

Transcripts (core-sounds-en.txt.gz) are lines `name: text`, where name may have a folder
(`digits/1: one`); `;` starts a comment. Stage notes in square brackets or parentheses
(`letters/at: at [@]`, `vm-intro: ... (simple tone sound plays)`, `spy-iax2: IAX (note: does
not say "2")`) are removed when other text remains; when the note is the whole text
(`beep: [this is a simple beep tone]`, `silence/1: (1 second of silence)`) it is kept verbatim,
brackets included, because it is the only description of the clip. Whitespace is collapsed.

Rows: every WAV of the voice folder. A WAV without a transcript would get an empty caption
(there are none in Debian 12); transcripts without a WAV are counted and dropped.

manifest.tsv columns (header row, tab-separated, LF, no quoting; values never hold a tab or a
line break):
  key      prompt name without extension ("digits/1", "vm-intro")
  caption  transcript, cleaned as above
  audio    sounds/<key>.wav (16-bit mono PCM, 8 kHz)
  label    the sub-folder ("digits", "letters", ...) or "prompt" for top-level prompts
"""

import argparse
import gzip
import os
import re
import sys
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpuslib  # noqa: E402

COLUMNS = ["key", "caption", "audio", "label"]
NOTE = re.compile(r"\s*(\[[^\]]*\]|\([^)]*\))")


def clean(text, counts):
    text = " ".join(text.split())
    stripped = " ".join(NOTE.sub("", text).split())
    if stripped == text:
        return text
    if stripped:
        counts["notes_removed"] += 1
        counts["notes_removed_examples"].append(text)
        return stripped
    counts["whole_text_notes_kept"] += 1
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sounds", required=True, help="voice folder holding the .wav prompts")
    ap.add_argument("--transcripts", required=True, help="core-sounds-en.txt.gz")
    ap.add_argument("--out", required=True)
    ap.add_argument("--recipe", required=True)
    ap.add_argument("--source", action="append", default=[])
    a = ap.parse_args()

    counts = {"transcript_lines": 0, "duplicate_transcripts": 0, "notes_removed": 0,
              "notes_removed_examples": [], "whole_text_notes_kept": 0, "wav_files": 0,
              "with_transcript": 0, "without_transcript": 0, "transcripts_without_wav": [],
              "unreadable_wav": 0, "sample_rates": {}, "total_seconds": 0.0}
    transcripts = {}
    with gzip.open(a.transcripts, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(";"):
                continue
            name, sep, text = line.partition(":")
            if not sep:
                raise SystemExit("unexpected transcript line (no ':'): %r" % line)
            counts["transcript_lines"] += 1
            name = name.strip()
            if name in transcripts:
                counts["duplicate_transcripts"] += 1
            transcripts[name] = clean(text, counts)

    wavs = []
    for dirpath, _dirs, names in os.walk(a.sounds):
        for n in names:
            if n.lower().endswith(".wav"):
                wavs.append(os.path.relpath(os.path.join(dirpath, n), a.sounds).replace(os.sep, "/"))
    counts["wav_files"] = len(wavs)

    rows, per_label = [], {}
    for rel in sorted(wavs):
        key = rel[: -len(".wav")]
        src = os.path.join(a.sounds, rel)
        try:
            with wave.open(src, "rb") as w:
                rate = w.getframerate()
                counts["sample_rates"][str(rate)] = counts["sample_rates"].get(str(rate), 0) + 1
                counts["total_seconds"] += w.getnframes() / float(rate)
        except (wave.Error, EOFError) as e:
            counts["unreadable_wav"] += 1
            print("asterisk: warning: %s is not a readable WAV (%s)" % (rel, e), file=sys.stderr)
        caption = transcripts.get(key, "")
        counts["with_transcript" if caption else "without_transcript"] += 1
        label = key.split("/")[0] if "/" in key else "prompt"
        dst_rel = "sounds/" + rel
        corpuslib.link_or_copy(src, os.path.join(a.out, dst_rel))
        rows.append({"key": key, "caption": caption, "audio": dst_rel, "label": label})
        per_label[label] = per_label.get(label, 0) + 1

    keys = {r["key"] for r in rows}
    counts["transcripts_without_wav"] = sorted(k for k in transcripts if k not in keys)
    counts["total_seconds"] = round(counts["total_seconds"], 1)
    counts["rows"] = len(rows)
    counts["per_label"] = dict(sorted(per_label.items()))
    info = {"name": "asterisk", "recipe": a.recipe, "sources": a.source, "counts": counts}
    corpuslib.finish_corpus(a.out, rows, "tsv", COLUMNS, info)
    print("asterisk: %d WAVs, %d with a transcript, %d without; %d transcripts without a WAV (%s); "
          "stage notes removed from %d, kept as the whole text in %d; %.0f s of audio"
          % (len(wavs), counts["with_transcript"], counts["without_transcript"],
             len(counts["transcripts_without_wav"]), ", ".join(counts["transcripts_without_wav"]),
             counts["notes_removed"], counts["whole_text_notes_kept"], counts["total_seconds"]),
          file=sys.stderr)


if __name__ == "__main__":
    main()
