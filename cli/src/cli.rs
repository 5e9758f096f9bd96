//! The command line (clap derive). Every command and option has help text
//! and an example; `ioband man` and `ioband completions` are generated from
//! these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::target::{GroupType, IoLimit, Policy};

const ABOUT: &str = "Manage dm-ioband devices: proportional I/O bandwidth control";

const LONG_ABOUT: &str = "\
Manage dm-ioband devices: the `ioband` device-mapper target gives each job \
sharing a disk a share of its bandwidth in proportion to a weight.

An ioband device sits on top of a block device (a partition, an LV, a disk). \
Devices with the same device-group id share one bandwidth. Each device has a \
default ioband group and, once a group type is set (user, uid, gid, pid, pgrp, \
cgroup), extra groups attached by id, each with its own weight. A group's \
share is its weight over the sum of the weights of all groups of all devices \
in the device group; with type cgroup, a group attached below another \
(a service in an attached slice) takes its share out of that group's.

Needs root and the kernel module (`modprobe dm-ioband`). Exit status: 0 on \
success, 1 on failure, 2 on a usage error.";

const EXAMPLES: &str = "\
Examples:
  ioband create ioband1 /dev/sda1 --group 1
  ioband create ioband2 /dev/sda2 --group 1 --weight 40
  ioband type ioband1 user
  ioband attach ioband1 alice
  ioband weight ioband1 alice 30
  ioband status
  ioband status --watch 1";

/// The `ioband` command line.
#[derive(Debug, Parser)]
#[command(
    name = "ioband",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true,
    disable_help_subcommand = false,
    max_term_width = 100
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format options shared by `table`, `status` and `ls`.
#[derive(Debug, Clone, Copy, Args, Default)]
pub struct Output {
    /// Print machine-readable JSON (keys are stable; see `ioband man`)
    ///
    /// Example: ioband status --json | jq '.devices[].groups[].share_percent'
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
    /// Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)
    ///
    /// Example: ioband status --raw ioband1
    #[arg(long)]
    pub raw: bool,
}

/// Where a table comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct TableSource {
    /// The table, as dmsetup takes it: '0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]'
    ///
    /// Example: --table "0 $(blockdev --getsz /dev/sda1) ioband /dev/sda1 1 4 128"
    #[arg(long, value_name = "TABLE", conflicts_with = "table_file")]
    pub table: Option<String>,
    /// Read the table from FILE ('-' for standard input); one target per line, '#' comments
    ///
    /// Example: --table-file ioband1.table
    #[arg(long, value_name = "FILE")]
    pub table_file: Option<PathBuf>,
}

/// A shell for `completions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// GNU bash
    Bash,
    /// Z shell
    Zsh,
    /// fish
    Fish,
    /// Elvish
    Elvish,
    /// PowerShell
    Powershell,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(v.is_finite() && v > 0.0 && v <= 86_400.0) {
        return Err(format!("{s} must be more than 0 and at most 86400 seconds"));
    }
    Ok(v)
}

fn parse_wait(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(v.is_finite() && (0.0..=86_400.0).contains(&v)) {
        return Err(format!("{s} must be 0 to 86400 seconds"));
    }
    Ok(v)
}

fn parse_device_group(s: &str) -> Result<u32, String> {
    crate::target::parse_device_group("option", s).map_err(|e| e.reason)
}

