//! Reading an OpenStreetMap `.osm.pbf` extract (`osmpbf`) into the few
//! things routing needs: the ways that carry a `highway` tag (with their
//! tags and node ids), the coordinates of their nodes, and address points
//! (for `rota generate --osm`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use osmpbf::{Element, ElementReader};

use crate::error::{Issue, RotaError};

/// One OSM way: its tags and its node ids, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Way {
    pub id: i64,
    pub tags: Vec<(String, String)>,
    pub nodes: Vec<i64>,
}

impl Way {
    /// The value of tag `key`, if any.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What an extract holds for routing: the ways with a `highway` tag and the
/// coordinates `(lat, lon)` of their nodes; plus address points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsmData {
    pub ways: Vec<Way>,
    pub coords: HashMap<i64, (f64, f64)>,
    /// Points with an `addr:housenumber`: address nodes, and the first node
    /// of address-tagged buildings (their entrance side is not known).
    pub addresses: Vec<(f64, f64)>,
}

fn bad_extract(path: &Path, e: impl std::fmt::Display) -> RotaError {
    RotaError::invalid(Issue::new(
        "E2102",
        "--osm",
        format!("{} is not a readable .osm.pbf extract: {e}", path.display()),
        "give an OpenStreetMap extract in PBF format (a county extract from an OSM download site)",
    ))
}

/// Read the routable ways, their nodes and the address points of `path`,
/// in two passes (ways first, then only the nodes they use).
pub fn read(path: &Path) -> Result<OsmData, RotaError> {
    let mut ways = Vec::new();
    let mut building_first_nodes: Vec<i64> = Vec::new();
    let reader = ElementReader::from_path(path).map_err(|e| bad_extract(path, e))?;
    reader
        .for_each(|el| {
            if let Element::Way(w) = el {
                let mut highway = false;
                let mut addr = false;
                let tags: Vec<(String, String)> = w
                    .tags()
                    .map(|(k, v)| {
                        highway |= k == "highway";
                        addr |= k == "addr:housenumber";
                        (k.to_string(), v.to_string())
                    })
                    .collect();
                if highway {
                    ways.push(Way {
                        id: w.id(),
                        tags,
                        nodes: w.refs().collect(),
                    });
                } else if addr && let Some(first) = w.refs().next() {
                    building_first_nodes.push(first);
                }
            }
        })
        .map_err(|e| bad_extract(path, e))?;
    let mut wanted: HashSet<i64> = ways.iter().flat_map(|w| w.nodes.iter().copied()).collect();
    wanted.extend(building_first_nodes.iter().copied());
    let mut coords = HashMap::with_capacity(wanted.len());
    let mut address_nodes = Vec::new();
    let reader = ElementReader::from_path(path).map_err(|e| bad_extract(path, e))?;
    reader
        .for_each(|el| {
            let (id, lat, lon, addr) = match el {
                Element::Node(n) => (
                    n.id(),
                    n.lat(),
                    n.lon(),
                    n.tags().any(|(k, _)| k == "addr:housenumber"),
                ),
                Element::DenseNode(n) => (
                    n.id(),
                    n.lat(),
                    n.lon(),
                    n.tags().any(|(k, _)| k == "addr:housenumber"),
                ),
                _ => return,
            };
            if wanted.contains(&id) {
                coords.insert(id, (lat, lon));
            }
            if addr {
                address_nodes.push((id, lat, lon));
            }
        })
        .map_err(|e| bad_extract(path, e))?;
    // Deterministic order: by node id.
    address_nodes.sort_by_key(|a| a.0);
    let mut addresses: Vec<(f64, f64)> = address_nodes.iter().map(|a| (a.1, a.2)).collect();
    building_first_nodes.sort_unstable();
    addresses.extend(
        building_first_nodes
            .iter()
            .filter_map(|id| coords.get(id).copied()),
    );
    Ok(OsmData {
        ways,
        coords,
        addresses,
    })
}
