//! The rest of the system the commands touch: block device sizes and
//! numbers, the clock, the terminal. Behind [`System`] so commands test
//! without devices. The one ioctl involved (a block device's size) is
//! [`dm::block_device_bytes`].

use std::io::IsTerminal;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::dm;
use crate::target::{split_major_minor, SECTOR_SIZE};

/// System services used by commands.
pub trait System {
    /// Size of a block device in 512-byte sectors (path or MAJOR:MINOR).
    fn block_device_sectors(&self, dev: &str) -> Result<u64, String>;
    /// Sleep.
    fn sleep(&self, d: Duration);
    /// Seconds on a monotonic clock.
    fn now_secs(&self) -> f64;
    /// Is standard output a terminal?
    fn stdout_is_tty(&self) -> bool;
    /// MAJOR and MINOR of a block device (path, symlinks followed, or
    /// MAJOR:MINOR).
    fn block_device_number(&self, dev: &str) -> Result<(u32, u32), String>;
    /// A path naming block device MAJOR:MINOR (/dev/mapper/NAME for
    /// device-mapper devices), if one is known.
    fn block_device_path(&self, major: u32, minor: u32) -> Option<String>;
}

/// Split a Linux `dev_t` into major and minor.
pub fn split_dev(dev: u64) -> (u32, u32) {
    let major = ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0fff);
    let minor = ((dev >> 12) & 0xffff_ff00) | (dev & 0x00ff);
    (major as u32, minor as u32)
}

/// The real system.
pub struct RealSystem {
    start: Instant,
}

impl Default for RealSystem {
    fn default() -> Self {
        RealSystem {
            start: Instant::now(),
        }
    }
}

/// The node to open for a block device given as a path or `MAJOR:MINOR`:
/// `MAJOR:MINOR` becomes `/dev/block/MAJOR:MINOR`, a path stays as it is.
pub fn dev_block_path(dev: &str) -> String {
    match split_major_minor(dev) {
        Some((major, minor)) => format!("/dev/block/{major}:{minor}"),
        None => dev.to_string(),
    }
}

/// `path`'s metadata, symlinks followed; an error unless it is a block device.
fn block_device_metadata(path: &str) -> Result<std::fs::Metadata, String> {
    let meta = std::fs::metadata(Path::new(path)).map_err(|e| format!("{path}: {e}"))?;
    if !meta.file_type().is_block_device() {
        return Err(format!("{path} is not a block device"));
    }
    Ok(meta)
}

impl System for RealSystem {
    fn block_device_sectors(&self, dev: &str) -> Result<u64, String> {
        let path = dev_block_path(dev);
        block_device_metadata(&path)?;
        Ok(dm::block_device_bytes(&path)? / SECTOR_SIZE)
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }

    fn now_secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn stdout_is_tty(&self) -> bool {
        std::io::stdout().is_terminal()
    }

    fn block_device_number(&self, dev: &str) -> Result<(u32, u32), String> {
        use std::os::unix::fs::MetadataExt;
        let meta = block_device_metadata(&dev_block_path(dev))?;
        Ok(split_dev(meta.rdev()))
    }

    fn block_device_path(&self, major: u32, minor: u32) -> Option<String> {
        let sys = format!("/sys/dev/block/{major}:{minor}");
        if let Ok(n) = std::fs::read_to_string(format!("{sys}/dm/name")) {
            let n = n.trim();
            if !n.is_empty() {
                return Some(format!("/dev/mapper/{n}"));
            }
        }
        let uevent = std::fs::read_to_string(format!("{sys}/uevent")).ok()?;
        uevent
            .lines()
            .find_map(|l| l.strip_prefix("DEVNAME="))
            .map(|n| format!("/dev/{}", n.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(dev_block_path("8:1"), "/dev/block/8:1");
        assert_eq!(dev_block_path("/dev/sda1"), "/dev/sda1");
        assert_eq!(dev_block_path("a:1"), "a:1");
        assert_eq!(split_dev(0x0801), (8, 1));
        assert_eq!(split_dev((259 << 8) | 3), (259, 3));
    }

    #[test]
    fn not_a_block_device() {
        let s = RealSystem::default();
        assert!(s.block_device_sectors("/dev/null").is_err());
        assert!(s.block_device_sectors("/nonexistent/dev").is_err());
    }
}
