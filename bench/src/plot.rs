//! PNG plots with plotters' bitmap backend.  The font is a TTF loaded at run
//! time (ab_glyph), so no fontconfig is needed.

use crate::data::{Run, LOG_MS};
use crate::report::{ctl_name, split, Report, PROPORTIONAL};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

type Res = Result<(), Box<dyn std::error::Error>>;

pub fn register_font(path: &Path) -> Res {
    let bytes: &'static [u8] = Box::leak(std::fs::read(path)?.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{}: not a usable font", path.display()))?;
    Ok(())
}

/// Each job's share of the bytes over time (one panel per controller), with
/// its configured share dashed.
pub fn shares_over_time(rep: &Report, scen: &str, round: u32, out: &Path) -> Res {
    let ctls = rep.controllers(scen);
    let runs: Vec<(&str, &Run)> = ctls
        .iter()
        .filter_map(|c| rep.run(scen, c, round).map(|r| (*c, r)))
        .collect();
    let cols = 3;
    let rows = runs.len().div_ceil(cols).max(1);
    let root = BitMapBackend::new(out, (1500, 420 * rows as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!("{scen}: share of bytes over the last second (dashed: configured)"),
        ("sans-serif", 24),
    )?;
    for ((ctl, run), area) in runs.iter().zip(root.split_evenly((rows, cols))) {
        let Some((lo, hi)) = run.common_window() else {
            continue;
        };
        let sp = split(run);
        let mut jobs: Vec<_> = run.jobs.iter().collect();
        jobs.sort_by_key(|j| j.idx);
        let secs = (hi - lo) as f64 * LOG_MS as f64 / 1000.0;
        let mut chart = ChartBuilder::on(&area)
            .caption(ctl_name(ctl), ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0.0..secs.max(0.5), 0.0..100.0)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("s")
            .y_desc("%")
            .label_style(("sans-serif", 12))
            .draw()?;
        for (k, j) in jobs.iter().enumerate() {
            let color = COLORS[k % COLORS.len()];
            // over the last second: one 250 ms bucket holds few I/Os
            let sum = |o: &crate::data::Job, b: u64| -> f64 {
                o.series
                    .range(b.saturating_sub(3).max(lo)..=b)
                    .map(|(_, v)| v)
                    .sum()
            };
            let pts: Vec<(f64, f64)> = (lo..=hi)
                .filter_map(|b| {
                    let total: f64 = jobs.iter().map(|o| sum(o, b)).sum();
                    (total > 0.0).then(|| {
                        (
                            (b - lo) as f64 * LOG_MS as f64 / 1000.0,
                            sum(j, b) / total * 100.0,
                        )
                    })
                })
                .collect();
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
                .label(format!(
                    "job {} weight {} ({:.1} %)",
                    j.idx,
                    j.weight,
                    sp.shares[k] * 100.0
                ))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            let want = sp.configured[k] * 100.0;
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, want), (secs, want)],
                6,
                4,
                color.stroke_width(1),
            ))?;
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 12))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Grouped bars: one group per scenario, one bar per controller.
fn bars(
    out: &Path,
    title: &str,
    ylabel: &str,
    groups: &[(String, Vec<(String, f64)>)],
    ctls: &[&str],
) -> Res {
    let ymax = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|b| b.1))
        .fold(1.0, f64::max)
        * 1.1;
    let n = groups.len() as i32;
    let root = BitMapBackend::new(out, (1800, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0..n * 10, 0.0..ymax)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(0)
        .y_desc(ylabel)
        .label_style(("sans-serif", 13))
        .draw()?;
    // scenario names under their groups, placed in pixels on the root
    for (i, name) in names.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as i32 * 10 + 5, 0.0));
        root.draw(&Text::new(
            name.clone(),
            (px, py + 8),
            ("sans-serif", 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    let w = 8 / ctls.len().max(1) as i32;
    for (k, ctl) in ctls.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let rects: Vec<_> = groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let v = g.1.iter().find(|b| b.0 == *ctl)?.1;
                let x0 = i as i32 * 10 + 1 + k as i32 * w;
                Some(Rectangle::new([(x0, 0.0), (x0 + w, v)], color.filled()))
            })
            .collect();
        chart
            .draw_series(rects)?
            .label(ctl_name(ctl))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Worst share error and throughput relative to dm-linear, round 1, for
/// every proportional scenario.
pub fn summary(rep: &Report, err_out: &Path, tput_out: &Path) -> Res {
    let ctls = [
        "ioband", "ioband-d", "iosize-d", "fair-d", "fairsz-d", "bfq", "iocost",
    ];
    let mut errs = Vec::new();
    let mut tput = Vec::new();
    let more = [("hierarchy-split", ""), ("sixteen-vs-one", "")];
    for (scen, _) in PROPORTIONAL.iter().chain(more.iter()) {
        let Some(&r) = rep.rounds(scen).first() else {
            continue;
        };
        let Some(base) = rep.run(scen, "none", r).map(|x| split(x).total) else {
            continue;
        };
        let mut e = Vec::new();
        let mut t = Vec::new();
        for c in ctls {
            if let Some(run) = rep.run(scen, c, r) {
                let sp = split(run);
                if *scen != "sixteen-vs-one" {
                    e.push((c.to_string(), sp.worst_pp));
                }
                t.push((c.to_string(), sp.total / base * 100.0));
            }
        }
        if !e.is_empty() {
            errs.push((scen.to_string(), e));
        }
        tput.push((scen.to_string(), t));
    }
    bars(
        err_out,
        "worst share error, percentage points (lower is better)",
        "pp",
        &errs,
        &ctls,
    )?;
    bars(
        tput_out,
        "total throughput, % of dm-linear in the same round",
        "%",
        &tput,
        &ctls,
    )
}
