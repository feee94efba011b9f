//! Helpers shared by the integration tests: run the real `opsbook` binary, write small
//! handbooks into temporary folders, parse output HTML and query it with CSS selectors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use scraper::{ElementRef, Html, Selector};

/// "Today" for every build, so review dates and "ongoing" never depend on the clock.
pub(crate) const NOW: &str = "2026-11-27";

/// The example handbook shipped with the crate.
pub(crate) fn example_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/content-example"))
}

/// A fixture under `tests/fixtures/`.
pub(crate) fn fixture_dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// What one run of `opsbook build` did.
#[derive(Debug)]
pub(crate) struct Run {
    pub status: ExitStatus,
    pub stderr: String,
}

impl Run {
    pub(crate) fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Lines starting with `error: `.
    pub(crate) fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect()
    }

    /// Lines starting with `warning: `.
    pub(crate) fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .collect()
    }

    /// The `  hint: …` line right after the first line equal to `line`.
    pub(crate) fn hint_after(&self, line: &str) -> Option<&str> {
        let mut lines = self.stderr.lines();
        lines.by_ref().find(|l| *l == line)?;
        lines.next().and_then(|l| l.strip_prefix("  hint: "))
    }

    #[track_caller]
    pub(crate) fn assert_success(&self) {
        assert!(
            self.status.success(),
            "opsbook build failed ({:?}):\n{}",
            self.status,
            self.stderr
        );
    }

    #[track_caller]
    pub(crate) fn assert_failure(&self) {
        assert_eq!(
            self.code(),
            Some(1),
            "expected exit code 1, stderr:\n{}",
            self.stderr
        );
        let last = self.stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("Build failed with ")
                && last.ends_with("; the output folder was left as it was."),
            "unexpected last line {last:?} in:\n{}",
            self.stderr
        );
    }
}

/// Runs `opsbook build DIR -o OUT --no-cache --now NOW [extra…]`.
pub(crate) fn build(dir: &Path, out: &Path, extra: &[&str]) -> Run {
    build_with_env(dir, out, extra, &[])
}

/// [`build`] with extra environment variables.
pub(crate) fn build_with_env(dir: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    build_run(dir, out, NOW, extra, env)
}

/// Runs `opsbook build DIR -o OUT --no-cache --now NOW` with another "now".
pub(crate) fn build_now(dir: &Path, out: &Path, now: &str) -> Run {
    build_run(dir, out, now, &[], &[])
}

fn build_run(dir: &Path, out: &Path, now: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .envs(env.iter().copied())
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .args(["--no-cache", "--now", now])
        .args(extra)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the opsbook binary");
    Run {
        status: output.status,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every link of every HTML file of the site at `out` (built with the base path `/`) that leads
/// to no file of the site: (page, link). Links out of the site and to `#anchors` are not counted,
/// nor, with `theme_only`, the links of the pages' own text (`div.content`: the handbook's).
pub(crate) fn broken_links_in(out: &Path, theme_only: bool) -> Vec<(String, String)> {
    let mut broken = Vec::new();
    let in_text = |element: ElementRef<'_>| {
        element
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "div" && a.value().classes().any(|c| c == "content"))
    };
    for file in html_files(out) {
        let html = html_file(out, &file);
        for element in html.select(&sel(
            "a[href], link[href], script[src], img[src], form[action]",
        )) {
            if theme_only && in_text(element) {
                continue;
            }
            let value = ["href", "src", "action"]
                .iter()
                .find_map(|name| element.value().attr(name))
                .unwrap_or("");
            let Some(path) = value.strip_prefix('/').filter(|_| !value.starts_with("//")) else {
                continue;
            };
            let path = path.split(['#', '?']).next().unwrap_or("");
            let target = if path.is_empty() || path.ends_with('/') {
                out.join(path).join("index.html")
            } else {
                out.join(path)
            };
            if !target.is_file() {
                broken.push((file.clone(), value.to_string()));
            }
        }
    }
    broken.sort();
    broken.dedup();
    broken
}

/// [`broken_links_in`] every page, its text included.
pub(crate) fn broken_links(out: &Path) -> Vec<(String, String)> {
    broken_links_in(out, false)
}

/// Runs `opsbook check DIR --format json --now NOW`: the exit code and the report.
pub(crate) fn check_json(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--now", NOW])
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the opsbook binary");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), report)
}

