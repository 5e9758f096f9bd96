//! Test fakes (compiled only for tests): an in-memory device-mapper with an
//! ioband target ([`FakeDm`]), name lookups from a table ([`StaticNames`])
//! and a system with fixed devices and a clock that moves on sleep
//! ([`FakeSystem`]).
//!
//! [`FakeDm`] follows the kernel's text contract: tables are validated when
//! loaded, `table` prints the kernel's canonical form (`Config::to_kernel_params`),
//! messages are validated and applied with the same errno values the module
//! uses, and `status` prints the counters. Tests drive I/O with
//! [`FakeDm::record_io`]. The queries `shares` and `settings` are answered
//! as the module answers them; for `settings`, an auto io_limit follows the
//! deepest device below the device group's resumed devices, as set with
//! [`FakeDm::set_queue_depth`] (0, unknown, unless set; 128 while none is
//! known), and `queue_depth` and `nowait_again` are the asked device's own.
//! `limit` and `floor` set or clear caps and floors as the module does
//! (only the keys named change; the table prints them), `class` sets the
//! class, `write_weight` the weight of a group's writes; each refuses with
//! EINVAL what the module refuses (a floor above its cap, a floor on an
//! idle group, a group not attached, a weight out of range). `limits` answers with each group's
//! caps, floors and class, the parked counters set with
//! [`FakeDm::record_cap_wait`] and the floor lag set with
//! [`FakeDm::set_floor_lag`] (or, with [`FakeDm::set_floors_supported`]
//! false, as a module without floors: five fields).

mod names;
mod system;

pub use names::StaticNames;
pub use system::FakeSystem;

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::dm::{errno, DevEntry, DevInfo, DmBackend, DmError, RemoveOptions, TargetVersion};
use crate::target::{
    parse_major_minor, CapRecord, Config, FloorRecord, GroupId, GroupShare, GroupStats, GroupType,
    GroupWeight, Limits, Message, Settings, Shares, Status, Target, DEFAULT_IO_LIMIT, MAX_IO_LIMIT,
    MAX_TOKEN, MAX_WEIGHT, MIN_IO_LIMIT, TARGET_NAME,
};

#[derive(Debug, Clone)]
enum FakeTarget {
    Ioband {
        start: u64,
        length: u64,
        cfg: Config,
        stats: Vec<GroupStats>,
        /// Which numbers the table set explicitly (others are inherited
        /// from the device group).
        explicit: [bool; 3],
    },
    Other(Target),
}

#[derive(Debug, Clone)]
struct FakeDev {
    major: u32,
    minor: u32,
    uuid: Option<String>,
    suspended: bool,
    open_count: i32,
    deferred_remove: bool,
    live: Option<Vec<FakeTarget>>,
    inactive: Option<Vec<FakeTarget>>,
    event_nr: u32,
}

#[derive(Debug, Default)]
struct State {
    devices: BTreeMap<String, FakeDev>,
    block_devices: BTreeMap<String, (u32, u32, u64)>,
    next_minor: u32,
    ioband_version: Option<(u32, u32, u32)>,
    log: Vec<String>,
    /// The cgroup tree: a cgroup id's parent cgroup id.
    cgroup_parent: BTreeMap<u64, u64>,
    /// An old module: the `shares` message is unknown (EINVAL).
    no_shares: bool,
    /// An old module: the `settings` message is unknown (EINVAL).
    no_settings: bool,
    /// Queue depth of the block devices below, by device number.
    queue_depth: BTreeMap<(u32, u32), u32>,
    /// REQ_NOWAIT bios refused with EAGAIN, per device (the module counts
    /// per target).
    nowait_again: BTreeMap<String, u64>,
    /// An old module: the `limits` message is unknown (EINVAL).
    no_limits: bool,
    /// Per device and group: times parked, microseconds parked, parked now.
    cap_waits: BTreeMap<(String, GroupId), (u64, u64, bool)>,
    /// Per device and group: microseconds behind its floors.
    floor_lag: BTreeMap<(String, GroupId), u64>,
    /// A module without floors: `limits` prints five fields per group.
    no_floors: bool,
}

impl State {
    /// Device `name`, or ENXIO for `op`.
    fn device(&self, op: &'static str, name: &str) -> Result<&FakeDev, DmError> {
        self.devices
            .get(name)
            .ok_or_else(|| DmError::errno(op, Some(name), errno::ENXIO))
    }

    /// Device `name`, to change, or ENXIO for `op`.
    fn device_mut(&mut self, op: &'static str, name: &str) -> Result<&mut FakeDev, DmError> {
        self.devices
            .get_mut(name)
            .ok_or_else(|| DmError::errno(op, Some(name), errno::ENXIO))
    }
}

