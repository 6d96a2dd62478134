//! SVG charts of the results, drawn with `plotters`: every workload's
//! median time under each scheme, with each scheme's ratio to the best of
//! the others; and, where criterion's results exist, the hot paths as
//! multiples of their group's floor.

use plotters::prelude::*;

use super::criterion::Estimate;
use super::record::{self, Record};

/// Colours of the schemes, in report order.
const COLOURS: [RGBColor; 4] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
];

fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

/// Horizontal grouped bars: one group of `values[i]` per label `i`, one bar
/// per series, drawn into `area` with `caption` and an x axis named
/// `x_name`; a vertical rule at `rule` if given.
fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    x_name: &str,
    labels: &[String],
    series: &[&str],
    values: &[Vec<Option<f64>>],
    rule: Option<f64>,
) -> Result<(), String> {
    let n = labels.len().max(1);
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(rule.unwrap_or(0.0), |m, &v| m.max(v))
        * 1.08;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..max.max(1e-9), -0.5f64..(n as f64 - 0.5))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n + 1)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                // Workloads read top to bottom.
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc(x_name)
        .draw()
        .map_err(|e| e.to_string())?;
    let width = 0.8 / series.len().max(1) as f64;
    for (k, name) in series.iter().enumerate() {
        let c = colour(k);
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, row)| {
                let v = row.get(k).copied().flatten()?;
                let y = (n - 1 - i) as f64 + 0.4 - width * k as f64;
                Some(Rectangle::new([(0.0, y), (v, y - width)], c.filled()))
            }))
            .map_err(|e| e.to_string())?
            .label(name.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
    }
    if let Some(at) = rule {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(at, -0.5), (at, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Every workload's median time under each scheme (top), and each scheme's
/// time as a multiple of the best of the others (bottom: below 1, the
/// fastest by that factor), as an SVG document.
pub fn workloads_svg(records: &[Record], title: &str) -> Result<String, String> {
    let schemes = record::schemes(records);
    let workloads = record::workloads(records);
    let labels: Vec<String> = workloads.iter().map(|w| w.to_string()).collect();
    let ms: Vec<Vec<Option<f64>>> = workloads
        .iter()
        .map(|w| {
            schemes
                .iter()
                .map(|s| record::find(records, w, s).map(|r| r.median_ns as f64 / 1e6))
                .collect()
        })
        .collect();
    let ratios: Vec<Vec<Option<f64>>> = ms
        .iter()
        .map(|row| {
            (0..row.len())
                .map(|k| {
                    let best_other = row
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .filter_map(|(_, v)| *v)
                        .fold(f64::INFINITY, f64::min);
                    row[k].map(|v| v / best_other).filter(|r| r.is_finite())
                })
                .collect()
        })
        .collect();
    let height = 120 + 2 * (40 + 26 * workloads.len() as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 20))
            .map_err(|e| e.to_string())?;
        let (top, bottom) = root.split_vertically(height / 2 - 10);
        bars(
            &top,
            "median time per workload",
            "milliseconds",
            &labels,
            &schemes,
            &ms,
            None,
        )?;
        bars(
            &bottom,
            "time as a multiple of the best other scheme (below 1: fastest)",
            "ratio",
            &labels,
            &schemes,
            &ratios,
            Some(1.0),
        )?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The hot paths: each benchmark of a group with a floor, as a multiple of
/// that floor; `None` if no group has one.
pub fn hot_paths_svg(estimates: &[Estimate], title: &str) -> Result<Option<String>, String> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    for group in groups(estimates) {
        let in_group: Vec<&Estimate> = estimates.iter().filter(|e| e.group == group).collect();
        let Some(floor) = in_group.iter().find(|e| e.function.starts_with("floor")) else {
            continue;
        };
        for e in in_group.iter().filter(|e| !e.function.starts_with("floor")) {
            labels.push(format!("{group}: {}", e.function));
            values.push(vec![Some(e.median_ns / floor.median_ns)]);
        }
    }
    if labels.is_empty() {
        return Ok(None);
    }
    let height = 140 + 24 * labels.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 20))
            .map_err(|e| e.to_string())?;
        bars(
            &root,
            "criterion median as a multiple of the group's floor (the rule: 1)",
            "multiple of the floor",
            &labels,
            &["median / floor"],
            &values,
            Some(1.0),
        )?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(Some(svg))
}

/// The groups of the estimates, in order.
pub(crate) fn groups(estimates: &[Estimate]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for e in estimates {
        if !out.contains(&e.group.as_str()) {
            out.push(&e.group);
        }
    }
    out
}
