//! What people read: the HTML report ([`report`]), CSV and iCal
//! ([`export`]), who to phone after a re-plan ([`phone_list`]), and the
//! short text on stderr ([`text`]).

pub mod export;
pub mod phone_list;
pub mod report;
pub mod text;
