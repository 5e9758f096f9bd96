//! The only module that talks to the kernel through ioctls: device-mapper
//! (below) and a block device's size ([`block_device_bytes`]).
//!
//! [`DmBackend`] is the small interface the rest of the tool uses; [`KernelDm`]
//! implements it over the device-mapper ioctls (the `devicemapper` crate), and
//! `crate::fake::FakeDm` (tests only) implements it in memory. Nothing outside
//! this file imports `devicemapper`.
//!
//! Device nodes: with udev running (`/run/udev/control` exists) the
//! `devicemapper` crate waits for udev on resume and remove with the usual
//! cookie semaphore, and udev makes `/dev/mapper/NAME` (if it has not after
//! half a second, we make it). Without udev (containers, test guests), or
//! with `DM_DISABLE_UDEV` set, this module creates and removes the node
//! itself, like `dmsetup mknodes`.

use std::fmt;
use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use devicemapper::{DevId, DmFlags, DmName, DmOptions, DmUuid, DM};

use crate::target::{Limits, Message, Settings, Shares, Target, TARGET_NAME};

/// Where device-mapper nodes live.
pub const DM_DIR: &str = "/dev/mapper";
/// The device-mapper control node.
pub const DM_CONTROL: &str = "/dev/mapper/control";
/// Present when udev is running.
const UDEV_CONTROL: &str = "/run/udev/control";

/// Errno values this tool reacts to (Linux numbering).
pub mod errno {
    /// Operation not permitted.
    pub const EPERM: i32 = 1;
    /// No such file or directory.
    pub const ENOENT: i32 = 2;
    /// No such device or address.
    pub const ENXIO: i32 = 6;
    /// Permission denied.
    pub const EACCES: i32 = 13;
    /// Device or resource busy.
    pub const EBUSY: i32 = 16;
    /// File exists.
    pub const EEXIST: i32 = 17;
    /// No such device.
    pub const ENODEV: i32 = 19;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
}

/// A failed device-mapper operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmError {
    /// What was being done ("create", "load table", "message", ...).
    pub op: &'static str,
    /// The device concerned, if any.
    pub device: Option<String>,
    /// The kernel's errno, when the failure came from an ioctl.
    pub errno: Option<i32>,
    /// Extra detail (used when there is no errno).
    pub detail: String,
}

impl DmError {
    /// An error carrying an errno from the kernel.
    pub fn errno(op: &'static str, device: Option<&str>, errno: i32) -> Self {
        DmError {
            op,
            device: device.map(str::to_string),
            errno: Some(errno),
            detail: String::new(),
        }
    }

    /// An error without errno.
    pub fn other(op: &'static str, device: Option<&str>, detail: impl Into<String>) -> Self {
        DmError {
            op,
            device: device.map(str::to_string),
            errno: None,
            detail: detail.into(),
        }
    }

    /// The kernel's reason as text, e.g. "Invalid argument (os error 22)".
    pub fn reason(&self) -> String {
        match self.errno {
            Some(e) => {
                let mut s = io::Error::from_raw_os_error(e).to_string();
                if !self.detail.is_empty() {
                    s.push_str(": ");
                    s.push_str(&self.detail);
                }
                s
            }
            None => self.detail.clone(),
        }
    }
}

impl fmt::Display for DmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.device {
            Some(d) => write!(f, "{} {}: {}", self.op, d, self.reason()),
            None => write!(f, "{}: {}", self.op, self.reason()),
        }
    }
}

impl std::error::Error for DmError {}

/// One entry of the device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevEntry {
    /// Device name.
    pub name: String,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
}

/// State of one device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DevInfo {
    /// Device name.
    pub name: String,
    /// UUID, if set.
    pub uuid: Option<String>,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Number of openers.
    pub open_count: i32,
    /// Suspended?
    pub suspended: bool,
    /// A live table is present.
    pub live_table: bool,
    /// An inactive (loaded, not yet resumed) table is present.
    pub inactive_table: bool,
    /// Event counter.
    pub event_nr: u32,
}

/// A loaded target type and its version (`dmsetup targets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetVersion {
    /// Target name.
    pub name: String,
    /// Major, minor, patch.
    pub version: (u32, u32, u32),
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        write!(f, "v{a}.{b}.{c}")
    }
}

/// How to remove a device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemoveOptions {
    /// Keep retrying for a few seconds while the device is busy.
    pub retry: bool,
    /// Let the kernel remove the device when its last user closes it.
    pub deferred: bool,
}

