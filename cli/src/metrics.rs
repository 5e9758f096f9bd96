//! `ioband exporter`'s metrics: a status document ([`crate::render`]) in
//! the Prometheus exposition formats, through the `prometheus-client`
//! crate (its constant metrics: every scrape reads the module afresh).
//!
//! Names follow the Prometheus conventions and sit beside node_exporter's
//! `node_disk_*`: `ioband_` then what is counted, base units (bytes,
//! seconds, ratios 0 to 1), `_total` on counters. Every group's series
//! carry the labels `dm_name`, `dm_device` (its MAJOR:MINOR), `device` (the
//! device below), `device_group`, `type`, `group` (`default` or the id)
//! and `name` (user, unit or cgroup path; empty when none).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::render::{DeviceStatus, GroupRow, StatusDoc};
use crate::target::{CapKey, Caps, GroupId};

/// The labels of a series: (name, value) pairs.
type Labels = Vec<(&'static str, String)>;

/// A sample's value: counts print as integers.
#[derive(Debug, Clone, Copy)]
enum Value {
    Int(u64),
    Float(f64),
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(u64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

/// One metric family: name (without `_total`), help, and its samples.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    counter: bool,
    samples: Vec<(Labels, Value)>,
}

/// The families of one status document, in the order they are printed.
#[derive(Debug, Default)]
struct Families(Vec<Family>);

impl Families {
    /// A sample of family `name` (made on first use).
    fn add(
        &mut self,
        name: &'static str,
        help: &'static str,
        counter: bool,
        l: Labels,
        v: impl Into<Value>,
    ) {
        let v = v.into();
        match self.0.iter_mut().find(|f| f.name == name) {
            Some(f) => f.samples.push((l, v)),
            None => self.0.push(Family {
                name,
                help,
                counter,
                samples: vec![(l, v)],
            }),
        }
    }
}

impl Collector for Families {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        use prometheus_client::metrics::MetricType;
        for f in &self.0 {
            let ty = if f.counter {
                MetricType::Counter
            } else {
                MetricType::Gauge
            };
            let mut m = encoder.encode_descriptor(f.name, f.help, None, ty)?;
            for (l, v) in &f.samples {
                let e = m.encode_family(l)?;
                match (f.counter, *v) {
                    (true, Value::Int(n)) => ConstCounter::new(n).encode(e)?,
                    (true, Value::Float(x)) => ConstCounter::new(x).encode(e)?,
                    (false, Value::Int(n)) => ConstGauge::new(n).encode(e)?,
                    (false, Value::Float(x)) => ConstGauge::new(x).encode(e)?,
                }
            }
        }
        Ok(())
    }
}

/// The labels that name device `d`.
fn device_labels(d: &DeviceStatus) -> Labels {
    vec![
        ("dm_name", d.name.clone()),
        ("dm_device", format!("{}:{}", d.major, d.minor)),
        ("device", d.device.clone()),
        ("device_group", d.device_group.to_string()),
        ("type", d.group_type.clone()),
    ]
}

/// The labels of group `r` of device `d`.
fn group_labels(d: &DeviceStatus, r: &GroupRow) -> Labels {
    let mut l = device_labels(d);
    let group = match r.id {
        GroupId::Default => "default".into(),
        GroupId::Id(id) => id.to_string(),
    };
    l.push(("group", group));
    l.push(("name", r.name.clone().unwrap_or_default()));
    l
}

/// The rates of `caps` (caps or floors) as samples of two families: bytes
/// per second and I/O per second, each with a `direction` label.
fn rates(fs: &mut Families, floors: bool, caps: &Caps, l: &Labels) {
    for (k, v) in caps.iter() {
        let direction = match k {
            CapKey::ReadBps | CapKey::ReadIops => "read",
            CapKey::WriteBps | CapKey::WriteIops => "write",
            CapKey::Bps | CapKey::Iops => "both",
        };
        let mut l = l.clone();
        l.push(("direction", direction.into()));
        let (name, help) = match (floors, k.is_bps()) {
            (false, true) => (
                "ioband_group_cap_bytes_per_second",
                "The group's cap: the most bytes it may move per second",
            ),
            (false, false) => (
                "ioband_group_cap_iops",
                "The group's cap: the most I/O requests it may send per second",
            ),
            (true, true) => (
                "ioband_group_floor_bytes_per_second",
                "The group's floor: the bytes per second it gets at least while it has I/O waiting",
            ),
            (true, false) => (
                "ioband_group_floor_iops",
                "The group's floor: the I/O requests per second it gets at least while it has I/O waiting",
            ),
        };
        fs.add(name, help, false, l, v);
    }
}

/// Every series of `doc`.
fn families(doc: &StatusDoc) -> Families {
    let mut fs = Families::default();
    for d in &doc.devices {
        let mut dl = device_labels(d);
        dl.push(("policy", d.policy.clone()));
        fs.add(
            "ioband_device_info",
            "An ioband device: its names, the device below, its device group, group type and policy",
            false,
            dl,
            1u64,
        );
        let l: Labels = vec![("dm_name", d.name.clone())];
        let (limit, throttle) = match &d.limits {
            Some(x) => (x.io_limit.effective, x.io_throttle.effective),
            None => (Some(d.io_limit), Some(d.io_throttle)),
        };
        if let Some(v) = limit {
            fs.add(
                "ioband_device_io_limit",
                "Bios in flight before all of the device group's I/O waits (in force)",
                false,
                l.clone(),
                v,
            );
        }
        if let Some(v) = throttle {
            fs.add(
                "ioband_device_io_throttle",
                "Bios in flight before the device group's weights apply (in force)",
                false,
                l.clone(),
                v,
            );
        }
        if let Some(v) = d.nowait_again {
            fs.add(
                "ioband_device_nowait_again",
                "Bios that asked not to wait (io_uring, AIO) and were sent back to retry",
                true,
                l,
                v,
            );
        }
        for r in &d.groups {
            group_families(&mut fs, d, r);
        }
    }
    fs
}

/// The series of group `r` of device `d`.
fn group_families(fs: &mut Families, d: &DeviceStatus, r: &GroupRow) {
    let l = group_labels(d, r);
    let c = [
        (
            "ioband_group_reads",
            "Read requests the group sent",
            r.read.requests,
        ),
        (
            "ioband_group_read_bytes",
            "Bytes the group read",
            r.read.bytes,
        ),
        (
            "ioband_group_reads_delayed",
            "Read requests ioband held back before sending them down",
            r.read.delayed,
        ),
        (
            "ioband_group_writes",
            "Write requests the group sent",
            r.write.requests,
        ),
        (
            "ioband_group_written_bytes",
            "Bytes the group wrote",
            r.write.bytes,
        ),
        (
            "ioband_group_writes_delayed",
            "Write requests ioband held back before sending them down",
            r.write.delayed,
        ),
    ];
    for (name, help, v) in c {
        fs.add(name, help, true, l.clone(), v);
    }
    if let Some(w) = r.weight {
        fs.add(
            "ioband_group_weight",
            "The group's weight",
            false,
            l.clone(),
            w,
        );
    }
    if let Some(w) = r.write_weight {
        fs.add(
            "ioband_group_write_weight",
            "The weight of the group's writes, where it has one",
            false,
            l.clone(),
            w,
        );
    }
    if let Some(ppm) = r.share_ppm {
        fs.add(
            "ioband_group_share_ratio",
            "The group's configured share of its device group (0 to 1): what its weight gives it while every group is busy",
            false,
            l.clone(),
            ppm as f64 / 1e6,
        );
    }
    if let Some(p) = r.rate.and_then(|x| x.achieved_percent) {
        fs.add(
            "ioband_group_achieved_share_ratio",
            "The group's share of its device group's I/O since the previous scrape (0 to 1), counted as its policy counts: requests, or bytes under fair-iosize and weight-iosize",
            false,
            l.clone(),
            p / 100.0,
        );
    }
    rates(fs, false, &r.caps.0, &l);
    rates(fs, true, &r.floors.0, &l);
    if let Some(n) = r.cap_waits {
        fs.add(
            "ioband_group_cap_waits",
            "Times the group's caps held it back",
            true,
            l.clone(),
            n,
        );
    }
    if let Some(us) = r.cap_wait_us {
        fs.add(
            "ioband_group_cap_wait_seconds",
            "Time the group's caps held it back",
            true,
            l.clone(),
            us as f64 / 1e6,
        );
    }
    if let Some(now) = r.capped_now {
        fs.add(
            "ioband_group_capped",
            "1 while the group's caps hold it back, else 0",
            false,
            l.clone(),
            u64::from(now),
        );
    }
    if let Some(us) = r.floor_lag_us {
        fs.add(
            "ioband_group_floor_lag_seconds",
            "How far behind its floors the group's waiting I/O is (0 while they hold)",
            false,
            l.clone(),
            us as f64 / 1e6,
        );
    }
    fs.add(
        "ioband_group_idle_class",
        "1 for a group of the idle class, 0 for a normal one",
        false,
        l,
        u64::from(r.class.is_idle()),
    );
}

/// `doc` in the OpenMetrics text format (what Prometheus asks for first),
/// ending with `# EOF`.
pub fn openmetrics(doc: &StatusDoc) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(families(doc)));
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

/// `doc` in the Prometheus text format 0.0.4, which node_exporter's
/// textfile collector reads: OpenMetrics but for a counter's HELP and
/// TYPE, which name the samples (`x_total`), and without `# EOF`.
pub fn prometheus_text(doc: &StatusDoc) -> String {
    let om = openmetrics(doc);
    let counters: Vec<&str> = om
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(om.len() + 16 * counters.len());
    for line in om.lines() {
        if line == "# EOF" {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(&name)
                .then(|| format!("{p}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// The content types of the two formats.
pub const OPENMETRICS_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// Prometheus text format 0.0.4.
pub const PROMETHEUS_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
