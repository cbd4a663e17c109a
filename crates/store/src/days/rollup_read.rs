//! A read of the daily rollups: which days, which breakdown, which services, and how the
//! days are bucketed in time. The cost follows services × days × groups, never raw events.

use chrono::NaiveDate;
use clickhouse::query::Query;

/// How days are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// The whole range as one.
    Whole,
    Day,
    /// Weeks starting on Monday.
    Week,
    Month,
}

impl Bucket {
    /// The bucket's first day, as SQL over a rollup's `day`.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Bucket::Whole => "toDate('1970-01-01')",
            Bucket::Day => "day",
            Bucket::Week => "toMonday(day)",
            Bucket::Month => "toStartOfMonth(day)",
        }
    }

    /// The first day of a bucket as rows carry it (days since 1970-01-01).
    pub fn start(days_since_epoch: u16) -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
            + chrono::Days::new(u64::from(days_since_epoch))
    }
}

/// Days [from, to), one breakdown's `group_kind`, and the services (None: all).
pub struct DayRange<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_kind: &'static str,
    pub bucket: Bucket,
    pub services: Option<&'a [String]>,
}

impl DayRange<'_> {
    /// `WHERE` for a rollup: days, breakdown and services; bound by [`DayRange::bind`].
    pub(crate) fn filter(&self, group_kinds: &str) -> String {
        let services = if self.services.is_some() {
            " AND has(?, service_id)"
        } else {
            ""
        };
        format!("day >= toDate(?) AND day < toDate(?) AND group_kind IN {group_kinds}{services}")
    }

    /// Binds the filter; `group_kind` when the filter compares with this range's own.
    pub(crate) fn bind(&self, mut query: Query, group_kind: bool) -> Query {
        query = query.bind(self.from.to_string()).bind(self.to.to_string());
        if group_kind {
            query = query.bind(self.group_kind);
        }
        if let Some(services) = self.services {
            query = query.bind(services);
        }
        query
    }
}
