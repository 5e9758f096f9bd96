//! Desired state (a [`Profile`], resolved against the system) versus actual
//! state (read through [`DmBackend`]) → an ordered list of [`Action`]s, each
//! with its undo; executing them; exporting the actual state as a profile.
//!
//! Order (every step is valid for the kernel at the moment it runs):
//! 1. remove (`state: absent`, and with `--prune` every other ioband device
//!    the profile does not name) — frees underlying devices first;
//! 2. reload devices whose underlying device, size or device group changed
//!    (the extended table line sets type, groups and weights at once);
//! 3. create new devices (extended table line: type, groups and weights in
//!    one step; the shared numbers are inherited when the device group
//!    already has members, set explicitly otherwise);
//! 4. per device group: io_limit before io_throttle when the limit rises,
//!    io_throttle first when it falls; then token and policy;
//!
//!    io_limit is compared as the kernel prints it: auto is 128 whether the
//!    profile says `auto`, 128 or nothing, so none of these changes a
//!    device whose table says 128 (and `show` leaves it out). A profile
//!    that leaves the policy out means `fair`, the kernel's default.
//! 5. per device: detach (all groups when the type changes), type, attach,
//!    group weights and limits, default weight and limits. Caps, floors
//!    and classes are compared with the table's; where caps differ one
//!    `limit` message sets all six keys (a value or `max`), or `limit
//!    none`, so that the group ends with exactly the profile's caps; floors
//!    the same with `floor`; the class with `class`; the write weight with
//!    `write_weight` (`write_weight ID:same` when the profile has none).
//!    Each is undone the same way. They go in an order the module takes at
//!    every step (no floor above its cap, no floor on an idle group): see
//!    `plan_limits`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::dm::{DmBackend, RemoveOptions};
use crate::ids::{self, Names};
use crate::profile::{self, DevName, DeviceSpec, GroupSpec, Profile, State};
use crate::sys::System;
use crate::target::{
    parse_major_minor, Caps, Config, Extended, GroupId, GroupLimit, GroupType, GroupWeight,
    IoLimit, Message, Policy, TableParams, Target, DEFAULT_IO_LIMIT, DEFAULT_IO_THROTTLE,
    DEFAULT_POLICY, DEFAULT_TOKEN, DEFAULT_WEIGHT, TARGET_NAME,
};

/// Shared settings of one device group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shared {
    /// io_throttle
    pub io_throttle: u32,
    /// io_limit as the kernel takes and prints it: 128 is auto.
    pub io_limit: u32,
    /// token
    pub token: u32,
    /// policy
    pub policy: Policy,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            io_throttle: DEFAULT_IO_THROTTLE,
            io_limit: DEFAULT_IO_LIMIT,
            token: DEFAULT_TOKEN,
            policy: DEFAULT_POLICY,
        }
    }
}

impl Shared {
    fn of(c: &Config) -> Self {
        Shared {
            io_throttle: c.io_throttle,
            io_limit: c.io_limit,
            token: c.token,
            policy: c.policy,
        }
    }
}

/// One device as the profile wants it, names resolved to numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Device-mapper name.
    pub name: String,
    /// Underlying device number.
    pub dev: (u32, u32),
    /// Its size in sectors.
    pub sectors: u64,
    /// Device group.
    pub device_group: u32,
    /// Group type.
    pub group_type: GroupType,
    /// Default-group weight.
    pub weight: u32,
    /// Groups, in order.
    pub groups: Vec<GroupWeight>,
    /// Caps, floors, classes and write weights of the groups that have
    /// any, default group first, then `groups`' order.
    pub limits: Vec<GroupLimit>,
}

impl Wanted {
    /// The caps, floors, class and write weight the profile gives group
    /// `id` (none if it gives none).
    pub fn limits_of(&self, id: GroupId) -> GroupLimit {
        self.limits
            .iter()
            .find(|l| l.id == id)
            .copied()
            .unwrap_or(GroupLimit::none(id))
    }
}

/// The whole desired state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// Devices to have.
    pub devices: Vec<Wanted>,
    /// Devices not to have.
    pub absent: Vec<String>,
    /// Shared settings per device group used by `devices`.
    pub shared: BTreeMap<u32, Shared>,
}

/// One existing ioband device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// The live table, as the kernel prints it.
    pub table: Vec<Target>,
    /// Its length in sectors.
    pub length: u64,
    /// Underlying device number.
    pub dev: Option<(u32, u32)>,
    /// What the table means.
    pub cfg: Config,
}

