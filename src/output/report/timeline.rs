//! The timeline: one Gantt row per round (travel, waiting, care, breaks),
//! double-up pairs and visits that start together outlined and linked,
//! and a legend.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{
    Ctx, PAIR_COLOURS, TL_AXIS, TL_LABEL, TL_ROW, TL_W, escape, has_visits, hhmm, hhmm_min,
};
use crate::model::{Round, Stop, VisitStop, minutes_of_day};

/// One block of a timeline row.
struct Block {
    from: i32,
    to: i32,
    kind: &'static str,
    label: String,
    title: String,
    pair: Option<usize>,
}

/// The blocks of one round's row: travel, waiting, care, breaks and the return leg.
fn round_blocks(r: &Round, pairs: &BTreeMap<(String, i32), usize>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut stop_travel: u32 = 0;
    for s in &r.stops {
        match s {
            Stop::Visit(v) => {
                let arrive = minutes_of_day(v.arrive);
                let start = minutes_of_day(v.start);
                let end = minutes_of_day(v.end);
                stop_travel += v.travel_minutes;
                if v.travel_minutes > 0 {
                    blocks.push(Block {
                        from: arrive - v.travel_minutes as i32,
                        to: arrive,
                        kind: "travel",
                        label: String::new(),
                        title: format!(
                            "travel {} min to {}, arrive {}",
                            v.travel_minutes,
                            v.client,
                            hhmm(v.arrive)
                        ),
                        pair: None,
                    });
                }
                if start > arrive {
                    blocks.push(Block {
                        from: arrive,
                        to: start,
                        kind: "wait",
                        label: String::new(),
                        title: format!("waiting {} min at {}", start - arrive, v.client),
                        pair: None,
                    });
                }
                let pair = pair_key(v).and_then(|k| pairs.get(&k).copied());
                let mut title = format!(
                    "{} visit {} {}-{}",
                    v.client,
                    v.visit,
                    hhmm(v.start),
                    hhmm(v.end)
                );
                if !v.with.is_empty() {
                    let _ = write!(title, ", double-up with {}", v.with.join(", "));
                }
                if let Some(w) = &v.starts_with {
                    let _ = write!(title, ", starts together with {} ({})", w.carer, w.visit);
                }
                if let Some(late) = v.late_minutes {
                    let _ = write!(title, ", {late} min late");
                }
                blocks.push(Block {
                    from: start,
                    to: end,
                    kind: "care",
                    label: v.client.clone(),
                    title,
                    pair,
                });
            }
            Stop::Break(b) => {
                blocks.push(Block {
                    from: minutes_of_day(b.start),
                    to: minutes_of_day(b.end),
                    kind: "break",
                    label: "break".into(),
                    title: format!("break {}-{}", hhmm(b.start), hhmm(b.end)),
                    pair: None,
                });
            }
        }
    }
    if let (Some(ret), true) = (r.return_time, has_visits(r)) {
        let ret = minutes_of_day(ret);
        let back = r.travel_minutes.saturating_sub(stop_travel) as i32;
        if back > 0 {
            blocks.push(Block {
                from: ret - back,
                to: ret,
                kind: "travel",
                label: String::new(),
                title: format!("return {back} min, back at {}", hhmm_min(ret)),
                pair: None,
            });
        }
    }
    blocks
}

/// Estimated width of `text` in DejaVu Sans at `size` px: 0.66 em a
/// character (a little over its digits' and capitals' average), 1 em for
/// the ellipsis.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c == '\u{2026}' { 1.0 } else { 0.66 })
        .sum::<f64>()
        * size
}

