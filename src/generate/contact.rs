//! Invented names, addresses and phone numbers for generated clients, so a
//! generated day's run sheets read like a real one. Nothing here is a real
//! person: names are drawn from common first names and surnames, streets
//! from generic English street names, postcodes are shaped like the
//! Herefordshire (HR) district of the client's town, and phone numbers are
//! in Ofcom's range reserved for drama (01632 960000-960999).
//!
//! Drawn from their own random stream (seeded from the day's seed), so
//! adding them leaves every other generated field unchanged.

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::model::{Client, Contact};

const WOMEN: [&str; 12] = [
    "Margaret", "Dorothy", "Joan", "Betty", "Eileen", "Jean", "Brenda", "Patricia", "Audrey",
    "Sheila", "Irene", "Mary",
];

const MEN: [&str; 12] = [
    "Arthur", "Ronald", "Kenneth", "Dennis", "Peter", "George", "Frank", "Alan", "Derek", "Brian",
    "Harold", "Norman",
];

const SURNAMES: [&str; 24] = [
    "Smith",
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Price",
    "Powell",
    "Morgan",
    "Baker",
    "Griffiths",
    "Lewis",
    "Bevan",
    "Watkins",
    "Pritchard",
    "Hughes",
    "Parry",
    "Preece",
    "Hall",
    "Turner",
    "Bennett",
    "Lloyd",
    "Meredith",
    "Probert",
];

const STREETS: [&str; 20] = [
    "Orchard Close",
    "Church Lane",
    "Mill Street",
    "Station Road",
    "Meadow View",
    "Chapel Row",
    "The Green",
    "Cider Mill Way",
    "Hopyard Lane",
    "Ash Grove",
    "Willow Drive",
    "School Lane",
    "Barley Close",
    "Kingfisher Walk",
    "Old Road",
    "Priory Court",
    "Bridge Street",
    "Castle View",
    "Oak Crescent",
    "Rectory Gardens",
];

const ACCESS: [&str; 6] = [
    "Key safe by the back door",
    "Ring the bell and wait; slow to the door",
    "Side gate, then the kitchen door",
    "Park on the drive, not the lane",
    "Dog in the kitchen: knock first",
    "Flat 2, first floor; lift on the left",
];

/// The HR postcode district of a generated town (the city's for anything
/// unknown).
fn district(town: &str) -> u32 {
    match town {
        "Leominster" | "Pembridge" | "Bodenham" | "Wellington" => 6,
        "Ross-on-Wye" | "Much Marcle" | "Fownhope" => 9,
        "Ledbury" | "Colwall" => 8,
        "Bromyard" => 7,
        "Kington" | "Eardisley" | "Weobley" => 5,
        "Peterchurch" | "Ewyas Harold" | "Kingstone" | "Madley" => 2,
        "Staunton on Wye" | "Credenhill" => 4,
        _ => 1,
    }
}

/// Fills in name, address, postcode, phone and (for some) access notes of
/// every client that has a town. Deterministic in `seed`.
pub(super) fn fill(clients: &mut [Client], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6e74_6163_7473);
    for c in clients {
        let Some(contact) = c.contact.as_mut() else {
            continue;
        };
        let town = contact.town.clone().unwrap_or_default();
        let letters = "ABDEFGHJLNPQRSTUWXYZ".as_bytes();
        let digit = rng.gen_range(1..10);
        let a = letters[rng.gen_range(0..letters.len())] as char;
        let b = letters[rng.gen_range(0..letters.len())] as char;
        let inward = format!("{digit}{a}{b}");
        let (title, first) = if rng.gen_bool(0.6) {
            ("Mrs", WOMEN.choose(&mut rng).expect("names"))
        } else {
            ("Mr", MEN.choose(&mut rng).expect("names"))
        };
        let last = SURNAMES.choose(&mut rng).expect("names");
        let street = STREETS.choose(&mut rng).expect("streets");
        *contact = Contact {
            name: Some(format!("{title} {first} {last}")),
            address: Some(format!("{} {street}", rng.gen_range(1..60))),
            town: contact.town.take(),
            postcode: Some(format!("HR{} {inward}", district(&town))),
            phone: Some(format!("01632 960{:03}", rng.gen_range(0..1000))),
            access_notes: rng
                .gen_bool(0.3)
                .then(|| ACCESS.choose(&mut rng).expect("notes").to_string()),
        };
    }
}
