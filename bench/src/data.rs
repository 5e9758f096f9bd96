//! Reading what the guest left: meta.txt, runs.tsv, fio JSON and bw logs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// fio's bandwidth log interval (the guest runs fio with --log_avg_msec=250).
pub const LOG_MS: u64 = 250;

/// One fio process: a job of a run (one group).
#[derive(Debug, Clone)]
pub struct Job {
    pub idx: u32,
    pub weight: f64,
    /// bytes moved after the ramp, from fio's JSON
    pub json_bytes: f64,
    pub json_runtime_s: f64,
    pub iops: f64,
    /// mean bytes per I/O, from fio's JSON (0 if it counted none)
    pub bio_bytes: f64,
    /// 99th percentile completion latency, ms
    pub p99_ms: Option<f64>,
    /// KiB/s per log bucket (unix ms / LOG_MS), summed over the job's threads
    pub series: BTreeMap<u64, f64>,
}

/// One fio run: all the jobs of one scenario under one controller, one round.
#[derive(Debug, Clone)]
pub struct Run {
    pub scenario: String,
    pub controller: String,
    pub round: u32,
    pub jobs: Vec<Job>,
}

pub struct Results {
    pub meta: BTreeMap<String, String>,
    pub runs: Vec<Run>,
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `key=value` lines.
pub fn parse_meta(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// What fio's JSON says of one job.
struct FioJob {
    bytes: f64,
    runtime_s: f64,
    iops: f64,
    ios: f64,
    p99_ms: Option<f64>,
}

/// fio's JSON (it may print notes before the document): bytes, runtime,
/// IOPS, I/Os and p99 completion latency of the job (the reporting group:
/// the guest runs each job with new_group and group_reporting) named `name`.
fn parse_fio_json(text: &str, name: &str) -> Result<FioJob, String> {
    let start = text.find('{').ok_or("no JSON document")?;
    let v: serde_json::Value = serde_json::from_str(&text[start..]).map_err(|e| e.to_string())?;
    let job = v["jobs"]
        .as_array()
        .and_then(|a| a.iter().find(|j| j["jobname"] == name))
        .ok_or_else(|| format!("no job {name}"))?;
    let mut bytes = 0.0;
    let mut iops = 0.0;
    let mut ios = 0.0;
    let mut runtime: f64 = 0.0;
    let mut p99: Option<f64> = None;
    for dir in ["read", "write"] {
        let d = &job[dir];
        let b = d["io_bytes"].as_f64().unwrap_or(0.0);
        bytes += b;
        iops += d["iops"].as_f64().unwrap_or(0.0);
        ios += d["total_ios"].as_f64().unwrap_or(0.0);
        runtime = runtime.max(d["runtime"].as_f64().unwrap_or(0.0) / 1000.0);
        if b > 0.0 {
            if let Some(ns) = d["clat_ns"]["percentile"]["99.000000"].as_f64() {
                p99 = Some(p99.unwrap_or(0.0).max(ns / 1e6));
            }
        }
    }
    Ok(FioJob {
        bytes,
        runtime_s: runtime,
        iops,
        ios,
        p99_ms: p99,
    })
}

/// One fio bw log: (unix ms, KiB/s) per entry.
pub type BwLog = Vec<(u64, f64)>;

/// fio bw log lines `time_ms, KiB/s, dir, bs, ...`, sorted by time.
pub fn parse_bw_log(text: &str) -> BwLog {
    let mut out: Vec<(u64, f64)> = text
        .lines()
        .filter_map(|line| {
            let mut f = line.split(',').map(str::trim);
            Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
        })
        .collect();
    out.sort_by_key(|&(t, _)| t);
    out
}

/// Entries this close together came from one wake-up of fio's helper.
const SAME_WAKEUP_MS: u64 = 50;

/// Adds one bw log of a run to `series` (KiB/s per LOG_MS bucket of unix
/// time). Every LOG_MS, fio's helper thread samples each job thread, on
/// the thread's own grid: an entry is the rate since the thread's previous
/// sampling, and a sampling without completions logs nothing. So an entry
/// covers back to the previous entry of its log, unless the gap is longer
/// than a sampling and the helper logged some other thread of the run
/// (`wakeups`: every entry time of the run, sorted) inside it: then this
/// thread was sampled with nothing done, and the entry covers one LOG_MS.
/// When the helper ran late (a busy guest), nobody logged in the gap and
/// the entry covers all of it; counted as one bucket, as before, a
/// wall-clock 6.1 guest lost one bucket in ten. An entry is spread over
/// the buckets it overlaps. The first entry's start is unknown: skipped.
pub fn add_bw_log(log: &[(u64, f64)], wakeups: &[u64], series: &mut BTreeMap<u64, f64>) {
    for w in log.windows(2) {
        let ((p, _), (t, bw)) = (w[0], w[1]);
        let mut from = p;
        if t - p > LOG_MS * 3 / 2 {
            let i = wakeups.partition_point(|&c| c <= p + SAME_WAKEUP_MS);
            if wakeups.get(i).is_some_and(|&c| c + SAME_WAKEUP_MS < t) {
                from = t - LOG_MS;
            }
        }
        while from < t {
            let k = from / LOG_MS;
            let to = t.min((k + 1) * LOG_MS);
            *series.entry(k).or_insert(0.0) += bw * (to - from) as f64 / LOG_MS as f64;
            from = to;
        }
    }
}

/// Each job's buckets in one run (`logs`: per job, its threads' logs). A
/// run is one fio process, whose helper logs all its jobs: every entry of
/// the run is one of the helper's wake-ups.
pub fn run_series(logs: &[Vec<BwLog>]) -> Vec<BTreeMap<u64, f64>> {
    let mut wakeups: Vec<u64> = logs.iter().flatten().flatten().map(|&(t, _)| t).collect();
    wakeups.sort_unstable();
    logs.iter()
        .map(|job| {
            let mut series = BTreeMap::new();
            for log in job {
                add_bw_log(log, &wakeups, &mut series);
            }
            series
        })
        .collect()
}

fn bw_logs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let base = Path::new(prefix);
    let name = base.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir.join(base.parent().unwrap_or(Path::new("")))) else {
        return out;
    };
    for e in rd.flatten() {
        let f = e.file_name();
        let Some(f) = f.to_str() else { continue };
        if let Some(rest) = f.strip_prefix(name) {
            if rest.starts_with("_bw.") && rest.ends_with(".log") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

pub fn load(dir: &Path) -> Result<Results, String> {
    let mut meta = parse_meta(&read(&dir.join("meta.txt"))?);
    // SCEN.rN.settings: the settings message of the scenario's ioband
    // device after bench round N, as meta key "settings.SCEN.rN"
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".settings") {
                let text = read(&e.path())?;
                meta.insert(format!("settings.{stem}"), text.trim().to_string());
            }
        }
    }
    let tsv = read(&dir.join("runs.tsv"))?;
    // each run with its jobs' bw logs (a job's threads log one each)
    let mut runs: Vec<(Run, Vec<Vec<BwLog>>)> = Vec::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 7 {
            return Err(format!("runs.tsv: bad line {line:?}"));
        }
        let (scenario, controller) = (f[0].to_string(), f[1].to_string());
        let round: u32 = f[2].parse().map_err(|_| format!("bad round in {line:?}"))?;
        let idx: u32 = f[3].parse().map_err(|_| format!("bad job in {line:?}"))?;
        let weight: f64 = f[4]
            .parse()
            .map_err(|_| format!("bad weight in {line:?}"))?;
        let (prefix, json) = (f[5], f[6]);
        // a run cut short (guest time limit) leaves jobs without results
        let parsed = read(&dir.join(json)).and_then(|t| parse_fio_json(&t, &format!("j{idx}")));
        let fj = match parsed {
            Ok(v) => v,
            Err(e) => {
                eprintln!("ioband-bench: skipping {prefix}: {e}");
                continue;
            }
        };
        let mut logs = Vec::new();
        for log in bw_logs(dir, prefix) {
            logs.push(parse_bw_log(&read(&log)?));
        }
        let job = Job {
            idx,
            weight,
            json_bytes: fj.bytes,
            json_runtime_s: fj.runtime_s,
            iops: fj.iops,
            bio_bytes: if fj.ios > 0.0 { fj.bytes / fj.ios } else { 0.0 },
            p99_ms: fj.p99_ms,
            series: BTreeMap::new(),
        };
        match runs
            .iter_mut()
            .find(|(r, _)| r.scenario == scenario && r.controller == controller && r.round == round)
        {
            Some((r, l)) => {
                r.jobs.push(job);
                l.push(logs);
            }
            None => runs.push((
                Run {
                    scenario,
                    controller,
                    round,
                    jobs: vec![job],
                },
                vec![logs],
            )),
        }
    }
    let runs = runs
        .into_iter()
        .map(|(mut run, logs)| {
            for (job, series) in run.jobs.iter_mut().zip(run_series(&logs)) {
                job.series = series;
            }
            run
        })
        .collect();
    Ok(Results { meta, runs })
}

