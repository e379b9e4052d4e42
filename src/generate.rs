//! Synthetic but realistic next-day requests for a Herefordshire-like
//! reablement ("Home First") service: Hereford city, five market towns and
//! rural villages at their real coordinates, morning and evening rounds, and
//! clients with 1-4 calls a day, double-ups, medication gaps, hospital
//! discharges, gender requests, exclusions and continuity preferences.
//!
//! Output is a pure function of [`GenerateOptions`]: the random stream is
//! `ChaCha8Rng::seed_from_u64(seed)` and nothing iterates a hash map.

use chrono::NaiveDate;
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

mod contact;

use crate::model::{
    After, Break, Carer, Client, Contact, Location, Request, Settings, Shift, Visit, Window,
    time_of_minutes,
};

/// What to generate. `am_rounds` / `pm_rounds` override the default number of
/// morning (07:00-15:00) and evening (14:00-22:00) rounds, which is about 9 and
/// 5 per 50 clients (at least 1 each).
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub clients: usize,
    pub seed: u64,
    pub am_rounds: Option<usize>,
    pub pm_rounds: Option<usize>,
    pub date: chrono::NaiveDate,
}

impl GenerateOptions {
    /// Default rounds for `clients` clients and the given seed.
    pub fn new(clients: usize, seed: u64, date: NaiveDate) -> Self {
        GenerateOptions {
            clients,
            seed,
            am_rounds: None,
            pm_rounds: None,
            date,
        }
    }
}

/// A named place with a centre and the radius (km) clients live within.
#[derive(Debug, Clone, Copy)]
struct Place {
    name: &'static str,
    lat: f64,
    lon: f64,
    radius_km: f64,
    /// Relative weight when choosing where a client lives.
    weight: u32,
}

const fn place(name: &'static str, lat: f64, lon: f64, radius_km: f64, weight: u32) -> Place {
    Place {
        name,
        lat,
        lon,
        radius_km,
        weight,
    }
}

/// Hereford city centre (High Town).
const HEREFORD: Place = place("Hereford", 52.0565, -2.7160, 3.0, 1);
/// The Home First office (Hereford, near the County Hospital).
const OFFICE: Location = Location {
    lat: 52.0585,
    lon: -2.7090,
};

/// Market towns, weighted by population.
const TOWNS: [Place; 5] = [
    place("Leominster", 52.2249, -2.7420, 1.5, 12),
    place("Ross-on-Wye", 51.9140, -2.5870, 1.5, 11),
    place("Ledbury", 52.0339, -2.4235, 1.5, 10),
    place("Bromyard", 52.1896, -2.5085, 1.5, 5),
    place("Kington", 52.2035, -3.0300, 1.5, 3),
];

/// Rural villages (real ones), equally likely.
const VILLAGES: [Place; 20] = [
    place("Weobley", 52.1600, -2.8740, 0.7, 1),
    place("Pembridge", 52.2180, -2.8930, 0.7, 1),
    place("Peterchurch", 52.0400, -2.9570, 0.7, 1),
    place("Much Marcle", 51.9950, -2.5020, 0.7, 1),
    place("Fownhope", 52.0110, -2.6160, 0.7, 1),
    place("Eardisley", 52.1370, -3.0080, 0.7, 1),
    place("Ewyas Harold", 51.9530, -2.8960, 0.7, 1),
    place("Bodenham", 52.1520, -2.6890, 0.7, 1),
    place("Staunton on Wye", 52.1010, -2.9250, 0.7, 1),
    place("Colwall", 52.0790, -2.3560, 0.7, 1),
    place("Kingstone", 52.0200, -2.8290, 0.7, 1),
    place("Credenhill", 52.0830, -2.8030, 0.7, 1),
    place("Wellington", 52.1370, -2.7340, 0.7, 1),
    place("Madley", 52.0460, -2.8460, 0.7, 1),
    place("Withington", 52.0830, -2.6310, 0.7, 1),
    place("Wormelow", 51.9750, -2.7360, 0.7, 1),
    place("Goodrich", 51.8740, -2.6150, 0.7, 1),
    place("Orleton", 52.3010, -2.7440, 0.7, 1),
    place("Kingsland", 52.2510, -2.8120, 0.7, 1),
    place("Shobdon", 52.2530, -2.8800, 0.7, 1),
];

