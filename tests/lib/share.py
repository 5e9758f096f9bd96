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
import bisect
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


def bw_logs(prefix):
    """fio's bandwidth logs of one job (one per thread): [[(ms, KiB/s)]]."""
    logs = []
    paths = glob.glob(glob.escape(prefix) + "_bw.*.log")
    if not paths:
        sys.exit(f"share.py: no bandwidth log {prefix}_bw.*.log")
    for path in paths:
        entries = []
        with open(path) as f:
            for line in f:
                fields = [x.strip() for x in line.split(",")]
                try:
                    entries.append((int(fields[0]), float(fields[1])))
                except (IndexError, ValueError):
                    continue
        logs.append(sorted(entries))
    return logs


SAME_WAKEUP_MS = 50  # entries this close came from one wake-up of fio's helper


def bw_series(logs, wakeups):
    """{interval number: KiB/s} of one job (the benchmark's rule, see
    add_bw_log in bench/src/data.rs).  fio's helper samples each thread
    every LOG_MS on the thread's own grid; an entry is the rate since the
    thread's previous sampling, and a sampling without completions logs
    nothing.  So an entry covers back to the previous entry of its log,
    unless the gap is longer than a sampling and another thread of the run
    logged inside it (wakeups: every entry time, sorted): then this thread
    was sampled with nothing done and the entry covers one LOG_MS.  A late
    helper (a busy guest) leaves a gap in every log, covered by the next
    entry.  Entries are spread over the intervals they overlap; a log's
    first entry, whose start is unknown, is skipped."""
    series = {}
    for log in logs:
        for (p, _), (t, bw) in zip(log, log[1:]):
            start = p
            if t - p > LOG_MS * 3 // 2:
                i = bisect.bisect_right(wakeups, p + SAME_WAKEUP_MS)
                if i < len(wakeups) and wakeups[i] + SAME_WAKEUP_MS < t:
                    start = t - LOG_MS
            while start < t:
                k = start // LOG_MS
                end = min(t, (k + 1) * LOG_MS)
                series[k] = series.get(k, 0.0) + bw * (end - start) / LOG_MS
                start = end
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
        # fio_together runs every job in one fio process: one helper
        logs = [bw_logs(p) for _, p in pairs]
        wakeups = sorted(t for job in logs for log in job for t, _ in log)
        series = [bw_series(job, wakeups) for job in logs]
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
