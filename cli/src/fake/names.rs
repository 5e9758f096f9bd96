//! Name lookups from a fixed table.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::ids::{unit_cgroup, Names, CGROUP_ROOT};

/// A fixed table of names, for tests.
#[derive(Debug, Default, Clone)]
pub struct StaticNames {
    /// (uid, name)
    pub users: Vec<(u64, String)>,
    /// (gid, name)
    pub groups: Vec<(u64, String)>,
    /// (inode, path)
    pub cgroups: Vec<(u64, String)>,
    /// (pid, comm)
    pub processes: Vec<(u64, String)>,
}

impl StaticNames {
    /// A small fixture: alice=1000, bob=2000, group www-data=33, cgroup
    /// /sys/fs/cgroup/db=4242, a host's slices under /sys/fs/cgroup
    /// (system.slice=100, user.slice=101, machine.slice=102,
    /// kubepods.slice=103), system.slice/postgresql.service=110 and
    /// system.slice/backup.service=111, process 77=postgres.
    pub fn fixture() -> Self {
        let cg = |id: u64, rel: &str| (id, format!("{CGROUP_ROOT}/{rel}"));
        StaticNames {
            users: vec![(1000, "alice".into()), (2000, "bob".into())],
            groups: vec![(33, "www-data".into())],
            cgroups: vec![
                cg(4242, "db"),
                cg(100, "system.slice"),
                cg(101, "user.slice"),
                cg(102, "machine.slice"),
                cg(103, "kubepods.slice"),
                cg(110, "system.slice/postgresql.service"),
                cg(111, "system.slice/backup.service"),
            ],
            processes: vec![(77, "postgres".into())],
        }
    }
}

fn find_name(v: &[(u64, String)], id: u64) -> Option<String> {
    v.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone())
}

fn find_id(v: &[(u64, String)], name: &str) -> Option<u64> {
    v.iter().find(|(_, n)| n == name).map(|(i, _)| *i)
}

impl Names for StaticNames {
    fn user_name(&self, uid: u64) -> Option<String> {
        find_name(&self.users, uid)
    }
    fn group_name(&self, gid: u64) -> Option<String> {
        find_name(&self.groups, gid)
    }
    fn uid_of(&self, name: &str) -> Option<u64> {
        find_id(&self.users, name)
    }
    fn gid_of(&self, name: &str) -> Option<u64> {
        find_id(&self.groups, name)
    }
    fn cgroup_path(&self, ino: u64) -> Option<String> {
        find_name(&self.cgroups, ino)
    }
    fn cgroup_id(&self, path: &str) -> Result<u64, String> {
        let full = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{CGROUP_ROOT}/{path}")
        };
        find_id(&self.cgroups, full.trim_end_matches('/'))
            .ok_or_else(|| format!("cgroup {full}: No such file or directory"))
    }
    fn cgroup_of_unit(&self, unit: &str) -> Result<u64, String> {
        unit_cgroup(
            unit,
            Path::new(CGROUP_ROOT),
            |p| find_id(&self.cgroups, &p.display().to_string()).map(Ok),
            || {
                self.cgroups
                    .iter()
                    .filter(|(_, p)| Path::new(p).file_name() == Some(OsStr::new(unit)))
                    .map(|(i, p)| (PathBuf::from(p), *i))
                    .collect()
            },
        )
    }
    fn cgroup_root(&self) -> &Path {
        Path::new(CGROUP_ROOT)
    }
    fn process_name(&self, pid: u64) -> Option<String> {
        find_name(&self.processes, pid)
    }
}
