//! What commands run against: the kernel, name lookups, the rest of the
//! system and the standard streams. [`commands`](crate::commands) and the
//! tests build one; every command takes it.

use std::io::{self, Read, Write};

use crate::dm::{DmBackend, DmError};
use crate::error::{Error, Result};
use crate::ids::Names;
use crate::sys::System;

/// What commands run against.
pub struct Ctx<'a> {
    /// The kernel, or why it could not be opened.
    pub dm: std::result::Result<&'a dyn DmBackend, DmError>,
    /// Name lookups.
    pub names: &'a dyn Names,
    /// Block devices, clock, terminal.
    pub sys: &'a dyn System,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error (notes and warnings).
    pub err: &'a mut dyn Write,
    /// Standard input (tables).
    pub stdin: &'a mut dyn Read,
}

impl<'a> Ctx<'a> {
    /// The kernel, or the error that says why it is not there.
    pub fn dm(&self) -> Result<&'a dyn DmBackend> {
        match &self.dm {
            Ok(d) => Ok(*d),
            Err(e) => Err(Error::from(e.clone())),
        }
    }
}

/// Map an output error; a closed pipe ends the command quietly (exit 0).
pub fn io_err(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (`ioband status | head`): stop quietly.
        return Error {
            message: String::new(),
            hint: None,
            code: 0,
            errno: None,
        };
    }
    Error::fail(format!("writing output: {e}"))
}
