//! Group ids and the names people use for them: users, groups, cgroups,
//! processes.
//!
//! The kernel only knows numbers. For types user/uid and gid the CLI accepts
//! names (`alice`, `www-data`), for cgroup a directory (`/sys/fs/cgroup/db`
//! or `db`, relative to `/sys/fs/cgroup`) whose inode number is the cgroup id,
//! or a systemd unit or slice by name (`postgresql.service`, `machine.slice`):
//! a slice's directory follows from its name (`a-b.slice` is
//! `a.slice/a-b.slice`), any other unit's is found by searching the tree for
//! a directory of exactly that name. Nothing asks systemd (no D-Bus): a unit
//! has a cgroup only while it runs, and the lookup fails until then.
//! The other way round, `status` shows a readable name next to the number
//! (for a cgroup the unit name, else its path relative to the root).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::target::GroupType;

/// Root of the cgroup v2 hierarchy.
pub const CGROUP_ROOT: &str = "/sys/fs/cgroup";
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

/// Lookups of names and ids. [`SystemNames`] asks the system; tests use a
/// table.
pub trait Names {
    /// User name of a uid.
    fn user_name(&self, uid: u64) -> Option<String>;
    /// Group name of a gid.
    fn group_name(&self, gid: u64) -> Option<String>;
    /// Uid of a user name.
    fn uid_of(&self, name: &str) -> Option<u64>;
    /// Gid of a group name.
    fn gid_of(&self, name: &str) -> Option<u64>;
    /// The cgroup directory whose inode is `ino`.
    fn cgroup_path(&self, ino: u64) -> Option<String>;
    /// The cgroup id (inode number) of a cgroup directory.
    fn cgroup_id(&self, path: &str) -> Result<u64, String>;
    /// The cgroup id of a systemd unit or slice, by name
    /// (`postgresql.service`, `machine.slice`); see [`unit_cgroup`].
    fn cgroup_of_unit(&self, unit: &str) -> Result<u64, String>;
    /// The root of the cgroup tree the lookups use (`/sys/fs/cgroup`).
    fn cgroup_root(&self) -> &Path;
    /// Command name of a process.
    fn process_name(&self, pid: u64) -> Option<String>;
}

/// Resolve what a user typed as a group id, for a device of type `t`.
pub fn resolve_id(t: GroupType, input: &str, names: &dyn Names) -> Result<u64, String> {
    if t == GroupType::None {
        return Err(
            "the device has group type none, so it has no groups to address; set a type \
             first (e.g. `ioband type NAME user`)"
                .into(),
        );
    }
    let is_path = input.contains('/') || input.starts_with('.');
    if !is_path && !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
        let id = input
            .parse::<u64>()
            .map_err(|_| format!("group id {input} is out of range"))?;
        let max = max_id(t);
        if id > max {
            return Err(format!("{t} id {id} is out of range (0 to {max})"));
        }
        return Ok(id);
    }
    match t {
        GroupType::User | GroupType::Uid => names
            .uid_of(input)
            .ok_or_else(|| format!("no user named {input:?} (give a user name or a numeric uid)")),
        GroupType::Gid => names.gid_of(input).ok_or_else(|| {
            format!("no group named {input:?} (give a group name or a numeric gid)")
        }),
        GroupType::Cgroup if unit_type(input).is_some() => names.cgroup_of_unit(input),
        GroupType::Cgroup => names.cgroup_id(input),
        GroupType::Pid | GroupType::Pgrp => Err(format!(
            "{input:?} is not a number; type {t} takes a numeric {}",
            if t == GroupType::Pid {
                "process id"
            } else {
                "process group id"
            }
        )),
        GroupType::None => Err("type none has no groups".into()),
    }
}

/// The largest id the module accepts for a type (uids and gids are 32-bit
/// with -1 reserved; pids up to the kernel's PID_MAX_LIMIT).
pub fn max_id(t: GroupType) -> u64 {
    match t {
        GroupType::User | GroupType::Uid | GroupType::Gid => u64::from(u32::MAX - 1),
        GroupType::Pid | GroupType::Pgrp => 4_194_304,
        GroupType::Cgroup => u64::MAX,
        GroupType::None => 0,
    }
}

