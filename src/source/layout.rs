//! Where a handbook's markdown is and what its folders hold: opsbook's own layout
//! (`opsbook.toml` + `content/`), or one inferred from a folder another tool laid out.
//!
//! Inference only looks at folder names and the other tools' config files; it reads no markdown.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::adapters::nav::NavEntry;
use crate::config::{Config, CONFIG_FILE};
use crate::paths::HandbookPath;
use crate::vocabulary::Kind;

/// Folders that hold the markdown in the layouts of other tools, in the order they are tried.
const CONTENT_FOLDERS: [&str; 4] = ["content", "docs", "src", "source"];

/// Folder names that say what their pages are, in handbooks written for other tools.
const FOLDER_KINDS: [(&str, Kind); 15] = [
    ("runbooks", Kind::Runbook),
    ("runbook", Kind::Runbook),
    ("playbooks", Kind::Runbook),
    ("playbook", Kind::Runbook),
    ("alerts", Kind::Runbook),
    ("processes", Kind::Process),
    ("process", Kind::Process),
    ("postmortems", Kind::Postmortem),
    ("postmortem", Kind::Postmortem),
    ("post-mortems", Kind::Postmortem),
    ("incidents", Kind::Postmortem),
    ("rca", Kind::Postmortem),
    ("rcas", Kind::Postmortem),
    ("status", Kind::Incident),
    ("issues", Kind::Incident),
];

/// Folders at the top of a handbook that are opsbook's own or a tool's, never content.
/// (Jekyll's `_site`, MkDocs' `site`, Docusaurus' `build` are other tools' output.)
const NOT_CONTENT: [&str; 13] = [
    "static",
    "templates",
    "themes",
    "node_modules",
    "vendor",
    "public",
    "site",
    "build",
    "_site",
    "_layouts",
    "_includes",
    "_sass",
    "_data",
];

/// The tool a handbook was written for, as its config files tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tool {
    Hugo,
    CState,
    MkDocs,
    Docusaurus,
    Jekyll,
    MdBook,
    GitBook,
}

impl Tool {
    pub(super) fn name(self) -> &'static str {
        match self {
            Tool::Hugo => "Hugo",
            Tool::CState => "cState",
            Tool::MkDocs => "MkDocs",
            Tool::Docusaurus => "Docusaurus",
            Tool::Jekyll => "Jekyll",
            Tool::MdBook => "mdBook",
            Tool::GitBook => "GitBook",
        }
    }
}

/// How to read one handbook.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    /// The handbook folder.
    pub root: PathBuf,
    /// The folder holding the markdown: `content`, `docs`, or `""` for the handbook itself.
    pub content: HandbookPath,
    /// The same folder on disk.
    pub content_dir: PathBuf,
    /// Every folder of markdown the site is made of, the content folder first, with the URL
    /// path its pages go under. Only another tool's layout has more than one (Docusaurus' docs,
    /// blog and further docs folders).
    pub roots: Vec<Root>,
    /// No `opsbook.toml`: everything below was inferred.
    pub inferred: bool,
    /// Anything but opsbook's own layout: `README.md` and `index.md` beside other pages describe
    /// their folder, `.html.md` names lose `.html`.
    pub foreign: bool,
    pub tool: Option<Tool>,
    /// Folder name → kind; folders not named here fall back to opsbook's names.
    pub folder_kinds: BTreeMap<String, Kind>,
    /// Folders under the content folder that are never read (the output folder among them).
    pub skipped: Vec<PathBuf>,
    /// The pages another tool's navigation lists (MkDocs' `nav`, a `SUMMARY.md`), with their
    /// titles and places, by content-relative path.
    pub nav: HashMap<String, NavEntry>,
    /// Docusaurus leaves `01-` prefixes of file and folder names out of URLs.
    pub strip_number_prefixes: bool,
}

