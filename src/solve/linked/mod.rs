//! The solver for problems with linked visits and soft lateness
//! ([`crate::problem::Link`], `late_after`): the home-health-care problems
//! of the literature (`rota bench hhcrsp`). [`state`] times a plan with
//! every visit as early as its routes and links allow and keeps the cost
//! (travel + lateness); [`search`] is ruin and recreate under simulated
//! annealing over it. Home-care requests never reach it: they have neither
//! links nor soft lateness, and the default solver plans them.

pub mod search;
pub mod state;

pub use search::{Outcome, Settings, solve, unsupported};
