//! Minutes and hours as people read them, for everything outside the
//! checker (which keeps its own arithmetic and formatting by design, so a
//! bug here cannot hide one there).

use chrono::NaiveTime;

/// Minutes since midnight as `HH:MM` (`1440` is `24:00`, the end of the day).
pub fn hhmm(minutes: i64) -> String {
    format!(
        "{:02}:{:02}",
        minutes.div_euclid(60),
        minutes.rem_euclid(60)
    )
}

/// A time of day as `HH:MM`.
pub fn time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Minutes as hours with one decimal (`90` is `1.5`).
pub fn hours(minutes: u64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::hhmm(0), "00:00");
        assert_eq!(super::hhmm(605), "10:05");
        assert_eq!(super::hhmm(1440), "24:00");
        assert_eq!(super::time(crate::model::time_of_minutes(75)), "01:15");
        assert_eq!(super::hours(90), "1.5");
        assert_eq!(super::hours(0), "0.0");
    }
}
