//! Serde types of the public JSON contract (`shared/spec/format.md`).
//!
//! These types mirror the contract field for field. The request rejects unknown
//! fields (a typo such as `carer_required` must never be silently ignored); the
//! plan accepts unknown fields so that a newer plan can still be read.
//!
//! Values that need a *validation code* rather than a parse error (an unknown
//! travel mode, an unknown speed key, a negative matrix entry) are kept loose
//! here (`String`, maps, `i64`) and checked by [`crate::validate`].

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// `"HH:MM"` (24-hour) times of day, as `chrono::NaiveTime`.
pub mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub const FORMAT: &str = "%H:%M";

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format(FORMAT).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(D::Error::custom)
    }

    /// Parse a strict `"HH:MM"` string (two digits each, 00:00 to 23:59).
    pub fn parse(s: &str) -> Result<NaiveTime, String> {
        let ok_shape = s.len() == 5
            && s.as_bytes()[2] == b':'
            && s.bytes()
                .enumerate()
                .all(|(i, b)| i == 2 || b.is_ascii_digit());
        if !ok_shape {
            return Err(format!(
                "invalid time '{s}': expected \"HH:MM\" (24-hour, e.g. \"07:30\")"
            ));
        }
        NaiveTime::parse_from_str(s, FORMAT)
            .map_err(|_| format!("invalid time '{s}': hours 00-23, minutes 00-59"))
    }

    /// Optional `"HH:MM"` (`null` allowed).
    pub mod option {
        use chrono::NaiveTime;
        use serde::{Deserialize, Deserializer, Serializer, de::Error};

        pub fn serialize<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&t.format(super::FORMAT).to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(s) => super::parse(&s).map(Some).map_err(D::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// Minutes since midnight of a time of day.
pub fn minutes_of_day(t: NaiveTime) -> i32 {
    use chrono::Timelike;
    (t.hour() * 60 + t.minute()) as i32
}

/// The time of day `m` minutes after midnight (`m` in `0..1440`).
pub fn time_of_minutes(m: i32) -> NaiveTime {
    NaiveTime::from_hms_opt((m / 60) as u32, (m % 60) as u32, 0)
        .expect("time_of_minutes called with a minute outside the day")
}

// ---------------------------------------------------------------- request

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    #[serde(default)]
    pub settings: Settings,
    pub carers: Vec<Carer>,
    pub clients: Vec<Client>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_matrix: Option<TravelMatrix>,
    /// Extension (docs/continuity.md): yesterday's plan, in the plan format.
    /// A carer who visited a client in it counts as preferred for that client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_plan: Option<Box<Plan>>,
    /// Extension (docs/locks.md): visit-to-carer assignments (and optionally
    /// starts) that every plan must keep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
}

/// A locked assignment (extension, docs/locks.md): `carer` does `visit`,
/// starting at `start` when given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub visit: String,
    pub carer: String,
    #[schema(value_type = Option<String>, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(
        default,
        with = "hhmm::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<NaiveTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default = "default_time_limit")]
    pub time_limit_seconds: f64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub travel: TravelSettings,
    /// Stop the search when it stops improving (the quick answer) instead
    /// of using the whole time limit. Optional; absent means false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_when_stalled: Option<bool>,
    /// An iteration budget per search: the search runs exactly this many
    /// iterations whatever the time limit, so that with a fixed thread
    /// count the same seed gives the same plan on any machine. Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// Extension (docs/validation.md, "Warnings"): refuse the request on
    /// any warning too, as on an error. Default false: warnings are planned
    /// around and listed in the plan's `warnings`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    /// Extension: minutes a carer aims to arrive before each call (when
    /// the gap allows); journeys otherwise start as late as they can.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub early_arrival_minutes: u32,
    /// Extension (docs/validation.md, E1705/E1706): the area the rota
    /// system serves; a location outside it is a warning (naming the swap
    /// when lat and lon swapped would bring it inside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<ServiceArea>,
    /// Extension (docs/outputs.md, "Calendars"; E1308): the IANA time zone
    /// of the request's times ("Europe/London"). Calendars then carry UTC
    /// times that stay right across a clock change; without it they are
    /// floating local times. Planning never reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A bounding box in WGS84 decimal degrees (`settings.service_area`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceArea {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl ServiceArea {
    /// Whether `l` is inside the box (edges included).
    pub fn contains(&self, l: Location) -> bool {
        (self.min_lat..=self.max_lat).contains(&l.lat)
            && (self.min_lon..=self.max_lon).contains(&l.lon)
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn default_time_limit() -> f64 {
    10.0
}
fn default_seed() -> u64 {
    1
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_limit_seconds: default_time_limit(),
            seed: default_seed(),
            travel: TravelSettings::default(),
            stop_when_stalled: None,
            iterations: None,
            strict: false,
            early_arrival_minutes: 0,
            service_area: None,
            time_zone: None,
        }
    }
}