/// `text` or, when it is wider than `room`, an ellipsis and as many of its
/// last characters as fit (ids differ most at their end: P0012, P0013);
/// None when fewer than two would.
fn tail_fit(text: &str, size: f64, room: f64) -> Option<String> {
    if text_width(text, size) <= room {
        return Some(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let n = ((room - size) / (0.66 * size)).floor().max(0.0) as usize;
    if n < 2 {
        return None;
    }
    let tail: String = chars[chars.len() - n.min(chars.len())..].iter().collect();
    Some(format!("\u{2026}{tail}"))
}

/// A block's label that fits its width `bw` (2 px spare), with its font
/// size: the whole text at 9 px, else at 7 px, else shortened at 7 px
/// ([`tail_fit`]). The block's tooltip always has the whole id.
fn fit_label(label: &str, bw: f64) -> Option<(String, f64)> {
    if label.is_empty() {
        return None;
    }
    let room = bw - 2.0;
    if text_width(label, 9.0) <= room {
        return Some((label.to_string(), 9.0));
    }
    tail_fit(label, 7.0, room).map(|t| (t, 7.0))
}

/// Horizontal scale of the timeline: minute `lo` at the label edge, `px` pixels a minute.
#[derive(Clone, Copy)]
struct Scale {
    lo: i32,
    px: f64,
}

impl Scale {
    /// The x coordinate of minute-of-day `m`.
    fn x(&self, m: i32) -> f64 {
        TL_LABEL + (m - self.lo) as f64 * self.px
    }
}

/// The key that pairs a stop with its partners: a double-up's (visit id,
/// start); for two visits that start together (docs/format.md), the first
/// of their two ids and the start; `None` for a call done alone.
fn pair_key(v: &VisitStop) -> Option<(String, i32)> {
    let start = minutes_of_day(v.start);
    if !v.with.is_empty() {
        Some((v.visit.clone(), start))
    } else {
        v.starts_with
            .as_ref()
            .map(|w| (v.visit.as_str().min(w.visit.as_str()).to_string(), start))
    }
}

/// Double-up pairs and visits that start together: key ([`pair_key`]) ->
/// pair index, in plan order.
fn pair_index(rounds: &[Round]) -> BTreeMap<(String, i32), usize> {
    let mut pairs: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for r in rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s
                && let Some(k) = pair_key(v)
            {
                let n = pairs.len();
                pairs.entry(k).or_insert(n);
            }
        }
    }
    pairs
}

/// The whole-hour span (lo, hi) covering every shift and block.
fn hour_span(rounds: &[Round], all_blocks: &[Vec<Block>]) -> (i32, i32) {
    let mut lo = i32::MAX;
    let mut hi = i32::MIN;
    for (r, bl) in rounds.iter().zip(all_blocks) {
        lo = lo.min(minutes_of_day(r.shift.start));
        hi = hi.max(minutes_of_day(r.shift.end));
        for b in bl {
            lo = lo.min(b.from);
            hi = hi.max(b.to);
        }
    }
    if lo > hi {
        (lo, hi) = (7 * 60, 22 * 60);
    }
    let lo = (lo.div_euclid(60)) * 60;
    let hi = ((hi + 59).div_euclid(60)) * 60;
    let hi = hi.max(lo + 60);
    (lo, hi)
}

/// Writes the hours axis and its grid lines.
fn write_axis(out: &mut String, sc: Scale, hi: i32, height: f64) {
    out.push_str("<g class=\"axis\">\n");
    let mut h = sc.lo;
    while h <= hi {
        let _ = writeln!(
            out,
            "<line x1=\"{gx:.1}\" y1=\"{y1}\" x2=\"{gx:.1}\" y2=\"{height:.0}\" stroke=\"#ddd\"/><text x=\"{gx:.1}\" y=\"14\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
            hhmm_min(h),
            gx = sc.x(h),
            y1 = TL_AXIS - 4.0
        );
        h += 60;
    }
    out.push_str("</g>\n");
}

