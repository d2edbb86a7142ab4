"""A plain Python roll-up of an okrs/1 document in exact decimals: the
floor that `okrs rollup --json` is compared with in benches/process.rs.

It follows okrs' rules for what `okrs::sample::realistic` documents hold
(numeric, binary and milestone metrics, check-ins, sub-key results,
weights relative within their group, contributing links under cascading,
progress clamped to [0, 1]) and prints `id progress` per node, progress
rounded to 10 places, so that the bench can check it computes the same
numbers. It is written as a Python developer would write it: dictionaries,
recursion-free, `decimal` with its default 28 digits.

Usage: python3 rollup.py DOCUMENT.json [AS-OF]  (check-ins after the
as-of date, YYYY-MM-DD, do not count yet)
"""

import json
import sys
from decimal import Decimal

ZERO, ONE = Decimal(0), Decimal(1)


def clamp(value):
    return min(max(value, ZERO), ONE)


def metric_progress(metric, check_ins):
    kind = metric["kind"]
    latest = check_ins[-1]["value"] if check_ins else None
    if kind == "numeric":
        start, target = Decimal(str(metric["start"])), Decimal(str(metric["target"]))
        current = Decimal(str(latest)) if latest is not None else Decimal(str(metric.get("current", start)))
        if target == start:
            return ONE if current >= target else ZERO
        return clamp((current - start) / (target - start))
    if kind == "binary":
        done = latest if latest is not None else metric.get("done", False)
        return ONE if done else ZERO
    if kind == "milestones":
        reached = set(latest or [m["title"] for m in metric["milestones"] if m.get("done")])
        weights = [Decimal(str(m.get("weight", 1))) for m in metric["milestones"]]
        total = sum(weights, ZERO)
        done = sum((w for m, w in zip(metric["milestones"], weights) if m["title"] in reached), ZERO)
        return done / total if total else ZERO
    raise ValueError(f"metric kind {kind} is not covered by this floor")


def group_mean(groups):
    """Members as (weight, progress) in groups: each member of a group of n
    counted members whose weights sum to W counts n * w / W."""
    shares, total = ZERO, ZERO
    for members in groups:
        counted = [(w, p) for w, p in members if w != 0]
        weight = sum((w for w, _ in counted), ZERO)
        if not counted or weight == 0:
            continue
        n = len(counted)
        for w, p in counted:
            share = n * w / weight
            shares += share * p
            total += share
    return clamp(shares / total) if total else ZERO


def main(path, as_of=None):
    with open(path) as f:
        document = json.load(f, parse_float=Decimal, parse_int=Decimal)
    progress = {}
    # Key results, deepest first (sub-key results before their parents).
    stack, order = [], []
    for objective in document["objectives"]:
        for kr in objective.get("key_results", []):
            stack.append(kr)
    while stack:
        kr = stack.pop()
        order.append(kr)
        stack.extend(kr.get("key_results", []))
    for kr in reversed(order):
        subs = kr.get("key_results", [])
        if subs:
            progress[kr["id"]] = group_mean(
                [[(Decimal(str(s.get("weight", 1))), progress[s["id"]]) for s in subs]]
            )
        elif "metric" in kr:
            check_ins = [c for c in kr.get("check_ins", []) if as_of is None or str(c["at"])[:10] <= as_of]
            progress[kr["id"]] = metric_progress(kr["metric"], check_ins)
        else:
            progress[kr["id"]] = ZERO
    # Objectives: every supporter before what it supports (Kahn's order).
    supporters = {o["id"]: [] for o in document["objectives"]}
    for objective in document["objectives"]:
        for link in objective.get("aligned_to", []):
            if link.get("contributes", True) and link["id"] in supporters:
                supporters[link["id"]].append((Decimal(str(link.get("weight", 1))), objective["id"]))
    by_id = {o["id"]: o for o in document["objectives"]}
    pending = {o["id"]: len(supporters[o["id"]]) for o in document["objectives"]}
    ready = [i for i, n in pending.items() if n == 0]
    while ready:
        oid = ready.pop()
        objective = by_id[oid]
        key_results = [
            (Decimal(str(kr.get("weight", 1))), progress[kr["id"]])
            for kr in objective.get("key_results", [])
        ]
        aligned = [(w, progress[s]) for w, s in supporters[oid]]
        progress[oid] = group_mean([key_results, aligned])
        for link in objective.get("aligned_to", []):
            target = link["id"]
            if link.get("contributes", True) and target in pending:
                pending[target] -= 1
                if pending[target] == 0:
                    ready.append(target)
    out = sys.stdout
    for node, value in progress.items():
        out.write(f"{node} {value.quantize(Decimal('1e-10'))}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
