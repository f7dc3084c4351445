"""Benchmark: the default day-by-day replay (`gendan replay`: 6 months of 120 orders a month, seed 7).

Builds the demo company in a throwaway database and replays it (see src/gendan/demo/replay.py and
docs/guide/replay.md), then prints the wall time, where it went, the orders (shipped, late, still open) and both
forecasting methods' figures over the replayed orders' committed dates: recall at 5 / 10 / 20 working days, false
alarms, the false-alarm rate and the median lead. The issue's targets (under 10 minutes on SQLite on a 2-core
machine; learned forecasts ≥ 80 % recall at 10 working days with ≤ 15 % false alarms, better than the plan on both)
are printed beside the figures; nothing is asserted.

Embedded SQLite in a throwaway GENDAN_VAR_DIR by default; with DATABASE_URL (PostgreSQL) a throwaway test database.

Usage: .venv/bin/python bench/replay.py [--months 6] [--orders-per-month 120] [--seed 7] [--progress]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 600
TARGET_RECALL_10 = 80
TARGET_FALSE_ALARM_RATE = 15


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--orders-per-month", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--progress", action="store_true", help="show the replay's progress bar")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import throwaway_database

    with throwaway_database("replay") as where:
        print(f"database: {where}")
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.utils import translation

    from gendan.core import clock
    from gendan.demo.replay import Replay
    from gendan.foresight import selectors
    from gendan.foresight.text import value_text

    began = time.perf_counter()
    result = Replay(
        months=args.months, orders_per_month=args.orders_per_month, seed=args.seed, progress=args.progress
    ).run()
    wall = time.perf_counter() - began
    print(
        f"replay: {args.months} months × {args.orders_per_month} orders, seed {args.seed}: "
        f"{result.start} – {result.end}"
    )
    print(f"wall time: {wall:.1f} s ({wall / 60:.1f} min; target < {TARGET_SECONDS // 60} min)")
    print("seconds by event: " + ", ".join(f"{name} {value}" for name, value in result.timings.items()))
    print(f"orders: {result.orders}, shipped {result.shipped}, late {result.late}, still open {result.open}")
    print("events: " + ", ".join(f"{name} {count}" for name, count in result.counts.items()))
    if result.report_start is None:
        print("no order arrived: nothing to report")
        return
    with translation.override("en"), clock.frozen(result.end):
        reports = selectors.compare(result.report_start, result.report_end)
    print(f"foresight over the committed dates {result.report_start} – {result.report_end}:")
    print(f"{'method':<10}{'late':>6}{'rec@5':>8}{'rec@10':>8}{'rec@20':>8}{'false':>7}{'rate':>8}{'median':>8}")
    for method, report in reports.items():
        recall = report.recall
        print(
            f"{method:<10}{report.late_orders:>6}"
            f"{value_text(recall[5], 'pct'):>8}{value_text(recall[10], 'pct'):>8}{value_text(recall[20], 'pct'):>8}"
            f"{report.false_alarms:>7}{value_text(report.false_alarm_rate, 'pct'):>8}"
            f"{value_text(report.median_lead_days, 'days'):>8}"
        )
    learned = reports["learned"]
    print(
        f"targets (learned): recall at 10 ≥ {TARGET_RECALL_10} % (is {value_text(learned.recall[10], 'pct')}), "
        f"false-alarm rate ≤ {TARGET_FALSE_ALARM_RATE} % (is {value_text(learned.false_alarm_rate, 'pct')})"
    )


if __name__ == "__main__":
    main()
