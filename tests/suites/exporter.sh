#!/usr/bin/env bash
# `ioband exporter` against a real Prometheus server (Debian's, unpacked
# by tests/setup.sh into .cache/prometheus) on loopback: ib1 (weight 80)
# and ib2 (weight 40) share a bottleneck disk (10 ms a bio, 4 tags); fio
# reads both; Prometheus scrapes the exporter every second; PromQL over
# its HTTP API must return the configured shares (2/3, 1/3) and a read
# rate within 10 % of what fio measured for each device.  Also the
# textfile output, and the errors for an address in use and an
# unwritable textfile.
# estimate: 150
# timeout: 600
. "$REPO/tests/lib/guest.sh"
[ -x "$IOBAND" ] || die "no ioband binary at $IOBAND (cargo build --release)"
PROM=$REPO/.cache/prometheus/root/usr/bin/prometheus
[ -x "$PROM" ] || die "no prometheus at $PROM (tests/setup.sh unpacks it)"
PORT=9861
W=$RESULTS/exporter
mkdir -p "$W"
RT=24
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	dmsetup remove ib1 2>/dev/null
	dmsetup remove ib2 2>/dev/null
}
trap cleanup EXIT

load_ioband
disk=$(nullb exp 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
partition "$disk" 2 1024000
ioband_create ib1 "${disk}1" 1 || die "ib1"
ioband_create ib2 "${disk}2" 1 || die "ib2"
dmsetup message ib1 0 weight 80
dmsetup message ib2 0 weight 40
udev_settle

# query PROMQL [TIME]: the first result's value, or "" (python reads the JSON)
query() {
	local url="http://127.0.0.1:9090/api/v1/query"
	curl -sf --get "$url" --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"} |
		python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}
near() { python3 -c "import sys; sys.exit(not abs($1 - $2) <= $3 * abs($2))"; }

"$IOBAND" exporter --listen 127.0.0.1:$PORT 2>"$W/exporter.err" &
pids+=($!)
check "the exporter answers /metrics" wait_for "curl -sf http://127.0.0.1:$PORT/metrics >/dev/null" $((20 * SLOWDOWN))
m=$(curl -sf http://127.0.0.1:$PORT/metrics)
check "... in the text format 0.0.4" grep -q '^# TYPE ioband_group_reads_total counter$' <<<"$m"
om=$(curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' http://127.0.0.1:$PORT/metrics)
check "... and in OpenMetrics when asked" grep -qx '# EOF' <<<"$om"

# a second exporter on the same address: a clear error, exit non-zero
if err=$("$IOBAND" exporter --listen 127.0.0.1:$PORT 2>&1); then
	not_ok "a second exporter on 127.0.0.1:$PORT should fail"
else
	check "an address in use is named in the error" grep -q -- "--listen 127.0.0.1:$PORT" <<<"$err"
fi
if err=$("$IOBAND" exporter --textfile /proc/ioband-no/x.prom --once 2>&1); then
	not_ok "an unwritable textfile should fail"
else
	check "an unwritable textfile is named in the error" grep -q -- "--textfile /proc/ioband-no/x.prom: cannot write" <<<"$err"
fi
check "--textfile --once writes the text format" "$IOBAND" exporter --textfile "$W/ioband.prom" --once
check "... ib1's default group is in it" grep -q '^ioband_group_weight{dm_name="ib1",.*group="default".*} 80$' "$W/ioband.prom"
check "... and nothing is left beside it" test "$(ls "$W" | grep -c ioband-tmp)" = 0

cat >"$W/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ioband
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
EOF
"$PROM" --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/tsdb" \
	--web.listen-address=127.0.0.1:9090 >"$W/prometheus.log" 2>&1 &
pids+=($!)
check "prometheus is up" wait_for "curl -sf http://127.0.0.1:9090/-/ready >/dev/null" $((60 * SLOWDOWN))
check "prometheus scrapes the exporter" wait_for \
	"[ \"\$(query 'up{job=\"ioband\"}')\" = 1 ]" $((30 * SLOWDOWN))

# both devices read at once; fio's own figures per device
fio --name=ib1 --filename=/dev/mapper/ib1 --rw=randread --bs=16k --direct=1 --ioengine=libaio \
	--iodepth=16 --runtime=$RT --time_based --output-format=json --output="$W/fio-ib1.json" \
	--name=ib2 --filename=/dev/mapper/ib2 --rw=randread --bs=16k --direct=1 --ioengine=libaio \
	--iodepth=16 --runtime=$RT --time_based >/dev/null &
fio_pid=$!
t0=$(date +%s)
wait $fio_pid
# the middle of the run, where both read: a rate over 12 s there
mid=$((t0 + RT / 2 + 6))
sleep 3
read -r b1 b2 <<<"$(python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))["jobs"]
print(j[0]["read"]["bw_bytes"], j[1]["read"]["bw_bytes"])' "$W/fio-ib1.json")"
echo "# fio: ib1 $b1 B/s, ib2 $b2 B/s"
s1=$(query 'ioband_group_share_ratio{dm_name="ib1",group="default"}')
s2=$(query 'ioband_group_share_ratio{dm_name="ib2",group="default"}')
echo "# PromQL ioband_group_share_ratio: ib1 $s1, ib2 $s2"
check "PromQL: ib1's configured share is 2/3" near "${s1:-0}" 0.666667 0.001
check "PromQL: ib2's configured share is 1/3" near "${s2:-0}" 0.333333 0.001
r1=$(query 'rate(ioband_group_read_bytes_total{dm_name="ib1",group="default"}[12s])' "$mid")
r2=$(query 'rate(ioband_group_read_bytes_total{dm_name="ib2",group="default"}[12s])' "$mid")
echo "# PromQL rate(ioband_group_read_bytes_total[12s]) at fio's middle: ib1 ${r1:-none}, ib2 ${r2:-none}"
check "PromQL: ib1's read rate is within 10 % of fio's" near "${r1:-0}" "$b1" 0.10
check "PromQL: ib2's read rate is within 10 % of fio's" near "${r2:-0}" "$b2" 0.10
a1=$(query 'avg_over_time(ioband_group_achieved_share_ratio{dm_name="ib1",group="default"}[12s])' "$mid")
echo "# PromQL achieved share of ib1 at fio's middle: ${a1:-none}"
check "PromQL: ib1 achieved its share (2/3 within 5 points)" near "${a1:-0}" 0.666667 0.075
check_eq "the exporter logged no error" "" "$(grep -v '^ioband exporter: serving' "$W/exporter.err")"

cleanup
trap - EXIT
pids=()
check "unload" unload_ioband
finish
