//! The geometry of a service page's line chart, as numbers the report template draws as
//! inline SVG: no script, no image file, nothing fetched. Shares only (0–100 %), which is
//! what the key dimensions are. Gaps (withheld buckets) break the line rather than joining
//! across them, so a missing figure never looks like a trend.

use serde::Serialize;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 32.0;

/// A label on an axis at a position (x or y, in SVG units).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A point drawn as a dot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// `points` attributes of the service's polylines, one per unbroken run.
    pub service_lines: Vec<String>,
    pub service_dots: Vec<Dot>,
    pub peer_lines: Vec<String>,
    /// The target's height, if there is one.
    pub target_y: Option<f64>,
}

/// Lays out `values` and `peers` (shares, one per bucket, `None` where withheld) under the
/// x labels `labels`; `percent` writes a y-axis label.
pub fn layout(
    values: &[Option<f64>],
    peers: &[Option<f64>],
    target: Option<f64>,
    labels: &[String],
    percent: impl Fn(f64) -> String,
) -> Chart {
    let right = WIDTH - RIGHT;
    let bottom = HEIGHT - BOTTOM;
    let count = values.len().max(1);
    let x = |i: usize| {
        if count == 1 {
            (LEFT + right) / 2.0
        } else {
            LEFT + (right - LEFT) * i as f64 / (count - 1) as f64
        }
    };
    let y = |share: f64| bottom - (bottom - TOP) * share.clamp(0.0, 1.0);
    let y_ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|&share| Tick {
            at: round(y(share)),
            label: percent(share),
        })
        .collect();
    // At most about eight x labels, evenly spaced, always the first and the last.
    let step = labels.len().div_ceil(8).max(1);
    let x_ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i + 1 == labels.len())
        .map(|(i, label)| Tick {
            at: round(x(i)),
            label: label.clone(),
        })
        .collect();
    let runs = |series: &[Option<f64>]| -> Vec<String> {
        let mut runs = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for (i, value) in series.iter().enumerate() {
            match value {
                Some(v) => run.push(format!("{},{}", round(x(i)), round(y(*v)))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run).join(" ")),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run.join(" "));
        }
        runs
    };
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right,
        top: TOP,
        bottom,
        y_ticks,
        x_ticks,
        service_lines: runs(values),
        service_dots: values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|v| Dot {
                    x: round(x(i)),
                    y: round(y(v)),
                })
            })
            .collect(),
        peer_lines: runs(peers),
        target_y: target.map(|t| round(y(t))),
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percent(share: f64) -> String {
        format!("{:.0}%", share * 100.0)
    }

    #[test]
    fn withheld_buckets_break_the_line_and_shares_map_to_height() {
        let labels: Vec<String> = (1..=5).map(|w| format!("w{w}")).collect();
        let chart = layout(
            &[Some(0.0), Some(1.0), None, Some(0.5), Some(0.5)],
            &[None; 5],
            Some(0.8),
            &labels,
            percent,
        );
        // Two runs: buckets 0–1 and 3–4; bucket 2 is withheld.
        assert_eq!(chart.service_lines.len(), 2);
        assert_eq!(chart.service_lines[0], "48,188 192,12");
        assert_eq!(chart.service_lines[1], "480,100 624,100");
        assert_eq!(chart.service_dots.len(), 4);
        assert!(chart.peer_lines.is_empty());
        // 0.8 of the plot height above the bottom (188 − 176 × 0.8).
        assert_eq!(chart.target_y, Some(47.2));
        assert_eq!(chart.y_ticks.first().unwrap().label, "0%");
        assert_eq!(chart.x_ticks.len(), 5);
    }

    #[test]
    fn many_buckets_keep_about_eight_labels_including_the_last() {
        let labels: Vec<String> = (1..=14).map(|w| format!("w{w}")).collect();
        let chart = layout(&[Some(0.5); 14], &[Some(0.4); 14], None, &labels, percent);
        let shown: Vec<&str> = chart.x_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(shown, ["w1", "w3", "w5", "w7", "w9", "w11", "w13", "w14"]);
        assert_eq!(chart.peer_lines.len(), 1);
        assert_eq!(chart.target_y, None);
        // One bucket: drawn in the middle.
        let one = layout(&[Some(0.5)], &[None], None, &["w1".into()], percent);
        assert_eq!(one.service_dots[0].x, (48.0 + 624.0) / 2.0);
    }
}