/// Writes one round's row: background, name, shift outline and its blocks.
fn write_row(
    out: &mut String,
    ctx: &Ctx,
    sc: Scale,
    i: usize,
    r: &Round,
    bl: &[Block],
    pair_ys: &mut BTreeMap<usize, Vec<(f64, f64)>>,
) {
    let y = TL_AXIS + TL_ROW * i as f64;
    let col = ctx.colour(i);
    let _ = writeln!(out, "<g class=\"timeline-row\"{}>", ctx.data_attrs(r));
    if i % 2 == 1 {
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"{y:.1}\" width=\"{TL_W}\" height=\"{TL_ROW}\" fill=\"#f6f6f6\"/>"
        );
    }
    let name = ctx.round_name(r);
    let _ = write!(
        out,
        "<rect x=\"4\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{col}\"/><text class=\"round-name\" x=\"18\" y=\"{:.1}\" font-size=\"11\">",
        y + 7.0,
        y + 16.0,
    );
    // The round's name and mode in the label column; a long name drops the
    // mode, then loses its first characters (the whole name in a tooltip).
    let room = TL_LABEL - 18.0 - 4.0;
    let both = format!("{name} {}", r.travel_mode);
    if text_width(&both, 11.0) <= room {
        let _ = write!(
            out,
            "{} <tspan fill=\"#777\">{}</tspan>",
            escape(&name),
            escape(&r.travel_mode)
        );
    } else {
        let short = tail_fit(&name, 11.0, room).unwrap_or_default();
        let _ = write!(out, "{}", escape(&short));
    }
    let _ = writeln!(
        out,
        "<title>{} ({})</title></text>",
        escape(&name),
        escape(&r.travel_mode)
    );
    // The shift.
    let (s0, s1) = (minutes_of_day(r.shift.start), minutes_of_day(r.shift.end));
    let _ = writeln!(
        out,
        "<rect class=\"shift\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"3 2\"><title>shift {}-{}</title></rect>",
        sc.x(s0),
        y + 3.0,
        (s1 - s0).max(0) as f64 * sc.px,
        TL_ROW - 6.0,
        hhmm(r.shift.start),
        hhmm(r.shift.end)
    );
    if !has_visits(r) {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#999\" font-style=\"italic\">no visits</text>",
            sc.x(s0) + 4.0,
            y + 16.0
        );
    }
    for b in bl {
        write_block(out, sc, y, col, b, pair_ys);
    }
    out.push_str("</g>\n");
}

/// Writes one block of a row at height `y`, noting where a double-up's half sits.
fn write_block(
    out: &mut String,
    sc: Scale,
    y: f64,
    col: &str,
    b: &Block,
    pair_ys: &mut BTreeMap<usize, Vec<(f64, f64)>>,
) {
    let bx = sc.x(b.from);
    let bw = ((b.to - b.from).max(0) as f64 * sc.px).max(1.0);
    let (by, bh, style) = match b.kind {
        "travel" => (
            y + 8.0,
            TL_ROW - 16.0,
            format!("fill=\"{col}\" opacity=\"0.45\""),
        ),
        "wait" => (y + 10.0, TL_ROW - 20.0, "fill=\"#c8c8c8\"".to_string()),
        "break" => (y + 5.0, TL_ROW - 10.0, "fill=\"#f2b441\"".to_string()),
        _ => {
            let stroke = match b.pair {
                Some(p) => format!(
                    " stroke=\"{}\" stroke-width=\"2.5\"",
                    PAIR_COLOURS[p % PAIR_COLOURS.len()]
                ),
                None => String::new(),
            };
            (y + 3.0, TL_ROW - 6.0, format!("fill=\"{col}\"{stroke}"))
        }
    };
    let client = if b.kind == "care" {
        format!(" data-client=\"{}\"", escape(&b.label))
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<g class=\"{}\"{client}><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" {style}/>",
        b.kind
    );
    // Care blocks name their client, shortened if need be; other blocks
    // show their word only when it fits whole.
    let fitted = match fit_label(&b.label, bw) {
        Some((t, size)) if b.kind == "care" || t == b.label => Some((t, size)),
        _ => None,
    };
    if let Some((text, size)) = fitted {
        let fill = if b.kind == "care" { "#fff" } else { "#333" };
        let _ = write!(
            out,
            "<text class=\"block-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{fill}\" font-size=\"{size}\">{}</text>",
            bx + bw / 2.0,
            y + 12.0 + 0.35 * size,
            escape(&text)
        );
    }
    if let Some(p) = b.pair {
        pair_ys
            .entry(p)
            .or_default()
            .push((bx + bw / 2.0, y + TL_ROW / 2.0));
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
            bx + bw / 2.0,
            y + 2.5,
            PAIR_COLOURS[p % PAIR_COLOURS.len()]
        );
    }
    let _ = writeln!(out, "<title>{}</title></g>", escape(&b.title));
}

