"""Solve the files export_instance wrote with OR-Tools min-cost flow and HiGHS, and compare.

Usage: compare.py DIR [--tier1-only] [--time-limit SECONDS]
(DIR holds ours.json and the files it lists)

--tier1-only skips tier2.mps and tier3.mps (tiers 2 and 3 with the earlier tiers held), whose
HiGHS solves take minutes at 20,000 referrals. --time-limit (default 900) stops each HiGHS
solve; a stopped solve shows its status and counts as not equal.

Every DIMACS file goes to OR-Tools SimpleMinCostFlow, every MPS file to HiGHS twice (interior
point with crossover, then the default dual simplex), each as an LP. Only the solve call is
timed (not reading the file). Prints one table: method, time, objective, whether it equals ours,
and our end-to-end time over the peer's time (above 1: we are slower).
"""

import json
import sys
import time
from pathlib import Path

import highspy
import numpy as np
from ortools.graph.python import min_cost_flow


def read_dimacs(path):
    """(node count, supplies by node, arc tails, heads, capacities, costs), nodes from 0."""
    nodes = 0
    supply = []
    arcs = []
    with open(path) as f:
        for line in f:
            kind = line[:1]
            if kind == "a":
                arcs.append(line.split()[1:])
            elif kind == "n":
                _, node, value = line.split()
                supply.append((int(node) - 1, int(value)))
            elif kind == "p":
                _, problem, nodes, _ = line.split()
                assert problem == "min", line
                nodes = int(nodes)
    a = np.array(arcs, dtype=np.int64)
    assert np.all(a[:, 2] == 0), "lower bounds are 0"
    return nodes, supply, a[:, 0] - 1, a[:, 1] - 1, a[:, 3], a[:, 4]


def ortools(path):
    nodes, supply, tails, heads, caps, costs = read_dimacs(path)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(
        np.array([n for n, _ in supply], dtype=np.int64),
        np.array([s for _, s in supply], dtype=np.int64),
    )
    started = time.perf_counter()
    status = flow.solve()
    elapsed = time.perf_counter() - started
    if status != flow.OPTIMAL:
        return elapsed, None, f"status {status}"
    return elapsed, flow.optimal_cost(), ""


def highs(path, solver, time_limit):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    if h.readModel(str(path)) != highspy.HighsStatus.kOk:
        return 0.0, None, "cannot read"
    h.setOptionValue("solver", solver)
    if solver == "ipm":
        h.setOptionValue("run_crossover", "on")
    started = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - started
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return elapsed, None, h.modelStatusToString(status)
    return elapsed, h.getInfo().objective_function_value, ""


def main():
    highspy.Highs()  # HiGHS prints its banner once, at its first instance: before the table.
    folder = Path(sys.argv[1])
    tier1_only = "--tier1-only" in sys.argv[2:]
    time_limit = 900.0
    if "--time-limit" in sys.argv[2:]:
        time_limit = float(sys.argv[sys.argv.index("--time-limit") + 1])
    ours = json.loads((folder / "ours.json").read_text())
    total = ours["total_s"]
    print(
        f"instance: {ours['referrals']} referrals x {ours['slots']} slots, seed {ours['seed']}, "
        f"{ours['candidate_pairs']} candidate pairs, {ours['components']} component"
    )
    print(
        f"ours: {total:.3f} s end to end (build {ours['build_s']:.3f} s, tier solves and "
        f"schedule {ours['solve_s']:.3f} s), tiers {ours['tiers']}"
    )
    if ours["lexicographic_overflow"]:
        print(f"lexicographic combined objective: {ours['lexicographic_overflow']}")
    else:
        print(f"lexicographic weights: {ours['lexicographic_weights']}")
    header = ("file", "method", "time s", "objective", "ours", "equal", "ours/peer time")
    widths = (20, 22, 8, 20, 20, 5, 14)

    def show(row):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), flush=True)

    show(header)
    rows = []
    for entry in ours["files"]:
        path = folder / entry["file"]
        if tier1_only and entry["file"] in ("tier2.mps", "tier3.mps"):
            continue
        if entry["format"] == "dimacs":
            runs = [("OR-Tools min-cost flow", lambda p=path: ortools(p))]
        else:
            runs = [
                ("HiGHS IPM+crossover", lambda p=path: highs(p, "ipm", time_limit)),
                ("HiGHS dual simplex", lambda p=path: highs(p, "simplex", time_limit)),
            ]
        for method, run in runs:
            elapsed, value, note = run()
            if value is None:
                equal = "no"
                shown = "-"
            else:
                # HiGHS reports a float: equal when it rounds to ours and is within its tolerance.
                exact = round(value) == entry["ours"]
                close = abs(value - entry["ours"]) <= 1e-6 * max(1.0, abs(entry["ours"]))
                equal = "yes" if exact and close else "no"
                shown = f"{value:.0f}" if isinstance(value, float) else str(value)
            row = (
                entry["file"],
                method,
                f"{elapsed:.3f}",
                shown,
                str(entry["ours"]),
                equal + (f" ({note})" if note else ""),
                f"{total / elapsed:.2f}" if elapsed > 0 else "-",
            )
            rows.append(row)
            show(row)
    for r in rows:
        if r[1].startswith("OR-Tools") and r[6] != "-":
            met = "met" if float(r[6]) <= 2.0 else "NOT met"
            print(
                f"issue #4 target, ours end to end within 2x of OR-Tools' solve of {r[0]}: "
                f"ratio {r[6]}, {met}"
            )
    if any(not r[5].startswith("yes") for r in rows):
        print("NOT CONFIRMED: a peer found another optimum or stopped (rows with equal = no)")
        sys.exit(1)


if __name__ == "__main__":
    main()
