//! Runs the built `ioband` binary: usage errors and exit codes, and the
//! checked-in shell completions. Needs no kernel.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ioband(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_ioband"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run ioband: {e}"),
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_and_version_exit_zero() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["status", "--help"],
        &["create", "--help"],
        &["help", "weight"],
    ] {
        let o = ioband(args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(!o.stdout.is_empty(), "{args:?}");
    }
    let o = ioband(&["create", "--help"]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("Examples:") && s.contains("--io-throttle"),
        "{s}"
    );
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["status", "--watch", "soon"],
        &["status", "--count", "3"],
        &["status", "--json", "--raw"],
        &["create", "x", "/dev/sda1"],
        &["create", "x", "/dev/sda1", "--group", "-1"],
        &["create", "x", "/dev/sda1", "--group", "2147483648"],
        &["create", "x", "--group", "1"],
        &["create", "x", "--table", "0 8 ioband /dev/sda1"],
        &["create", "x", "--table", "1 8 ioband /dev/sda1 1"],
        &["create", "a/b", "--table", "0 8 ioband /dev/sda1 1"],
        &["weight", "x"],
        &["weight", "x", "0"],
        &["weight", "x", "1000", "many"],
        &["weight", "x", "1", "2", "3"],
        &["write-weight", "x"],
        &["write-weight", "x", "0"],
        &["write-weight", "x", "1000", "same", "more"],
        &["token", "x", "0"],
        &["io-limit", "x", "-3"],
        &["io-limit", "x", "1"],
        &["io-limit", "x", "65537"],
        &["io_limit", "x", "Auto"],
        &[
            "create",
            "x",
            "/dev/sda1",
            "--group",
            "1",
            "--io-limit",
            "automatic",
        ],
        &[
            "create",
            "x",
            "/dev/sda1",
            "--group",
            "1",
            "--policy",
            "defaults",
        ],
        &["type", "x", "everyone"],
        &["message", "x"],
        &["message", "x", "zero", "reset"],
        &["remove"],
        &["completions", "tcsh"],
    ] {
        let o = ioband(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} printed no error");
    }
}

#[test]
fn kernel_errors_exit_one_with_hint() {
    if Path::new("/dev/mapper/control").exists() {
        return; // a real device-mapper is here; the answer depends on it
    }
    let o = ioband(&["status"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(
        e.contains("ioband: error:") && e.contains("/dev/mapper/control"),
        "{e}"
    );
    assert!(e.contains("modprobe"), "{e}");
    // version still works.
    let o = ioband(&["version"]);
    assert_eq!(code(&o), 0);
}

#[test]
fn man_page_renders() {
    let o = ioband(&["man"]);
    assert_eq!(code(&o), 0);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains(".TH ioband 8"), "{}", &s[..s.len().min(300)]);
}

fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("completions")
}

