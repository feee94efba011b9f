//! Opening a handbook: its `opsbook.toml` read once, its layout detected once (opsbook's own,
//! or another tool's), and the folders the later stages read named.

use std::path::{Path, PathBuf};

use super::layout::Layout;
use crate::config::{Config, LinkPolicy};
use crate::diagnostic::{Diagnostic, Location};
use crate::paths::HandbookPath;

/// A handbook folder, opened: where its markdown is and how it is laid out.
#[derive(Debug, Clone)]
pub struct Handbook {
    /// The handbook folder.
    pub root: PathBuf,
    /// The folder of the markdown: `content`, another tool's `docs`, or `""` for the handbook
    /// folder itself.
    pub content: HandbookPath,
    /// How the content is read; only the source stage looks inside.
    pub(super) layout: Layout,
    /// The output folder, absolute: never read.
    pub(super) output: PathBuf,
}

impl Handbook {
    /// Reads the config of the handbook at `root` and detects its layout; `out` is the output
    /// folder (never read as content). An invalid config, a missing content folder or an output
    /// folder inside the content are errors: the handbook cannot be read.
    pub(crate) fn open(root: &Path, out: &Path) -> Result<(Handbook, Config), Vec<Diagnostic>> {
        let mut config = Config::load(root)?;
        let layout = Layout::detect(root, &config, out);
        if layout.inferred {
            // A handbook read through another tool's layout is being migrated.
            config.broken_links = LinkPolicy::Warn;
        }
        let handbook = Handbook {
            root: root.to_path_buf(),
            content: layout.content.clone(),
            layout,
            output: crate::output::absolute(out),
        };
        if let Some(link) = super::linked_folder(root, &handbook.layout.content_dir) {
            // Skipped like any other link, it would leave an empty site to replace the
            // published one: a handbook without its content is an error.
            let shown = crate::diagnostic::display_path(root, &link);
            return Err(vec![Diagnostic::error(
                Some(Location::file(&shown)),
                format!(
                    "the content folder `{}/` is a symbolic link: opsbook never follows links out of the handbook",
                    handbook.content
                ),
            )
            .with_hint(format!(
                "move the folder it points to into the handbook in place of `{}`, or run opsbook on the handbook that holds it",
                shown.display()
            ))
            .with_rule("content")]);
        }
        if !handbook.layout.content_dir.is_dir() {
            return Err(vec![Diagnostic::error(
                Some(Location::file("content")),
                "the handbook has no `content/` folder",
            )
            .with_hint(format!(
                "is `{}` the handbook folder? It should hold opsbook.toml and content/",
                root.display()
            ))]);
        }
        Ok((handbook, config))
    }

    /// Whether the handbook has its `opsbook.toml`; without one it is read as another tool's,
    /// and a problem in one page's content is a warning in `build`.
    pub fn has_config(&self) -> bool {
        !self.layout.inferred
    }

    /// Whether the handbook file `file` is content (markdown or an asset beside it).
    pub(crate) fn is_content(&self, file: &HandbookPath) -> bool {
        self.layout
            .roots
            .iter()
            .any(|r| file.inside(&r.folder).is_some())
    }

    /// The folders of markdown, the content folder first.
    pub(crate) fn content_folders(&self) -> Vec<HandbookPath> {
        self.layout.roots.iter().map(|r| r.folder.clone()).collect()
    }

    /// The folders of markdown on disk, the content folder first.
    pub(crate) fn content_dirs(&self) -> impl Iterator<Item = &Path> {
        self.layout.roots.iter().map(|r| r.dir.as_path())
    }

    /// The content file `source` (its place in the site, as the source stage lists it) as the
    /// user names it.
    pub(crate) fn file(&self, source: &str) -> HandbookPath {
        self.layout.file(source)
    }

    /// The content file `source` on disk.
    pub(crate) fn disk(&self, source: &str) -> PathBuf {
        self.layout.disk(source)
    }

    /// Where the content file `file` sits in the site (`source`), when it is one.
    pub(crate) fn source_of(&self, file: &HandbookPath) -> Option<String> {
        self.layout
            .roots
            .iter()
            .filter_map(|r| Some((r, file.inside(&r.folder)?)))
            .max_by_key(|(r, _)| r.folder.as_str().len())
            .map(|(r, rest)| HandbookPath::new(&r.mount).join(rest).to_string())
    }

    /// The folder of the handbook's own theme `name` (`themes/NAME/`), `None` for the default.
    pub(crate) fn theme_dir(&self, name: &str) -> Option<PathBuf> {
        (name != "default").then(|| self.root.join("themes").join(name))
    }

    /// Whether `path` (on disk, under the content folder) is never read as content.
    pub(crate) fn is_skipped(&self, path: &Path) -> bool {
        self.layout.is_skipped(path)
    }

    /// Refuses an output folder that holds the content: inside another tool's content folder,
    /// or, when the handbook folder is the content, one that already holds markdown.
    pub(crate) fn check_output(&self, out: &Path) -> Result<(), Diagnostic> {
        let out_abs = crate::output::absolute(out);
        let content = crate::output::absolute(&self.layout.content_dir);
        let holds_markdown = || {
            walkdir::WalkDir::new(&out_abs)
                .into_iter()
                .flatten()
                .any(|e| {
                    e.file_type().is_file()
                        && super::files::is_markdown(&e.file_name().to_string_lossy())
                })
        };
        let inside = out_abs.starts_with(&content);
        if (inside && !self.content.is_root()) || (inside && out_abs.is_dir() && holds_markdown()) {
            return Err(Diagnostic::error(
                None,
                format!(
                    "refusing to write the site to `{}`: it is inside the content folder",
                    out.display()
                ),
            )
            .with_hint("choose an output folder of its own, such as `public/`, with -o"));
        }
        Ok(())
    }

    /// opsbook's own layout for the handbook at `root`, with `foreign` set to read it as
    /// another tool's: what the fuzz targets parse documents against.
    pub fn standard(root: &Path, foreign: bool) -> Handbook {
        let mut layout = Layout::standard(root);
        layout.foreign = foreign;
        Handbook {
            root: root.to_path_buf(),
            content: layout.content.clone(),
            output: root.join("public"),
            layout,
        }
    }
}
