//! Who does what: every served visit by exactly `carers_required` rounds of
//! distinct, eligible carers; whole clients or none; each used round is one
//! path from its start location through its visits to its end location.

use good_lp::{Expression, constraint};

use super::vars::{Model, end_node, start_node};

/// Client `k` served <=> each of its visits is done by `required` rounds;
/// a client with a visit nobody can do is not served.
pub fn assignment(m: &mut Model) {
    let p = m.p;
    for (v, vs) in p.visits.iter().enumerate() {
        let u = m.vars.served[vs.client];
        let required = vs.required as f64;
        let done: Expression = m
            .vars
            .rounds
            .iter()
            .filter_map(|rv| rv.does.get(&v))
            .copied()
            .sum();
        m.row(
            format!("all_or_nothing[{}]", vs.id),
            constraint!(done == required * u),
        );
    }
}

/// A double-up needs two different carers, not two shifts of one carer.
pub fn distinct_carers(m: &mut Model) {
    let p = m.p;
    for (v, vs) in p.visits.iter().enumerate() {
        if vs.required < 2 {
            continue;
        }
        for c in &p.carers {
            let mine: Vec<_> = c
                .rounds
                .iter()
                .filter_map(|&r| m.vars.rounds[r].does.get(&v).copied())
                .collect();
            if mine.len() > 1 {
                let sum: Expression = mine.into_iter().sum();
                m.row(
                    format!("double_up_distinct_carers[{},{}]", vs.id, c.id),
                    constraint!(sum <= 1),
                );
            }
        }
    }
    // Linked visits (visits that start together) are done by two
    // different carers.
    for l in &p.links {
        for c in &p.carers {
            let mine: Vec<_> = c
                .rounds
                .iter()
                .flat_map(|&r| {
                    let does = &m.vars.rounds[r].does;
                    [does.get(&l.first).copied(), does.get(&l.second).copied()]
                })
                .flatten()
                .collect();
            if mine.len() > 1 {
                let sum: Expression = mine.into_iter().sum();
                m.row(
                    format!(
                        "link_distinct_carers[{},{},{}]",
                        p.visits[l.first].id, p.visits[l.second].id, c.id
                    ),
                    constraint!(sum <= 1),
                );
            }
        }
    }
}

/// Flow: a used round leaves its start once and reaches its end once; a
/// visit it does is entered once and left once; unused rounds do nothing.
pub fn flow(m: &mut Model) {
    let p = m.p;
    let (sn, en) = (start_node(p), end_node(p));
    for r in 0..p.rounds.len() {
        let rv = m.vars.rounds[r].clone();
        let carer = &p.carers[p.rounds[r].carer].id;
        let name = |what: &str| format!("{what}[{carer}#{r}]");
        let out_of =
            |i: usize| -> Expression { rv.arcs.iter().filter(|a| a.from == i).map(|a| a.x).sum() };
        let into =
            |j: usize| -> Expression { rv.arcs.iter().filter(|a| a.to == j).map(|a| a.x).sum() };
        m.row(name("leave_start"), constraint!(out_of(sn) == rv.used));
        m.row(name("reach_end"), constraint!(into(en) == rv.used));
        for &v in &rv.cand {
            let y = rv.does[&v];
            let id = &p.visits[v].id;
            m.row(
                format!("enter_visit[{carer}#{r},{id}]"),
                constraint!(into(v) == y),
            );
            m.row(
                format!("leave_visit[{carer}#{r},{id}]"),
                constraint!(out_of(v) == y),
            );
            m.row(
                format!("only_used_rounds_visit[{carer}#{r},{id}]"),
                constraint!(y <= rv.used),
            );
        }
    }
}

/// A round with a capacity (a VRP's vehicle, e.g. Solomon's) carries at
/// most that much load.
pub fn capacity(m: &mut Model) {
    let p = m.p;
    for (r, spec) in p.rounds.iter().enumerate() {
        let Some(cap) = spec.capacity else { continue };
        let load: Expression = m.vars.rounds[r]
            .does
            .iter()
            .map(|(&v, &y)| (p.visits[v].load as f64) * y)
            .sum();
        let cap = cap as f64;
        m.row(format!("capacity[#{r}]"), constraint!(load <= cap));
    }
}