/// The three travel modes of the contract, as requests and plans name them,
/// in a fixed order: that of [`crate::travel::TravelMode::ALL`], the modes
/// inside the library.
pub const MODES: [&str; 3] = ["drive", "bike", "walk"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelSettings {
    #[serde(default = "default_detour")]
    pub detour_factor: f64,
    /// Speed per mode in km/h. Keys are mode names; a key missing here keeps
    /// its default, an unknown key is a validation error.
    #[serde(default = "default_speeds")]
    pub speed_kmh: BTreeMap<String, f64>,
    /// Fixed minutes added to every leg between two different locations.
    #[serde(default = "default_overheads")]
    pub leg_overhead_minutes: BTreeMap<String, i64>,
    /// Extension (docs/roads.md): driving speed in km/h per OSM `highway`
    /// class, overriding the road profile's defaults when travel times come
    /// from an OpenStreetMap extract (`--osm`). Ignored otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub road_speed_kmh: BTreeMap<String, f64>,
}

fn default_detour() -> f64 {
    1.3
}
/// Default speed (km/h) of a mode, `None` for an unknown mode.
pub fn default_speed(mode: &str) -> Option<f64> {
    match mode {
        "drive" => Some(40.0),
        "bike" => Some(15.0),
        "walk" => Some(4.8),
        _ => None,
    }
}
/// Default leg overhead (minutes) of a mode, `None` for an unknown mode.
pub fn default_overhead(mode: &str) -> Option<i64> {
    match mode {
        "drive" => Some(3),
        "bike" => Some(1),
        "walk" => Some(0),
        _ => None,
    }
}
fn default_speeds() -> BTreeMap<String, f64> {
    MODES
        .iter()
        .map(|m| (m.to_string(), default_speed(m).unwrap()))
        .collect()
}
fn default_overheads() -> BTreeMap<String, i64> {
    MODES
        .iter()
        .map(|m| (m.to_string(), default_overhead(m).unwrap()))
        .collect()
}

impl Default for TravelSettings {
    fn default() -> Self {
        TravelSettings {
            detour_factor: default_detour(),
            speed_kmh: default_speeds(),
            leg_overhead_minutes: default_overheads(),
            road_speed_kmh: BTreeMap::new(),
        }
    }
}

impl TravelSettings {
    /// Speed of `mode` in km/h: the given value, else the contract's default.
    pub fn speed(&self, mode: &str) -> Option<f64> {
        self.speed_kmh
            .get(mode)
            .copied()
            .or_else(|| default_speed(mode))
    }
    /// Leg overhead of `mode` in minutes: the given value, else the default.
    pub fn overhead(&self, mode: &str) -> Option<i64> {
        self.leg_overhead_minutes
            .get(mode)
            .copied()
            .or_else(|| default_overhead(mode))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Carer {
    pub id: String,
    /// `drive`, `bike` or `walk` (checked by validation, code E1301).
    pub travel_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shifts: Option<Vec<Shift>>,
    pub start_location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Optional (docs/format.md): the carer's name and phone, the same
    /// schema as a client's; printed on run sheets, the phone list and
    /// calendars, never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Optional (docs/format.md): what the start location is called, for
    /// run sheets ("Start: Hereford office") instead of coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Base>,
}

/// A carer's base: a name and an address for the start location.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Base {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl std::fmt::Debug for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "-" };
        f.debug_struct("Base")
            .field("name", &set(&self.name))
            .field("address", &set(&self.address))
            .finish()
    }
}

impl Carer {
    /// The carer's shifts (rounds) in request order: `shift` or `shifts`.
    pub fn all_shifts(&self) -> Vec<&Shift> {
        match (&self.shift, &self.shifts) {
            (Some(s), None) => vec![s],
            (None, Some(v)) => v.iter().collect(),
            (Some(s), Some(v)) => std::iter::once(s).chain(v.iter()).collect(),
            (None, None) => vec![],
        }
    }
    /// The carer's name, when the request gives one (`contact.name`).
    pub fn name(&self) -> Option<&str> {
        self.contact.as_ref().and_then(|c| c.name.as_deref())
    }
    /// How people read the carer: "Ann Smith (C01)", or the id alone.
    pub fn label(&self) -> String {
        match self.name() {
            Some(n) => format!("{n} ({})", self.id),
            None => self.id.clone(),
        }
    }
    /// The base's name and address ("Hereford office, 1 Bath Street"),
    /// when the request gives either.
    pub fn base_label(&self) -> Option<String> {
        let b = self.base.as_ref()?;
        let parts: Vec<&str> = [b.name.as_deref(), b.address.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
    /// Where the carer's rounds end (`end_location`, default `start_location`).
    pub fn end(&self) -> Location {
        self.end_location.unwrap_or(self.start_location)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
    #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
    pub brk: Option<Break>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Break {
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub earliest: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub latest: NaiveTime,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub id: String,
    pub location: Location,
    #[serde(default = "default_priority")]
    pub priority: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_carers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_carers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carer_gender: Option<String>,
    pub visits: Vec<Visit>,
    /// Who and where, for people (an optional extension, `docs/format.md`):
    /// shown on run sheets and in exports, never used to plan, never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// A client's name, address, phone and access notes: all optional text,
/// printed on run sheets, CSV and iCal. `Debug` shows only which fields are
/// set, so a logged request never carries them.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Street address (house and street), without town or postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Town or village: also the place names on the report's map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Key safe, door code, parking: whatever a carer needs to get in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_notes: Option<String>,
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "-" };
        f.debug_struct("Contact")
            .field("name", &set(&self.name))
            .field("address", &set(&self.address))
            .field("town", &set(&self.town))
            .field("postcode", &set(&self.postcode))
            .field("phone", &set(&self.phone))
            .field("access_notes", &set(&self.access_notes))
            .finish()
    }
}

impl Contact {
    /// One line for a carer: `address, town postcode` (what is set).
    pub fn address_line(&self) -> Option<String> {
        let town_pc: Vec<&str> = [&self.town, &self.postcode]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let parts: Vec<String> = [self.address.clone(), Some(town_pc.join(" "))]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

fn default_priority() -> u32 {
    1
}
fn default_carers_required() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    pub id: String,
    pub window: Window,
    pub duration: u32,
    #[serde(default = "default_carers_required")]
    pub carers_required: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<After>,
    /// Extension (docs/format.md, "Visits that start together"; E1210-E1215):
    /// this visit starts at the same minute as the named visit of the same
    /// client, done by a different carer; each keeps its own duration and
    /// skills. Both have `carers_required` 1; declared on one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<StartsWith>,
}

/// The visit a visit starts together with (extension, docs/format.md,
/// "Visits that start together").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartsWith {
    /// A visit id of the same client, not this visit.
    pub visit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
    /// Extension (docs/format.md, "Due times"; E1207): a soft latest
    /// start inside the window (`start <= due <= end`). The window stays
    /// hard; every minute the visit starts after `due` is lateness
    /// (`late_minutes` on its stops, `summary.lateness`).
    #[schema(value_type = Option<String>, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(
        default,
        with = "hhmm::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub due: Option<NaiveTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct After {
    pub visit: String,
    pub min_gap: u32,
    /// Extension (docs/format.md, "Largest gaps"; E1208, E1209): this
    /// visit starts at most `max_gap` minutes after the named visit starts
    /// (`min_gap <= max_gap <= 1440`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gap: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelMatrix {
    pub refs: Vec<String>,
    /// Mode name to a square matrix of whole minutes, indexed like `refs`.
    pub minutes: BTreeMap<String, Vec<Vec<i64>>>,
}

// ---------------------------------------------------------------- plan

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub summary: Summary,
    pub rounds: Vec<Round>,
    pub unserved: Vec<Unserved>,
    /// Extension (docs/format.md, docs/validation.md): what in the request
    /// was planned around rather than refused (a preferred carer not on the
    /// day's rota, a location far from the rest...), each with its code,
    /// JSON path, message and hint. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Extension (docs/outputs.md, "Calendars"): when the caller issued
    /// this plan (UTC, RFC 3339), set only on request (`--issued`; `rota
    /// serve` sets it when a job finishes), so the same request still gives
    /// the same plan bytes. Calendars take `SEQUENCE` and `DTSTAMP` from it.
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<chrono::DateTime<chrono::Utc>>,
}

/// Now, to the second, as a plan's `issued`.
pub fn issued_now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    now - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&now)))
}

