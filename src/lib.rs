//! `rota`: next-day care rounds for reablement home-care services.
//!
//! Data flows one way: request JSON -> [`model`] (serde types, via [`parse`])
//! -> `validate` -> `problem` (dense, index-based, integer minutes; travel
//! matrices from `travel`) -> `solve` -> plan ([`model::Plan`]) -> `check`
//! (independent of the solver) -> report. See `docs/architecture.md`.

pub mod check;
pub mod error;
pub mod generate;
pub mod model;
pub mod parse;
pub mod validate;

pub use error::{Issue, Issues, RotaError};
pub mod plan;
pub mod problem;
pub mod solve;
pub mod travel;
