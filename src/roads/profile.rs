//! The three routing profiles (docs/roads.md): which ways a mode may use,
//! in which directions, and at what speed. Pure functions of a way's tags.

use std::collections::BTreeMap;

use super::osm::Way;
use crate::travel::TravelMode;

/// Bumped whenever a rule or a default below changes, so cached matrices
/// built by older rules are not reused.
pub const PROFILE_VERSION: u32 = 1;

/// Default free-flow driving speeds per `highway` class, km/h. A class not
/// listed here is not driveable.
pub const DRIVE_SPEEDS: [(&str, f64); 15] = [
    ("motorway", 100.0),
    ("motorway_link", 60.0),
    ("trunk", 80.0),
    ("trunk_link", 50.0),
    ("primary", 60.0),
    ("primary_link", 50.0),
    ("secondary", 50.0),
    ("secondary_link", 40.0),
    ("tertiary", 40.0),
    ("tertiary_link", 30.0),
    ("unclassified", 30.0),
    ("residential", 25.0),
    ("living_street", 10.0),
    ("service", 15.0),
    ("road", 25.0),
];

/// Ways a walker may use besides the driveable classes (but motorways).
const WALK_ONLY: [&str; 9] = [
    "footway",
    "path",
    "steps",
    "pedestrian",
    "track",
    "cycleway",
    "bridleway",
    "corridor",
    "platform",
];

/// How a mode may use one way: directions along the way's node order and
/// the speed in km/h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub forward: bool,
    pub backward: bool,
    pub speed_kmh: f64,
}

/// Speeds a profile needs: the request's bike and walk speeds and the
/// driving speed per highway class (defaults overridden by the request).
#[derive(Debug, Clone, PartialEq)]
pub struct Speeds {
    pub drive: BTreeMap<String, f64>,
    pub bike_kmh: f64,
    pub walk_kmh: f64,
}

impl Speeds {
    /// [`DRIVE_SPEEDS`] with `overrides` applied, and the given bike and walk speeds.
    pub fn new(overrides: &BTreeMap<String, f64>, bike_kmh: f64, walk_kmh: f64) -> Speeds {
        let mut drive: BTreeMap<String, f64> = DRIVE_SPEEDS
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        for (k, v) in overrides {
            drive.insert(k.clone(), *v);
        }
        Speeds {
            drive,
            bike_kmh,
            walk_kmh,
        }
    }
}

fn is_yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "true" | "1" | "designated" | "permissive"))
}

fn is_no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "false" | "0"))
}

/// `oneway` as (forward, backward), counting roundabouts and motorways as
/// one-way unless `oneway=no`.
fn oneway(way: &Way, key: &str) -> (bool, bool) {
    match way.tag(key) {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (true, true),
        _ => {
            let implied = matches!(way.tag("junction"), Some("roundabout" | "circular"))
                || matches!(way.tag("highway"), Some("motorway"));
            if implied { (true, false) } else { (true, true) }
        }
    }
}

/// A tagged `maxspeed` in km/h (`50`, `30 mph`, `RU:urban` is ignored).
pub fn maxspeed_kmh(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, factor) = match v.strip_suffix("mph") {
        Some(n) => (n.trim(), 1.609_344),
        None => (v.strip_suffix("km/h").unwrap_or(v).trim(), 1.0),
    };
    let x: f64 = num.parse().ok()?;
    (x.is_finite() && x > 0.0).then_some(x * factor)
}

/// Whether the way is a ferry, an area or under construction: never routed.
fn never(way: &Way) -> bool {
    matches!(way.tag("area"), Some("yes"))
        || way.tag("route") == Some("ferry")
        || matches!(
            way.tag("highway"),
            Some("construction" | "proposed" | "abandoned")
        )
}

