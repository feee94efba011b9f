//! `opsbook init`: a starter handbook — config, one page of each kind, `.gitignore`, and CI for
//! GitHub Pages and GitLab Pages — that builds and passes `check` as written.
//!
//! The files are `starter/` of the source tree, embedded. `DATE` in a file name and the usual
//! `{{ date }}` placeholders in the text become today's date, so review dates are fresh;
//! `{{ opsbook_version }}` in the CI files becomes this opsbook's version.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir, File};

use super::{shown, write_new, Placeholders, ScaffoldError};
use crate::dates::DateTime;

static STARTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/starter");

/// What `init` did.
#[derive(Debug, Default)]
pub struct Created {
    pub written: Vec<PathBuf>,
    /// Files that existed (with `--force`) and were left as they were.
    pub kept: Vec<PathBuf>,
}

/// Writes the starter handbook into `dir`. A folder with anything in it is refused unless
/// `force`; even then no existing file is replaced.
pub fn create(dir: &Path, force: bool, today: DateTime) -> Result<Created, ScaffoldError> {
    if !force && has_entries(dir)? {
        return Err(ScaffoldError(format!(
            "`{}` is not empty: run `opsbook init` in a new folder, or pass --force to add the starter files that are missing (existing files are kept)",
            dir.display()
        )));
    }
    let mut values = Placeholders::new(today);
    // The CI files install this very version: the one whose starter they are.
    values.text("opsbook_version", env!("CARGO_PKG_VERSION"));
    let date = today.date().to_string();
    let mut created = Created::default();
    for file in files(&STARTER) {
        let relative = file
            .path()
            .to_string_lossy()
            .replace('\\', "/")
            .replace("DATE", &date);
        let path = shown(dir, &relative);
        if path.exists() {
            created.kept.push(path);
            continue;
        }
        let text = values.fill(&String::from_utf8_lossy(file.contents()));
        write_new(&path, &text)?;
        created.written.push(path);
    }
    Ok(created)
}

fn has_entries(dir: &Path) -> Result<bool, ScaffoldError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ScaffoldError(format!(
            "cannot read `{}`: {e}",
            dir.display()
        ))),
    }
}

/// Every file of the starter, sorted by path so the output is always listed the same way.
fn files(dir: &'static Dir<'static>) -> Vec<&'static File<'static>> {
    let mut all = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        all.extend(dir.files());
    }
    all.sort_by_key(|f| f.path());
    all
}
