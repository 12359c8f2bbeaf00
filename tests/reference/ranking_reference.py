#!/usr/bin/python3
"""Reference values for tailq's ranking metrics (tests/ranking_test.cpp), written from
docs/ranking.md with numpy and nothing of tailq's code.

Run with Debian's python3 (python3-numpy) and commit the output:
    /usr/bin/python3 tests/reference/ranking_reference.py > tests/fixtures/ranking.json

The set is generated: 200 users over 1,000 items, each with 1-40 relevant items and a ranked
list of 0-60 distinct items (some empty, many shorter than the larger cut-offs), item names of
several forms; random on-time masks (with all users on time and all late among them). The
metrics are computed in array form: a users x K relevance matrix, padded with zeros past each
list's end, against the discount row 1 / log2(2..K+1).
"""
import json

import numpy as np

USERS, ITEMS = 200, 1000
CUTOFFS = [1, 3, 5, 20, 50, 100]


def item_name(k):
    # Items are strings: numbers, prefixed ids, and ids that share prefixes with each other.
    return [str(k), f"i{k}", f"item-{k}", f"{k}x"][k % 4]


def make_users(rng):
    users = []
    for u in range(USERS):
        relevant = rng.choice(ITEMS, size=int(rng.integers(1, 41)), replace=False)
        length = 0 if u % 17 == 0 else int(rng.integers(0, 61))
        # Rankings that hit: draw part of the list from the relevant items.
        hits = rng.choice(relevant, size=min(len(relevant), int(rng.integers(0, length + 1))),
                          replace=False)
        others = rng.choice(np.setdiff1d(np.arange(ITEMS), relevant), size=length, replace=False)
        ranked = np.concatenate([hits, others[: length - len(hits)]])
        rng.shuffle(ranked)
        users.append((relevant, ranked))
    return users


def relevance(users, k):
    """[users, k]: 1 where the item at that rank is relevant, 0 past the list's end."""
    rel = np.zeros((len(users), k))
    for u, (relevant, ranked) in enumerate(users):
        top = ranked[:k]
        rel[u, : len(top)] = np.isin(top, relevant)
    return rel


def per_user(users, k):
    rel = relevance(users, k)
    sizes = np.array([len(r) for r, _ in users], dtype=float)
    hits = rel.sum(axis=1)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = rel @ discounts
    ideal_hits = np.minimum(sizes, k).astype(int)
    idcg = np.array([discounts[:m].sum() for m in ideal_hits])
    return {"precision": hits / k, "recall": hits / sizes, "ndcg": dcg / idcg}


def main():
    rng = np.random.default_rng(20240516)
    users = make_users(rng)
    masks = [np.ones(USERS, bool), np.zeros(USERS, bool)]
    masks += [rng.random(USERS) < p for p in (0.9, 0.5, 0.1)]
    values = {k: per_user(users, k) for k in CUTOFFS}
    cases = []
    for mask in masks:
        expected = {}
        for k in CUTOFFS:
            for name, v in values[k].items():
                # A late user scores 0 and stays in the mean.
                expected[f"{name}@{k}"] = float(np.where(mask, v, 0.0).mean())
        cases.append({"on_time": [int(x) for x in mask], "expected": expected})
    out = {
        "relevant": [" ".join(item_name(int(i)) for i in r) for r, _ in users],
        "ranking": [" ".join(item_name(int(i)) for i in l) for _, l in users],
        "cases": cases,
    }
    print(json.dumps(out, indent=None, separators=(",", ":")))


if __name__ == "__main__":
    main()