/// The findings of a `check --format json` report: rule, file, level, message.
pub(crate) fn findings(report: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let field = |f: &serde_json::Value, key: &str| f[key].as_str().unwrap_or("").to_string();
    report["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|f| {
                    (
                        field(f, "rule"),
                        field(f, "file"),
                        field(f, "level"),
                        field(f, "message"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A handbook written into a temporary folder: `tmp/hb/` is the handbook; outputs go beside it.
pub(crate) struct Handbook {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Handbook {
    /// Writes `files` (paths relative to the handbook root) into a fresh temporary handbook.
    pub(crate) fn new(files: &[(&str, &str)]) -> Handbook {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("hb");
        std::fs::create_dir_all(&root).unwrap();
        let handbook = Handbook { tmp, root };
        for (path, contents) in files {
            handbook.write(path, contents.as_bytes());
        }
        handbook
    }

    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// `tmp/<name>`: an output folder beside the handbook.
    pub(crate) fn out(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Builds into `tmp/public`.
    pub(crate) fn build(&self, extra: &[&str]) -> Run {
        build(&self.root, &self.out("public"), extra)
    }
}

pub(crate) fn sel(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("bad selector {selector:?}: {e:?}"))
}

/// Parses `out/<relative>`, panicking with the path when it is missing.
pub(crate) fn html_file(out: &Path, relative: &str) -> Html {
    let path = out.join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Html::parse_document(&text)
}

/// Parses the page at `url` (`runbooks/x/`, `""` for home): `out/<url>index.html`.
pub(crate) fn page(out: &Path, url: &str) -> Html {
    html_file(out, &format!("{url}index.html"))
}

/// Text of an element with whitespace collapsed.
pub(crate) fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Texts of every element matching `selector`.
pub(crate) fn texts(html: &Html, selector: &str) -> Vec<String> {
    html.select(&sel(selector)).map(text_of).collect()
}

/// The text of the only element matching `selector`.
#[track_caller]
pub(crate) fn text(html: &Html, selector: &str) -> String {
    let all = texts(html, selector);
    assert_eq!(all.len(), 1, "expected one {selector:?}, found {all:?}");
    all.into_iter().next().unwrap()
}

/// `attr` of every element matching `selector` that has it.
pub(crate) fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    html.select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

pub(crate) fn count(html: &Html, selector: &str) -> usize {
    html.select(&sel(selector)).count()
}

/// The `<dd>` of the fact labelled `label` in a page's `dl.facts`.
pub(crate) fn fact<'a>(html: &'a Html, label: &str) -> Option<ElementRef<'a>> {
    let dt = sel("dt");
    let dd = sel("dd");
    html.select(&sel("dl.facts > div")).find_map(|fact| {
        let matches = fact.select(&dt).next().map(text_of).as_deref() == Some(label);
        if matches {
            fact.select(&dd).next()
        } else {
            None
        }
    })
}

/// Text of the fact labelled `label`, panicking when the page has none.
#[track_caller]
pub(crate) fn fact_text(html: &Html, label: &str) -> String {
    text_of(fact(html, label).unwrap_or_else(|| panic!("no fact labelled {label:?}")))
}

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_file() {
            files.insert(relative, std::fs::read(entry.path()).unwrap());
        } else if entry.file_type().is_dir() && !relative.is_empty() {
            // Directories count too: an emptied folder is a change.
            files.insert(format!("{relative}/"), Vec::new());
        }
    }
    files
}

/// Names of the entries directly inside `dir`, sorted.
pub(crate) fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Relative paths of every `.html` file under `dir`, sorted.
pub(crate) fn html_files(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

/// Asserts two trees hold the same files with the same bytes, naming the first difference.
#[track_caller]
pub(crate) fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    let names_a: Vec<&String> = a.keys().collect();
    let names_b: Vec<&String> = b.keys().collect();
    if names_a != names_b {
        let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
        let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
        panic!("file lists differ: only in the first {only_a:?}, only in the second {only_b:?}");
    }
    for (name, bytes) in a {
        if bytes != &b[name] {
            let first = bytes
                .iter()
                .zip(&b[name])
                .position(|(x, y)| x != y)
                .unwrap_or(bytes.len().min(b[name].len()));
            let around = |v: &[u8]| {
                let start = first.saturating_sub(60);
                String::from_utf8_lossy(&v[start..(first + 60).min(v.len())]).into_owned()
            };
            panic!(
                "`{name}` differs at byte {first}:\n  first:  {:?}\n  second: {:?}",
                around(bytes),
                around(&b[name])
            );
        }
    }
}

/// A build of the example handbook kept for the whole test run, in `target/tmp/`.
pub(crate) struct SharedBuild {
    pub out: PathBuf,
    pub run: Run,
}

/// Builds `dir` once per test process into a fresh folder under `CARGO_TARGET_TMPDIR`.
/// Such folders cannot be removed at exit (statics are never dropped), so older ones left by
/// earlier runs are swept first.
pub(crate) fn shared_build(dir: &Path, name: &str, extra: &[&str]) -> SharedBuild {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(base).unwrap();
    let prefix = format!("opsbook-it-{name}-");
    sweep_old(base, &prefix);
    let folder = tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(base)
        .unwrap()
        .keep();
    let out = folder.join("public");
    let run = build(dir, &out, extra);
    SharedBuild { out, run }
}

fn sweep_old(base: &Path, prefix: &str) {
    let Ok(read) = std::fs::read_dir(base) else {
        return;
    };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if name.starts_with(prefix) && old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs a prepared `node` command and fails the test with its output when it fails.
pub(crate) fn assert_node_succeeds(mut command: Command, script: &str) {
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
}

/// Copies the folder `from` into `to`, file by file.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
