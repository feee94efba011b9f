//! The highlight cache: every block a build highlighted, by a hash of its language and code, in
//! one file that CI can keep between runs, so a rebuild highlights only new code.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

const CACHE_FILE: &str = "highlight.bin";
/// Changes whenever cached HTML could differ: our version and the grammar and theme set's.
const CACHE_MAGIC: &[u8] = concat!(
    "opsbook-highlight-cache 4 ",
    env!("CARGO_PKG_VERSION"),
    " two-face-0.5.2 InspiredGithub/OneHalfDark\n"
)
.as_bytes();
/// A block's hash.
pub(super) type Key = [u8; 32];

pub(super) fn cache_key(lang: &str, code: &str) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(lang.as_bytes());
    hasher.update(b"\0");
    hasher.update(code.as_bytes());
    *hasher.finalize().as_bytes()
}

/// Reads a cache file; a missing, foreign or damaged one is an empty cache.
pub(super) fn read_cache(dir: &Path) -> HashMap<Key, Arc<str>> {
    let mut bytes = Vec::new();
    let opened =
        std::fs::File::open(dir.join(CACHE_FILE)).and_then(|mut f| f.read_to_end(&mut bytes));
    if opened.is_err() || !bytes.starts_with(CACHE_MAGIC) {
        return HashMap::new();
    }
    parse_cache(&bytes[CACHE_MAGIC.len()..]).unwrap_or_default()
}

fn parse_cache(mut bytes: &[u8]) -> Option<HashMap<Key, Arc<str>>> {
    let mut entries = HashMap::new();
    while !bytes.is_empty() {
        let key: Key = bytes.get(..32)?.try_into().ok()?;
        let len = u64::from_le_bytes(bytes.get(32..40)?.try_into().ok()?) as usize;
        let html = std::str::from_utf8(bytes.get(40..40usize.checked_add(len)?)?).ok()?;
        entries.insert(key, Arc::from(html));
        bytes = &bytes[40 + len..];
    }
    Some(entries)
}

/// Writes `used` as the cache in `dir`, replacing the old file atomically.
pub(super) fn write(dir: &Path, used: &HashMap<Key, Arc<str>>) -> std::io::Result<()> {
    let mut entries: Vec<(&Key, &Arc<str>)> = used.iter().collect();
    entries.sort_by_key(|(key, _)| **key);
    crate::output::write_atomically(&dir.join(CACHE_FILE), |out| {
        out.write_all(CACHE_MAGIC)?;
        for (key, html) in entries {
            out.write_all(key)?;
            out.write_all(&(html.len() as u64).to_le_bytes())?;
            out.write_all(html.as_bytes())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::super::Highlighter;

    #[test]
    fn cache_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let first = Highlighter::new(Some(dir.path().to_path_buf()));
        let html = first.block("yaml", "a: 1\n");
        first.save_cache().unwrap();
        let second = Highlighter::new(Some(dir.path().to_path_buf()));
        assert_eq!(second.cached.len(), 1);
        assert_eq!(second.block("yaml", "a: 1\n"), html);
        assert_eq!(
            second.stylesheets(),
            first.stylesheets(),
            "cached blocks still get their styles"
        );
    }
}
