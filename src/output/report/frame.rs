//! The map's frame, robust to outliers: it is fitted to the locations near
//! the bulk of the day, and a location far from the rest (a typo, a client
//! in another county) is pinned to the map's edge and named in an
//! "Outside the map" list instead of squashing everything else into a
//! corner. The [`Projection`] fitted to that frame is here too: the map
//! and the frame both use it, and the frame owns the fitting.

use super::{MAP_MARGIN, MAP_W};
use crate::model::Location;
use crate::travel::haversine_km;

/// A location is in the frame's core when it is within this many times the
/// 90th-percentile distance from the median point ...
const SPREAD_FACTOR: f64 = 3.0;
/// ... or within this many km of it (a compact day keeps all its points).
const MIN_CORE_KM: f64 = 5.0;

/// The median point (median latitude, median longitude) of `points`.
pub(super) fn median_point(points: &[Location]) -> Option<Location> {
    if points.is_empty() {
        return None;
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    Some(Location {
        lat: med(points.iter().map(|p| p.lat).collect()),
        lon: med(points.iter().map(|p| p.lon).collect()),
    })
}

/// The points the frame is fitted to: those within
/// max([`SPREAD_FACTOR`] x the 90th-percentile distance, [`MIN_CORE_KM`])
/// of the median point.
pub(super) fn core(points: &[Location]) -> Vec<Location> {
    let Some(mid) = median_point(points) else {
        return Vec::new();
    };
    let mut d: Vec<f64> = points.iter().map(|&p| haversine_km(mid, p)).collect();
    let all = d.clone();
    d.sort_by(f64::total_cmp);
    let q90 = d[((0.9 * d.len() as f64).ceil() as usize).clamp(1, d.len()) - 1];
    let limit = (SPREAD_FACTOR * q90).max(MIN_CORE_KM);
    points
        .iter()
        .zip(all)
        .filter(|&(_, km)| km <= limit)
        .map(|(&p, _)| p)
        .collect()
}

/// Equirectangular projection (longitude scaled by cos of the mid latitude)
/// fitted into the SVG viewport.
pub(super) struct Projection {
    lat_max: f64,
    lon_min: f64,
    cos0: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
    pub(super) height: f64,
    lat0: f64,
}

impl Projection {
    pub(super) fn fit(points: &[Location]) -> Projection {
        let (mut lat_min, mut lat_max, mut lon_min, mut lon_max) =
            (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        for p in points {
            lat_min = lat_min.min(p.lat);
            lat_max = lat_max.max(p.lat);
            lon_min = lon_min.min(p.lon);
            lon_max = lon_max.max(p.lon);
        }
        if points.is_empty() {
            (lat_min, lat_max, lon_min, lon_max) = (52.0565, 52.0565, -2.7160, -2.7160);
        }
        // A degenerate box (one place) still gets a sensible extent.
        let pad = 0.005;
        if lat_max - lat_min < 2.0 * pad {
            let mid = (lat_max + lat_min) / 2.0;
            (lat_min, lat_max) = (mid - pad, mid + pad);
        }
        let lat0 = (lat_min + lat_max) / 2.0;
        let cos0 = lat0.to_radians().cos().max(0.01);
        if (lon_max - lon_min) * cos0 < 2.0 * pad {
            let mid = (lon_max + lon_min) / 2.0;
            (lon_min, lon_max) = (mid - pad / cos0, mid + pad / cos0);
        }
        let dx = (lon_max - lon_min) * cos0;
        let dy = lat_max - lat_min;
        let inner_w = MAP_W - 2.0 * MAP_MARGIN;
        let height = (2.0 * MAP_MARGIN + inner_w * dy / dx).clamp(320.0, 900.0);
        let inner_h = height - 2.0 * MAP_MARGIN;
        let scale = (inner_w / dx).min(inner_h / dy);
        Projection {
            lat_max,
            lon_min,
            cos0,
            scale,
            off_x: MAP_MARGIN + (inner_w - dx * scale) / 2.0,
            off_y: MAP_MARGIN + (inner_h - dy * scale) / 2.0,
            height,
            lat0,
        }
    }

    pub(super) fn xy(&self, p: Location) -> (f64, f64) {
        (
            self.off_x + (p.lon - self.lon_min) * self.cos0 * self.scale,
            self.off_y + (self.lat_max - p.lat) * self.scale,
        )
    }

    /// Kilometres per SVG unit along the parallel at the map's latitude.
    pub(super) fn km_per_unit(&self) -> f64 {
        let a = Location {
            lat: self.lat0,
            lon: self.lon_min,
        };
        let b = Location {
            lat: self.lat0,
            lon: self.lon_min + 1.0 / self.cos0,
        };
        haversine_km(a, b) / self.scale
    }
}

/// How locations become SVG coordinates: the main map (points outside the
/// frame pinned to its edge) or an inset (the main map's box `(ox, oy)`
/// onwards magnified `k` times, nothing pinned).
pub(super) struct View<'p> {
    pub(super) pr: &'p Projection,
    pub(super) ox: f64,
    pub(super) oy: f64,
    pub(super) k: f64,
    pub(super) w: f64,
    pub(super) h: f64,
    pub(super) pin: bool,
}

impl View<'_> {
    pub(super) fn main(pr: &Projection) -> View<'_> {
        View {
            pr,
            ox: 0.0,
            oy: 0.0,
            k: 1.0,
            w: MAP_W,
            h: pr.height,
            pin: true,
        }
    }

    /// Is `p` outside the main map's frame (the fitted box plus a small
    /// tolerance)?
    pub(super) fn off_frame(pr: &Projection, p: Location) -> bool {
        let (x, y) = pr.xy(p);
        let t = 1.0;
        x < MAP_MARGIN - t
            || x > MAP_W - MAP_MARGIN + t
            || y < MAP_MARGIN - t
            || y > pr.height - MAP_MARGIN + t
    }

    /// Where `p` is drawn. On the main map a point off the frame is moved
    /// along the line from the map's centre to the edge band.
    pub(super) fn xy(&self, p: Location) -> (f64, f64) {
        let (x, y) = self.pr.xy(p);
        if self.pin && Self::off_frame(self.pr, p) {
            return self.pinned(x, y);
        }
        ((x - self.ox) * self.k, (y - self.oy) * self.k)
    }

    fn pinned(&self, x: f64, y: f64) -> (f64, f64) {
        let (cx, cy) = (self.w / 2.0, self.h / 2.0);
        let (hx, hy) = (cx - MAP_MARGIN * 0.5, cy - MAP_MARGIN * 0.5);
        let (dx, dy) = (x - cx, y - cy);
        let t = (hx / dx.abs().max(1e-9))
            .min(hy / dy.abs().max(1e-9))
            .min(1.0);
        (cx + dx * t, cy + dy * t)
    }

    /// Kilometres per SVG unit in this view.
    pub(super) fn km_per_unit(&self) -> f64 {
        self.pr.km_per_unit() / self.k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> Location {
        Location { lat, lon }
    }

    #[test]
    fn the_core_leaves_out_a_far_point_only() {
        let mut pts: Vec<Location> = (0..40)
            .map(|i| at(52.0 + 0.004 * i as f64, -2.7 + 0.006 * (i % 7) as f64))
            .collect();
        assert_eq!(core(&pts).len(), 40);
        pts.push(at(56.5, -2.7)); // about 500 km north
        let c = core(&pts);
        assert_eq!(c.len(), 40);
        assert!(c.iter().all(|p| p.lat < 53.0));
        // A fitted projection of the core: the far point is off the frame,
        // pinned inside the drawing; the others are where they are.
        let pr = Projection::fit(&c);
        let v = View::main(&pr);
        assert!(View::off_frame(&pr, pts[40]));
        let (x, y) = v.xy(pts[40]);
        assert!((0.0..=MAP_W).contains(&x) && (0.0..=pr.height).contains(&y));
        assert!(y <= MAP_MARGIN * 0.5 + 0.01, "pinned to the top edge: {y}");
        assert!(!View::off_frame(&pr, pts[3]));
        assert_eq!(v.xy(pts[3]), pr.xy(pts[3]));
    }

    #[test]
    fn a_compact_day_keeps_every_point() {
        // Everything within 3 km: nothing is left out however it is spread.
        let pts = [at(52.05, -2.71), at(52.06, -2.72), at(52.07, -2.70)];
        assert_eq!(core(&pts).len(), 3);
        assert!(core(&[]).is_empty());
        assert_eq!(median_point(&pts), Some(at(52.06, -2.71)));
    }
}
