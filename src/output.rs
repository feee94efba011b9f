//! The output folder: checked before anything is written, filled as a hidden temporary folder
//! beside it, and swapped in only when the build succeeded. A failed build leaves the previous
//! output untouched; nothing outside the output folder is ever removed.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location};

/// Refuses an output folder that would overwrite or delete the handbook.
pub(crate) fn check_destination(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let root = absolute(root);
    let out = absolute(out);
    let refuse = |why: &str| {
        Err(Diagnostic::error(
            None,
            format!("refusing to write the site to `{}`: {why}", out.display()),
        )
        .with_hint("choose an output folder of its own, such as `public/`, with -o"))
    };
    if out.parent().is_none() {
        return refuse("it is the root of the file system");
    }
    if std::env::var_os("HOME").is_some_and(|home| absolute(Path::new(&home)) == out) {
        return refuse("it is your home folder");
    }
    if out == root {
        return refuse("it is the handbook folder itself");
    }
    if root.starts_with(&out) {
        return refuse("it contains the handbook");
    }
    for protected in ["content", "static", "templates", "themes"] {
        if out.starts_with(root.join(protected)) {
            return refuse(&format!(
                "it is inside the handbook's `{protected}/` folder"
            ));
        }
    }
    if out.is_file() {
        return refuse("it is a file");
    }
    Ok(())
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
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.opsbook-"))
            .tempdir_in(parent)?;
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
        let destination = &self.destination;
        if !destination.exists() {
            return std::fs::rename(&staged, destination);
        }
        let parent = destination.parent().unwrap_or(Path::new("/"));
        let old = tempfile::Builder::new()
            .prefix(".opsbook-previous-")
            .tempdir_in(parent)?
            .keep();
        let old_site = old.join("site");
        std::fs::rename(destination, &old_site)?;
        if let Err(e) = std::fs::rename(&staged, destination) {
            let _ = std::fs::rename(&old_site, destination);
            let _ = std::fs::remove_dir_all(&staged);
            let _ = std::fs::remove_dir_all(&old);
            return Err(e);
        }
        remove_tree(&old)
    }
}

impl Drop for Staging {
    /// A build over the output that was not committed leaves nothing behind.
    fn drop(&mut self) {
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
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
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
    fn refuses_the_handbook_its_parents_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("hb");
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_destination(&root, &root).is_err());
        assert!(check_destination(&root, dir.path()).is_err());
        assert!(check_destination(&root, &root.join("content")).is_err());
        assert!(check_destination(&root, &root.join("content/x")).is_err());
        assert!(check_destination(&root, &root.join("content/../public")).is_ok());
        assert!(check_destination(&root, &root.join("public")).is_ok());
    }

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

    fn entries(dir: &Path) -> Vec<String> {
        let mut found: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        found.sort();
        found
    }
}
