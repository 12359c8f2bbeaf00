#!/usr/bin/python3
"""Reference values for the one-way ANOVA F test of node means (tests/node_breakdown_test.cpp).

Run with Debian's python3 (python3-numpy, python3-scipy) and commit the output:
    /usr/bin/python3 tests/reference/make_anova_fixtures.py > tests/fixtures/anova.json

Each case is a list of values with the group of each (groups may be empty: group 2 of
"empty_group" has no values and does not count), and scipy.stats.f_oneway's F statistic and
p-value over the non-empty groups, with the degrees of freedom k - 1 and N - k.
"""
import json

import numpy as np
from scipy.stats import f_oneway


def case(name, groups, values, group_of):
    values = [float(v) for v in values]
    samples = [np.array([v for v, g in zip(values, group_of) if g == n]) for n in range(groups)]
    samples = [s for s in samples if len(s)]
    res = f_oneway(*samples)
    n, k = len(values), len(samples)
    return {"name": name, "groups": groups, "values": values, "group_of": [int(g) for g in group_of],
            "f": float(res.statistic), "p": float(res.pvalue), "df_between": k - 1, "df_within": n - k}


rng = np.random.default_rng(17)
cases = []
# Two nodes of unequal size, a small real difference.
g = [0] * 7 + [1] * 5
cases.append(case("two_unequal", 2, np.r_[rng.normal(0.90, 0.01, 7), rng.normal(0.89, 0.01, 5)], g))
# Three nodes, one clearly slower: p far below 0.05.
g = [0] * 10 + [1] * 10 + [2] * 10
v = np.r_[rng.normal(0.9, 0.005, 10), rng.normal(0.9, 0.005, 10), rng.normal(0.88, 0.005, 10)]
cases.append(case("three_one_slow", 3, v, g))
# Four nodes drawn from one distribution, rounds interleaved by node (this draw gives p = 0.005:
# a test at 5% calls 1 in 20 alike fleets different).
g = [k % 4 for k in range(24)]
cases.append(case("four_interleaved", 4, rng.normal(0.75, 0.02, 24), g))
# Per-round Q@T of 200 instances: multiples of 1/200, many ties.
g = [0] * 8 + [1] * 6
cases.append(case("ties", 2, rng.binomial(200, 0.8, 14) / 200, g))
# A node without rounds in the analysed range.
g = [0, 0, 0, 1, 1, 1, 3, 3, 3, 3]
cases.append(case("empty_group", 4, rng.normal(0.5, 0.1, 10), g))
json.dump(cases, fp=__import__("sys").stdout, indent=1)
print()