/// The actual state: every ioband device, and the names of the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actual {
    /// ioband devices by name.
    pub devices: BTreeMap<String, Existing>,
    /// Other device-mapper devices.
    pub others: BTreeSet<String>,
}

/// Read the actual state.
pub fn read_actual(dm: &dyn DmBackend) -> Result<Actual, String> {
    let mut a = Actual::default();
    let list = dm.list_devices().map_err(|e| e.to_string())?;
    for d in list {
        let t = match dm.table(&d.name) {
            Ok(t) => t,
            // Removed meanwhile, or no live table: not ours to manage.
            Err(_) => {
                a.others.insert(d.name);
                continue;
            }
        };
        match t.as_slice() {
            [one] if one.target_type == TARGET_NAME => {
                let p: TableParams = one
                    .params
                    .parse()
                    .map_err(|e| format!("table of {}: {e}", d.name))?;
                let cfg = Config::from(&p);
                a.devices.insert(
                    d.name,
                    Existing {
                        length: one.length,
                        dev: parse_major_minor(&cfg.device),
                        table: t.clone(),
                        cfg,
                    },
                );
            }
            _ => {
                a.others.insert(d.name);
            }
        }
    }
    Ok(a)
}

/// Resolve a profile against the system: underlying devices exist and have
/// a size, user/group/cgroup names exist (systemd units and slices have
/// their cgroup: a unit that has not started yet is an error naming the
/// device, the field and the unit), names do not belong to other
/// device-mapper devices. Returns every problem found, not just the first.
pub fn resolve(
    p: &Profile,
    actual: &Actual,
    names: &dyn Names,
    sys: &dyn System,
) -> Result<Desired, Vec<String>> {
    let mut errs = Vec::new();
    let mut d = Desired::default();
    let declared: BTreeMap<u32, Shared> = p
        .device_groups
        .iter()
        .map(|g| {
            let (io_throttle, io_limit, token, policy) = g.effective();
            (
                g.id.get() as u32,
                Shared {
                    io_throttle,
                    io_limit,
                    token,
                    policy,
                },
            )
        })
        .collect();
    let mut used_devs: BTreeMap<(u32, u32), String> = BTreeMap::new();
    for spec in &p.devices {
        let name = &spec.name.0;
        if actual.others.contains(name) {
            errs.push(format!(
                "device {name}: a device-mapper device of that name exists and is not an \
                 ioband device"
            ));
            continue;
        }
        if spec.state == State::Absent {
            d.absent.push(name.clone());
            continue;
        }
        match resolve_device(spec, names, sys) {
            Ok(w) => {
                if let Some(other) = used_devs.insert(w.dev, name.clone()) {
                    errs.push(format!(
                        "devices {other} and {name} both use {}:{}",
                        w.dev.0, w.dev.1
                    ));
                }
                d.shared.insert(
                    w.device_group,
                    declared.get(&w.device_group).copied().unwrap_or_default(),
                );
                d.devices.push(w);
            }
            Err(e) => errs.extend(e),
        }
    }
    if errs.is_empty() {
        Ok(d)
    } else {
        Err(errs)
    }
}

fn resolve_device(
    spec: &DeviceSpec,
    names: &dyn Names,
    sys: &dyn System,
) -> Result<Wanted, Vec<String>> {
    let name = &spec.name.0;
    let mut errs = Vec::new();
    let given = spec.device.clone().unwrap_or_default();
    let path = profile::expand_device_name(&given);
    let dev = sys
        .block_device_number(&path)
        .map_err(|e| errs.push(format!("device {name}: {e}")))
        .ok();
    let sectors = match sys.block_device_sectors(&path) {
        Ok(0) => {
            errs.push(format!("device {name}: {path} has size 0"));
            0
        }
        Ok(s) => s,
        Err(e) => {
            if dev.is_some() {
                errs.push(format!("device {name}: {e}"));
            }
            0
        }
    };
    let mut limits = Vec::new();
    // Checked when parsing; an error here would be ours, so say it.
    match spec.limits() {
        Ok(l) if !l.is_none() => limits.push(l),
        Ok(_) => {}
        Err(e) => errs.push(format!("device {name}: {e}")),
    }
    let groups = resolve_groups(spec, names, &mut limits, &mut errs);
    match (dev, errs.is_empty()) {
        (Some(dev), true) => Ok(Wanted {
            name: name.clone(),
            dev,
            sectors,
            device_group: spec.device_group.map(|g| g.get() as u32).unwrap_or(0),
            group_type: spec.group_type(),
            weight: spec.weight(),
            groups,
            limits,
        }),
        _ => Err(errs),
    }
}

