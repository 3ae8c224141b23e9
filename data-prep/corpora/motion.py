#!/usr/bin/env python3
"""Builds the motion corpus from the emoji corpus with the ffmpeg CLI (see motion.sh).

Objects: 24 emoji from the emoji corpus, picked deterministically: emoji whose category is a
thing (animals & nature, food & drink, objects, travel & places, activities), sorted by key,
every k-th (k = pool size // 24). Each gets a plain background colour of its own (hues spaced by
the golden angle) and six clips:

  left, right   a 48x48 object crossing horizontally (x from 72 to 8 / 8 to 72, y centred)
  up, down      the same vertically
  zoom-in       the object growing from 16x16 to 112x112, centred
  zoom-out      shrinking from 112x112 to 16x16

Every clip is 128x128, 16 frames at 8 fps (2 s). Each pair is an exact time reversal of the
other (frame n of "left" is frame 15-n of "right"), so only the frame order tells the captions
apart; the build checks this on the decoded clips (the first and last frames of each clip are
closer to the last and first frames of its partner than to their neighbours). Positions come
from the frame timestamp t (t*8 is the frame index): in ffmpeg 5.1 overlay's own `n` is already 1
on the first frame, which shifted every clip by one frame. Containers: H.264 MP4 (yuv420p) for
most; WebM (VP9) for one clip in six and animated GIF for a few. The container is rotated over
the motions (clip (object j, motion m) is WebM when (j + m) % 6 == 5, GIF when (j + m) % 6 == 2
and j % 5 == 0), so a container never gives the label away. Every clip is checked with ffprobe
to have 16 frames of 128x128.

manifest.jsonl columns:
  key         "<emoji key>-<motion>" ("1f34e-left")
  caption     ["a red apple moving to the left", "red apple going left"]
  video       clips/<key>.mp4 | .webm | .gif
  label       the motion: left, right, up, down, zoom-in, zoom-out
  object      the emoji key the clip was made from
  name        the emoji's name (its emojibase label)
  background  the background colour, #rrggbb
"""

import argparse
import colorsys
import concurrent.futures
import json
import operator
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpuslib  # noqa: E402

COLUMNS = ["key", "caption", "video", "label", "object", "name", "background"]
OBJECT_CATEGORIES = ("Animals & Nature", "Food & Drink", "Objects", "Travel & Places", "Activities")
N_OBJECTS = 24
SIZE = 128
FRAMES = 16
FPS = 8
MOVE_SIZE = 48
MARGIN = 8
ZOOM_MIN, ZOOM_MAX = 16, 112
MOTIONS = ("left", "right", "up", "down", "zoom-in", "zoom-out")
CAPTIONS = {
    "left": ("{a} {x} moving to the left", "{x} going left"),
    "right": ("{a} {x} moving to the right", "{x} going right"),
    "up": ("{a} {x} moving up", "{x} going up"),
    "down": ("{a} {x} moving down", "{x} going down"),
    "zoom-in": ("{a} {x} zooming in", "{x} getting bigger"),
    "zoom-out": ("{a} {x} zooming out", "{x} getting smaller"),
}


def article(name):
    w = name.split()[0].lower() if name.split() else ""
    if w.startswith(("eu", "uni", "use", "one", "uk")):
        return "a"
    if w.startswith(("hour", "honest")) or (w[:1] in "aeiou" and w):
        return "an"
    return "a"


def container(j, m):
    if (j + m) % 6 == 5:
        return "webm"
    if (j + m) % 6 == 2 and j % 5 == 0:
        return "gif"
    return "mp4"


def background(j):
    r, g, b = colorsys.hls_to_rgb(((j * 137.508) % 360) / 360.0, 0.80, 0.55)
    return "%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))


