//! `rota generate --osm`: move a generated day onto an extract. Clients go
//! to the extract's addresses (address nodes and address-tagged buildings),
//! carer bases to road points near the extract's edges (a base in the
//! middle of a small area would make every journey short).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::graph::Graph;
use super::osm::OsmData;
use super::profile::Speeds;
use crate::error::{Issue, RotaError};
use crate::model::{Location, Request};
use crate::travel::TravelMode;

/// Put `req`'s clients at addresses of `data` (distinct while there are
/// enough, seeded by `seed`) and its carers' starts (and ends) at walkable
/// road nodes of the main network nearest to the 8 points around the
/// extract's border (corners and mid-sides), in turn.
pub fn place_on_extract(req: &mut Request, data: &OsmData, seed: u64) -> Result<(), RotaError> {
    let speeds = Speeds::new(&Default::default(), 15.0, 4.8);
    // Walkable and driveable: the main component of the drive graph.
    let g = Graph::build(data, TravelMode::Drive, &speeds);
    let main: Vec<(f64, f64)> = (0..g.node_count())
        .filter(|v| g.component[*v] == g.main_component)
        .map(|v| g.coords[v])
        .collect();
    if main.is_empty() {
        return Err(RotaError::invalid(Issue::new(
            "E2102",
            "--osm",
            "the extract has no driveable roads to place a day on",
            "give an extract with a road network",
        )));
    }
    let mut addresses = data.addresses.clone();
    if addresses.is_empty() {
        // No addresses tagged: road nodes stand in for them.
        addresses = main.clone();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    addresses.shuffle(&mut rng);
    for (i, c) in req.clients.iter_mut().enumerate() {
        let (lat, lon) = addresses[i % addresses.len()];
        c.location = Location { lat, lon };
    }
    let (mut s, mut w, mut n, mut e) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (lat, lon) in &main {
        s = s.min(*lat);
        n = n.max(*lat);
        w = w.min(*lon);
        e = e.max(*lon);
    }
    let (mlat, mlon) = ((s + n) / 2.0, (w + e) / 2.0);
    let anchors = [
        (s, w),
        (n, e),
        (s, e),
        (n, w),
        (mlat, w),
        (mlat, e),
        (s, mlon),
        (n, mlon),
    ];
    let bases: Vec<Location> = anchors
        .iter()
        .map(|(alat, alon)| {
            let best = main
                .iter()
                .min_by(|a, b| {
                    let da =
                        (a.0 - alat).powi(2) + ((a.1 - alon) * mlat.to_radians().cos()).powi(2);
                    let db =
                        (b.0 - alat).powi(2) + ((b.1 - alon) * mlat.to_radians().cos()).powi(2);
                    da.total_cmp(&db)
                })
                .copied()
                .unwrap_or((mlat, mlon));
            Location {
                lat: best.0,
                lon: best.1,
            }
        })
        .collect();
    for (i, c) in req.carers.iter_mut().enumerate() {
        let base = bases[i % bases.len()];
        c.start_location = base;
        c.end_location = None;
    }
    Ok(())
}

/// [`place_on_extract`] with the extract read from `path`.
pub fn place_on_file(
    req: &mut Request,
    path: &std::path::Path,
    seed: u64,
) -> Result<(), RotaError> {
    place_on_extract(req, &super::osm::read(path)?, seed)
}