/// The fake backend.
#[derive(Debug)]
pub struct FakeDm {
    st: RefCell<State>,
}

impl Default for FakeDm {
    fn default() -> Self {
        Self::new()
    }
}

const DM_MAJOR: u32 = 254;

impl FakeDm {
    /// An empty device-mapper with the ioband target v1.0.0 loaded and two
    /// block devices, `/dev/sda1` (8:1) and `/dev/sda2` (8:2), 1 GiB each.
    pub fn new() -> Self {
        let f = FakeDm {
            st: RefCell::new(State {
                ioband_version: Some((1, 0, 0)),
                ..State::default()
            }),
        };
        f.add_block_device("/dev/sda1", 8, 1, 2_097_152);
        f.add_block_device("/dev/sda2", 8, 2, 2_097_152);
        f
    }

    /// Make a block device known (path, numbers, size in sectors).
    pub fn add_block_device(&self, path: &str, major: u32, minor: u32, sectors: u64) {
        self.st
            .borrow_mut()
            .block_devices
            .insert(path.to_string(), (major, minor, sectors));
    }

    /// Pretend the module is (not) loaded.
    pub fn set_ioband_loaded(&self, loaded: bool) {
        self.st.borrow_mut().ioband_version = loaded.then_some((1, 0, 0));
    }

    /// Make cgroup `parent` the parent of cgroup `child` in the cgroup
    /// tree, as the target sees it when it nests the groups of type cgroup.
    pub fn set_cgroup_parent(&self, child: u64, parent: u64) {
        self.st.borrow_mut().cgroup_parent.insert(child, parent);
    }

    /// Pretend the module is too old to know the `shares` message.
    pub fn set_shares_supported(&self, supported: bool) {
        self.st.borrow_mut().no_shares = !supported;
    }

    /// Pretend the module is too old to know the `settings` message.
    pub fn set_settings_supported(&self, supported: bool) {
        self.st.borrow_mut().no_settings = !supported;
    }

    /// Pretend the module is too old to know the `limits` message.
    pub fn set_limits_supported(&self, supported: bool) {
        self.st.borrow_mut().no_limits = !supported;
    }

    /// Pretend the module has no floors (its `limits` records have five
    /// fields).
    pub fn set_floors_supported(&self, supported: bool) {
        self.st.borrow_mut().no_floors = !supported;
    }

    /// How far (microseconds) group `id` of device `name` is behind its
    /// floors, as `limits` says.
    pub fn set_floor_lag(&self, name: &str, id: GroupId, us: u64) {
        self.st
            .borrow_mut()
            .floor_lag
            .insert((name.to_string(), id), us);
    }

    /// Count `waits` more times group `id` of device `name` was parked by
    /// its caps, `us` more microseconds parked, and whether it is now.
    pub fn record_cap_wait(&self, name: &str, id: GroupId, waits: u64, us: u64, now: bool) {
        let mut st = self.st.borrow_mut();
        let e = st.cap_waits.entry((name.to_string(), id)).or_default();
        e.0 += waits;
        e.1 += us;
        e.2 = now;
    }

    /// Set the queue depth of block device `major:minor` (0: unknown, as
    /// for a stacked device).
    pub fn set_queue_depth(&self, major: u32, minor: u32, depth: u32) {
        self.st
            .borrow_mut()
            .queue_depth
            .insert((major, minor), depth);
    }

    /// Count `n` REQ_NOWAIT bios that device `name` refused with EAGAIN.
    pub fn record_nowait_again(&self, name: &str, n: u64) {
        *self
            .st
            .borrow_mut()
            .nowait_again
            .entry(name.to_string())
            .or_default() += n;
    }

    /// Set the open count of a device (to test busy removal).
    pub fn set_open_count(&self, name: &str, n: i32) {
        let mut st = self.st.borrow_mut();
        let gone = match st.devices.get_mut(name) {
            Some(d) => {
                d.open_count = n;
                n == 0 && d.deferred_remove
            }
            None => false,
        };
        if gone {
            st.devices.remove(name);
        }
    }

    /// The operations performed so far, e.g. `message ioband1 weight 40`.
    pub fn log(&self) -> Vec<String> {
        self.st.borrow().log.clone()
    }

