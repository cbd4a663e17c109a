//! One dimension over time, per service: the same figures as the matrix, bucketed by day,
//! week or month, with the same small-cell suppression.

use chrono::NaiveDate;
use civicpulse_core::dimension::Dimension;

use super::dimensions::{measure, Measured};
use super::read::Buckets;

/// One point: a service's (and group's) figure over one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The bucket's first day.
    pub start: NaiveDate,
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
                start: *bucket,
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
        (a.start, &a.service_id, &a.group).cmp(&(b.start, &b.service_id, &b.group))
    });
    points
}
