//! `rota`: next-day care rounds for reablement home-care services.
//!
//! Data flows one way: request JSON -> [`model`] (serde types, via [`parse`])
//! -> [`validate`] -> [`problem`] (dense, index-based, integer minutes; travel
//! matrices from [`travel`]) -> [`solve`] -> [`plan`] (the contract's plan)
//! -> [`check`] (independent of the solver) -> report. See
//! `docs/architecture.md`.

pub mod bench;
pub mod capacity;
pub mod check;
pub mod clock;
pub mod control;
pub mod error;
pub mod generate;
pub mod limits;
pub mod model;
pub mod output;
pub mod parse;
pub mod plan;
pub mod prepare;
pub mod problem;
pub mod readers;
pub mod replan;
pub mod roads;
pub mod serve;
pub mod solve;
pub mod travel;
pub mod validate;

pub mod pipeline;

pub use error::{Issue, Issues, RotaError};
pub use pipeline::{
    PlanOptions, Planned, Solved, built_plan, checked_plan, load_request, plan_prepared,
    plan_request, plan_request_with, plan_valid, plan_valid_from, plan_with_solution,
    solve_problem,
};