fn parse_io_limit(s: &str) -> Result<IoLimit, String> {
    s.parse::<IoLimit>().map_err(|e| e.reason)
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an ioband device
    #[command(
        long_about = "Create an ioband device NAME.\n\n\
            Either give the underlying DEVICE and a --group (the size is read from the \
            device), or give a full table with --table/--table-file, or pipe the table on \
            standard input as with `dmsetup create`. /dev/mapper/NAME is created.",
        after_help = "Examples:\n  \
            ioband create ioband1 /dev/sda1 --group 1\n  \
            ioband create ioband1 /dev/sda1 --group 1 --io-throttle 10 --io-limit 200 --weight 40\n  \
            ioband create ioband1 --table \"0 $(blockdev --getsz /dev/sda1) ioband /dev/sda1 1\"\n  \
            echo \"0 $(blockdev --getsz /dev/sda1) ioband /dev/sda1 1\" | ioband create ioband1"
    )]
    Create(CreateArgs),

    /// Remove ioband devices
    #[command(
        after_help = "Examples:\n  ioband remove ioband1 ioband2\n  ioband remove --retry ioband1\n  ioband remove --deferred ioband1"
    )]
    Remove {
        /// Devices to remove
        #[arg(value_name = "NAME", required = true)]
        names: Vec<String>,
        /// Keep retrying for a few seconds while the device is busy
        ///
        /// Example: ioband remove --retry ioband1
        #[arg(long)]
        retry: bool,
        /// If the device is in use, remove it when its last user closes it
        ///
        /// Example: ioband remove --deferred ioband1
        #[arg(long)]
        deferred: bool,
    },

    /// Suspend a device (I/O is queued until it is resumed)
    #[command(
        after_help = "Examples:\n  ioband suspend ioband1\n  ioband suspend --noflush ioband1"
    )]
    Suspend {
        /// Device to suspend
        name: String,
        /// Do not flush queued I/O before suspending
        ///
        /// Example: ioband suspend --noflush ioband1
        #[arg(long)]
        noflush: bool,
    },

    /// Resume a device (activating a table loaded with `reload`)
    #[command(after_help = "Example:\n  ioband resume ioband1")]
    Resume {
        /// Device to resume
        name: String,
    },

    /// Load a new table into a device's inactive slot (applied by `resume`)
    #[command(after_help = "Examples:\n  \
        ioband reload ioband1 --table \"0 2097152 ioband /dev/sda1 1 8 256\" && ioband resume ioband1\n  \
        ioband reload ioband1 --table-file new.table --resume")]
    Reload {
        /// Device to reload
        name: String,
        #[command(flatten)]
        source: TableSource,
        /// Suspend and resume the device afterwards so the table takes effect
        ///
        /// Example: ioband reload ioband1 --table-file t --resume
        #[arg(long)]
        resume: bool,
    },

    /// Send a raw target message, dmsetup style (words are passed as given)
    #[command(
        long_about = "Send a message to the target, exactly like `dmsetup message NAME SECTOR \
            MESSAGE...`. Messages: type none|user|uid|gid|pid|pgrp|cgroup, attach ID, detach ID, \
            weight VAL, weight ID:VAL, token VAL, io_throttle VAL, io_limit VAL (128: auto), \
            policy fair|fair-iosize|time|weight|weight-iosize, limit [ID:]KEY=VALUE,... or \
            limit [ID:]none (caps, in bytes/s and I/O per second; value or max), floor \
            [ID:]KEY=VALUE,... or floor [ID:]none (floors, the same way), class [ID:]idle or \
            class [ID:]normal, write_weight [ID:]WEIGHT or write_weight [ID:]same (the weight \
            of a group's writes), reset; and three queries whose reply is printed: shares (each \
            group's configured share: ID:PARENT:MILLIONTHS, the default group (-1) first), \
            settings (the device group's settings as configured and in force, key=value \
            pairs) and limits (each group's caps, how they held it back, its floors, how far \
            behind them and its class: ID:CAPS:TIMES:MICROSECONDS:NOW:FLOORS:MICROSECONDS:CLASS).",
        after_help = "Examples:\n  ioband message ioband1 0 type user\n  ioband message ioband1 0 weight 1000:20\n  \
            ioband message ioband1 0 shares\n  ioband message ioband1 0 settings\n  \
            ioband message ioband1 0 limit 1000:read_bps=209715200\n  \
            ioband message ioband1 0 floor 1000:bps=52428800\n  ioband message ioband1 0 class 2000:idle\n  \
            ioband message ioband1 0 write_weight 1000:50\n  ioband message ioband1 0 limits"
    )]
    Message {
        /// Device
        name: String,
        /// Sector (always 0 for ioband)
        sector: u64,
        /// Message words
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
        words: Vec<String>,
    },

    /// Set the weight of the default group, or of group ID
    #[command(
        override_usage = "ioband weight <NAME> [ID] <VAL>",
        long_about = "Set the weight of the default group of NAME, or of the attached group ID. \
            ID may be a user or group name, or for type cgroup a cgroup directory or a \
            systemd unit or slice by name (its cgroup must exist), depending on the device's \
            type. VAL is an integer greater than 0 (default 100). The weight counts reads and \
            writes alike; `ioband write-weight` gives a group's writes a weight of their own.",
        after_help = "Examples:\n  ioband weight ioband1 40\n  ioband weight ioband1 1000 30\n  \
            ioband weight ioband1 alice 30\n  ioband weight ioband1 /sys/fs/cgroup/db 80\n  \
            ioband weight ioband3 postgresql.service 200"
    )]
    Weight {
        /// Device
        name: String,
        /// [ID] VAL
        #[arg(value_name = "ID_OR_VAL", num_args = 1..=2, required = true)]
        args: Vec<String>,
    },

    /// Give the writes of the default group, or of group ID, a weight of their own
    #[command(
        name = "write-weight",
        alias = "write_weight",
        override_usage = "ioband write-weight <NAME> [ID] <WEIGHT|same>",
        long_about = "Give the writes of the default group of NAME, or of the attached group ID \
            (an id or a name, as for `weight`), a weight of their own; its reads keep the \
            group's weight. A write then counts weight / WEIGHT times what it costs: with \
            weight 100, a write weight of 50 makes the group's writes count double (it gets \
            half the writing its weight alone would give it), 200 makes them count half. \
            WEIGHT is 1 to 1000000; `same` removes it, so that writes weigh as reads again.\n\n\
            The factor counts up to 64 either way (a write weight below weight/64 or above \
            64 times the weight acts as those bounds). It is exact under the policies fair \
            and fair-iosize. Under weight and weight-iosize an I/O costs at least one whole \
            token, so under weight only making writes count more changes anything. Under \
            time the factor multiplies the device time a write takes. \
            `ioband status` shows it beside the weight, as `100 w50`.",
        after_help = "Examples:\n  ioband write-weight ioband1 50\n  \
            ioband write-weight ioband1 alice 25\n  \
            ioband write-weight ioband3 postgresql.service 400\n  \
            ioband write-weight ioband1 alice same"
    )]
    WriteWeight {
        /// Device
        name: String,
        /// [ID] WEIGHT: the group (default: the default group), and 1 to 1000000 or same
        #[arg(value_name = "ID_OR_WEIGHT", num_args = 1..=2, required = true)]
        args: Vec<String>,
    },

    /// Cap a group's I/O rates (bytes/s, I/O per second), or clear its caps
    #[command(
        override_usage = "ioband limit <NAME> [--group ID] <KEY=VALUE>...\n       \
            ioband limit <NAME> [--group ID] none",
        long_about = "Cap the rates of the default group of NAME, or of the attached group \
            given with --group (an id or a name, as for `weight`), whatever its weight and \
            whatever the disk has free. Keys: read_bps, write_bps, bps (bytes per second \
            read, written, or both), read_iops, write_iops, iops (I/O requests per second). \
            Only the keys given change; the others keep their value. A value of `max` removes \
            that cap; `none` removes every cap of the group.\n\n\
            Units: bytes/s take k, M, G, T or P, powers of 1024 (200M is 209715200 bytes/s, \
            as `status` counts KiB and MiB; Ki, Mi, KiB, MiB mean the same, MB and GB are \
            refused as ambiguous); I/O per second take k, M or G, powers of 1000 (2k is \
            2000). Fractions (1.5G) are rounded. Bytes/s go from 1 to 1P (2^50), I/O per \
            second from 1 to 1G (10^9). A share of the disk, bps=20%, is that share of what \
            --capacity says the disk delivers (read_bps and write_bps fall back to its bps, \
            read_iops and write_iops to its iops); the module gets the rate. `ioband status` \
            shows the caps and whether they hold a group back.",
        after_help = "Examples:\n  ioband limit ioband1 read_bps=200M write_iops=2k\n  \
            ioband limit ioband1 --group backup --capacity bps=400M,iops=2k bps=20% iops=10%\n  \
            ioband limit ioband1 --group alice bps=1.5G iops=5000\n  \
            ioband limit ioband3 --group postgresql.service write_bps=50M\n  \
            ioband limit ioband1 --group alice read_bps=max\n  \
            ioband limit ioband1 --group alice none"
    )]
    Limit {
        /// Device
        name: String,
        /// The attached group to cap: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)
        ///
        /// Example: ioband limit ioband1 --group alice read_bps=200M
        #[arg(long, value_name = "ID")]
        group: Option<String>,
        /// KEY=VALUE pairs (read_bps, write_bps, bps, read_iops, write_iops, iops; a value, a share such as 20%, or max), or none
        #[arg(value_name = "KEY=VALUE", required = true, num_args = 1..)]
        caps: Vec<String>,
        /// What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates
        ///
        /// Example: --capacity bps=400M,iops=2k
        #[arg(long, value_name = "KEY=VALUE,...")]
        capacity: Vec<String>,
    },

    /// Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors
    #[command(
        override_usage = "ioband floor <NAME> [--group ID] <KEY=VALUE>...\n       \
            ioband floor <NAME> [--group ID] none",
        long_about = "Give the default group of NAME, or the attached group given with --group \
            (an id or a name, as for `weight`), floors: minimum rates it gets while it has I/O \
            waiting, whatever its weight. A group below its floors goes first; above them the \
            disk is shared by weight as usual. When the floors of all groups ask for more than \
            the disk gives, they share it in proportion to their floors, and `ioband status` \
            marks the groups left behind with `!`.\n\n\
            Keys and units are those of `ioband limit`: read_bps, write_bps, bps (bytes per \
            second read, written, or both; k, M, G, T, P are powers of 1024), read_iops, \
            write_iops, iops (I/O requests per second; k, M, G are powers of 1000). Only the \
            keys given change; `max` removes that floor, `none` every floor of the group; \
            a share of the disk (bps=20%) takes --capacity, as for `ioband limit`.\n\n\
            A floor cannot be above the group's cap of the same key (lower the floor, or \
            raise the cap first with `ioband limit`), and a group of the idle class cannot \
            have a floor (`ioband class NAME --group ID normal` first).",
        after_help = "Examples:\n  ioband floor ioband1 --group postgresql.service bps=50M\n  \
            ioband floor ioband1 --group alice read_iops=500 write_iops=200\n  \
            ioband floor ioband1 read_bps=20M\n  \
            ioband floor ioband1 --group postgresql.service --capacity bps=400M bps=20%\n  \
            ioband floor ioband1 --group alice iops=max\n  \
            ioband floor ioband1 --group alice none"
    )]
    Floor {
        /// Device
        name: String,
        /// The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)
        ///
        /// Example: ioband floor ioband1 --group alice bps=20M
        #[arg(long, value_name = "ID")]
        group: Option<String>,
        /// KEY=VALUE pairs (read_bps, write_bps, bps, read_iops, write_iops, iops; a value, a share such as 20%, or max), or none
        #[arg(value_name = "KEY=VALUE", required = true, num_args = 1..)]
        floors: Vec<String>,
        /// What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates
        ///
        /// Example: --capacity bps=400M,iops=2k
        #[arg(long, value_name = "KEY=VALUE,...")]
        capacity: Vec<String>,
    },

    /// Put a group in the idle class (it uses the disk only when the others leave it idle), or back
    #[command(
        long_about = "Set the class of the default group of NAME, or of the attached group \
            given with --group (an id or a name, as for `weight`). A group of the idle class \
            gets the disk only when no other group of the device group has done I/O for a \
            moment: backups, scrubs, indexing. Alone, it gets the whole disk; beside a normal \
            group, it waits. `normal` (the default) shares the disk by weight.\n\n\
            A group with floors cannot be idle: clear them first with `ioband floor NAME \
            --group ID none`.",
        after_help = "Examples:\n  ioband class ioband1 --group backup idle\n  \
            ioband class ioband3 --group backup.service idle\n  \
            ioband class ioband1 --group backup normal"
    )]
    Class {
        /// Device
        name: String,
        /// The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)
        ///
        /// Example: ioband class ioband1 --group backup idle
        #[arg(long, value_name = "ID")]
        group: Option<String>,
        /// The class: idle, or normal (the default)
        #[arg(value_enum, value_name = "CLASS")]
        class: crate::caps::Class,
    },

    /// Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device's type)
    #[command(
        long_about = "Attach an ioband group to NAME: a uid, gid, pid, pgrp or cgroup id, per \
            the device's type. Users and groups may be given by name; a cgroup by its \
            directory (absolute, or relative to /sys/fs/cgroup) or by the name of the \
            systemd unit or slice it belongs to (postgresql.service, machine.slice; found \
            under /sys/fs/cgroup, so the unit must be running). With type cgroup, a group \
            attached below another attached group takes its share out of that group's.",
        after_help = "Examples:\n  ioband type ioband1 user && ioband attach ioband1 alice\n  \
        ioband attach ioband1 1000 --weight 30\n  ioband attach ioband3 /sys/fs/cgroup/db\n  \
        ioband attach ioband3 machine.slice --weight 200\n  \
        ioband attach ioband3 postgresql.service"
    )]
    Attach {
        /// Device
        name: String,
        /// Group id, or a user/group name, cgroup directory or systemd unit or slice name
        id: String,
        /// Also set the new group's weight (1 to 1000000)
        ///
        /// Example: ioband attach ioband1 alice --weight 30
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        weight: Option<u32>,
    },

    /// Detach an ioband group
    #[command(
        after_help = "Examples:\n  ioband detach ioband1 1000\n  ioband detach ioband1 alice\n  \
        ioband detach ioband3 postgresql.service"
    )]
    Detach {
        /// Device
        name: String,
        /// Group id, or a user/group name, cgroup directory or systemd unit or slice name
        id: String,
    },

    /// Set the group type (decides what attached group ids mean)
    #[command(
        name = "type",
        after_help = "Examples:\n  ioband type ioband1 user\n  ioband type ioband1 cgroup"
    )]
    Type {
        /// Device
        name: String,
        /// Group type
        #[arg(value_enum)]
        group_type: GroupType,
    },

    /// Set the number of tokens handed out per refill (default 2048)
    #[command(after_help = "Example:\n  ioband token ioband1 256")]
    Token {
        /// Device
        name: String,
        /// Tokens, 1 to 1073741824
        #[arg(value_parser = clap::value_parser!(u32).range(1..=1_073_741_824))]
        val: u32,
    },

    /// Set io_throttle: bios in flight before bandwidth control starts (default 4)
    #[command(
        name = "io-throttle",
        alias = "io_throttle",
        after_help = "Example:\n  ioband io-throttle ioband1 16"
    )]
    IoThrottle {
        /// Device
        name: String,
        /// Value, 1 to 65535, below io_limit
        #[arg(value_parser = clap::value_parser!(u32).range(1..=65_535))]
        val: u32,
    },

    /// Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)
    #[command(
        name = "io-limit",
        alias = "io_limit",
        long_about = "Set io_limit of NAME's device group: how many bios may be in flight \
            before all I/O is blocked. `auto` (the default) follows the queue depth of the \
            device below (128 when that is not known, for a stacked device); a number from 2 \
            to 65536 pins it. 128 means auto too (the 2008 default; the kernel prints 128 for \
            auto). It must stay above io_throttle (auto counts as 128 for that). `ioband \
            status` shows the io_limit in force.",
        after_help = "Examples:\n  ioband io-limit ioband1 256\n  ioband io-limit ioband1 auto"
    )]
    IoLimit {
        /// Device
        name: String,
        /// auto, or 2 to 65536 above io_throttle (128 means auto)
        #[arg(value_name = "auto|N", value_parser = parse_io_limit)]
        val: IoLimit,
    },

    /// Reset a device's statistics counters
    #[command(after_help = "Example:\n  ioband reset ioband1")]
    Reset {
        /// Device
        name: String,
    },

    /// Show the configuration of ioband devices
    #[command(
        after_help = "Examples:\n  ioband table\n  ioband table ioband1 --raw\n  ioband table --json"
    )]
    Table {
        /// Devices (default: all ioband devices)
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        #[command(flatten)]
        output: Output,
    },

    /// Serve the groups' counters, shares, caps and floors to Prometheus
    #[command(
        long_about = "Serve what `ioband status` shows to Prometheus: every group's requests, \
            bytes and delayed requests (counters), its weight, configured share, the share it \
            achieved since the previous scrape, and its caps and floors (gauges), labelled with \
            the device's dm name and MAJOR:MINOR, the device below, the device group, the group \
            type, the group's id and its name. Each scrape reads the module afresh: nothing is \
            kept between scrapes but the last counters, for the achieved share.\n\n\
            By default it listens on 127.0.0.1:9861 and answers GET /metrics, in OpenMetrics \
            when the scraper asks for it (Prometheus does) and in the text format 0.0.4 \
            otherwise. With --textfile it writes the text format to PATH every --interval \
            seconds instead, for node_exporter's textfile collector (atomically: a file \
            beside PATH, then renamed); with --once it writes once and exits.",
        after_help = "Examples:\n  ioband exporter\n  ioband exporter --listen 0.0.0.0:9861\n  \
            ioband exporter --textfile /var/lib/prometheus/node-exporter/ioband.prom --once\n  \
            curl -s 127.0.0.1:9861/metrics | grep ioband_group_share_ratio"
    )]
    Exporter {
        /// Devices (default: all ioband devices)
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        /// Address to serve /metrics on
        ///
        /// Example: --listen [::1]:9861
        #[arg(
            long,
            value_name = "ADDR:PORT",
            default_value = "127.0.0.1:9861",
            conflicts_with = "textfile"
        )]
        listen: std::net::SocketAddr,
        /// Write the metrics to this file instead of serving them
        ///
        /// Example: --textfile /var/lib/prometheus/node-exporter/ioband.prom
        #[arg(long, value_name = "PATH")]
        textfile: Option<std::path::PathBuf>,
        /// Seconds between writes of --textfile
        ///
        /// Example: --interval 30
        #[arg(long, value_name = "SECS", default_value = "15", value_parser = parse_secs,
              requires = "textfile")]
        interval: f64,
        /// Write --textfile once and exit
        ///
        /// Example: ioband exporter --textfile /tmp/ioband.prom --once
        #[arg(long, requires = "textfile")]
        once: bool,
    },

    /// Show per-group statistics, weights and shares of ioband devices
    #[command(
        long_about = "Show per-group statistics of ioband devices: requests, delayed requests, \
            bytes read and written, the weight and the configured share of the device group \
            (weight over the sum of weights of all groups of all devices of the device group; \
            with type cgroup, a group attached below another is indented under it and takes \
            its share out of that one's, as the module reports). Cgroups show as their unit's \
            name or their path under /sys/fs/cgroup. With --watch, redraw every SECS seconds \
            with per-group rates and the share each group actually got next to its configured \
            share. A group's caps and floors show on a line under it, marked `*` while its \
            caps hold it back and `!` while it is behind its floors.",
        after_help = "Examples:\n  ioband status\n  ioband status ioband1 --raw\n  \
            ioband status --json\n  ioband status --watch 1\n  ioband status ioband1 --watch 0.5 --count 10 --json"
    )]
    Status {
        /// Devices (default: all ioband devices); put them before --watch
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        #[command(flatten)]
        output: Output,
        /// Redraw every SECS seconds (default 2) with rates and achieved shares
        ///
        /// Example: ioband status --watch 1
        #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "2",
              value_parser = parse_secs, conflicts_with = "raw")]
        watch: Option<f64>,
        /// Stop after N samples (with --watch)
        ///
        /// Example: ioband status --watch 1 --count 5
        #[arg(long, value_name = "N", requires = "watch",
              value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
    },

    /// List ioband devices
    #[command(after_help = "Examples:\n  ioband ls\n  ioband ls --json")]
    Ls {
        /// Print JSON
        ///
        /// Example: ioband ls --json
        #[arg(long)]
        json: bool,
    },

    /// Tell whether the ioband target is loaded, and its version
    #[command(after_help = "Examples:\n  ioband targets\n  ioband targets --all")]
    Targets {
        /// List all loaded device-mapper targets, like `dmsetup targets`
        ///
        /// Example: ioband targets --all
        #[arg(long)]
        all: bool,
    },

    /// Print the versions of this tool, the device-mapper driver and the target
    #[command(after_help = "Example:\n  ioband version")]
    Version,

    /// Make ioband devices match YAML profiles (create, change, remove)
    #[command(
        long_about = "Make the ioband devices match one or more YAML profiles.\n\n\
            Everything is checked first (the files, the underlying devices and their sizes, \
            user, group and cgroup names, and that each systemd unit or slice named has its \
            cgroup, i.e. is running); then the changes are computed, applied in a safe \
            order and read back. If a step fails, what this run changed is undone in reverse \
            order and the state left is reported. A second apply of the same profile changes \
            nothing. Devices the profiles do not name are left alone unless --prune. \
            Concurrent applies wait for each other (lock file /run/ioband.lock, or $IOBAND_LOCK). \
            SIGINT, SIGTERM or SIGHUP while the changes are made stop the run before its next \
            step; what it changed is undone and reported (exit 1).\n\n\
            Exit status: 0 success, whether or not something changed (systemd units need \
            that; tools read \"changed\" from --json); 1 failure (invalid profile, missing \
            device, kernel refusal, verification failed); 2 usage error; N with \
            --exit-code-changed N when something changed (or, with --check, would).\n\n\
            The profile format is described by `ioband schema` (JSON Schema).",
        after_help = "Examples:\n  ioband apply /etc/ioband/disks.yaml\n  \
            ioband apply --check profiles/example1-partitions.yaml\n  \
            ioband apply --json /etc/ioband/*.yaml | jq .changed\n  \
            ioband apply --prune --exit-code-changed 3 site.yaml"
    )]
    Apply(ApplyArgs),

    /// Print the live ioband devices as a profile (`apply` takes it back)
    #[command(
        after_help = "Examples:\n  ioband show > /etc/ioband/current.yaml\n  ioband show --json"
    )]
    Show {
        /// Print YAML (the default)
        ///
        /// Example: ioband show --yaml
        #[arg(long, conflicts_with = "json")]
        yaml: bool,
        /// Print JSON
        ///
        /// Example: ioband show --json
        #[arg(long)]
        json: bool,
    },

    /// Print the JSON Schema of profiles
    #[command(after_help = "Example:\n  ioband schema > ioband-profile.schema.json")]
    Schema,

    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  ioband completions bash > /etc/bash_completion.d/ioband\n  \
        ioband completions zsh > \"${fpath[1]}/_ioband\"\n  ioband completions fish > ~/.config/fish/completions/ioband.fish"
    )]
    Completions {
        /// Shell
        #[arg(value_enum)]
        shell: Shell,
    },

    /// Print the manual page (roff) to standard output
    #[command(after_help = "Example:\n  ioband man > /usr/local/share/man/man8/ioband.8")]
    Man,
}

