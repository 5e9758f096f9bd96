//! `apply`, `show` and the plan, against the fake backend.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::commands::tests::{run_cli, Out};
use crate::dm::{DmBackend, DmError};
use crate::error::Result;
use crate::fake::FakeDm;
use crate::fake::FakeSystem;
use crate::fake::StaticNames;
use crate::plan;
use crate::profile;
use crate::target::Target;

static SEQ: AtomicUsize = AtomicUsize::new(0);

struct H {
    dm: FakeDm,
    names: StaticNames,
    sys: FakeSystem,
    dir: PathBuf,
}

impl Drop for H {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl H {
    fn new() -> Self {
        let mut names = StaticNames::fixture();
        names.cgroups.push((4343, "/sys/fs/cgroup/batch".into()));
        let devs = [
            ("/dev/mapper/sda1", 8, 1),
            ("/dev/mapper/sda2", 8, 2),
            ("/dev/mapper/sda3", 8, 3),
            ("/dev/mapper/vg0-lv0", 253, 10),
            ("/dev/mapper/vg0-lv1", 253, 11),
        ];
        let dir = std::env::temp_dir().join(format!(
            "ioband-apply-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        H {
            dm: FakeDm::new(),
            names,
            sys: FakeSystem {
                devices: devs.iter().map(|d| (d.0.to_string(), 262_144)).collect(),
                numbers: devs.iter().map(|d| (d.0.to_string(), d.1, d.2)).collect(),
                ..FakeSystem::default()
            },
            dir,
        }
    }

    /// A fixture after applying profile `yaml`, and its tables then.
    fn applied(yaml: &str) -> (Self, Vec<String>) {
        let h = H::new();
        let base = h.file("base.yaml", yaml);
        assert!(h.apply(&[], &base).0.is_ok());
        let before = h.tables();
        (h, before)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap_or_default();
        p.display().to_string()
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_with(&self.dm, args)
    }

    fn run_with(&self, dm: &dyn DmBackend, args: &[&str]) -> Out {
        let lock = self.dir.join("lock").display().to_string();
        let mut argv = vec!["ioband"];
        argv.extend_from_slice(args);
        if args.first() == Some(&"apply") {
            argv.extend(["--lock-file", &lock]);
        }
        run_cli(&argv[1..], dm, &self.names, &self.sys, "")
    }

    /// `apply --json`, returning the parsed report.
    fn apply(&self, extra: &[&str], file: &str) -> (Result<()>, serde_json::Value) {
        let mut args = vec!["apply", "--json"];
        args.extend_from_slice(extra);
        args.push(file);
        let o = self.run(&args);
        let v: serde_json::Value = serde_json::from_str(o.out.trim())
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {}\nstderr: {}", o.out, o.err));
        (o.res, v)
    }

    fn tables(&self) -> Vec<String> {
        let mut v = Vec::new();
        for d in self.dm.list_devices().unwrap_or_default() {
            for t in self.dm.table(&d.name).unwrap_or_default() {
                v.push(format!("{}: {t}", d.name));
            }
        }
        v
    }

    fn table(&self, name: &str) -> String {
        self.dm
            .table(name)
            .unwrap_or_default()
            .iter()
            .map(|t| t.params.clone())
            .collect()
    }
}

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../profiles")
        .join(name);
    p.display().to_string()
}

fn changed(v: &serde_json::Value) -> bool {
    v["changed"]
        .as_bool()
        .unwrap_or_else(|| panic!("no changed in {v}"))
}

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "{} {} {}",
                a["action"].as_str().unwrap_or(""),
                a["device"].as_str().unwrap_or(""),
                a["detail"].as_str().unwrap_or("")
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

#[test]
fn getting_started_applies_and_is_idempotent() {
    let h = H::new();
    let f = example("getting-started.yaml");
    let (r, v) = h.apply(&["--check"], &f);
    assert!(r.is_ok() && changed(&v), "{v}");
    assert!(h.tables().is_empty(), "--check changed something");
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{r:?} {v}");
    assert!(changed(&v));
    assert_eq!(
        kinds(&v),
        vec![
            "create ioband1 0 262144 ioband 8:1 1 4 128 user fair 2048 :40 1000:30 2000:20",
            "create ioband2 0 262144 ioband 8:2 1 0 0 none fair 0 :10",
        ]
    );
    assert_eq!(
        h.table("ioband1"),
        "8:1 1 4 128 user fair 2048 :40 1000:30 2000:20"
    );
    assert_eq!(h.table("ioband2"), "8:2 1 4 128 none fair 2048 :10");
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && !changed(&v), "{v}");
    assert!(kinds(&v).is_empty());
    let o = h.run(&["apply", &f]);
    assert!(o.res.is_ok());
    assert!(o.out.contains("no changes"), "{}", o.out);
}

#[test]
fn every_example_profile_applies_round_trips_and_is_idempotent() {
    for (f, _) in profile::tests::example_profiles() {
        let h = H::new();
        let (r, v) = h.apply(&[], &f);
        assert!(r.is_ok(), "{f}: {r:?} {v}");
        assert!(changed(&v), "{f}");
        let (r, v) = h.apply(&[], &f);
        assert!(r.is_ok() && !changed(&v), "{f}: second apply {v}");
        // show -> apply is a no-op.
        let o = h.run(&["show"]);
        assert!(o.res.is_ok(), "{f}");
        let shown = h.file("shown.yaml", &o.out);
        let before = h.tables();
        let (r, v) = h.apply(&["--prune"], &shown);
        assert!(
            r.is_ok() && !changed(&v),
            "{f}: show round trip {v}\n{}",
            o.out
        );
        assert_eq!(before, h.tables());
        // JSON export parses as a profile too.
        let o = h.run(&["show", "--json"]);
        let j = h.file("shown.json", &o.out);
        let (r, v) = h.apply(&["--prune"], &j);
        assert!(r.is_ok() && !changed(&v), "{f}: json round trip {v}");
    }
}

