#!/usr/bin/env python3
"""Shared manifest code for the corpus builders (Python standard library only).

A corpus folder holds its media, a ``corpus.json`` (recipe, sources, counts) and one manifest
(``manifest.jsonl``, ``manifest.csv`` or ``manifest.tsv``) whose media paths are relative to the
folder. ``corpus.json`` is written before the manifest and the manifest is written last,
atomically (temp file + rename): a folder whose manifest exists was completely built.

Command line (used by build-corpus.sh)::

    corpuslib.py check CORPUS_DIR RECIPE   exit 0 when the corpus is complete and built by RECIPE
    corpuslib.py summary CORPUS_DIR        print "ROWS MEDIA_FILES BYTES"
"""

import csv
import io
import json
import os
import shutil
import sys

MEDIA_COLUMNS = ("image", "audio", "video", "sound")
MANIFEST_NAMES = ("manifest.jsonl", "manifest.csv", "manifest.tsv")


def atomic_write_bytes(path, data):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def link_or_copy(src, dst):
    """Hard-links src to dst (same filesystem), else copies it. Creates dst's folder."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        os.remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _clean_cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        raise ValueError("a CSV/TSV cell cannot hold a list: %r" % (value,))
    return str(value)


def render_manifest(rows, fmt, columns):
    """Returns the manifest as UTF-8 bytes (no BOM).

    jsonl: one object per line, keys in ``columns`` order first; empty/None values are omitted.
    csv:   RFC 4180 (header row, fields quoted when they hold a comma, quote or line break,
           quotes doubled, CRLF line ends).
    tsv:   header row, tab-separated, LF line ends, no quoting; tabs and line breaks inside a value
           are replaced by spaces (there are none in the corpora built here).
    """
    if fmt == "jsonl":
        out = io.StringIO()
        for row in rows:
            obj = {}
            for c in columns:
                if c in row and row[c] not in (None, "", []):
                    obj[c] = row[c]
            for c, v in row.items():
                if c not in obj and c not in columns and v not in (None, "", []):
                    obj[c] = v
            out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
        return out.getvalue().encode("utf-8")
    if fmt == "csv":
        out = io.StringIO(newline="")
        w = csv.writer(out, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([_clean_cell(row.get(c)) for c in columns])
        return out.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(columns)]
        for row in rows:
            cells = []
            for c in columns:
                v = _clean_cell(row.get(c))
                v = v.replace("\t", " ").replace("\r", " ").replace("\n", " ")
                cells.append(v)
            lines.append("\t".join(cells))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError("unknown manifest format %r" % fmt)


def read_manifest(path):
    """Reads a manifest written by render_manifest; returns a list of dicts."""
    with open(path, "r", encoding="utf-8", newline="") as f:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in f if line.strip()]
        if path.endswith(".csv"):
            return list(csv.DictReader(f))
        if path.endswith(".tsv"):
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    raise ValueError("unknown manifest type: %s" % path)


def find_manifest(corpus_dir):
    for name in MANIFEST_NAMES:
        p = os.path.join(corpus_dir, name)
        if os.path.isfile(p):
            return p
    return None


def media_paths(row):
    return [row[c] for c in MEDIA_COLUMNS if row.get(c)]


def finish_corpus(corpus_dir, rows, fmt, columns, info):
    """Checks the rows, writes corpus.json, then the manifest (last, atomically)."""
    keys = set()
    media = 0
    for row in rows:
        k = row.get("key")
        if not k:
            raise SystemExit("row without key: %r" % (row,))
        if k in keys:
            raise SystemExit("duplicate key: %s" % k)
        keys.add(k)
        for rel in media_paths(row):
            if os.path.isabs(rel) or rel.startswith("..") or not os.path.isfile(os.path.join(corpus_dir, rel)):
                raise SystemExit("row %s: media path %r is not a file inside %s" % (k, rel, corpus_dir))
            media += 1
    name = "manifest." + fmt
    info = dict(info)
    info.update({"manifest": name, "format": fmt, "columns": list(columns), "rows": len(rows), "media_files": media})
    atomic_write_bytes(os.path.join(corpus_dir, "corpus.json"),
                       (json.dumps(info, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8"))
    atomic_write_bytes(os.path.join(corpus_dir, name), render_manifest(rows, fmt, columns))
    return info


def check(corpus_dir, recipe):
    """True when the corpus was completely built by this recipe and all its media are there."""
    manifest = find_manifest(corpus_dir)
    info_path = os.path.join(corpus_dir, "corpus.json")
    if manifest is None or not os.path.isfile(info_path):
        return False, "no manifest"
    try:
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
        if info.get("recipe") != recipe:
            return False, "built by another recipe (%s)" % info.get("recipe")
        rows = read_manifest(manifest)
    except (ValueError, OSError) as e:
        return False, "unreadable: %s" % e
    if len(rows) != info.get("rows"):
        return False, "manifest has %d rows, corpus.json says %s" % (len(rows), info.get("rows"))
    for row in rows:
        for rel in media_paths(row):
            if not os.path.isfile(os.path.join(corpus_dir, rel)):
                return False, "missing media file %s" % rel
    return True, "complete"


def summary(corpus_dir):
    with open(os.path.join(corpus_dir, "corpus.json"), encoding="utf-8") as f:
        info = json.load(f)
    total = 0
    for dirpath, _dirs, files in os.walk(corpus_dir):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return info["rows"], info["media_files"], total


def main(argv):
    if len(argv) >= 3 and argv[1] == "check":
        ok, why = check(argv[2], argv[3] if len(argv) > 3 else None)
        if not ok:
            print(why)
        return 0 if ok else 1
    if len(argv) == 3 and argv[1] == "summary":
        print("%d %d %d" % summary(argv[2]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