/// Parse `--issued`: `now`, or an RFC 3339 date-time (converted to UTC).
pub fn parse_issued(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if s == "now" {
        return Ok(issued_now());
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            format!("'{s}' is not 'now' or an RFC 3339 date-time such as 2026-11-24T16:00:00Z: {e}")
        })
}

/// A warning about the request (extension, docs/validation.md): the same
/// shape as a validation error, but the request was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// Stable code, listed in docs/validation.md.
    pub code: String,
    /// JSON path of the value in the request.
    pub path: String,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    pub clients_total: u32,
    pub clients_served: u32,
    pub priority_served: u64,
    pub visits_total: u32,
    pub visits_served: u32,
    /// Carer-minutes of care: a double-up counts once per carer.
    pub care_minutes: u64,
    pub travel_minutes: u64,
    pub continuity_assignments: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound_priority: Option<u64>,
    /// Optional field of rota's own (docs/format.md): how far the priority
    /// served may be from the best possible, `(bound - served) / bound`,
    /// from `upper_bound_priority`; 0 when the plan is proven optimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    pub status: Status,
    pub solve_seconds: f64,
    /// Optional field of rota's own (docs/format.md, "Key figures"): hours
    /// delivered, care/travel/idle share per round, early and late shift
    /// load, continuity share. Re-derived by the checker when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_figures: Option<KeyFigures>,
    /// Extension (docs/continuity.md), present when the request carries a
    /// `previous_plan`: served visit-carer assignments whose carer visited
    /// the same client in the previous plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuity_kept: Option<u32>,
    /// Extension (docs/replan.md), present on a plan made by `rota replan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanSummary>,
    /// Extension (docs/format.md, "Due times"), present when the request
    /// gives any visit a `window.due`: the calls that start after their due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lateness: Option<LatenessSummary>,
}

