//! E1704 (a warning): a location far from the request's other locations,
//! most often lat and lon swapped (`{"lat": -2.715, "lon": 52.061}` for
//! Hereford) or a typo. The carer or client is still planned, but a carer
//! there can reach no one and a client there no carer can reach, so the
//! plan says why.
//!
//! E1704 compares the request with itself, so it cannot see a request with
//! every location swapped. `settings.service_area` gives it an outside
//! reference: E1705 (an error) for a box that is not one, E1706 (a
//! warning) for a location outside it, naming the swap when the swapped
//! point lies inside (one warning for the whole request when every
//! location is outside).

use super::*;
use crate::model::ServiceArea;
use crate::travel::haversine_km;

/// A location more than this many kilometres (straight line) from the
/// median of the request's locations is reported (docs/validation.md).
pub const FAR_KM: f64 = 100.0;

/// Fewer locations than this have no meaningful median: no check.
const MIN_LOCATIONS: usize = 3;

impl Validator {
    pub(super) fn far_locations(&mut self, r: &Request) {
        let all = located(r);
        let Some(centre) = median(&all) else {
            return;
        };
        for (path, l) in &all {
            let km = haversine_km(*l, centre);
            if km <= FAR_KM {
                continue;
            }
            let swapped = swap(*l);
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

impl Validator {
    /// E1705 for a `settings.service_area` that is not a box of WGS84
    /// degrees; E1706 for the locations outside a good one.
    pub(super) fn service_area(&mut self, r: &Request) {
        let Some(area) = r.settings.service_area else {
            return;
        };
        if !self.area_is_a_box(&area) {
            return;
        }
        let all = located(r);
        let outside: Vec<&(String, Location)> =
            all.iter().filter(|(_, l)| !area.contains(*l)).collect();
        let inside_swapped = |l: &Location| area.contains(swap(*l));
        let bounds = format!(
            "the service area (lat {} to {}, lon {} to {})",
            area.min_lat, area.max_lat, area.min_lon, area.max_lon
        );
        if outside.len() > 1 && outside.len() == all.len() {
            let swapped = outside.iter().filter(|(_, l)| inside_swapped(l)).count();
            let n = all.len();
            let hint = if swapped == n {
                format!(
                    "lat and lon look swapped throughout the request: with them swapped, all {n} \
                     locations are inside the service area; swap them where the request is made"
                )
            } else if swapped > 0 {
                format!(
                    "with lat and lon swapped, {swapped} of the {n} locations are inside the \
                     service area: are they swapped? Otherwise check settings.service_area"
                )
            } else {
                "check settings.service_area and the coordinates (WGS84 decimal degrees, lat first)"
                    .to_string()
            };
            self.push(
                "E1706",
                "settings.service_area",
                format!(
                    "every one of the request's {n} locations is outside {bounds}, e.g. {} at lat {}, lon {}",
                    all[0].0, all[0].1.lat, all[0].1.lon
                ),
                hint,
            );
            return;
        }
        for (path, l) in outside {
            let hint = if inside_swapped(l) {
                format!(
                    "lat and lon look swapped: {{\"lat\": {}, \"lon\": {}}} is inside the service area",
                    l.lon, l.lat
                )
            } else {
                "check the coordinates (WGS84 decimal degrees, lat first) or settings.service_area"
                    .to_string()
            };
            self.push(
                "E1706",
                path.clone(),
                format!(
                    "location (lat {}, lon {}) is outside {bounds}",
                    l.lat, l.lon
                ),
                hint,
            );
        }
    }

    /// E1705 for each coordinate of the box out of range and for a minimum
    /// above its maximum. True when the box is good.
    fn area_is_a_box(&mut self, a: &ServiceArea) -> bool {
        let before = self.issues.len();
        for (name, v, limit) in [
            ("min_lat", a.min_lat, 90.0),
            ("min_lon", a.min_lon, 180.0),
            ("max_lat", a.max_lat, 90.0),
            ("max_lon", a.max_lon, 180.0),
        ] {
            if !(v.is_finite() && v.abs() <= limit) {
                self.push(
                    "E1705",
                    format!("settings.service_area.{name}"),
                    format!("{name} is {v}; it must be a finite number in [-{limit}, {limit}]"),
                    "give the area's bounding box in WGS84 decimal degrees",
                );
            }
        }
        if self.issues.len() > before {
            return false;
        }
        for (lo, hi, low, high) in [
            ("min_lat", "max_lat", a.min_lat, a.max_lat),
            ("min_lon", "max_lon", a.min_lon, a.max_lon),
        ] {
            if low > high {
                self.push(
                    "E1705",
                    format!("settings.service_area.{lo}"),
                    format!("{lo} {low} is above {hi} {high}"),
                    format!("{lo} is the south (or west) edge, {hi} the north (or east) one: are they swapped?"),
                );
            }
        }
        self.issues.len() == before
    }
}

fn swap(l: Location) -> Location {
    Location {
        lat: l.lon,
        lon: l.lat,
    }
}

/// Every carer start and end and every client location with its path,
/// but those with out-of-range or non-finite coordinates (errors
/// E1701-E1703).
fn located(r: &Request) -> Vec<(String, Location)> {
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
    all.retain(|(_, l)| {
        l.lat.is_finite() && l.lon.is_finite() && l.lat.abs() <= 90.0 && l.lon.abs() <= 180.0
    });
    all
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