/// The device-mapper operations the tool needs.
pub trait DmBackend {
    /// All device-mapper devices.
    fn list_devices(&self) -> Result<Vec<DevEntry>, DmError>;
    /// Create a device, load `table` and resume it (what `dmsetup create` does).
    fn create(&self, name: &str, uuid: Option<&str>, table: &[Target]) -> Result<DevInfo, DmError>;
    /// Load `table` into the inactive slot (`dmsetup reload`).
    fn load(&self, name: &str, table: &[Target]) -> Result<DevInfo, DmError>;
    /// Suspend, optionally without flushing queued I/O.
    fn suspend(&self, name: &str, noflush: bool) -> Result<DevInfo, DmError>;
    /// Resume (swapping in an inactive table, if one was loaded).
    fn resume(&self, name: &str) -> Result<DevInfo, DmError>;
    /// Remove a device. Returns true when it is gone, false when the
    /// removal was deferred.
    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<bool, DmError>;
    /// Send a target message; returns the target's reply, if any.
    fn message(&self, name: &str, sector: u64, text: &str) -> Result<Option<String>, DmError>;
    /// The live table as the kernel prints it (`dmsetup table`).
    fn table(&self, name: &str) -> Result<Vec<Target>, DmError>;
    /// The target status (`dmsetup status`).
    fn status(&self, name: &str) -> Result<Vec<Target>, DmError>;
    /// Loaded target types (`dmsetup targets`).
    fn target_versions(&self) -> Result<Vec<TargetVersion>, DmError>;
    /// Device state (`dmsetup info`).
    fn info(&self, name: &str) -> Result<DevInfo, DmError>;
    /// The device-mapper driver version, if known.
    fn driver_version(&self) -> Result<(u32, u32, u32), DmError>;
}

/// Is the ioband target loaded? `None` when the kernel cannot tell.
pub fn ioband_target_loaded(dm: &dyn DmBackend) -> Option<bool> {
    dm.target_versions()
        .ok()
        .map(|v| v.iter().any(|t| t.name == TARGET_NAME))
}

/// Each group's configured share of its device group, nesting included:
/// the target's reply to the `shares` message (one ioctl). An error when
/// the device cannot be asked, when the module is too old to know the
/// message (EINVAL), or when the reply does not parse.
pub fn shares(dm: &dyn DmBackend, name: &str) -> Result<Shares, DmError> {
    const OP: &str = "shares";
    let reply = dm.message(name, 0, &Message::Shares.to_string())?;
    let text = reply.ok_or_else(|| DmError::other(OP, Some(name), "the target did not reply"))?;
    text.parse()
        .map_err(|e| DmError::other(OP, Some(name), format!("{e} (reply {text:?})")))
}

/// The settings of a device's device group, as configured and as in force
/// (io_limit auto follows the queue depth of the device below): the
/// target's reply to the `settings` message (one ioctl). An error when the
/// device cannot be asked, when the module is too old to know the message
/// (EINVAL), or when the reply does not parse; errors name the device.
pub fn settings(dm: &dyn DmBackend, name: &str) -> Result<Settings, DmError> {
    const OP: &str = "settings";
    let reply = dm.message(name, 0, &Message::Settings.to_string())?;
    let text = reply.ok_or_else(|| DmError::other(OP, Some(name), "the target did not reply"))?;
    text.parse()
        .map_err(|e| DmError::other(OP, Some(name), format!("{e} (reply {text:?})")))
}

/// Each group's caps and how often they held it back: the target's reply
/// to the `limits` message (one ioctl). An error when the device cannot be
/// asked, when the module is too old to know the message (EINVAL), or when
/// the reply does not parse; errors name the device.
pub fn limits(dm: &dyn DmBackend, name: &str) -> Result<Limits, DmError> {
    const OP: &str = "limits";
    let reply = dm.message(name, 0, &Message::Limits.to_string())?;
    let text = reply.ok_or_else(|| DmError::other(OP, Some(name), "the target did not reply"))?;
    text.parse()
        .map_err(|e| DmError::other(OP, Some(name), format!("{e} (reply {text:?})")))
}