#[test]
fn plan_orders_limit_before_throttle_and_detach_before_type() {
    let h = H::new();
    let a = h.file(
        "a.yaml",
        "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1, type: user, groups: [{user: alice, weight: 5}]}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n",
    );
    assert!(h.apply(&[], &a).0.is_ok());
    // Raise: limit first.
    let b = h.file(
        "b.yaml",
        "device_groups:\n  - {id: 1, io_throttle: 200, io_limit: 400, token: 99, policy: weight-iosize}\ndevices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1, type: gid, groups: [{group: www-data}], weight: 7}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n  - {name: io3, device: /dev/mapper/sda3, device_group: 1, weight: 9}\n",
    );
    let (r, v) = h.apply(&[], &b);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        kinds(&v),
        vec![
            "create io3 0 262144 ioband 8:3 1 0 0 none fair 0 :9",
            "io_limit io1 io_limit 400",
            "io_throttle io1 io_throttle 200",
            "token io1 token 99",
            "policy io1 policy weight-iosize",
            "detach io1 detach 1000",
            "type io1 type gid",
            "attach io1 attach 33",
            "weight io1 weight 7",
        ]
    );
    assert_eq!(
        h.table("io3"),
        "8:3 1 200 400 none weight-iosize 99 :9",
        "new member shares the group's values"
    );
    // Lower: throttle first.
    let c = h.file(
        "c.yaml",
        "device_groups:\n  - {id: 1, io_throttle: 2, io_limit: 50}\ndevices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1}\n",
    );
    let (r, v) = h.apply(&[], &c);
    assert!(r.is_ok(), "{r:?} {v}");
    let k = kinds(&v);
    assert_eq!(k[0], "io_throttle io1 io_throttle 2", "{k:?}");
    assert_eq!(k[1], "io_limit io1 io_limit 50", "{k:?}");
    // io2 and io3 were left alone (no --prune).
    assert!(h.dm.table("io2").is_ok() && h.dm.table("io3").is_ok());
    // --prune removes them.
    let (r, v) = h.apply(&["--prune"], &c);
    assert!(r.is_ok(), "{v}");
    assert_eq!(kinds(&v), vec!["remove io2", "remove io3"]);
    assert_eq!(h.tables().len(), 1);
}

/// The fake, refusing to create one device name (as the kernel does when
/// the underlying device is claimed meanwhile).
struct Refusing<'a> {
    inner: &'a FakeDm,
    refuse: &'a str,
}

impl DmBackend for Refusing<'_> {
    fn list_devices(&self) -> std::result::Result<Vec<crate::dm::DevEntry>, DmError> {
        self.inner.list_devices()
    }
    fn create(
        &self,
        name: &str,
        uuid: Option<&str>,
        table: &[Target],
    ) -> std::result::Result<crate::dm::DevInfo, DmError> {
        if name == self.refuse {
            return Err(DmError::errno(
                "load table",
                Some(name),
                crate::dm::errno::EBUSY,
            ));
        }
        self.inner.create(name, uuid, table)
    }
    fn load(
        &self,
        name: &str,
        table: &[Target],
    ) -> std::result::Result<crate::dm::DevInfo, DmError> {
        self.inner.load(name, table)
    }
    fn suspend(
        &self,
        name: &str,
        noflush: bool,
    ) -> std::result::Result<crate::dm::DevInfo, DmError> {
        self.inner.suspend(name, noflush)
    }
    fn resume(&self, name: &str) -> std::result::Result<crate::dm::DevInfo, DmError> {
        self.inner.resume(name)
    }
    fn remove(
        &self,
        name: &str,
        opts: crate::dm::RemoveOptions,
    ) -> std::result::Result<bool, DmError> {
        self.inner.remove(name, opts)
    }
    fn message(
        &self,
        name: &str,
        sector: u64,
        text: &str,
    ) -> std::result::Result<Option<String>, DmError> {
        self.inner.message(name, sector, text)
    }
    fn table(&self, name: &str) -> std::result::Result<Vec<Target>, DmError> {
        self.inner.table(name)
    }
    fn status(&self, name: &str) -> std::result::Result<Vec<Target>, DmError> {
        self.inner.status(name)
    }
    fn target_versions(&self) -> std::result::Result<Vec<crate::dm::TargetVersion>, DmError> {
        self.inner.target_versions()
    }
    fn info(&self, name: &str) -> std::result::Result<crate::dm::DevInfo, DmError> {
        self.inner.info(name)
    }
    fn driver_version(&self) -> std::result::Result<(u32, u32, u32), DmError> {
        self.inner.driver_version()
    }
}

