//! The home-health-care literature benchmark (Mankowska et al. 2014,
//! `../shared/benchmarks/hhcrsp/mankowska2014/`): [`verify`] re-checks a
//! solution's routes against the raw instance file with its own parser and
//! recomputes the published objective, sharing no code with the reader or
//! the solver; [`run`] solves instances with the one search (the reader's
//! weighted order, [`crate::problem::Order`]) and
//! tabulates them against `bks.csv` (`rota bench hhcrsp`).

pub mod run;
pub mod verify;