/// The groups of `spec` with their ids resolved, in order; their caps,
/// floors and classes are added to `limits`, problems to `errs`.
fn resolve_groups(
    spec: &DeviceSpec,
    names: &dyn Names,
    limits: &mut Vec<GroupLimit>,
    errs: &mut Vec<String>,
) -> Vec<GroupWeight> {
    let name = &spec.name.0;
    let t = spec.group_type();
    let mut groups = Vec::new();
    let mut seen = BTreeSet::new();
    for g in &spec.groups {
        let (kind, key) = g.key();
        let id = match (g.id, kind) {
            (Some(id), _) => Ok(id),
            // Checked when parsing: these fit type cgroup only.
            (None, "unit" | "slice") => names.cgroup_of_unit(&key),
            _ => ids::resolve_id(t, &key, names),
        };
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                errs.push(format!("device {name}: group `{kind}: {key}`: {e}"));
                continue;
            }
        };
        if !seen.insert(id) {
            errs.push(format!(
                "device {name}: group `{kind}: {key}` is id {id}, listed twice"
            ));
        }
        groups.push(GroupWeight {
            id,
            weight: g.weight(),
        });
        match g.limits(GroupId::Id(id)) {
            Ok(l) if !l.is_none() => limits.push(l),
            Ok(_) => {}
            Err(e) => errs.push(format!("device {name}: group `{kind}: {key}`: {e}")),
        }
    }
    groups
}

/// What an action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create a device with this table.
    Create(Target),
    /// Remove a device.
    Remove,
    /// Load this table and resume.
    Reload(Target),
    /// Send a message.
    Message(Message),
}

/// How to undo an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// Remove the created device.
    Remove,
    /// Create it again with its old table.
    Create(Vec<Target>),
    /// Load the old table and resume.
    Reload(Vec<Target>),
    /// Send these messages.
    Messages(Vec<Message>),
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Device it acts on.
    pub device: String,
    /// What it does.
    pub op: Op,
    /// How to undo it.
    pub undo: Undo,
}

impl Action {
    /// Short name: create, remove, reload, or the message verb.
    pub fn kind(&self) -> &'static str {
        match &self.op {
            Op::Create(_) => "create",
            Op::Remove => "remove",
            Op::Reload(_) => "reload",
            Op::Message(m) => match m {
                Message::Type(_) => "type",
                Message::Attach(_) => "attach",
                Message::Detach(_) => "detach",
                Message::Weight { .. } => "weight",
                Message::Token(_) => "token",
                Message::IoThrottle(_) => "io_throttle",
                Message::IoLimit(_) => "io_limit",
                Message::Policy(_) => "policy",
                Message::Limit { .. } => "limit",
                Message::Floor { .. } => "floor",
                Message::Class { .. } => "class",
                Message::WriteWeight { .. } => "write_weight",
                Message::Reset => "reset",
                Message::Shares => "shares",
                Message::Settings => "settings",
                Message::Limits => "limits",
            },
        }
    }

    /// The table or message text.
    pub fn detail(&self) -> String {
        match &self.op {
            Op::Create(t) | Op::Reload(t) => t.to_string(),
            Op::Remove => String::new(),
            Op::Message(m) => m.to_string(),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Op::Create(t) => write!(f, "create {}: {t}", self.device),
            Op::Remove => write!(f, "remove {}", self.device),
            Op::Reload(t) => write!(f, "reload {}: {t}", self.device),
            Op::Message(m) => write!(f, "message {} 0 {m}", self.device),
        }
    }
}

/// An action as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ActionJson {
    /// Device.
    pub device: String,
    /// create, remove, reload, type, attach, ...
    pub action: String,
    /// Table or message text.
    pub detail: String,
    /// planned, done, failed, undone, undo-failed
    pub status: String,
}

impl ActionJson {
    /// JSON form of `a` with a status.
    pub fn of(a: &Action, status: &str) -> Self {
        ActionJson {
            device: a.device.clone(),
            action: a.kind().into(),
            detail: a.detail(),
            status: status.into(),
        }
    }
}

