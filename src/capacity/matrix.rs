//! `rota capacity` on a request with a `travel_matrix` (its own, or one
//! filled from roads by `--osm`): every hypothetical client and round is
//! placed at a location the matrix already has and gets a copy of that
//! location's row and column, so each hypothetical request is complete
//! (no E1606) and its journeys are the matrix's own times.

use crate::model::{Client, Location, Request, TravelMatrix};

/// Give `new_ref` the row and column of `from_ref` in every mode: the two
/// are the same place, 0 minutes apart. False (nothing changed) when
/// `from_ref` has no row.
pub fn copy_ref(m: &mut TravelMatrix, new_ref: &str, from_ref: &str) -> bool {
    let Some(i) = m.refs.iter().position(|r| r == from_ref) else {
        return false;
    };
    m.refs.push(new_ref.to_string());
    for rows in m.minutes.values_mut() {
        for row in rows.iter_mut() {
            let v = row.get(i).copied().unwrap_or(0);
            row.push(v);
        }
        if let Some(row) = rows.get(i).cloned() {
            rows.push(row);
        }
    }
    true
}

/// The client living nearest `at` (ties: the lower id).
pub fn nearest_client(req: &Request, at: Location) -> Option<&Client> {
    let d = |c: &Client| {
        let dx = (c.location.lon - at.lon) * at.lat.to_radians().cos();
        (c.location.lat - at.lat).powi(2) + dx * dx
    };
    req.clients
        .iter()
        .min_by(|a, b| d(a).total_cmp(&d(b)).then(a.id.cmp(&b.id)))
}

/// Rows for hypothetical clients that live at existing clients' homes
/// (`new_clients` places them so): each copies the row of the first client
/// of `req` at its location.
pub fn add_clients(m: &mut TravelMatrix, req: &Request, new: &[Client]) {
    for c in new {
        if let Some(home) = req.clients.iter().find(|h| h.location == c.location) {
            copy_ref(m, &c.id, &home.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copied_ref_is_the_same_place() {
        let mut m = TravelMatrix {
            refs: vec!["A".into(), "B".into()],
            minutes: [("drive".to_string(), vec![vec![0, 5], vec![7, 0]])].into(),
        };
        assert!(copy_ref(&mut m, "N", "B"));
        assert!(!copy_ref(&mut m, "X", "nobody"));
        assert_eq!(m.refs, ["A", "B", "N"]);
        assert_eq!(
            m.minutes["drive"],
            vec![vec![0, 5, 5], vec![7, 0, 0], vec![7, 0, 0]]
        );
    }
}