    /// Account I/O to a group of an ioband device, as the target would.
    /// Returns false if there is no such device or group.
    pub fn record_io(
        &self,
        name: &str,
        id: GroupId,
        reads: u64,
        read_sectors: u64,
        writes: u64,
        write_sectors: u64,
    ) -> bool {
        let mut st = self.st.borrow_mut();
        let Some(dev) = st.devices.get_mut(name) else {
            return false;
        };
        let Some(live) = dev.live.as_mut() else {
            return false;
        };
        for t in live.iter_mut() {
            if let FakeTarget::Ioband { stats, .. } = t {
                if let Some(g) = stats.iter_mut().find(|g| g.id == id) {
                    g.read_reqs += reads;
                    g.read_delayed += reads / 2;
                    g.read_sectors += read_sectors;
                    g.write_reqs += writes;
                    g.write_delayed += writes / 2;
                    g.write_sectors += write_sectors;
                    return true;
                }
            }
        }
        false
    }

    fn parse_targets(st: &State, name: &str, table: &[Target]) -> Result<Vec<FakeTarget>, DmError> {
        let op = "load table";
        if table.is_empty() {
            return Err(DmError::errno(op, Some(name), errno::EINVAL));
        }
        let mut out = Vec::new();
        for t in table {
            if t.target_type == TARGET_NAME {
                if st.ioband_version.is_none() {
                    return Err(DmError::errno(op, Some(name), errno::EINVAL));
                }
                let line = t
                    .to_ioband()
                    .map_err(|e| DmError::other(op, Some(name), e.to_string()))
                    .map_err(|mut e| {
                        e.errno = Some(errno::EINVAL);
                        e
                    })?;
                let (maj, min) = Self::lookup_dev(st, &line.params.device)
                    .ok_or_else(|| DmError::errno(op, Some(name), errno::ENXIO))?;
                let mut cfg = Config::from(&line.params);
                cfg.device = format!("{maj}:{min}");
                if cfg.io_throttle >= cfg.io_limit || cfg.io_limit > MAX_IO_LIMIT {
                    return Err(DmError::errno(op, Some(name), errno::EINVAL));
                }
                let explicit = [
                    matches!(line.params.io_throttle, Some(v) if v > 0),
                    matches!(line.params.io_limit, Some(v) if v > 0),
                    matches!(&line.params.extended, Some(e) if e.token > 0),
                ];
                let mut stats = vec![GroupStats::zero(GroupId::Default)];
                stats.extend(
                    cfg.groups
                        .iter()
                        .map(|g| GroupStats::zero(GroupId::Id(g.id))),
                );
                out.push(FakeTarget::Ioband {
                    start: line.start,
                    length: line.length,
                    cfg,
                    stats,
                    explicit,
                });
            } else if ["linear", "zero", "error", "striped"].contains(&t.target_type.as_str()) {
                out.push(FakeTarget::Other(t.clone()));
            } else {
                return Err(DmError::errno(op, Some(name), errno::EINVAL));
            }
        }
        Ok(out)
    }

    /// The live table of device `name`, one line per target as `line`
    /// prints it (ENXIO, for `op`, when there is no such device).
    fn live_lines(
        &self,
        op: &'static str,
        name: &str,
        line: impl Fn(&FakeTarget) -> Target,
    ) -> Result<Vec<Target>, DmError> {
        let st = self.st.borrow();
        let d = st.device(op, name)?;
        Ok(d.live.iter().flatten().map(line).collect())
    }

    fn lookup_dev(st: &State, dev: &str) -> Option<(u32, u32)> {
        if let Some(number) = parse_major_minor(dev) {
            return Some(number);
        }
        st.block_devices.get(dev).map(|&(a, b, _)| (a, b))
    }

    /// Apply device-group wide settings of a newly activated table to its
    /// siblings, or inherit theirs.
    fn join_group(st: &mut State, name: &str) {
        let Some(dev) = st.devices.get(name) else {
            return;
        };
        let Some(FakeTarget::Ioband { cfg, explicit, .. }) =
            dev.live.as_ref().and_then(|l| l.first())
        else {
            return;
        };
        let (group, mine, explicit) = (
            cfg.device_group,
            [cfg.io_throttle, cfg.io_limit, cfg.token],
            *explicit,
        );
        let mut inherited = None;
        for (other, d) in st.devices.iter() {
            if other == name {
                continue;
            }
            if let Some(FakeTarget::Ioband { cfg, .. }) = d.live.as_ref().and_then(|l| l.first()) {
                if cfg.device_group == group {
                    inherited = Some([cfg.io_throttle, cfg.io_limit, cfg.token]);
                    break;
                }
            }
        }
        let mut values = mine;
        if let Some(inh) = inherited {
            for i in 0..3 {
                if !explicit[i] {
                    values[i] = inh[i];
                }
            }
        }
        Self::set_group_values(st, group, |c| {
            c.io_throttle = values[0];
            c.io_limit = values[1];
            c.token = values[2];
        });
    }