/// Check a device name before handing it to the kernel.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the device name is empty".into());
    }
    if name.len() > 127 {
        return Err(format!(
            "the device name is {} bytes long (max 127)",
            name.len()
        ));
    }
    if name == "." || name == ".." || name == "control" {
        return Err(format!("{name:?} is a reserved name"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !c.is_ascii_graphic() || *c == '/' || *c == '\\')
    {
        return Err(format!(
            "the device name {name:?} contains {c:?}; use letters, digits and -_.+:@"
        ));
    }
    Ok(())
}

nix::ioctl_read!(blkgetsize64, 0x12, 114, u64);

/// The size in bytes of the block device at `path` (the `BLKGETSIZE64`
/// ioctl); errors name the path.
pub fn block_device_bytes(path: &str) -> Result<u64, String> {
    use std::os::fd::AsRawFd;
    let f = fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut bytes: u64 = 0;
    // SAFETY: BLKGETSIZE64 writes one u64 through the pointer we pass.
    unsafe { blkgetsize64(f.as_raw_fd(), &mut bytes) }
        .map_err(|e| format!("{path}: BLKGETSIZE64: {}", e.desc()))?;
    Ok(bytes)
}

/// The real backend: device-mapper ioctls on `/dev/mapper/control`.
pub struct KernelDm {
    dm: DM,
    nodes: NodeManager,
}

impl KernelDm {
    /// Open the control node.
    pub fn open() -> Result<KernelDm, DmError> {
        const OP: &str = "open /dev/mapper/control";
        // Open it once ourselves to learn the errno (DM::new only gives text).
        if let Err(e) = fs::File::open(DM_CONTROL) {
            return Err(DmError::errno(
                OP,
                None,
                e.raw_os_error().unwrap_or(errno::ENOENT),
            ));
        }
        let dm = DM::new().map_err(|e| DmError::other(OP, None, e.to_string()))?;
        Ok(KernelDm {
            dm,
            nodes: NodeManager::system(),
        })
    }
}

fn conv(op: &'static str, device: Option<&str>, e: devicemapper::DmError) -> DmError {
    use devicemapper::errors::Error as Core;
    match &e {
        devicemapper::DmError::Core(Core::Ioctl(_, _, _, err)) => {
            DmError::errno(op, device, **err as i32)
        }
        devicemapper::DmError::Core(Core::InvalidArgument(s)) => {
            DmError::other(op, device, format!("invalid argument: {s}"))
        }
        _ => DmError::other(op, device, e.to_string()),
    }
}

fn dm_name<'a>(op: &'static str, name: &'a str) -> Result<&'a DmName, DmError> {
    validate_name(name).map_err(|e| DmError::other(op, Some(name), e))?;
    DmName::new(name).map_err(|e| conv(op, Some(name), e))
}

fn to_info(i: &devicemapper::DeviceInfo) -> DevInfo {
    let dev = i.device();
    let flags = i.flags();
    DevInfo {
        name: i.name().map(|n| n.to_string()).unwrap_or_default(),
        uuid: i.uuid().map(|u| u.to_string()).filter(|u| !u.is_empty()),
        major: dev.major,
        minor: dev.minor,
        open_count: i.open_count(),
        suspended: flags.contains(DmFlags::DM_SUSPEND),
        live_table: flags.contains(DmFlags::DM_ACTIVE_PRESENT),
        inactive_table: flags.contains(DmFlags::DM_INACTIVE_PRESENT),
        event_nr: i.event_nr(),
    }
}

fn to_tuples(table: &[Target]) -> Result<Vec<(u64, u64, String, String)>, String> {
    table
        .iter()
        .map(|t| {
            if t.target_type.is_empty() || t.target_type.len() >= 16 {
                Err(format!("bad target type {:?}", t.target_type))
            } else {
                Ok((t.start, t.length, t.target_type.clone(), t.params.clone()))
            }
        })
        .collect()
}

fn from_tuples(v: Vec<(u64, u64, String, String)>) -> Vec<Target> {
    v.into_iter()
        .map(|(start, length, target_type, params)| Target {
            start,
            length,
            target_type,
            params: params.trim().to_string(),
        })
        .collect()
}

impl DmBackend for KernelDm {
    fn list_devices(&self) -> Result<Vec<DevEntry>, DmError> {
        let mut v: Vec<DevEntry> = self
            .dm
            .list_devices()
            .map_err(|e| conv("list devices", None, e))?
            .into_iter()
            .map(|(name, dev, _)| DevEntry {
                name: name.to_string(),
                major: dev.major,
                minor: dev.minor,
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    fn create(&self, name: &str, uuid: Option<&str>, table: &[Target]) -> Result<DevInfo, DmError> {
        let n = dm_name("create", name)?;
        let tuples = to_tuples(table).map_err(|e| DmError::other("create", Some(name), e))?;
        let u = match uuid {
            Some(u) => Some(DmUuid::new(u).map_err(|e| conv("create", Some(name), e))?),
            None => None,
        };
        self.dm
            .device_create(n, u, DmOptions::default())
            .map_err(|e| conv("create", Some(name), e))?;
        let id = DevId::Name(n);
        // Roll back on failure so a bad table leaves nothing behind.
        let undo = |err: DmError| {
            let _ = self.dm.device_remove(&id, DmOptions::default());
            err
        };
        self.dm
            .table_load(&id, &tuples, DmOptions::default())
            .map_err(|e| undo(conv("load table", Some(name), e)))?;
        let info = self
            .dm
            .device_suspend(&id, DmOptions::default())
            .map_err(|e| undo(conv("resume", Some(name), e)))?;
        let info = to_info(&info);
        self.nodes.ensure(name, info.major, info.minor);
        Ok(info)
    }

    fn load(&self, name: &str, table: &[Target]) -> Result<DevInfo, DmError> {
        let n = dm_name("load table", name)?;
        let tuples = to_tuples(table).map_err(|e| DmError::other("load table", Some(name), e))?;
        self.dm
            .table_load(&DevId::Name(n), &tuples, DmOptions::default())
            .map(|i| to_info(&i))
            .map_err(|e| conv("load table", Some(name), e))
    }

    fn suspend(&self, name: &str, noflush: bool) -> Result<DevInfo, DmError> {
        let n = dm_name("suspend", name)?;
        let mut flags = DmFlags::DM_SUSPEND;
        if noflush {
            flags |= DmFlags::DM_NOFLUSH;
        }
        self.dm
            .device_suspend(&DevId::Name(n), DmOptions::default().set_flags(flags))
            .map(|i| to_info(&i))
            .map_err(|e| conv("suspend", Some(name), e))
    }

    fn resume(&self, name: &str) -> Result<DevInfo, DmError> {
        let n = dm_name("resume", name)?;
        let info = self
            .dm
            .device_suspend(&DevId::Name(n), DmOptions::default())
            .map(|i| to_info(&i))
            .map_err(|e| conv("resume", Some(name), e))?;
        self.nodes.ensure(name, info.major, info.minor);
        Ok(info)
    }

    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<bool, DmError> {
        let n = dm_name("remove", name)?;
        let id = DevId::Name(n);
        let flags = if opts.deferred {
            DmFlags::DM_DEFERRED_REMOVE
        } else {
            DmFlags::empty()
        };
        // devicemapper itself retries EBUSY 5 times over about a second;
        // --retry keeps going for about five more.
        let rounds = if opts.retry { 5 } else { 1 };
        let mut last = None;
        for round in 0..rounds {
            if round > 0 {
                thread::sleep(Duration::from_millis(200));
            }
            match self
                .dm
                .device_remove(&id, DmOptions::default().set_flags(flags))
            {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e) => {
                    let e = conv("remove", Some(name), e);
                    let busy = e.errno == Some(errno::EBUSY);
                    last = Some(e);
                    if !busy {
                        break;
                    }
                }
            }
        }
        if let Some(e) = last {
            return Err(e);
        }
        // A deferred removal of an open device leaves it in place for now.
        let gone = self.dm.device_info(&id).is_err();
        if gone {
            self.nodes.remove(name);
        }
        Ok(gone)
    }

    fn message(&self, name: &str, sector: u64, text: &str) -> Result<Option<String>, DmError> {
        let n = dm_name("message", name)?;
        self.dm
            .target_msg(&DevId::Name(n), Some(sector), text)
            .map(|(_, out)| out)
            .map_err(|e| conv("message", Some(name), e))
    }

    fn table(&self, name: &str) -> Result<Vec<Target>, DmError> {
        let n = dm_name("table", name)?;
        self.dm
            .table_status(
                &DevId::Name(n),
                DmOptions::default().set_flags(DmFlags::DM_STATUS_TABLE),
            )
            .map(|(_, t)| from_tuples(t))
            .map_err(|e| conv("table", Some(name), e))
    }

    fn status(&self, name: &str) -> Result<Vec<Target>, DmError> {
        let n = dm_name("status", name)?;
        self.dm
            .table_status(&DevId::Name(n), DmOptions::default())
            .map(|(_, t)| from_tuples(t))
            .map_err(|e| conv("status", Some(name), e))
    }

    fn target_versions(&self) -> Result<Vec<TargetVersion>, DmError> {
        let mut v: Vec<TargetVersion> = self
            .dm
            .list_versions()
            .map_err(|e| conv("list targets", None, e))?
            .into_iter()
            .map(|(name, a, b, c)| TargetVersion {
                name,
                version: (a, b, c),
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    fn info(&self, name: &str) -> Result<DevInfo, DmError> {
        let n = dm_name("info", name)?;
        self.dm
            .device_info(&DevId::Name(n))
            .map(|i| to_info(&i))
            .map_err(|e| conv("info", Some(name), e))
    }

    fn driver_version(&self) -> Result<(u32, u32, u32), DmError> {
        self.dm
            .version()
            .map_err(|e| conv("driver version", None, e))
    }
}

/// Creates and removes `/dev/mapper/NAME` when udev does not.
#[derive(Debug, Clone)]
pub struct NodeManager {
    dir: PathBuf,
    udev: bool,
}

impl NodeManager {
    /// Nodes under `/dev/mapper`, udev detected from `/run/udev/control`;
    /// `DM_DISABLE_UDEV` (as libdevmapper honours it) means we make them.
    pub fn system() -> Self {
        NodeManager {
            dir: PathBuf::from(DM_DIR),
            udev: std::env::var_os("DM_DISABLE_UDEV").is_none() && Path::new(UDEV_CONTROL).exists(),
        }
    }

    /// A manager for another directory (tests).
    pub fn new(dir: impl Into<PathBuf>, udev: bool) -> Self {
        NodeManager {
            dir: dir.into(),
            udev,
        }
    }

    /// The node path for `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Make sure `/dev/mapper/NAME` is a block node for `major:minor`.
    /// With udev, give udev a moment first (the crate already waited on the
    /// udev cookie) and only fall back to creating the node ourselves.
    /// Failures are not fatal: the device exists either way.
    pub fn ensure(&self, name: &str, major: u32, minor: u32) {
        let path = self.path(name);
        if self.udev {
            for _ in 0..10 {
                if path.exists() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        let rdev = nix::sys::stat::makedev(u64::from(major), u64::from(minor));
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_block_device() && m.rdev() == rdev => return,
            Ok(m) if m.file_type().is_symlink() && self.udev => return,
            Ok(_) => {
                let _ = fs::remove_file(&path);
            }
            Err(_) => {}
        }
        let _ = fs::create_dir_all(&self.dir);
        let mode = nix::sys::stat::Mode::from_bits_truncate(0o600);
        let _ = nix::sys::stat::mknod(&path, nix::sys::stat::SFlag::S_IFBLK, mode, rdev);
    }

    /// Remove a stale `/dev/mapper/NAME` after the device is gone.
    pub fn remove(&self, name: &str) {
        let path = self.path(name);
        if self.udev {
            for _ in 0..10 {
                if fs::symlink_metadata(&path).is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        if let Ok(m) = fs::symlink_metadata(&path) {
            let t = m.file_type();
            if t.is_block_device() || t.is_symlink() {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("ioband1").is_ok());
        assert!(validate_name("vg-lv_1.x+y:z@w").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("a/b").is_err());
        assert!(validate_name("a b").is_err());
        assert!(validate_name("..").is_err());
        assert!(validate_name("control").is_err());
        assert!(validate_name(&"x".repeat(128)).is_err());
        assert!(validate_name(&"x".repeat(127)).is_ok());
        assert!(validate_name("é").is_err());
    }

    #[test]
    fn error_text_names_device_and_reason() {
        let e = DmError::errno("message", Some("ioband1"), errno::EINVAL);
        let s = e.to_string();
        assert!(s.starts_with("message ioband1: "), "{s}");
        assert!(s.contains("Invalid argument"), "{s}");
        let e = DmError::other("list targets", None, "boom");
        assert_eq!(e.to_string(), "list targets: boom");
    }

    #[test]
    fn node_manager_removes_only_nodes() {
        let dir = std::env::temp_dir().join(format!("ioband-nodes-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let nm = NodeManager::new(&dir, false);
        // A regular file is not ours to remove.
        let p = nm.path("plain");
        fs::write(&p, b"x").unwrap();
        nm.remove("plain");
        assert!(p.exists());
        // A symlink (as udev makes) is removed.
        let l = nm.path("link");
        std::os::unix::fs::symlink("/nonexistent", &l).unwrap();
        nm.remove("link");
        assert!(fs::symlink_metadata(&l).is_err());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn target_version_display() {
        let t = TargetVersion {
            name: "ioband".into(),
            version: (1, 0, 0),
        };
        assert_eq!(t.to_string(), "v1.0.0");
    }
}
