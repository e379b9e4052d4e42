//! E13xx settings: travel modes, speeds, overheads, detour factor and the
//! time limit.

use super::*;

impl Validator {
    pub(super) fn settings(&mut self, r: &Request) {
        let s = &r.settings;
        let t = s.time_limit_seconds;
        // Under a millisecond not even the request's own checks finish:
        // such a limit (5e-324, say) is a mistake, said at once rather
        // than as an E2002 after the solve started.
        if !(t.is_finite() && t >= crate::limits::MIN_TIME_LIMIT_SECONDS) {
            self.push(
                "E1307",
                "settings.time_limit_seconds",
                format!(
                    "time_limit_seconds is {}; it must be a finite number of at least {} (a millisecond)",
                    crate::limits::brief_seconds(t),
                    crate::limits::MIN_TIME_LIMIT_SECONDS
                ),
                "give a positive number of seconds, e.g. 10 (or leave it out for the default)",
            );
        }
        if let Some(z) = &s.time_zone
            && z.parse::<chrono_tz::Tz>().is_err()
        {
            self.push(
                "E1308",
                "settings.time_zone",
                format!("time_zone '{z}' is not an IANA time zone name"),
                "give a name such as Europe/London (or leave it out for floating local times)",
            );
        }
        let tr = &s.travel;
        let d = tr.detour_factor;
        if !(d.is_finite() && d >= 1.0) {
            self.push(
                "E1306",
                "settings.travel.detour_factor",
                format!("detour_factor is {d}; it must be a finite number of at least 1.0"),
                "roads are never shorter than the straight line: use e.g. 1.3 (or leave it out)",
            );
        }
        for (key, &speed) in &tr.speed_kmh {
            let path = format!("settings.travel.speed_kmh.{key}");
            if !MODES.contains(&key.as_str()) {
                self.push(
                    "E1302",
                    path,
                    format!("unknown travel mode '{key}' in speed_kmh"),
                    format!("use one of {} as keys", allowed_modes()),
                );
            } else if !(speed.is_finite() && speed > 0.0) {
                self.push(
                    "E1304",
                    path,
                    format!("speed of '{key}' is {speed} km/h; it must be a finite number above 0"),
                    "give a positive speed in km/h, e.g. 40 for drive, 15 for bike, 4.8 for walk",
                );
            }
        }
        for (key, &over) in &tr.leg_overhead_minutes {
            let path = format!("settings.travel.leg_overhead_minutes.{key}");
            if !MODES.contains(&key.as_str()) {
                self.push(
                    "E1303",
                    path,
                    format!("unknown travel mode '{key}' in leg_overhead_minutes"),
                    format!("use one of {} as keys", allowed_modes()),
                );
            } else if !(0..=DAY).contains(&over) {
                self.push(
                    "E1305",
                    path,
                    format!(
                        "leg overhead of '{key}' is {over} minutes; it must be between 0 and {DAY}"
                    ),
                    "give the fixed minutes added to each leg (parking, locking a bike), e.g. 3",
                );
            }
        }
    }
}