/// A folder of markdown, and where its pages go in the site.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    pub folder: HandbookPath,
    pub dir: PathBuf,
    /// The URL path (and place in the site) of its files: `""` for the top, `blog`.
    pub mount: String,
}

impl Root {
    fn new(root: &Path, folder: HandbookPath, mount: String) -> Root {
        Root {
            dir: folder.on_disk(root),
            folder,
            mount,
        }
    }
}

impl Layout {
    /// opsbook's own layout: `content/`, kinds by opsbook's folder names.
    pub(super) fn standard(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
            content: HandbookPath::new("content"),
            content_dir: root.join("content"),
            roots: vec![Root::new(root, HandbookPath::new("content"), String::new())],
            inferred: false,
            foreign: false,
            tool: None,
            folder_kinds: BTreeMap::new(),
            skipped: Vec::new(),
            nav: HashMap::new(),
            strip_number_prefixes: false,
        }
    }

    /// The layout of the handbook at `root` whose config is `config`; `out` is the output folder.
    pub(super) fn detect(root: &Path, config: &Config, out: &Path) -> Layout {
        let has_config = root.join(CONFIG_FILE).is_file();
        let tool = detect_tool(root);
        let dir = if has_config {
            config.content_dir.clone()
        } else if let Some(dir) = tool.and_then(|tool| declared_content(root, tool)) {
            dir
        } else {
            CONTENT_FOLDERS
                .iter()
                .find(|d| root.join(d).is_dir())
                .map_or_else(String::new, |d| d.to_string())
        };
        let content_dir = if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&dir)
        };
        let foreign = !has_config || dir != "content" || !config.folder_kinds.is_empty();
        let mut folder_kinds = config.folder_kinds.clone();
        if !has_config {
            folder_kinds = inferred_kinds(&content_dir, tool);
        }
        let mut skipped: Vec<PathBuf> = Vec::new();
        if dir.is_empty() {
            skipped.extend(NOT_CONTENT.iter().map(|n| root.join(n)));
        }
        let out = crate::output::absolute(out);
        if out.starts_with(crate::output::absolute(&content_dir)) {
            skipped.push(out);
        }
        let mut nav = if foreign {
            super::adapters::nav::read(root, &content_dir)
        } else {
            HashMap::new()
        };
        let content = HandbookPath::new(dir);
        let mut roots = vec![Root::new(root, content.clone(), String::new())];
        if !has_config && tool == Some(Tool::Docusaurus) && content.as_str() == "docs" {
            let published = super::adapters::docusaurus::published(root);
            nav.extend(super::adapters::docusaurus::sidebar_nav(root, &published));
            roots = published
                .into_iter()
                .map(|p| Root::new(root, p.folder, p.mount))
                .collect();
            for extra in roots.iter().skip(1) {
                folder_kinds.extend(inferred_kinds(&extra.dir, tool));
            }
        }
        Layout {
            root: root.to_path_buf(),
            content,
            content_dir,
            roots,
            inferred: !has_config,
            foreign,
            tool,
            folder_kinds,
            skipped,
            nav,
            strip_number_prefixes: foreign && tool == Some(Tool::Docusaurus),
        }
    }

    /// The kind of pages in `folder` (content-relative): its nearest named folder decides.
    pub(super) fn kind_of_folder(&self, folder: &str) -> Kind {
        let named = folder
            .split('/')
            .rev()
            .find_map(|name| self.folder_kinds.get(name).copied());
        match named {
            Some(kind) => kind,
            None if self.inferred => Kind::Page,
            None => Kind::from_folder(folder.split('/').next().unwrap_or("")),
        }
    }

    /// Whether `path` (absolute, under the content folder) is never read.
    pub(super) fn is_skipped(&self, path: &Path) -> bool {
        // Most layouts skip nothing: no need to resolve the path (system calls for each of its
        // folders, for every file of the handbook).
        if self.skipped.is_empty() {
            return false;
        }
        let path = crate::output::absolute(path);
        self.skipped.iter().any(|s| path.starts_with(s))
    }

    /// The folder of markdown a file of the site (`source`, as the content lists it) is in,
    /// and the rest of its path there.
    fn root_of<'a>(&self, source: &'a str) -> (&Root, &'a str) {
        self.roots
            .iter()
            .filter_map(|root| {
                let rest = if root.mount.is_empty() {
                    Some(source)
                } else {
                    source.strip_prefix(root.mount.as_str()).and_then(|rest| {
                        rest.strip_prefix('/').or((rest.is_empty()).then_some(rest))
                    })
                };
                rest.map(|rest| (root, rest))
            })
            .max_by_key(|(root, _)| root.mount.len())
            .unwrap_or((&self.roots[0], source))
    }

    /// Where the folder of markdown of the page at `path` is published (`""`, `blog`), and the
    /// page's path in that folder.
    pub(super) fn place_in_root<'a>(&self, path: &'a str) -> (&str, &'a str) {
        let (root, rest) = self.root_of(path);
        (root.mount.as_str(), rest)
    }

    /// The file at `source` (as the content lists it) as the user names it.
    pub(super) fn file(&self, source: &str) -> HandbookPath {
        let (root, rest) = self.root_of(source);
        root.folder.join(rest)
    }

    /// The file or folder at `source` (as the content lists it) on disk.
    pub(super) fn disk(&self, source: &str) -> PathBuf {
        let (root, rest) = self.root_of(source);
        if rest.is_empty() {
            root.dir.clone()
        } else {
            root.dir.join(rest)
        }
    }
}