const AM_SHIFT: (i32, i32) = (7 * 60, 15 * 60);
const PM_SHIFT: (i32, i32) = (14 * 60, 22 * 60);
const AM_BREAK: (i32, i32) = (10 * 60 + 30, 12 * 60 + 30);
const PM_BREAK: (i32, i32) = (17 * 60, 19 * 60);

/// The four calls of a day, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    Am,
    Lunch,
    Tea,
    Bed,
}

impl Call {
    fn suffix(self) -> &'static str {
        match self {
            Call::Am => "am",
            Call::Lunch => "lunch",
            Call::Tea => "tea",
            Call::Bed => "bed",
        }
    }
    fn is_morning_shift(self) -> bool {
        matches!(self, Call::Am | Call::Lunch)
    }
}

/// Generate a request (see the module documentation). Always valid under the
/// contract; deterministic for a given `opts`.
pub fn generate(opts: &GenerateOptions) -> Request {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let n_am = opts
        .am_rounds
        .unwrap_or_else(|| default_rounds(opts.clients, 9));
    let n_pm = opts
        .pm_rounds
        .unwrap_or_else(|| default_rounds(opts.clients, 5));
    let carers = gen_carers(&mut rng, n_am, n_pm);
    let width = 3.max(digits(opts.clients));
    let mut clients: Vec<Client> = (0..opts.clients)
        .map(|i| gen_client(&mut rng, format!("P{:0width$}", i + 1), &carers, n_am))
        .collect();
    contact::fill(&mut clients, opts.seed);
    Request {
        date: opts.date,
        settings: Settings {
            time_limit_seconds: 10.0,
            seed: opts.seed,
            ..Settings::default()
        },
        carers,
        clients,
        travel_matrix: None,
        previous_plan: None,
        locks: Vec::new(),
    }
}

/// About `per_50` rounds per 50 clients, at least one.
fn default_rounds(clients: usize, per_50: usize) -> usize {
    ((clients * per_50 + 25) / 50).max(1)
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len()
}

/// Round a coordinate to 6 decimals (~0.1 m) so that it survives a JSON
/// round trip bit for bit.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A uniformly random point within `place.radius_km` of its centre.
fn point_near(rng: &mut ChaCha8Rng, p: &Place) -> Location {
    let r = p.radius_km * rng.gen_range(0.0f64..1.0).sqrt();
    let a = rng.gen_range(0.0..std::f64::consts::TAU);
    let (dn, de) = (r * a.sin(), r * a.cos());
    let km_per_deg_lat = 111.2;
    let km_per_deg_lon = 111.2 * p.lat.to_radians().cos();
    Location {
        lat: round6(p.lat + dn / km_per_deg_lat),
        lon: round6(p.lon + de / km_per_deg_lon),
    }
}

/// Where a client lives: 50% city, 30% towns, 20% villages.
fn client_place(rng: &mut ChaCha8Rng) -> Place {
    let u: f64 = rng.r#gen();
    if u < 0.5 {
        HEREFORD
    } else if u < 0.8 {
        weighted_town(rng)
    } else {
        *VILLAGES.choose(rng).expect("villages")
    }
}

fn weighted_town(rng: &mut ChaCha8Rng) -> Place {
    *TOWNS
        .choose_weighted(rng, |t| t.weight)
        .expect("town weights are positive")
}

