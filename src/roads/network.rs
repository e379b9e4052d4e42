//! An extract read once, for a long-running service (`rota serve --osm`):
//! the ways and node coordinates stay in memory with the graphs of the
//! three modes at the contract's default speeds, so a job only snaps its
//! locations and computes its matrix. A job with other speeds
//! (`road_speed_kmh`, bike or walk speed) gets graphs built for them from
//! the same ways, kept for the next job (the last few speed sets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::graph::Graph;
use super::osm::{self, OsmData};
use super::profile::Speeds;
use super::{Report, RoadOptions, cache, matrix_with};
use crate::error::RotaError;
use crate::model::{Request, default_speed};
use crate::travel::TravelMode;

/// Graphs kept for speed sets other than the defaults.
const KEPT_GRAPHS: usize = 6;

/// A read extract and its graphs.
pub struct Network {
    pub path: PathBuf,
    /// SHA-256 of the file's content (the cache key's part).
    pub sha256: String,
    data: OsmData,
    graphs: Mutex<Vec<(Speeds, TravelMode, Arc<Graph>)>>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("path", &self.path)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// The speeds of a request that sets none.
pub fn default_speeds() -> Speeds {
    Speeds::new(
        &BTreeMap::new(),
        default_speed("bike").unwrap_or(15.0),
        default_speed("walk").unwrap_or(4.8),
    )
}

impl Network {
    /// Read `path` and build the three graphs at the default speeds.
    pub fn load(path: &Path) -> Result<Network, RotaError> {
        let sha256 = cache::file_hash(path)?;
        let data = osm::read(path)?;
        let speeds = default_speeds();
        let graphs = TravelMode::ALL
            .into_iter()
            .map(|m| (speeds.clone(), m, Arc::new(Graph::build(&data, m, &speeds))))
            .collect();
        Ok(Network {
            path: path.to_path_buf(),
            sha256,
            data,
            graphs: Mutex::new(graphs),
        })
    }

    /// Nodes and edges of the default graph of each mode.
    pub fn sizes(&self) -> Vec<(usize, usize)> {
        let kept = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .take(3)
            .map(|(_, _, g)| (g.node_count(), g.edge_count()))
            .collect()
    }

    /// The graph of `mode` at `speeds`: kept, or built now and kept.
    pub fn graph(&self, mode: TravelMode, speeds: &Speeds) -> Arc<Graph> {
        {
            let kept = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, _, g)) = kept.iter().find(|(s, m, _)| *m == mode && s == speeds) {
                return Arc::clone(g);
            }
        }
        let g = Arc::new(Graph::build(&self.data, mode, speeds));
        let mut kept = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        kept.push((speeds.clone(), mode, Arc::clone(&g)));
        // The three default graphs stay; the oldest others go.
        while kept.len() > 3 + KEPT_GRAPHS {
            kept.remove(3);
        }
        g
    }

    /// [`super::fill_travel_matrix`] on this network: the same matrix, the
    /// same cache.
    pub fn fill(&self, req: &mut Request, opts: &RoadOptions) -> Result<Report, RotaError> {
        let (matrix, report) = self.matrix(req, opts)?;
        req.travel_matrix = Some(matrix);
        Ok(report)
    }

    /// [`Network::fill`]'s matrix and report, leaving `req` as it is.
    pub fn matrix(
        &self,
        req: &Request,
        opts: &RoadOptions,
    ) -> Result<(crate::model::TravelMatrix, Report), RotaError> {
        matrix_with(req, &self.sha256, opts, |speeds, used| {
            Ok(TravelMode::ALL
                .into_iter()
                .map(|m| used[m.index()].then(|| self.graph(m, speeds)))
                .collect())
        })
    }

    /// Bytes a job's matrix computation needs beyond the loaded graphs,
    /// for `places` locations: per mode the road times (8 bytes a pair)
    /// and the minutes (8 bytes a pair), and per thread a distance array
    /// and its touched list over the largest graph (12 bytes a node).
    pub fn job_bytes(&self, places: usize, threads: usize) -> u64 {
        let nodes = self
            .sizes()
            .iter()
            .map(|(n, _)| *n as u64)
            .max()
            .unwrap_or(0);
        let pairs = (places as u64).saturating_mul(places as u64);
        3u64.saturating_mul(pairs.saturating_mul(16))
            .saturating_add((threads as u64).saturating_mul(nodes.saturating_mul(12)))
    }
}
