#!/usr/bin/env python3
"""Reference values for tailq's density tests (tests/density_test.cpp), computed independently.

Run with Debian's python3 (python3-numpy, python3-scipy) and commit the output:
    /usr/bin/python3 tests/reference/make_density_fixtures.py > tests/fixtures/density.json

ISJ is ported here from the equations of Botev, Grotowski and Kroese, "Kernel density estimation
via diffusion", Annals of Statistics 38(5), 2010 (section 5 and the algorithm after it), with
the grid, binning and bracket of Botev's MATLAB kde.m; it shares no code with the C++ (numpy's
DCT and scipy's Brent solver where the C++ uses Eigen's FFT and TOMS 748). Jensen-Shannon
distances come from scipy.spatial.distance.jensenshannon, densities from
scipy.stats.gaussian_kde.
"""
import json
import math
import sys
import warnings

import numpy as np
import scipy.fft
import scipy.optimize
import scipy.special
from scipy.spatial.distance import jensenshannon
from scipy.stats import gaussian_kde

GRID = 2 ** 14
L = 7  # stages of the fixed point, as in the paper's experiments and kde.m


def linear_binning(x, lo, hi, g):
    """Each point's unit weight split between its two neighbours on g even points over [lo, hi]."""
    pos = (x - lo) / (hi - lo) * (g - 1)
    left = np.clip(np.floor(pos).astype(np.int64), 0, g - 2)
    right_share = pos - left
    return (np.bincount(left, weights=1 - right_share, minlength=g)
            + np.bincount(left + 1, weights=right_share, minlength=g))


def norm_derivative_sq(j, t, k, a):
    """||f^(j)||^2 of the data's density on [0, 1] diffused to time t.

    With f = sum_k a_k cos(k pi x), ||f^(j)||^2 = 1/2 sum_k (k pi)^(2j) a_k^2 exp(-k^2 pi^2 t).
    """
    return 0.5 * np.sum((k * np.pi) ** (2 * j) * a ** 2 * np.exp(-(k * np.pi) ** 2 * t))


def gamma_l(t, k, a, n):
    """xi gamma^[l](t): t_{l-1} .. t_1 from the functionals, t_1 gives the AMISE-optimal t."""
    f = norm_derivative_sq(L, t, k, a)
    for j in range(L - 1, 1, -1):
        # t_j = ((1 + 2^-(j + 1/2)) / 3 * (2j - 1)!! / (N sqrt(pi / 2) ||f^(j+1)||^2))^(2/(3+2j))
        t_j = ((1 + 2 ** -(j + 0.5)) / 3 * scipy.special.factorial2(2 * j - 1, exact=True)
               / (n * math.sqrt(math.pi / 2) * f)) ** (2 / (3 + 2 * j))
        f = norm_derivative_sq(j, t_j, k, a)
    return (2 * n * math.sqrt(math.pi) * f) ** (-2 / 5)


