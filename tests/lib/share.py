#!/usr/bin/env python3
"""Compare achieved shares with configured weights.

usage: share.py TOLERANCE WEIGHT:JOB [WEIGHT:JOB ...]
JOB is the bandwidth log prefix fio_together gave a job (DIR/name: fio wrote
DIR/name_bw.N.log with wall-clock stamps), or a fio JSON result (*.json).
With logs, each job's bytes are counted only in the log intervals in which
every job was running, so jobs that start or stop apart skew nothing (the
benchmark's rule too); a JSON result counts the whole run.
Prints each job's achieved and configured share and their ratio, and exits 1
when a job is off by more than TOLERANCE (0.10 = 10%) of its share and also
by more than 2 percentage points (10% of a 10% share is 1 pp, about what
epochs of 256 tokens resolve in a short run), or when the jobs overlapped
for less than half of the longest log.
"""
import glob
import json
import sys

LOG_MS = 500  # fio_together's --log_avg_msec


def fio_json_bytes(path):
    with open(path) as f:
        text = f.read()
    # fio may print notes before the JSON document
    data = json.loads(text[text.index("{"):])
    return sum(j["read"]["io_bytes"] + j["write"]["io_bytes"] for j in data["jobs"])


def bw_series(prefix):
    """{interval number: KiB/s} from fio's bandwidth logs of one job."""
    series = {}
    logs = glob.glob(glob.escape(prefix) + "_bw.*.log")
    if not logs:
        sys.exit(f"share.py: no bandwidth log {prefix}_bw.*.log")
    for log in logs:
        with open(log) as f:
            for line in f:
                fields = [x.strip() for x in line.split(",")]
                try:
                    t, bw = int(fields[0]), float(fields[1])
                except (IndexError, ValueError):
                    continue
                # samples land near multiples of LOG_MS: round to the nearest
                k = (t + LOG_MS // 2) // LOG_MS
                series[k] = series.get(k, 0.0) + bw
    return series


def main():
    tol = float(sys.argv[1])
    pairs = [a.split(":", 1) for a in sys.argv[2:]]
    weights = [float(w) for w, _ in pairs]
    short = False
    if all(p.endswith(".json") for _, p in pairs):
        done = [fio_json_bytes(p) for _, p in pairs]
        print("# whole runs (fio's totals)")
    else:
        series = [bw_series(p) for _, p in pairs]
        if not all(series):
            sys.exit("share.py: a job logged no bandwidth")
        # a job's first and last intervals may be partial (fio logs the
        # last when the job stops): measure between them
        lo = max(min(s) + 1 for s in series)
        hi = min(max(s) - 1 for s in series)
        longest = max(max(s) - min(s) + 1 for s in series)
        n = hi - lo + 1
        if n < 1:
            sys.exit("share.py: the jobs never ran at the same time")
        done = [sum(bw for k, bw in s.items() if lo <= k <= hi) * 1024 * LOG_MS / 1000 for s in series]
        short = 2 * n < longest
        print(f"# window in which every job ran: {n * LOG_MS / 1000:.1f} s of {longest * LOG_MS / 1000:.1f} s")
    wsum, dsum = sum(weights), sum(done)
    worst, bad = 0.0, False
    for (w, _), d in zip(pairs, done):
        want = float(w) / wsum
        got = d / dsum if dsum else 0.0
        ratio = got / want
        worst = max(worst, abs(ratio - 1))
        bad |= abs(ratio - 1) > tol and abs(got - want) > 0.02
        print(f"# weight {w:>4}: {d / 2**20:8.1f} MiB  share {got * 100:5.1f}% "
              f"(configured {want * 100:5.1f}%)  achieved/configured {ratio:.3f}")
    print(f"# total {dsum / 2**20:.1f} MiB, worst deviation {worst * 100:.1f}% (limit {tol * 100:.0f}% or 2 pp)")
    if short:
        print("# the window is less than half of the run: not a measurement")
    sys.exit(0 if dsum and not bad and not short else 1)


if __name__ == "__main__":
    main()
