#!/usr/bin/env bash
# timeout: 1800
# memory: 2G
# In the guest for scripts/overhead-parts.sh: dm-linear, ioband and the
# cut-down copies of ioband (built by that script) on one fast null_blk,
# one fio job each, all in one fio run on the same CPU, the jobs' order
# rotated from run to run.  Prints each job's IOPS against dm-linear's.
. "$REPO/tests/lib/guest.sh"
QD=${BENCH_QD:-1}
REPS=${BENCH_REPS:-6}
load_ioband
fast=$(nullb bfast 1024 memory_backed=0 submit_queues=1 queue/scheduler=none)
sz=$(blockdev --getsz "$fast")
linear_slice lin "$fast" 0 "$sz"
ioband_create ioband "$fast" 1 || die "ioband"
devs=(lin ioband)
for n in 2 3 4; do
	insmod "$REPO/.cache/overhead-parts/$KVER/dm-ioband$n.ko" || die "insmod dm-ioband$n"
	echo "0 $sz ioband$n $fast 1" | dmsetup create "ioband$n" && dmsetup mknodes "ioband$n" ||
		die "create ioband$n"
	devs+=("ioband$n")
done
cpu=$(($(nproc) > 1 ? 1 : 0))
nd=${#devs[@]}
for k in $(seq 0 $((REPS - 1))); do
	args=()
	for i in $(seq 0 $((nd - 1))); do
		d=${devs[$(((i + k) % nd))]}
		args+=(--name="$d" --filename="/dev/mapper/$d")
	done
	fio --direct=1 --ioengine=libaio --time_based --runtime=5 --ramp_time=1 \
		--rw=randread --bs=4k --iodepth="$QD" --cpus_allowed="$cpu" \
		--output-format=json --output="$RESULTS/run$k.json" "${args[@]}" >/dev/null 2>"$RESULTS/run$k.err" ||
		die "fio run $k"
done
python3 - "$RESULTS" "$REPS" "$QD" <<'PY'
import json, statistics, sys
res, reps, qd = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ratios = {}
for k in range(reps):
    jobs = {j["jobname"]: j["read"]["iops"] for j in json.load(open(f"{res}/run{k}.json"))["jobs"]}
    base = jobs.pop("lin")
    print(f"run {k + 1}: dm-linear {base:.0f} IOPS; " +
          "; ".join(f"{n} {v / base * 100:.1f} %" for n, v in jobs.items()))
    for n, v in jobs.items():
        ratios.setdefault(n, []).append(v / base * 100)
print(f"QD {qd}, {reps} runs, IOPS against dm-linear in the same run:")
for n, r in ratios.items():
    print(f"  {n}: median {statistics.median(r):.1f} % ({min(r):.1f}-{max(r):.1f} %)")
PY
for d in "${devs[@]:1}"; do dmsetup remove "$d"; done
for n in 2 3 4; do rmmod "dm_ioband$n"; done
finish
