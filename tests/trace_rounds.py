"""The rounds of a schema 3 trace with their node and end time (docs/trace-format.md, "Round
blocks"), for the shell tests.

trace_rounds.py TRACE --committed   one line per stored block: its rows as committed
trace_rounds.py TRACE --expect CODE runs CODE with `rs` (the rounds, in order: index, warmup,
                                    start, hash, node, end) and `nodes` (extra JSON "nodes")
"""
import json
import sqlite3
import struct
import sys


def read_rounds(db):
    out = []
    for first, count, info in db.execute(
            "SELECT first, count, info FROM round_blocks ORDER BY first"):
        flags = info[:count]
        at = count
        starts = struct.unpack_from(f"<{count}d", info, at)
        at += 8 * count
        hashes, nodes, ends = [None] * count, [None] * count, [None] * count
        for k in range(count):
            if flags[k] & 2:
                hashes[k] = info[at:at + 8].hex()
                at += 8
        at += 8 * sum(1 for f in flags if f & 4)  # offered loads
        for k in range(count):
            if flags[k] & 16:
                nodes[k] = struct.unpack_from("<I", info, at)[0]
                at += 4
        for k in range(count):
            if flags[k] & 32:
                ends[k] = struct.unpack_from("<d", info, at)[0]
                at += 8
        assert at == len(info), (first, at, len(info))
        for k in range(count):
            out.append(dict(index=first + k, warmup=bool(flags[k] & 1), start=starts[k],
                            hash=hashes[k], node=nodes[k], end=ends[k]))
    return out


def main():
    path, mode = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(path)
    if mode == "--committed":
        for row in db.execute(
                "SELECT b.first, b.count, hex(b.info), b.checksum, i.checksum, t.checksum "
                "FROM round_blocks b JOIN inference_times i USING (first) "
                "JOIN total_times t USING (first) ORDER BY b.first"):
            print(*row)
        return
    extra = json.loads(
        db.execute("SELECT value FROM experiment WHERE key = 'extra'").fetchone()[0])
    exec(sys.argv[3], {"rs": read_rounds(db), "nodes": extra.get("nodes")})


if __name__ == "__main__":
    main()
