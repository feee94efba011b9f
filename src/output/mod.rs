//! The output folder: checked before anything is written, filled as a hidden temporary folder
//! beside it, and swapped in only when the build succeeded. A failed build leaves the previous
//! output untouched; nothing outside the output folder is ever removed but the leftovers of
//! builds that were killed, recognised by their names (see [`recover`]).
//!
//! The swap exchanges the two names in one step where the system has such a rename (Linux,
//! macOS), so a build killed at any point leaves either the old or the new site at the output
//! folder. Elsewhere, or on a file system without it, the old site is renamed away before the
//! new one takes its name; a build killed between the two renames leaves no output folder, and
//! the next build puts the old site back before anything else.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location};

mod destination;
pub(crate) use destination::check_destination;

/// The names of the folders a build makes beside the output folder `NAME`:
/// `.NAME.opsbook-staging-PID-…` (the new site while it is written; after an exchange, the old
/// one while it is removed) and `.NAME.opsbook-previous-PID-…` (the old site between the two
/// renames of a swap without exchange). PID is the build's process.
fn leftover_prefix(destination: &Path, what: &str) -> String {
    let name = destination
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.opsbook-{what}-")
}

/// Staging and previous folders this process made and still has, which [`recover`] must not
/// take for an earlier process's with the same id.
static OURS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn ours() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    OURS.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget(path: &Path) {
    ours().retain(|p| p != path);
}

/// Whether the process `pid` may still be running a build (when in doubt, yes).
pub(crate) fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        // Signal 0 tests for the process without sending anything; EPERM means it exists.
        !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Puts back the site of a build killed between the two renames of a swap without exchange
/// (when `destination` is missing and such a build left the old site beside it), then removes
/// every staging and previous folder beside `destination` whose build is no longer running.
/// Only folders named as [`leftover_prefix`] says, with the id of a process that has ended (or
/// of this one, but not made by it) are touched; symbolic links are never followed. Nothing
/// here fails a build: a leftover that cannot be removed stays for the next one.
pub(crate) fn recover(destination: &Path) {
    let parent = destination.parent().unwrap_or(Path::new("/"));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let staging = leftover_prefix(destination, "staging");
    let previous = leftover_prefix(destination, "previous");
    let mine = std::process::id();
    let mut dead_staging = Vec::new();
    let mut dead_previous = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (list, rest) = if let Some(rest) = name.strip_prefix(&staging) {
            (&mut dead_staging, rest)
        } else if let Some(rest) = name.strip_prefix(&previous) {
            (&mut dead_previous, rest)
        } else {
            continue;
        };
        let Some(pid) = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        let dead = if pid == mine {
            !ours().contains(&path)
        } else {
            !alive(pid)
        };
        if is_folder && dead {
            let modified = entry.metadata().and_then(|m| m.modified()).ok();
            list.push((modified, path));
        }
    }
    if std::fs::symlink_metadata(destination).is_err() {
        // The newest old site, should several builds have been killed in their swaps.
        dead_previous.sort();
        if let Some((_, site)) = dead_previous.pop() {
            let _ = std::fs::rename(&site, destination);
        }
    }
    for (_, leftover) in dead_staging.iter().chain(&dead_previous) {
        let _ = remove_tree(leftover);
    }
}

/// The step of a swap at which `OPSBOOK_TEST_KILL_AT` asks the process to kill itself
/// (SIGKILL: nothing runs after it, no folder is cleaned up): how the tests check that every
/// step leaves a whole site behind. The steps of the swap without exchange also choose that
/// swap, which the tests' file systems never need.
fn kill_point(step: &str) {
    if std::env::var_os("OPSBOOK_TEST_KILL_AT").is_some_and(|at| at == step) {
        #[cfg(unix)]
        let _ =
            rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
        std::process::abort();
    }
}

fn swap_without_exchange_asked() -> bool {
    std::env::var_os("OPSBOOK_TEST_KILL_AT")
        .is_some_and(|at| at == "between-renames" || at == "after-renames")
}