/// Writes the connectors between the two halves of each double-up (and
/// of each pair of visits that start together).
fn write_pair_links(out: &mut String, pair_ys: &BTreeMap<usize, Vec<(f64, f64)>>) {
    out.push_str(
        "<g class=\"pairs\" fill=\"none\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\">\n",
    );
    for (p, ys) in pair_ys {
        if ys.len() < 2 {
            continue;
        }
        let (x0, ymin) = ys
            .iter()
            .copied()
            .fold((ys[0].0, f64::MAX), |(x, m), (_, y)| (x, m.min(y)));
        let ymax = ys.iter().map(|&(_, y)| y).fold(f64::MIN, f64::max);
        let _ = writeln!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{ymin:.1}\" x2=\"{x0:.1}\" y2=\"{ymax:.1}\" stroke=\"{}\"/>",
            PAIR_COLOURS[p % PAIR_COLOURS.len()]
        );
    }
    out.push_str("</g>\n</svg>\n");
}

/// Writes the timeline's legend and closes its section.
fn write_legend(out: &mut String) {
    out.push_str(
        "<div class=\"legend\">\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"4\" width=\"24\" height=\"4\" fill=\"#1f77b4\" opacity=\"0.45\"/></svg>travel</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"5\" width=\"24\" height=\"2\" fill=\"#c8c8c8\"/></svg>waiting</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"0\" width=\"24\" height=\"12\" fill=\"#1f77b4\"/></svg>care (client id)</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"2\" width=\"24\" height=\"8\" fill=\"#f2b441\"/></svg>break</span>\
<span><svg width=\"24\" height=\"14\" viewBox=\"0 0 24 14\"><rect x=\"1.5\" y=\"1.5\" width=\"21\" height=\"11\" fill=\"#1f77b4\" stroke=\"#000\" stroke-width=\"2.5\"/></svg>double-up or visits that start together (outline and dotted link shared by the pair)</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"1\" y=\"1\" width=\"22\" height=\"10\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"3 2\"/></svg>shift</span>\
</div>\n</section>\n",
    );
}

/// Writes the timeline section: axis, one row per round, double-up links, legend.
pub(super) fn timeline(out: &mut String, ctx: &Ctx) {
    let rounds = &ctx.plan.rounds;
    let pairs = pair_index(rounds);
    let all_blocks: Vec<Vec<Block>> = rounds.iter().map(|r| round_blocks(r, &pairs)).collect();

    let (lo, hi) = hour_span(rounds, &all_blocks);
    let px = (TL_W - TL_LABEL - 24.0) / (hi - lo) as f64;
    let sc = Scale { lo, px };
    let height = TL_AXIS + TL_ROW * rounds.len() as f64 + 6.0;

    out.push_str("<section class=\"timeline\">\n<h2>Timeline</h2>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {TL_W} {height:.0}\" width=\"{TL_W}\" height=\"{height:.0}\" role=\"img\" aria-label=\"Timeline of the rounds\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"10\">"
    );
    // Hours axis and grid.
    write_axis(out, sc, hi, height);

    // Where each pair's care blocks sit (to draw a connector between them).
    let mut pair_ys: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for (i, (r, bl)) in rounds.iter().zip(&all_blocks).enumerate() {
        write_row(out, ctx, sc, i, r, bl, &mut pair_ys);
    }
    // Connectors between the two halves of each double-up.
    write_pair_links(out, &pair_ys);
    write_legend(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fit_their_blocks() {
        // Whole at 9 px when there is room, then at 7 px, then the tail.
        assert_eq!(fit_label("P001", 40.0), Some(("P001".into(), 9.0)));
        assert_eq!(fit_label("P0012", 28.0), Some(("P0012".into(), 7.0)));
        assert_eq!(
            fit_label("P000123", 26.0),
            Some(("\u{2026}123".into(), 7.0))
        );
        assert_eq!(fit_label("P000123", 12.0), None);
        assert_eq!(fit_label("", 100.0), None);
        // A long round name in the label column keeps its end.
        let room = TL_LABEL - 18.0 - 4.0;
        let name = tail_fit("carer-from-the-bank-0012", 11.0, room).unwrap();
        assert!(
            name.starts_with('\u{2026}') && name.ends_with("-0012"),
            "{name}"
        );
        assert!(text_width(&name, 11.0) <= room);
        assert_eq!(tail_fit("C01", 11.0, room).as_deref(), Some("C01"));
        for (id, w) in [("client-0042", 30.0), ("P0012", 20.0), ("AB", 15.0)] {
            if let Some((t, size)) = fit_label(id, w) {
                assert!(text_width(&t, size) <= w - 2.0, "{t} in {w}");
            }
        }
    }
}