/// Folder kinds for a handbook without config: the named folders that exist under `content_dir`.
fn inferred_kinds(content_dir: &Path, tool: Option<Tool>) -> BTreeMap<String, Kind> {
    let mut kinds = BTreeMap::new();
    let folders = walkdir::WalkDir::new(content_dir)
        .max_depth(4)
        .into_iter()
        .filter_entry(|e| !crate::source::is_ignored(&e.file_name().to_string_lossy()))
        .flatten()
        .filter(|e| e.file_type().is_dir() && e.depth() > 0);
    for entry in folders {
        let name = entry.file_name().to_string_lossy().to_lowercase();
        let Some(&(_, kind)) = FOLDER_KINDS.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        // cState keeps its incidents in `issues/`; elsewhere that name means something else.
        if name == "issues" && tool != Some(Tool::CState) {
            continue;
        }
        kinds.insert(entry.file_name().to_string_lossy().into_owned(), kind);
    }
    kinds
}

/// The folder of markdown another tool's config names: MkDocs' `docs_dir`, mdBook's
/// `[book] src`, GitBook's `root`.
fn declared_content(root: &Path, tool: Tool) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(root.join(name)).ok();
    let dir = match tool {
        Tool::MkDocs => {
            let text = read("mkdocs.yml").or_else(|| read("mkdocs.yaml"))?;
            let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).ok()?;
            value.get("docs_dir")?.as_str()?.to_string()
        }
        Tool::MdBook => {
            let value: toml::Value = toml::from_str(&read("book.toml")?).ok()?;
            value.get("book")?.get("src")?.as_str()?.to_string()
        }
        Tool::GitBook => {
            let value: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(&read(".gitbook.yaml")?).ok()?;
            value.get("root")?.as_str()?.to_string()
        }
        _ => return None,
    };
    let dir = dir.trim_start_matches("./").trim_matches('/').to_string();
    (dir.is_empty() || root.join(&dir).is_dir()).then_some(dir)
}

