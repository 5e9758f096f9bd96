//! The rest of the system the commands touch: block device sizes, the clock,
//! the terminal. Behind [`System`] so commands test without devices.

use std::fs::File;
use std::io::IsTerminal;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::{Duration, Instant};

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

nix::ioctl_read!(blkgetsize64, 0x12, 114, u64);

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

/// Turn MAJOR:MINOR into the /dev/block path; leave paths alone.
pub fn device_path(dev: &str) -> String {
    match dev.split_once(':') {
        Some((a, b))
            if !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit()) =>
        {
            format!("/dev/block/{a}:{b}")
        }
        _ => dev.to_string(),
    }
}

impl System for RealSystem {
    fn block_device_sectors(&self, dev: &str) -> Result<u64, String> {
        use std::os::fd::AsRawFd;
        let path = device_path(dev);
        let meta = std::fs::metadata(Path::new(&path)).map_err(|e| format!("{path}: {e}"))?;
        if !meta.file_type().is_block_device() {
            return Err(format!("{path} is not a block device"));
        }
        let f = File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        let mut bytes: u64 = 0;
        // SAFETY: BLKGETSIZE64 writes one u64 through the pointer we pass.
        unsafe { blkgetsize64(f.as_raw_fd(), &mut bytes) }
            .map_err(|e| format!("{path}: BLKGETSIZE64: {}", e.desc()))?;
        Ok(bytes / 512)
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
        let path = device_path(dev);
        let meta = std::fs::metadata(Path::new(&path)).map_err(|e| format!("{path}: {e}"))?;
        if !meta.file_type().is_block_device() {
            return Err(format!("{path} is not a block device"));
        }
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
        assert_eq!(device_path("8:1"), "/dev/block/8:1");
        assert_eq!(device_path("/dev/sda1"), "/dev/sda1");
        assert_eq!(device_path("a:1"), "a:1");
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
