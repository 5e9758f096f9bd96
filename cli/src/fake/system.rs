//! Block devices, clock and terminal from fixed values.

use std::time::Duration;

use crate::sys::System;
use crate::target::parse_major_minor;

/// A system for tests: fixed device sizes, a clock that moves on sleep.
#[derive(Debug, Default)]
pub struct FakeSystem {
    /// (device, sectors)
    pub devices: Vec<(String, u64)>,
    /// Current time.
    pub clock: std::cell::Cell<f64>,
    /// Pretend to be a terminal.
    pub tty: bool,
    /// (device path, major, minor)
    pub numbers: Vec<(String, u32, u32)>,
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
    fn block_device_number(&self, dev: &str) -> Result<(u32, u32), String> {
        if let Some(number) = parse_major_minor(dev) {
            return Ok(number);
        }
        self.numbers
            .iter()
            .find(|(d, _, _)| d == dev)
            .map(|(_, a, b)| (*a, *b))
            .ok_or_else(|| format!("{dev}: No such file or directory (os error 2)"))
    }
    fn block_device_path(&self, major: u32, minor: u32) -> Option<String> {
        self.numbers
            .iter()
            .find(|(_, a, b)| *a == major && *b == minor)
            .map(|(d, _, _)| d.clone())
    }
}