/// The scripts in completions/ must be what the binary generates. To update
/// them after changing the command line, run
/// `IOBAND_UPDATE_COMPLETIONS=1 cargo test -p ioband --test cli completions`.
#[test]
fn completions_are_fresh() {
    let update = std::env::var_os("IOBAND_UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in [
        ("bash", "ioband.bash"),
        ("zsh", "_ioband"),
        ("fish", "ioband.fish"),
        ("elvish", "ioband.elv"),
        ("powershell", "_ioband.ps1"),
    ] {
        let o = ioband(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let path = completions_dir().join(file);
        if update {
            if let Err(e) = std::fs::write(&path, &o.stdout) {
                panic!("writing {}: {e}", path.display());
            }
            continue;
        }
        match std::fs::read(&path) {
            Ok(on_disk) if on_disk == o.stdout => {}
            _ => stale.push(file),
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale; regenerate with \
         `IOBAND_UPDATE_COMPLETIONS=1 cargo test -p ioband --test cli completions`"
    );
}

#[test]
fn apply_checks_profiles_before_the_kernel() {
    let dir = std::env::temp_dir().join(format!("ioband-cli-apply-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let bad = dir.join("bad.yaml");
    let _ = std::fs::write(&bad, "devices:\n  - name: x\n    weight: 0\n");
    let f = bad.display().to_string();
    let o = ioband(&["apply", &f]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.yaml:3:"), "{}", stderr(&o));
    let o = ioband(&["apply", "--json", &f]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert_eq!(v["changed"], false);
    assert!(
        v["errors"][0]
            .as_str()
            .unwrap_or("")
            .contains("out of range"),
        "{v}"
    );
    assert_eq!(code(&ioband(&["apply"])), 2);
    assert_eq!(code(&ioband(&["apply", "--lock-timeout", "nan", &f])), 2);
    let o = ioband(&["schema"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert_eq!(v["title"], "ioband profile");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_schema_state_the_new_defaults() {
    let text = |args: &[&str]| {
        let o = ioband(args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let create = text(&["create", "--help"]);
    assert!(create.contains("default fair"), "{create}");
    assert!(
        create.contains("--io-limit <auto|N>") && create.contains("128 means auto"),
        "{create}"
    );
    for verb in ["io-limit", "io_limit"] {
        let help = text(&[verb, "--help"]);
        assert!(
            help.contains("auto") && help.contains("queue depth"),
            "{help}"
        );
    }
    let man = text(&["man"]);
    // The man page lists the commands with their one-line help.
    assert!(
        man.contains("default auto"),
        "the man page states the io_limit default"
    );
    let o = ioband(&["io-limit", "x", "1"]);
    assert!(stderr(&o).contains("128 means auto"), "{}", stderr(&o));
    let schema: serde_json::Value = serde_json::from_str(&text(&["schema"])).unwrap_or_default();
    let group = &schema["$defs"]["device_group"]["properties"];
    assert_eq!(group["io_limit"]["oneOf"][0]["const"], "auto", "{group}");
    assert!(
        group["policy"]["description"]
            .as_str()
            .unwrap_or("")
            .contains("default fair"),
        "{group}"
    );
    assert!(group["policy"]["enum"]
        .as_array()
        .is_some_and(|e| e.contains(&serde_json::json!("default"))));
}

#[test]
fn limit_checks_values_before_the_kernel() {
    // (arguments, what standard error says); exit 2, nothing sent.
    for (args, says) in [
        (
            &["limit", "data0", "read_bps=0"][..],
            "ioband: error: limit data0: read_bps: \"0\" must be 1 to 1125899906842624 or max",
        ),
        (
            &["limit", "data0", "--group", "7", "write_iops=1.5G"],
            "ioband: error: limit data0: write_iops: \"1.5G\" must be 1 to 1000000000 or max",
        ),
        (
            &["limit", "data0", "bps=10MB"],
            "ioband: error: limit data0: bps: \"10MB\" is not a rate",
        ),
    ] {
        let o = ioband(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with(says), "{args:?}: {}", stderr(&o));
    }
    let o = ioband(&["limit", "data0"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = ioband(&["limit", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("powers of 1024") && help.contains("powers of 1000"),
        "{help}"
    );
}

#[test]
fn floor_and_class_check_values_before_the_kernel() {
    // (arguments, what standard error says); exit 2, nothing sent.
    for (args, says) in [
        (
            &["floor", "data0", "bps=0"][..],
            "ioband: error: floor data0: bps: \"0\" must be 1 to 1125899906842624 or max",
        ),
        (
            &["floor", "data0", "--group", "7", "read_iops=2Ki"],
            "ioband: error: floor data0: read_iops: \"2Ki\" is not a rate",
        ),
        (
            &["floor", "data0", "none", "bps=1"],
            "ioband: error: floor data0: none: none clears every floor of the group",
        ),
        (
            &["class", "data0", "lazy"],
            "error: invalid value 'lazy' for '<CLASS>'",
        ),
    ] {
        let o = ioband(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with(says), "{args:?}: {}", stderr(&o));
    }
    for args in [&["floor", "data0"][..], &["class", "data0"]] {
        let o = ioband(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
    let o = ioband(&["floor", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("powers of 1024") && help.contains("above the group's cap"),
        "{help}"
    );
    let o = ioband(&["class", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("idle") && help.contains("normal") && help.contains("floor"),
        "{help}"
    );
}

#[test]
fn write_weight_checks_values_before_the_kernel() {
    // (arguments, what standard error says); exit 2, nothing sent.
    for (args, says) in [
        (
            &["write-weight", "data0", "0"][..],
            "ioband: error: write-weight data0: write_weight: \"0\" must be an integer from 1 \
             to 1000000, or same",
        ),
        (
            &["write_weight", "data0", "7", "1000001"],
            "ioband: error: write-weight data0: write_weight: \"1000001\" must be",
        ),
        (
            &["write-weight", "data0", "alice", "double"],
            "ioband: error: write-weight data0: write_weight: \"double\" must be",
        ),
    ] {
        let o = ioband(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with(says), "{args:?}: {}", stderr(&o));
    }
    let o = ioband(&["write-weight", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("fair-iosize") && help.contains("`same`") && help.contains("64"),
        "{help}"
    );
}
