//! A build that finds nothing changed since the last build into the same folder leaves that
//! output as it is, in the time it takes to look at the files.
//!
//! Nothing changed means: the same program and options; every file under the handbook folder
//! (but `.git/`, `node_modules/`, the output and the cache) with the size and modification time
//! it had when the last build began — the rule the source stage uses to take a file as unchanged;
//! the output folder exactly as that build left it; and "now" inside the stretch of time over
//! which that site looks the same ([`crate::ops::steady_around`]: the same UTC day, no incident
//! starting, ending or growing stale in between, none having its impact). The one thing such a
//! build leaves as it was is the moment the status page says it was made.
//!
//! A build with warnings is not recorded: the next one builds again and shows them again.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{BuildOptions, BuildReport};
use crate::model::Site;

const RECORD_FILE: &str = "last-build.json";
const FORMAT: &str = concat!("opsbook last-build 1 ", env!("CARGO_PKG_VERSION"));

/// What the last build was made from and what it made.
#[derive(Serialize, Deserialize)]
struct Record {
    format: String,
    inputs: String,
    output: String,
    /// The stretch of "now", in seconds, `[from, until)`, over which the output holds.
    steady: (i64, i64),
    pages: usize,
    files: usize,
    markdown_files: usize,
    drafts: usize,
    left_out: usize,
    inferred: Option<String>,
    search_input: String,
}

/// The inputs of a build as they are when it begins.
pub(crate) struct Inputs {
    record: PathBuf,
    fingerprint: String,
}

impl Inputs {
    /// Looks at the program, the options and the handbook's files; `None` without a cache
    /// folder (nothing is recorded then).
    pub(crate) fn read(options: &BuildOptions) -> Option<Inputs> {
        let cache = options.cache_dir.as_ref()?;
        let root = crate::output::absolute(&options.root);
        let out = crate::output::absolute(&options.out_dir());
        let mut hasher = blake3::Hasher::new();
        hasher.update(FORMAT.as_bytes());
        let program = std::env::current_exe().and_then(std::fs::metadata).ok();
        add_file(&mut hasher, "program", program.as_ref());
        let shown_options =
            serde_json::json!([root, out, options.base_url, options.drafts, options.offline]);
        hasher.update(shown_options.to_string().as_bytes());
        let skipped = [out.clone(), crate::output::absolute(cache)];
        let walker = walkdir::WalkDir::new(&root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(matches!(e.file_name().to_str(), Some(".git" | "node_modules"))
                        || skipped.iter().any(|s| s == e.path()))
            });
        for entry in walker {
            // An unreadable corner: let a real build say what is wrong with it.
            let entry = entry.ok()?;
            if entry.file_type().is_dir() {
                continue;
            }
            let relative = entry.path().strip_prefix(&root).unwrap_or(entry.path());
            let metadata = entry.metadata().ok();
            add_file(&mut hasher, &relative.to_string_lossy(), metadata.as_ref());
        }
        Some(Inputs {
            record: cache.join(RECORD_FILE),
            fingerprint: hasher.finalize().to_hex().to_string(),
        })
    }

    /// The last build's report, when the output it left is still what a build now would
    /// write.
    pub(crate) fn unchanged(
        &self,
        options: &BuildOptions,
        now: Timestamp,
        started: Instant,
    ) -> Option<BuildReport> {
        let record: Record = serde_json::from_slice(&std::fs::read(&self.record).ok()?).ok()?;
        let now_seconds = now.as_second();
        let steady = record.steady.0 <= now_seconds && now_seconds < record.steady.1;
        if record.format != FORMAT || record.inputs != self.fingerprint || !steady {
            return None;
        }
        let out = options.out_dir();
        if output_fingerprint(&out)? != record.output {
            return None;
        }
        let mut search_input = [0; 32];
        let hex = record.search_input.as_bytes();
        for (byte, pair) in search_input.iter_mut().zip(hex.chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(BuildReport {
            pages: record.pages,
            files: record.files,
            reused: record.files,
            read: 0,
            markdown: 0,
            search_later: false,
            search_input: Some(search_input),
            warnings: Vec::new(),
            timings: vec![("unchanged", started.elapsed())],
            out,
            inferred: record.inferred,
            markdown_files: record.markdown_files,
            drafts: record.drafts,
            left_out: record.left_out,
        })
    }

    /// Forgets the last build before this one writes (a build that fails or stops halfway
    /// must not leave a record of output that is no longer there).
    pub(crate) fn forget(&self) {
        let _ = std::fs::remove_file(&self.record);
    }

    /// Records a finished build of `site` at `now`.
    pub(crate) fn record(&self, site: &Site, now: Timestamp, report: &BuildReport) {
        if !report.warnings.is_empty() {
            return;
        }
        let Some(output) = output_fingerprint(&report.out) else {
            return;
        };
        let (from, until) = crate::ops::steady_around(site, now);
        let record = Record {
            format: FORMAT.to_string(),
            inputs: self.fingerprint.clone(),
            output,
            steady: (from.as_second(), until.as_second()),
            pages: report.pages,
            files: report.files,
            markdown_files: report.markdown_files,
            drafts: report.drafts,
            left_out: report.left_out,
            inferred: report.inferred.clone(),
            search_input: report
                .search_input
                .iter()
                .flatten()
                .map(|b| format!("{b:02x}"))
                .collect(),
        };
        let Ok(json) = serde_json::to_vec(&record) else {
            return;
        };
        // Without a record the next build builds: nothing is lost but time.
        let _ = crate::output::write_atomically(&self.record, |file| {
            std::io::Write::write_all(file, &json)
        });
    }
}

/// Every file of the output folder with its size and modification time; `None` when it cannot
/// be read whole.
fn output_fingerprint(out: &Path) -> Option<String> {
    let mut hasher = blake3::Hasher::new();
    let walker = walkdir::WalkDir::new(out)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(out).unwrap_or(entry.path());
        let metadata = entry.metadata().ok();
        add_file(&mut hasher, &relative.to_string_lossy(), metadata.as_ref());
    }
    Some(hasher.finalize().to_hex().to_string())
}

fn add_file(hasher: &mut blake3::Hasher, name: &str, metadata: Option<&std::fs::Metadata>) {
    hasher.update(name.as_bytes());
    hasher.update(&[0]);
    let (kind, size, modified) = metadata.map_or((0u8, 0, 0), |m| {
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (if m.is_symlink() { 2 } else { 1 }, m.len(), modified)
    });
    hasher.update(&[kind]);
    hasher.update(&size.to_le_bytes());
    hasher.update(&modified.to_le_bytes());
}