#[test]
fn failure_at_the_third_device_is_undone() {
    let (h, before) = H::applied(
        "devices:\n  - {name: io0, device: vg0/lv0, device_group: 1, weight: 50, type: user, groups: [{id: 1000}]}\n",
    );
    // "control" is a reserved name: rejected while parsing, nothing happens.
    let bad = h.file(
        "bad.yaml",
        "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n  - {name: control, device: /dev/mapper/sda3, device_group: 1}\n",
    );
    let (r, v) = h.apply(&[], &bad);
    assert!(r.is_err() && !changed(&v), "{v}");
    assert_eq!(before, h.tables());
    // The kernel refuses the third device: the first two are removed again.
    let bad = h.file(
        "bad2.yaml",
        "device_groups:\n  - {id: 1, io_limit: 300}\ndevices:\n  - {name: io0, device: vg0/lv0, device_group: 1, weight: 60, type: pid, groups: [{id: 77, weight: 3}]}\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1, weight: 10}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n  - {name: io3, device: /dev/mapper/sda3, device_group: 1}\n",
    );
    let dm = Refusing {
        inner: &h.dm,
        refuse: "io3",
    };
    let o = h.run_with(&dm, &["apply", "--json", &bad]);
    assert!(o.res.is_err());
    let v: serde_json::Value = serde_json::from_str(o.out.trim()).unwrap_or_default();
    assert!(!changed(&v), "{v}");
    let st: Vec<String> = v["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "{} {}",
                a["device"].as_str().unwrap_or(""),
                a["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(&st[..3], &["io1 undone", "io2 undone", "io3 failed"], "{v}");
    assert!(st[3..].iter().all(|s| s.ends_with("skipped")), "{v}");
    assert_eq!(before, h.tables(), "{v}");
    assert!(v["errors"].to_string().contains("io3"), "{v}");
    assert!(o.err.contains("undo: create io2"), "{}", o.err);
    // Text mode says so too.
    let o = h.run_with(&dm, &["apply", &bad]);
    assert!(
        o.out.contains("every change of this run was undone"),
        "{}",
        o.out
    );
    assert_eq!(before, h.tables());
}

#[test]
fn failure_part_way_through_messages_is_undone() {
    let (h, before) = H::applied(
        "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1, weight: 50, type: user, groups: [{id: 1000, weight: 9}, {id: 2000}]}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n",
    );
    // Plan against the current state, then let the kernel refuse the
    // third action: a sabotaged plan whose 3rd step is invalid.
    let want = "device_groups:\n  - {id: 1, io_limit: 300, io_throttle: 10}\ndevices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1, weight: 60, type: pid, groups: [{id: 77, weight: 3}]}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1, weight: 5}\n";
    let p = profile::parse("w", want).unwrap_or_default();
    let actual = plan::read_actual(&h.dm).unwrap_or_default();
    let d = plan::resolve(&p, &actual, &h.names, &h.sys).unwrap_or_default();
    let mut actions = plan::plan(&d, &actual, false);
    assert!(actions.len() > 5, "{actions:?}");
    actions.insert(
        2,
        plan::Action {
            device: "io2".into(),
            op: plan::Op::Message(crate::target::Message::Detach(4242)),
            undo: plan::Undo::Messages(vec![]),
        },
    );
    let o = plan::execute(&h.dm, &actions, &mut |_| {});
    assert!(!o.changed && !o.errors.is_empty(), "{o:?}");
    assert_eq!(o.actions[0].status, "undone");
    assert_eq!(o.actions[2].status, "failed");
    assert_eq!(o.actions[3].status, "skipped");
    assert_eq!(before, h.tables());
    // And the real plan, run whole, verifies.
    let f = h.file("w.yaml", want);
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && changed(&v), "{v}");
    assert_eq!(h.table("io1"), "8:1 1 10 300 pid fair 2048 :60 77:3");
}

#[test]
fn validation_reports_everything_and_changes_nothing() {
    let h = H::new();
    let f = h.file(
        "v.yaml",
        "devices:\n  - {name: a, device: /dev/nope, device_group: 1}\n  - {name: b, device: /dev/mapper/sda1, device_group: 1, type: user, groups: [{user: nobody-here}]}\n  - {name: c, device: /dev/mapper/sda1, device_group: 1}\n  - {name: d, device: /dev/mapper/sda1, device_group: 1}\n",
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_err());
    let errs = v["errors"].to_string();
    assert!(errs.contains("/dev/nope"), "{errs}");
    assert!(errs.contains("nobody-here"), "{errs}");
    assert!(errs.contains("both use 8:1"), "{errs}");
    assert!(h.tables().is_empty());
    // A YAML error names file, line and column.
    let f = h.file("y.yaml", "devices:\n  - name: a\n    weight: -3\n");
    let o = h.run(&["apply", &f]);
    let e = o.res.err().map(|e| e.message).unwrap_or_default();
    assert!(e.contains("y.yaml:3:"), "{e}");
    // A non-ioband device of the same name is not touched.
    let t: Vec<crate::target::Target> =
        vec!["0 8 linear 8:1 0".parse().unwrap_or_else(|_| panic!())];
    assert!(h.dm.create("lin", None, &t).is_ok());
    let f = h.file(
        "z.yaml",
        "devices:\n  - {name: lin, device: /dev/mapper/sda2, device_group: 1}\n",
    );
    let (r, v) = h.apply(&["--prune"], &f);
    assert!(
        r.is_err() && v["errors"].to_string().contains("not an ioband"),
        "{v}"
    );
}

#[test]
fn absent_reload_and_exit_codes() {
    let h = H::new();
    let f = example("example1-partitions.yaml");
    assert!(h.apply(&[], &f).0.is_ok());
    // Move ioband2 to another device: reload, keeping its name.
    let g = h.file(
        "g.yaml",
        "devices:\n  - {name: ioband1, state: absent}\n  - {name: ioband2, device: vg0/lv1, device_group: 1, weight: 40}\n",
    );
    let o = h.run(&["apply", "--exit-code-changed", "3", &g]);
    assert_eq!(o.res.as_ref().err().map(|e| e.code), Some(3), "{}", o.err);
    assert!(
        o.out.contains("remove ioband1") && o.out.contains("reload ioband2"),
        "{}",
        o.out
    );
    assert_eq!(h.table("ioband2"), "253:11 1 4 128 none fair 2048 :40");
    assert!(h.dm.table("ioband1").is_err());
    let o = h.run(&["apply", "--exit-code-changed", "3", &g]);
    assert!(o.res.is_ok(), "unchanged exits 0");
    let o = h.run(&["apply", "--check", "--exit-code-changed", "3", &f]);
    assert_eq!(o.res.as_ref().err().map(|e| e.code), Some(3));
    assert!(o.out.contains("would create ioband1"), "{}", o.out);
}

#[test]
fn lock_refuses_a_second_apply() {
    use nix::fcntl::{Flock, FlockArg};
    let h = H::new();
    let lock = h.dir.join("lock");
    let file = std::fs::File::create(&lock).unwrap_or_else(|e| panic!("{e}"));
    let held = Flock::lock(file, FlockArg::LockExclusiveNonblock)
        .map_err(|_| ())
        .unwrap_or_else(|_| panic!());
    let f = example("example1-partitions.yaml");
    let (r, v) = h.apply(&["--lock-timeout", "0.3"], &f);
    assert!(r.is_err(), "{v}");
    assert!(
        v["errors"].to_string().contains("another `ioband apply`"),
        "{v}"
    );
    assert!(h.tables().is_empty());
    drop(held);
    assert!(h.apply(&[], &f).0.is_ok());
}

#[test]
fn schema_prints_json() {
    let h = H::new();
    let o = h.run(&["schema"]);
    let v: serde_json::Value = serde_json::from_str(&o.out).unwrap_or_default();
    assert_eq!(v["title"], "ioband profile");
}

#[test]
fn an_interrupted_apply_undoes_what_it_did() {
    let h = H::new();
    let text = "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1}\n  - {name: io2, device: /dev/mapper/sda2, device_group: 1}\n  - {name: io3, device: /dev/mapper/sda3, device_group: 1}\n";
    let p = profile::parse("e", text).unwrap_or_default();
    let actual = plan::read_actual(&h.dm).unwrap_or_default();
    let d = plan::resolve(&p, &actual, &h.names, &h.sys).unwrap_or_default();
    let actions = plan::plan(&d, &actual, false);
    assert!(actions.len() >= 3, "{actions:?}");
    // A signal arrives while the second action runs: the third never starts.
    let asked = std::cell::Cell::new(0);
    let stop = || {
        asked.set(asked.get() + 1);
        (asked.get() > 2).then(|| "interrupted by SIGTERM".to_string())
    };
    let o = plan::execute_until(&h.dm, &actions, &mut |_| {}, &stop);
    assert!(!o.changed, "{o:?}");
    assert!(
        o.errors[0].starts_with("interrupted by SIGTERM before `"),
        "{o:?}"
    );
    assert_eq!(o.actions[0].status, "undone");
    assert_eq!(o.actions[1].status, "undone");
    assert!(
        o.actions[2..].iter().all(|a| a.status == "skipped"),
        "{o:?}"
    );
    assert!(h.tables().is_empty(), "{:?}", h.tables());
    // Interrupted before anything: nothing to undo.
    let o = plan::execute_until(&h.dm, &actions, &mut |_| {}, &|| {
        Some("interrupted by SIGINT".into())
    });
    assert!(!o.changed && o.actions.iter().all(|a| a.status == "skipped"));
}

#[test]
fn signals_are_noted_while_an_apply_runs() {
    use nix::sys::signal::{raise, Signal};
    let g = super::Interrupts::catch();
    assert_eq!(super::Interrupts::caught(), None);
    // Not fatal while caught: the handler notes it.
    assert!(raise(Signal::SIGHUP).is_ok());
    assert_eq!(
        super::Interrupts::caught().as_deref(),
        Some("interrupted by SIGHUP")
    );
    drop(g);
    // The next apply starts afresh.
    let g = super::Interrupts::catch();
    assert_eq!(super::Interrupts::caught(), None);
    drop(g);
}

#[test]
fn apply_without_the_module_says_so() {
    let h = H::new();
    h.dm.set_ioband_loaded(false);
    let f = example("example1-partitions.yaml");
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_err(), "{v}");
    assert!(
        v["errors"].to_string().contains("modprobe dm-ioband"),
        "{v}"
    );
    assert!(h.tables().is_empty());
}