fn table_for(w: &Wanted, shared: Option<Shared>, inherit: bool) -> Target {
    let s = shared.unwrap_or_default();
    let (t, l, tok) = if inherit {
        (0, 0, 0)
    } else {
        (s.io_throttle, s.io_limit, s.token)
    };
    let params = TableParams {
        device: format!("{}:{}", w.dev.0, w.dev.1),
        device_group: w.device_group,
        io_throttle: Some(t),
        io_limit: Some(l),
        extended: Some(Extended {
            group_type: w.group_type,
            policy: s.policy,
            token: tok,
            default_weight: w.weight,
            groups: w.groups.clone(),
            limits: w.limits.clone(),
        }),
    };
    Target {
        start: 0,
        length: w.sectors,
        target_type: TARGET_NAME.into(),
        params: params.to_string(),
    }
}

/// An action that sends message `m`, undone by sending `undo`.
fn message_action(device: &str, m: Message, undo: Vec<Message>) -> Action {
    Action {
        device: device.to_string(),
        op: Op::Message(m),
        undo: Undo::Messages(undo),
    }
}

/// Per device group: a member that keeps (or gets) its table and the
/// group's shared values as they are before the group's messages run.
type GroupsNow = BTreeMap<u32, (String, Shared)>;

/// Compute the plan, in the order of the module documentation.
pub fn plan(want: &Desired, actual: &Actual, prune: bool) -> Vec<Action> {
    let mut out = Vec::new();
    let removed = plan_removals(want, actual, prune, &mut out);
    let (reloaded, created) = devices_needing_a_table(want, actual);
    let mut groups = groups_of_unchanged_devices(actual, &removed, &reloaded);
    for phase in [&reloaded, &created] {
        plan_tables(want, actual, phase, &mut groups, &mut out);
    }
    plan_group_settings(want, &groups, &mut out);
    for w in &want.devices {
        match actual.devices.get(&w.name) {
            Some(e) if !reloaded.contains(&w.name) => plan_device_messages(w, &e.cfg, &mut out),
            _ => {}
        }
    }
    out
}

/// Step 1: remove the devices the profile wants absent and, with `prune`,
/// every ioband device it does not name. Returns their names.
fn plan_removals(
    want: &Desired,
    actual: &Actual,
    prune: bool,
    out: &mut Vec<Action>,
) -> BTreeSet<String> {
    let wanted: BTreeSet<&str> = want.devices.iter().map(|w| w.name.as_str()).collect();
    let mut removed = BTreeSet::new();
    for (name, e) in &actual.devices {
        let absent = want.absent.iter().any(|a| a == name);
        if absent || (prune && !wanted.contains(name.as_str())) {
            removed.insert(name.clone());
            out.push(Action {
                device: name.clone(),
                op: Op::Remove,
                undo: Undo::Create(e.table.clone()),
            });
        }
    }
    removed
}

/// The wanted devices that need a new table: (to reload: their underlying
/// device, size or device group changed; to create: they do not exist).
fn devices_needing_a_table(
    want: &Desired,
    actual: &Actual,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut reloaded = BTreeSet::new();
    let mut created = BTreeSet::new();
    for w in &want.devices {
        match actual.devices.get(&w.name) {
            None => {
                created.insert(w.name.clone());
            }
            Some(e) => {
                if e.dev != Some(w.dev)
                    || e.length != w.sectors
                    || e.cfg.device_group != w.device_group
                {
                    reloaded.insert(w.name.clone());
                }
            }
        }
    }
    (reloaded, created)
}

/// The current shared values of each device group, from a member that
/// stays as it is (neither removed nor reloaded).
fn groups_of_unchanged_devices(
    actual: &Actual,
    removed: &BTreeSet<String>,
    reloaded: &BTreeSet<String>,
) -> GroupsNow {
    let mut groups = GroupsNow::new();
    for (name, e) in &actual.devices {
        if removed.contains(name) || reloaded.contains(name) {
            continue;
        }
        groups
            .entry(e.cfg.device_group)
            .or_insert_with(|| (name.clone(), Shared::of(&e.cfg)));
    }
    groups
}

/// Steps 2 and 3: reload or create the devices named in `phase`. A device
/// joins its group's current values (changed by messages later); a new
/// group gets the desired values at once.
fn plan_tables(
    want: &Desired,
    actual: &Actual,
    phase: &BTreeSet<String>,
    groups: &mut GroupsNow,
    out: &mut Vec<Action>,
) {
    for w in want.devices.iter().filter(|w| phase.contains(&w.name)) {
        let desired = want.shared.get(&w.device_group).copied();
        let cur = groups.get(&w.device_group).map(|(_, s)| *s);
        let shared = cur.or(desired);
        let table = table_for(w, shared, cur.is_some());
        let (op, undo) = match actual.devices.get(&w.name) {
            Some(e) => (Op::Reload(table), Undo::Reload(e.table.clone())),
            None => (Op::Create(table), Undo::Remove),
        };
        out.push(Action {
            device: w.name.clone(),
            op,
            undo,
        });
        groups
            .entry(w.device_group)
            .or_insert_with(|| (w.name.clone(), shared.unwrap_or_default()));
    }
}

