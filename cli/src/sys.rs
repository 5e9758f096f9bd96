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
}

/// A system for tests: fixed device sizes, a clock that moves on sleep.
#[derive(Debug, Default)]
pub struct FakeSystem {
    /// (device, sectors)
    pub devices: Vec<(String, u64)>,
    /// Current time.
    pub clock: std::cell::Cell<f64>,
    /// Pretend to be a terminal.
    pub tty: bool,
}

impl System for FakeSystem {
    fn block_device_sectors(&self, dev: &str) -> Result<u64, String> {
        self.devices
            .iter()
            .find(|(d, _)| d == dev)
            .map(|(_, s)| *s)
            .ok_or_else(|| format!("{dev}: No such file or directory (os error 2)"))
    }
    fn sleep(&self, d: Duration) {
        self.clock.set(self.clock.get() + d.as_secs_f64());
    }
    fn now_secs(&self) -> f64 {
        self.clock.get()
    }
    fn stdout_is_tty(&self) -> bool {
        self.tty
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
    }

    #[test]
    fn not_a_block_device() {
        let s = RealSystem::default();
        assert!(s.block_device_sectors("/dev/null").is_err());
        assert!(s.block_device_sectors("/nonexistent/dev").is_err());
    }
}