#[test]
fn units_and_slices_by_name() {
    let h = H::new();
    let f = h.file(
        "u.yaml",
        "devices:\n  - name: io1\n    device: /dev/mapper/sda1\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: system.slice\n        weight: 300\n      - unit: postgresql.service\n        weight: 200\n      - cgroup: db\n",
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        h.table("io1"),
        "8:1 1 4 128 cgroup fair 2048 :100 100:300 110:200 4242:100"
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // The same cgroup twice, once by unit and once by path.
    let g = h.file(
        "dup.yaml",
        "devices:\n  - name: io1\n    device: /dev/mapper/sda1\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: system.slice\n      - cgroup: /sys/fs/cgroup/system.slice\n",
    );
    let (r, v) = h.apply(&[], &g);
    assert!(r.is_err(), "{v}");
    assert!(
        v["errors"].to_string().contains("is id 100, listed twice"),
        "{v}"
    );
}

#[test]
fn a_unit_not_running_fails_naming_device_field_and_unit_and_changes_nothing() {
    let (h, before) =
        H::applied(&std::fs::read_to_string(example("getting-started.yaml")).unwrap_or_default());
    let log = h.dm.log().len();
    // io3 alone would apply; io4 names a service that has not started.
    let f = h.file(
        "late.yaml",
        "devices:\n  - name: ioband1\n    state: absent\n  - name: io3\n    device: /dev/mapper/sda3\n    device_group: 2\n    type: cgroup\n    groups:\n      - slice: machine.slice\n  - name: io4\n    device: vg0/lv0\n    device_group: 2\n    type: cgroup\n    groups:\n      - slice: system.slice\n      - unit: nginx.service\n        weight: 300\n      - slice: system-nginx.slice\n",
    );
    for check in [false, true] {
        let args: &[&str] = if check { &["--check"] } else { &[] };
        let (r, v) = h.apply(args, &f);
        let e = r.err().map(|e| e.message).unwrap_or_default();
        assert!(
            e.starts_with("device io4: group `unit: nginx.service`: no cgroup named nginx.service"),
            "{e}"
        );
        assert!(e.contains("not running"), "{e}");
        assert!(!changed(&v), "{v}");
        assert!(kinds(&v).is_empty(), "{v}");
        let errs = v["errors"].to_string();
        assert!(
            errs.contains(
                "device io4: group `slice: system-nginx.slice`: system-nginx.slice has no cgroup: \
                 /sys/fs/cgroup/system.slice/system-nginx.slice does not exist"
            ),
            "{errs}"
        );
    }
    // Nothing was done: not even the removal or the device that resolved.
    assert_eq!(h.tables(), before);
    assert_eq!(h.dm.log().len(), log, "{:?}", h.dm.log());
    // Without --json the error reaches standard error through main.
    let o = h.run(&["apply", &f]);
    let e = o.res.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.contains("io4") && e.contains("unit: nginx.service"),
        "{e}"
    );
    assert!(o.out.contains("nothing changed"), "{}", o.out);
}

