//! The checker's own travel times, computed from the contract alone
//! (`shared/spec/format.md`, "Travel time"): haversine on a sphere of radius
//! 6371.0088 km, detour factor, speed and leg overhead per mode, or the
//! request's `travel_matrix` for every mode it lists. Deliberately independent
//! of the solver's travel module.

use std::collections::HashMap;

use geo::{Distance, HaversineMeasure, Point};

use crate::model::{Carer, Client, Location, Request, TravelMatrix, TravelSettings};

/// Sphere radius named by the contract, in metres (6371.0088 km).
pub(crate) const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Floating-point noise that `ceil` tolerates (the contract's 1e-9).
const CEIL_TOLERANCE: f64 = 1e-9;

/// A place a carer travels between.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place<'a> {
    /// A client's home.
    Client(&'a Client),
    /// A carer's start location.
    Start(&'a Carer),
    /// A carer's end location.
    End(&'a Carer),
}

impl Place<'_> {
    pub(crate) fn location(&self) -> Location {
        match self {
            Place::Client(c) => c.location,
            Place::Start(c) => c.start_location,
            Place::End(c) => c.end(),
        }
    }

    /// How the place is named in messages.
    pub(crate) fn name(&self) -> String {
        match self {
            Place::Client(c) => format!("client {}", c.id),
            Place::Start(c) => format!("{}'s start location", c.id),
            Place::End(c) => format!("{}'s end location", c.id),
        }
    }
}

/// Great-circle distance in km on the contract's sphere.
pub(crate) fn haversine_km(a: Location, b: Location) -> f64 {
    let sphere = HaversineMeasure::new(EARTH_RADIUS_M);
    sphere.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// The contract's formula for one leg, in whole minutes.
pub(crate) fn formula_minutes(
    settings: &TravelSettings,
    mode: &str,
    a: Location,
    b: Location,
) -> Result<i64, String> {
    if a.lat == b.lat && a.lon == b.lon {
        return Ok(0);
    }
    let speed = settings
        .speed(mode)
        .ok_or_else(|| format!("unknown travel mode '{mode}'"))?;
    let overhead = settings
        .overhead(mode)
        .ok_or_else(|| format!("unknown travel mode '{mode}'"))?;
    if !(speed > 0.0 && speed.is_finite()) {
        return Err(format!("speed of mode '{mode}' is {speed}, not positive"));
    }
    let raw = 60.0 * haversine_km(a, b) * settings.detour_factor / speed;
    let minutes = (raw - CEIL_TOLERANCE).ceil();
    if !minutes.is_finite() || minutes.abs() > 1e12 {
        return Err(format!(
            "travel time of {raw} minutes is not a usable number"
        ));
    }
    Ok(minutes as i64 + overhead)
}

/// Travel times of one request.
pub(crate) struct Travel<'a> {
    settings: &'a TravelSettings,
    matrix: Option<&'a TravelMatrix>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Travel<'a> {
    pub(crate) fn new(request: &'a Request) -> Self {
        let matrix = request.travel_matrix.as_ref();
        let index = matrix
            .map(|m| {
                m.refs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.as_str(), i))
                    .collect()
            })
            .unwrap_or_default();
        Travel {
            settings: &request.settings.travel,
            matrix,
            index,
        }
    }

    fn matrix_index(&self, place: Place) -> Option<usize> {
        match place {
            Place::Client(c) => self.index.get(c.id.as_str()).copied(),
            Place::Start(c) => self.index.get(c.id.as_str()).copied(),
            Place::End(c) => self
                .index
                .get(format!("{}/end", c.id).as_str())
                .or_else(|| self.index.get(c.id.as_str()))
                .copied(),
        }
    }

    /// Minutes from `from` to `to` for a carer of `mode`; an error message
    /// when the request cannot give it (a ref missing from the matrix).
    pub(crate) fn minutes(&self, mode: &str, from: Place, to: Place) -> Result<i64, String> {
        if let Some(rows) = self.matrix.and_then(|m| m.minutes.get(mode)) {
            let missing = |p: Place| format!("travel_matrix has no ref for {}", p.name());
            let i = self.matrix_index(from).ok_or_else(|| missing(from))?;
            let j = self.matrix_index(to).ok_or_else(|| missing(to))?;
            return rows
                .get(i)
                .and_then(|r| r.get(j))
                .copied()
                .ok_or_else(|| format!("travel_matrix '{mode}' has no entry [{i}][{j}]"));
        }
        formula_minutes(self.settings, mode, from.location(), to.location())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEREFORD: Location = Location {
        lat: 52.0565,
        lon: -2.7160,
    };
    const LEOMINSTER: Location = Location {
        lat: 52.2249,
        lon: -2.7420,
    };

    #[test]
    fn radius_is_the_contracts_and_geo_default_agrees() {
        assert_eq!(EARTH_RADIUS_M, 6371.0088 * 1000.0);
        // geo's default sphere is the same; if geo ever changes it, we still
        // use the contract's radius (HaversineMeasure::new above).
        assert_eq!(geo::Haversine.radius(), EARTH_RADIUS_M);
    }

    #[test]
    fn haversine_hereford_leominster() {
        // python: 2*R*asin(sqrt(hav)) with R = 6371.0088
        let km = haversine_km(HEREFORD, LEOMINSTER);
        assert!((km - 18.809126735755708).abs() < 1e-9, "{km}");
        // symmetric
        assert!((haversine_km(LEOMINSTER, HEREFORD) - km).abs() < 1e-12);
    }

    #[test]
    fn formula_default_settings_per_mode() {
        let s = TravelSettings::default();
        // drive: 60*18.8091*1.3/40 = 36.678 -> 37 + 3
        assert_eq!(formula_minutes(&s, "drive", HEREFORD, LEOMINSTER), Ok(40));
        // bike: 97.807 -> 98 + 1
        assert_eq!(formula_minutes(&s, "bike", HEREFORD, LEOMINSTER), Ok(99));
        // walk: 305.648 -> 306 + 0
        assert_eq!(formula_minutes(&s, "walk", HEREFORD, LEOMINSTER), Ok(306));
    }

    #[test]
    fn identical_locations_cost_nothing_even_with_overhead() {
        let s = TravelSettings::default();
        assert_eq!(formula_minutes(&s, "drive", HEREFORD, HEREFORD), Ok(0));
    }

    #[test]
    fn ceil_tolerates_noise_but_not_more() {
        // Choose a speed that makes the raw time exactly 30 minutes (+noise).
        let km = haversine_km(HEREFORD, LEOMINSTER);
        let mut s = TravelSettings {
            detour_factor: 1.0,
            ..TravelSettings::default()
        };
        s.leg_overhead_minutes.insert("drive".into(), 0);
        s.speed_kmh.insert("drive".into(), 60.0 * km / 30.0);
        assert_eq!(formula_minutes(&s, "drive", HEREFORD, LEOMINSTER), Ok(30));
        s.speed_kmh.insert("drive".into(), 60.0 * km / 30.001);
        assert_eq!(formula_minutes(&s, "drive", HEREFORD, LEOMINSTER), Ok(31));
    }

    #[test]
    fn unknown_mode_is_an_error_not_a_panic() {
        let s = TravelSettings::default();
        assert!(formula_minutes(&s, "fly", HEREFORD, LEOMINSTER).is_err());
    }

    #[test]
    fn matrix_replaces_formula_and_end_falls_back_to_carer_row() {
        let text = r#"{"date":"2026-11-23",
          "carers":[{"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
                     "start_location":{"lat":52.0565,"lon":-2.7160}},
                    {"id":"C2","travel_mode":"walk","shift":{"start":"07:00","end":"15:00"},
                     "start_location":{"lat":52.0565,"lon":-2.7160},
                     "end_location":{"lat":52.2249,"lon":-2.7420}}],
          "clients":[{"id":"P1","location":{"lat":52.2249,"lon":-2.7420},
                      "visits":[{"id":"v","window":{"start":"08:00","end":"09:00"},"duration":30}]}],
          "travel_matrix":{"refs":["C1","P1","C2","C2/end"],
                           "minutes":{"drive":[[0,11,0,0],[12,0,0,0],[0,0,0,0],[0,0,0,0]],
                                      "walk":[[0,0,0,0],[0,0,0,7],[0,0,0,0],[0,0,0,0]]}}}"#;
        let req = crate::parse::request_from_str(text).unwrap();
        let t = Travel::new(&req);
        let (c1, c2, p1) = (&req.carers[0], &req.carers[1], &req.clients[0]);
        assert_eq!(
            t.minutes("drive", Place::Start(c1), Place::Client(p1)),
            Ok(11)
        );
        // C1 has no "C1/end" ref: its own row/column is used.
        assert_eq!(
            t.minutes("drive", Place::Client(p1), Place::End(c1)),
            Ok(12)
        );
        assert_eq!(t.minutes("walk", Place::Client(p1), Place::End(c2)), Ok(7));
        // bike is not in the matrix: the formula applies.
        assert_eq!(
            t.minutes("bike", Place::Start(c1), Place::Client(p1)),
            Ok(99)
        );
    }

    #[test]
    fn matrix_missing_ref_is_an_error() {
        let text = r#"{"date":"2026-11-23",
          "carers":[{"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
                     "start_location":{"lat":52.0565,"lon":-2.7160}}],
          "clients":[{"id":"P1","location":{"lat":52.2249,"lon":-2.7420},
                      "visits":[{"id":"v","window":{"start":"08:00","end":"09:00"},"duration":30}]}],
          "travel_matrix":{"refs":["C1"],"minutes":{"drive":[[0]]}}}"#;
        let req = crate::parse::request_from_str(text).unwrap();
        let t = Travel::new(&req);
        let r = t.minutes(
            "drive",
            Place::Start(&req.carers[0]),
            Place::Client(&req.clients[0]),
        );
        assert!(r.unwrap_err().contains("client P1"));
    }
}
