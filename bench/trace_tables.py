"""The measured rounds' times and query timelines of a trace, read with sqlite3 and numpy (not
by tailq): schema version 3 round blocks, and version 2 rows per round (docs/trace-format.md).
"""
import numpy as np


def _version(db):
    return db.execute("PRAGMA user_version").fetchone()[0]


def _blocks(db, table):
    """(first, count, flags, BLOB) of every block that has a row in `table`, in order."""
    for first, count, info, blob in db.execute(
            f"SELECT b.first, b.count, b.info, t.seconds FROM round_blocks b JOIN {table} t "
            "ON t.first = b.first ORDER BY b.first"):
        yield first, count, np.frombuffer(info[:count], dtype=np.uint8), blob


def measured_times(db, kind="total"):
    """Rounds x batches array of the measured rounds' times of `kind`, in round order."""
    table = f"{kind}_times"
    if _version(db) < 3:
        rows = db.execute(f"SELECT t.seconds FROM {table} t JOIN rounds r ON r.idx = t.round "
                          "WHERE r.warmup = 0 ORDER BY t.round").fetchall()
        return np.stack([np.frombuffer(r[0], dtype="<f8") for r in rows])
    parts = []
    for _, count, flags, blob in _blocks(db, table):
        parts.append(np.frombuffer(blob, dtype="<f8").reshape(count, -1)[(flags & 1) == 0])
    return np.concatenate(parts)


def measured_timelines(db):
    """Each measured round's query timeline (instances x 4: scheduled, issued, started,
    finished), in round order."""
    if _version(db) < 3:
        rows = db.execute("SELECT q.seconds FROM query_times q JOIN rounds r ON r.idx = q.round "
                          "WHERE r.warmup = 0 ORDER BY r.idx").fetchall()
        return [np.frombuffer(r[0], dtype="<f8").reshape(-1, 4) for r in rows]
    out = []
    for _, _, flags, blob in _blocks(db, "query_times"):
        timed = flags[(flags & 8) != 0]
        lines = np.frombuffer(blob, dtype="<f8").reshape(len(timed), -1, 4)
        out.extend(lines[(timed & 1) == 0])
    return out


def measured_count(db):
    if _version(db) < 3:
        return db.execute("SELECT count(*) FROM rounds WHERE warmup = 0").fetchone()[0]
    return db.execute("SELECT coalesce(sum(measured), 0) FROM round_blocks").fetchone()[0]
