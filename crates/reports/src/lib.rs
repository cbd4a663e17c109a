//! Civic Pulse periodic reports, for ministers and the public. What a report covers is a
//! `civicpulse_analytics::period::Period`, read as every other reader reads it.
//!
//! - `figures`: the numbers of a period, gathered once from the same code the matrix and
//!   SLA APIs answer with, so a report never disagrees with a dashboard;
//! - `scope`: which services a report covers;
//! - `freshness`: how fresh and complete the data were at generation time;
//! - `generate`: a report's figures from the configuration;
//! - `exports`: the formats governments publish (GC service-std, OMB A-11, GOV.UK KPIs);
//! - `open_data`: those numbers as `report.json`, `matrix.csv`, `sla.csv` and their CSVW
//!   description;
//! - `i18n`: English and French messages, numbers and dates;
//! - `chart`: the geometry of the inline SVG line charts;
//! - `html`: the report a person reads, `report.html`;
//! - `pdf`: `report.pdf`, printed by headless Chromium;
//! - `publish`: one report in one language written to a folder, with checksums;
//! - `revision`: a period published again when its figures changed, beside the first,
//!   with what changed (late events dated in a closed period move the API's figures);
//! - `due`: which periods the `[[reports.schedules]]` are due for, as date arithmetic;
//! - `scheduler`: the loop that writes the due reports and records each attempt.

pub mod chart;
pub mod due;
pub mod exports;
pub mod figures;
pub mod freshness;
pub mod generate;
pub mod html;
pub mod i18n;
pub mod open_data;
pub mod pdf;
pub mod publish;
pub mod records;
pub mod revision;
pub mod scheduler;
pub mod scope;
pub mod themes;

pub use figures::{Figures, FiguresError};
pub use i18n::Language;
