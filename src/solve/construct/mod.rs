//! Construction: whole-client insertion into rounds, greedy by priority
//! ([`greedy`]) and by regret ([`regret`]). Adding every client that still
//! fits into a finished solution is [`super::fill`].

pub mod greedy;
pub mod regret;
