//! Group ids and the names people use for them: users, groups, cgroups,
//! processes.
//!
//! The kernel only knows numbers. For types user/uid and gid the CLI accepts
//! names (`alice`, `www-data`), for cgroup a directory (`/sys/fs/cgroup/db`
//! or `db`, relative to `/sys/fs/cgroup`) whose inode number is the cgroup id.
//! The other way round, `status` shows the name next to the number.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
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

/// A name to show next to a group id, where one is known.
pub fn label(t: GroupType, id: u64, names: &dyn Names) -> Option<String> {
    match t {
        GroupType::User | GroupType::Uid => names.user_name(id),
        GroupType::Gid => names.group_name(id),
        GroupType::Cgroup => names.cgroup_path(id),
        GroupType::Pid | GroupType::Pgrp => names.process_name(id),
        GroupType::None => None,
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
        let mut cache = self.cgroups.borrow_mut();
        let map = cache.get_or_insert_with(|| Self::scan(&self.cgroup_root));
        map.get(&ino).map(|p| p.display().to_string())
    }

    fn cgroup_id(&self, input: &str) -> Result<u64, String> {
        let path = if input.starts_with('/') || input.starts_with('.') {
            PathBuf::from(input)
        } else {
            self.cgroup_root.join(input)
        };
        let m = fs::metadata(&path).map_err(|e| format!("cgroup {}: {e}", path.display()))?;
        if !m.is_dir() {
            return Err(format!("cgroup {}: not a directory", path.display()));
        }
        if self.cgroup_root == Path::new(CGROUP_ROOT) {
            // The field's integer type differs between libcs.
            #[allow(clippy::useless_conversion)]
            match nix::sys::statfs::statfs(&path) {
                Ok(s) if i64::from(s.filesystem_type().0) == CGROUP2_SUPER_MAGIC => {}
                Ok(_) => {
                    return Err(format!(
                        "{} is not in a cgroup v2 hierarchy (mounted at {CGROUP_ROOT})",
                        path.display()
                    ))
                }
                Err(e) => return Err(format!("cgroup {}: {e}", path.display())),
            }
        }
        Ok(m.ino())
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
        assert_eq!(
            label(GroupType::Cgroup, 4242, &n).as_deref(),
            Some("/sys/fs/cgroup/db")
        );
        assert_eq!(label(GroupType::Pid, 77, &n).as_deref(), Some("postgres"));
        assert_eq!(label(GroupType::None, 77, &n), None);
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
