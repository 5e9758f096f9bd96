//! ioband: library behind the `ioband` command-line tool for the dm-ioband
//! device-mapper target.
//!
//! * [`target`] — the target's text language (table lines, messages, status),
//!   the `ioband-textlang` crate;
//! * [`dm`] — the kernel's ioctls: device-mapper ([`dm::DmBackend`], the only
//!   code that uses the `devicemapper` crate) and a block device's size;
//!   `fake` (tests only) holds in-memory stand-ins;
//! * [`sys`] — block device numbers and nodes, the clock, the terminal;
//! * [`ids`] — user, group and cgroup names ↔ group ids;
//! * [`caps`] — caps (maximum rates) as people write them (`200M`, `2k`)
//!   and as `status` shows them;
//! * [`render`] — tables, JSON and dmsetup-style raw output;
//! * [`metrics`] — the same for Prometheus (`ioband exporter`);
//! * [`shares`] — each group's configured share, flat from the weights or
//!   nested from the target's `shares` reply;
//! * [`profile`] and [`plan`] — YAML profiles, and the plan that makes
//!   the devices match them (`ioband apply` runs it);
//! * [`cli`] and [`commands`] — the command line and what each command does,
//!   over the [`ctx::Ctx`] every command takes.

pub mod caps;
pub mod cli;
pub mod commands;
pub mod ctx;
pub mod dm;
pub mod error;
#[cfg(test)]
pub mod fake;
pub mod ids;
pub mod metrics;
pub mod plan;
pub mod profile;
pub mod render;
pub mod shares;
pub mod sys;
/// The target's text language, from the `ioband-textlang` crate.
pub use ioband_textlang as target;
