//! One dimension over time, per service: the same figures as the matrix, bucketed by day,
//! week or month, with the same small-cell suppression.

use chrono::NaiveDate;
use civicpulse_core::dimension::Dimension;
use serde::Serialize;

use super::dimensions::{measure, Measured};
use super::read::Buckets;

/// One point, flat; `time` is the bucket's first day at midnight UTC (ISO 8601).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub time: String,
    pub service_id: String,
    pub group: String,
    pub metric: String,
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub note: String,
}

/// The points of `dimension` for every (service, bucket, group) read, in time order.
pub fn points(buckets: &Buckets, dimension: Dimension, min_n: u64) -> Vec<Point> {
    let mut points: Vec<Point> = buckets
        .iter()
        .map(|((service, bucket, group), tally)| {
            let mut point = Point {
                time: midnight(*bucket),
                service_id: service.clone(),
                group: group.clone(),
                metric: dimension.name(),
                value: None,
                n: 0,
                ci_low: None,
                ci_high: None,
                note: String::new(),
            };
            match measure(tally, dimension, min_n) {
                Measured::Value { estimate, note } => {
                    point.value = Some(estimate.value);
                    point.n = estimate.n;
                    point.ci_low = estimate.interval.map(|(low, _)| low);
                    point.ci_high = estimate.interval.map(|(_, high)| high);
                    point.note = note;
                }
                Measured::TooFew { n, note } => {
                    point.n = n;
                    point.note = note;
                }
            }
            point
        })
        .collect();
    points.sort_by(|a, b| {
        (&a.time, &a.service_id, &a.group).cmp(&(&b.time, &b.service_id, &b.group))
    });
    points
}

fn midnight(date: NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}
