//! The disk cache of road matrices: one JSON file per key, readable by its
//! owner only (0600, in a 0700 folder). The key is a SHA-256 over the
//! extract's content hash, the locations, the speeds and overheads, the
//! modes, the snapping limit and the profile version, so any change to one
//! of them computes afresh.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::profile::{PROFILE_VERSION, Speeds};
use super::{Place, Report, RoadOptions};
use crate::error::RotaError;
use crate::model::{Request, TravelMatrix};
use crate::travel::TravelMode;

/// `rota/roads` under the user's cache folder (e.g. `~/.cache/rota/roads`).
pub fn default_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("rota").join("roads"))
}

/// A cache key: hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(pub String);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file's content, hex.
pub fn file_hash(path: &Path) -> Result<String, RotaError> {
    let mut f = std::fs::File::open(path).map_err(|source| RotaError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = std::io::Read::read(&mut f, &mut buf).map_err(|source| RotaError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
    }
    Ok(hex(&h.finalize()))
}

#[derive(Serialize)]
struct KeyParts<'a> {
    profile_version: u32,
    extract_sha256: String,
    snap_limit_m: f64,
    modes: Vec<&'static str>,
    drive_speeds: &'a std::collections::BTreeMap<String, f64>,
    bike_kmh: f64,
    walk_kmh: f64,
    overheads: Vec<i64>,
    places: &'a [Place],
}

impl Key {
    pub fn new(
        req: &Request,
        osm: &Path,
        places: &[Place],
        used: [bool; 3],
        speeds: &Speeds,
        opts: &RoadOptions,
    ) -> Result<Key, RotaError> {
        Key::of_hash(req, &file_hash(osm)?, places, used, speeds, opts)
    }

    /// As [`Key::new`], for an extract whose content hash is known
    /// ([`super::Network`] hashes its file once).
    pub fn of_hash(
        req: &Request,
        extract_sha256: &str,
        places: &[Place],
        used: [bool; 3],
        speeds: &Speeds,
        opts: &RoadOptions,
    ) -> Result<Key, RotaError> {
        let parts = KeyParts {
            profile_version: PROFILE_VERSION,
            extract_sha256: extract_sha256.to_string(),
            snap_limit_m: opts.snap_limit_m,
            modes: TravelMode::ALL
                .into_iter()
                .filter(|m| used[m.index()])
                .map(TravelMode::as_str)
                .collect(),
            drive_speeds: &speeds.drive,
            bike_kmh: speeds.bike_kmh,
            walk_kmh: speeds.walk_kmh,
            overheads: TravelMode::ALL
                .into_iter()
                .map(|m| req.settings.travel.overhead(m.as_str()).unwrap_or(0))
                .collect(),
            places,
        };
        let text = serde_json::to_string(&parts).map_err(|e| RotaError::Internal(e.to_string()))?;
        Ok(Key(hex(&Sha256::digest(text.as_bytes()))))
    }

    fn file(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.json", self.0))
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    matrix: TravelMatrix,
    report: Report,
}

/// The cached matrix and report of `key`, if any (an unreadable entry is a miss).
pub fn load(dir: &Path, key: &Key) -> Option<(TravelMatrix, Report)> {
    let text = std::fs::read_to_string(key.file(dir)).ok()?;
    let e: Entry = serde_json::from_str(&text).ok()?;
    Some((e.matrix, e.report))
}

/// Store a matrix under `key`: written to a temporary file created 0600,
/// then renamed, so a reader never sees half a file.
pub fn store(
    dir: &Path,
    key: &Key,
    matrix: &TravelMatrix,
    report: &Report,
) -> Result<PathBuf, RotaError> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| RotaError::Io { path: p, source }
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io(dir))?;
    let entry = Entry {
        matrix: matrix.clone(),
        report: report.clone(),
    };
    let text = serde_json::to_vec(&entry).map_err(|e| RotaError::Internal(e.to_string()))?;
    let path = key.file(dir);
    let tmp = dir.join(format!("{}.{}.tmp", key.0, std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let mut f = open.open(&tmp).map_err(io(&tmp))?;
    f.write_all(&text).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(path)
}
