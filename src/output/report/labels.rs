//! Label placement on the map: a greedy placer that never lets two labels
//! overlap, keeps client labels off other markers, and prefers positions
//! that cross the fewest route segments. Labels are placed in the order
//! given (most important first); one that fits nowhere is left out (its
//! marker keeps a hover title naming it).

/// An axis-aligned box in SVG units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub(super) x0: f64,
    pub(super) y0: f64,
    pub(super) x1: f64,
    pub(super) y1: f64,
}

impl Rect {
    pub(super) fn around(x: f64, y: f64, r: f64) -> Rect {
        Rect {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        }
    }

    pub(super) fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// Does the segment (a, b) cross or touch this box? (Liang-Barsky clip.)
    pub(super) fn hit_by(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// Estimated box of `text` in DejaVu Sans at `size` px, written with its
/// baseline at `y` and anchored at `x` (`anchor`: "start", "middle", "end").
/// DejaVu's glyphs average about 0.62 em (digits 0.64 em); the estimate
/// takes 0.66 em per character so the real text stays inside it, and the
/// font's whole ascent and descent (0.93 and 0.24 em) in height, as the
/// browser's own text box does.
pub(super) fn text_box(text: &str, size: f64, x: f64, y: f64, anchor: &str) -> Rect {
    let w = 0.66 * size * text.chars().count() as f64;
    let x0 = match anchor {
        "middle" => x - w / 2.0,
        "end" => x - w,
        _ => x,
    };
    Rect {
        x0,
        y0: y - 0.95 * size,
        x1: x0 + w,
        y1: y + 0.25 * size,
    }
}

/// One spot a label may take: where its text is written and its box.
#[derive(Clone, Debug)]
pub(super) struct Spot {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) anchor: &'static str,
    pub(super) rect: Rect,
}

/// The eight spots around a marker of radius `r` at (x, y), best first:
/// right, left, above right, below right, above left, below left, above, below.
pub(super) fn spots_around(text: &str, size: f64, x: f64, y: f64, r: f64) -> Vec<Spot> {
    let g = r + 2.0;
    let mid = y + 0.35 * size;
    let cands: [(f64, f64, &'static str); 8] = [
        (x + g, mid, "start"),
        (x - g, mid, "end"),
        (x + g * 0.7, y - g * 0.7, "start"),
        (x + g * 0.7, y + g * 0.7 + 0.95 * size, "start"),
        (x - g * 0.7, y - g * 0.7, "end"),
        (x - g * 0.7, y + g * 0.7 + 0.95 * size, "end"),
        (x, y - g - 0.25 * size, "middle"),
        (x, y + g + 0.95 * size, "middle"),
    ];
    cands
        .iter()
        .map(|&(tx, ty, anchor)| Spot {
            x: tx,
            y: ty,
            anchor,
            rect: text_box(text, size, tx, ty, anchor),
        })
        .collect()
}

/// A uniform grid of boxes, so a query looks only at nearby boxes.
struct Grid {
    cell: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<usize>>,
}

impl Grid {
    fn new(w: f64, h: f64, cell: f64) -> Grid {
        let cols = (w / cell).ceil().max(1.0) as usize;
        let rows = (h / cell).ceil().max(1.0) as usize;
        Grid {
            cell,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
        }
    }

    fn range(&self, r: &Rect) -> (usize, usize, usize, usize) {
        let c = |v: f64, n: usize| ((v / self.cell).floor().max(0.0) as usize).min(n - 1);
        (
            c(r.x0, self.cols),
            c(r.x1, self.cols),
            c(r.y0, self.rows),
            c(r.y1, self.rows),
        )
    }

    fn insert(&mut self, r: &Rect, id: usize) {
        let (cx0, cx1, cy0, cy1) = self.range(r);
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                self.cells[cy * self.cols + cx].push(id);
            }
        }
    }

    /// Ids of the boxes in the cells `r` touches (each once, ascending).
    fn near(&self, r: &Rect) -> Vec<usize> {
        let (cx0, cx1, cy0, cy1) = self.range(r);
        let mut ids = Vec::new();
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                ids.extend_from_slice(&self.cells[cy * self.cols + cx]);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// What a label must avoid: other labels (always), markers (hard for some
/// labels, a cost for others), route segments (a cost) and reserved areas
/// such as the scale bar (always).
pub(super) struct Placer {
    area: Rect,
    labels: Vec<Rect>,
    label_grid: Grid,
    markers: Vec<Rect>,
    marker_grid: Grid,
    segments: Vec<((f64, f64), (f64, f64))>,
    segment_grid: Grid,
    reserved: Vec<Rect>,
}

/// How a label treats markers it would cover.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Markers {
    /// Never cover another marker (client ids).
    Avoid,
    /// Covering one costs as much as crossing this many route segments.
    Cost(usize),
}

impl Placer {
    /// A placer for labels inside `area` (the drawing's visible box).
    pub(super) fn new(area: Rect) -> Placer {
        let (w, h) = (area.x1.max(1.0), area.y1.max(1.0));
        Placer {
            area,
            labels: Vec::new(),
            label_grid: Grid::new(w, h, 48.0),
            markers: Vec::new(),
            marker_grid: Grid::new(w, h, 48.0),
            segments: Vec::new(),
            segment_grid: Grid::new(w, h, 48.0),
            reserved: Vec::new(),
        }
    }