    fn set_group_values(st: &mut State, group: u32, f: impl Fn(&mut Config)) {
        for d in st.devices.values_mut() {
            if let Some(live) = d.live.as_mut() {
                for t in live.iter_mut() {
                    if let FakeTarget::Ioband { cfg, .. } = t {
                        if cfg.device_group == group {
                            f(cfg);
                        }
                    }
                }
            }
        }
    }

    fn do_resume(st: &mut State, name: &str) -> Result<DevInfo, DmError> {
        let dev = st.device_mut("resume", name)?;
        let swapped = if let Some(t) = dev.inactive.take() {
            dev.live = Some(t);
            dev.event_nr += 1;
            true
        } else {
            false
        };
        dev.suspended = false;
        if swapped {
            Self::join_group(st, name);
        }
        Self::info_of(st, name, "resume")
    }

    fn info_of(st: &State, name: &str, op: &'static str) -> Result<DevInfo, DmError> {
        let d = st.device(op, name)?;
        Ok(DevInfo {
            name: name.to_string(),
            uuid: d.uuid.clone(),
            major: d.major,
            minor: d.minor,
            open_count: d.open_count,
            suspended: d.suspended,
            live_table: d.live.is_some(),
            inactive_table: d.inactive.is_some(),
            event_nr: d.event_nr,
        })
    }

