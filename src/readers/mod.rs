//! Readers of other formats into the same [`crate::problem::Problem`]:
//! Solomon VRPTW instances ([`solomon`]).

pub mod solomon;