#[test]
fn an_ambiguous_unit_fails_naming_every_cgroup() {
    let h = H::new();
    let root = h.dir.join("cgroup");
    for d in [
        "system.slice/backup.service",
        "user.slice/user-1000.slice/user@1000.service/app.slice/backup.service",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap_or_default();
    }
    let names = crate::ids::SystemNames::with_cgroup_root(&root);
    let f = h.file(
        "amb.yaml",
        "devices:\n  - name: io1\n    device: /dev/mapper/sda1\n    device_group: 1\n    type: cgroup\n    groups:\n      - unit: backup.service\n",
    );
    let lock = h.dir.join("lock").display().to_string();
    let o = run_cli(
        &["apply", "--lock-file", &lock, &f],
        &h.dm,
        &names,
        &h.sys,
        "",
    );
    let e = o.res.err().map(|e| e.message).unwrap_or_default();
    assert!(
        e.starts_with("device io1: group `unit: backup.service`: backup.service names 2 cgroups"),
        "{e}"
    );
    for d in [
        "system.slice/backup.service",
        "user.slice/user-1000.slice/user@1000.service/app.slice/backup.service",
    ] {
        assert!(e.contains(&root.join(d).display().to_string()), "{e}");
    }
    assert!(h.tables().is_empty());
    // The slice resolves in the same tree, and so does the system's unit
    // by its path.
    let g = h.file(
        "ok.yaml",
        "devices:\n  - name: io1\n    device: /dev/mapper/sda1\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: user-1000.slice\n      - cgroup: system.slice/backup.service\n",
    );
    let o = run_cli(
        &["apply", "--lock-file", &lock, &g],
        &h.dm,
        &names,
        &h.sys,
        "",
    );
    assert!(o.res.is_ok(), "{:?}", o.res);
    use std::os::unix::fs::MetadataExt;
    let ino = |d: &str| {
        std::fs::metadata(root.join(d))
            .map(|m| m.ino())
            .unwrap_or_default()
    };
    assert_eq!(
        h.table("io1"),
        format!(
            "8:1 1 4 128 cgroup fair 2048 :100 {}:100 {}:100",
            ino("user.slice/user-1000.slice"),
            ino("system.slice/backup.service")
        )
    );
}

#[test]
fn io_limit_auto_128_and_omitted_are_one_setting() {
    // A device group whose kernel io_limit is 128 (auto): a profile that
    // says auto, says 128 or says nothing changes nothing.
    let dev = "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1}\n";
    let (h, before) = H::applied(dev);
    assert_eq!(h.table("io1"), "8:1 1 4 128");
    for limit in [
        "",
        "  - {id: 1, io_limit: auto}\n",
        "  - {id: 1, io_limit: 128}\n",
    ] {
        let groups = if limit.is_empty() {
            String::new()
        } else {
            format!("device_groups:\n{limit}")
        };
        let f = h.file("p.yaml", &format!("{groups}{dev}"));
        let (r, v) = h.apply(&[], &f);
        assert!(r.is_ok() && !changed(&v), "{limit:?}: {v}");
    }
    assert_eq!(h.tables(), before);
    // A pinned number is a change, and auto goes back to 128.
    let pinned = h.file(
        "pinned.yaml",
        &format!("device_groups:\n  - {{id: 1, io_limit: 64}}\n{dev}"),
    );
    let (r, v) = h.apply(&[], &pinned);
    assert!(r.is_ok(), "{v}");
    assert_eq!(kinds(&v), vec!["io_limit io1 io_limit 64"]);
    assert_eq!(h.table("io1"), "8:1 1 4 64");
    // `show` writes the pinned number, and leaves auto out.
    let shown = h.run(&["show"]).out;
    assert!(shown.contains("io_limit: 64"), "{shown}");
    let auto = h.file(
        "auto.yaml",
        &format!("device_groups:\n  - {{id: 1, io_limit: auto}}\n{dev}"),
    );
    let (r, v) = h.apply(&[], &auto);
    assert!(r.is_ok(), "{v}");
    assert_eq!(kinds(&v), vec!["io_limit io1 io_limit 128"]);
    assert_eq!(h.tables(), before);
    let shown = h.run(&["show"]).out;
    assert!(
        !shown.contains("io_limit") && !shown.contains("device_groups"),
        "{shown}"
    );
}

