//! Command tests against the fake backend.

use super::*;
use crate::cli::{Cli, Shell};
use crate::dm::{errno, DmBackend, DmError};
use crate::error::{EXIT_FAILURE, EXIT_USAGE};
use crate::fake::FakeDm;
use crate::fake::FakeSystem;
use crate::fake::StaticNames;
use crate::ids::Names;
use crate::sys::System;
use crate::target::GroupId;
use clap::Parser;

struct H {
    dm: FakeDm,
    names: StaticNames,
    sys: FakeSystem,
}

/// What a command did: its result and what it wrote.
pub(crate) struct Out {
    pub(crate) res: Result<()>,
    pub(crate) out: String,
    pub(crate) err: String,
}

/// Run `ioband ARGV...` against the given backends, capturing its output
/// (shared by the command and apply tests).
pub(crate) fn run_cli(
    argv: &[&str],
    dm: &dyn DmBackend,
    names: &dyn Names,
    sys: &dyn System,
    stdin: &str,
) -> Out {
    let mut full = vec!["ioband"];
    full.extend_from_slice(argv);
    let cli = match Cli::try_parse_from(&full) {
        Ok(c) => c,
        Err(e) => panic!("{argv:?} did not parse: {e}"),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = stdin.as_bytes();
    let res = {
        let mut ctx = Ctx {
            dm: Ok(dm),
            names,
            sys,
            out: &mut out,
            err: &mut err,
            stdin: &mut input,
        };
        run(cli.command, &mut ctx)
    };
    Out {
        res,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

impl H {
    fn new() -> Self {
        H {
            dm: FakeDm::new(),
            names: StaticNames::fixture(),
            sys: FakeSystem {
                devices: vec![
                    ("/dev/sda1".into(), 2_097_152),
                    ("/dev/sda2".into(), 1_048_576),
                ],
                ..FakeSystem::default()
            },
        }
    }

    /// A fixture with ioband devices (name, underlying device, device
    /// group) made by `ioband create`.
    fn with_devices(devices: &[(&str, &str, u32)]) -> Self {
        let h = H::new();
        for (name, dev, group) in devices {
            h.ok(&["create", name, dev, "--group", &group.to_string()]);
        }
        h
    }

    /// A fixture with device `a` on /dev/sda1 in device group 1, made by
    /// `ioband create` with the `extra` options.
    fn with_device_a(extra: &[&str]) -> Self {
        let h = H::new();
        let mut args = vec!["create", "a", "/dev/sda1", "--group", "1"];
        args.extend_from_slice(extra);
        h.ok(&args);
        h
    }

    fn run_in(&self, args: &[&str], stdin: &str) -> Out {
        run_cli(args, &self.dm, &self.names, &self.sys, stdin)
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_in(args, "")
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        match o.res {
            Ok(()) => o.out,
            Err(e) => panic!("{args:?} failed: {e}\nstderr: {}", o.err),
        }
    }

    fn fail(&self, args: &[&str]) -> Error {
        match self.run(args).res {
            Ok(()) => panic!("{args:?} should have failed"),
            Err(e) => e,
        }
    }

    fn table_of(&self, name: &str) -> String {
        self.dm.table(name).unwrap()[0].params.clone()
    }
}

/// The hint of an error, or "".
fn hint(e: &Error) -> String {
    e.hint.clone().unwrap_or_default()
}

#[test]
fn seed_getting_started_with_friendly_verbs() {
    let h = H::with_devices(&[("ioband1", "/dev/sda1", 1), ("ioband2", "/dev/sda2", 1)]);
    assert_eq!(
        h.dm.table("ioband2").unwrap()[0].to_string(),
        "0 1048576 ioband 8:2 1 4 128"
    );
    h.ok(&["weight", "ioband1", "40"]);
    h.ok(&["weight", "ioband2", "10"]);
    h.ok(&["type", "ioband1", "user"]);
    h.ok(&["attach", "ioband1", "1000"]);
    h.ok(&["attach", "ioband1", "bob"]);
    h.ok(&["weight", "ioband1", "alice", "30"]);
    h.ok(&["weight", "ioband1", "2000", "20"]);
    assert_eq!(
        h.table_of("ioband1"),
        "8:1 1 4 128 user fair 2048 :40 1000:30 2000:20"
    );
    let log = h.dm.log();
    assert!(
        log.contains(&"message ioband1 weight 1000:30".to_string()),
        "{log:?}"
    );

    // Status shows 30% for uid 1000, as the seed document computes.
    let out = h.ok(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let g = &v["devices"][0]["groups"][1];
    assert_eq!(g["id"], 1000);
    assert_eq!(g["name"], "alice");
    assert_eq!(g["share_percent"], 30.0);
    let text = h.ok(&["status"]);
    assert!(
        text.contains("1000 (alice)") && text.contains("30.00%"),
        "{text}"
    );

    h.ok(&["detach", "ioband1", "bob"]);
    h.ok(&["io-throttle", "ioband1", "16"]);
    h.ok(&["io-limit", "ioband1", "256"]);
    h.ok(&["token", "ioband1", "512"]);
    h.ok(&["reset", "ioband1"]);
    assert_eq!(h.table_of("ioband2"), "8:2 1 16 256 none fair 512 :10");
    h.ok(&["remove", "ioband1", "ioband2"]);
    assert!(h.dm.list_devices().unwrap().is_empty());
}

#[test]
fn create_from_table_stdin_and_file() {
    let h = H::new();
    h.ok(&[
        "create",
        "a",
        "--table",
        "0 2097152 ioband /dev/sda1 1 10 200",
    ]);
    assert_eq!(h.table_of("a"), "8:1 1 10 200");
    let o = h.run_in(
        &["create", "b"],
        "# seed example\n0 1048576 ioband /dev/sda2 1\n",
    );
    assert!(o.res.is_ok(), "{:?}", o.res);
    let o = h.run_in(
        &["create", "c", "--table-file", "-"],
        "0 8 ioband /dev/sda2 2\n",
    );
    assert!(o.res.is_ok(), "{:?}", o.res);
    let path = std::env::temp_dir().join(format!("ioband-table-{}", std::process::id()));
    std::fs::write(&path, "0 8 ioband /dev/sda2 3 0 0 user weight 0 :50 7:5\n").unwrap();
    h.ok(&["create", "d", "--table-file", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(h.table_of("d"), "8:2 3 4 128 user weight 2048 :50 7:5");
    // Syntax errors are usage errors and name the line and field.
    let e = h
        .run_in(&["create", "e"], "\n0 8 ioband /dev/sda2 x\n")
        .res
        .unwrap_err();
    assert_eq!(e.code, EXIT_USAGE);
    assert!(
        e.message.contains("line 2") && e.message.contains("device-group-id"),
        "{e}"
    );
    let e = h.run_in(&["create", "e"], "").res.unwrap_err();
    assert_eq!(e.code, EXIT_USAGE);
}

#[test]
fn create_friendly_extended_options() {
    let h = H::new();
    h.ok(&[
        "create",
        "a",
        "/dev/sda1",
        "--group",
        "7",
        "--weight",
        "40",
        "--type",
        "cgroup",
        "--policy",
        "weight-iosize",
    ]);
    assert_eq!(h.table_of("a"), "8:1 7 4 128 cgroup weight-iosize 2048 :40");
    h.ok(&[
        "create",
        "b",
        "/dev/sda2",
        "--group",
        "8",
        "--io-limit",
        "64",
    ]);
    assert_eq!(h.table_of("b"), "8:2 8 4 64");
    let e = h.fail(&["create", "c", "/dev/nope", "--group", "1"]);
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("/dev/nope"), "{e}");
}

#[test]
fn create_errors_explain() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1)]);
    let e = h.fail(&["create", "a", "/dev/sda1", "--group", "1"]);
    assert!(e.message.contains("create a"), "{e}");
    assert!(hint(&e).contains("already exists"));
    h.dm.set_ioband_loaded(false);
    let e = h.fail(&["create", "b", "/dev/sda2", "--group", "1"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
    assert!(hint(&e).contains("modprobe dm-ioband"));
    h.dm.set_ioband_loaded(true);
    let e = h.fail(&["create", "b", "--table", "0 8 ioband /dev/ghost 1"]);
    assert!(hint(&e).contains("/dev/ghost"));
    let e = h.fail(&["create", "bad/name", "--table", "0 8 ioband /dev/sda1 1"]);
    assert_eq!(e.code, EXIT_USAGE);
}

#[test]
fn message_verbs_check_attachment_and_type() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1)]);
    let e = h.fail(&["attach", "a", "1000"]);
    assert!(hint(&e).contains("ioband type a user"), "{e}");
    h.ok(&["type", "a", "uid"]);
    let e = h.fail(&["weight", "a", "3000", "5"]);
    assert!(e.message.contains("not attached"), "{e}");
    assert!(hint(&e).contains("ioband attach a 3000"));
    let e = h.fail(&["detach", "a", "3000"]);
    assert!(e.message.contains("not attached"), "{e}");
    let e = h.fail(&["attach", "a", "mallory"]);
    assert!(e.message.contains("mallory"), "{e}");
    h.ok(&["attach", "a", "alice", "--weight", "70"]);
    assert_eq!(h.table_of("a"), "8:1 1 4 128 uid fair 2048 :100 1000:70");
    let e = h.fail(&["attach", "a", "1000"]);
    assert!(e.message.contains("already attached"), "{e}");
    let e = h.fail(&["type", "a", "gid"]);
    assert!(hint(&e).contains("detach"), "{e}");
    let e = h.fail(&["weight", "a", "0"]);
    assert_eq!(e.code, EXIT_USAGE);
    let e = h.fail(&["weight", "a", "x", "y"]);
    assert_eq!(e.code, EXIT_USAGE);
    // Unknown device.
    let e = h.fail(&["weight", "zz", "5"]);
    assert_eq!(e.errno, Some(errno::ENXIO));
    assert!(hint(&e).contains("ioband ls"));
}

