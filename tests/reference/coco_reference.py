"""An independent numpy evaluator of COCO bbox AP/AR, written from docs/detection.md.

It is the straightforward form: every subset is evaluated from scratch (late images' detections
removed, every image's ground truth kept), precision is a [T, R, K, A, M] array like the
reference's, and the summary takes means over its entries that are not -1. tailq's C++
(src/metrics/coco/) precomputes the matching and walks event lists instead; the two agreeing
on generated data is what tests/coco_test.cpp checks.

Data: ground truths are dicts {image, category, box: [x, y, w, h], area, crowd}, detections
are dicts {image, category, box, score}; images are 0..n-1 in ascending id order.
"""

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)
AREA_RANGES = [(0.0, 1e10), (0.0, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 1e10)]
DETECTION_LIMITS = [1, 10, 100]


def ious(dets, gts):
    """[D, G] IoU; a crowd ground truth's union is the detection's area."""
    if len(dets) == 0 or len(gts) == 0:
        return np.zeros((len(dets), len(gts)))
    d = np.array([x["box"] for x in dets], dtype=float)[:, None, :]
    g = np.array([x["box"] for x in gts], dtype=float)[None, :, :]
    crowd = np.array([bool(x["crowd"]) for x in gts])[None, :]
    w = np.minimum(d[..., 0] + d[..., 2], g[..., 0] + g[..., 2]) - np.maximum(d[..., 0], g[..., 0])
    h = np.minimum(d[..., 1] + d[..., 3], g[..., 1] + g[..., 3]) - np.maximum(d[..., 1], g[..., 1])
    inter = np.where((w > 0) & (h > 0), w * h, 0.0)
    d_area = d[..., 2] * d[..., 3]
    g_area = g[..., 2] * g[..., 3]
    union = np.where(crowd, d_area, d_area + g_area - inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inter > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def in_range(area, rng):
    return rng[0] <= area <= rng[1]


def match(dets, gts, iou, rng):
    """Per threshold: which detections are true positives / ignored; counted truths."""
    gt_ignored = np.array([bool(g["crowd"]) or not in_range(g["area"], rng) for g in gts], bool)
    order = [int(i) for i in np.argsort(gt_ignored, kind="stable")]
    tp = np.zeros((len(IOU_THRESHOLDS), len(dets)), bool)
    ignored = np.zeros_like(tp)
    for t, thr in enumerate(IOU_THRESHOLDS):
        used = set()
        for di in range(len(dets)):
            best, chosen = min(thr, 1 - 1e-10), None
            for gi in order:
                if gi in used and not gts[gi]["crowd"]:
                    continue
                # Holding a counted truth, never trade it for an ignored one.
                if chosen is not None and not gt_ignored[chosen] and gt_ignored[gi]:
                    break
                if iou[di, gi] >= best:
                    best, chosen = iou[di, gi], gi
            if chosen is None:
                box = dets[di]["box"]
                ignored[t, di] = not in_range(box[2] * box[3], rng)
            else:
                used.add(chosen)
                ignored[t, di] = gt_ignored[chosen]
                tp[t, di] = not gt_ignored[chosen]
    return tp, ignored, int(np.count_nonzero(~gt_ignored))


def precision_curve(tp, fp, counted):
    """Interpolated precision at the recall points for one threshold; final recall."""
    tps, fps = np.cumsum(tp).astype(float), np.cumsum(fp).astype(float)
    recall = tps / counted
    precision = tps / (fps + tps + np.spacing(1))
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    at = np.searchsorted(recall, RECALL_POINTS, side="left")
    curve = np.zeros(len(RECALL_POINTS))
    inside = at < len(envelope)
    curve[inside] = envelope[at[inside]]
    return curve, (recall[-1] if len(recall) else 0.0)


def evaluate(image_count, category_count, gts, dets, on_time):
    """The summary's twelve numbers with only on-time images' detections."""
    T, R, K, A, M = len(IOU_THRESHOLDS), len(RECALL_POINTS), category_count, 4, 3
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    for k in range(K):
        per_image = []
        for i in range(image_count):
            g = [x for x in gts if x["image"] == i and x["category"] == k]
            d = [x for x in dets if x["image"] == i and x["category"] == k and on_time[i]]
            order = np.argsort([-x["score"] for x in d], kind="stable")[:100]
            d = [d[j] for j in order]
            per_image.append((g, d, ious(d, g)))
        for a, rng in enumerate(AREA_RANGES):
            matched = [match(d, g, iou, rng) + (d,) for g, d, iou in per_image]
            counted = sum(m[2] for m in matched)
            if counted == 0:
                continue
            for mi, limit in enumerate(DETECTION_LIMITS):
                scores = np.concatenate([[x["score"] for x in m[3][:limit]] for m in matched])
                tp = np.concatenate([m[0][:, :limit] for m in matched], axis=1)
                ig = np.concatenate([m[1][:, :limit] for m in matched], axis=1)
                order = np.argsort(-scores, kind="mergesort")
                tp, ig = tp[:, order], ig[:, order]
                fp = ~tp & ~ig
                for t in range(T):
                    curve, rc = precision_curve(tp[t], fp[t], counted)
                    precision[t, :, k, a, mi] = curve
                    recall[t, k, a, mi] = rc
    return summarize(precision, recall)


def summarize(precision, recall):
    def mean(s):
        s = s[s > -1]
        return float(np.mean(s)) if s.size else -1.0

    def ap(t=None, a=0):
        s = precision[:, :, :, a, 2]
        return mean(s if t is None else s[t])

    def ar(a=0, m=2):
        return mean(recall[:, :, a, m])

    return [ap(), ap(t=0), ap(t=5), ap(a=1), ap(a=2), ap(a=3),
            ar(m=0), ar(m=1), ar(), ar(a=1), ar(a=2), ar(a=3)]