#[test]
fn an_omitted_policy_means_fair() {
    // A device group left at the 2008 weight policy: a profile that does
    // not name a policy moves it to fair; `default` names weight.
    let h = H::new();
    h.dm.create(
        "io1",
        None,
        &["0 262144 ioband 8:1 1 4 128 none weight 2048 :100"
            .parse()
            .unwrap()],
    )
    .unwrap();
    let dev = "devices:\n  - {name: io1, device: /dev/mapper/sda1, device_group: 1}\n";
    let keep = h.file(
        "keep.yaml",
        &format!("device_groups:\n  - {{id: 1, policy: default}}\n{dev}"),
    );
    let (r, v) = h.apply(&[], &keep);
    assert!(r.is_ok() && !changed(&v), "{v}");
    let shown = h.run(&["show"]).out;
    assert!(shown.contains("policy: weight"), "{shown}");
    let f = h.file("p.yaml", dev);
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{v}");
    assert_eq!(kinds(&v), vec!["policy io1 policy fair"]);
    assert_eq!(h.table("io1"), "8:1 1 4 128");
}

const TENANTS: &str = "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 \
     limit -1:write_bps=52428800 limit 1000:bps=209715200,iops=2000";

/// tenant-caps.yaml's device, on /dev/mapper/sda1.
fn tenants_yaml(alice: &str, bob: &str, default: &str) -> String {
    format!(
        "devices:\n  - name: tenants\n    device: /dev/mapper/sda1\n    device_group: 1\n    \
         type: user\n{default}    groups:\n      - user: alice\n        weight: 200\n{alice}      \
         - user: bob\n        weight: 200\n{bob}"
    )
}