/// Whether a file of the handbook (relative, `/`-separated) says how the handbook is read: its
/// config, or another tool's config, navigation or order (`mkdocs.yml`, `sidebars.js`,
/// `SUMMARY.md`, `_category_.json`). A change to one means reading the whole handbook again.
pub(crate) fn is_layout_file(path: &str) -> bool {
    let name = crate::paths::file_name(path);
    // Files of navigation and order, wherever they are.
    if matches!(name, "SUMMARY.md" | "_category_.json" | "_category_.yml") {
        return true;
    }
    let at_root = !path.contains('/');
    let sidebars = name.starts_with("sidebars")
        && [".js", ".ts", ".mjs", ".cjs", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext));
    at_root
        && (sidebars
            || matches!(
                name,
                "opsbook.toml"
                    | "book.toml"
                    | ".gitbook.yaml"
                    | "mkdocs.yml"
                    | "mkdocs.yaml"
                    | "docusaurus.config.js"
                    | "docusaurus.config.ts"
                    | "docusaurus.config.mjs"
                    | "hugo.toml"
                    | "hugo.yaml"
                    | "hugo.yml"
                    | "config.toml"
                    | "config.yaml"
                    | "config.yml"
                    | "_config.yml"
            ))
        || path == "config/tech-docs.yml"
}
fn detect_tool(root: &Path) -> Option<Tool> {
    let exists = |name: &str| root.join(name).is_file();
    let any = |names: &[&str]| names.iter().any(|n| exists(n));
    if exists("book.toml") {
        return Some(Tool::MdBook);
    }
    if any(&[".gitbook.yaml", "SUMMARY.md"]) {
        return Some(Tool::GitBook);
    }
    if any(&["mkdocs.yml", "mkdocs.yaml"]) {
        return Some(Tool::MkDocs);
    }
    if any(&[
        "docusaurus.config.js",
        "docusaurus.config.ts",
        "docusaurus.config.mjs",
        "sidebars.js",
        "sidebars.ts",
    ]) {
        return Some(Tool::Docusaurus);
    }
    let hugo_configs = [
        "hugo.toml",
        "hugo.yaml",
        "hugo.yml",
        "config.toml",
        "config.yaml",
        "config.yml",
    ];
    for name in hugo_configs {
        if let Ok(text) = std::fs::read_to_string(root.join(name)) {
            if text.to_lowercase().contains("cstate") {
                return Some(Tool::CState);
            }
            return Some(Tool::Hugo);
        }
    }
    if any(&["_config.yml", "Gemfile", "config/tech-docs.yml"]) {
        return Some(Tool::Jekyll);
    }
    None
}

/// The site title another tool's config gives, if any.
pub(super) fn foreign_title(root: &Path) -> Option<String> {
    let read = |name: &str| std::fs::read_to_string(root.join(name)).ok();
    let value_after = |text: &str, keys: &[&str]| {
        text.lines().find_map(|line| {
            let line = line.trim();
            keys.iter().find_map(|key| {
                let rest = line.strip_prefix(key)?.trim_start();
                let rest = rest.strip_prefix([':', '='])?.trim();
                let unquoted = rest.trim_end_matches(',').trim_matches(['"', '\'']);
                (!unquoted.is_empty()).then(|| unquoted.to_string())
            })
        })
    };
    let sources: [(&str, &[&str]); 10] = [
        ("mkdocs.yml", &["site_name"]),
        ("docusaurus.config.js", &["title"]),
        ("docusaurus.config.ts", &["title"]),
        ("hugo.toml", &["title"]),
        ("config.toml", &["title"]),
        ("config.yml", &["title"]),
        ("_config.yml", &["title"]),
        ("config/tech-docs.yml", &["service_name"]),
        ("mkdocs.yaml", &["site_name"]),
        ("book.toml", &["title"]),
    ];
    sources
        .iter()
        .find_map(|(file, keys)| read(file).and_then(|text| value_after(&text, keys)))
}

