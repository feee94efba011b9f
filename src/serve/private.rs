//! The private output folder of `serve`: where it goes, its name, and the removal of those that
//! servers killed before they could remove their own left behind.

use std::path::{Path, PathBuf};

/// The start of every private folder's name; the server's process id follows.
const PREFIX: &str = "opsbook-serve-";

/// The start of this server's private folder's name: `opsbook-serve-PID-`.
pub(super) fn prefix() -> String {
    format!("{PREFIX}{}-", std::process::id())
}

/// Removes the private folders in `parent` of servers no longer running: one killed before it
/// could remove its own leaves it behind, and in memory it would hold memory until the machine
/// restarts. Only folders named by [`prefix`], of this user, with the id of a process that has
/// ended, are touched; a link is never followed.
pub(super) fn remove_leftovers(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = (name.to_str())
            .and_then(|name| name.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_dir() || !ours(&meta) || pid == std::process::id() {
            continue;
        }
        if !crate::output::alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn ours(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn ours(_meta: &std::fs::Metadata) -> bool {
    true
}

/// Where the private output folder goes: a folder in memory when the machine has one with room
/// (`$XDG_RUNTIME_DIR`, which is this user's, else `/dev/shm`), as a server that keeps its pages
/// in memory would, else the temporary folder. Replacing ten thousand files after a template
/// edit takes seconds more on a slow disk than in memory.
pub(super) fn parent(root: &Path) -> PathBuf {
    let in_memory = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/dev/shm")])
        .filter(|dir| dir.is_dir())
        .map(|dir| {
            let free = available_bytes(&dir);
            (dir, free)
        });
    let needed = OUTPUT_ALLOWANCE + OUTPUT_PER_SOURCE_BYTE * source_bytes(root);
    first_with_room(in_memory, needed).unwrap_or_else(std::env::temp_dir)
}

/// The first absolute folder of `candidates` (each with the bytes free in it) with `needed`.
fn first_with_room(
    candidates: impl IntoIterator<Item = (PathBuf, Option<u64>)>,
    needed: u64,
) -> Option<PathBuf> {
    candidates
        .into_iter()
        .find(|(dir, free)| dir.is_absolute() && free.is_some_and(|free| free >= needed))
        .map(|(dir, _)| dir)
}

/// Room a site takes besides what grows with its sources (theme, scripts, search runtime).
const OUTPUT_ALLOWANCE: u64 = 64 << 20;
/// Output bytes per byte of source, with a wide margin (10,000 pages: 50 MB of markdown, 300 MB
/// of site).
const OUTPUT_PER_SOURCE_BYTE: u64 = 20;

/// The bytes of the handbook's files, without hidden folders (`.git`) and `node_modules`.
fn source_bytes(root: &Path) -> u64 {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0 || !(name.starts_with('.') || name == "node_modules")
        })
        .flatten()
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

#[cfg(unix)]
fn available_bytes(dir: &Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(dir).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(not(unix))]
fn available_bytes(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_absolute_folder_with_room_is_taken() {
        let mb = |n: u64| n << 20;
        let candidates = || {
            [
                (PathBuf::from("relative/run"), Some(mb(900))),
                (PathBuf::from("/run/user/1000"), Some(mb(10))),
                (PathBuf::from("/dev/shm"), Some(mb(500))),
                (PathBuf::from("/unknown"), None),
            ]
        };
        assert_eq!(
            first_with_room(candidates(), mb(5)),
            Some("/run/user/1000".into())
        );
        assert_eq!(
            first_with_room(candidates(), mb(100)),
            Some("/dev/shm".into())
        );
        assert_eq!(first_with_room(candidates(), mb(800)), None);
    }

    #[test]
    #[cfg(unix)]
    fn leftovers_of_ended_servers_go_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has ended: a child that ran and was waited for.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let ended = child.id();
        child.wait().unwrap();
        let keep = [
            format!("{}abc", prefix()),
            format!("{PREFIX}1-abc"),
            format!("{PREFIX}x-abc"),
            format!("other-{ended}-abc"),
        ];
        let gone = format!("{PREFIX}{ended}-abc");
        for name in keep.iter().chain([&gone]) {
            std::fs::create_dir_all(dir.path().join(name).join("site")).unwrap();
        }
        let linked = format!("{PREFIX}{ended}-link");
        std::os::unix::fs::symlink(dir.path().join(&keep[0]), dir.path().join(&linked)).unwrap();
        remove_leftovers(dir.path());
        assert!(
            !dir.path().join(&gone).exists(),
            "an ended server's folder stays"
        );
        for name in &keep {
            assert!(dir.path().join(name).join("site").is_dir(), "{name} went");
        }
        assert!(
            dir.path().join(&linked).symlink_metadata().is_ok(),
            "a link went"
        );
    }

    #[test]
    fn sources_are_counted_without_hidden_folders_and_node_modules() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, len: usize| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, vec![b'x'; len]).unwrap();
        };
        write("content/a.md", 100);
        write("static/b.css", 20);
        write(".git/objects/pack", 5000);
        write("node_modules/x/index.js", 7000);
        assert_eq!(source_bytes(dir.path()), 120);
    }
}