/// Step 4: the device-group settings, sent through one member: io_limit
/// before io_throttle when the limit rises, io_throttle first when it
/// falls; then token and policy.
fn plan_group_settings(want: &Desired, groups: &GroupsNow, out: &mut Vec<Action>) {
    for (group, target) in &want.shared {
        let Some((dev, cur)) = groups.get(group) else {
            continue;
        };
        let change = |new: u32, old: u32, m: fn(u32) -> Message| {
            (new != old).then(|| message_action(dev, m(new), vec![m(old)]))
        };
        let limit = change(target.io_limit, cur.io_limit, Message::IoLimit);
        let throttle = change(target.io_throttle, cur.io_throttle, Message::IoThrottle);
        if target.io_limit > cur.io_limit {
            out.extend(limit);
            out.extend(throttle);
        } else {
            out.extend(throttle);
            out.extend(limit);
        }
        out.extend(change(target.token, cur.token, Message::Token));
        if target.policy != cur.policy {
            out.push(message_action(
                dev,
                Message::Policy(target.policy),
                vec![Message::Policy(cur.policy)],
            ));
        }
    }
}

/// Step 5, for a device that keeps its table (configuration `c`): detach
/// (all groups when the type changes), type, attach, group weights and
/// limits, default weight and limits.
fn plan_device_messages(w: &Wanted, c: &Config, out: &mut Vec<Action>) {
    let n = w.name.as_str();
    let retype = c.group_type != w.group_type;
    for g in &c.groups {
        if retype || !w.groups.iter().any(|x| x.id == g.id) {
            let weight = Message::Weight {
                id: Some(g.id),
                weight: g.weight,
            };
            let mut undo = vec![Message::Attach(g.id), weight];
            // Attached again without limits: caps, then floors, then class.
            let id = GroupId::Id(g.id);
            let mut back = Vec::new();
            plan_limits(n, GroupLimit::none(id), c.limits_of(id), &mut back);
            undo.extend(back.into_iter().filter_map(|a| match a.op {
                Op::Message(m) => Some(m),
                _ => None,
            }));
            out.push(message_action(n, Message::Detach(g.id), undo));
        }
    }
    if retype {
        out.push(message_action(
            n,
            Message::Type(w.group_type),
            vec![Message::Type(c.group_type)],
        ));
    }
    for g in &w.groups {
        let kept = if retype {
            None
        } else {
            c.groups.iter().find(|x| x.id == g.id)
        };
        plan_group_weight(n, g, kept, out);
        // A group attached now starts without limits.
        let id = GroupId::Id(g.id);
        let old = match kept {
            Some(_) => c.limits_of(id),
            None => GroupLimit::none(id),
        };
        plan_limits(n, old, w.limits_of(id), out);
    }
    if w.weight != c.default_weight {
        let weight = |weight| Message::Weight { id: None, weight };
        out.push(message_action(
            n,
            weight(w.weight),
            vec![weight(c.default_weight)],
        ));
    }
    let id = GroupId::Default;
    plan_limits(n, c.limits_of(id), w.limits_of(id), out);
}

/// Give a group the limits `new` when it has others (`old`), each step one
/// the module takes (no floor above its cap, no floor on an idle group):
///
/// 1. `class normal`, if it leaves the idle class;
/// 2. its floors to `mid`: the new floors if they fit under the old caps,
///    else the old floors if they fit under the new caps, else the keys
///    of both at the lower rate (which fit under both);
/// 3. its caps;
/// 4. its floors to the new ones;
/// 5. `class idle`, if it joins the idle class (its floors are gone then);
/// 6. its write weight (`same` for none), which the others do not bind.
///
/// Caps and floors are set whole (every key named, or `none`); each step
/// is undone by the message that restores what it changed.
fn plan_limits(n: &str, old: GroupLimit, new: GroupLimit, out: &mut Vec<Action>) {
    let id = match new.id {
        GroupId::Default => None,
        GroupId::Id(i) => Some(i),
    };
    let class = |idle| Message::Class { id, idle };
    let floors = |f: &Caps| Message::floor_replace(id, f);
    if old.idle && !new.idle {
        out.push(message_action(n, class(false), vec![class(true)]));
    }
    let mid = if new.floors.first_above(&old.caps).is_none() {
        new.floors
    } else if old.floors.first_above(&new.caps).is_none() {
        old.floors
    } else {
        old.floors.meet(&new.floors)
    };
    if mid != old.floors {
        out.push(message_action(n, floors(&mid), vec![floors(&old.floors)]));
    }
    if new.caps != old.caps {
        out.push(message_action(
            n,
            Message::limit_replace(id, &new.caps),
            vec![Message::limit_replace(id, &old.caps)],
        ));
    }
    if new.floors != mid {
        out.push(message_action(n, floors(&new.floors), vec![floors(&mid)]));
    }
    if new.idle && !old.idle {
        out.push(message_action(n, class(true), vec![class(false)]));
    }
    if new.write_weight != old.write_weight {
        let ww = |weight| Message::WriteWeight { id, weight };
        out.push(message_action(
            n,
            ww(new.write_weight),
            vec![ww(old.write_weight)],
        ));
    }
}