/// Calls that start after their `window.due` (extension, docs/format.md,
/// "Due times"). A double-up's call counts once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LatenessSummary {
    /// Served visits that start after their due.
    pub calls: u32,
    /// Their minutes late, summed.
    pub total_minutes: u64,
    /// The most minutes late of any one call (0 when none is late).
    pub largest_minutes: u32,
}

/// What a re-plan changed (extension, docs/replan.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReplanSummary {
    /// The time of the re-plan: calls that started before it are kept.
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub now: NaiveTime,
    /// Carers this re-plan was told are absent from `unavailable_from` on.
    pub unavailable: Vec<String>,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub unavailable_from: NaiveTime,
    /// Every absence in force (docs/replan.md, "Absences"): this re-plan's
    /// and those of the plan it started from, so a chain of re-plans never
    /// forgets one. Absent in plans written before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absences: Vec<Absence>,
    /// The freeze window (docs/replan.md, "Freeze"): a call whose carer had
    /// to leave for it before `now` + this many minutes stayed as planned.
    /// Absent in plans written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_minutes: Option<u32>,
    /// Calls (visit-carer assignments) of the original plan that started
    /// before `now` and are kept as they happened.
    pub calls_fixed: u32,
    /// Calls of the original plan from `now` on whose carer is unavailable.
    pub calls_of_unavailable: u32,
    /// Calls of available carers from `now` on that are no longer with the
    /// same carer (moved to another carer or dropped).
    pub calls_moved: u32,
    /// Calls of available carers from `now` on whose client is no longer
    /// served (the client is in `at_risk`).
    pub calls_dropped: u32,
    /// Calls of available carers kept on the same carer at another start.
    pub calls_retimed: u32,
    /// Clients served in the original plan and not in the new one, or served
    /// by other carers than planned.
    pub at_risk: Vec<AtRisk>,
    /// Optional (docs/replan.md, "Changed calls"): every visit from `now` on
    /// whose carers or start differ from the published plan, in time order
    /// (the earlier of its old and new start). Absent in plans written
    /// before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ReplanChange>,
}

