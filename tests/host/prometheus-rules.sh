#!/usr/bin/env bash
# The example alerting rules (packaging/prometheus/ioband-alerts.yml) with
# Debian's promtool (unpacked by tests/setup.sh): they parse, and their
# unit tests (ioband-alerts.test.yml) fire what they should and nothing
# else.  The Grafana dashboard is valid JSON and queries only metrics the
# exporter serves.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
promtool=$repo/.cache/prometheus/root/usr/bin/promtool
[ -x "$promtool" ] || { echo "not ok - no promtool (tests/setup.sh unpacks it)"; exit 1; }
cd "$repo/packaging/prometheus"
"$promtool" check rules ioband-alerts.yml
"$promtool" test rules ioband-alerts.test.yml
python3 - "$repo/packaging/grafana/ioband-dashboard.json" "$repo/cli/src/metrics.rs" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
served = set(re.findall(r'"(ioband_[a-z_]+)"', open(sys.argv[2]).read()))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
used = set(re.findall(r"ioband_[a-z_]+", " ".join(exprs)))
# counters are served with _total
unknown = {m for m in used if m not in served and m.removesuffix("_total") not in served}
if not exprs or unknown:
    sys.exit("not ok - dashboard queries unknown metrics: %s" % sorted(unknown))
print("ok - dashboard: %d panels, %d queries, metrics all served" % (len(d["panels"]), len(exprs)))
PY
echo "ok - alerting rules: promtool check and unit tests pass"