/// Attach group `g` unless it stays attached (`kept`, with its weight), then
/// set its weight if that differs.
fn plan_group_weight(n: &str, g: &GroupWeight, kept: Option<&GroupWeight>, out: &mut Vec<Action>) {
    let old_weight = match kept {
        Some(o) => o.weight,
        None => {
            out.push(message_action(
                n,
                Message::Attach(g.id),
                vec![Message::Detach(g.id)],
            ));
            DEFAULT_WEIGHT
        }
    };
    if g.weight == old_weight {
        return;
    }
    let weight = |weight| Message::Weight {
        id: Some(g.id),
        weight,
    };
    // Undoing an attach detaches; a weight undo only matters for groups
    // that stay attached.
    let undo = match kept {
        Some(_) => vec![weight(old_weight)],
        None => vec![],
    };
    out.push(message_action(n, weight(g.weight), undo));
}

/// Run one action.
pub fn run(dm: &dyn DmBackend, a: &Action) -> Result<(), String> {
    let n = a.device.as_str();
    match &a.op {
        Op::Create(t) => dm.create(n, None, std::slice::from_ref(t)).map(|_| ()),
        Op::Remove => dm.remove(n, RemoveOptions::default()).map(|_| ()),
        Op::Reload(t) => dm
            .load(n, std::slice::from_ref(t))
            .and_then(|_| dm.resume(n))
            .map(|_| ()),
        Op::Message(m) => dm.message(n, 0, &m.to_string()).map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

/// Undo one action.
pub fn undo(dm: &dyn DmBackend, a: &Action) -> Result<(), String> {
    let n = a.device.as_str();
    match &a.undo {
        Undo::Remove => dm.remove(n, RemoveOptions::default()).map(|_| ()),
        Undo::Create(t) => dm.create(n, None, t).map(|_| ()),
        Undo::Reload(t) => dm.load(n, t).and_then(|_| dm.resume(n)).map(|_| ()),
        Undo::Messages(ms) => ms
            .iter()
            .try_for_each(|m| dm.message(n, 0, &m.to_string()).map(|_| ())),
    }
    .map_err(|e| e.to_string())
}

/// What executing a plan did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Every action with its final status.
    pub actions: Vec<ActionJson>,
    /// Errors, first the one that stopped the run.
    pub errors: Vec<String>,
    /// True when the system differs from before (something done and not
    /// undone).
    pub changed: bool,
}

/// Execute a plan in order; on a failure undo what was done, in reverse.
pub fn execute(dm: &dyn DmBackend, actions: &[Action], log: &mut dyn FnMut(&str)) -> Outcome {
    execute_until(dm, actions, log, &|| None)
}

/// [`execute`], asking `stop` before every action: when it names a reason
/// (a signal arrived), the run stops there and what it did is undone, as
/// after a failure.
pub fn execute_until(
    dm: &dyn DmBackend,
    actions: &[Action],
    log: &mut dyn FnMut(&str),
    stop: &dyn Fn() -> Option<String>,
) -> Outcome {
    let mut o = Outcome::default();
    let mut done = 0;
    for a in actions {
        if let Some(why) = stop() {
            o.errors.push(format!("{why} before `{a}`: stopped"));
            break;
        }
        log(&format!("{a}"));
        match run(dm, a) {
            Ok(()) => {
                o.actions.push(ActionJson::of(a, "done"));
                done += 1;
            }
            Err(e) => {
                o.actions.push(ActionJson::of(a, "failed"));
                o.errors.push(format!("{}: {e}", a.kind()));
                break;
            }
        }
    }
    if o.errors.is_empty() {
        o.changed = done > 0;
        return o;
    }
    // Roll back.
    let mut left = false;
    for i in (0..done).rev() {
        let a = &actions[i];
        log(&format!("undo: {a}"));
        match undo(dm, a) {
            Ok(()) => o.actions[i].status = "undone".into(),
            Err(e) => {
                o.actions[i].status = "undo-failed".into();
                o.errors.push(format!("undoing `{a}`: {e}"));
                left = true;
            }
        }
    }
    for a in &actions[o.actions.len()..] {
        o.actions.push(ActionJson::of(a, "skipped"));
    }
    o.changed = left;
    o
}

/// The actual state as a profile (what `show` prints).
pub fn export(actual: &Actual, sys: &dyn System) -> Profile {
    let mut p = Profile::default();
    let mut seen = BTreeSet::new();
    for (name, e) in &actual.devices {
        let c = &e.cfg;
        if seen.insert(c.device_group) {
            let s = Shared::of(c);
            let d = Shared::default();
            let opt = |v: u32, dv: u32| (v != dv).then_some(u64::from(v));
            p.device_groups.push(profile::DeviceGroupSpec {
                id: profile::Bounded(u64::from(c.device_group)),
                io_throttle: opt(s.io_throttle, d.io_throttle).map(profile::Bounded),
                io_limit: (s.io_limit != d.io_limit).then(|| IoLimit::from_kernel(s.io_limit)),
                token: opt(s.token, d.token).map(profile::Bounded),
                policy: (s.policy != d.policy).then_some(s.policy),
                // the module knows rates, not the disk's capacity
                capacity: None,
            });
        }
        let device = match e.dev {
            Some((a, b)) => sys
                .block_device_path(a, b)
                .unwrap_or_else(|| format!("{a}:{b}")),
            None => c.device.clone(),
        };
        p.devices.push(DeviceSpec {
            name: DevName(name.clone()),
            state: State::Present,
            device: Some(device),
            device_group: Some(profile::Bounded(u64::from(c.device_group))),
            group_type: (c.group_type != GroupType::None).then_some(c.group_type),
            weight: (c.default_weight != DEFAULT_WEIGHT)
                .then_some(profile::Bounded(u64::from(c.default_weight))),
            write_weight: c
                .write_weight_of(GroupId::Default)
                .map(profile::WeightValue::of),
            limit: profile::LimitSpec::of(&c.caps_of(GroupId::Default)),
            floor: profile::LimitSpec::of(&c.floors_of(GroupId::Default)),
            class: c
                .is_idle(GroupId::Default)
                .then_some(crate::caps::Class::Idle),
            groups: c
                .groups
                .iter()
                .map(|g| GroupSpec {
                    id: Some(g.id),
                    user: None,
                    group: None,
                    cgroup: None,
                    unit: None,
                    slice: None,
                    weight: (g.weight != DEFAULT_WEIGHT)
                        .then_some(profile::Bounded(u64::from(g.weight))),
                    write_weight: c
                        .write_weight_of(GroupId::Id(g.id))
                        .map(profile::WeightValue::of),
                    limit: profile::LimitSpec::of(&c.caps_of(GroupId::Id(g.id))),
                    floor: profile::LimitSpec::of(&c.floors_of(GroupId::Id(g.id))),
                    class: c
                        .is_idle(GroupId::Id(g.id))
                        .then_some(crate::caps::Class::Idle),
                })
                .collect(),
        });
    }
    // Only groups whose settings differ from the defaults need listing.
    p.device_groups.retain(|g| {
        g.io_throttle.is_some() || g.io_limit.is_some() || g.token.is_some() || g.policy.is_some()
    });
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::CapKey;

    /// Send `ms` to `c` as the module would: every one must be taken.
    fn send_all(c: &mut Config, ms: &[Message], why: &str) {
        for m in ms {
            match c.limits_after(m) {
                Some(Ok(l)) => c
                    .set_limits(l)
                    .unwrap_or_else(|e| panic!("{why}: {m}: {e}")),
                other => panic!("{why}: {m} refused: {other:?}"),
            }
        }
    }

    /// Limits of every shape: caps and floors on the same keys or not,
    /// floors at, below or above what other caps allow, the idle class,
    /// a write weight or not.
    fn shapes(id: GroupId) -> Vec<GroupLimit> {
        let caps = ["none", "bps=100", "bps=50,iops=10", "iops=5", "read_bps=7"];
        let floors = [
            "none",
            "bps=100",
            "bps=30",
            "bps=80,iops=5",
            "iops=10",
            "write_bps=9",
        ];
        let mut v = Vec::new();
        for c in caps {
            for f in floors {
                for (idle, write_weight) in [
                    (false, None),
                    (true, None),
                    (false, Some(50)),
                    (true, Some(200)),
                ] {
                    let l = GroupLimit {
                        id,
                        caps: c.parse().unwrap_or_default(),
                        floors: f.parse().unwrap_or_default(),
                        idle,
                        write_weight,
                    };
                    if l.check().is_ok() {
                        v.push(l);
                    }
                }
            }
        }
        v
    }

    #[test]
    fn every_step_of_a_limits_change_and_its_undo_is_taken() {
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 5:100"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let base = Config::from(&p);
        for id in [GroupId::Default, GroupId::Id(5)] {
            let all = shapes(id);
            assert!(all.len() > 30, "{}", all.len());
            for old in &all {
                for new in &all {
                    let why = format!("{old} -> {new}");
                    let mut c = base.clone();
                    c.set_limits(*old).unwrap_or_else(|e| panic!("{why}: {e}"));
                    let mut out = Vec::new();
                    plan_limits("a", *old, *new, &mut out);
                    if old == new {
                        assert!(out.is_empty(), "{why}: {out:?}");
                    }
                    // At most one message per part, two for floors.
                    assert!(out.len() <= 5, "{why}: {out:?}");
                    let undo: Vec<Vec<Message>> = out
                        .iter()
                        .map(|a| match &a.undo {
                            Undo::Messages(m) => m.clone(),
                            u => panic!("{why}: {u:?}"),
                        })
                        .collect();
                    for a in &out {
                        let Op::Message(m) = &a.op else {
                            panic!("{why}: {a}")
                        };
                        send_all(&mut c, std::slice::from_ref(m), &why);
                    }
                    assert_eq!(c.limits_of(id), *new, "{why}");
                    for u in undo.iter().rev() {
                        send_all(&mut c, u, &format!("undo {why}"));
                    }
                    assert_eq!(c.limits_of(id), *old, "undo {why}");
                }
            }
        }
    }

    #[test]
    fn only_what_differs_is_sent() {
        let id = GroupId::Id(5);
        let l = |s: &str| {
            let mut g = GroupLimit::none(id);
            for w in s.split(' ').filter(|w| !w.is_empty()) {
                match w.split_once('=') {
                    Some(("caps", v)) => g.caps = v.replace(';', ",").parse().unwrap_or_default(),
                    Some(("floors", v)) => {
                        g.floors = v.replace(';', ",").parse().unwrap_or_default()
                    }
                    _ => g.idle = w == "idle",
                }
            }
            g
        };
        let plan = |a: &str, b: &str| {
            let mut out = Vec::new();
            plan_limits("a", l(a), l(b), &mut out);
            out.iter().map(|a| a.detail()).collect::<Vec<_>>()
        };
        let all = |k: &str, v: &str| {
            CapKey::ALL
                .iter()
                .map(|x| {
                    if x.as_str() == k {
                        format!("{k}={v}")
                    } else {
                        format!("{x}=max")
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        // A floor alone: one message.
        assert_eq!(
            plan("caps=bps=100", "caps=bps=100 floors=bps=100"),
            vec![format!("floor 5:{}", all("bps", "100"))]
        );
        // Cap and floor down: the floor first; up: the cap first.
        assert_eq!(
            plan("caps=bps=100 floors=bps=80", "caps=bps=50 floors=bps=40"),
            vec![
                format!("floor 5:{}", all("bps", "40")),
                format!("limit 5:{}", all("bps", "50"))
            ]
        );
        assert_eq!(
            plan("caps=bps=50 floors=bps=40", "caps=bps=100 floors=bps=80"),
            vec![
                format!("limit 5:{}", all("bps", "100")),
                format!("floor 5:{}", all("bps", "80"))
            ]
        );
        // Into the idle class: floors go first; out of it: the class first.
        assert_eq!(
            plan("floors=iops=5", "idle"),
            vec!["floor 5:none", "class 5:idle"]
        );
        assert_eq!(
            plan("idle", "floors=iops=5"),
            vec![
                "class 5:normal".to_string(),
                format!("floor 5:{}", all("iops", "5"))
            ]
        );
        assert!(plan("idle caps=iops=5", "caps=iops=5 idle").is_empty());
    }
}
