//! Continuity across days in the solver's view (docs/continuity.md): the
//! carers of the request's `previous_plan` become preferred carers.

use std::collections::HashMap;

use super::{Problem, ProblemBuilder};
use crate::model::{Plan, Stop};

impl ProblemBuilder {
    /// Carers who visited a client in `prev` become preferred carers of the
    /// client (docs/continuity.md). Clients, visits and carers of `prev`
    /// that are not in this problem are ignored.
    pub(super) fn add_previous_carers(&mut self, prev: &Plan) {
        let p = &mut self.problem;
        let carer = Problem::carer_index(&p.carers);
        let client: HashMap<String, usize> = p
            .clients
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        for round in &prev.rounds {
            let Some(&c) = carer.get(round.carer.as_str()) else {
                continue;
            };
            for stop in &round.stops {
                if let Stop::Visit(v) = stop
                    && let Some(&k) = client.get(v.client.as_str())
                    && !p.clients[k].preferred.contains(&c)
                {
                    p.clients[k].preferred.push(c);
                }
            }
        }
    }
}