#[test]
fn cgroup_and_gid_names_resolve() {
    let h = H::with_device_a(&["--type", "cgroup"]);
    h.ok(&["attach", "a", "/sys/fs/cgroup/db"]);
    h.ok(&["weight", "a", "db", "80"]);
    assert_eq!(h.table_of("a"), "8:1 1 4 128 cgroup fair 2048 :100 4242:80");
    let t = h.ok(&["table"]);
    assert!(t.contains("4242(db):80"), "{t}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    assert_eq!(v["devices"][0]["groups"][0]["name"], "db");
    assert_eq!(v["devices"][0]["groups"][0]["path"], "/sys/fs/cgroup/db");
    // Units and slices by name.
    h.ok(&["attach", "a", "system.slice", "--weight", "300"]);
    h.ok(&["attach", "a", "postgresql.service"]);
    h.ok(&["weight", "a", "postgresql.service", "200"]);
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 cgroup fair 2048 :100 4242:80 100:300 110:200"
    );
    h.ok(&["detach", "a", "postgresql.service"]);
    let e = h.fail(&["attach", "a", "nginx.service"]);
    assert!(
        e.message
            .starts_with("a: group \"nginx.service\": no cgroup named nginx.service"),
        "{e}"
    );
    let e = h.fail(&["attach", "a", "machine-qemu.slice"]);
    assert!(
        e.message
            .contains("/sys/fs/cgroup/machine.slice/machine-qemu.slice does not exist"),
        "{e}"
    );
    h.ok(&["create", "b", "/dev/sda2", "--group", "2", "--type", "gid"]);
    h.ok(&["attach", "b", "www-data"]);
    assert_eq!(h.table_of("b"), "8:2 2 4 128 gid fair 2048 :100 33:100");
}

#[test]
fn raw_message_passes_words_and_explains_errors() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1)]);
    h.ok(&["message", "a", "0", "type", "user"]);
    h.ok(&["message", "a", "0", "attach", "1000"]);
    h.ok(&["message", "a", "0", "weight", "1000:20"]);
    assert!(h.dm.log().contains(&"message a weight 1000:20".to_string()));
    let e = h.fail(&["message", "a", "0", "weight", "2000:20"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
    assert!(e.message.contains("message a"), "{e}");
    assert!(hint(&e).contains("attach it first"));
    let e = h.fail(&["message", "a", "0", "frob"]);
    assert!(hint(&e).contains("unknown message"), "{e}");
}

#[test]
fn status_raw_matches_dmsetup_lines() {
    let h = H::with_devices(&[("ioband1", "/dev/sda1", 128), ("ioband2", "/dev/sda2", 128)]);
    h.ok(&["type", "ioband1", "user"]);
    h.ok(&["attach", "ioband1", "1001"]);
    h.dm.record_io("ioband1", GroupId::Id(1001), 166, 472, 139, 352);
    let one = h.ok(&["status", "--raw", "ioband1"]);
    assert_eq!(
        one,
        format!(
            "0 2097152 ioband {}\n",
            h.dm.status("ioband1").unwrap()[0].params
        )
    );
    assert!(one.contains(" 1001 166 83 472 139 69 352"), "{one}");
    let all = h.ok(&["status", "--raw"]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("ioband1: 0 2097152 ioband 128 -1 "),
        "{all}"
    );
    assert_eq!(lines[1], "ioband2: 0 1048576 ioband 128 -1 0 0 0 0 0 0");
    let t = h.ok(&["table", "--raw", "ioband2", "ioband1"]);
    assert_eq!(
        t,
        "ioband2: 0 1048576 ioband 8:2 128 4 128\n\
         ioband1: 0 2097152 ioband 8:1 128 4 128 user fair 2048 :100 1001:100\n"
    );
}

#[test]
fn only_ioband_devices_are_shown() {
    let h = H::new();
    h.dm.create("lin", None, &["0 8 linear /dev/sda1 0".parse().unwrap()])
        .unwrap();
    assert!(h.ok(&["status"]).contains("No ioband devices"));
    assert_eq!(h.ok(&["status", "--raw"]), "");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["ls", "--json"])).unwrap();
    assert_eq!(v["devices"].as_array().map(|a| a.len()), Some(0));
    let e = h.fail(&["status", "lin"]);
    assert!(e.message.contains("not an ioband device"), "{e}");
    let e = h.fail(&["remove", "lin"]);
    assert!(e.message.contains("not an ioband device"), "{e}");
    let e = h.fail(&["status", "ghost"]);
    assert!(hint(&e).contains("ioband ls"));
}

#[test]
fn ls_and_table_views() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1)]);
    h.ok(&["suspend", "a", "--noflush"]);
    let ls = h.ok(&["ls"]);
    assert!(ls.contains("suspended") && ls.contains("8:1"), "{ls}");
    h.ok(&["resume", "a"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["ls", "--json"])).unwrap();
    assert_eq!(v["devices"][0]["suspended"], false);
    assert_eq!(v["devices"][0]["sectors"], 2_097_152);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    assert_eq!(v["devices"][0]["params"], "8:1 1 4 128");
    assert_eq!(v["devices"][0]["default_weight"], 100);
    assert!(h.ok(&["table"]).contains("default:100"));
}

#[test]
fn reload_and_resume() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1)]);
    h.ok(&[
        "reload",
        "a",
        "--table",
        "0 2097152 ioband /dev/sda1 1 8 256",
    ]);
    assert_eq!(h.table_of("a"), "8:1 1 4 128");
    h.ok(&["resume", "a"]);
    assert_eq!(h.table_of("a"), "8:1 1 8 256");
    h.ok(&[
        "reload",
        "a",
        "--table",
        "0 2097152 ioband /dev/sda1 1 9 99",
        "--resume",
    ]);
    assert_eq!(h.table_of("a"), "8:1 1 9 99");
}

#[test]
fn remove_busy_and_deferred() {
    let h = H::with_devices(&[("a", "/dev/sda1", 1), ("b", "/dev/sda2", 1)]);
    h.dm.set_open_count("a", 1);
    let o = h.run(&["remove", "a", "b"]);
    let e = o.res.unwrap_err();
    assert_eq!(e.errno, Some(errno::EBUSY));
    assert!(hint(&e).contains("--deferred"));
    // b was still removed.
    assert_eq!(h.dm.list_devices().unwrap().len(), 1);
    let o = h.run(&["remove", "--deferred", "a"]);
    assert!(o.res.is_ok());
    assert!(o.err.contains("deferred"), "{}", o.err);
}

