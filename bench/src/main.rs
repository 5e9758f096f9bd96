//! ioband-bench: turns the benchmark's guest results (fio JSON and bandwidth
//! logs, listed in runs.tsv) into docs/bench/README.md and PNG plots.
//!
//!   ioband-bench RESULTS_DIR OUT_DIR [--font TTF] [--no-plots]
//!
//! The report goes to OUT_DIR/README.md and, the same text, to stdout.

mod data;
mod plot;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

fn plots(rep: &report::Report, out: &Path, font: &Path) -> Result<Vec<(String, String)>, String> {
    plot::register_font(font).map_err(|e| format!("font {}: {e}", font.display()))?;
    let mut made = Vec::new();
    for scen in [
        "seed-40-20-10",
        "two-randread",
        "four-randread",
        "two-mixedbs",
        "hierarchy-split",
    ] {
        let Some(&r) = rep.rounds(scen).first() else {
            continue;
        };
        let file = format!("shares-{scen}.png");
        plot::shares_over_time(rep, scen, r, &out.join(&file))
            .map_err(|e| format!("{file}: {e}"))?;
        made.push((
            file,
            format!("{scen}, round {r}: each job's share over time"),
        ));
    }
    plot::summary(
        rep,
        &out.join("summary-error.png"),
        &out.join("summary-throughput.png"),
    )
    .map_err(|e| format!("summary plots: {e}"))?;
    made.push((
        "summary-error.png".into(),
        "Worst share error per scenario, round 1".into(),
    ));
    made.push((
        "summary-throughput.png".into(),
        "Total throughput against dm-linear per scenario, round 1".into(),
    ));
    Ok(made)
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut font = PathBuf::from(DEFAULT_FONT);
    let mut with_plots = true;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--font" => font = args.next().ok_or("--font needs a path")?.into(),
            "--no-plots" => with_plots = false,
            "-h" | "--help" => {
                println!("usage: ioband-bench RESULTS_DIR OUT_DIR [--font TTF] [--no-plots]");
                return Ok(());
            }
            _ => pos.push(PathBuf::from(a)),
        }
    }
    let [res_dir, out] = <[PathBuf; 2]>::try_from(pos)
        .map_err(|_| "usage: ioband-bench RESULTS_DIR OUT_DIR [--font TTF] [--no-plots]")?;
    let res = data::load(&res_dir)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let rep = report::Report { res: &res };
    let made = if with_plots {
        match plots(&rep, &out, &font) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("ioband-bench: no plots: {e}");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let md = rep.markdown(&made);
    std::fs::write(out.join("README.md"), &md).map_err(|e| format!("{}: {e}", out.display()))?;
    print!("{md}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ioband-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