/// Exchanges the names `a` and `b` in one step. `Ok(false)` when the system or the file system
/// has no such rename.
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    if swap_without_exchange_asked() {
        return Ok(false);
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(
                rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP,
            ) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// An absolute, `..`-free path; symlinked parents are resolved where they exist.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    // Resolve the longest existing prefix, so `out` and `root` compare by real location.
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// A build in progress: a hidden folder next to the destination, or, for a patch of a few
/// files, the destination itself ([`Staging::live`]).
pub(crate) struct Staging {
    dir: Option<tempfile::TempDir>,
    destination: PathBuf,
    live: bool,
    over: Option<Over>,
}

/// A whole build written over the finished output ([`Staging::over`]): each new file beside the
/// old one under a temporary name until the commit renames them all, so a failed build changes
/// nothing; the commit then removes the files the build did not make.
#[derive(Default)]
struct Over {
    /// Files written under their temporary name, relative.
    pending: std::sync::Mutex<Vec<String>>,
    /// Every file of the build, written or kept as it is, relative.
    files: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// Whether the file at `path` holds exactly `bytes` (its size is looked at first, so a changed
/// file is rarely read).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let same_size = std::fs::symlink_metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.len() == bytes.len() as u64);
    same_size && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Where [`Staging::over`] writes `path` until the commit.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.opsbook-new"))
}

impl Staging {
    pub(crate) fn new(destination: &Path) -> io::Result<Staging> {
        let destination = absolute(destination);
        let parent = destination.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(parent)?;
        let prefix = format!(
            "{}{}-",
            leftover_prefix(&destination, "staging"),
            std::process::id()
        );
        let mut ours = ours();
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)?;
        ours.push(dir.path().to_path_buf());
        drop(ours);
        Ok(Staging {
            dir: Some(dir),
            destination,
            live: false,
            over: None,
        })
    }

    /// A whole build written over the finished output `destination` (see [`Over`]): what a
    /// rebuild that keeps most files needs, without linking them into a new folder and
    /// removing the old one.
    pub(crate) fn over(destination: &Path) -> Staging {
        Staging {
            dir: None,
            destination: destination.to_path_buf(),
            live: false,
            over: Some(Over::default()),
        }
    }

    /// Notes that `relative` now waits under its temporary name.
    fn pending(&self, over: &Over, relative: &str) {
        over.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(relative.to_string());
        over.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(relative.to_string());
    }

    /// Writes into the finished output `destination` directly, each file replaced whole by a
    /// rename: a server reading it meanwhile sees the old file or the new one, never half of
    /// one, and a file hard-linked from an older build is never changed in place.
    pub(crate) fn live(destination: &Path) -> Staging {
        Staging {
            dir: None,
            destination: destination.to_path_buf(),
            live: true,
            over: None,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        if self.live || self.over.is_some() {
            return &self.destination;
        }
        self.dir.as_ref().map_or(Path::new(""), |d| d.path())
    }

    /// Writes `relative` (a `/`-separated path checked to stay inside) with `bytes`.
    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.resolve(relative)?;
        if let Some(over) = &self.over {
            let temporary = temporary(&path);
            // The file as it is already: kept, not replaced. A template edit leaves most outputs
            // of a big site alike (redirects, feeds, JSON), and on a disk replacing a file costs
            // far more than reading it. Not when this build wrote it already (a theme's file,
            // then the handbook's): its waiting version must not win.
            if holds(&path, bytes) && !temporary.exists() {
                over.files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(relative.to_string());
                return Ok(());
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
            }
            std::fs::write(&temporary, bytes).map_err(|e| io_error(&temporary, e))?;
            self.pending(over, relative);
            return Ok(());
        }
        if self.live {
            return write_atomically(&path, |out| std::io::Write::write_all(out, bytes))
                .map_err(|e| io_error(&path, e));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| io_error(&path, e))
    }

    /// Copies a file into the output.
    pub(crate) fn copy(&self, from: &Path, relative: &str) -> Result<(), Diagnostic> {
        if self.live || self.over.is_some() {
            let bytes = std::fs::read(from).map_err(|e| io_error(from, e))?;
            return self.write(relative, &bytes);
        }
        let path = self.resolve(relative)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        std::fs::copy(from, &path)
            .map(|_| ())
            .map_err(|e| io_error(from, e))
    }

    /// Removes `relative` from the output, when it is there.
    pub(crate) fn remove(&self, relative: &str) -> Result<(), Diagnostic> {
        let path = self.resolve(relative)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error(&path, e)),
            _ => Ok(()),
        }
    }

    /// Puts the previous build's file `from` at `relative` as a hard link (a copy where the file
    /// system has none); returns the staged path.
    pub(crate) fn link(&self, from: &Path, relative: &str) -> Result<PathBuf, Diagnostic> {
        let path = self.resolve(relative)?;
        if let Some(over) = &self.over {
            if from == path {
                over.files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(relative.to_string());
                return Ok(path);
            }
            let bytes = std::fs::read(from).map_err(|e| io_error(from, e))?;
            self.write(relative, &bytes)?;
            return Ok(temporary(&path));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        if std::fs::hard_link(from, &path).is_err() {
            std::fs::copy(from, &path).map_err(|e| io_error(from, e))?;
        }
        Ok(path)
    }

    /// The staged path of `relative`.
    pub(crate) fn path_of(&self, relative: &str) -> Result<PathBuf, Diagnostic> {
        let path = self.resolve(relative)?;
        if self.over.is_some() && temporary(&path).is_file() {
            return Ok(temporary(&path));
        }
        Ok(path)
    }

    fn resolve(&self, relative: &str) -> Result<PathBuf, Diagnostic> {
        let mut path = self.path().to_path_buf();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(Diagnostic::error(
                        None,
                        format!("output path `{relative}` leaves the output folder"),
                    ))
                }
                p if p.contains('\\') || p.contains('\0') => {
                    return Err(Diagnostic::error(
                        None,
                        format!("output path `{relative}` is not a plain path"),
                    ))
                }
                p => path.push(p),
            }
        }
        Ok(path)
    }

    /// Replaces the destination with the finished build (a live one is in place already).
    pub(crate) fn commit(mut self) -> io::Result<()> {
        if self.live {
            return Ok(());
        }
        if let Some(over) = self.over.take() {
            let mut pending = over.pending.into_inner().unwrap_or_else(|e| e.into_inner());
            // A file written twice (a theme's file, then the handbook's) is renamed once.
            pending.sort_unstable();
            pending.dedup();
            for relative in &pending {
                let path = self.destination.join(relative);
                std::fs::rename(temporary(&path), &path)?;
            }
            let files = over.files.into_inner().unwrap_or_else(|e| e.into_inner());
            return remove_all_but(&self.destination, &files);
        }
        let staged = self
            .dir
            .take()
            .map(tempfile::TempDir::keep)
            .unwrap_or_default();
        let result = swap(&staged, &self.destination);
        forget(&staged);
        result
    }
}