    /// The reply to `shares`, computed as the module does: groups of type
    /// cgroup nest under the group of their cgroup's nearest attached
    /// ancestor; each group's weight splits its parent's share with its
    /// siblings and the parent itself, every group counted as busy, over
    /// the resumed devices of the device group.
    fn shares_reply(st: &State, name: &str) -> Result<Shares, DmError> {
        struct Node<'a> {
            dev: &'a str,
            id: GroupId,
            weight: u64,
            parent: Option<usize>,
        }
        let einval = || DmError::errno("message", Some(name), errno::EINVAL);
        let live = |d: &FakeDev| match d.live.as_ref().and_then(|l| l.first()) {
            Some(FakeTarget::Ioband { cfg, .. }) => Some(cfg.clone()),
            _ => None,
        };
        let me = st.device("message", name)?;
        let group = live(me).ok_or_else(einval)?.device_group;
        let mut nodes: Vec<Node> = Vec::new();
        for (n, d) in &st.devices {
            let Some(c) = live(d) else { continue };
            if c.device_group != group {
                continue;
            }
            let base = nodes.len();
            let weights = std::iter::once((GroupId::Default, c.default_weight))
                .chain(c.groups.iter().map(|g| (GroupId::Id(g.id), g.weight)));
            for (id, w) in weights {
                nodes.push(Node {
                    dev: n,
                    id,
                    weight: u64::from(w),
                    parent: None,
                });
            }
            if c.group_type != GroupType::Cgroup {
                continue;
            }
            for (k, g) in c.groups.iter().enumerate() {
                let mut up = st.cgroup_parent.get(&g.id);
                for _ in 0..64 {
                    let Some(p) = up else { break };
                    if let Some(j) = c.groups.iter().position(|x| x.id == *p) {
                        nodes[base + 1 + k].parent = Some(base + 1 + j);
                        break;
                    }
                    up = st.cgroup_parent.get(p);
                }
            }
        }
        // Suspended devices count nothing (their groups get 0).
        let counts = |n: &Node| st.devices.get(n.dev).is_some_and(|d| !d.suspended);
        let mut hsum: Vec<u64> = nodes
            .iter()
            .map(|n| if counts(n) { n.weight } else { 0 })
            .collect();
        let mut top = 0;
        for n in nodes.iter().filter(|n| counts(n)) {
            match n.parent {
                Some(p) => hsum[p] += n.weight,
                None => top += n.weight,
            }
        }
        const ONE: u64 = 1 << 20;
        let share = |i: usize| -> u64 {
            if !counts(&nodes[i]) || hsum[i] == 0 {
                return 0;
            }
            let mut s = ONE * nodes[i].weight / hsum[i];
            let mut x = Some(i);
            while let Some(j) = x {
                let of = nodes[j].parent.map(|p| hsum[p]).unwrap_or(top);
                s = s * nodes[j].weight / of.max(1);
                x = nodes[j].parent;
            }
            s * 1_000_000 / ONE
        };
        let groups = (0..nodes.len())
            .filter(|&i| nodes[i].dev == name)
            .map(|i| GroupShare {
                id: nodes[i].id,
                parent: nodes[i].parent.and_then(|p| match nodes[p].id {
                    GroupId::Id(id) => Some(id),
                    GroupId::Default => None,
                }),
                ppm: share(i),
            })
            .collect();
        Ok(Shares { groups })
    }

    /// The reply to `settings`: the device group's values as configured,
    /// and as in force: auto follows the deepest device below the group's
    /// resumed devices (at least 2; 128 while none is known), io_throttle
    /// stays below io_limit; the asked device's own depth and count.
    fn settings_reply(st: &State, name: &str) -> Result<Settings, DmError> {
        let live = |d: &FakeDev| match d.live.as_ref().and_then(|l| l.first()) {
            Some(FakeTarget::Ioband { cfg, .. }) => Some(cfg.clone()),
            _ => None,
        };
        let Some(cfg) = live(st.device("message", name)?) else {
            return Err(DmError::errno("message", Some(name), errno::EINVAL));
        };
        let depth_of = |c: &Config| {
            parse_major_minor(&c.device)
                .and_then(|n| st.queue_depth.get(&n).copied())
                .unwrap_or(0)
        };
        let deepest = st
            .devices
            .values()
            .filter(|d| !d.suspended)
            .filter_map(live)
            .filter(|c| c.device_group == cfg.device_group)
            .map(|c| depth_of(&c))
            .max()
            .unwrap_or(0);
        let auto = cfg.io_limit_setting().is_auto();
        let limit = match (auto, deepest) {
            (true, 0) => DEFAULT_IO_LIMIT,
            (true, d) => d.max(MIN_IO_LIMIT),
            (false, _) => cfg.io_limit,
        };
        Ok(Settings {
            policy: Some(cfg.policy),
            token: Some(cfg.token),
            io_throttle: Some(cfg.io_throttle),
            io_limit: Some(cfg.io_limit),
            io_limit_auto: Some(auto),
            effective_io_throttle: Some(cfg.io_throttle.min(limit - 1)),
            effective_io_limit: Some(limit),
            queue_depth: Some(depth_of(&cfg)),
            nowait_again: Some(st.nowait_again.get(name).copied().unwrap_or(0)),
            other: Vec::new(),
        })
    }

    /// The reply to `limits`: each group's caps, parked counters, floors,
    /// floor lag and class, default group first, then attach order.
    fn limits_reply(st: &State, name: &str) -> Result<Limits, DmError> {
        let Some(FakeTarget::Ioband { cfg, .. }) = st
            .device("message", name)?
            .live
            .as_ref()
            .and_then(|l| l.first())
        else {
            return Err(DmError::errno("message", Some(name), errno::EINVAL));
        };
        let groups = std::iter::once(GroupId::Default)
            .chain(cfg.groups.iter().map(|g| GroupId::Id(g.id)))
            .map(|id| {
                let (w, us, now) = st
                    .cap_waits
                    .get(&(name.to_string(), id))
                    .copied()
                    .unwrap_or_default();
                let key = (name.to_string(), id);
                let l = cfg.limits_of(id);
                CapRecord {
                    id,
                    caps: l.caps,
                    cap_waits: w,
                    cap_wait_us: us,
                    capped_now: now,
                    floor: (!st.no_floors).then(|| FloorRecord {
                        floors: l.floors,
                        floor_lag_us: st.floor_lag.get(&key).copied().unwrap_or(0),
                        idle: l.idle,
                    }),
                    more: None,
                }
            })
            .collect();
        Ok(Limits { groups })
    }

    fn apply(st: &mut State, name: &str, text: &str) -> Result<(), DmError> {
        let op = "message";
        let einval = || DmError::errno(op, Some(name), errno::EINVAL);
        let msg: Message = text.parse().map_err(|_| einval())?;
        let group = match st.devices.get(name) {
            None => return Err(DmError::errno(op, Some(name), errno::ENXIO)),
            Some(d) => match d.live.as_ref().and_then(|l| l.first()) {
                Some(FakeTarget::Ioband { cfg, .. }) => cfg.device_group,
                _ => return Err(einval()),
            },
        };
        // io_throttle, io_limit and token belong to the whole device group.
        let (cur_throttle, cur_limit) = match st.devices.get(name).and_then(|d| d.live.as_ref()) {
            Some(l) => match l.first() {
                Some(FakeTarget::Ioband { cfg, .. }) => (cfg.io_throttle, cfg.io_limit),
                _ => return Err(einval()),
            },
            None => return Err(einval()),
        };
        let shared = match msg {
            Message::IoThrottle(v) if v >= cur_limit => return Err(einval()),
            Message::IoLimit(v) if v <= cur_throttle || v > MAX_IO_LIMIT => return Err(einval()),
            Message::Token(v) if v > MAX_TOKEN => return Err(einval()),
            Message::Weight { weight, .. } if weight > MAX_WEIGHT => return Err(einval()),
            Message::IoThrottle(v) => Some((0, v)),
            Message::IoLimit(v) => Some((1, v)),
            Message::Token(v) => Some((2, v)),
            Message::Policy(p) => {
                Self::set_group_values(st, group, |c| c.policy = p);
                return Ok(());
            }
            _ => None,
        };
        if let Some((field, v)) = shared {
            Self::set_group_values(st, group, |c| match field {
                0 => c.io_throttle = v,
                1 => c.io_limit = v,
                _ => c.token = v,
            });
            return Ok(());
        }
        let Some(FakeTarget::Ioband { cfg, stats, .. }) = st
            .devices
            .get_mut(name)
            .and_then(|d| d.live.as_mut())
            .and_then(|l| l.first_mut())
        else {
            return Err(einval());
        };
        if let Message::Detach(id) = msg {
            // The group's parked counters go with it.
            st.cap_waits.remove(&(name.to_string(), GroupId::Id(id)));
            st.floor_lag.remove(&(name.to_string(), GroupId::Id(id)));
        }
        Self::apply_to_target(cfg, stats, msg).map_err(|e| DmError::errno(op, Some(name), e))
    }

    /// A message to one target (not its device group): its errno if the
    /// module refuses it.
    fn apply_to_target(
        cfg: &mut Config,
        stats: &mut Vec<GroupStats>,
        msg: Message,
    ) -> Result<(), i32> {
        match msg {
            Message::Type(t) => {
                if !cfg.groups.is_empty() {
                    return Err(errno::EBUSY);
                }
                cfg.group_type = t;
            }
            Message::Attach(id) => {
                if cfg.group_type == GroupType::None {
                    return Err(errno::EINVAL);
                }
                if cfg.is_attached(id) {
                    return Err(errno::EEXIST);
                }
                cfg.groups.push(GroupWeight {
                    id,
                    weight: crate::target::DEFAULT_WEIGHT,
                });
                stats.push(GroupStats::zero(GroupId::Id(id)));
            }
            Message::Detach(id) => {
                if !cfg.is_attached(id) {
                    return Err(errno::EINVAL);
                }
                cfg.limits.retain(|l| l.id != GroupId::Id(id));
                cfg.groups.retain(|g| g.id != id);
                stats.retain(|g| g.id != GroupId::Id(id));
            }
            Message::Limit { .. }
            | Message::Floor { .. }
            | Message::Class { .. }
            | Message::WriteWeight { .. } => match cfg.limits_after(&msg) {
                Some(Ok(l)) => cfg.set_limits(l).map_err(|_| errno::EINVAL)?,
                _ => return Err(errno::EINVAL),
            },
            Message::Weight { id: None, weight } => cfg.default_weight = weight,
            Message::Weight {
                id: Some(id),
                weight,
            } => match cfg.groups.iter_mut().find(|g| g.id == id) {
                Some(g) => g.weight = weight,
                None => return Err(errno::EINVAL),
            },
            Message::Token(_)
            | Message::IoThrottle(_)
            | Message::IoLimit(_)
            | Message::Policy(_) => {}
            Message::Reset => {
                for g in stats.iter_mut() {
                    *g = GroupStats::zero(g.id);
                }
            }
            // Queries, answered by `message`.
            Message::Shares | Message::Settings | Message::Limits => {}
        }
        Ok(())
    }
}

