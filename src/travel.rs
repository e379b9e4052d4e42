//! Travel times: the contract's formula (haversine via `geo`), precomputed
//! once per travel mode into a dense matrix over the problem's locations, or
//! taken from the request's `travel_matrix` for the modes it lists. Inside
//! the library a mode is a [`TravelMode`]; requests and plans name it by
//! its string ([`MODES`]).

use geo::{Distance, HaversineMeasure, Point};

use crate::model::{Location, MODES, TravelMatrix, TravelSettings};

/// Earth radius of the contract, in metres (6371.0088 km).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in km on the contract's sphere.
pub fn haversine_km(a: Location, b: Location) -> f64 {
    let sphere = HaversineMeasure::new(EARTH_RADIUS_M);
    sphere.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// A travel mode of the contract. The request names modes by string
/// (`travel_mode`, the keys of `speed_kmh`, `leg_overhead_minutes` and
/// `travel_matrix.minutes`), which [`TravelMode::parse`] reads after
/// validation; arrays with one entry per mode are indexed by
/// [`TravelMode::index`], the mode's place in [`TravelMode::ALL`] and
/// [`MODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TravelMode {
    Drive,
    Bike,
    Walk,
}

impl TravelMode {
    /// Every mode, in the contract's order ([`MODES`]).
    pub const ALL: [TravelMode; 3] = [TravelMode::Drive, TravelMode::Bike, TravelMode::Walk];

    /// The mode of a name of the contract (`"drive"`, `"bike"`, `"walk"`).
    pub fn parse(name: &str) -> Option<TravelMode> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The contract's name of the mode.
    pub fn as_str(self) -> &'static str {
        MODES[self.index()]
    }

    /// The mode's entry in arrays with one entry per mode.
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for TravelMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parameters of the formula for one mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeParams {
    pub detour_factor: f64,
    pub speed_kmh: f64,
    pub overhead_minutes: i32,
}

impl ModeParams {
    /// The parameters of `mode` in `settings`.
    pub fn of(settings: &TravelSettings, mode: TravelMode) -> ModeParams {
        let name = mode.as_str();
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

/// One location of the problem: its coordinates and, when the request has a
/// `travel_matrix`, its row in that matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub location: Location,
    pub matrix_row: Option<usize>,
}

/// Dense travel-time matrices (whole minutes), one per mode that is used
/// (by [`TravelMode::index`]).
/// Shared on clone: what-if copies of a problem (extra rounds for the
/// `CAPACITY` reasons, `rota capacity`) do not copy the matrices.
#[derive(Debug, Clone)]
pub struct Travel {
    n: usize,
    matrices: std::sync::Arc<[Vec<i32>; 3]>,
}

impl Travel {
    /// Build the matrices of the modes flagged in `used` (by
    /// [`TravelMode::index`]) over `nodes`.
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
        for mode in TravelMode::ALL {
            if !used[mode.index()] {
                continue;
            }
            let given = matrix.and_then(|m| m.minutes.get(mode.as_str()));
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
            matrices[mode.index()] = m;
        }
        Some(Travel {
            n,
            matrices: std::sync::Arc::new(matrices),
        })
    }

    /// One mode ([`TravelMode::Drive`], the rounds of such readers all use
    /// it) from a dense row-major `n x n` matrix, for readers of other
    /// formats (e.g. Solomon's distances in tenths).
    pub fn from_matrix(n: usize, minutes: Vec<i32>) -> Travel {
        assert_eq!(minutes.len(), n * n, "a square matrix");
        Travel {
            n,
            matrices: std::sync::Arc::new([minutes, Vec::new(), Vec::new()]),
        }
    }

    /// Travel minutes from node `a` to node `b` in `mode`.
    #[inline]
    pub fn time(&self, mode: TravelMode, a: usize, b: usize) -> i32 {
        self.matrices[mode.index()][a * self.n + b]
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

    fn params(mode: TravelMode) -> ModeParams {
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
        assert_eq!(
            formula_minutes(HEREFORD, LEOMINSTER, params(TravelMode::Drive)),
            40
        );
        // bike: 97.81 -> 98, + 1.
        assert_eq!(
            formula_minutes(HEREFORD, LEOMINSTER, params(TravelMode::Bike)),
            99
        );
        // walk: 305.65 -> 306, + 0.
        assert_eq!(
            formula_minutes(HEREFORD, LEOMINSTER, params(TravelMode::Walk)),
            306
        );
    }

    #[test]
    fn identical_locations_take_no_time_even_with_overhead() {
        assert_eq!(
            formula_minutes(HEREFORD, HEREFORD, params(TravelMode::Drive)),
            0
        );
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
        assert_eq!(t.time(TravelMode::Drive, 0, 1), 27); // H -> L is row 1, col 0
        assert_eq!(t.time(TravelMode::Drive, 1, 0), 25);
        assert_eq!(t.time(TravelMode::Walk, 0, 1), 306); // walk: formula
    }

    #[test]
    fn modes_are_named_and_indexed_as_the_contract_lists_them() {
        for (i, m) in TravelMode::ALL.into_iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(m.as_str(), MODES[i]);
            assert_eq!(TravelMode::parse(MODES[i]), Some(m));
            assert_eq!(m.to_string(), MODES[i]);
        }
        assert_eq!(TravelMode::parse("Drive"), None);
        assert_eq!(TravelMode::parse("car"), None);
    }
}