impl ReplanSummary {
    /// A re-plan at `now` of the carers `unavailable` from `now`, before
    /// anything is counted.
    pub fn new(now: NaiveTime, unavailable: Vec<String>) -> ReplanSummary {
        ReplanSummary {
            now,
            unavailable,
            unavailable_from: now,
            absences: Vec::new(),
            freeze_minutes: None,
            calls_fixed: 0,
            calls_of_unavailable: 0,
            calls_moved: 0,
            calls_dropped: 0,
            calls_retimed: 0,
            at_risk: Vec::new(),
            changes: Vec::new(),
        }
    }
}

/// A carer absent from `from` on (docs/replan.md, "Absences"): their
/// rounds have no call and no break from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub carer: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub from: NaiveTime,
}

/// A visit whose carers or start changed in a re-plan (docs/replan.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReplanChange {
    pub visit: String,
    pub client: String,
    /// The visit in the published plan; `null` for a visit it did not have
    /// (a client added to the amended request, or one now fitted in).
    #[serde(default)]
    pub before: Option<CallTimes>,
    /// The visit in the new plan; `null` when it is dropped.
    #[serde(default)]
    pub after: Option<CallTimes>,
}

/// Who does a visit and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallTimes {
    /// Its carers, sorted (two for a double-up).
    pub carers: Vec<String>,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: NaiveTime,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: NaiveTime,
}

/// A client whose care changes in a re-plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AtRisk {
    pub client: String,
    /// `lost` (served before, not now), `started_not_finished` (a call was
    /// done before `now` but the rest cannot be fitted), `new_carer` (still
    /// served, with another carer on some call from `now` on), or
    /// `cancelled` (no longer in the amended request).
    pub status: String,
    pub message: String,
}

/// The plan's key figures for a rota manager (an extension of the contract,
/// docs/format.md). Shares are fractions rounded to 3 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyFigures {
    /// Hours of care the clients receive: each served visit's duration once,
    /// a double-up counted once (2 decimals).
    pub client_care_hours: f64,
    /// Carer-hours of care: a double-up counts once per carer (2 decimals).
    pub carer_care_hours: f64,
    /// Rounds with at least one visit.
    pub rounds_used: u32,
    pub rounds_total: u32,
    /// Carer-visit assignments in the plan (a double-up counts twice).
    pub assignments: u32,
    /// `continuity_assignments / assignments` (0 when nothing is served).
    pub continuity_share: f64,
    /// Rounds whose shift starts before 12:00.
    pub early_shifts: ShiftLoad,
    /// Rounds whose shift starts at or after 12:00.
    pub late_shifts: ShiftLoad,
    /// One entry per round, in the order of `rounds`.
    pub rounds: Vec<RoundFigures>,
}

/// The load of a group of rounds (early or late shifts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftLoad {
    pub rounds: u32,
    pub rounds_used: u32,
    /// Carer-visit assignments in these rounds.
    pub visits: u32,
    pub shift_minutes: u64,
    pub care_minutes: u64,
    pub travel_minutes: u64,
    /// `(care_minutes + travel_minutes) / shift_minutes` (0 without rounds).
    pub load: f64,
}