/// Arguments of `apply`.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// Profile files (YAML); '-' reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing: print what would be done ("changed" tells whether anything would)
    ///
    /// Example: ioband apply --check disks.yaml
    #[arg(long, visible_alias = "dry-run")]
    pub check: bool,
    /// Print one JSON object on standard output: {"changed", "actions", "errors"}; log to stderr
    ///
    /// Example: ioband apply --json disks.yaml
    #[arg(long)]
    pub json: bool,
    /// Also remove ioband devices that no profile names
    ///
    /// Example: ioband apply --prune disks.yaml
    #[arg(long)]
    pub prune: bool,
    /// Exit with N instead of 0 when something changed (or would, with --check); e.g. 3
    ///
    /// Example: ioband apply --exit-code-changed 3 disks.yaml
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=125))]
    pub exit_code_changed: u8,
    /// Seconds to wait for another apply to finish (0: do not wait)
    ///
    /// Example: ioband apply --lock-timeout 0 disks.yaml
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = parse_wait)]
    pub lock_timeout: f64,
    /// Lock file (default $IOBAND_LOCK, else /run/ioband.lock)
    ///
    /// Example: ioband apply --lock-file /tmp/ioband.lock disks.yaml
    #[arg(long, value_name = "PATH")]
    pub lock_file: Option<PathBuf>,
}

