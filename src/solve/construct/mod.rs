//! Construction: whole-client insertion into rounds, greedy by priority
//! ([`greedy`]) and by regret ([`regret`]); a linked pair together
//! ([`linked`]), each visit at a place of [`places`]. Adding every client that still
//! fits into a finished solution is [`super::fill`].

pub mod greedy;
pub mod linked;
pub mod places;
pub mod regret;
