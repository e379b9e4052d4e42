//! Travel times: the contract's formula (haversine via `geo`), precomputed
//! once per travel mode into a dense matrix over the problem's locations, or
//! taken from the request's `travel_matrix` for the modes it lists.

use geo::{Distance, HaversineMeasure, Point};

use crate::model::{Location, MODES, TravelMatrix, TravelSettings};

/// Earth radius of the contract, in metres (6371.0088 km).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in km on the contract's sphere.
pub fn haversine_km(a: Location, b: Location) -> f64 {
    let sphere = HaversineMeasure::new(EARTH_RADIUS_M);
    sphere.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// Parameters of the formula for one mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeParams {
    pub detour_factor: f64,
    pub speed_kmh: f64,
    pub overhead_minutes: i32,
}

impl ModeParams {
    /// The parameters of `mode` (an index into [`MODES`]) in `settings`.
    pub fn of(settings: &TravelSettings, mode: usize) -> ModeParams {
        let name = MODES[mode];
        ModeParams {
            detour_factor: settings.detour_factor,
            speed_kmh: settings.speed(name).unwrap_or(1.0),
            overhead_minutes: settings.overhead(name).unwrap_or(0) as i32,
        }
    }
}

/// `ceil(60 * haversine_km * detour / speed) + overhead`, 0 for identical
/// locations; `ceil` tolerates floating-point noise of 1e-9.
pub fn formula_minutes(a: Location, b: Location, p: ModeParams) -> i32 {
    if a == b {
        return 0;
    }
    let raw = 60.0 * haversine_km(a, b) * p.detour_factor / p.speed_kmh;
    let minutes = (raw - 1e-9).ceil().max(0.0);
    // Saturate rather than overflow on absurd inputs (validation rejects them).
    let minutes = if minutes.is_finite() {
        minutes.min(1e6) as i32
    } else {
        1_000_000
    };
    minutes + p.overhead_minutes
}

/// Mode index of a mode name.
pub fn mode_index(name: &str) -> Option<usize> {
    MODES.iter().position(|m| *m == name)
}

/// One location of the problem: its coordinates and, when the request has a
/// `travel_matrix`, its row in that matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub location: Location,
    pub matrix_row: Option<usize>,
}

/// Dense travel-time matrices (whole minutes), one per mode that is used.
/// Shared on clone: what-if copies of a problem (extra rounds for the
/// `CAPACITY` reasons, `rota capacity`) do not copy the matrices.
#[derive(Debug, Clone)]
pub struct Travel {
    n: usize,
    matrices: std::sync::Arc<[Vec<i32>; 3]>,
}

impl Travel {
    /// Build the matrices of the modes flagged in `used` over `nodes`.
    pub fn build(
        nodes: &[Node],
        settings: &TravelSettings,
        matrix: Option<&TravelMatrix>,
        used: [bool; 3],
    ) -> Travel {
        match Travel::build_until(nodes, settings, matrix, used, &|| false) {
            Some(t) => t,
            None => unreachable!("a build that is never stopped ends"),
        }
    }

    /// [`Travel::build`], giving up (`None`) as soon as `stop` says so; it
    /// is asked once per row of each matrix (a large day's matrices take
    /// seconds to fill).
    pub fn build_until(
        nodes: &[Node],
        settings: &TravelSettings,
        matrix: Option<&TravelMatrix>,
        used: [bool; 3],
        stop: &dyn Fn() -> bool,
    ) -> Option<Travel> {
        let n = nodes.len();
        let mut matrices: [Vec<i32>; 3] = Default::default();
        for (mode, slot) in matrices.iter_mut().enumerate() {
            if !used[mode] {
                continue;
            }
            let given = matrix.and_then(|m| m.minutes.get(MODES[mode]));
            let params = ModeParams::of(settings, mode);
            let mut m = vec![0i32; n * n];
            for (i, a) in nodes.iter().enumerate() {
                if stop() {
                    return None;
                }
                for (j, b) in nodes.iter().enumerate() {
                    m[i * n + j] = match (given, a.matrix_row, b.matrix_row) {
                        (Some(g), Some(ri), Some(rj)) => {
                            // Anything beyond a day is as good as unreachable; saturate so
                            // sums of legs cannot overflow.
                            g[ri][rj].clamp(0, 1_000_000) as i32
                        }
                        _ => formula_minutes(a.location, b.location, params),
                    };
                }
            }
            *slot = m;
        }
        Some(Travel {
            n,
            matrices: std::sync::Arc::new(matrices),
        })
    }

