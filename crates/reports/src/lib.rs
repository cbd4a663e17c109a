//! Civic Pulse periodic reports, for ministers and the public.
//!
//! - `period`: what a report covers (`2026-Q3`, `2026-10`, `FROM..TO`);
//! - `figures`: the numbers of a period, gathered once from the same code the matrix and
//!   SLA APIs answer with, so a report never disagrees with a dashboard;
//! - `open_data`: those numbers as `report.json`, `matrix.csv`, `sla.csv` and their CSVW
//!   description;
//! - `html`: the report a person reads, `report.html`.

pub mod figures;
pub mod html;
pub mod open_data;
pub mod period;

pub use figures::{Figures, FiguresError};
