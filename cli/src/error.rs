//! The CLI's error: what went wrong (naming the device and the field), the
//! kernel's reason, a suggested fix, and the exit code.

use std::fmt;

use crate::dm::{errno, DmError};
use crate::target::ParseError;

/// Exit code for failures.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for usage errors (same as clap's).
pub const EXIT_USAGE: i32 = 2;

/// An error to print and exit with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What failed.
    pub message: String,
    /// How to fix it, if we know.
    pub hint: Option<String>,
    /// Process exit code.
    pub code: i32,
    /// The kernel's errno, when the kernel said no.
    pub errno: Option<i32>,
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A runtime failure (exit 1).
    pub fn fail(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hint: None,
            code: EXIT_FAILURE,
            errno: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hint: None,
            code: EXIT_USAGE,
            errno: None,
        }
    }

    /// Attach a hint (replacing any earlier one).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attach a hint unless there is one.
    pub fn or_hint(mut self, hint: impl Into<String>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The generic hint for an errno from device-mapper.
pub fn errno_hint(e: &DmError) -> Option<String> {
    match e.errno? {
        errno::EPERM | errno::EACCES => {
            Some("device-mapper needs CAP_SYS_ADMIN: run as root (e.g. with sudo)".into())
        }
        errno::ENXIO | errno::ENODEV if e.device.is_some() => Some(format!(
            "there is no device-mapper device named {:?}; list ioband devices with `ioband ls`",
            e.device.as_deref().unwrap_or("")
        )),
        errno::ENOENT if e.device.is_none() => Some(
            "device-mapper is not available: load it with `modprobe dm-mod` \
             (and the target with `modprobe dm-ioband`)"
                .into(),
        ),
        errno::EBUSY if e.op == "remove" => Some(
            "the device is in use: unmount or close it, or try `ioband remove --retry` \
             or `--deferred`"
                .into(),
        ),
        errno::EBUSY if e.op == "create" => Some(
            "a device with that name already exists; pick another name or remove it first".into(),
        ),
        errno::EINVAL => Some("the kernel log has the reason: `dmesg | tail`".into()),
        _ => None,
    }
}

impl From<DmError> for Error {
    fn from(e: DmError) -> Self {
        Error {
            message: e.to_string(),
            hint: errno_hint(&e),
            code: EXIT_FAILURE,
            errno: e.errno,
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::fail(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        let e: Error = DmError::errno("message", Some("x"), errno::EACCES).into();
        assert!(e.hint.as_deref().unwrap_or("").contains("root"));
        let e: Error = DmError::errno("status", Some("x"), errno::ENXIO).into();
        assert!(e.hint.as_deref().unwrap_or("").contains("ioband ls"));
        let e: Error = DmError::errno("open /dev/mapper/control", None, errno::ENOENT).into();
        assert!(e.hint.as_deref().unwrap_or("").contains("modprobe"));
        let e: Error = DmError::errno("remove", Some("x"), errno::EBUSY).into();
        assert!(e.to_string().contains("--deferred"));
        assert_eq!(e.code, EXIT_FAILURE);
        assert_eq!(Error::usage("x").code, EXIT_USAGE);
    }
}