def filter_graph(motion):
    """Filter graph from [0:v] (background) and [1:v] (looped emoji PNG) to [v]."""
    last = FRAMES - 1
    lo, hi = MARGIN, SIZE - MOVE_SIZE - MARGIN
    centre = (SIZE - MOVE_SIZE) // 2
    # Frame index from the timestamp: t*FPS is exact (t = n/8). overlay's own `n` is not usable:
    # in ffmpeg 5.1 it is already 1 on the first frame (scale's `n` starts at 0).
    n = "(t*%d)" % FPS
    # Forward position at frame n, and the reversed one written as the same expression of
    # (last - n), so that frame n of one clip equals frame last-n of its partner exactly.
    fwd = "(%d+%d*%s/%d)" % (lo, hi - lo, n, last)
    rev = "(%d+%d*(%d-%s)/%d)" % (lo, hi - lo, last, n, last)
    if motion in ("left", "right", "up", "down"):
        pos = {"left": rev, "right": fwd, "up": rev, "down": fwd}[motion]
        x, y = (pos, str(centre)) if motion in ("left", "right") else (str(centre), pos)
        obj = "[1:v]scale=%d:%d:flags=lanczos,format=rgba[o]" % (MOVE_SIZE, MOVE_SIZE)
        return "%s;[0:v][o]overlay=x='%s':y='%s':format=rgb:shortest=1[v]" % (obj, x, y)
    grow = "(%d+%d*%s/%d)" % (ZOOM_MIN, ZOOM_MAX - ZOOM_MIN, n, last)
    shrink = "(%d+%d*(%d-%s)/%d)" % (ZOOM_MIN, ZOOM_MAX - ZOOM_MIN, last, n, last)
    s = grow if motion == "zoom-in" else shrink
    obj = "[1:v]scale=w='%s':h='%s':eval=frame:flags=lanczos,format=rgba[o]" % (s, s)
    return "%s;[0:v][o]overlay=x='(W-w)/2':y='(H-h)/2':format=rgb:shortest=1[v]" % obj