fn gen_carers(rng: &mut ChaCha8Rng, n_am: usize, n_pm: usize) -> Vec<Carer> {
    let total = n_am + n_pm;
    let width = 2.max(digits(total));
    // Walkers and cyclists: about 2 walkers and 1 bike per 14 rounds, only
    // from 6 rounds on, and never more than a third of a shift.
    let (walk_am, bike_am, walk_pm) = if total >= 6 {
        let walkers = ((total * 2 + 7) / 14).max(1);
        let bikes = ((total + 7) / 14).max(1);
        let cap_am = n_am / 3;
        let cap_pm = n_pm / 3;
        let walk_pm = (walkers / 2).min(cap_pm);
        let walk_am = (walkers - walk_pm).min(cap_am);
        let bike_am = bikes.min(cap_am - walk_am);
        (walk_am, bike_am, walk_pm)
    } else {
        (0, 0, 0)
    };

    let mut carers = Vec::with_capacity(total);
    for (shift_idx, n, walk, bike) in [(0, n_am, walk_am, bike_am), (1, n_pm, walk_pm, 0)] {
        let (s, e) = if shift_idx == 0 { AM_SHIFT } else { PM_SHIFT };
        let (be, bl) = if shift_idx == 0 { AM_BREAK } else { PM_BREAK };
        // About 40% hoist-trained (at least two per shift so that double-ups
        // are possible), most medication-trained.
        let n_hoist = ((n * 2 + 2) / 5).max(2).min(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(rng);
        let hoist: Vec<bool> = {
            let mut h = vec![false; n];
            for &i in &order[..n_hoist] {
                h[i] = true;
            }
            h
        };
        for (k, &has_hoist) in hoist.iter().enumerate() {
            let id = format!("C{:0width$}", carers.len() + 1);
            // The last rounds of a shift are the city walkers / cyclists.
            let mode = if k + walk + bike >= n && k + bike < n {
                "walk"
            } else if k + bike >= n {
                "bike"
            } else {
                "drive"
            };
            let start_location = if mode != "drive" {
                Location {
                    lat: HEREFORD.lat,
                    lon: HEREFORD.lon,
                }
            } else {
                let u: f64 = rng.r#gen();
                if u < 0.4 {
                    OFFICE
                } else if u < 0.6 {
                    point_near(rng, &HEREFORD)
                } else if u < 0.85 {
                    let t = weighted_town(rng);
                    point_near(rng, &t)
                } else {
                    let v = *VILLAGES.choose(rng).expect("villages");
                    point_near(rng, &v)
                }
            };
            let mut skills = Vec::new();
            // The first carer of a shift always holds medication.
            if k == 0 || rng.gen_bool(0.85) {
                skills.push("medication".to_string());
            }
            if has_hoist {
                skills.push("hoist".to_string());
            }
            skills.sort();
            // Mostly women; the first carer of a shift is always a woman so
            // that `carer_gender: "f"` can be met.
            let gender = if k == 0 || rng.gen_bool(0.8) {
                "f"
            } else {
                "m"
            };
            let minutes = *[20u32, 25, 30].choose(rng).expect("break lengths");
            carers.push(Carer {
                id,
                travel_mode: mode.to_string(),
                shift: Some(Shift {
                    start: time_of_minutes(s),
                    end: time_of_minutes(e),
                    brk: Some(Break {
                        earliest: time_of_minutes(be),
                        latest: time_of_minutes(bl),
                        minutes,
                    }),
                }),
                shifts: None,
                start_location,
                end_location: None,
                skills,
                gender: Some(gender.to_string()),
                contact: None,
                base: None,
            });
        }
    }
    carers
}

/// Which calls a client has: 1 call 30%, 2 calls 35%, 3 calls 20%, 4 calls 15%.
fn pick_calls(rng: &mut ChaCha8Rng) -> Vec<Call> {
    use Call::*;
    let u: f64 = rng.r#gen();
    let v: f64 = rng.r#gen();
    if u < 0.30 {
        if v < 0.75 {
            vec![Am]
        } else if v < 0.9 {
            vec![Bed]
        } else {
            vec![Lunch]
        }
    } else if u < 0.65 {
        if v < 0.6 {
            vec![Am, Bed]
        } else if v < 0.8 {
            vec![Am, Tea]
        } else {
            vec![Am, Lunch]
        }
    } else if u < 0.85 {
        if v < 0.5 {
            vec![Am, Lunch, Bed]
        } else if v < 0.8 {
            vec![Am, Tea, Bed]
        } else {
            vec![Am, Lunch, Tea]
        }
    } else {
        vec![Am, Lunch, Tea, Bed]
    }
}

/// A multiple of `step` in `lo..=hi`.
fn stepped(rng: &mut ChaCha8Rng, lo: i32, hi: i32, step: i32) -> i32 {
    lo + step * rng.gen_range(0..=(hi - lo) / step)
}

/// Window (minutes) and duration of a call.
fn window_and_duration(rng: &mut ChaCha8Rng, call: Call, double_up: bool) -> (i32, i32, u32) {
    match call {
        Call::Am => {
            // The morning peak is spread: early risers, the usual 08:00-09:30,
            // and later, flexible mornings. Double-ups get wider windows.
            let start = *[450, 450, 465, 480, 480, 495, 510, 540, 570, 600]
                .choose(rng)
                .expect("am starts");
            let width = if double_up {
                stepped(rng, 120, 150, 15)
            } else {
                stepped(rng, 75, 120, 15)
            };
            let dur = *[30u32, 30, 30, 35, 40, 45, 60].choose(rng).expect("am");
            (start, (start + width).min(11 * 60 + 30), dur)
        }
        Call::Lunch => {
            let start = stepped(rng, 11 * 60 + 45, 12 * 60 + 15, 15);
            let width = stepped(rng, 60, 90, 15);
            (start, start + width, short_duration(rng))
        }
        Call::Tea => {
            let start = stepped(rng, 16 * 60 + 15, 16 * 60 + 45, 15);
            let width = stepped(rng, 75, 105, 15);
            (start, start + width, short_duration(rng))
        }
        Call::Bed => {
            let start = stepped(rng, 18 * 60 + 45, 20 * 60, 15);
            let width = stepped(rng, 75, 120, 15);
            let dur = short_duration(rng);
            // Leave time to finish and get home before the 22:00 shift end.
            let end = (start + width).min(21 * 60 + 15);
            (start, end, dur)
        }
    }
}

fn short_duration(rng: &mut ChaCha8Rng) -> u32 {
    *[15u32, 15, 15, 20, 20, 25, 30]
        .choose(rng)
        .expect("durations")
}

/// Desired medication gap (minutes) from `prev` to `cur`.
fn medication_gap(prev: Call, cur: Call) -> i32 {
    match (prev, cur) {
        (Call::Am, Call::Lunch) => 240,
        (Call::Am, _) => 240,
        (Call::Lunch, _) => 180,
        (Call::Tea, _) => 120,
        (Call::Bed, _) => 120,
    }
}

fn gen_client(rng: &mut ChaCha8Rng, id: String, carers: &[Carer], n_am: usize) -> Client {
    let place = client_place(rng);
    let location = point_near(rng, &place);
    let calls = pick_calls(rng);
    let double_up = rng.gen_bool(0.15);
    let medication = rng.gen_bool(0.4);
    let hospital = rng.gen_bool(0.2);
    let priority = if hospital {
        *[2u32, 3, 3, 3, 3, 4, 4, 5].choose(rng).expect("priorities")
    } else {
        1
    };
    let carer_gender = rng.gen_bool(0.1).then(|| "f".to_string());

    // Which calls are double-ups: morning and bed; a client with neither
    // (a single lunch call) is hoisted at that call.
    let has_am_or_bed = calls.iter().any(|c| matches!(c, Call::Am | Call::Bed));
    let mut visits = Vec::with_capacity(calls.len());
    // (call, window start, earliest feasible start given earlier gaps)
    let mut prev_med: Option<(Call, String, i32)> = None;
    for &call in &calls {
        let is_double = double_up && (!has_am_or_bed || matches!(call, Call::Am | Call::Bed));
        let (start, end, duration) = window_and_duration(rng, call, is_double);
        let mut skills = Vec::new();
        // Medication at every call of a medication client; gaps between them.
        let mut after = None;
        let mut earliest = start;
        if medication {
            skills.push("medication".to_string());
            if let Some((pc, pid, p_earliest)) = &prev_med {
                // Keep the gap satisfiable given the chain so far: the earliest
                // this visit can start is `p_earliest + gap`, which must be
                // within this window.
                let gap = medication_gap(*pc, call).min(end - p_earliest);
                if gap >= 120 {
                    after = Some(After {
                        visit: pid.clone(),
                        min_gap: gap as u32,
                        max_gap: None,
                    });
                    earliest = start.max(p_earliest + gap);
                }
            }
        }
        if is_double {
            skills.push("hoist".to_string());
        }
        skills.sort();
        let vid = format!("{id}-{}", call.suffix());
        if medication {
            prev_med = Some((call, vid.clone(), earliest));
        }
        visits.push(Visit {
            id: vid,
            window: Window {
                start: time_of_minutes(start),
                end: time_of_minutes(end),
                due: None,
            },
            duration,
            carers_required: if is_double { 2 } else { 1 },
            skills,
            after,
            starts_with: None,
        });
    }

    // Continuity: ~30% have 1-2 preferred carers, chosen among the few
    // nearest eligible carers of the shift of their first call. A few others
    // (~5%) have excluded one carer. Never both lists for one client.
    let mut preferred_carers = Vec::new();
    let mut excluded_carers = Vec::new();
    let u: f64 = rng.r#gen();
    if u < 0.3 {
        let first_am = calls[0].is_morning_shift();
        let needs_hoist = visits.iter().any(|v| v.skills.iter().any(|s| s == "hoist"));
        let needs_med = medication;
        let mut cands: Vec<(f64, usize)> = carers
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                (*i < n_am) == first_am
                    && carer_gender
                        .as_ref()
                        .is_none_or(|g| c.gender.as_ref() == Some(g))
                    && (!needs_med || c.skills.iter().any(|s| s == "medication"))
                    && (!needs_hoist || c.skills.iter().any(|s| s == "hoist"))
            })
            .map(|(i, c)| (dist2(&c.start_location, &location), i))
            .collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        cands.truncate(4);
        let mut idx: Vec<usize> = cands.iter().map(|&(_, i)| i).collect();
        idx.shuffle(rng);
        let k = if rng.gen_bool(0.6) { 1 } else { 2 };
        idx.truncate(k);
        idx.sort();
        preferred_carers = idx.iter().map(|&i| carers[i].id.clone()).collect();
    } else if u < 0.35 && carers.len() >= 3 {
        let i = rng.gen_range(0..carers.len());
        excluded_carers.push(carers[i].id.clone());
    }

    Client {
        id,
        location,
        priority,
        preferred_carers,
        excluded_carers,
        carer_gender,
        visits,
        contact: Some(Contact {
            town: Some(place.name.to_string()),
            ..Contact::default()
        }),
    }
}