/// A name to show next to a group id, where one is known: the user, group
/// or process name; for a cgroup [`cgroup_display_name`].
pub fn label(t: GroupType, id: u64, names: &dyn Names) -> Option<String> {
    match t {
        GroupType::User | GroupType::Uid => names.user_name(id),
        GroupType::Gid => names.group_name(id),
        GroupType::Cgroup => names
            .cgroup_path(id)
            .map(|p| cgroup_display_name(&p, names.cgroup_root())),
        GroupType::Pid | GroupType::Pgrp => names.process_name(id),
        GroupType::None => None,
    }
}

/// The cgroup directory of group `id` on a device of type `t`, where one is
/// known (type cgroup only).
pub fn cgroup_dir(t: GroupType, id: u64, names: &dyn Names) -> Option<String> {
    (t == GroupType::Cgroup)
        .then(|| names.cgroup_path(id))
        .flatten()
}

/// The name `status` shows for the cgroup directory `path`: the unit's
/// name when the directory is a unit's (its name ends with `.service`,
/// `.slice` or `.scope`), otherwise the path relative to the cgroup root
/// `root` (`/` for the root itself).
pub fn cgroup_display_name(path: &str, root: &Path) -> String {
    let p = Path::new(path);
    if let Some(base) = p.file_name().and_then(OsStr::to_str) {
        if [".service", ".slice", ".scope"]
            .iter()
            .any(|s| base.len() > s.len() && base.ends_with(s))
        {
            return base.to_string();
        }
    }
    match p.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => "/".into(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.to_string(),
    }
}

/// Types of systemd units that have a cgroup of their own while they run.
pub const UNIT_TYPES: [&str; 6] = ["service", "scope", "slice", "socket", "mount", "swap"];

/// The unit type ("service", "slice", ...) of `s` when `s` is a systemd
/// unit name of a type with a cgroup: no `/`, a name before the suffix.
pub fn unit_type(s: &str) -> Option<&'static str> {
    if s.contains('/') {
        return None;
    }
    let (stem, suffix) = s.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    UNIT_TYPES.iter().copied().find(|t| *t == suffix)
}

/// Check a unit name as a profile gives it: `unit:` takes any unit with a
/// cgroup, `slice:` (`slice` true) only a slice.
pub fn check_unit_name(s: &str, slice: bool) -> Result<(), String> {
    let field = if slice { "slice" } else { "unit" };
    if s.contains('/') {
        return Err(format!(
            "{s:?} is a path, not a unit name; give a cgroup directory as `cgroup: {s}`"
        ));
    }
    // systemd's own limit and alphabet (unit_name_is_valid()).
    if s.is_empty()
        || s.len() > 255
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":-_.\\@".contains(&b))
    {
        return Err(format!("{s:?} is not a systemd unit name"));
    }
    match unit_type(s) {
        Some("slice") => slice_path(s).map(|_| ()),
        Some(t) if slice => Err(format!(
            "{s} is a {t}, not a slice; name it with `unit: {s}`"
        )),
        Some(_) => Ok(()),
        None if slice => Err(format!("{s:?} is not a slice name (NAME.slice)")),
        None => Err(format!(
            "{s:?} is not the name of a unit with a cgroup ({field}: takes NAME.{})",
            UNIT_TYPES.join(", NAME.")
        )),
    }
}

/// Where the cgroup of slice `name` lies, relative to the cgroup root:
/// dashes separate the names of its parents, so `a-b-c.slice` is at
/// `a.slice/a-b.slice/a-b-c.slice`; the root slice `-.slice` is the root
/// itself (an empty path).
pub fn slice_path(name: &str) -> Result<PathBuf, String> {
    let Some(stem) = name.strip_suffix(".slice") else {
        return Err(format!("{name:?} is not a slice name (NAME.slice)"));
    };
    if stem == "-" {
        return Ok(PathBuf::new());
    }
    if stem.is_empty() || stem.starts_with('-') || stem.ends_with('-') || stem.contains("--") {
        return Err(format!(
            "{name:?} is not a valid slice name (dashes separate the names of its \
             parents: a-b.slice lies in a.slice)"
        ));
    }
    let mut path = PathBuf::new();
    let mut prefix = String::new();
    for part in stem.split('-') {
        if !prefix.is_empty() {
            prefix.push('-');
        }
        prefix.push_str(part);
        path.push(format!("{prefix}.slice"));
    }
    Ok(path)
}