impl DmBackend for FakeDm {
    fn list_devices(&self) -> Result<Vec<DevEntry>, DmError> {
        Ok(self
            .st
            .borrow()
            .devices
            .iter()
            .map(|(n, d)| DevEntry {
                name: n.clone(),
                major: d.major,
                minor: d.minor,
            })
            .collect())
    }

    fn create(&self, name: &str, uuid: Option<&str>, table: &[Target]) -> Result<DevInfo, DmError> {
        crate::dm::validate_name(name).map_err(|e| DmError::other("create", Some(name), e))?;
        let mut st = self.st.borrow_mut();
        if st.devices.contains_key(name) {
            return Err(DmError::errno("create", Some(name), errno::EBUSY));
        }
        let targets = Self::parse_targets(&st, name, table)?;
        let minor = st.next_minor;
        st.next_minor += 1;
        st.devices.insert(
            name.to_string(),
            FakeDev {
                major: DM_MAJOR,
                minor,
                uuid: uuid.map(str::to_string),
                suspended: true,
                open_count: 0,
                deferred_remove: false,
                live: None,
                inactive: Some(targets),
                event_nr: 0,
            },
        );
        st.log.push(format!("create {name}"));
        Self::do_resume(&mut st, name)
    }

    fn load(&self, name: &str, table: &[Target]) -> Result<DevInfo, DmError> {
        let mut st = self.st.borrow_mut();
        if !st.devices.contains_key(name) {
            return Err(DmError::errno("load table", Some(name), errno::ENXIO));
        }
        let targets = Self::parse_targets(&st, name, table)?;
        if let Some(d) = st.devices.get_mut(name) {
            d.inactive = Some(targets);
        }
        st.log.push(format!("load {name}"));
        Self::info_of(&st, name, "load table")
    }

