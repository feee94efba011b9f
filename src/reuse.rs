//! Reuse of unchanged output files between builds.
//!
//! Every rendered file has a fingerprint: a hash of its template set and of the exact values its
//! template was given. When a build finds that a file's fingerprint equals the one recorded by the
//! previous build, and the previous file in the output folder is still the one that build wrote
//! (same size and modification time), it hard-links that file into the new output instead of
//! rendering it again. The bytes are the same by construction, so a second build of unchanged
//! input costs hashing, not rendering. The record lives in the cache folder.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Serialize;

const RECORD_FILE: &str = "outputs.bin";
const MAGIC: &[u8] = concat!("opsbook-outputs 1 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

pub(crate) type Fingerprint = [u8; 32];

/// What a build wrote: fingerprint, size and modification time of each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    fingerprint: Fingerprint,
    size: u64,
    modified: (i64, u32),
}

/// The previous build's record and this build's, for one output folder.
pub(crate) struct Reuse {
    dir: Option<PathBuf>,
    destination: PathBuf,
    previous: HashMap<String, Written>,
    current: Mutex<Vec<(String, Written)>>,
    reused: std::sync::atomic::AtomicUsize,
}

impl Reuse {
    /// Reads the record for `destination` from `cache_dir` (no cache: nothing is reused).
    pub(crate) fn load(cache_dir: Option<&Path>, destination: &Path) -> Reuse {
        let previous = cache_dir
            .and_then(|dir| read_record(&dir.join(RECORD_FILE), destination))
            .unwrap_or_default();
        Reuse {
            dir: cache_dir.map(Path::to_path_buf),
            destination: destination.to_path_buf(),
            previous,
            current: Mutex::default(),
            reused: Default::default(),
        }
    }

    /// Whether this build's outputs are recorded for the next one: without a cache, fingerprints
    /// are neither looked up nor kept, so there is no need to make them.
    pub(crate) fn keeps_records(&self) -> bool {
        self.dir.is_some()
    }

    /// The previous file at `relative` when it can stand for a file with `fingerprint`.
    pub(crate) fn reusable(&self, relative: &str, fingerprint: &Fingerprint) -> Option<PathBuf> {
        let previous = self.previous.get(relative)?;
        if previous.fingerprint != *fingerprint {
            return None;
        }
        let path = self.destination.join(relative);
        let metadata = std::fs::symlink_metadata(&path).ok()?;
        let now =
            (metadata.is_file() && metadata.len() == previous.size).then(|| modified(&metadata))?;
        let reusable = now == previous.modified;
        if reusable {
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        reusable.then_some(path)
    }

    /// The paths the previous build recorded that `belongs` accepts.
    pub(crate) fn previous_where(&self, belongs: impl Fn(&str) -> bool) -> Vec<String> {
        let mut paths: Vec<String> = self
            .previous
            .keys()
            .filter(|p| belongs(p))
            .cloned()
            .collect();
        paths.sort();
        paths
    }

    /// How many files were taken over from the previous build.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that `path` (in the staging folder) now holds the file for `relative`.
    pub(crate) fn record(&self, relative: &str, fingerprint: Fingerprint, path: &Path) {
        if self.dir.is_none() {
            return;
        }
        if let Ok(metadata) = std::fs::metadata(path) {
            let written = Written {
                fingerprint,
                size: metadata.len(),
                modified: modified(&metadata),
            };
            self.current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((relative.to_string(), written));
        }
    }

    /// Saves this build's record, for the next build into the same folder.
    pub(crate) fn save(&self) -> std::io::Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.sort_by(|a, b| a.0.cmp(&b.0));
        crate::output::write_atomically(&dir.join(RECORD_FILE), |out| {
            out.write_all(MAGIC)?;
            write_string(out, &self.destination.to_string_lossy())?;
            for (path, written) in current.iter() {
                write_string(out, path)?;
                out.write_all(&written.fingerprint)?;
                out.write_all(&written.size.to_le_bytes())?;
                out.write_all(&written.modified.0.to_le_bytes())?;
                out.write_all(&written.modified.1.to_le_bytes())?;
            }
            Ok(())
        })
    }
}

fn modified(metadata: &std::fs::Metadata) -> (i64, u32) {
    let time = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(_) => (0, 0),
    }
}

fn write_string(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(&(text.len() as u32).to_le_bytes())?;
    out.write_all(text.as_bytes())
}

/// Reads a record; a missing, foreign or damaged one, or one for another folder, is empty.
fn read_record(path: &Path, destination: &Path) -> Option<HashMap<String, Written>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .read_to_end(&mut bytes)
        .ok()?;
    let mut rest = bytes.strip_prefix(MAGIC)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        rest = tail;
        Some(head)
    };
    let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    if take(len)? != destination.to_string_lossy().as_bytes() {
        return None;
    }
    let mut entries = HashMap::new();
    while let Some(len) = take(4) {
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let path = String::from_utf8(take(len)?.to_vec()).ok()?;
        let fingerprint: Fingerprint = take(32)?.try_into().ok()?;
        let size = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let seconds = i64::from_le_bytes(take(8)?.try_into().ok()?);
        let nanos = u32::from_le_bytes(take(4)?.try_into().ok()?);
        entries.insert(
            path,
            Written {
                fingerprint,
                size,
                modified: (seconds, nanos),
            },
        );
    }
    Some(entries)
}

/// Hashes serializable values into a fingerprint.
pub(crate) struct Hasher(blake3::Hasher);

/// The fingerprint of one file of a group of files made together from the same inputs.
pub(crate) fn member(group: &Fingerprint, path: &str) -> Fingerprint {
    let mut hasher = blake3::Hasher::new();
    hasher.update(group);
    hasher.update(path.as_bytes());
    *hasher.finalize().as_bytes()
}

impl Hasher {
    pub(crate) fn new(seed: &[u8]) -> Hasher {
        let mut hasher = blake3::Hasher::new();
        hasher.update(seed);
        Hasher(hasher)
    }

    pub(crate) fn add(&mut self, key: &str, value: &impl Serialize) {
        self.0.update(key.as_bytes());
        self.0.update(b"\0");
        // serde_json writes in small pieces; blake3 is fast on large ones.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, HashWriter(&mut self.0));
        let _ = serde_json::to_writer(&mut buffered, value);
        let _ = buffered.flush();
        drop(buffered);
        self.0.update(b"\0");
    }

    pub(crate) fn finish(&self) -> Fingerprint {
        *self.0.finalize().as_bytes()
    }
}

struct HashWriter<'a>(&'a mut blake3::Hasher);

impl Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_survives_a_round_trip_and_guards_against_edits() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.html"), "A").unwrap();
        let cache = dir.path().join("cache");
        let fingerprint = Hasher::new(b"x").finish();
        let first = Reuse::load(Some(&cache), &out);
        first.record("a.html", fingerprint, &out.join("a.html"));
        first.save().unwrap();

        let second = Reuse::load(Some(&cache), &out);
        assert_eq!(
            second.reusable("a.html", &fingerprint),
            Some(out.join("a.html"))
        );
        assert_eq!(second.reusable("a.html", &Hasher::new(b"y").finish()), None);
        assert_eq!(second.reusable("b.html", &fingerprint), None);
        std::fs::write(out.join("a.html"), "edited by hand").unwrap();
        assert_eq!(second.reusable("a.html", &fingerprint), None);

        let elsewhere = Reuse::load(Some(&cache), &dir.path().join("other"));
        assert!(elsewhere.previous.is_empty());
    }
}
