#!/usr/bin/env python3
"""tools/bench/calc.py: the suite's arithmetic and its table (tools/bench/run).

  calc.py stats FILE FIELD...   criu's stats-dump image: the dump fields asked
                                (frozen_time_us, memdump_time_us, ...), one a line
  calc.py median X...           the median (the lower middle of an even count)
  calc.py ratio "A..." "B..."   the median of the pairwise ratios A[i]/B[i]
  calc.py render ROWS MD JSON   rows (JSON lines) into the Markdown and JSON table
"""
import json
import struct
import sys

DUMP_FIELDS = {1: "freezing_time_us", 2: "frozen_time_us", 3: "memdump_time_us",
               4: "memwrite_time_us", 5: "pages_scanned", 7: "pages_written"}
IMG_COMMON, IMG_SERVICE, STATS_MAGIC = 0x54564319, 0x55105940, 0x57093306


def varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, i
        shift += 7


def fields(buf):
    """(number, wire type, value) of each field of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("bad wire type")
        yield num, wire, v


def dump_stats(path):
    data = open(path, "rb").read()
    at = 4
    if struct.unpack_from("<I", data, 0)[0] in (IMG_COMMON, IMG_SERVICE):
        at = 8
    size = struct.unpack_from("<I", data, at)[0]
    out = {}
    for num, wire, v in fields(data[at + 4:at + 4 + size]):
        if num == 1 and wire == 2:  # stats_entry.dump
            for n2, w2, v2 in fields(v):
                if w2 == 0 and n2 in DUMP_FIELDS:
                    out[DUMP_FIELDS[n2]] = v2
    return out


def median(xs):
    xs = sorted(float(x) for x in xs)
    return xs[(len(xs) - 1) // 2] if xs else 0.0


def fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def render(rows_path, md_path, json_path):
    rows = [json.loads(line) for line in open(rows_path) if line.strip()]
    meta = next((r for r in rows if r.get("id") == "meta"), {})
    rows = [r for r in rows if r.get("id") != "meta"]
    md = [f"criuctl {meta.get('criuctl', '?')}, criu {meta.get('criu', '?')}, "
          f"runc {meta.get('runc', '-')}, kernel {meta.get('kernel', '?')}; "
          f"{meta.get('rounds', '?')} alternated pairs per row, medians; "
          f"{meta.get('cpus', '?')} CPUs, {meta.get('shared', '')}", "",
          "| row | what | criuctl | against | ratio | goal | met | frozen (criuctl / raw) | notes |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        frozen = ""
        if r.get("frozen_ms") is not None:
            frozen = f"{fmt(r['frozen_ms'], 1)} / {fmt(r.get('frozen_base_ms'), 1)} ms"
        ours = r.get("ours_ms")
        base = r.get("base_ms")
        met = r.get("met")
        md.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["id"], r["what"],
            "" if ours is None else f"{fmt(ours, 1)} ms",
            "" if base is None else f"{r.get('base', '')} {fmt(base, 1)} ms",
            fmt(r.get("ratio")) if r.get("ratio") is not None else "",
            r.get("goal", ""),
            "" if met is None else ("yes" if met else "**no**"),
            frozen, r.get("notes", "")))
    open(md_path, "w").write("\n".join(md) + "\n")
    json.dump({"meta": meta, "rows": rows}, open(json_path, "w"), indent=1)
    sys.stdout.write("\n".join(md) + "\n")


def main(argv):
    cmd = argv[1]
    if cmd == "stats":
        s = dump_stats(argv[2])
        for f in argv[3:]:
            print(s.get(f, 0))
    elif cmd == "median":
        print(f"{median(argv[2:]):.3f}")
    elif cmd == "ratio":
        a, b = argv[2].split(), argv[3].split()
        print(f"{median(float(x) / float(y) for x, y in zip(a, b) if float(y) > 0):.4f}")
    elif cmd == "render":
        render(argv[2], argv[3], argv[4])
    else:
        sys.exit(f"calc.py: unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
