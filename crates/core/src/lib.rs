//! Civic Pulse's shared vocabulary: the event contracts clients send, their validation,
//! the service catalog and the typed configuration.
//!
//! Nothing in this crate talks to a network or a database, so every rule here is tested
//! without servers.

pub mod access;
pub mod backoff;
pub mod calendar;
pub mod catalog;
pub mod config;
pub mod dimension;
pub mod error_budget;
pub mod event;
pub mod exception;
pub mod fiscal_year;
pub mod horizon;
pub mod life_event;
pub mod money;
pub mod opening_hours;
pub mod pii;
pub mod remission;
pub mod retention;
pub mod rfc3339;
pub mod schema;
pub mod secret;
pub mod sla;
pub mod strict_json;
pub mod text;
pub mod theme;
pub mod validate;

pub use catalog::{Catalog, CatalogError, Service};
pub use config::{Config, ConfigError};
pub use dimension::Dimension;
pub use event::{Envelope, Event, EventKind};
pub use validate::{FieldError, Validator};
