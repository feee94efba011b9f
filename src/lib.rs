//! opsbook: an operations handbook (runbooks, processes, postmortems, status history) in
//! markdown, compiled into a fast, searchable static site.
//!
//! A build is a one-way chain of stages, run in order by [`build`]: the handbook is opened and
//! read into documents ([`source`]), assembled into a site graph ([`model`]), its markdown
//! rendered against that graph ([`markdown`]), the operations pages derived from it ([`ops`]),
//! every output rendered ([`render`]) beside the search index ([`search`]), and the output
//! folder swapped in ([`output`]). `check`, `search` and `serve` go through the same stages.
//!
//! The modules form layers. A module uses only modules of the layers above its own, never one
//! of its own layer or below; the test at the end of this file reads every `crate::` path of the
//! code and holds it to this list:
//!
//! 1. [`diagnostic`], [`dates`], [`paths`], [`vocabulary`], [`language`], [`packed`]: problems
//!    with their place, dates, paths inside the handbook, the words of the content model, the
//!    languages a handbook is written in, and text held compressed.
//! 2. [`config`]: `opsbook.toml`, read and checked.
//! 3. [`output`]: writing files and folders safely: staging, the atomic swap.
//! 4. [`reuse`], [`highlight`]: fingerprints of what a build wrote; highlighted code (syntect).
//! 5. [`markdown`]: one page's markdown as HTML (pulldown-cmark), links resolved through a trait.
//! 6. [`source`]: the source stage: a handbook folder, in any tool's layout, read into documents.
//! 7. [`model`]: the site graph and the markdown stage that completes it.
//! 8. [`ops`], [`search`]: the operations pages and files; the search index (tantivy).
//! 9. [`render`]: templates (tera) and the values they see.
//! 10. [`build`]: the pipeline: the order of the stages, the list of outputs, writing, serve's
//!     incremental session.
//! 11. [`check`], [`serve`], [`scaffold`]: the commands beyond `build`.

pub mod build;
pub mod check;
pub mod config;
pub mod dates;
pub mod diagnostic;
pub mod highlight;
pub mod language;
pub mod markdown;
pub(crate) mod model;
pub(crate) mod ops;
pub(crate) mod output;
pub(crate) mod packed;
pub(crate) mod paths;
pub(crate) mod render;
pub(crate) mod reuse;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod source;
pub(crate) mod vocabulary;

#[cfg(test)]
mod layers {
    use std::collections::BTreeMap;
    use std::path::Path;

    /// The layers as this file's documentation lists them: module → its layer's number.
    fn documented_layers() -> BTreeMap<String, usize> {
        let text = include_str!("lib.rs");
        let mut layers = BTreeMap::new();
        for line in text.lines().filter_map(|l| l.strip_prefix("//! ")) {
            let Some((number, rest)) = line.split_once(". ") else {
                continue;
            };
            let Ok(number) = number.parse::<usize>() else {
                continue;
            };
            let names = rest.split(':').next().unwrap_or("");
            for name in names.split(", ") {
                let name = name.trim().trim_start_matches("[`").trim_end_matches("`]");
                layers.insert(name.to_string(), number);
            }
        }
        layers
    }

    /// Every `crate::NAME` the code (comments left out) of the file, or of the files under the
    /// folder, at `path` names.
    fn uses_in(path: &Path, found: &mut Vec<(String, String)>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap().flatten() {
                uses_in(&entry.path(), found);
            }
            return;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            return;
        }
        {
            let text = std::fs::read_to_string(path).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices("crate::") {
                    let name: String = line[at + "crate::".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    found.push((path.display().to_string(), name));
                }
            }
        }
    }

    #[test]
    fn modules_use_only_the_layers_above_their_own() {
        let layers = documented_layers();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let declared: Vec<String> = include_str!("lib.rs")
            .lines()
            .filter_map(|l| {
                l.strip_prefix("pub mod ")
                    .or(l.strip_prefix("pub(crate) mod "))
            })
            .map(|l| l.trim_end_matches(';').to_string())
            .filter(|name| !name.contains(' '))
            .collect();
        let undocumented: Vec<&String> = declared
            .iter()
            .filter(|m| !layers.contains_key(*m))
            .collect();
        assert!(
            undocumented.is_empty(),
            "modules in no layer: {undocumented:?}"
        );
        assert!(declared.len() > 15, "{declared:?}");
        let mut wrong = Vec::new();
        for module in &declared {
            let file = src.join(format!("{module}.rs"));
            let path = if file.is_file() {
                file
            } else {
                src.join(module)
            };
            let mut uses = Vec::new();
            uses_in(&path, &mut uses);
            for (file, used) in uses {
                if used == *module {
                    continue;
                }
                let ok = matches!(
                    (layers.get(module), layers.get(&used)),
                    (Some(own), Some(other)) if other < own
                );
                if !ok {
                    wrong.push(format!("{module} uses {used} ({file})"));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "uses against the layers:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn the_check_finds_a_use_against_the_layers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("probe.rs"),
            "// crate::commented\nuse crate::build::x;\n",
        )
        .unwrap();
        let mut found = Vec::new();
        uses_in(dir.path(), &mut found);
        let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["build"]);
        assert_eq!(documented_layers()["build"], 10);
        assert!(documented_layers()["config"] < documented_layers()["source"]);
    }
}
