//! Every plan the solver makes on generated days of 10 to 500 clients passes
//! the independent checker and accounts for every client.

use rota::generate::{GenerateOptions, generate};

#[test]
fn generated_days_from_10_to_500_clients_plan_and_check() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    for (clients, seed) in [(10, 1), (25, 2), (50, 3), (100, 4), (200, 5), (500, 6)] {
        let req = generate(&GenerateOptions {
            clients,
            seed,
            am_rounds: None,
            pm_rounds: None,
            date,
        });
        rota::validate::validate(&req).unwrap();
        let plan = rota::plan_request(&req).unwrap();
        let report = rota::check::check(&req, &plan);
        assert!(
            report.is_valid(),
            "{clients} clients, seed {seed}:\n{report}"
        );
        let served = plan.summary.clients_served as usize;
        assert_eq!(served + plan.unserved.len(), clients);
        assert!(
            plan.summary.upper_bound_priority.unwrap() >= plan.summary.priority_served,
            "bound below served priority"
        );
    }
}