/// Squared equirectangular distance (for ranking only).
fn dist2(a: &Location, b: &Location) -> f64 {
    let dlat = a.lat - b.lat;
    let dlon = (a.lon - b.lon) * a.lat.to_radians().cos();
    dlat * dlat + dlon * dlon
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::model::minutes_of_day;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn make(clients: usize, seed: u64) -> Request {
        generate(&GenerateOptions::new(clients, seed, date()))
    }

    /// Carer-minutes of care (a double-up counts twice).
    fn care_minutes(r: &Request) -> u64 {
        r.clients
            .iter()
            .flat_map(|c| &c.visits)
            .map(|v| (v.duration * v.carers_required) as u64)
            .sum()
    }

    #[test]
    fn same_seed_same_json_different_seed_differs() {
        let a = serde_json::to_string(&make(50, 7)).unwrap();
        let b = serde_json::to_string(&make(50, 7)).unwrap();
        let c = serde_json::to_string(&make(50, 8)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn counts_with_defaults_and_overrides() {
        let r = make(50, 1);
        assert_eq!(r.clients.len(), 50);
        assert_eq!(r.carers.len(), 14);
        let am = |r: &Request| {
            r.carers
                .iter()
                .filter(|c| c.shift.as_ref().unwrap().start == time_of_minutes(AM_SHIFT.0))
                .count()
        };
        assert_eq!(am(&r), 9);
        assert_eq!(r.carers[0].id, "C01");
        assert_eq!(r.clients[0].id, "P001");
        assert_eq!(r.clients[0].visits[0].id.split('-').next(), Some("P001"));

        let mut o = GenerateOptions::new(50, 1, date());
        o.am_rounds = Some(3);
        o.pm_rounds = Some(2);
        let r = generate(&o);
        assert_eq!(r.carers.len(), 5);
        assert_eq!(am(&r), 3);

        let r = make(1, 1);
        assert_eq!(r.clients.len(), 1);
        assert_eq!(r.carers.len(), 2);

        let r = make(1000, 1);
        assert_eq!(r.carers.len(), 180 + 100);
        assert_eq!(r.carers[0].id, "C001");
        assert_eq!(r.clients[0].id, "P0001");
        assert_eq!(r.settings.seed, 1);
        assert!(r.travel_matrix.is_none());
    }

    #[test]
    fn walkers_and_bike_in_the_city() {
        let r = make(50, 3);
        let modes: Vec<&str> = r.carers.iter().map(|c| c.travel_mode.as_str()).collect();
        assert_eq!(modes.iter().filter(|m| **m == "walk").count(), 2);
        assert_eq!(modes.iter().filter(|m| **m == "bike").count(), 1);
        let r = make(10, 3);
        assert!(r.carers.len() < 6);
        assert!(r.carers.iter().all(|c| c.travel_mode == "drive"));
    }

    #[test]
    fn proportions_over_500_clients() {
        let r = make(500, 11);
        let n = r.clients.len() as f64;
        let doubles = r
            .clients
            .iter()
            .filter(|c| c.visits.iter().any(|v| v.carers_required == 2))
            .count() as f64;
        assert!((0.10..=0.20).contains(&(doubles / n)), "{doubles}");
        assert!(r.clients.iter().all(|c| c.priority >= 1));
        let high = r.clients.iter().filter(|c| c.priority > 1).count() as f64;
        assert!((0.14..=0.26).contains(&(high / n)), "{high}");
        let gender = r
            .clients
            .iter()
            .filter(|c| c.carer_gender.is_some())
            .count() as f64;
        assert!((0.05..=0.15).contains(&(gender / n)), "{gender}");
        let pref = r
            .clients
            .iter()
            .filter(|c| !c.preferred_carers.is_empty())
            .count() as f64;
        assert!((0.22..=0.38).contains(&(pref / n)), "{pref}");
        assert!(r.clients.iter().any(|c| !c.excluded_carers.is_empty()));
        let hoist = r
            .carers
            .iter()
            .filter(|c| c.skills.iter().any(|s| s == "hoist"))
            .count() as f64;
        assert!((0.3..=0.45).contains(&(hoist / r.carers.len() as f64)));
    }

    #[test]
    fn care_load_at_50_clients_is_50_to_60_hours_on_average() {
        let total: u64 = (0..40).map(|s| care_minutes(&make(50, s))).sum();
        let hours = total as f64 / 40.0 / 60.0;
        assert!((50.0..=60.0).contains(&hours), "{hours}");
    }

    fn check_valid(r: &Request) {
        // Unique ids.
        let mut seen = BTreeSet::new();
        for c in &r.carers {
            assert!(seen.insert(c.id.clone()), "duplicate carer {}", c.id);
        }
        let carer_ids = seen;
        let mut seen = BTreeSet::new();
        let mut vseen = BTreeSet::new();
        for c in &r.clients {
            assert!(seen.insert(c.id.clone()), "duplicate client {}", c.id);
            for v in &c.visits {
                assert!(vseen.insert(v.id.clone()), "duplicate visit {}", v.id);
            }
        }
        let in_box =
            |l: &Location| (51.8..=52.45).contains(&l.lat) && (-3.2..=-2.3).contains(&l.lon);
        for c in &r.carers {
            assert!(in_box(&c.start_location), "{}", c.id);
            assert!(["drive", "bike", "walk"].contains(&c.travel_mode.as_str()));
            let s = c.shift.as_ref().unwrap();
            assert!(s.start < s.end);
            let b = s.brk.as_ref().unwrap();
            assert!(s.start <= b.earliest && b.earliest <= b.latest && b.latest < s.end);
        }
        for c in &r.clients {
            assert!(in_box(&c.location), "{}", c.id);
            assert!(c.priority >= 1);
            assert!(!c.visits.is_empty() && c.visits.len() <= 4);
            assert!(c.preferred_carers.is_empty() || c.excluded_carers.is_empty());
            for id in c.preferred_carers.iter().chain(&c.excluded_carers) {
                assert!(carer_ids.contains(id), "{} names unknown carer {id}", c.id);
            }
            let by_id: BTreeMap<&str, (usize, &Visit)> = c
                .visits
                .iter()
                .enumerate()
                .map(|(i, v)| (v.id.as_str(), (i, v)))
                .collect();
            for (i, v) in c.visits.iter().enumerate() {
                assert!(v.window.start <= v.window.end, "{}", v.id);
                assert!(v.duration > 0);
                assert!(v.carers_required == 1 || v.carers_required == 2);
                if v.carers_required == 2 {
                    assert!(v.skills.iter().any(|s| s == "hoist"));
                }
                // The visit fits in some shift: start in window, finish by
                // the shift end.
                assert!(
                    minutes_of_day(v.window.end) + v.duration as i32 <= PM_SHIFT.1,
                    "{}",
                    v.id
                );
                if let Some(a) = &v.after {
                    let (j, named) = by_id[a.visit.as_str()];
                    assert!(j < i, "{} after a later visit", v.id);
                    assert!(
                        minutes_of_day(v.window.end)
                            >= minutes_of_day(named.window.start) + a.min_gap as i32,
                        "{}: gap {} unsatisfiable",
                        v.id,
                        a.min_gap
                    );
                }
            }
        }
    }

    #[test]
    fn generated_requests_are_valid_for_many_sizes_and_seeds() {
        for &n in &[1usize, 2, 5, 10, 50, 500, 1000] {
            for seed in 0..3 {
                check_valid(&make(n, seed));
            }
        }
        let mut o = GenerateOptions::new(20, 5, date());
        o.am_rounds = Some(1);
        o.pm_rounds = Some(1);
        check_valid(&generate(&o));
        o.am_rounds = Some(120);
        o.pm_rounds = Some(0);
        check_valid(&generate(&o));
    }

    #[test]
    fn medication_gaps_and_preferences_are_sensible() {
        let r = make(500, 4);
        let gaps: Vec<u32> = r
            .clients
            .iter()
            .flat_map(|c| &c.visits)
            .filter_map(|v| v.after.as_ref().map(|a| a.min_gap))
            .collect();
        assert!(gaps.len() > 100, "{}", gaps.len());
        assert!(gaps.iter().all(|g| (120..=240).contains(g)));
        let by_id: BTreeMap<&str, &Carer> = r.carers.iter().map(|c| (c.id.as_str(), c)).collect();
        for c in &r.clients {
            if let Some(g) = &c.carer_gender {
                for p in &c.preferred_carers {
                    assert_eq!(by_id[p.as_str()].gender.as_ref(), Some(g));
                }
            }
        }
    }

    #[test]
    fn zero_clients_is_fine() {
        let r = make(0, 1);
        assert!(r.clients.is_empty());
        assert_eq!(r.carers.len(), 2);
    }

    #[test]
    fn json_round_trip_through_the_parser() {
        for &n in &[1usize, 50, 500] {
            let r = make(n, 42);
            let text = serde_json::to_string_pretty(&r).unwrap();
            let back = crate::parse::request_from_str(&text).unwrap();
            assert_eq!(back, r);
        }
    }

    /// A default day has the shape of the county service it imitates: 9
    /// morning and 5 evening rounds per 50 clients, about 55 carer-hours of
    /// care per 50 clients, one to four calls a client, a few double-ups.
    #[test]
    fn a_default_day_has_the_services_shape() {
        for n in [50usize, 500] {
            let r = make(n, 1);
            let visits: usize = r.clients.iter().map(|c| c.visits.len()).sum();
            let doubles = r
                .clients
                .iter()
                .flat_map(|c| &c.visits)
                .filter(|v| v.carers_required == 2)
                .count();
            let hours_per_50 = care_minutes(&r) as f64 / 60.0 * 50.0 / n as f64;
            assert_eq!(r.carers.len(), 14 * n / 50, "{n} clients");
            assert!(
                (45.0..70.0).contains(&hours_per_50),
                "{n}: {hours_per_50} h"
            );
            assert!(r.clients.iter().all(|c| (1..=4).contains(&c.visits.len())));
            assert!(
                doubles * 50 >= visits && doubles * 5 <= visits,
                "{n}: {doubles} double-ups of {visits}"
            );
        }
    }
}