/// Puts the finished site `staged` at `destination` and removes the old one: a kill at any
/// point leaves a whole site at `destination`, or (without an exchange) the old one beside it
/// for [`recover`] to put back.
fn swap(staged: &Path, destination: &Path) -> io::Result<()> {
    kill_point("before-swap");
    if std::fs::symlink_metadata(destination).is_err() {
        return std::fs::rename(staged, destination);
    }
    let undo = |e: io::Error| {
        let _ = remove_tree(staged);
        e
    };
    if exchange(staged, destination).map_err(undo)? {
        // `staged` now names the old site. The new one is in place whatever happens to it: a
        // folder that cannot be removed now is a leftover for the next build.
        kill_point("after-exchange");
        let _ = remove_old(staged);
        return Ok(());
    }
    let parent = destination.parent().unwrap_or(Path::new("/"));
    let old = unused_name(parent, &leftover_prefix(destination, "previous"));
    ours().push(old.clone());
    let result = (|| {
        std::fs::rename(destination, &old).map_err(undo)?;
        kill_point("between-renames");
        if let Err(e) = std::fs::rename(staged, destination) {
            let _ = std::fs::rename(&old, destination);
            return Err(undo(e));
        }
        kill_point("after-renames");
        let _ = remove_old(&old);
        Ok(())
    })();
    forget(&old);
    result
}

/// Removes the old site, one of its entries first so that a kill can come halfway.
fn remove_old(old: &Path) -> io::Result<()> {
    if let Some(first) = std::fs::read_dir(old)?.flatten().next() {
        if first.file_type()?.is_dir() {
            remove_tree(&first.path())?;
        } else {
            std::fs::remove_file(first.path())?;
        }
        kill_point("removing-old");
    }
    remove_tree(old)
}

