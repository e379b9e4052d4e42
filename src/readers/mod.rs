//! Readers of other formats: Solomon VRPTW instances ([`solomon`], into the
//! same [`crate::problem::Problem`]) and Mankowska's home-health-care
//! instances ([`mankowska`]).

pub mod mankowska;
pub mod solomon;