/// Arguments of `create`.
#[derive(Debug, Clone, Args)]
pub struct CreateArgs {
    /// Name of the new device (/dev/mapper/NAME)
    pub name: String,
    /// Underlying block device (path or MAJOR:MINOR); its size is read from it
    #[arg(conflicts_with_all = ["table", "table_file"], requires = "group")]
    pub device: Option<String>,
    #[command(flatten)]
    pub source: TableSource,
    /// Device-group id: devices sharing one disk's bandwidth use the same id
    ///
    /// Example: ioband create ioband1 /dev/sda1 --group 1
    #[arg(long, value_name = "N", value_parser = parse_device_group, requires = "device")]
    pub group: Option<u32>,
    /// Bios in flight before bandwidth control starts (default 4; below io_limit)
    ///
    /// Example: --io-throttle 10
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_535), requires = "device")]
    pub io_throttle: Option<u32>,
    /// Bios in flight before all I/O is blocked: auto (the default; 128 means auto too) follows the queue depth of the device below, or 2 to 65536
    ///
    /// Example: --io-limit 200
    #[arg(long, value_name = "auto|N", value_parser = parse_io_limit, requires = "device")]
    pub io_limit: Option<IoLimit>,
    /// Weight of the default group (default 100; 1 to 1000000)
    ///
    /// Example: --weight 40
    #[arg(long, value_name = "W", value_parser = clap::value_parser!(u32).range(1..=1_000_000), requires = "device")]
    pub weight: Option<u32>,
    /// Group type to start with
    ///
    /// Example: --type user
    #[arg(long = "type", value_name = "TYPE", value_enum, requires = "device")]
    pub group_type: Option<GroupType>,
    /// Scheduling policy (default fair; `default` is the 2008 name of weight)
    ///
    /// Example: --policy weight-iosize
    #[arg(long, value_name = "POLICY", value_enum, requires = "device")]
    pub policy: Option<Policy>,
    /// Tokens per refill (default 2048; up to 1073741824)
    ///
    /// Example: --token 256
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_073_741_824), requires = "device")]
    pub token: Option<u32>,
    /// Device UUID
    ///
    /// Example: --uuid IOBAND-db
    #[arg(long, value_name = "UUID")]
    pub uuid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_and_option_is_documented() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
            for arg in sub.get_arguments() {
                if ["help", "version"].contains(&arg.get_id().as_str()) {
                    continue;
                }
                assert!(
                    arg.get_help().is_some(),
                    "{} {} has no help",
                    sub.get_name(),
                    arg.get_id()
                );
            }
            if !["help"].contains(&sub.get_name()) {
                let after = sub
                    .get_after_help()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                assert!(
                    after.contains("ioband "),
                    "{} has no example",
                    sub.get_name()
                );
            }
        }
    }

    #[test]
    fn parses_friendly_forms() {
        let c = Cli::try_parse_from(["ioband", "weight", "ioband1", "1000", "30"]).unwrap();
        assert!(matches!(c.command, Command::Weight { ref args, .. } if args.len() == 2));
        assert!(Cli::try_parse_from(["ioband", "weight", "ioband1", "1", "2", "3"]).is_err());
        let c = Cli::try_parse_from(["ioband", "status", "a", "--watch"]).unwrap();
        assert!(matches!(c.command, Command::Status { watch: Some(w), .. } if w == 2.0));
        assert!(Cli::try_parse_from(["ioband", "status", "--count", "3"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "status", "--watch", "0"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "status", "--json", "--raw"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "create", "x", "/dev/sda"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "create", "x", "--group", "1"]).is_err());
        assert!(
            Cli::try_parse_from(["ioband", "create", "x", "/dev/sda", "--group", "-1"]).is_err()
        );
        assert!(Cli::try_parse_from([
            "ioband",
            "create",
            "x",
            "/dev/sda",
            "--group",
            "2147483648"
        ])
        .is_err());
        assert!(Cli::try_parse_from([
            "ioband", "create", "x", "/dev/sda", "--group", "1", "--table", "t"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["ioband", "create", "x", "--table", "t"]).is_ok());
        assert!(Cli::try_parse_from(["ioband", "token", "x", "0"]).is_err());
        // io_limit: auto or 2..=65536; 128 is auto; the kernel's spelling too.
        for (val, want) in [
            ("auto", IoLimit::Auto),
            ("128", IoLimit::Auto),
            ("64", IoLimit::Fixed(64)),
        ] {
            for verb in ["io-limit", "io_limit"] {
                let c = Cli::try_parse_from(["ioband", verb, "x", val]).unwrap();
                assert!(
                    matches!(c.command, Command::IoLimit { val: v, .. } if v == want),
                    "{verb} {val}"
                );
            }
        }
        for bad in ["0", "1", "65537", "Auto", "-1"] {
            assert!(
                Cli::try_parse_from(["ioband", "io-limit", "x", bad]).is_err(),
                "{bad}"
            );
        }
        let c = Cli::try_parse_from([
            "ioband",
            "create",
            "x",
            "/dev/sda",
            "--group",
            "1",
            "--io-limit",
            "auto",
            "--policy",
            "default",
        ])
        .unwrap();
        assert!(matches!(
            c.command,
            Command::Create(CreateArgs {
                io_limit: Some(IoLimit::Auto),
                policy: Some(Policy::Weight),
                ..
            })
        ));
        assert!(Cli::try_parse_from(["ioband", "type", "x", "bogus"]).is_err());
        let c = Cli::try_parse_from([
            "ioband",
            "limit",
            "x",
            "--group",
            "alice",
            "read_bps=1M",
            "iops=2k",
        ])
        .unwrap();
        assert!(matches!(
            c.command,
            Command::Limit { ref group, ref caps, .. }
                if group.as_deref() == Some("alice") && caps.len() == 2
        ));
        assert!(Cli::try_parse_from(["ioband", "limit", "x"]).is_err());
        let c = Cli::try_parse_from(["ioband", "message", "x", "0", "weight", "1000:20"]).unwrap();
        assert!(matches!(c.command, Command::Message { ref words, .. } if words.len() == 2));
    }

    #[test]
    fn parses_floor_and_class() {
        let c = Cli::try_parse_from(["ioband", "floor", "x", "--group", "7", "bps=20M"]).unwrap();
        assert!(matches!(
            c.command,
            Command::Floor { ref group, ref floors, .. }
                if group.as_deref() == Some("7") && floors.len() == 1
        ));
        assert!(Cli::try_parse_from(["ioband", "floor", "x"]).is_err());
        let c = Cli::try_parse_from(["ioband", "class", "x", "--group", "bob", "idle"]).unwrap();
        assert!(matches!(
            c.command,
            Command::Class { class: crate::caps::Class::Idle, ref group, .. }
                if group.as_deref() == Some("bob")
        ));
        assert!(Cli::try_parse_from(["ioband", "class", "x", "besteffort"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "class", "x"]).is_err());
    }

    #[test]
    fn parses_write_weight_as_weight_does() {
        for verb in ["write-weight", "write_weight"] {
            let c = Cli::try_parse_from(["ioband", verb, "x", "alice", "50"]).unwrap();
            assert!(matches!(
                c.command,
                Command::WriteWeight { ref name, ref args } if name == "x" && args.len() == 2
            ));
        }
        let c = Cli::try_parse_from(["ioband", "write-weight", "x", "same"]).unwrap();
        assert!(matches!(c.command, Command::WriteWeight { ref args, .. } if args == &["same"]));
        assert!(Cli::try_parse_from(["ioband", "write-weight", "x"]).is_err());
        assert!(Cli::try_parse_from(["ioband", "write-weight", "x", "1", "2", "3"]).is_err());
    }
}
