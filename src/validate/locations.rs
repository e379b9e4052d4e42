//! E1704 (a warning): a location far from the request's other locations,
//! most often lat and lon swapped (`{"lat": -2.715, "lon": 52.061}` for
//! Hereford) or a typo. The carer or client is still planned, but a carer
//! there can reach no one and a client there no carer can reach, so the
//! plan says why.

use super::*;
use crate::travel::haversine_km;

/// A location more than this many kilometres (straight line) from the
/// median of the request's locations is reported (docs/validation.md).
pub const FAR_KM: f64 = 100.0;

/// Fewer locations than this have no meaningful median: no check.
const MIN_LOCATIONS: usize = 3;

impl Validator {
    pub(super) fn far_locations(&mut self, r: &Request) {
        let mut all: Vec<(String, Location)> = Vec::new();
        for (i, c) in r.carers.iter().enumerate() {
            all.push((format!("carers[{i}].start_location"), c.start_location));
            if let Some(e) = c.end_location {
                all.push((format!("carers[{i}].end_location"), e));
            }
        }
        for (i, k) in r.clients.iter().enumerate() {
            all.push((format!("clients[{i}].location"), k.location));
        }
        // Out-of-range or non-finite coordinates are errors (E1701-E1703).
        all.retain(|(_, l)| {
            l.lat.is_finite() && l.lon.is_finite() && l.lat.abs() <= 90.0 && l.lon.abs() <= 180.0
        });
        let Some(centre) = median(&all) else {
            return;
        };
        for (path, l) in &all {
            let km = haversine_km(*l, centre);
            if km <= FAR_KM {
                continue;
            }
            let swapped = Location {
                lat: l.lon,
                lon: l.lat,
            };
            let swap_km = if swapped.lat.abs() <= 90.0 {
                haversine_km(swapped, centre)
            } else {
                f64::INFINITY
            };
            let hint = if swap_km <= FAR_KM {
                format!(
                    "lat and lon look swapped: {{\"lat\": {}, \"lon\": {}}} is {swap_km:.1} km from the median",
                    swapped.lat, swapped.lon
                )
            } else {
                "check the coordinates (WGS84 decimal degrees, lat first); a location this far away can be reached by no one".to_string()
            };
            self.push(
                "E1704",
                path.clone(),
                format!(
                    "location (lat {}, lon {}) is {km:.0} km from the median of the request's locations (lat {:.4}, lon {:.4}), more than {FAR_KM:.0} km",
                    l.lat, l.lon, centre.lat, centre.lon
                ),
                hint,
            );
        }
    }
}

/// The per-coordinate median (the lower middle value for an even count) of
/// at least [`MIN_LOCATIONS`] locations.
fn median(all: &[(String, Location)]) -> Option<Location> {
    if all.len() < MIN_LOCATIONS {
        return None;
    }
    let mid = |f: fn(&Location) -> f64| {
        let mut v: Vec<f64> = all.iter().map(|(_, l)| f(l)).collect();
        v.sort_by(f64::total_cmp);
        v[(v.len() - 1) / 2]
    };
    Some(Location {
        lat: mid(|l| l.lat),
        lon: mid(|l| l.lon),
    })
}