#[test]
fn watch_reports_rates_and_achieved_share() {
    let h = H::with_device_a(&["--weight", "300"]);
    h.ok(&["create", "b", "/dev/sda2", "--group", "1"]);
    // Nothing moves between samples here (the fake has no I/O on its own),
    // so check the shape: 3 samples, JSON lines, interval recorded.
    let out = h.ok(&["status", "--watch", "0.5", "--count", "3", "--json"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    let v: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(v["interval_secs"], 0.5);
    assert_eq!(v["devices"][0]["groups"][0]["share_percent"], 75.0);
    assert!(v["devices"][0]["groups"][0]["rate"].is_object());
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert!(first["devices"][0]["groups"][0].get("rate").is_none());
    let text = h.ok(&["status", "a", "--watch", "1", "--count", "2"]);
    assert_eq!(
        text.matches("Every 1s: ioband status a").count(),
        2,
        "{text}"
    );
    assert!(text.contains("ACHIEVED"), "{text}");
    assert!((h.sys.now_secs() - 2.0).abs() < 1e-9);
}

#[test]
fn targets_and_version() {
    let h = H::new();
    assert_eq!(h.ok(&["targets"]), "ioband           v1.0.0\n");
    assert!(h.ok(&["targets", "--all"]).contains("linear"));
    h.dm.set_ioband_loaded(false);
    let e = h.fail(&["targets"]);
    assert!(hint(&e).contains("modprobe dm-ioband"));
    let v = h.ok(&["version"]);
    assert!(v.starts_with("ioband ") && v.contains("not loaded"), "{v}");
}

#[test]
fn version_without_kernel() {
    let names = StaticNames::default();
    let sys = FakeSystem::default();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input: &[u8] = b"";
    let mut ctx = Ctx {
        dm: Err(DmError::errno(
            "open /dev/mapper/control",
            None,
            errno::ENOENT,
        )),
        names: &names,
        sys: &sys,
        out: &mut out,
        err: &mut err,
        stdin: &mut input,
    };
    assert!(run(Command::Version, &mut ctx).is_ok());
    let e = run(Command::Ls { json: false }, &mut ctx).unwrap_err();
    assert!(hint(&e).contains("modprobe"));
    let s = String::from_utf8_lossy(&out);
    assert!(s.contains("unavailable"), "{s}");
}

#[test]
fn completions_and_man_render() {
    for sh in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::Powershell,
    ] {
        let c = completions(sh);
        assert!(
            String::from_utf8_lossy(&c).contains("io-throttle"),
            "{sh:?}"
        );
    }
    let m = man_page().unwrap();
    let m = String::from_utf8_lossy(&m);
    assert!(m.contains(".TH ioband 8"), "{}", &m[..200.min(m.len())]);
}

#[test]
fn throttle_must_stay_below_limit() {
    let h = H::new();
    let create = [
        "create",
        "a",
        "/dev/sda1",
        "--group",
        "1",
        "--io-throttle",
        "128",
    ];
    let e = h.fail(&create);
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("default"), "{e}");
    h.ok(&[&create[..], &["--io-limit", "200"]].concat());
    let e = h.fail(&["io-throttle", "a", "200"]);
    assert!(hint(&e).contains("ioband io-limit a 201"), "{e}");
    let e = h.fail(&["io-limit", "a", "100"]);
    assert!(hint(&e).contains("ioband io-throttle a 99"), "{e}");
    // The kernel says no too (raw message path).
    let e = h.fail(&["message", "a", "0", "io_limit", "100"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
    h.ok(&["io-limit", "a", "300"]);
    h.ok(&["io-throttle", "a", "250"]);
    assert_eq!(h.table_of("a"), "8:1 1 250 300");
    let e = h.fail(&["weight", "a", "1000001"]);
    assert_eq!(e.code, EXIT_USAGE);
}

/// Device `a` (type cgroup, device group 1) with system.slice (100, weight
/// 80), postgresql.service below it (110, weight 200) and db (4242, weight
/// 100, top level); device `b` (type none, weight 40) in the same device
/// group and `c` (weight 50) in device group 2.
fn nested() -> H {
    let h = H::with_device_a(&["--type", "cgroup"]);
    h.ok(&["create", "b", "/dev/sda2", "--group", "1", "--weight", "40"]);
    h.dm.add_block_device("/dev/sdb1", 8, 17, 8);
    h.ok(&[
        "create",
        "c",
        "--table",
        "0 8 ioband /dev/sdb1 2 4 128 none weight 0 :50",
    ]);
    h.dm.set_cgroup_parent(110, 100);
    h.ok(&["attach", "a", "system.slice", "--weight", "80"]);
    h.ok(&["attach", "a", "postgresql.service", "--weight", "200"]);
    h.ok(&["attach", "a", "db"]);
    h
}

/// How many `shares` messages the fake kernel got so far.
fn shares_asked(h: &H) -> usize {
    h.dm.log().iter().filter(|l| l.ends_with(" shares")).count()
}

#[test]
fn status_shows_nested_shares_from_the_module() {
    let h = nested();
    let kernel = crate::dm::shares(&h.dm, "a").unwrap();
    let asked = shares_asked(&h);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    // One extra ioctl: for `a`, whose groups may nest; none for b and c.
    assert_eq!(shares_asked(&h), asked + 1, "{:?}", h.dm.log());
    let a = &v["devices"][0];
    assert_eq!(a["name"], "a");
    // The JSON carries the module's records, in its order.
    let records: Vec<String> = a["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let parent = match g["parent"]["id"].as_u64() {
                Some(p) => p.to_string(),
                None => "-".into(),
            };
            format!("{}:{parent}:{}", g["id"], g["share_ppm"])
        })
        .collect();
    assert_eq!(records.join(" "), kernel.to_string());
    // Top level: 100 + 80 + 100 (a) + 40 (b) = 320; system.slice's 80/320
    // split 80:200 with postgresql.service below it.
    let pg = &a["groups"][2];
    assert_eq!(pg["id"], 110);
    assert_eq!(pg["name"], "postgresql.service");
    assert_eq!(pg["path"], "/sys/fs/cgroup/system.slice/postgresql.service");
    assert_eq!(pg["parent"]["id"], 100);
    assert_eq!(pg["parent"]["name"], "system.slice");
    let ppm = pg["share_ppm"].as_u64().unwrap();
    assert!(ppm.abs_diff(178_571) <= 2, "{ppm}");
    let pct = pg["share_percent"].as_f64().unwrap();
    assert!((pct - ppm as f64 / 10_000.0).abs() < 1e-9, "{pct}");
    assert_eq!(a["groups"][1]["name"], "system.slice");
    assert!(a["groups"][1]["parent"].is_null());
    assert!(a["groups"][3]["parent"].is_null(), "db is at the top level");
    // b shares the top level with a's top-level groups: 40/320.
    let b = &v["devices"][1];
    assert_eq!(b["groups"][0]["share_ppm"], 125_000);
    assert_eq!(b["groups"][0]["share_percent"], 12.5);
    assert!(b["groups"][0]["parent"].is_null() && b["groups"][0]["path"].is_null());
    // c, alone in device group 2: all of it.
    assert_eq!(v["devices"][2]["groups"][0]["share_ppm"], 1_000_000);
    let total: u64 = a["groups"]
        .as_array()
        .unwrap()
        .iter()
        .chain(b["groups"].as_array().unwrap())
        .map(|g| g["share_ppm"].as_u64().unwrap())
        .sum();
    assert!(total.abs_diff(1_000_000) <= 4, "{total}");

    // The table nests postgresql.service under system.slice.
    let text = h.ok(&["status"]);
    let lines: Vec<&str> = text.lines().collect();
    let slice = lines
        .iter()
        .position(|l| l.contains("100 (system.slice)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        lines[slice + 1].contains("  110 (postgresql.service)"),
        "{text}"
    );
    assert!(lines[slice + 2].contains("4242 (db)"), "{text}");
    assert!(text.contains("12.50%") && text.contains("7.14%"), "{text}");

    // Showing b alone still asks a: b's share depends on a's top level.
    let asked = shares_asked(&h);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json", "b"])).unwrap();
    assert_eq!(v["devices"][0]["groups"][0]["share_ppm"], 125_000);
    assert_eq!(shares_asked(&h), asked + 1);
    // Showing c alone does not.
    h.ok(&["status", "c"]);
    assert_eq!(shares_asked(&h), asked + 1);
    // Nor does `table`.
    h.ok(&["table"]);
    assert_eq!(shares_asked(&h), asked + 1);
}

#[test]
fn flat_shares_need_no_extra_ioctl() {
    let h = H::with_devices(&[("ioband1", "/dev/sda1", 1), ("ioband2", "/dev/sda2", 1)]);
    h.ok(&["type", "ioband1", "user"]);
    h.ok(&["attach", "ioband1", "alice"]);
    h.ok(&["attach", "ioband1", "bob"]);
    h.ok(&["type", "ioband2", "cgroup"]);
    h.ok(&["attach", "ioband2", "db"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    assert_eq!(shares_asked(&h), 0, "{:?}", h.dm.log());
    // 5 groups of weight 100.
    for d in v["devices"].as_array().unwrap() {
        for g in d["groups"].as_array().unwrap() {
            assert_eq!(g["share_ppm"], 200_000, "{g}");
            assert_eq!(g["share_percent"], 20.0, "{g}");
            assert!(g["parent"].is_null(), "{g}");
        }
    }
    assert_eq!(v["devices"][1]["groups"][1]["name"], "db");
    assert_eq!(v["devices"][1]["groups"][1]["path"], "/sys/fs/cgroup/db");
    assert!(v["devices"][0]["groups"][1]["path"].is_null());
}

#[test]
fn status_without_the_shares_message_shows_no_share() {
    let h = nested();
    h.dm.set_shares_supported(false);
    let o = h.run(&["status", "--json"]);
    assert!(o.res.is_ok(), "{:?}", o.res);
    let v: serde_json::Value = serde_json::from_str(&o.out).unwrap();
    for d in &v["devices"].as_array().unwrap()[..2] {
        for g in d["groups"].as_array().unwrap() {
            assert!(
                g["share_ppm"].is_null() && g["share_percent"].is_null(),
                "{g}"
            );
            assert!(g["parent"].is_null(), "{g}");
        }
        // Everything else is there.
        assert!(d["groups"][0]["read"]["requests"].is_u64());
    }
    assert_eq!(v["devices"][0]["groups"][2]["name"], "postgresql.service");
    // Device group 2 does not depend on a.
    assert_eq!(v["devices"][2]["groups"][0]["share_ppm"], 1_000_000);
    let text = h.ok(&["status"]);
    assert!(text.contains("110 (postgresql.service)"), "{text}");
    assert!(text.contains("100.00%"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("(postgresql.service)"))
        .unwrap_or_default();
    assert!(row.contains(" - "), "{row}");
    // Watch mode goes on too.
    assert!(h
        .run(&["status", "--watch", "1", "--count", "2"])
        .res
        .is_ok());
    // The raw message says why.
    let e = h.fail(&["message", "a", "0", "shares"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
}

#[test]
fn raw_shares_message_prints_the_reply() {
    let h = nested();
    let out = h.ok(&["message", "a", "0", "shares"]);
    let reply: crate::target::Shares = out.trim().parse().unwrap();
    assert_eq!(reply.groups.len(), 4);
    assert_eq!(reply.groups[2].parent, Some(100));
    assert_eq!(out, format!("{}\n", crate::dm::shares(&h.dm, "a").unwrap()));
}

/// How many `settings` messages the fake kernel got so far.
fn settings_asked(h: &H) -> usize {
    h.dm.log()
        .iter()
        .filter(|l| l.ends_with(" settings"))
        .count()
}

/// The note (caps, floors) on the line under the first row of human status
/// that contains `name`, if that line is one.
fn note_under<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.contains(name)).skip(1);
    let next = lines.next()?.trim();
    (next.starts_with("caps ") || next.starts_with("floors ")).then_some(next)
}

/// The width of the first table header (`  GROUP  WEIGHT ...`) in human
/// status.
fn header_width(text: &str) -> usize {
    text.lines()
        .find(|l| l.starts_with("  GROUP "))
        .map_or(0, |l| l.chars().count())
}

/// The two header lines of device group `g` in human status, as one line.
fn group_header(text: &str, g: u32) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(&format!("device group {g}:")))
        .unwrap_or_else(|| panic!("no device group {g} in {text}"));
    format!(
        "{}, {}",
        lines[i],
        lines.get(i + 1).map_or("", |l| l.trim())
    )
}

#[test]
fn status_shows_the_io_limit_in_force() {
    // a and b share device group 1 on a disk of depth 2; c (group 2, io_limit
    // pinned at 64) sits on a stacked device whose depth is unknown.
    let h = H::with_devices(&[("a", "/dev/sda1", 1), ("b", "/dev/sda2", 1)]);
    h.dm.set_queue_depth(8, 1, 2);
    h.dm.set_queue_depth(8, 2, 2);
    h.dm.add_block_device("/dev/sdb1", 253, 4, 8);
    h.ok(&["create", "c", "--table", "0 8 ioband /dev/sdb1 2 4 64"]);
    h.ok(&["create", "d", "--table", "0 8 ioband 253:4 3"]);
    h.dm.record_nowait_again("a", 7);
    h.dm.record_nowait_again("b", 3);

    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    // One `settings` per device group, not per device.
    assert_eq!(settings_asked(&h), 3, "{:?}", h.dm.log());
    let dev = |i: usize| &v["devices"][i];
    // The old keys are there, with the table's numbers.
    assert_eq!(dev(0)["io_limit"], 128);
    assert_eq!(dev(0)["io_throttle"], 4);
    assert_eq!(dev(0)["policy"], "fair");
    // a answers for device group 1: the limits are the group's, the count
    // a's own (the module counts per device); b's is not asked.
    for i in [0, 1] {
        assert_eq!(
            dev(i)["limits"],
            serde_json::json!({
                "io_limit": {"configured": "auto", "effective": 2, "queue_depth": 2},
                "io_throttle": {"configured": 4, "effective": 1}
            }),
            "{}",
            dev(i)
        );
    }
    assert_eq!(dev(0)["nowait_again"], 7);
    assert!(dev(1)["nowait_again"].is_null(), "{}", dev(1));
    assert_eq!(
        dev(2)["limits"]["io_limit"],
        serde_json::json!({"configured": 64, "effective": 64, "queue_depth": null})
    );
    assert_eq!(dev(2)["nowait_again"], 0);
    assert_eq!(
        dev(3)["limits"]["io_limit"],
        serde_json::json!({"configured": "auto", "effective": 128, "queue_depth": null})
    );

    let text = h.ok(&["status"]);
    let g1 = group_header(&text, 1);
    assert!(
        g1.ends_with(
            "policy fair, io_throttle 1 (4 configured), io_limit 2 (auto, depth 2), token 2048"
        ),
        "{g1}"
    );
    assert!(
        group_header(&text, 2).contains("io_throttle 4, io_limit 64, token"),
        "{text}"
    );
    assert!(
        group_header(&text, 3).contains("io_limit 128 (auto, depth unknown)"),
        "{text}"
    );
    // Showing one device asks its device group only, through it.
    let asked = settings_asked(&h);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json", "b"])).unwrap();
    assert_eq!(settings_asked(&h), asked + 1);
    assert_eq!(v["devices"][0]["nowait_again"], 3);
    // An auto io_limit follows the deepest device of the group.
    h.dm.set_queue_depth(8, 2, 8);
    let text = h.ok(&["status", "a", "b"]);
    assert!(
        group_header(&text, 1).contains("io_throttle 4, io_limit 8 (auto), token"),
        "{text}"
    );
    let asked = settings_asked(&h);
    // `table` asks nothing, and says auto.
    let t = h.ok(&["table"]);
    assert_eq!(settings_asked(&h), asked);
    let row = t
        .lines()
        .find(|l| l.trim_start().starts_with("a "))
        .unwrap_or_default();
    assert!(row.contains(" auto "), "{t}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    assert_eq!(v["devices"][0]["io_limit_auto"], true);
    assert_eq!(v["devices"][2]["io_limit_auto"], false);
    // The raw message prints the reply: the group follows b (depth 8).
    let out = h.ok(&["message", "a", "0", "settings"]);
    assert_eq!(
        out,
        "policy=fair token=2048 io_throttle=4 io_limit=128 io_limit_auto=1 \
         effective_io_throttle=4 effective_io_limit=8 queue_depth=2 nowait_again=7\n"
    );
}

#[test]
fn status_without_the_settings_message_shows_the_table() {
    let h = H::with_device_a(&[]);
    h.dm.set_settings_supported(false);
    let o = h.run(&["status", "--json"]);
    assert!(o.res.is_ok(), "{:?}", o.res);
    let v: serde_json::Value = serde_json::from_str(&o.out).unwrap();
    let d = &v["devices"][0];
    assert!(d["limits"].is_null() && d["nowait_again"].is_null(), "{d}");
    assert_eq!(d["io_limit"], 128);
    let text = h.ok(&["status"]);
    assert!(
        group_header(&text, 1).ends_with("io_throttle 4, io_limit 128, token 2048"),
        "{text}"
    );
    assert!(h
        .run(&["status", "--watch", "1", "--count", "2"])
        .res
        .is_ok());
    let e = h.fail(&["message", "a", "0", "settings"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
}

#[test]
fn io_limit_auto_and_the_default_policy() {
    let h = H::new();
    // auto and 128 are both auto: the kernel gets 128.
    h.ok(&[
        "create",
        "a",
        "/dev/sda1",
        "--group",
        "1",
        "--io-limit",
        "auto",
    ]);
    assert_eq!(h.table_of("a"), "8:1 1 4 128");
    h.ok(&[
        "create",
        "b",
        "/dev/sda2",
        "--group",
        "2",
        "--io-limit",
        "128",
        "--weight",
        "5",
    ]);
    assert_eq!(h.table_of("b"), "8:2 2 4 128 none fair 2048 :5");
    h.ok(&["io-limit", "a", "64"]);
    assert_eq!(h.table_of("a"), "8:1 1 4 64");
    h.ok(&["io-limit", "a", "auto"]);
    assert!(h.dm.log().contains(&"message a io_limit 128".to_string()));
    assert_eq!(h.table_of("a"), "8:1 1 4 128");
    // io_throttle must stay below; auto counts as 128.
    let e = h.fail(&[
        "create",
        "c",
        "/dev/sda2",
        "--group",
        "3",
        "--io-throttle",
        "200",
        "--io-limit",
        "auto",
    ]);
    assert_eq!(e.code, EXIT_USAGE);
    assert!(
        e.message.contains("create c: --io-throttle (200)") && e.message.contains("auto"),
        "{e}"
    );
    let e = h.fail(&["io-throttle", "a", "128"]);
    assert!(
        e.message
            .contains("io_limit (auto, which counts as 128 here) of a's"),
        "{e}"
    );
    h.ok(&["io-limit", "a", "300"]);
    h.ok(&["io-throttle", "a", "200"]);
    let e = h.fail(&["io-limit", "a", "auto"]);
    assert!(
        e.message
            .starts_with("io_limit 128 (auto, which counts as 128 here): io_limit must be")
            && e.message.contains("(200) of a's"),
        "{e}"
    );
    // Policy: fair unless asked; `default` is weight.
    h.ok(&["create", "d", "/dev/sda2", "--group", "4", "--type", "user"]);
    assert_eq!(h.table_of("d"), "8:2 4 4 128 user fair 2048 :100");
    h.ok(&["remove", "d"]);
    h.ok(&[
        "create",
        "d",
        "/dev/sda2",
        "--group",
        "4",
        "--policy",
        "default",
    ]);
    assert_eq!(h.table_of("d"), "8:2 4 4 128 none weight 2048 :100");
}

/// Device `a` (type user) with alice (1000) and bob (2000) attached, and
/// `b` (type none) in the same device group.
fn tenants() -> H {
    let h = H::with_device_a(&["--type", "user"]);
    h.ok(&["attach", "a", "alice"]);
    h.ok(&["attach", "a", "bob"]);
    h.ok(&["create", "b", "/dev/sda2", "--group", "1"]);
    h
}

#[test]
fn limit_sets_only_the_keys_given() {
    let h = tenants();
    h.ok(&["limit", "a", "read_bps=200M", "write_iops=2k"]);
    assert!(
        h.dm.log()
            .contains(&"message a limit read_bps=209715200,write_iops=2000".to_string()),
        "{:?}",
        h.dm.log()
    );
    h.ok(&["limit", "a", "--group", "alice", "bps=1.5G,iops=5000"]);
    h.ok(&["limit", "a", "--group", "1000", "iops=max", "read_iops=7"]);
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 \
         limit -1:read_bps=209715200,write_iops=2000 limit 1000:bps=1610612736,read_iops=7"
    );
    // The default group is sent without an id; only the keys named change.
    h.ok(&["limit", "a", "read_bps=max"]);
    assert!(h
        .dm
        .log()
        .contains(&"message a limit read_bps=max".to_string()));
    h.ok(&["limit", "a", "--group", "alice", "none"]);
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 limit -1:write_iops=2000"
    );
    h.ok(&["limit", "b", "none"]);
    h.ok(&["limit", "b", "read_iops=1"]);
    assert_eq!(
        h.table_of("b"),
        "8:2 1 4 128 none fair 2048 :100 limit -1:read_iops=1"
    );
    h.ok(&["limit", "b", "read_iops=max"]);
    assert_eq!(h.table_of("b"), "8:2 1 4 128");
    // A detached group's caps go with it.
    h.ok(&["limit", "a", "--group", "bob", "write_bps=1M"]);
    h.ok(&["detach", "a", "bob"]);
    h.ok(&["attach", "a", "bob"]);
    assert!(
        !h.table_of("a").contains("limit 2000"),
        "{}",
        h.table_of("a")
    );
    // The raw message and the query pass through.
    h.ok(&["message", "a", "0", "limit", "2000:iops=3"]);
    let out = h.ok(&["message", "a", "0", "limits"]);
    assert_eq!(
        out,
        "-1:write_iops=2000:0:0:0:none:0:normal 1000:none:0:0:0:none:0:normal \
         2000:iops=3:0:0:0:none:0:normal\n"
    );
}

#[test]
fn shares_of_the_disk_are_sent_as_rates_of_the_capacity() {
    let h = tenants();
    h.ok(&[
        "limit",
        "a",
        "--group",
        "alice",
        "--capacity",
        "bps=400M,iops=2k",
        "bps=20%",
        "write_iops=10%",
    ]);
    h.ok(&["floor", "a", "--capacity", "read_bps=100M", "read_bps=5%"]);
    let log = h.dm.log();
    for sent in [
        "message a limit 1000:bps=83886080,write_iops=200",
        "message a floor read_bps=5242880",
    ] {
        assert!(log.contains(&sent.to_string()), "{log:?}");
    }
    // Without the capacity, or with a bad one: an error naming the
    // device and the field, and nothing sent.
    let sent = h.dm.log().len();
    for (args, says) in [
        (
            &["limit", "a", "bps=20%"][..],
            "limit a: bps: 20% is a share of the disk, whose bps is not known: give --capacity",
        ),
        (
            &["floor", "a", "--capacity", "iops=1k", "read_bps=20%"],
            "floor a: read_bps: 20% is a share of the disk, whose read_bps is not known: \
             give --capacity (a read_bps or bps)",
        ),
        (
            &["limit", "a", "--capacity", "bps=50%", "bps=20%"],
            "limit a: --capacity: bps: a capacity is a rate, not a share",
        ),
        (
            &["limit", "a", "--capacity", "bps=1M", "bps=0%"],
            "limit a: bps: \"0%\" is not a share of the disk",
        ),
    ] {
        let e = h.fail(args);
        assert!(e.message.contains(says), "{args:?}: {}", e.message);
    }
    assert_eq!(h.dm.log().len(), sent, "{:?}", h.dm.log());
}

#[test]
fn limit_refuses_bad_input_and_sends_nothing() {
    let h = tenants();
    let sent = h.dm.log().len();
    // (arguments, the error's message)
    for (args, says) in [
        (
            &["limit", "a", "read_bps=0"][..],
            "limit a: read_bps: \"0\" must be 1 to 1125899906842624 or max",
        ),
        (
            &["limit", "a", "--group", "alice", "iops=2G"],
            "limit a: iops: \"2G\" must be 1 to 1000000000 or max",
        ),
        (
            &["limit", "a", "read_bps=200MB"],
            "limit a: read_bps: \"200MB\" is not a rate",
        ),
        (
            &["limit", "a", "speed=1"],
            "limit a: speed: unknown cap \"speed\"",
        ),
        (
            &["limit", "a", "iops"],
            "limit a: iops: expected KEY=VALUE or none",
        ),
        (
            &["limit", "a", "iops=1", "iops=2"],
            "limit a: iops: given twice",
        ),
        (
            &["limit", "a", "none", "iops=2"],
            "limit a: none: none clears every cap",
        ),
        (&["limit", "zz", "iops=0"], "limit zz: iops: \"0\" must be"),
    ] {
        let e = h.fail(args);
        assert_eq!(e.code, EXIT_USAGE, "{args:?}: {e}");
        assert!(e.message.starts_with(says), "{args:?}: {e}");
    }
    // Groups are checked before anything is sent.
    let e = h.fail(&["limit", "a", "--group", "3000", "iops=5"]);
    assert!(e.message.contains("group 3000 is not attached to a"), "{e}");
    assert!(hint(&e).contains("ioband attach a 3000"), "{e}");
    let e = h.fail(&["limit", "a", "--group", "mallory", "iops=5"]);
    assert!(e.message.contains("mallory"), "{e}");
    let e = h.fail(&["limit", "b", "--group", "alice", "iops=5"]);
    assert!(hint(&e).contains("ioband type b user"), "{e}");
    assert_eq!(h.dm.log().len(), sent, "{:?}", h.dm.log());
    let e = h.fail(&["limit", "zz", "iops=5"]);
    assert_eq!(e.errno, Some(errno::ENXIO));
    // The kernel's refusal of a raw message is explained.
    let e = h.fail(&["message", "a", "0", "limit", "3000:iops=1"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
    assert!(hint(&e).contains("attach it first"), "{e}");
}

/// How many `limits` messages the fake kernel got so far.
fn limits_asked(h: &H) -> usize {
    h.dm.log().iter().filter(|l| l.ends_with(" limits")).count()
}

#[test]
fn status_shows_caps_and_what_they_hold_back() {
    let h = tenants();
    // Without caps: no caps line, no extra ioctl, caps all null.
    let text = h.ok(&["status"]);
    assert!(!text.contains("caps "), "{text}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let g = &v["devices"][0]["groups"][1];
    assert!(
        g["caps"]["read_bps"].is_null() && g["cap_waits"].is_null(),
        "{g}"
    );
    assert_eq!(limits_asked(&h), 0);

    h.ok(&["limit", "a", "--group", "alice", "bps=200M", "iops=2k"]);
    h.ok(&["limit", "a", "write_bps=50M"]);
    h.dm.record_cap_wait("a", GroupId::Id(1000), 15, 734_000, true);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    // One ioctl, for a (b has no caps).
    assert_eq!(limits_asked(&h), 1, "{:?}", h.dm.log());
    let alice = &v["devices"][0]["groups"][1];
    assert_eq!(
        alice["caps"],
        serde_json::json!({"read_bps": null, "write_bps": null, "bps": 209_715_200,
            "read_iops": null, "write_iops": null, "iops": 2000})
    );
    assert_eq!(alice["cap_waits"], 15);
    assert_eq!(alice["cap_wait_us"], 734_000);
    assert_eq!(alice["capped_now"], true);
    let bob = &v["devices"][0]["groups"][2];
    assert_eq!(bob["cap_waits"], 0);
    assert_eq!(bob["capped_now"], false);
    assert_eq!(
        v["devices"][0]["groups"][0]["caps"]["write_bps"],
        52_428_800
    );
    assert!(v["devices"][1]["groups"][0]["cap_waits"].is_null());

    let text = h.ok(&["status"]);
    assert!(
        note_under(&text, "(alice)") == Some("caps rw 200M/s, rw 2k io/s *"),
        "{text}"
    );
    assert_eq!(note_under(&text, "(bob)"), None, "{text}");
    assert_eq!(
        note_under(&text, " default "),
        Some("caps w 50M/s"),
        "{text}"
    );
    assert!(text.contains("*: held back by its caps now"), "{text}");

    // Watch: marked while parked, or when it was parked again since.
    let text = h.ok(&["status", "a", "--watch", "1", "--count", "2"]);
    let second = text.split("(sample 2)").nth(1).unwrap_or_default();
    assert!(second.contains("caps rw 200M/s, rw 2k io/s *"), "{text}");
    assert!(second.contains("now or since the last sample"), "{text}");
    let out = h.ok(&["status", "a", "--watch", "1", "--count", "2", "--json"]);
    let last: serde_json::Value = serde_json::from_str(out.lines().nth(1).unwrap()).unwrap();
    assert_eq!(last["devices"][0]["groups"][1]["rate"]["capped"], true);
    assert_eq!(last["devices"][0]["groups"][2]["rate"]["capped"], false);

    // table shows them too.
    let t = h.ok(&["table", "a"]);
    assert!(
        t.contains("default: w 50M/s; 1000: rw 200M/s, rw 2k io/s"),
        "{t}"
    );
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    assert_eq!(v["devices"][0]["default_caps"]["write_bps"], 52_428_800);
    assert_eq!(v["devices"][0]["groups"][0]["caps"]["iops"], 2000);
}

#[test]
fn status_without_the_limits_message_still_shows_the_table_caps() {
    let h = tenants();
    h.ok(&["limit", "a", "--group", "alice", "read_iops=2"]);
    h.dm.set_limits_supported(false);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let alice = &v["devices"][0]["groups"][1];
    assert_eq!(alice["caps"]["read_iops"], 2);
    assert!(
        alice["cap_waits"].is_null() && alice["capped_now"].is_null(),
        "{alice}"
    );
    let text = h.ok(&["status"]);
    assert!(text.contains("r 2 io/s") && !text.contains("* "), "{text}");
    assert!(h
        .run(&["status", "--watch", "1", "--count", "2"])
        .res
        .is_ok());
    let e = h.fail(&["message", "a", "0", "limits"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
}

#[test]
fn caps_show_without_colour_on_a_line_of_their_own() {
    let h = H::with_device_a(&["--type", "uid"]);
    h.ok(&["attach", "a", "1000"]);
    let plain = h.ok(&["status"]);
    h.ok(&["limit", "a", "--group", "1000", "write_iops=2k"]);
    h.dm.record_cap_wait("a", GroupId::Id(1000), 1, 10, true);
    for args in [&["status"][..], &["status", "--watch", "1", "--count", "2"]] {
        let text = h.ok(args);
        assert!(!text.contains('\x1b'), "{text}");
        assert_eq!(
            note_under(&text, "1000 (alice)"),
            Some("caps w 2k io/s *"),
            "{text}"
        );
    }
    // The table is as wide as without caps.
    let text = h.ok(&["status"]);
    assert_eq!(header_width(&text), header_width(&plain), "{plain}\n{text}");
}

#[test]
fn floor_sets_only_the_keys_given_and_class_sets_the_class() {
    let h = tenants();
    h.ok(&["floor", "a", "bps=20M", "read_iops=100"]);
    h.ok(&[
        "floor",
        "a",
        "--group",
        "alice",
        "read_bps=1.5G,write_iops=2k",
    ]);
    let log = h.dm.log();
    // The default group is sent without an id.
    for sent in [
        "message a floor bps=20971520,read_iops=100",
        "message a floor 1000:read_bps=1610612736,write_iops=2000",
    ] {
        assert!(log.contains(&sent.to_string()), "{log:?}");
    }
    h.ok(&["floor", "a", "--group", "1000", "write_iops=max", "iops=7"]);
    h.ok(&["class", "a", "--group", "bob", "idle"]);
    assert!(h
        .dm
        .log()
        .contains(&"message a class 2000:idle".to_string()));
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 \
         floor -1:bps=20971520,read_iops=100 floor 1000:read_bps=1610612736,iops=7 \
         class 2000:idle"
    );
    h.ok(&["floor", "a", "read_iops=max"]);
    h.ok(&["floor", "a", "--group", "alice", "none"]);
    h.ok(&["class", "a", "--group", "bob", "normal"]);
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 floor -1:bps=20971520"
    );
    // The default group of a plain device: the table grows and shrinks.
    h.ok(&["class", "b", "idle"]);
    assert!(h.dm.log().contains(&"message b class idle".to_string()));
    assert_eq!(
        h.table_of("b"),
        "8:2 1 4 128 none fair 2048 :100 class -1:idle"
    );
    h.ok(&["class", "b", "normal"]);
    assert_eq!(h.table_of("b"), "8:2 1 4 128");
    // A floor up to the cap is fine; a detached group's go with it.
    h.ok(&["limit", "a", "--group", "bob", "bps=100M"]);
    h.ok(&["floor", "a", "--group", "bob", "bps=100M"]);
    h.ok(&["detach", "a", "bob"]);
    h.ok(&["attach", "a", "bob"]);
    let t = h.table_of("a");
    assert!(
        !t.contains("limit 2000") && !t.contains("floor 2000"),
        "{t}"
    );
    // The raw messages and the query pass through.
    h.ok(&["message", "a", "0", "floor", "2000:iops=3"]);
    h.ok(&["message", "a", "0", "class", "1000:idle"]);
    let out = h.ok(&["message", "a", "0", "limits"]);
    assert_eq!(
        out,
        "-1:none:0:0:0:bps=20971520:0:normal 1000:none:0:0:0:none:0:idle \
         2000:none:0:0:0:iops=3:0:normal\n"
    );
}

#[test]
fn floor_and_class_refuse_bad_input_and_send_nothing() {
    let h = tenants();
    h.ok(&["limit", "a", "--group", "alice", "bps=200M", "read_iops=1k"]);
    h.ok(&["floor", "a", "--group", "alice", "bps=50M"]);
    h.ok(&["class", "a", "--group", "bob", "idle"]);
    let sent = h.dm.log().len();
    // (arguments, the error's message): usage errors, before the device.
    for (args, says) in [
        (
            &["floor", "a", "bps=0"][..],
            "floor a: bps: \"0\" must be 1 to 1125899906842624 or max",
        ),
        (
            &["floor", "a", "--group", "alice", "iops=2G"],
            "floor a: iops: \"2G\" must be 1 to 1000000000 or max",
        ),
        (
            &["floor", "a", "bps=20MB"],
            "floor a: bps: \"20MB\" is not a rate",
        ),
        (
            &["floor", "a", "speed=1"],
            "floor a: speed: unknown floor \"speed\"",
        ),
        (
            &["floor", "a", "bps"],
            "floor a: bps: expected KEY=VALUE or none",
        ),
        (
            &["floor", "a", "bps=1", "bps=2"],
            "floor a: bps: given twice",
        ),
        (
            &["floor", "a", "none", "bps=2"],
            "floor a: none: none clears every floor",
        ),
        (&["floor", "zz", "bps=0"], "floor zz: bps: \"0\" must be"),
    ] {
        let e = h.fail(args);
        assert_eq!(e.code, EXIT_USAGE, "{args:?}: {e}");
        assert!(e.message.starts_with(says), "{args:?}: {e}");
    }
    // (arguments, the error's message, its hint): what the module would
    // refuse, said with the device, the group and the key.
    for (args, says, then) in [
        (
            &["floor", "a", "--group", "alice", "bps=300M"][..],
            "floor 1000:bps=314572800: group 1000 of a: bps: the floor (300M) would be above \
             its cap (200M)",
            "`ioband limit a --group 1000 bps=300M`",
        ),
        (
            &["floor", "a", "--group", "1000", "read_iops=1001"],
            "group 1000 of a: read_iops: the floor (1001) would be above its cap (1k)",
            "raise the cap first",
        ),
        (
            &["limit", "a", "--group", "alice", "bps=20M"],
            "limit 1000:bps=20971520: group 1000 of a: bps: the cap (20M) would be below its \
             floor (50M)",
            "`ioband floor a --group 1000 bps=20M`",
        ),
        (
            &["floor", "a", "--group", "bob", "bps=1M"],
            "floor 2000:bps=1048576: group 2000 of a is of the idle class, which cannot have \
             a floor",
            "`ioband class a --group 2000 normal`",
        ),
        (
            &["class", "a", "--group", "alice", "idle"],
            "class 1000:idle: group 1000 of a has floors (rw 50M/s); a group of the idle class \
             cannot",
            "`ioband floor a --group 1000 none`",
        ),
        (
            &["floor", "a", "--group", "3000", "bps=1M"],
            "floor 3000:bps=1048576: group 3000 is not attached to a",
            "ioband attach a 3000",
        ),
        (
            &["class", "a", "--group", "3000", "idle"],
            "class 3000:idle: group 3000 is not attached to a",
            "ioband attach a 3000",
        ),
    ] {
        let e = h.fail(args);
        assert_eq!(e.code, EXIT_FAILURE, "{args:?}: {e}");
        assert!(e.message.contains(says), "{args:?}: {e}");
        assert!(hint(&e).contains(then), "{args:?}: {}", hint(&e));
    }
    let e = h.fail(&["class", "b", "--group", "alice", "idle"]);
    assert!(hint(&e).contains("ioband type b user"), "{e}");
    assert_eq!(h.dm.log().len(), sent, "{:?}", h.dm.log());
    let e = h.fail(&["floor", "zz", "bps=5"]);
    assert_eq!(e.errno, Some(errno::ENXIO));
}

#[test]
fn a_refused_raw_floor_or_class_message_is_explained() {
    let h = tenants();
    h.ok(&["limit", "a", "--group", "alice", "bps=200M", "read_iops=1k"]);
    h.ok(&["floor", "a", "--group", "alice", "bps=50M"]);
    h.ok(&["class", "a", "--group", "bob", "idle"]);
    // The kernel's refusal of a raw message is explained the same way.
    for (words, then) in [
        (&["floor", "1000:bps=300000000"][..], "raise the cap first"),
        (&["class", "1000:idle"], "ioband floor a --group 1000 none"),
        (&["class", "3000:idle"], "attach it first"),
    ] {
        let mut args = vec!["message", "a", "0"];
        args.extend_from_slice(words);
        let e = h.fail(&args);
        assert_eq!(e.errno, Some(errno::EINVAL), "{words:?}");
        assert!(hint(&e).contains(then), "{words:?}: {e}");
    }
    let e = h.fail(&["message", "a", "0", "class", "busy"]);
    assert!(hint(&e).contains("unknown class \"busy\""), "{e}");
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 \
         limit 1000:bps=209715200,read_iops=1000 floor 1000:bps=52428800 class 2000:idle"
    );
}

#[test]
fn status_shows_floors_what_they_miss_and_the_idle_class() {
    let h = tenants();
    // Without floors: no floors line, floors null, class normal.
    let text = h.ok(&["status"]);
    assert!(
        !text.contains("floors ") && !text.contains("[idle]"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let g = &v["devices"][0]["groups"][1];
    assert!(
        g["floors"]["bps"].is_null() && g["floor_lag_us"].is_null(),
        "{g}"
    );
    assert_eq!(g["class"], "normal");

    h.ok(&["floor", "a", "--group", "alice", "bps=50M", "write_iops=2k"]);
    h.ok(&["class", "a", "--group", "bob", "idle"]);
    h.ok(&["floor", "b", "read_bps=1M"]);
    h.dm.set_floor_lag("a", GroupId::Id(1000), 48_000);
    h.dm.set_floor_lag("b", GroupId::Default, 24_999);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let alice = &v["devices"][0]["groups"][1];
    assert_eq!(
        alice["floors"],
        serde_json::json!({"read_bps": null, "write_bps": null, "bps": 52_428_800,
            "read_iops": null, "write_iops": 2000, "iops": null})
    );
    assert_eq!(alice["floor_lag_us"], 48_000);
    assert_eq!(alice["class"], "normal");
    let bob = &v["devices"][0]["groups"][2];
    assert_eq!(bob["class"], "idle");
    assert_eq!(bob["floor_lag_us"], 0);
    assert_eq!(v["devices"][1]["groups"][0]["floor_lag_us"], 24_999);

    let text = h.ok(&["status"]);
    assert!(!text.contains("caps "), "{text}");
    assert_eq!(
        note_under(&text, "(alice)"),
        Some("floors rw 50M/s, w 2k io/s !"),
        "{text}"
    );
    assert!(text.contains("2000 (bob) [idle]"), "{text}");
    assert_eq!(note_under(&text, "2000 (bob) [idle]"), None, "{text}");
    // Just under the mark: not marked (b's default group).
    let b = &text[text.find("b on ").unwrap_or(0)..];
    assert_eq!(note_under(b, " default "), Some("floors r 1M/s"), "{text}");
    assert!(
        text.contains("!: behind its floors now (they ask more than the disk gives)"),
        "{text}"
    );
    let watch = h.ok(&["status", "a", "--watch", "1", "--count", "2"]);
    assert!(
        watch.contains("floors rw 50M/s, w 2k io/s !") && watch.contains("[idle]"),
        "{watch}"
    );

    // table shows them too.
    let t = h.ok(&["table"]);
    assert!(t.contains("FLOORS") && !t.contains("CAPS"), "{t}");
    assert!(t.contains("1000: rw 50M/s, w 2k io/s"), "{t}");
    assert!(t.contains("2000(bob):100[idle]"), "{t}");
    assert!(t.contains("default: r 1M/s"), "{t}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    let a = &v["devices"][0];
    assert_eq!(a["groups"][0]["floors"]["bps"], 52_428_800);
    assert_eq!(a["groups"][1]["class"], "idle");
    assert_eq!(a["default_class"], "normal");
    assert!(a["default_floors"]["bps"].is_null());
    assert_eq!(v["devices"][1]["default_floors"]["read_bps"], 1_048_576);
}

#[test]
fn status_without_floors_in_the_reply_still_shows_the_table() {
    let h = tenants();
    h.ok(&["floor", "a", "--group", "alice", "bps=50M"]);
    h.ok(&["class", "a", "--group", "bob", "idle"]);
    h.dm.set_floor_lag("a", GroupId::Id(1000), 50_000);
    // A module that answers `limits` with five fields: lag unknown.
    h.dm.set_floors_supported(false);
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let alice = &v["devices"][0]["groups"][1];
    assert!(alice["floor_lag_us"].is_null(), "{alice}");
    assert_eq!(alice["cap_waits"], 0);
    assert_eq!(alice["floors"]["bps"], 52_428_800);
    let text = h.ok(&["status"]);
    assert!(text.contains("rw 50M/s") && !text.contains('!'), "{text}");
    // A module that refuses `limits`: the table's floors and classes.
    h.dm.set_limits_supported(false);
    let text = h.ok(&["status"]);
    assert!(
        text.contains("rw 50M/s") && text.contains("[idle]") && !text.contains('!'),
        "{text}"
    );
    assert!(h
        .run(&["status", "--watch", "1", "--count", "2", "--json"])
        .res
        .is_ok());
}

#[test]
fn floors_take_a_line_and_idle_widens_only_its_group() {
    let h = H::with_device_a(&["--type", "uid"]);
    h.ok(&["attach", "a", "1000"]);
    let plain = h.ok(&["status"]);
    h.ok(&["class", "a", "--group", "1000", "idle"]);
    let idle = h.ok(&["status"]);
    // "1000 (alice) [idle]" is the widest GROUP cell.
    assert_eq!(
        header_width(&idle),
        header_width(&plain) + " [idle]".len(),
        "{plain}\n{idle}"
    );
    h.ok(&["class", "a", "--group", "1000", "normal"]);
    h.ok(&["floor", "a", "--group", "1000", "write_iops=2k"]);
    h.dm.set_floor_lag("a", GroupId::Id(1000), 30_000);
    let text = h.ok(&["status"]);
    assert!(!text.contains('\x1b'), "{text}");
    // The floors on a line of their own: the table is as wide as before.
    assert_eq!(header_width(&text), header_width(&plain), "{plain}\n{text}");
    assert_eq!(
        note_under(&text, "1000 (alice)"),
        Some("floors w 2k io/s !"),
        "{text}"
    );
}

#[test]
fn write_weight_sets_and_clears_the_weight_of_writes() {
    let h = tenants();
    // The default group is sent without an id; a group by name or id.
    h.ok(&["write-weight", "a", "50"]);
    h.ok(&["write-weight", "a", "alice", "15"]);
    h.ok(&["write_weight", "a", "2000", "1000000"]);
    let log = h.dm.log();
    for sent in [
        "message a write_weight 50",
        "message a write_weight 1000:15",
        "message a write_weight 2000:1000000",
    ] {
        assert!(log.contains(&sent.to_string()), "{log:?}");
    }
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 write_weight -1:50 \
         write_weight 1000:15 write_weight 2000:1000000"
    );
    // Beside the other words, in the kernel's order.
    h.ok(&["limit", "a", "--group", "alice", "iops=2k"]);
    h.ok(&["class", "a", "--group", "alice", "idle"]);
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 write_weight -1:50 \
         limit 1000:iops=2000 class 1000:idle write_weight 1000:15 write_weight 2000:1000000"
    );
    // same: writes weigh as reads again.
    h.ok(&["write-weight", "a", "same"]);
    h.ok(&["write-weight", "a", "bob", "same"]);
    assert!(h
        .dm
        .log()
        .contains(&"message a write_weight 2000:same".to_string()));
    assert_eq!(
        h.table_of("a"),
        "8:1 1 4 128 user fair 2048 :100 1000:100 2000:100 \
         limit 1000:iops=2000 class 1000:idle write_weight 1000:15"
    );
    // The default group of a plain device: the table grows and shrinks.
    h.ok(&["write-weight", "b", "200"]);
    assert_eq!(
        h.table_of("b"),
        "8:2 1 4 128 none fair 2048 :100 write_weight -1:200"
    );
    h.ok(&["write-weight", "b", "same"]);
    assert_eq!(h.table_of("b"), "8:2 1 4 128");
    // A detached group's write weight goes with it.
    h.ok(&["write-weight", "a", "bob", "7"]);
    h.ok(&["detach", "a", "bob"]);
    h.ok(&["attach", "a", "bob"]);
    assert!(!h.table_of("a").contains("2000:7"), "{}", h.table_of("a"));
    // The raw message passes through.
    h.ok(&["message", "a", "0", "write_weight", "2000:3"]);
    assert!(h.table_of("a").ends_with("write_weight 2000:3"));
}

#[test]
fn write_weight_refuses_bad_input_and_sends_nothing() {
    let h = tenants();
    let sent = h.dm.log().len();
    // (arguments, the error's message); nothing read, nothing sent.
    for (args, says) in [
        (
            &["write-weight", "a", "0"][..],
            "write-weight a: write_weight: \"0\" must be an integer from 1 to 1000000, or same",
        ),
        (
            &["write-weight", "a", "alice", "1000001"],
            "write-weight a: write_weight: \"1000001\" must be",
        ),
        (
            &["write-weight", "a", "alice", "half"],
            "write-weight a: write_weight: \"half\" must be",
        ),
        (
            &["write-weight", "a", "Same"],
            "write-weight a: write_weight: \"Same\" must be",
        ),
        (
            &["write-weight", "a", "alice"],
            "write-weight a: write_weight: \"alice\" must be",
        ),
        (
            &["write-weight", "zz", "1.5"],
            "write-weight zz: write_weight: \"1.5\" must be",
        ),
    ] {
        let e = h.fail(args);
        assert_eq!(e.code, EXIT_USAGE, "{args:?}: {e}");
        assert!(e.message.starts_with(says), "{args:?}: {e}");
        assert!(hint(&e).contains("NAME [ID] WEIGHT|same"), "{e}");
    }
    // Groups are checked before anything is sent.
    let e = h.fail(&["write-weight", "a", "3000", "50"]);
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message
            .contains("write_weight 3000:50: group 3000 is not attached to a"),
        "{e}"
    );
    assert!(hint(&e).contains("ioband attach a 3000"), "{e}");
    let e = h.fail(&["write-weight", "a", "mallory", "50"]);
    assert!(e.message.contains("a: group \"mallory\""), "{e}");
    let e = h.fail(&["write-weight", "b", "alice", "50"]);
    assert!(hint(&e).contains("ioband type b user"), "{e}");
    assert_eq!(h.dm.log().len(), sent, "{:?}", h.dm.log());
    let e = h.fail(&["write-weight", "zz", "50"]);
    assert_eq!(e.errno, Some(errno::ENXIO));
    // The kernel's refusal of a raw message is explained.
    let e = h.fail(&["message", "a", "0", "write_weight", "3000:5"]);
    assert_eq!(e.errno, Some(errno::EINVAL));
    assert!(hint(&e).contains("attach it first"), "{e}");
    let e = h.fail(&["message", "a", "0", "write_weight", "0"]);
    assert!(hint(&e).contains("write_weight [ID:]W|same"), "{e}");
}

#[test]
fn status_and_table_show_write_weights_where_set() {
    let h = tenants();
    // None set: no mark, JSON null.
    let text = h.ok(&["status"]);
    assert!(!text.contains(" 100 w") && !text.contains("wN:"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    assert!(v["devices"][0]["groups"][1]["write_weight"].is_null());

    h.ok(&["write-weight", "a", "alice", "50"]);
    h.ok(&["write-weight", "b", "400"]);
    let text = h.ok(&["status"]);
    let row = |from: &str, name: &str| {
        text[text.find(from).unwrap_or(0)..]
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_string()
    };
    assert!(row("a on", "(alice)").contains(" 100 w50 "), "{text}");
    assert!(row("b on", " default ").contains(" 100 w400 "), "{text}");
    assert!(!row("a on", "(bob)").contains(" 100 w"), "{text}");
    assert!(
        text.contains("wN: the weight of its writes (a write counts WEIGHT/N times its cost)"),
        "{text}"
    );
    // A write weight alone is no reason to ask `limits`.
    assert!(
        !text.contains("caps ") && !text.contains("floors "),
        "{text}"
    );
    assert_eq!(limits_asked(&h), 0, "{:?}", h.dm.log());
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["status", "--json"])).unwrap();
    let a = &v["devices"][0]["groups"];
    assert_eq!(a[1]["weight"], 100);
    assert_eq!(a[1]["write_weight"], 50);
    assert!(a[0]["write_weight"].is_null() && a[2]["write_weight"].is_null());
    assert_eq!(v["devices"][1]["groups"][0]["write_weight"], 400);
    let watch = h.ok(&["status", "a", "--watch", "1", "--count", "2"]);
    assert!(watch.contains("100 w50"), "{watch}");

    // table shows them in WEIGHTS, and in JSON.
    let t = h.ok(&["table"]);
    assert!(t.contains("1000(alice):100[w50] 2000(bob):100"), "{t}");
    assert!(t.contains("default:100[w400]"), "{t}");
    h.ok(&["class", "a", "--group", "alice", "idle"]);
    let t = h.ok(&["table"]);
    assert!(t.contains("1000(alice):100[w50][idle]"), "{t}");
    let v: serde_json::Value = serde_json::from_str(&h.ok(&["table", "--json"])).unwrap();
    let a = &v["devices"][0];
    assert_eq!(a["groups"][0]["write_weight"], 50);
    assert!(a["groups"][1]["write_weight"].is_null());
    assert!(a["default_write_weight"].is_null());
    assert_eq!(v["devices"][1]["default_write_weight"], 400);
    // --raw is the kernel's line, byte for byte.
    let raw = h.ok(&["table", "a", "--raw"]);
    assert!(
        raw.ends_with("class 1000:idle write_weight 1000:50\n"),
        "{raw}"
    );
}

/// The sample of `family` whose labels contain all of `labels`, if any.
fn sample_of(text: &str, family: &str, labels: &[&str]) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(&format!("{family}{{")) && labels.iter().all(|x| l.contains(x)))
        .map(|l| l.rsplit(' ').next().unwrap_or_default().to_string())
}

#[test]
fn exporter_writes_a_textfile_for_node_exporter() {
    let h = tenants();
    h.ok(&["limit", "a", "--group", "alice", "read_bps=200M", "iops=2k"]);
    h.ok(&["floor", "a", "--group", "bob", "write_bps=1M"]);
    h.ok(&["write-weight", "a", "alice", "50"]);
    h.dm.record_io("a", GroupId::Id(1000), 30, 240, 10, 80);
    h.dm.record_cap_wait("a", GroupId::Id(1000), 3, 250_000, true);
    let dir = std::env::temp_dir().join(format!("ioband-exporter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ioband.prom");
    let p = path.to_string_lossy().to_string();
    h.ok(&["exporter", "--textfile", &p, "--once"]);
    let text = std::fs::read_to_string(&path).unwrap();
    // Nothing left beside it.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
    // The text format 0.0.4: counters' HELP and TYPE name their samples.
    assert!(
        text.contains("# TYPE ioband_group_reads_total counter\n"),
        "{text}"
    );
    assert!(
        text.contains("# HELP ioband_group_read_bytes_total "),
        "{text}"
    );
    assert!(
        text.contains("# TYPE ioband_group_share_ratio gauge\n"),
        "{text}"
    );
    assert!(!text.contains("# EOF"), "{text}");
    let alice = [
        "dm_name=\"a\"",
        "dm_device=\"",
        "device=\"8:1\"",
        "device_group=\"1\"",
        "type=\"user\"",
        "group=\"1000\"",
        "name=\"alice\"",
    ];
    let v = |family: &str, extra: &[&str]| {
        let mut l = alice.to_vec();
        l.extend_from_slice(extra);
        sample_of(&text, family, &l).unwrap_or_else(|| panic!("{family} in {text}"))
    };
    assert_eq!(v("ioband_group_reads_total", &[]), "30");
    assert_eq!(v("ioband_group_read_bytes_total", &[]), "122880");
    assert_eq!(v("ioband_group_writes_total", &[]), "10");
    assert_eq!(v("ioband_group_written_bytes_total", &[]), "40960");
    assert_eq!(v("ioband_group_weight", &[]), "100");
    assert_eq!(v("ioband_group_write_weight", &[]), "50");
    assert_eq!(v("ioband_group_share_ratio", &[]), "0.25");
    assert_eq!(
        v("ioband_group_cap_bytes_per_second", &["direction=\"read\""]),
        "209715200"
    );
    assert_eq!(v("ioband_group_cap_iops", &["direction=\"both\""]), "2000");
    assert_eq!(v("ioband_group_cap_waits_total", &[]), "3");
    assert_eq!(v("ioband_group_cap_wait_seconds_total", &[]), "0.25");
    assert_eq!(v("ioband_group_capped", &[]), "1");
    assert_eq!(
        sample_of(
            &text,
            "ioband_group_floor_bytes_per_second",
            &["group=\"2000\"", "name=\"bob\"", "direction=\"write\""]
        )
        .as_deref(),
        Some("1048576")
    );
    assert_eq!(
        sample_of(
            &text,
            "ioband_group_idle_class",
            &["dm_name=\"b\"", "group=\"default\""]
        )
        .as_deref(),
        Some("0")
    );
    assert!(text.contains("ioband_device_info{dm_name=\"a\""), "{text}");
}

#[test]
fn exporter_says_what_is_wrong_with_its_textfile_and_address() {
    let h = tenants();
    let e = h.fail(&[
        "exporter",
        "--textfile",
        "/nonexistent-ioband-dir/x.prom",
        "--once",
    ]);
    assert!(
        e.message
            .contains("exporter: --textfile /nonexistent-ioband-dir/x.prom: cannot write"),
        "{}",
        e.message
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let e = h.fail(&["exporter", "--listen", &addr]);
    assert!(
        e.message.contains(&format!("exporter: --listen {addr}: ")),
        "{}",
        e.message
    );
    assert!(hint(&e).contains("--listen"), "{}", hint(&e));
}

#[test]
fn exporter_serves_openmetrics_and_the_text_format() {
    use std::io::{Read, Write};
    let h = tenants();
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    let client = std::thread::spawn(move || {
        let get = |path: &str, accept: &str| {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            write!(s, "GET {path} HTTP/1.0\r\nAccept: {accept}\r\n\r\n").unwrap();
            let mut r = String::new();
            s.read_to_string(&mut r).unwrap();
            r
        };
        [
            get(
                "/metrics",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
            ),
            get("/metrics", "text/plain"),
            get("/elsewhere", "*/*"),
        ]
    });
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input: &[u8] = b"";
    let mut ctx = Ctx {
        dm: Ok(&h.dm),
        names: &h.names,
        sys: &h.sys,
        out: &mut out,
        err: &mut err,
        stdin: &mut input,
    };
    super::exporter::serve(&server, &[], Some(3), &mut ctx).unwrap();
    let [om, text, other] = client.join().unwrap();
    assert!(
        om.starts_with("HTTP/1.1 200") || om.starts_with("HTTP/1.0 200"),
        "{om}"
    );
    assert!(om.contains("application/openmetrics-text"), "{om}");
    assert!(om.contains("# TYPE ioband_group_reads counter"), "{om}");
    assert!(om.trim_end().ends_with("# EOF"), "{om}");
    assert!(text.contains("text/plain; version=0.0.4"), "{text}");
    assert!(
        text.contains("# TYPE ioband_group_reads_total counter"),
        "{text}"
    );
    assert!(other.contains(" 404 "), "{other}");
}