    fn suspend(&self, name: &str, noflush: bool) -> Result<DevInfo, DmError> {
        let mut st = self.st.borrow_mut();
        let d = st.device_mut("suspend", name)?;
        d.suspended = true;
        st.log.push(format!(
            "suspend {name}{}",
            if noflush { " noflush" } else { "" }
        ));
        Self::info_of(&st, name, "suspend")
    }

    fn resume(&self, name: &str) -> Result<DevInfo, DmError> {
        let mut st = self.st.borrow_mut();
        st.log.push(format!("resume {name}"));
        Self::do_resume(&mut st, name)
    }

    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<bool, DmError> {
        let mut st = self.st.borrow_mut();
        let d = st.device_mut("remove", name)?;
        if d.open_count > 0 {
            if opts.deferred {
                d.deferred_remove = true;
                st.log.push(format!("remove {name} deferred"));
                return Ok(false);
            }
            return Err(DmError::errno("remove", Some(name), errno::EBUSY));
        }
        st.devices.remove(name);
        st.log.push(format!("remove {name}"));
        Ok(true)
    }

    fn message(&self, name: &str, sector: u64, text: &str) -> Result<Option<String>, DmError> {
        let mut st = self.st.borrow_mut();
        if !st.devices.contains_key(name) {
            return Err(DmError::errno("message", Some(name), errno::ENXIO));
        }
        if sector != 0 {
            return Err(DmError::errno("message", Some(name), errno::EINVAL));
        }
        if text.parse::<Message>() == Ok(Message::Shares) {
            if st.no_shares {
                return Err(DmError::errno("message", Some(name), errno::EINVAL));
            }
            let reply = Self::shares_reply(&st, name)?;
            st.log.push(format!("message {name} {text}"));
            return Ok(Some(reply.to_string()));
        }
        if text.parse::<Message>() == Ok(Message::Settings) {
            if st.no_settings {
                return Err(DmError::errno("message", Some(name), errno::EINVAL));
            }
            let reply = Self::settings_reply(&st, name)?;
            st.log.push(format!("message {name} {text}"));
            return Ok(Some(reply.to_string()));
        }
        if text.parse::<Message>() == Ok(Message::Limits) {
            if st.no_limits {
                return Err(DmError::errno("message", Some(name), errno::EINVAL));
            }
            let reply = Self::limits_reply(&st, name)?;
            st.log.push(format!("message {name} {text}"));
            return Ok(Some(reply.to_string()));
        }
        Self::apply(&mut st, name, text)?;
        st.log.push(format!("message {name} {text}"));
        Ok(None)
    }

    fn table(&self, name: &str) -> Result<Vec<Target>, DmError> {
        self.live_lines("table", name, |t| match t {
            FakeTarget::Ioband {
                start, length, cfg, ..
            } => Target {
                start: *start,
                length: *length,
                target_type: TARGET_NAME.into(),
                params: cfg.to_kernel_params().to_string(),
            },
            FakeTarget::Other(t) => t.clone(),
        })
    }

    fn status(&self, name: &str) -> Result<Vec<Target>, DmError> {
        self.live_lines("status", name, |t| match t {
            FakeTarget::Ioband {
                start,
                length,
                cfg,
                stats,
                ..
            } => Target {
                start: *start,
                length: *length,
                target_type: TARGET_NAME.into(),
                params: Status {
                    device_group: cfg.device_group,
                    groups: stats.clone(),
                }
                .to_string(),
            },
            FakeTarget::Other(t) => Target {
                params: String::new(),
                ..t.clone()
            },
        })
    }

    fn target_versions(&self) -> Result<Vec<TargetVersion>, DmError> {
        let st = self.st.borrow();
        let mut v = vec![
            TargetVersion {
                name: "error".into(),
                version: (1, 7, 0),
            },
            TargetVersion {
                name: "linear".into(),
                version: (1, 5, 0),
            },
        ];
        if let Some(ver) = st.ioband_version {
            v.insert(
                0,
                TargetVersion {
                    name: TARGET_NAME.into(),
                    version: ver,
                },
            );
        }
        Ok(v)
    }

    fn info(&self, name: &str) -> Result<DevInfo, DmError> {
        Self::info_of(&self.st.borrow(), name, "info")
    }

