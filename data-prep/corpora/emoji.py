#!/usr/bin/env python3
"""Builds the emoji corpus from unpacked npm packages (see emoji.sh).

Rows: every emoji of emoji-datasource-google's emoji.json that has a Google 64x64 image,
without skin tones (the nested skin_variations and the five Fitzpatrick modifier swatches are
left out). Joined with emojibase-data's en/data.json on the code point sequence, compared in
upper case and without U+FE0F variation selectors.

manifest.jsonl columns:
  key          unified code point sequence, lower case ("1f600", "0023-fe0f-20e3")
  caption      array of distinct captions: emojibase label, emoji-datasource name in lower case,
               "an emoji of <label>"
  image        images/<key>.png (64x64 RGBA PNG)
  label        emoji-datasource category ("Smileys & Emotion")
  name         emojibase label (or the lower-cased datasource name when unjoined)
  subcategory  emoji-datasource subcategory ("face-smiling")
  tags         emojibase tags (array, may be absent)
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpuslib  # noqa: E402

SKIN_TONES = {"1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"}
COLUMNS = ["key", "caption", "image", "label", "name", "subcategory", "tags"]


def norm_code(hexcode):
    return "-".join(p for p in hexcode.upper().split("-") if p and p != "FE0F")


def distinct(texts):
    seen, out = set(), []
    for t in texts:
        t = " ".join((t or "").split())
        if t and t.casefold() not in seen:
            seen.add(t.casefold())
            out.append(t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasource", required=True, help="unpacked emoji-datasource-google package folder")
    ap.add_argument("--emojibase", required=True, help="unpacked emojibase-data package folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--recipe", required=True)
    ap.add_argument("--source", action="append", default=[])
    a = ap.parse_args()

    with open(os.path.join(a.datasource, "emoji.json"), encoding="utf-8") as f:
        emojis = json.load(f)
    with open(os.path.join(a.emojibase, "en", "data.json"), encoding="utf-8") as f:
        base = json.load(f)
    img_dir = os.path.join(a.datasource, "img", "google", "64")

    by_code = {}
    for e in base:
        by_code.setdefault(norm_code(e["hexcode"]), e)
        for s in e.get("skins") or []:
            by_code.setdefault(norm_code(s["hexcode"]), s)

    counts = {"datasource_entries": len(emojis), "skin_variations_skipped": 0, "skin_tone_swatches_skipped": 0,
              "no_google_image": 0, "image_file_missing": 0, "joined_emojibase": 0, "not_joined": 0}
    rows = []
    for e in sorted(emojis, key=lambda x: (x.get("sort_order", 0), x["unified"])):
        counts["skin_variations_skipped"] += len(e.get("skin_variations") or {})
        if SKIN_TONES & set(e["unified"].upper().split("-")):
            counts["skin_tone_swatches_skipped"] += 1
            continue
        if not e.get("has_img_google"):
            counts["no_google_image"] += 1
            continue
        src = os.path.join(img_dir, e["image"])
        if not os.path.isfile(src):
            counts["image_file_missing"] += 1
            continue
        key = e["unified"].lower()
        ds_name = (e.get("name") or "").lower()
        eb = by_code.get(norm_code(e["unified"]))
        if eb is not None:
            counts["joined_emojibase"] += 1
            label_text = eb.get("label") or ds_name
        else:
            counts["not_joined"] += 1
            label_text = ds_name
        captions = distinct([label_text, ds_name, "an emoji of " + label_text])
        rel = "images/%s.png" % key
        corpuslib.link_or_copy(src, os.path.join(a.out, rel))
        rows.append({
            "key": key,
            "caption": captions,
            "image": rel,
            "label": e.get("category") or "",
            "name": label_text,
            "subcategory": e.get("subcategory") or "",
            "tags": list((eb or {}).get("tags") or []),
        })

    categories = {}
    for r in rows:
        categories[r["label"]] = categories.get(r["label"], 0) + 1
    counts["rows"] = len(rows)
    counts["captions_per_row"] = {str(n): sum(1 for r in rows if len(r["caption"]) == n)
                                  for n in sorted({len(r["caption"]) for r in rows})}
    counts["per_label"] = dict(sorted(categories.items()))
    info = {"name": "emoji", "recipe": a.recipe, "sources": a.source, "counts": counts}
    corpuslib.finish_corpus(a.out, rows, "jsonl", COLUMNS, info)
    print("emoji: %d of %d emoji with a Google image; joined with emojibase %d, not joined %d; "
          "skipped %d skin-tone variations and %d skin-tone swatches"
          % (len(rows), len(emojis), counts["joined_emojibase"], counts["not_joined"],
             counts["skin_variations_skipped"], counts["skin_tone_swatches_skipped"]), file=sys.stderr)


if __name__ == "__main__":
    main()