def isj(x):
    """Bandwidth by ISJ, or None where t = xi gamma^[l](t) has no root in Botev's brackets."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) <= 3 or x.min() == x.max():
        return None
    spread = x.max() - x.min()
    lo, hi = x.min() - spread / 2, x.max() + spread / 2
    n_distinct = len(np.unique(x))
    p = linear_binning(x, lo, hi, GRID)
    p = p / p.sum()
    a = scipy.fft.dct(p, type=2)[1:]  # a_k = 2 sum_j p_j cos(k pi (j + 1/2) / GRID)
    k = np.arange(1, GRID, dtype=np.float64)

    def equation(t):
        with np.errstate(divide="ignore", over="ignore"):
            return t - gamma_l(t, k, a, n_distinct)

    # kde.m's root(): bracket [0, tol], tol from N, doubled while the sign does not change.
    n_clamped = min(max(n_distinct, 50), 1050)
    tol = 1e-12 + 0.01 * (n_clamped - 50) / 1000
    f0 = equation(0.0)
    while True:
        f_tol = equation(tol)
        if np.isfinite(f_tol) and np.sign(f_tol) != np.sign(f0):
            t_star = scipy.optimize.brentq(equation, 0.0, tol, xtol=1e-300,
                                           rtol=4 * np.finfo(float).eps, maxiter=500)
            return math.sqrt(t_star) * (hi - lo)
        if tol >= 0.1:
            return None
        tol = min(2 * tol, 0.1)


def spread(x):
    x = np.asarray(x, dtype=np.float64)
    sd = float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
    q25, q75 = np.percentile(x, [25, 75], method="inverted_cdf")
    return sd, float(q75 - q25)


def fixed_or(value, selector, x):
    if value > 0:
        return value, selector
    mean = float(np.mean(x))
    return (1e-3 * abs(mean) if mean != 0 else 1e-9), "fixed"


def silverman(x):
    sd, iqr = spread(x)
    s = min(sd, iqr / 1.34) if iqr > 0 else sd
    return fixed_or(0.9 * s * len(x) ** -0.2, "silverman", x)


def scott(x):
    sd, _ = spread(x)
    return fixed_or((4 / (3 * len(x))) ** 0.2 * sd, "scott", x)


def short(v):
    """12 significant digits: shorter JSON, and the doubles the C++ reads are exactly these."""
    return np.array([float(f"{float(e):.12g}") for e in v])


def samples(rng):
    bimodal = lambda n: np.where(rng.random(n) < 0.3, rng.normal(0, 0.5, n), rng.normal(4, 1, n))
    return [
        ("normal_100", short(rng.normal(10, 2, 100))),
        ("normal_1000", short(rng.normal(0, 1, 1000))),
        ("normal_3000", short(rng.normal(5e-3, 4e-4, 3000))),  # seconds-like
        ("lognormal_300", short(rng.lognormal(0, 1, 300))),
        ("lognormal_2000", short(rng.lognormal(np.log(4e-3), 0.25, 2000))),
        ("bimodal_500", short(bimodal(500))),
        ("bimodal_2000", short(bimodal(2000))),
        ("tied_13_levels", np.round(rng.normal(0, 1, 1500) * 10 / 6) / 10),
        ("tied_7_levels", np.round(rng.normal(0, 1, 1500) * 5 / 6) / 5),
        ("tied_ms", np.round(rng.lognormal(np.log(4.0), 0.1, 1500), 1)),
        ("tied_3_levels", np.repeat([1.0, 2.0, 3.0], 300)),
        ("n2", short(rng.normal(0, 1, 2))),
        ("n3", short(rng.normal(0, 1, 3))),
        ("n4", np.array([0.1, 0.5, 0.6, 2.0])),
        ("n5", short(rng.normal(0, 1, 5))),
        ("n1", np.array([3.5])),
        ("constant", np.full(10, 2.5)),
        ("constant_zero", np.zeros(7)),
    ]


def bandwidth_cases(rng):
    cases = []
    for name, x in samples(rng):
        h = isj(x)
        h_scaled = isj(x * 1000)
        isj_value, isj_selector = (h, "isj") if h is not None else silverman(x)
        # Botev's port must agree with itself across units before it can serve as a reference.
        if h is not None:
            assert abs(h_scaled / 1000 - h) <= 1e-9 * h, name
        sil, sil_sel = silverman(x)
        sco, sco_sel = scott(x)
        sd, iqr = spread(x)
        cases.append({
            "name": name, "data": [float(v) for v in x], "distinct": int(len(np.unique(x))),
            "sd": sd, "iqr": iqr,
            "isj": isj_value, "isj_selector": isj_selector,
            "isj_x1000": h_scaled if h_scaled is not None else None,
            "silverman": sil, "silverman_selector": sil_sel,
            "scott": sco, "scott_selector": sco_sel,
        })
    return cases


def js_cases(rng):
    pairs = []
    a, b = rng.random(400), rng.random(400)
    pairs.append(("random_400", a, b))
    grid = np.linspace(-3, 5, 500)
    pairs.append(("densities_plus_1e-8", np.exp(-grid ** 2 / 2) + 1e-8,
                  np.exp(-(grid - 0.3) ** 2 / 2.5) + 1e-8))
    z1, z2 = rng.random(50), rng.random(50)
    z1[::3] = 0
    z2[::5] = 0
    pairs.append(("with_zeros", z1, z2))
    pairs.append(("unnormalised", np.array([1.0, 2, 3, 4]), np.array([40.0, 30, 20, 10])))
    pairs.append(("identical", a, a.copy()))
    pairs.append(("scaled_identical", a, 7 * a))
    pairs.append(("disjoint", np.array([1.0, 0, 0]), np.array([0.0, 0.5, 0.5])))
    pairs.append(("single", np.array([2.0]), np.array([5.0])))
    cases = []
    for name, p, q in pairs:
        with np.errstate(invalid="ignore"):
            distance = float(jensenshannon(p, q))
        # Equal up to round-off, the divergence is +-1e-17: scipy's distance is sqrt(round-off)
        # (or NaN for a negative one, which tailq clips to 0), so only the divergence compares.
        rounding_limited = name == "scaled_identical"
        cases.append({"name": name, "p": [float(v) for v in p], "q": [float(v) for v in q],
                      "distance": 0.0 if math.isnan(distance) else distance,
                      "rounding_limited": rounding_limited})
    return cases


def kde_case(rng):
    x = short(np.r_[rng.normal(0, 1, 150), rng.normal(3, 0.5, 50)])
    h = 0.35
    kde = gaussian_kde(x, bw_method=h / np.std(x, ddof=1))
    assert abs(math.sqrt(kde.covariance[0, 0]) - h) < 1e-12 * h
    points = np.percentile(x, np.arange(5, 96, 5))
    return {"data": [float(v) for v in x], "bandwidth": h, "points": [float(v) for v in points],
            "pdf": [float(v) for v in kde(points)]}


def main():
    warnings.simplefilter("error", RuntimeWarning)
    rng = np.random.default_rng(20100601)
    out = {
        "grid_points": GRID,
        "bandwidth": bandwidth_cases(rng),
        "js": js_cases(rng),
        "kde": kde_case(rng),
    }
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