    fn driver_version(&self) -> Result<(u32, u32, u32), DmError> {
        Ok((4, 48, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<Target> {
        vec![s.parse().unwrap()]
    }

    #[test]
    fn seed_walkthrough() {
        let f = FakeDm::new();
        f.create("ioband1", None, &t("0 2097152 ioband /dev/sda1 1"))
            .unwrap();
        f.create("ioband2", None, &t("0 2097152 ioband /dev/sda2 1"))
            .unwrap();
        assert_eq!(
            f.table("ioband1").unwrap()[0].to_string(),
            "0 2097152 ioband 8:1 1 4 128"
        );
        for m in [
            "weight 40",
            "type user",
            "attach 1000",
            "attach 2000",
            "weight 1000:30",
            "weight 2000:20",
        ] {
            f.message("ioband1", 0, m).unwrap();
        }
        f.message("ioband2", 0, "weight 10").unwrap();
        assert_eq!(
            f.table("ioband1").unwrap()[0].params,
            "8:1 1 4 128 user fair 2048 :40 1000:30 2000:20"
        );
        assert_eq!(
            f.table("ioband2").unwrap()[0].params,
            "8:2 1 4 128 none fair 2048 :10"
        );
        assert!(f.record_io("ioband1", GroupId::Id(1000), 10, 80, 2, 16));
        assert_eq!(
            f.status("ioband1").unwrap()[0].params,
            "1 -1 0 0 0 0 0 0 1000 10 5 80 2 1 16 2000 0 0 0 0 0 0"
        );
        // Errors carry the kernel's errno.
        let e = f.message("ioband1", 0, "weight 3000:5").unwrap_err();
        assert_eq!(e.errno, Some(errno::EINVAL));
        let e = f.message("ioband1", 0, "type gid").unwrap_err();
        assert_eq!(e.errno, Some(errno::EBUSY));
        let e = f.message("nope", 0, "reset").unwrap_err();
        assert_eq!(e.errno, Some(errno::ENXIO));
        // Device-group wide values reach the sibling.
        f.message("ioband1", 0, "io_throttle 16").unwrap();
        assert_eq!(
            f.table("ioband2").unwrap()[0].params,
            "8:2 1 16 128 none fair 2048 :10"
        );
        f.message("ioband1", 0, "reset").unwrap();
        assert!(f.status("ioband1").unwrap()[0]
            .params
            .starts_with("1 -1 0 0 0 0 0 0 1000 0 0 0"));
        f.remove("ioband1", RemoveOptions::default()).unwrap();
        assert_eq!(f.list_devices().unwrap().len(), 1);
    }

    #[test]
    fn load_errors() {
        let f = FakeDm::new();
        let e = f
            .create("x", None, &t("0 8 ioband /dev/nope 1"))
            .unwrap_err();
        assert_eq!(e.errno, Some(errno::ENXIO));
        let e = f
            .create("x", None, &t("0 8 ioband /dev/sda1 1 2 3 4"))
            .unwrap_err();
        assert_eq!(e.errno, Some(errno::EINVAL));
        f.set_ioband_loaded(false);
        let e = f
            .create("x", None, &t("0 8 ioband /dev/sda1 1"))
            .unwrap_err();
        assert_eq!(e.errno, Some(errno::EINVAL));
        assert!(f.list_devices().unwrap().is_empty());
    }

    #[test]
    fn busy_and_deferred_remove() {
        let f = FakeDm::new();
        f.create("a", None, &t("0 8 ioband /dev/sda1 1")).unwrap();
        f.set_open_count("a", 1);
        let e = f.remove("a", RemoveOptions::default()).unwrap_err();
        assert_eq!(e.errno, Some(errno::EBUSY));
        let gone = f
            .remove(
                "a",
                RemoveOptions {
                    deferred: true,
                    retry: false,
                },
            )
            .unwrap();
        assert!(!gone);
        f.set_open_count("a", 0);
        assert!(f.list_devices().unwrap().is_empty());
    }

    #[test]
    fn reload_swaps_on_resume() {
        let f = FakeDm::new();
        f.create("a", None, &t("0 8 ioband /dev/sda1 1")).unwrap();
        f.suspend("a", true).unwrap();
        assert!(f.info("a").unwrap().suspended);
        f.load("a", &t("0 8 ioband /dev/sda1 1 8 256")).unwrap();
        assert!(f.info("a").unwrap().inactive_table);
        assert_eq!(f.table("a").unwrap()[0].params, "8:1 1 4 128");
        f.resume("a").unwrap();
        assert_eq!(f.table("a").unwrap()[0].params, "8:1 1 8 256");
        assert!(!f.info("a").unwrap().suspended);
    }
}
