//! What people write: themes and their evidence, and the rules that read them over time
//! ([`emerging`] issues against each service's own baseline).

pub mod emerging;
