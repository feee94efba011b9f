//! Whether an index is stale: a stamp of the handbook's sources (every file's path, size and
//! modification time under the content folder, `opsbook.toml`) and of this program's version.

use crate::source::Handbook;

pub(super) const STAMP_FILE: &str = "opsbook-stamp";
/// Changes whenever the index schema does, so an index of an older schema is rebuilt.
const SCHEMA: &str =
    "schema 7: languages, compound words and their parts, page title, words, order";

/// The stamp of `handbook` as it is now.
pub(crate) fn source_stamp(handbook: &Handbook) -> String {
    let root = handbook.root.as_path();
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(SCHEMA.as_bytes());
    let mut entries: Vec<(String, u64, u128)> = Vec::new();
    // The content folder of another tool's layout may be the handbook itself, holding the
    // index's own cache folder: hidden and skipped folders are left out.
    let walked = handbook.content_dirs().flat_map(|dir| {
        walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(crate::source::is_ignored(&e.file_name().to_string_lossy())
                        || handbook.is_skipped(e.path()))
            })
    });
    let config = root.join(crate::config::CONFIG_FILE);
    let files = walked
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .chain([config]);
    for path in files {
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        entries.push((relative, metadata.len(), modified));
    }
    entries.sort();
    for (path, size, modified) in entries {
        hasher.update(path.as_bytes());
        hasher.update(&size.to_le_bytes());
        hasher.update(&modified.to_le_bytes());
    }
    hasher.finalize().to_hex().to_string()
}