#[test]
fn caps_go_in_the_table_of_a_new_device_and_change_by_message() {
    let h = H::new();
    let f = h.file(
        "t.yaml",
        &tenants_yaml(
            "        limit: {bps: 200M, iops: 2k}\n",
            "",
            "    limit:\n      write_bps: 50M\n",
        ),
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        kinds(&v),
        vec![format!("create tenants 0 262144 ioband {TENANTS}")]
    );
    assert_eq!(h.table("tenants"), TENANTS);
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // Only what differs is sent, each as a replace; a removed limit is none.
    let g = h.file(
        "g.yaml",
        &tenants_yaml(
            "        limit: {bps: 200M, iops: 2k}\n",
            "        limit:\n          read_iops: 500\n          write_bps: max\n",
            "",
        ),
    );
    let (r, v) = h.apply(&[], &g);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        kinds(&v),
        vec![
            "limit tenants limit 2000:read_bps=max,write_bps=max,bps=max,read_iops=500,\
             write_iops=max,iops=max",
            "limit tenants limit none",
        ]
    );
    assert_eq!(
        h.table("tenants"),
        "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 \
         limit 1000:bps=209715200,iops=2000 limit 2000:read_iops=500"
    );
    // show writes them back with units, and applying that changes nothing.
    let o = h.run(&["show"]);
    assert!(
        o.out.contains("bps: 200M") && o.out.contains("iops: 2k"),
        "{}",
        o.out
    );
    let shown = h.file("shown.yaml", &o.out);
    let (r, v) = h.apply(&[], &shown);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // A detached group's caps come back with it when a failure undoes it
    // (re-attached last: compare each group's weight and caps).
    let config = || {
        let p: crate::target::TableParams =
            h.table("tenants").parse().unwrap_or_else(|e| panic!("{e}"));
        let c = crate::target::Config::from(&p);
        let mut v: Vec<(u64, u32, String)> = c
            .groups
            .iter()
            .map(|g| {
                (
                    g.id,
                    g.weight,
                    c.caps_of(crate::target::GroupId::Id(g.id)).to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = config();
    let p = profile::parse(
        "w",
        &tenants_yaml("", "", "").replace("      - user: alice\n        weight: 200\n", ""),
    )
    .unwrap_or_default();
    let actual = plan::read_actual(&h.dm).unwrap_or_default();
    let d = plan::resolve(&p, &actual, &h.names, &h.sys).unwrap_or_default();
    let mut actions = plan::plan(&d, &actual, false);
    assert_eq!(actions[0].to_string(), "message tenants 0 detach 1000");
    actions.push(plan::Action {
        device: "tenants".into(),
        op: plan::Op::Message(crate::target::Message::Detach(4242)),
        undo: plan::Undo::Messages(vec![]),
    });
    let o = plan::execute(&h.dm, &actions, &mut |_| {});
    assert!(!o.changed && !o.errors.is_empty(), "{o:?}");
    assert_eq!(before, config());
    assert_eq!(
        before[0],
        (1000, 200, "bps=209715200,iops=2000".to_string())
    );
}

#[test]
fn a_bad_cap_fails_naming_device_group_and_field_and_changes_nothing() {
    let (h, before) = H::applied(&tenants_yaml("", "", ""));
    let log = h.dm.log().len();
    // (limit lines for alice, for the device, what the error says)
    for (alice, default, says) in [
        (
            "        limit: {read_bps: 0}\n",
            "",
            "device tenants: group `user: alice`: limit: read_bps: \"0\" must be 1 to \
             1125899906842624 or max",
        ),
        (
            "        limit: {iops: 2Ki}\n",
            "",
            "device tenants: group `user: alice`: limit: iops: \"2Ki\" is not a rate",
        ),
        (
            "",
            "    limit: {write_bps: 200MB}\n",
            "device tenants: limit: write_bps: \"200MB\" is not a rate",
        ),
        (
            "",
            "    limit: {write_bps: -5}\n",
            "device tenants: limit: write_bps: \"-5\" is not a rate",
        ),
        (
            "        limit: {red_bps: 1}\n",
            "",
            "unknown field `red_bps`",
        ),
        (
            "        limit: {bps: [1]}\n",
            "",
            "a rate: a number, or text",
        ),
    ] {
        let f = h.file("bad.yaml", &tenants_yaml(alice, "", default));
        let o = h.run(&["apply", &f]);
        let e = o.res.err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains(says), "{alice}{default}: {e}");
        assert!(e.contains("bad.yaml:"), "{e}");
    }
    assert_eq!(h.tables(), before);
    assert_eq!(h.dm.log().len(), log, "{:?}", h.dm.log());
}

/// Replace-all text of `key` at `v` (every other key `max`), as the plan
/// sends caps and floors.
fn all_keys(key: &str, v: u64) -> String {
    crate::target::CapKey::ALL
        .iter()
        .map(|k| match k.as_str() {
            x if x == key => format!("{x}={v}"),
            x => format!("{x}=max"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn floors_and_classes_go_in_the_table_of_a_new_device_and_change_by_message() {
    let h = H::new();
    let f = h.file(
        "t.yaml",
        &tenants_yaml(
            "        limit: {bps: 200M}\n        floor: {bps: 50M}\n",
            "        class: idle\n",
            "    floor:\n      read_iops: 100\n",
        ),
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{r:?} {v}");
    let table = "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 floor -1:read_iops=100 \
                 limit 1000:bps=209715200 floor 1000:bps=52428800 class 2000:idle";
    assert_eq!(
        kinds(&v),
        vec![format!("create tenants 0 262144 ioband {table}")]
    );
    assert_eq!(h.table("tenants"), table);
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // Each step is one the module takes: alice's floor goes down before
    // her cap, bob leaves the idle class before he gets a floor, the
    // default group loses its floor before it turns idle.
    let g = h.file(
        "g.yaml",
        &tenants_yaml(
            "        limit: {bps: 40M}\n        floor: {bps: 30M}\n",
            "        floor: {bps: 10M}\n",
            "    class: idle\n",
        ),
    );
    let (r, v) = h.apply(&[], &g);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        kinds(&v),
        vec![
            format!("floor tenants floor 1000:{}", all_keys("bps", 31_457_280)),
            format!("limit tenants limit 1000:{}", all_keys("bps", 41_943_040)),
            "class tenants class 2000:normal".to_string(),
            format!("floor tenants floor 2000:{}", all_keys("bps", 10_485_760)),
            "floor tenants floor none".to_string(),
            "class tenants class idle".to_string(),
        ]
    );
    assert_eq!(
        h.table("tenants"),
        "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 class -1:idle \
         limit 1000:bps=41943040 floor 1000:bps=31457280 floor 2000:bps=10485760"
    );
    // show writes them back, and applying that changes nothing.
    let o = h.run(&["show"]);
    for says in ["class: idle", "floor:", "bps: 30M", "bps: 10M"] {
        assert!(o.out.contains(says), "{says}: {}", o.out);
    }
    let shown = h.file("shown.yaml", &o.out);
    let (r, v) = h.apply(&[], &shown);
    assert!(r.is_ok() && !changed(&v), "{v}");
}

#[test]
fn a_failed_apply_gives_detached_groups_back_their_floors_and_class() {
    let (h, _) = H::applied(&tenants_yaml(
        "        limit: {iops: 2k}\n        floor: {iops: 500, bps: 5M}\n",
        "        class: idle\n",
        "",
    ));
    let config = || {
        let p: crate::target::TableParams =
            h.table("tenants").parse().unwrap_or_else(|e| panic!("{e}"));
        let c = crate::target::Config::from(&p);
        let mut v: Vec<String> = c.limits.iter().map(|l| l.to_string()).collect();
        v.sort();
        v
    };
    let before = config();
    assert_eq!(
        before,
        vec![
            "class 2000:idle",
            "limit 1000:iops=2000 floor 1000:bps=5242880,iops=500"
        ]
    );
    // alice goes, 3000 comes, bob leaves the idle class: then a failure.
    let p = profile::parse(
        "w",
        &tenants_yaml("", "", "").replace("  - user: alice\n", "  - id: 3000\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let actual = plan::read_actual(&h.dm).unwrap_or_default();
    let d = plan::resolve(&p, &actual, &h.names, &h.sys).unwrap_or_else(|e| panic!("{e:?}"));
    let mut actions = plan::plan(&d, &actual, false);
    assert_eq!(actions[0].to_string(), "message tenants 0 detach 1000");
    actions.push(plan::Action {
        device: "tenants".into(),
        op: plan::Op::Message(crate::target::Message::Detach(4242)),
        undo: plan::Undo::Messages(vec![]),
    });
    let o = plan::execute(&h.dm, &actions, &mut |_| {});
    assert!(!o.changed && !o.errors.is_empty(), "{o:?}");
    assert_eq!(before, config());
}

#[test]
fn a_floor_above_its_cap_or_on_an_idle_group_fails_naming_it_and_changes_nothing() {
    let (h, before) = H::applied(&tenants_yaml("", "", ""));
    let log = h.dm.log().len();
    // (lines for alice, for the device, what the error says)
    for (alice, default, says) in [
        (
            "        limit: {write_bps: 100M}\n        floor: {write_bps: 200M}\n",
            "",
            "device tenants: group `user: alice`: floor: write_bps: 200M is above the cap \
             (100M); a floor must be at most its cap",
        ),
        (
            "",
            "    limit: {iops: 1k}\n    floor: {iops: 2k}\n",
            "device tenants: floor: iops: 2k is above the cap (1k)",
        ),
        (
            "        class: idle\n        floor: {read_bps: 1M}\n",
            "",
            "device tenants: group `user: alice`: class: idle: a group of the idle class \
             cannot have a floor",
        ),
        (
            "        floor: {read_iops: 0}\n",
            "",
            "device tenants: group `user: alice`: floor: read_iops: \"0\" must be 1 to",
        ),
        ("        class: lazy\n", "", "unknown variant `lazy`"),
    ] {
        let f = h.file("bad.yaml", &tenants_yaml(alice, "", default));
        let o = h.run(&["apply", &f]);
        let e = o.res.err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains(says), "{alice}{default}: {e}");
        assert!(e.contains("bad.yaml:"), "{e}");
    }
    assert_eq!(h.tables(), before);
    assert_eq!(h.dm.log().len(), log, "{:?}", h.dm.log());
}

#[test]
fn write_weights_go_in_the_table_of_a_new_device_and_change_by_message() {
    let h = H::new();
    let f = h.file(
        "t.yaml",
        &tenants_yaml(
            "        write_weight: 100\n        class: idle\n",
            "",
            "    write_weight: 50\n",
        ),
    );
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok(), "{r:?} {v}");
    let table = "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 write_weight -1:50 \
                 class 1000:idle write_weight 1000:100";
    assert_eq!(
        kinds(&v),
        vec![format!("create tenants 0 262144 ioband {table}")]
    );
    assert_eq!(h.table("tenants"), table);
    let (r, v) = h.apply(&[], &f);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // Only what differs is sent; one left out is `same`.
    let g = h.file(
        "g.yaml",
        &tenants_yaml(
            "        write_weight: 25\n        class: idle\n",
            "        write_weight: 400\n",
            "",
        ),
    );
    let (r, v) = h.apply(&[], &g);
    assert!(r.is_ok(), "{r:?} {v}");
    assert_eq!(
        kinds(&v),
        vec![
            "write_weight tenants write_weight 1000:25",
            "write_weight tenants write_weight 2000:400",
            "write_weight tenants write_weight same",
        ]
    );
    assert_eq!(
        h.table("tenants"),
        "8:1 1 4 128 user fair 2048 :100 1000:200 2000:200 class 1000:idle \
         write_weight 1000:25 write_weight 2000:400"
    );
    // show writes them back, and applying that changes nothing.
    let o = h.run(&["show"]);
    assert!(
        o.out.contains("write_weight: 25") && o.out.contains("write_weight: 400"),
        "{}",
        o.out
    );
    let shown = h.file("shown.yaml", &o.out);
    let (r, v) = h.apply(&[], &shown);
    assert!(r.is_ok() && !changed(&v), "{v}");
    // A failed apply gives a detached group back its write weight.
    let before = h.table("tenants");
    let p = profile::parse(
        "w",
        &tenants_yaml("", "", "").replace("  - user: alice\n", "  - id: 3000\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let actual = plan::read_actual(&h.dm).unwrap_or_default();
    let d = plan::resolve(&p, &actual, &h.names, &h.sys).unwrap_or_else(|e| panic!("{e:?}"));
    let mut actions = plan::plan(&d, &actual, false);
    assert_eq!(actions[0].to_string(), "message tenants 0 detach 1000");
    assert!(
        actions
            .iter()
            .any(|a| a.to_string() == "message tenants 0 write_weight 2000:same"),
        "{actions:?}"
    );
    actions.push(plan::Action {
        device: "tenants".into(),
        op: plan::Op::Message(crate::target::Message::Detach(4242)),
        undo: plan::Undo::Messages(vec![]),
    });
    let o = plan::execute(&h.dm, &actions, &mut |_| {});
    assert!(!o.changed && !o.errors.is_empty(), "{o:?}");
    // alice is attached again last: compare what each group has.
    let config = |t: &str| {
        let p: crate::target::TableParams = t.parse().unwrap_or_else(|e| panic!("{e}"));
        let c = crate::target::Config::from(&p);
        let mut v: Vec<String> = c.limits.iter().map(|l| l.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(config(&h.table("tenants")), config(&before));
}

#[test]
fn a_bad_write_weight_fails_naming_device_group_and_field_and_changes_nothing() {
    let (h, before) = H::applied(&tenants_yaml("", "", ""));
    let log = h.dm.log().len();
    // (lines for alice, for the device, what the error says)
    for (alice, default, says) in [
        (
            "        write_weight: 0\n",
            "",
            "device tenants: group `user: alice`: write_weight: \"0\" must be an integer \
             from 1 to 1000000 (leave it out for writes that weigh as reads)",
        ),
        (
            "        write_weight: 1000001\n",
            "",
            "device tenants: group `user: alice`: write_weight: \"1000001\" must be",
        ),
        (
            "        write_weight: same\n",
            "",
            "device tenants: group `user: alice`: write_weight: \"same\" must be",
        ),
        (
            "",
            "    write_weight: -5\n",
            "device tenants: write_weight: \"-5\" must be an integer",
        ),
        (
            "",
            "    write_weight: 1.5\n",
            "device tenants: write_weight: \"1.5\" must be",
        ),
        (
            "        write_weight: [1]\n",
            "",
            "a weight: an integer from 1 to 1000000",
        ),
    ] {
        let f = h.file("bad.yaml", &tenants_yaml(alice, "", default));
        let o = h.run(&["apply", &f]);
        let e = o.res.err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains(says), "{alice}{default}: {e}");
        assert!(e.contains("bad.yaml:"), "{e}");
    }
    assert_eq!(h.tables(), before);
    assert_eq!(h.dm.log().len(), log, "{:?}", h.dm.log());
}