impl Run {
    /// The log buckets in which every job was running: shares are measured
    /// only there, so a job that started or stopped early skews nothing.
    pub fn common_window(&self) -> Option<(u64, u64)> {
        let mut lo = 0;
        let mut hi = u64::MAX;
        for j in &self.jobs {
            // a job's first and last buckets may be partial: fio logs the
            // last when the job stops, and in a seed-test run one job's
            // held a fifth of a bucket's I/O (0.4 pp of the split)
            let first = *j.series.keys().next()? + 1;
            let last = j.series.keys().next_back()?.checked_sub(1)?;
            lo = lo.max(first);
            hi = hi.min(last);
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// Seconds the shares are measured over: the common window, else fio's
    /// longest runtime.
    pub fn window_s(&self) -> f64 {
        match self.common_window() {
            Some((lo, hi)) => ((hi - lo + 1) * LOG_MS) as f64 / 1000.0,
            None => self
                .jobs
                .iter()
                .map(|j| j.json_runtime_s)
                .fold(0.0, f64::max),
        }
    }

    /// Bytes per second of each job: over the common window when the logs
    /// give one, else fio's totals.
    pub fn rates(&self) -> Vec<f64> {
        if let Some((lo, hi)) = self.common_window() {
            let n = (hi - lo + 1) as f64;
            return self
                .jobs
                .iter()
                .map(|j| {
                    j.series
                        .range(lo..=hi)
                        .map(|(_, bw)| bw * 1024.0)
                        .sum::<f64>()
                        / n
                })
                .collect();
        }
        self.jobs
            .iter()
            .map(|j| {
                if j.json_runtime_s > 0.0 {
                    j.json_bytes / j.json_runtime_s
                } else {
                    0.0
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(idx: u32, w: f64, pts: &[(u64, f64)]) -> Job {
        Job {
            idx,
            weight: w,
            json_bytes: 0.0,
            json_runtime_s: 0.0,
            iops: 0.0,
            bio_bytes: 0.0,
            p99_ms: None,
            series: pts.iter().copied().collect(),
        }
    }

    /// Each log's buckets, each log one job of the same run.
    fn bucketed(texts: &[&str]) -> Vec<BTreeMap<u64, f64>> {
        let logs: Vec<Vec<BwLog>> = texts.iter().map(|t| vec![parse_bw_log(t)]).collect();
        run_series(&logs)
    }

    #[test]
    fn bw_log_threads_add_up() {
        let s = bucketed(&[
            "1000, 100, 0, 4096, 0\n1250, 100, 0, 4096, 0\n1500, 100, 0, 4096, 0\n",
            "1001, 50, 0, 4096, 0\n1249, 50, 0, 4096, 0\n1501, 50, 0, 4096, 0\n",
        ]);
        // bucket 4 is [1000, 1250): both threads' second entries cover it
        for k in [4, 5] {
            assert!((s[0][&k] + s[1][&k] - 150.0).abs() < 1.0, "{s:?}");
        }
    }

    /// The helper ran late (nobody logged at 750): the entry at 1000 covers
    /// both buckets it spans; counted as one it would lose one of five.
    #[test]
    fn a_late_sampling_covers_its_span() {
        let s = bucketed(&[
            "0, 100\n250, 100\n500, 100\n1000, 100\n1250, 100\n",
            "0, 50\n250, 50\n500, 50\n1000, 50\n1250, 50\n",
        ]);
        assert_eq!(s[0].values().copied().collect::<Vec<_>>(), vec![100.0; 5]);
        assert_eq!(s[1].values().copied().collect::<Vec<_>>(), vec![50.0; 5]);
    }

    /// A thread without completions at a sampling logs nothing: when others
    /// logged inside the gap, the gap is no I/O, not a longer interval.
    #[test]
    fn a_job_without_completions_gets_nothing_for_the_gap() {
        let s = bucketed(&[
            "0, 100\n250, 100\n500, 100\n750, 100\n1000, 100\n",
            "0, 50\n250, 50\n1000, 50\n",
        ]);
        let b: Vec<(u64, f64)> = s[1].iter().map(|(&k, &v)| (k, v)).collect();
        assert_eq!(b, vec![(0, 50.0), (3, 50.0)]);
    }

    #[test]
    fn rates_use_the_common_window() {
        let run = Run {
            scenario: "s".into(),
            controller: "c".into(),
            round: 1,
            jobs: vec![
                // job 1's last bucket is partial: it stopped early in it
                job(
                    1,
                    80.0,
                    &[(1, 999.0), (2, 200.0), (3, 200.0), (4, 200.0), (5, 50.0)],
                ),
                job(
                    2,
                    40.0,
                    &[(2, 999.0), (3, 100.0), (4, 100.0), (5, 100.0), (6, 999.0)],
                ),
            ],
        };
        assert_eq!(run.common_window(), Some((3, 4)));
        assert_eq!(run.window_s(), 0.5);
        assert_eq!(run.rates(), vec![200.0 * 1024.0, 100.0 * 1024.0]);
    }

    #[test]
    fn meta_lines() {
        let m = parse_meta("kernel=6.12.1\nslow=a b=c\n");
        assert_eq!(m["kernel"], "6.12.1");
        assert_eq!(m["slow"], "a b=c");
    }
}