/// `PREFIX` + this process's id + a number no entry of `parent` has yet.
fn unused_name(parent: &Path, prefix: &str) -> PathBuf {
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (0u32..)
        .map(|n| parent.join(format!("{prefix}{pid}-{:x}", nanos.wrapping_add(n))))
        .find(|path| std::fs::symlink_metadata(path).is_err())
        .unwrap_or_else(|| parent.join(format!("{prefix}{pid}-0")))
}

impl Drop for Staging {
    /// A build over the output that was not committed leaves nothing behind.
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            forget(dir.path());
        }
        if let Some(over) = &self.over {
            let pending = over.pending.lock().unwrap_or_else(|e| e.into_inner());
            for relative in pending.iter() {
                let _ = std::fs::remove_file(temporary(&self.destination.join(relative)));
            }
        }
    }
}

/// Removes every file under `dir` that `files` (relative, `/`-separated) does not name, and the
/// folders left empty. Symbolic links are removed, never followed.
fn remove_all_but(dir: &Path, files: &std::collections::HashSet<String>) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1).contents_first(true) {
        let entry = entry.map_err(io::Error::other)?;
        let relative =
            crate::paths::slashed(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            // Fails, as it should, while the folder still holds files of the build.
            let _ = std::fs::remove_dir(entry.path());
        } else if !files.contains(&relative) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Removes a folder and everything in it, folders in parallel (a site has thousands of them).
/// Symbolic links are removed, never followed.
fn remove_tree(path: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(path)
}

/// Writes a cache file through `write`, under a temporary name renamed over `path` at the end,
/// so a reader never sees half a file.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    use std::io::Write;
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!("{name}.tmp-{}", std::process::id()));
    {
        let mut out = io::BufWriter::new(std::fs::File::create(&temp)?);
        write(&mut out)?;
        out.flush()?;
    }
    std::fs::rename(&temp, path)
}

fn io_error(path: &Path, error: io::Error) -> Diagnostic {
    Diagnostic::error(Some(Location::file(path)), format!("cannot write: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_output_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write("a/index.html", b"new").unwrap();
        assert!(staging.write("../evil", b"x").is_err());
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[test]
    fn a_build_over_the_output_changes_nothing_until_it_commits() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        for (path, text) in [
            ("a/index.html", "old a"),
            ("b.css", "b"),
            ("gone/x.html", "x"),
        ] {
            std::fs::create_dir_all(out.join(path).parent().unwrap()).unwrap();
            std::fs::write(out.join(path), text).unwrap();
        }
        let abandoned = Staging::over(&out);
        abandoned.write("a/index.html", b"half").unwrap();
        drop(abandoned);
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "old a"
        );
        assert_eq!(entries(&out), ["a/index.html", "b.css", "gone/x.html"]);

        let staging = Staging::over(&out);
        staging.write("a/index.html", b"new a").unwrap();
        staging.link(&out.join("b.css"), "b.css").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "old a"
        );
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new a"
        );
        assert_eq!(
            entries(&out),
            ["a/index.html", "b.css"],
            "gone/ and its file are removed"
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_build_over_the_output_keeps_files_it_would_write_alike() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir_all(&out).unwrap();
        for (path, text) in [
            ("same.html", "same"),
            ("twice.css", "old"),
            ("longer.js", "ab"),
        ] {
            std::fs::write(out.join(path), text).unwrap();
        }
        let inode = |path: &str| std::fs::metadata(out.join(path)).unwrap().ino();
        let (same, longer) = (inode("same.html"), inode("longer.js"));

        let staging = Staging::over(&out);
        staging.write("same.html", b"same").unwrap();
        staging.write("longer.js", b"abc").unwrap();
        // Written twice, the second time as it was: the second write wins, not the first.
        staging.write("twice.css", b"theme's").unwrap();
        staging.write("twice.css", b"old").unwrap();
        staging.commit().unwrap();

        assert_eq!(inode("same.html"), same, "an alike file is not replaced");
        assert_ne!(inode("longer.js"), longer, "a changed file is");
        assert_eq!(
            std::fs::read_to_string(out.join("longer.js")).unwrap(),
            "abc"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("twice.css")).unwrap(),
            "old"
        );
        assert_eq!(entries(&out), ["longer.js", "same.html", "twice.css"]);
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut found: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| crate::paths::slashed(e.path().strip_prefix(dir).unwrap()))
            .collect();
        found.sort();
        found
    }
}