/// **drive**: the classes of [`DRIVE_SPEEDS`]; `maxspeed` where tagged, else
/// the class speed; `oneway` (`yes`, `-1`, roundabouts, motorways);
/// excluded by `access`, `vehicle`, `motor_vehicle` or `motorcar` = `no`.
pub fn drive(way: &Way, speeds: &Speeds) -> Option<Usage> {
    if never(way) {
        return None;
    }
    let class_speed = *speeds.drive.get(way.tag("highway")?)?;
    for key in ["motorcar", "motor_vehicle", "vehicle", "access"] {
        match way.tag(key) {
            Some(v) if is_no(Some(v)) => return None,
            Some(_) if key != "access" => break, // a more specific key allows it
            _ => {}
        }
    }
    let speed = way
        .tag("maxspeed")
        .and_then(maxspeed_kmh)
        .unwrap_or(class_speed);
    let (forward, backward) = oneway(way, "oneway");
    Some(Usage {
        forward,
        backward,
        speed_kmh: speed,
    })
}

/// **bike**: cycleways, paths, tracks, and every road but motorways and
/// trunk roads (trunk when `bicycle=yes`); footways and pedestrian streets
/// only with `bicycle=yes|designated`; no steps; `bicycle=no` excludes;
/// `oneway` holds unless `oneway:bicycle=no` (or `cycleway=opposite*`); the
/// request's bike speed.
pub fn bike(way: &Way, speeds: &Speeds) -> Option<Usage> {
    if never(way) {
        return None;
    }
    let hw = way.tag("highway")?;
    let bicycle = way.tag("bicycle");
    if is_no(bicycle) || matches!(bicycle, Some("use_sidepath")) {
        return None;
    }
    let allowed = match hw {
        "motorway" | "motorway_link" => false,
        "trunk" | "trunk_link" => is_yes(bicycle),
        "footway" | "pedestrian" | "corridor" | "platform" | "bridleway" => is_yes(bicycle),
        "steps" => false,
        "cycleway" | "path" | "track" => true,
        other => speeds.drive.contains_key(other) || DRIVE_SPEEDS.iter().any(|(k, _)| *k == other),
    };
    if !allowed {
        return None;
    }
    if is_no(way.tag("access")) && !is_yes(bicycle) {
        return None;
    }
    let (mut forward, mut backward) = match way.tag("oneway:bicycle") {
        Some(_) => oneway(way, "oneway:bicycle"),
        None => oneway(way, "oneway"),
    };
    if way
        .tags
        .iter()
        .any(|(k, v)| k.starts_with("cycleway") && v.starts_with("opposite"))
    {
        forward = true;
        backward = true;
    }
    Some(Usage {
        forward,
        backward,
        speed_kmh: speeds.bike_kmh,
    })
}

/// **walk**: footways, paths, steps, pedestrian streets, tracks,
/// cycleways, and every road but motorways (trunk roads unless
/// `foot=no`); `foot=no` excludes, as does `access=no` without
/// `foot=yes|designated`; both directions always; the request's walking
/// speed.
pub fn walk(way: &Way, speeds: &Speeds) -> Option<Usage> {
    if never(way) {
        return None;
    }
    let hw = way.tag("highway")?;
    let foot = way.tag("foot");
    if is_no(foot) || matches!(foot, Some("use_sidepath")) {
        return None;
    }
    let allowed = match hw {
        "motorway" | "motorway_link" => false,
        other => {
            WALK_ONLY.contains(&other)
                || speeds.drive.contains_key(other)
                || DRIVE_SPEEDS.iter().any(|(k, _)| *k == other)
        }
    };
    if !allowed || (is_no(way.tag("access")) && !is_yes(foot)) {
        return None;
    }
    Some(Usage {
        forward: true,
        backward: true,
        speed_kmh: speeds.walk_kmh,
    })
}

/// The profile of `mode`.
pub fn usage(mode: TravelMode, way: &Way, speeds: &Speeds) -> Option<Usage> {
    match mode {
        TravelMode::Drive => drive(way, speeds),
        TravelMode::Bike => bike(way, speeds),
        TravelMode::Walk => walk(way, speeds),
    }
}
