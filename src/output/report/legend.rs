//! The map's legends, of bounded size however many rounds there are: one
//! entry per round up to [`MAX_ROUND_ENTRIES`] rounds; beyond that one entry
//! per route colour, naming the first rounds drawn in it and how many more.

use std::fmt::Write;

use super::{Ctx, PALETTE, dash, escape, has_visits};

/// Up to this many rounds with visits, the legend names each one.
pub(super) const MAX_ROUND_ENTRIES: usize = 32;
/// Rounds named in a colour's entry before "+N more".
const NAMES_PER_COLOUR: usize = 4;

fn swatch(col: &str, dash: &str) -> String {
    format!(
        "<svg width=\"34\" height=\"10\" viewBox=\"0 0 34 10\"><line x1=\"1\" y1=\"5\" x2=\"33\" y2=\"5\" stroke=\"{col}\" stroke-width=\"2.5\"{dash}/></svg>"
    )
}

/// Which line is which round.
pub(super) fn round_legend(out: &mut String, ctx: &Ctx) {
    let used: Vec<(usize, &crate::model::Round)> = ctx
        .plan
        .rounds
        .iter()
        .enumerate()
        .filter(|(_, r)| has_visits(r))
        .collect();
    if used.len() <= MAX_ROUND_ENTRIES {
        out.push_str("<div class=\"legend rounds\">\n");
        for (i, r) in used {
            let _ = writeln!(
                out,
                "<span class=\"entry\">{}{} ({})</span>",
                swatch(ctx.colour(i), dash(&r.travel_mode)),
                escape(&ctx.round_name(r)),
                escape(&r.travel_mode)
            );
        }
        out.push_str("</div>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} rounds share {} colours (a line's hover title, and the timeline, name its round):</p>\n<div class=\"legend rounds by-colour\">",
        used.len(),
        PALETTE.len().min(used.len())
    );
    for (c, col) in PALETTE.iter().enumerate() {
        let names: Vec<String> = used
            .iter()
            .filter(|(i, _)| i % PALETTE.len() == c)
            .map(|(_, r)| ctx.round_name(r))
            .collect();
        if names.is_empty() {
            continue;
        }
        let more = names.len().saturating_sub(NAMES_PER_COLOUR);
        let mut text = names[..names.len().min(NAMES_PER_COLOUR)].join(", ");
        if more > 0 {
            let _ = write!(text, " +{more} more");
        }
        let _ = writeln!(
            out,
            "<span class=\"entry\">{}{}</span>",
            swatch(col, ""),
            escape(&text)
        );
    }
    out.push_str("</div>\n");
}

/// Line styles and markers.
pub(super) fn style_legend(out: &mut String) {
    out.push_str("<div class=\"legend\">\n");
    for (mode, what) in [
        ("drive", "solid: drives"),
        ("bike", "dotted: cycles"),
        ("walk", "dashed: walks"),
    ] {
        let _ = writeln!(out, "<span>{}{what}</span>", swatch("#444", dash(mode)));
    }
    out.push_str(
        "<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\"><circle cx=\"6\" cy=\"6\" r=\"4\" fill=\"#333\"/></svg>client served</span>\n\
<span><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\"><circle cx=\"7\" cy=\"7\" r=\"5.5\" fill=\"#fff\" stroke=\"#d00\" stroke-width=\"2\"/><path d=\"M4,4L10,10M4,10L10,4\" stroke=\"#d00\" stroke-width=\"1.6\"/></svg>client not served</span>\n\
<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\"><rect x=\"1.5\" y=\"1.5\" width=\"9\" height=\"9\" fill=\"#777\"/></svg>carer base</span>\n\
<span><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#e4e4dc\"/></svg>town (from the clients' addresses)</span>\n\
<span>client ids shown where they fit; hover a dot for its id</span>\n",
    );
    out.push_str("</div>\n");
}