    pub(super) fn reserve(&mut self, r: Rect) {
        self.reserved.push(r);
    }

    pub(super) fn add_marker(&mut self, r: Rect) {
        self.marker_grid.insert(&r, self.markers.len());
        self.markers.push(r);
    }

    /// The segments of one drawn polyline.
    pub(super) fn add_polyline(&mut self, pts: &[(f64, f64)]) {
        for w in pts.windows(2) {
            let bb = Rect {
                x0: w[0].0.min(w[1].0),
                y0: w[0].1.min(w[1].1),
                x1: w[0].0.max(w[1].0),
                y1: w[0].1.max(w[1].1),
            };
            self.segment_grid.insert(&bb, self.segments.len());
            self.segments.push((w[0], w[1]));
        }
    }

    /// The cost of `spot` (None: not allowed). `own` is the label's own
    /// marker, which it may touch.
    fn cost(&self, spot: &Spot, own: Option<&Rect>, markers: Markers) -> Option<usize> {
        let r = &spot.rect;
        if !r.inside(&self.area)
            || self.reserved.iter().any(|q| q.overlaps(r))
            || self
                .label_grid
                .near(r)
                .iter()
                .any(|&i| self.labels[i].overlaps(r))
        {
            return None;
        }
        let covered = self
            .marker_grid
            .near(r)
            .iter()
            .filter(|&&i| Some(&self.markers[i]) != own && self.markers[i].overlaps(r))
            .count();
        let marker_cost = match markers {
            Markers::Avoid if covered > 0 => return None,
            Markers::Avoid => 0,
            Markers::Cost(k) => covered * k,
        };
        let crossed = self
            .segment_grid
            .near(r)
            .iter()
            .filter(|&&i| r.hit_by(self.segments[i].0, self.segments[i].1))
            .count();
        Some(marker_cost + crossed)
    }

    /// Place a label at the cheapest of `spots` (the first among equals), or
    /// nowhere (None) when every spot overlaps a placed label, leaves the
    /// area, or (with [`Markers::Avoid`]) covers another marker.
    pub(super) fn place(
        &mut self,
        spots: Vec<Spot>,
        own: Option<Rect>,
        markers: Markers,
    ) -> Option<Spot> {
        let mut best: Option<(usize, Spot)> = None;
        for s in spots {
            if let Some(c) = self.cost(&s, own.as_ref(), markers)
                && best.as_ref().is_none_or(|(b, _)| c < *b)
            {
                best = Some((c, s));
            }
        }
        let (_, s) = best?;
        self.label_grid.insert(&s.rect, self.labels.len());
        self.labels.push(s.rect);
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area() -> Rect {
        Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 400.0,
            y1: 300.0,
        }
    }

    #[test]
    fn labels_never_overlap_and_crowded_ones_are_left_out() {
        let mut p = Placer::new(area());
        // Forty markers on top of each other: only a few labels fit round them.
        let mut placed = Vec::new();
        for i in 0..40 {
            let m = Rect::around(200.0, 150.0, 4.0);
            p.add_marker(m);
            let spots = spots_around(&format!("P{i:03}"), 9.0, 200.0, 150.0, 4.0);
            if let Some(s) = p.place(spots, Some(m), Markers::Cost(0)) {
                placed.push(s.rect);
            }
        }
        assert!((1..=8).contains(&placed.len()), "{}", placed.len());
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn a_label_avoids_routes_and_markers_and_the_reserved_area() {
        let mut p = Placer::new(area());
        // A route running right of the marker: the label goes left.
        p.add_polyline(&[(206.0, 100.0), (206.0, 200.0), (300.0, 200.0)]);
        let s = p
            .place(
                spots_around("P001", 9.0, 200.0, 150.0, 4.0),
                None,
                Markers::Avoid,
            )
            .unwrap();
        assert_eq!(s.anchor, "end");
        // A marker where the label would go, and a reserved box on the left.
        let mut p = Placer::new(area());
        p.add_marker(Rect::around(215.0, 150.0, 4.0));
        p.reserve(Rect {
            x0: 150.0,
            y0: 140.0,
            x1: 198.0,
            y1: 160.0,
        });
        let s = p
            .place(
                spots_around("P001", 9.0, 200.0, 150.0, 4.0),
                None,
                Markers::Avoid,
            )
            .unwrap();
        assert!(s.y > 150.0 && s.anchor == "start", "{s:?}");
        // Off the drawing: not placed at all.
        let mut p = Placer::new(area());
        assert!(
            p.place(
                spots_around("A-VERY-LONG-LABEL-INDEED", 30.0, 200.0, 2.0, 4.0),
                None,
                Markers::Avoid
            )
            .is_none()
        );
    }

    #[test]
    fn segment_box_test() {
        let r = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        assert!(r.hit_by((-5.0, 5.0), (15.0, 5.0)));
        assert!(r.hit_by((2.0, 2.0), (3.0, 3.0)));
        assert!(!r.hit_by((-5.0, -1.0), (15.0, -1.0)));
        assert!(!r.hit_by((11.0, 0.0), (20.0, 10.0)));
        assert!(r.hit_by((5.0, -5.0), (5.0, 20.0)));
    }
}
