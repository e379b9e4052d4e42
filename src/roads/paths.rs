//! Road paths of a plan's rounds, for the report's map (`rota report --osm`):
//! each leg along its shortest path in the round's mode.

use std::path::Path;

use super::graph::Graph;
use super::matrix::path_polyline;
use super::{RoadOptions, osm, speeds_of};
use crate::error::RotaError;
use crate::model::{Location, Plan, Request, Stop};
use crate::travel::TravelMode;

/// One polyline per round of `plan` (in plan order): the carer's start, each
/// visit's client, the end, joined leg by leg along the road path (a
/// straight line where a leg has no path or a location does not snap).
pub fn round_paths(
    req: &Request,
    plan: &Plan,
    osm_path: &Path,
    opts: &RoadOptions,
) -> Result<Vec<Vec<Location>>, RotaError> {
    let speeds = speeds_of(req)?;
    let data = osm::read(osm_path)?;
    let mut graphs: [Option<Graph>; 3] = Default::default();
    let mut out = Vec::with_capacity(plan.rounds.len());
    for round in &plan.rounds {
        let mut stops: Vec<Location> = Vec::new();
        let carer = req.carers.iter().find(|c| c.id == round.carer);
        if let Some(c) = carer {
            stops.push(c.start_location);
        }
        for s in &round.stops {
            if let Stop::Visit(v) = s
                && let Some(c) = req.clients.iter().find(|c| c.id == v.client)
            {
                stops.push(c.location);
            }
        }
        if let Some(c) = carer {
            stops.push(c.end());
        }
        let Some(mode) = TravelMode::parse(&round.travel_mode) else {
            out.push(stops);
            continue;
        };
        let g = graphs[mode.index()].get_or_insert_with(|| Graph::build(&data, mode, &speeds));
        let mut line = vec![];
        for leg in stops.windows(2) {
            line.push(leg[0]);
            let a = g
                .snap(leg[0], opts.snap_limit_m)
                .filter(|s| s.off_m <= opts.snap_limit_m);
            let b = g
                .snap(leg[1], opts.snap_limit_m)
                .filter(|s| s.off_m <= opts.snap_limit_m);
            if let (Some(a), Some(b)) = (a, b)
                && let Some(p) = path_polyline(g, &a, &b)
            {
                line.extend(p.into_iter().map(|(lat, lon)| Location { lat, lon }));
            }
        }
        if let Some(last) = stops.last() {
            line.push(*last);
        }
        out.push(line);
    }
    Ok(out)
}