    /// One mode (index 0) from a dense row-major `n x n` matrix, for readers
    /// of other formats (e.g. Solomon's distances in tenths).
    pub fn from_matrix(n: usize, minutes: Vec<i32>) -> Travel {
        assert_eq!(minutes.len(), n * n, "a square matrix");
        Travel {
            n,
            matrices: std::sync::Arc::new([minutes, Vec::new(), Vec::new()]),
        }
    }

    /// Travel minutes from node `a` to node `b` in `mode`.
    #[inline]
    pub fn time(&self, mode: usize, a: usize, b: usize) -> i32 {
        self.matrices[mode][a * self.n + b]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
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

    fn params(mode: usize) -> ModeParams {
        ModeParams::of(&TravelSettings::default(), mode)
    }

    #[test]
    fn haversine_hereford_leominster() {
        // 18.81 km as the crow flies (independently: R * 2 asin(sqrt(h))).
        let d = haversine_km(HEREFORD, LEOMINSTER);
        assert!((d - 18.8091).abs() < 1e-3, "{d}");
    }

    #[test]
    fn formula_pinned_on_hereford_leominster() {
        // drive: 60 * 18.8091 * 1.3 / 40 = 36.68 -> 37, + 3 overhead.
        assert_eq!(formula_minutes(HEREFORD, LEOMINSTER, params(0)), 40);
        // bike: 97.81 -> 98, + 1.
        assert_eq!(formula_minutes(HEREFORD, LEOMINSTER, params(1)), 99);
        // walk: 305.65 -> 306, + 0.
        assert_eq!(formula_minutes(HEREFORD, LEOMINSTER, params(2)), 306);
    }

    #[test]
    fn identical_locations_take_no_time_even_with_overhead() {
        assert_eq!(formula_minutes(HEREFORD, HEREFORD, params(0)), 0);
    }

    #[test]
    fn ceil_tolerates_float_noise() {
        // A distance that gives exactly 6 minutes on foot up to float noise
        // must not round up to 7.
        let p = ModeParams {
            detour_factor: 1.0,
            speed_kmh: 60.0,
            overhead_minutes: 0,
        };
        // 6 km due north: 6 / (R * pi / 180) degrees.
        let deg = 6.0 / (EARTH_RADIUS_M / 1000.0 * std::f64::consts::PI / 180.0);
        let b = Location { lat: deg, lon: 0.0 };
        let a = Location { lat: 0.0, lon: 0.0 };
        assert_eq!(formula_minutes(a, b, p), 6);
    }

    #[test]
    fn matrix_overrides_listed_mode_only() {
        let nodes = [
            Node {
                location: HEREFORD,
                matrix_row: Some(1),
            },
            Node {
                location: LEOMINSTER,
                matrix_row: Some(0),
            },
        ];
        let mut minutes = std::collections::BTreeMap::new();
        minutes.insert("drive".to_string(), vec![vec![0, 25], vec![27, 0]]);
        let tm = TravelMatrix {
            refs: vec!["L".into(), "H".into()],
            minutes,
        };
        let t = Travel::build(
            &nodes,
            &TravelSettings::default(),
            Some(&tm),
            [true, false, true],
        );
        assert_eq!(t.time(0, 0, 1), 27); // H -> L is row 1, col 0
        assert_eq!(t.time(0, 1, 0), 25);
        assert_eq!(t.time(2, 0, 1), 306); // walk: formula
    }
}
