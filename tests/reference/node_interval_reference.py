#!/usr/bin/python3
"""Reference values for tests/node_intervals_test.cpp (HandExampleMatchesScipy): the mean of a
per-round series from two nodes with nodes as a level (docs/precision.md, "Several nodes"),
computed with numpy and scipy.stats.t from the formulas in the doc.

    /usr/bin/python3 tests/reference/node_interval_reference.py
"""
import numpy as np
from scipy import stats

nodes = [np.array([0.80, 0.82, 0.79, 0.81, 0.83]),
         np.array([0.70, 0.72, 0.69, 0.71, 0.74, 0.73])]
n = sum(len(a) for a in nodes)
k = len(nodes)
means = np.array([a.mean() for a in nodes])
w = np.array([len(a) for a in nodes]) / n
# Fewer than 12 rounds per node: independent rounds within a node.
within = np.array([a.var(ddof=1) / len(a) for a in nodes])
df_within = np.array([len(a) - 1 for a in nodes])
spread = means.var(ddof=1)
c = (w ** 2).sum()
if spread - within.mean() > 0:
    terms = (w ** 2 - c / k) * within
    variance = c * spread + terms.sum()
    dof = variance ** 2 / ((c * spread) ** 2 / (k - 1) + (terms ** 2 / df_within).sum())
else:
    terms = w ** 2 * within
    variance = terms.sum()
    dof = variance ** 2 / (terms ** 2 / df_within).sum()
half = stats.t.ppf(0.975, dof) * np.sqrt(variance)
print(f"mean {np.concatenate(nodes).mean()!r}, half width {half!r}, df {dof!r}")
