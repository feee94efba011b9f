//! The output folder a build is asked for, checked before anything is written.

use std::path::Path;

use super::{absolute, recover};
use crate::diagnostic::Diagnostic;

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
    recover(&out);
    Ok(())
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
}
