//! What people read: the HTML report ([`report`]), CSV and iCal
//! ([`export`]), and the short text on stderr ([`text`]).

pub mod export;
pub mod report;
pub mod text;