/// The cgroup id of systemd unit or slice `unit` in the tree at `root`.
/// A slice's directory follows from its name ([`slice_path`]); `id_at`
/// gives the id of a directory, `None` when it does not exist. Any other
/// unit's directory is found by name: `named` lists every directory called
/// `unit` with its id; more than one (a user manager's unit of the same
/// name, say) is an error naming them all, as is none.
pub fn unit_cgroup(
    unit: &str,
    root: &Path,
    id_at: impl FnOnce(&Path) -> Option<Result<u64, String>>,
    named: impl FnOnce() -> Vec<(PathBuf, u64)>,
) -> Result<u64, String> {
    match unit_type(unit) {
        Some("slice") => {
            let path = root.join(slice_path(unit)?);
            id_at(&path).unwrap_or_else(|| {
                Err(format!(
                    "{unit} has no cgroup: {} does not exist (a slice has one only once a \
                     unit in it has started)",
                    path.display()
                ))
            })
        }
        Some(_) => {
            let mut found = named();
            found.sort();
            found.dedup();
            match found.as_slice() {
                [] => Err(format!(
                    "no cgroup named {unit} under {}: {unit} is not running (a unit has a \
                     cgroup only while it runs)",
                    root.display()
                )),
                [(_, id)] => Ok(*id),
                many => Err(format!(
                    "{unit} names {} cgroups: {}; give the one meant by its directory \
                     (`cgroup: PATH`)",
                    many.len(),
                    many.iter()
                        .map(|(p, _)| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        None => Err(format!(
            "{unit:?} is not the name of a systemd unit with a cgroup (NAME.{})",
            UNIT_TYPES.join(", NAME.")
        )),
    }
}

/// Names from the running system (passwd, group, /sys/fs/cgroup, /proc).
pub struct SystemNames {
    cgroup_root: PathBuf,
    cgroups: RefCell<Option<HashMap<u64, PathBuf>>>,
}

impl Default for SystemNames {
    fn default() -> Self {
        SystemNames {
            cgroup_root: PathBuf::from(CGROUP_ROOT),
            cgroups: RefCell::new(None),
        }
    }
}

impl SystemNames {
    /// Lookups with a different cgroup root (tests).
    pub fn with_cgroup_root(root: impl Into<PathBuf>) -> Self {
        SystemNames {
            cgroup_root: root.into(),
            cgroups: RefCell::new(None),
        }
    }

    /// Run `f` over the cgroup tree's directories by inode (scanned once).
    fn with_scan<T>(&self, f: impl FnOnce(&HashMap<u64, PathBuf>) -> T) -> T {
        let mut cache = self.cgroups.borrow_mut();
        f(cache.get_or_insert_with(|| Self::scan(&self.cgroup_root)))
    }

    /// The cgroup id of the cgroup directory at `path`: its inode number.
    fn dir_id(&self, path: &Path) -> Result<u64, String> {
        let m = fs::metadata(path).map_err(|e| format!("cgroup {}: {e}", path.display()))?;
        if !m.is_dir() {
            return Err(format!("cgroup {}: not a directory", path.display()));
        }
        self.check_v2(path)?;
        Ok(m.ino())
    }

    /// Under the real root, `path` must be on the cgroup v2 file system.
    fn check_v2(&self, path: &Path) -> Result<(), String> {
        if self.cgroup_root != Path::new(CGROUP_ROOT) {
            return Ok(());
        }
        // The field's integer type differs between libcs.
        #[allow(clippy::useless_conversion)]
        match nix::sys::statfs::statfs(path) {
            Ok(s) if i64::from(s.filesystem_type().0) == CGROUP2_SUPER_MAGIC => Ok(()),
            Ok(_) => Err(format!(
                "{} is not in a cgroup v2 hierarchy (mounted at {CGROUP_ROOT})",
                path.display()
            )),
            Err(e) => Err(format!("cgroup {}: {e}", path.display())),
        }
    }

    fn scan(root: &Path) -> HashMap<u64, PathBuf> {
        // Breadth-first over directories, bounded so a huge tree cannot stall us.
        let mut map = HashMap::new();
        let mut queue = vec![root.to_path_buf()];
        let mut seen = 0usize;
        while let Some(dir) = queue.pop() {
            seen += 1;
            if seen > 200_000 {
                break;
            }
            if let Ok(m) = fs::symlink_metadata(&dir) {
                map.entry(m.ino()).or_insert_with(|| dir.clone());
            }
            if let Ok(rd) = fs::read_dir(&dir) {
                for e in rd.flatten() {
                    if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                        queue.push(e.path());
                    }
                }
            }
        }
        map
    }
}

impl Names for SystemNames {
    fn user_name(&self, uid: u64) -> Option<String> {
        let uid = u32::try_from(uid).ok()?;
        nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|u| u.name)
    }

    fn group_name(&self, gid: u64) -> Option<String> {
        let gid = u32::try_from(gid).ok()?;
        nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
            .ok()
            .flatten()
            .map(|g| g.name)
    }

    fn uid_of(&self, name: &str) -> Option<u64> {
        nix::unistd::User::from_name(name)
            .ok()
            .flatten()
            .map(|u| u64::from(u.uid.as_raw()))
    }

    fn gid_of(&self, name: &str) -> Option<u64> {
        nix::unistd::Group::from_name(name)
            .ok()
            .flatten()
            .map(|g| u64::from(g.gid.as_raw()))
    }

    fn cgroup_path(&self, ino: u64) -> Option<String> {
        self.with_scan(|map| map.get(&ino).map(|p| p.display().to_string()))
    }

    fn cgroup_id(&self, input: &str) -> Result<u64, String> {
        let path = if input.starts_with('/') || input.starts_with('.') {
            PathBuf::from(input)
        } else {
            self.cgroup_root.join(input)
        };
        self.dir_id(&path)
    }

    fn cgroup_of_unit(&self, unit: &str) -> Result<u64, String> {
        self.check_v2(&self.cgroup_root)?;
        let name = OsStr::new(unit);
        unit_cgroup(
            unit,
            &self.cgroup_root,
            |path| match fs::metadata(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                _ => Some(self.dir_id(path)),
            },
            || {
                self.with_scan(|map| {
                    map.iter()
                        .filter(|(_, p)| p.file_name() == Some(name))
                        .map(|(ino, p)| (p.clone(), *ino))
                        .collect()
                })
            },
        )
    }

    fn cgroup_root(&self) -> &Path {
        &self.cgroup_root
    }

    fn process_name(&self, pid: u64) -> Option<String> {
        fs::read_to_string(format!("/proc/{pid}/comm"))
            .ok()
            .map(|s| s.trim_end().to_string())
            .filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::StaticNames;

    #[test]
    fn resolves_by_type() {
        let n = StaticNames::fixture();
        assert_eq!(resolve_id(GroupType::User, "alice", &n), Ok(1000));
        assert_eq!(resolve_id(GroupType::Uid, "2000", &n), Ok(2000));
        assert_eq!(resolve_id(GroupType::Gid, "www-data", &n), Ok(33));
        assert_eq!(
            resolve_id(GroupType::Cgroup, "/sys/fs/cgroup/db", &n),
            Ok(4242)
        );
        assert_eq!(resolve_id(GroupType::Cgroup, "db", &n), Ok(4242));
        assert_eq!(resolve_id(GroupType::Pid, "15011", &n), Ok(15011));
        assert!(resolve_id(GroupType::Pid, "postgres", &n).is_err());
        assert!(resolve_id(GroupType::User, "mallory", &n).is_err());
        assert!(resolve_id(GroupType::None, "1", &n).is_err());
        assert!(resolve_id(GroupType::Uid, "99999999999999999999999", &n).is_err());
        assert!(resolve_id(GroupType::Uid, "4294967295", &n).is_err());
        assert_eq!(
            resolve_id(GroupType::Gid, "4294967294", &n),
            Ok(4_294_967_294)
        );
        assert!(resolve_id(GroupType::Pid, "4194305", &n).is_err());
        assert_eq!(
            resolve_id(GroupType::Cgroup, "18446744073709551615", &n),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn labels() {
        let n = StaticNames::fixture();
        assert_eq!(label(GroupType::User, 1000, &n).as_deref(), Some("alice"));
        assert_eq!(label(GroupType::Gid, 33, &n).as_deref(), Some("www-data"));
        assert_eq!(label(GroupType::Cgroup, 4242, &n).as_deref(), Some("db"));
        assert_eq!(
            label(GroupType::Cgroup, 110, &n).as_deref(),
            Some("postgresql.service")
        );
        assert_eq!(
            cgroup_dir(GroupType::Cgroup, 110, &n).as_deref(),
            Some("/sys/fs/cgroup/system.slice/postgresql.service")
        );
        assert_eq!(cgroup_dir(GroupType::User, 1000, &n), None);
        assert_eq!(label(GroupType::Pid, 77, &n).as_deref(), Some("postgres"));
        assert_eq!(label(GroupType::None, 77, &n), None);
    }

    #[test]
    fn cgroup_display_names() {
        let root = Path::new("/sys/fs/cgroup");
        for (path, shown) in [
            ("/sys/fs/cgroup/system.slice", "system.slice"),
            ("/sys/fs/cgroup/system.slice/nginx.service", "nginx.service"),
            (
                "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope",
                "session-3.scope",
            ),
            ("/sys/fs/cgroup/db", "db"),
            (
                "/sys/fs/cgroup/kubepods/burstable/pod1",
                "kubepods/burstable/pod1",
            ),
            ("/sys/fs/cgroup/x/.service", "x/.service"),
            (
                "/sys/fs/cgroup/system.slice/foo.socket",
                "system.slice/foo.socket",
            ),
            ("/sys/fs/cgroup", "/"),
            ("/elsewhere/db", "/elsewhere/db"),
        ] {
            assert_eq!(cgroup_display_name(path, root), shown, "{path}");
        }
    }

    #[test]
    fn unit_names() {
        assert_eq!(unit_type("postgresql.service"), Some("service"));
        assert_eq!(unit_type("machine.slice"), Some("slice"));
        assert_eq!(unit_type("-.slice"), Some("slice"));
        assert_eq!(unit_type("session-2.scope"), Some("scope"));
        assert_eq!(unit_type("getty@tty1.service"), Some("service"));
        assert_eq!(unit_type("db"), None);
        assert_eq!(unit_type(".service"), None);
        assert_eq!(unit_type("system.slice/foo.service"), None);
        assert_eq!(unit_type("multi-user.target"), None);

        assert_eq!(slice_path("-.slice"), Ok(PathBuf::new()));
        assert_eq!(
            slice_path("machine.slice"),
            Ok(PathBuf::from("machine.slice"))
        );
        assert_eq!(
            slice_path("a-b-c.slice"),
            Ok(PathBuf::from("a.slice/a-b.slice/a-b-c.slice"))
        );
        assert_eq!(
            slice_path("user-1000.slice"),
            Ok(PathBuf::from("user.slice/user-1000.slice"))
        );
        // An escaped dash (\x2d) is part of a name, not a separator.
        assert_eq!(
            slice_path("my\\x2dapp-x.slice"),
            Ok(PathBuf::from("my\\x2dapp.slice/my\\x2dapp-x.slice"))
        );
        for bad in ["a--b.slice", "-a.slice", "a-.slice", ".slice", "a.service"] {
            assert!(slice_path(bad).is_err(), "{bad}");
        }

        assert!(check_unit_name("postgresql.service", false).is_ok());
        assert!(check_unit_name("machine.slice", false).is_ok());
        assert!(check_unit_name("machine.slice", true).is_ok());
        assert!(check_unit_name("-.slice", true).is_ok());
        assert!(check_unit_name("getty@tty1.service", false).is_ok());
        for (name, slice, says) in [
            ("postgresql.service", true, "not a slice"),
            (
                "system.slice/x.service",
                false,
                "cgroup: system.slice/x.service",
            ),
            ("db", false, "not the name of a unit"),
            ("db", true, "not a slice name"),
            ("multi-user.target", false, "NAME.service"),
            ("a b.service", false, "not a systemd unit name"),
            ("a--b.slice", true, "not a valid slice name"),
        ] {
            let e = check_unit_name(name, slice).unwrap_err();
            assert!(e.contains(says), "{name}: {e}");
        }
    }

    /// A cgroup tree as systemd lays it out, in a temporary directory.
    fn systemd_tree(tag: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("ioband-units-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for d in [
            "init.scope",
            "system.slice/postgresql.service",
            "system.slice/backup.service",
            "system.slice/system-getty.slice/getty@tty1.service",
            "user.slice/user-1000.slice/user@1000.service/app.slice/backup.service",
            "user.slice/user-1000.slice/session-3.scope",
            "machine.slice",
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        root
    }

    #[test]
    fn units_and_slices_resolve_in_a_tree() {
        let root = systemd_tree("resolve");
        let n = SystemNames::with_cgroup_root(&root);
        let ino = |rel: &str| fs::metadata(root.join(rel)).unwrap().ino();
        // Slices: the path follows from the name.
        assert_eq!(n.cgroup_of_unit("machine.slice"), Ok(ino("machine.slice")));
        assert_eq!(
            n.cgroup_of_unit("user-1000.slice"),
            Ok(ino("user.slice/user-1000.slice"))
        );
        assert_eq!(
            n.cgroup_of_unit("system-getty.slice"),
            Ok(ino("system.slice/system-getty.slice"))
        );
        assert_eq!(n.cgroup_of_unit("-.slice"), Ok(ino("")));
        // Other units: searched for by name.
        assert_eq!(
            n.cgroup_of_unit("postgresql.service"),
            Ok(ino("system.slice/postgresql.service"))
        );
        assert_eq!(
            n.cgroup_of_unit("getty@tty1.service"),
            Ok(ino("system.slice/system-getty.slice/getty@tty1.service"))
        );
        assert_eq!(
            n.cgroup_of_unit("session-3.scope"),
            Ok(ino("user.slice/user-1000.slice/session-3.scope"))
        );
        // The same name in the system's and a user's manager: both named.
        let e = n.cgroup_of_unit("backup.service").unwrap_err();
        assert!(e.contains("backup.service names 2 cgroups"), "{e}");
        assert!(
            e.contains(
                &root
                    .join("system.slice/backup.service")
                    .display()
                    .to_string()
            ) && e.contains(
                &root
                    .join("user.slice/user-1000.slice/user@1000.service/app.slice/backup.service")
                    .display()
                    .to_string()
            ),
            "{e}"
        );
        // Not running: no cgroup.
        let e = n.cgroup_of_unit("nginx.service").unwrap_err();
        assert!(
            e.contains("no cgroup named nginx.service") && e.contains("not running"),
            "{e}"
        );
        let e = n.cgroup_of_unit("kubepods.slice").unwrap_err();
        assert!(e.contains("kubepods.slice has no cgroup"), "{e}");
        let e = n.cgroup_of_unit("user-2000.slice").unwrap_err();
        assert!(
            e.contains("user.slice/user-2000.slice does not exist"),
            "{e}"
        );
        // Through resolve_id, as attach/detach/weight do.
        assert_eq!(
            resolve_id(GroupType::Cgroup, "postgresql.service", &n),
            Ok(ino("system.slice/postgresql.service"))
        );
        assert_eq!(
            resolve_id(GroupType::Cgroup, "system.slice", &n),
            Ok(ino("system.slice"))
        );
        assert_eq!(
            resolve_id(GroupType::Cgroup, "system.slice/backup.service", &n),
            Ok(ino("system.slice/backup.service"))
        );
        // Shown by unit name, or by path relative to the root.
        let id = ino("system.slice/postgresql.service");
        assert_eq!(
            label(GroupType::Cgroup, id, &n).as_deref(),
            Some("postgresql.service")
        );
        fs::create_dir_all(root.join("kubepods/burstable")).unwrap();
        let n = SystemNames::with_cgroup_root(&root);
        assert_eq!(
            label(GroupType::Cgroup, ino("kubepods/burstable"), &n).as_deref(),
            Some("kubepods/burstable")
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn system_cgroup_scan_uses_inodes() {
        let root = std::env::temp_dir().join(format!("ioband-cg-{}", std::process::id()));
        let sub = root.join("a").join("b");
        fs::create_dir_all(&sub).unwrap();
        let n = SystemNames::with_cgroup_root(&root);
        let ino = fs::metadata(&sub).unwrap().ino();
        assert_eq!(n.cgroup_id("a/b"), Ok(ino));
        assert_eq!(n.cgroup_id(&sub.display().to_string()), Ok(ino));
        assert_eq!(n.cgroup_path(ino), Some(sub.display().to_string()));
        assert!(n.cgroup_id("missing").is_err());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn system_users() {
        let n = SystemNames::default();
        assert_eq!(n.uid_of("root"), Some(0));
        assert_eq!(n.user_name(0).as_deref(), Some("root"));
        assert_eq!(n.gid_of("root"), Some(0));
    }
}