def make_clip(ffmpeg, ffprobe, png, bg, motion, ext, dst):
    graph = filter_graph(motion)
    inputs = ["-f", "lavfi", "-i", "color=c=0x%s:s=%dx%d:r=%d:d=%g" % (bg, SIZE, SIZE, FPS, FRAMES / FPS),
              "-framerate", str(FPS), "-loop", "1", "-t", "%g" % (FRAMES / FPS), "-i", png]
    if ext == "gif":
        graph += ";[v]split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse[g]"
        codec = ["-map", "[g]", "-loop", "0", "-f", "gif"]
    elif ext == "webm":
        graph += ";[v]format=yuv420p[g]"
        codec = ["-map", "[g]", "-c:v", "libvpx-vp9", "-crf", "24", "-b:v", "0", "-deadline", "good",
                 "-cpu-used", "4", "-pix_fmt", "yuv420p", "-f", "webm"]
    else:
        graph += ";[v]format=yuv420p[g]"
        codec = ["-map", "[g]", "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-g", str(FRAMES),
                 "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"]
    tmp = dst + ".part"
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-threads", "1"] + inputs + [
        "-filter_complex", graph, "-frames:v", str(FRAMES), "-r", str(FPS), "-an",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"] + codec + [tmp]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("ffmpeg failed for %s (exit %d):\n%s\ncommand: %s"
                           % (dst, p.returncode, p.stderr.strip(), " ".join(cmd)))
    probe = subprocess.run([ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,width,height,nb_read_frames", "-of", "json", tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if probe.returncode != 0:
        raise RuntimeError("ffprobe failed for %s: %s" % (dst, probe.stderr.strip()))
    st = json.loads(probe.stdout)["streams"][0]
    if int(st.get("nb_read_frames", -1)) != FRAMES or st.get("width") != SIZE or st.get("height") != SIZE:
        raise RuntimeError("%s: expected %d frames of %dx%d, ffprobe says %s" % (dst, FRAMES, SIZE, SIZE, st))
    os.replace(tmp, dst)
    return st["codec_name"]


def decode_rgb(ffmpeg, path):
    p = subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path,
                        "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("cannot decode %s: %s" % (path, p.stderr.decode("utf-8", "replace")))
    fsize = SIZE * SIZE * 3
    return [p.stdout[i:i + fsize] for i in range(0, len(p.stdout), fsize)]


def frame_diff(a, b):
    """Mean absolute difference of two rgb24 frames, in levels (0-255)."""
    return sum(map(abs, map(operator.sub, a, b))) / float(len(a))


def check_reversal(ffmpeg, a_path, b_path):
    """Checks that clip b is clip a played backwards: the first and last frames of a must be closer
    to the last and first frames of b than to their neighbours (a one-frame slip fails). Returns
    the largest mean difference (levels) between matched frames, i.e. the codec noise."""
    fa, fb = decode_rgb(ffmpeg, a_path), decode_rgb(ffmpeg, b_path)
    if len(fa) != FRAMES or len(fb) != FRAMES:
        raise RuntimeError("decoded %d/%d frames from %s/%s" % (len(fa), len(fb), a_path, b_path))
    last = FRAMES - 1
    worst = 0.0
    for n, match, neighbour in ((0, last, last - 1), (last, 0, 1)):
        d_match, d_next = frame_diff(fa[n], fb[match]), frame_diff(fa[n], fb[neighbour])
        if not d_match < d_next:
            raise SystemExit("motion: %s is not %s played backwards: its frame %d differs by %.2f from frame "
                             "%d and by %.2f from frame %d" % (b_path, a_path, n, d_match, match, d_next, neighbour))
        worst = max(worst, d_match)
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emoji", required=True, help="the emoji corpus folder (manifest.jsonl + images/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--recipe", required=True)
    ap.add_argument("--source", action="append", default=[])
    ap.add_argument("--ffmpeg", default="ffmpeg")
    ap.add_argument("--ffprobe", default="ffprobe")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()

    emoji = corpuslib.read_manifest(os.path.join(a.emoji, "manifest.jsonl"))
    pool = sorted((e for e in emoji if e.get("label") in OBJECT_CATEGORIES and e.get("image")),
                  key=lambda e: e["key"])
    if len(pool) < N_OBJECTS:
        raise SystemExit("motion: only %d object emoji in %s" % (len(pool), a.emoji))
    k = len(pool) // N_OBJECTS
    objects = [pool[i * k] for i in range(N_OBJECTS)]

    os.makedirs(os.path.join(a.out, "clips"), exist_ok=True)
    jobs, rows = [], []
    for j, obj in enumerate(objects):
        name = obj.get("name") or (obj["caption"][0] if isinstance(obj["caption"], list) else obj["caption"])
        bg = background(j)
        png = os.path.join(a.emoji, obj["image"])
        for m, motion in enumerate(MOTIONS):
            ext = container(j, m)
            key = "%s-%s" % (obj["key"], motion)
            rel = "clips/%s.%s" % (key, ext)
            caps = [c.format(a=article(name), x=name) for c in CAPTIONS[motion]]
            rows.append({"key": key, "caption": caps, "video": rel, "label": motion,
                         "object": obj["key"], "name": name, "background": "#" + bg})
            jobs.append((png, bg, motion, ext, os.path.join(a.out, rel)))

    codecs = {}
    by_key = {r["key"]: r for r in rows}
    worst = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as ex:
        futures = [ex.submit(make_clip, a.ffmpeg, a.ffprobe, *job) for job in jobs]
        for f in futures:
            c = f.result()
            codecs[c] = codecs.get(c, 0) + 1
        # Left/right, up/down and zoom-in/zoom-out must be time reversals of each other.
        checks = []
        for obj in objects:
            for a_m, b_m in (("left", "right"), ("up", "down"), ("zoom-in", "zoom-out")):
                pa = os.path.join(a.out, by_key["%s-%s" % (obj["key"], a_m)]["video"])
                pb = os.path.join(a.out, by_key["%s-%s" % (obj["key"], b_m)]["video"])
                checks.append((a_m + "/" + b_m, ex.submit(check_reversal, a.ffmpeg, pa, pb)))
        for pair, f in checks:
            worst[pair] = round(max(worst.get(pair, 0.0), f.result()), 2)

    counts = {"objects": len(objects), "object_pool": len(pool), "every_kth": k, "clips": len(rows),
              "frames_per_clip": FRAMES, "fps": FPS, "size": SIZE, "codecs": dict(sorted(codecs.items())),
              "containers": {e: sum(1 for r in rows if r["video"].endswith("." + e)) for e in ("mp4", "webm", "gif")},
              "reversal_check_max_mean_abs_diff": worst,
              "objects_used": ["%s %s" % (o["key"], o.get("name", "")) for o in objects]}
    info = {"name": "motion", "recipe": a.recipe, "sources": a.source, "counts": counts}
    corpuslib.finish_corpus(a.out, rows, "jsonl", COLUMNS, info)
    print("motion: %d clips from %d emoji (every %d-th of %d); containers %s; all %d frames of %dx%d; "
          "time reversal checked (matched frames differ by <= %.2f levels)"
          % (len(rows), len(objects), k, len(pool), counts["containers"], FRAMES, SIZE, SIZE,
             max(worst.values())), file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        sys.exit("motion: ERROR: %s" % e)