/// The `opsbook.toml` that states what a build of `root` without one infers, for the user to
/// adjust: content folder, folder kinds, and broken links as warnings while migrating.
pub fn inferred_config(root: &Path) -> String {
    let layout = Layout::detect(root, &Config::default(), &root.join("public"));
    let mut toml = String::new();
    let title = foreign_title(root).unwrap_or_else(|| "Operations Handbook".to_string());
    toml.push_str(&format!("title = {}\n", toml_string(&title)));
    if let Some(tool) = layout.tool {
        toml.push_str(&format!("# Read from a {} handbook.\n", tool.name()));
    }
    toml.push_str("\n[content]\n");
    toml.push_str(&format!("dir = {}\n", toml_string(layout.content.as_str())));
    if !layout.folder_kinds.is_empty() {
        toml.push_str("\n[content.kinds]\n");
        for (folder, kind) in &layout.folder_kinds {
            toml.push_str(&format!("{} = \"{}\"\n", toml_key(folder), kind.as_str()));
        }
    }
    toml.push_str("\n[build]\n# Links that lead nowhere are warnings until the migration is done.\nbroken_links = \"warn\"\n");
    toml
}

fn toml_key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        text.to_string()
    } else {
        toml_string(text)
    }
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// One line saying what a build without config inferred, once the documents are read.
pub(super) fn summary(layout: &Layout, kinds: &BTreeMap<Kind, usize>) -> String {
    let folder = if layout.content.is_root() {
        "the handbook folder itself".to_string()
    } else {
        let folders: Vec<String> = layout
            .roots
            .iter()
            .map(|r| format!("`{}/`", r.folder))
            .collect();
        folders.join(", ")
    };
    let tool = layout
        .tool
        .map_or(String::new(), |t| format!(" ({} layout)", t.name()));
    let folders: Vec<String> = layout
        .folder_kinds
        .iter()
        .map(|(folder, kind)| format!("{folder}/ → {}", kind.as_str()))
        .collect();
    let folders = if folders.is_empty() {
        String::new()
    } else {
        format!(": {}", folders.join(", "))
    };
    let counts: Vec<String> = kinds
        .iter()
        .map(|(kind, n)| match (kind, n) {
            (_, 1) => format!("1 {}", kind.as_str()),
            (Kind::Process, n) => format!("{n} processes"),
            (kind, n) => format!("{n} {}s", kind.as_str()),
        })
        .collect();
    let counts = if counts.is_empty() {
        "no pages but the home page".to_string()
    } else {
        counts.join(", ")
    };
    format!(
        "No opsbook.toml: read {folder} as the content{tool}{folders}; {counts}; broken links are warnings."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inferred_config_states_folder_kinds_and_link_policy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/playbooks")).unwrap();
        std::fs::create_dir_all(root.join("docs/rca")).unwrap();
        std::fs::write(root.join("docs/playbooks/a.md"), "# A\n").unwrap();
        std::fs::write(root.join("mkdocs.yml"), "site_name: Ops Docs\n").unwrap();
        let text = inferred_config(root);
        assert!(text.contains("title = \"Ops Docs\""), "{text}");
        assert!(text.contains("dir = \"docs\""), "{text}");
        assert!(text.contains("playbooks = \"runbook\""), "{text}");
        assert!(text.contains("rca = \"postmortem\""), "{text}");
        assert!(text.contains("broken_links = \"warn\""), "{text}");
        // What it writes is a valid config that keeps the same layout.
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.content_dir, "docs");
        assert_eq!(config.folder_kinds["playbooks"], Kind::Runbook);
        assert_eq!(config.broken_links, crate::config::LinkPolicy::Warn);
    }

    #[test]
    fn nearest_named_folder_decides_the_kind() {
        let mut layout = Layout::standard(Path::new("/x"));
        layout.inferred = true;
        layout
            .folder_kinds
            .insert("playbooks".into(), Kind::Runbook);
        assert_eq!(layout.kind_of_folder("ops/playbooks"), Kind::Runbook);
        assert_eq!(layout.kind_of_folder("ops"), Kind::Page);
        assert_eq!(
            Layout::standard(Path::new("/x")).kind_of_folder("postmortems/2026"),
            Kind::Postmortem
        );
    }
}