/// How one round's shift is spent: care, travel, the break, and idle (the
/// rest: waiting, and time before leaving or after returning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoundFigures {
    pub carer: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub shift_start: NaiveTime,
    pub shift_minutes: u32,
    pub care_minutes: u32,
    pub travel_minutes: u32,
    pub break_minutes: u32,
    pub idle_minutes: u32,
    pub care_share: f64,
    pub travel_share: f64,
    pub idle_share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Optimal,
    Feasible,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Round {
    pub carer: String,
    pub shift: ShiftTimes,
    pub travel_mode: String,
    pub stops: Vec<Stop>,
    #[schema(value_type = Option<String>, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(rename = "return", with = "hhmm::option")]
    pub return_time: Option<NaiveTime>,
    pub travel_minutes: u32,
    pub care_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftTimes {
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Stop {
    Visit(VisitStop),
    Break(BreakStop),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitStop {
    pub visit: String,
    pub client: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub arrive: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
    pub travel_minutes: u32,
    #[serde(default)]
    pub with: Vec<String>,
    /// Extension (docs/format.md, "Due times"): minutes the visit starts
    /// after its `window.due`; absent when it is on time or has no due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_minutes: Option<u32>,
    /// Extension (docs/format.md, "Visits that start together"): on both
    /// stops of a pair of visits that start together, the other visit and
    /// its carer; absent on every other stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<StartsWithStop>,
}

/// The partner of a visit stop that starts together with another visit
/// (extension, docs/format.md, "Visits that start together").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartsWithStop {
    /// The other visit of the pair.
    pub visit: String,
    /// The carer who does it.
    pub carer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BreakStop {
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unserved {
    pub client: String,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hhmm_is_strict() {
        assert_eq!(hhmm::parse("07:30").unwrap(), time_of_minutes(450));
        for bad in [
            "7:30", "07:3", "24:00", "07:60", "0730", "07-30", "", "ab:cd",
        ] {
            assert!(hhmm::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn minutes_round_trip() {
        for m in [0, 1, 59, 60, 419, 1439] {
            assert_eq!(minutes_of_day(time_of_minutes(m)), m);
        }
    }

    #[test]
    fn settings_default_to_the_contract() {
        let s = Settings::default();
        assert_eq!(s.time_limit_seconds, 10.0);
        assert_eq!(s.seed, 1);
        assert_eq!(s.travel.detour_factor, 1.3);
        assert_eq!(s.travel.speed("walk"), Some(4.8));
        assert_eq!(s.travel.overhead("drive"), Some(3));
        assert_eq!(s.travel.speed("car"), None);
    }

    #[test]
    fn partial_speeds_keep_other_defaults() {
        let t: TravelSettings = serde_json::from_str(r#"{"speed_kmh":{"drive":30}}"#).unwrap();
        assert_eq!(t.speed("drive"), Some(30.0));
        assert_eq!(t.speed("bike"), Some(15.0));
    }

    #[test]
    fn end_location_defaults_to_start_and_shifts_list_in_order() {
        let c: Carer = serde_json::from_str(
            r#"{"id":"C1","travel_mode":"walk","start_location":{"lat":52,"lon":-2.7},
                "shifts":[{"start":"07:00","end":"10:00"},{"start":"17:00","end":"20:00"}]}"#,
        )
        .unwrap();
        assert_eq!(c.end(), c.start_location);
        let starts: Vec<i32> = c
            .all_shifts()
            .iter()
            .map(|s| minutes_of_day(s.start))
            .collect();
        assert_eq!(starts, vec![420, 1020]);
    }

    #[test]
    fn plan_stops_serialise_with_kind_and_null_return() {
        let r = Round {
            carer: "C1".into(),
            shift: ShiftTimes {
                start: time_of_minutes(420),
                end: time_of_minutes(900),
            },
            travel_mode: "drive".into(),
            stops: vec![Stop::Break(BreakStop {
                start: time_of_minutes(630),
                end: time_of_minutes(650),
            })],
            return_time: None,
            travel_minutes: 0,
            care_minutes: 0,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["stops"][0]["kind"], "break");
        assert_eq!(v["stops"][0]["start"], "10:30");
        assert!(v["return"].is_null());
    }
}
