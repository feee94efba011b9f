//! `opsbook init` and `opsbook new`: what they write builds and passes `check`, and they never
//! replace a file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml_ng::Value;

use crate::support::{build, NOW};

fn opsbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the opsbook binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh handbook made by `init` in a temporary folder.
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("handbook");
    let run = opsbook(&["init", root.to_str().unwrap(), "--now", NOW]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    (tmp, root)
}

/// `check --format json` of `root`: exit code and the report.
fn check_json(root: &Path) -> (Option<i32>, serde_json::Value) {
    let run = opsbook(&[
        "check",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    let report = serde_json::from_slice(&run.stdout).expect("a JSON report");
    (run.status.code(), report)
}

#[test]
fn init_gives_a_handbook_that_checks_clean_and_builds() {
    let (tmp, root) = initialised();
    for file in [
        "opsbook.toml",
        ".gitignore",
        ".github/workflows/pages.yml",
        ".gitlab-ci.yml",
        "content/runbooks/api-high-error-rate.md",
        "content/processes/incident-response.md",
        "content/postmortems/2026-11-27-api-errors.md",
        "content/status/2026-11-27-api-errors.md",
    ] {
        assert!(root.join(file).is_file(), "init did not write {file}");
    }
    let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "public/"));
    assert!(gitignore.lines().any(|l| l == ".opsbook-cache/"));
    let (code, report) = check_json(&root);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    let out = tmp.path().join("site");
    let run = build(&root, &out, &[]);
    run.assert_success();
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    for page in [
        "index.html",
        "runbooks/api-high-error-rate/index.html",
        "processes/incident-response/index.html",
        "postmortems/2026-11-27-api-errors/index.html",
        "status/2026-11-27-api-errors/index.html",
    ] {
        assert!(out.join(page).is_file(), "no {page}");
    }
}

#[test]
fn init_refuses_a_folder_with_files_and_force_keeps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("opsbook.toml"), "title = \"Mine\"\n").unwrap();
    let run = opsbook(&["init", root.to_str().unwrap(), "--now", NOW]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("is not empty"),
        "{}",
        text(&run.stderr)
    );
    assert!(!root.join("content").exists());

    let run = opsbook(&["init", root.to_str().unwrap(), "--force", "--now", NOW]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("opsbook.toml`: it already exists"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("opsbook.toml")).unwrap(),
        "title = \"Mine\"\n"
    );
    assert!(root
        .join("content/runbooks/api-high-error-rate.md")
        .is_file());
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid YAML")
}

/// The steps of a GitHub job, as (uses, run, id) strings.
fn steps(job: &Value) -> Vec<(String, String, String)> {
    let field = |step: &Value, key: &str| step[key].as_str().unwrap_or("").to_string();
    job["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .map(|s| (field(s, "uses"), field(s, "run"), field(s, "id")))
        .collect()
}

#[test]
fn the_github_workflow_checks_builds_and_deploys_to_pages() {
    let (_tmp, root) = initialised();
    let workflow = yaml(&root.join(".github/workflows/pages.yml"));
    let permissions = &workflow["permissions"];
    assert_eq!(permissions["pages"].as_str(), Some("write"));
    assert_eq!(permissions["id-token"].as_str(), Some("write"));
    assert_eq!(permissions["contents"].as_str(), Some("read"));

    let build = steps(&workflow["jobs"]["build"]);
    let position = |pred: &dyn Fn(&(String, String, String)) -> bool| {
        build
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("missing step in {build:?}"))
    };
    let checkout = position(&|s| s.0.starts_with("actions/checkout@"));
    let install = position(&|s| s.1.contains("$GITHUB_PATH"));
    let check = position(&|s| s.1.starts_with("opsbook check"));
    let configure = position(&|s| s.0.starts_with("actions/configure-pages@") && s.2 == "pages");
    let site =
        position(&|s| s.1 == "opsbook build --base-url \"${{ steps.pages.outputs.base_url }}/\"");
    let upload = position(&|s| s.0.starts_with("actions/upload-pages-artifact@"));
    assert!(
        checkout < install && install < check && check < site && configure < site && site < upload
    );
    let upload_step = &workflow["jobs"]["build"]["steps"][upload];
    assert_eq!(upload_step["with"]["path"].as_str(), Some("public"));

    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["environment"]["name"].as_str(), Some("github-pages"));
    assert_eq!(
        deploy["environment"]["url"].as_str(),
        Some("${{ steps.deployment.outputs.page_url }}")
    );
    let deploy_steps = steps(deploy);
    assert!(deploy_steps
        .iter()
        .any(|s| s.0.starts_with("actions/deploy-pages@") && s.2 == "deployment"));
}

/// The build job's step called `name`.
fn step<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    workflow["jobs"]["build"]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn the_github_workflow_installs_the_release_of_the_opsbook_that_wrote_it() {
    let (_tmp, root) = initialised();
    let workflow = yaml(&root.join(".github/workflows/pages.yml"));
    let env = &workflow["env"];
    assert_eq!(
        env["OPSBOOK_VERSION"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(env["OPSBOOK_FROM_SOURCE"].as_str(), Some("false"));
    let release = "env.OPSBOOK_FROM_SOURCE != 'true'";
    for name in [
        "Download opsbook",
        "Check the download's SHA-256",
        "Install opsbook",
    ] {
        assert_eq!(
            step(&workflow, name)["if"].as_str(),
            Some(release),
            "{name}"
        );
    }
    let download = step(&workflow, "Download opsbook")["run"].as_str().unwrap();
    assert!(
        download.contains("opsbook-v$OPSBOOK_VERSION-$target.tar.gz")
            && download.contains("/releases/download/v$OPSBOOK_VERSION")
            && download.contains("SHA256SUMS"),
        "{download}"
    );
    // cargo only when asked, and then the same version.
    let source = step(&workflow, "Build opsbook from source");
    assert_eq!(
        source["if"].as_str(),
        Some("env.OPSBOOK_FROM_SOURCE == 'true'")
    );
    let cargo = source["run"].as_str().unwrap();
    assert!(
        cargo.starts_with("cargo install --locked")
            && cargo.contains("--tag \"v$OPSBOOK_VERSION\""),
        "{cargo}"
    );
    // The highlight cache is kept between runs.
    let cache = step(&workflow, "Keep the highlight cache");
    assert!(cache["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/cache@"));
    assert_eq!(cache["with"]["path"].as_str(), Some(".opsbook-cache"));
}

/// Runs the workflow step `name`'s script as GitHub's `bash` does, in `dir`, with `env`.
fn run_step(workflow: &Value, name: &str, dir: &Path, env: &[(&str, &str)]) -> Output {
    let script = step(workflow, name)["run"].as_str().unwrap();
    Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-e",
            "-o",
            "pipefail",
            "-c",
            script,
        ])
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("run bash")
}

/// `sha256sum`'s digest of `path`.
fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn the_checksum_step_rejects_an_archive_that_does_not_match() {
    let (tmp, root) = initialised();
    let workflow = yaml(&root.join(".github/workflows/pages.yml"));
    let dir = tmp.path().join("runner-temp");
    let name = "opsbook-v9.9.9-x86_64-unknown-linux-musl";
    let archive = format!("{name}.tar.gz");
    // A real archive, as the release has it: a folder holding the binary.
    std::fs::create_dir_all(dir.join(name)).unwrap();
    std::fs::write(dir.join(name).join("opsbook"), "#!/bin/sh\necho fake\n").unwrap();
    let tar = Command::new("tar")
        .args(["-czf", &archive, name])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(tar.success());
    std::fs::remove_dir_all(dir.join(name)).unwrap();
    let good = sha256(&dir.join(&archive));
    // Another last digit, whatever the real one is (tar stamps the time, so it varies).
    let last = if good.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{last}", &good[..63]);
    let other = "opsbook-v9.9.9-aarch64-unknown-linux-musl.tar.gz";
    let check = "Check the download's SHA-256";
    let verify = |sums: &str, pinned: &str| {
        std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
        let env = [
            ("OPSBOOK_ARCHIVE", archive.as_str()),
            ("OPSBOOK_SHA256", pinned),
        ];
        run_step(&workflow, check, &dir, &env)
    };

    let run = verify(&format!("{bad}  {other}\n{good}  {archive}\n"), "");
    assert!(run.status.success(), "{}", text(&run.stderr));
    let run = verify(&format!("{good}  {other}\n{bad}  {archive}\n"), "");
    assert!(!run.status.success(), "a wrong checksum passed");
    assert!(
        text(&run.stdout).contains("FAILED"),
        "{}",
        text(&run.stdout)
    );
    let run = verify(&format!("{good}  {other}\n"), "");
    assert!(
        !run.status.success(),
        "an archive SHA256SUMS does not list passed"
    );
    assert!(
        text(&run.stdout).contains("has no checksum"),
        "{}",
        text(&run.stdout)
    );
    // A pinned checksum wins over SHA256SUMS, both ways.
    let run = verify(&format!("{good}  {archive}\n"), &bad);
    assert!(!run.status.success(), "a wrong pinned checksum passed");
    let run = verify(&format!("{bad}  {archive}\n"), &good);
    assert!(run.status.success(), "{}", text(&run.stderr));

    // The next step puts the checked binary on the PATH.
    let path_file = dir.join("github-path");
    let env = [
        ("OPSBOOK_ARCHIVE", archive.as_str()),
        ("RUNNER_TEMP", dir.to_str().unwrap()),
        ("GITHUB_PATH", path_file.to_str().unwrap()),
    ];
    let run = run_step(&workflow, "Install opsbook", &dir, &env);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let added = std::fs::read_to_string(&path_file).unwrap();
    assert_eq!(added.trim(), dir.join(name).display().to_string());
    assert!(dir.join(name).join("opsbook").is_file());
}

#[test]
fn the_gitlab_pipeline_publishes_public_from_a_pages_job() {
    let (_tmp, root) = initialised();
    let pipeline = yaml(&root.join(".gitlab-ci.yml"));
    let pages = &pipeline["pages"];
    let script: Vec<&str> = pages["script"]
        .as_sequence()
        .expect("pages script")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(script.contains(&"opsbook check"), "{script:?}");
    assert!(
        script.contains(&"opsbook build --base-url \"$CI_PAGES_URL/\""),
        "{script:?}"
    );
    let paths: Vec<&str> = pages["artifacts"]["paths"]
        .as_sequence()
        .expect("artifact paths")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(paths, ["public"]);
    assert_eq!(
        pipeline["check"]["script"][0].as_str(),
        Some("opsbook check")
    );
    assert_eq!(
        pipeline["check"]["rules"][0]["if"].as_str(),
        Some("$CI_PIPELINE_SOURCE == \"merge_request_event\"")
    );
}

#[test]
fn the_gitlab_pipeline_runs_in_the_image_of_the_opsbook_that_wrote_it() {
    let (_tmp, root) = initialised();
    let pipeline = yaml(&root.join(".gitlab-ci.yml"));
    let default = &pipeline["default"];
    let image = format!("ghcr.io/opsbook/opsbook:{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(default["image"]["name"].as_str(), Some(image.as_str()));
    // GitLab runs the scripts with the image's shell, not through opsbook.
    assert_eq!(
        default["image"]["entrypoint"],
        serde_yaml_ng::from_str::<Value>("[\"\"]").unwrap()
    );
    assert_eq!(
        default["cache"]["paths"][0].as_str(),
        Some(".opsbook-cache/")
    );
    // Nothing is compiled in the pipeline any more.
    let text = std::fs::read_to_string(root.join(".gitlab-ci.yml")).unwrap();
    assert!(!text.contains("cargo"), "{text}");
    assert!(pipeline.get("before_script").is_none());
}

#[test]
fn new_pages_of_every_kind_check_clean_and_build() {
    let (tmp, root) = initialised();
    let dir = root.to_str().unwrap();
    let cases = [
        (
            vec!["runbook", "Disk almost full!"],
            "content/runbooks/disk-almost-full.md",
        ),
        (
            vec!["process", "On-call handover"],
            "content/processes/on-call-handover.md",
        ),
        (
            vec![
                "postmortem",
                "Queue backlog",
                "--service",
                "api",
                "--severity",
                "sev2",
            ],
            "content/postmortems/2026-11-27-queue-backlog.md",
        ),
        (
            vec![
                "incident",
                "Slow web app",
                "--service",
                "web",
                "--severity",
                "sev2",
            ],
            "content/status/2026-11-27-slow-web-app.md",
        ),
        (vec!["page", "Glossary"], "content/glossary.md"),
    ];
    for (args, expected) in &cases {
        let mut full = vec!["new"];
        full.extend(args.iter().take(2));
        full.push(dir);
        full.extend(args.iter().skip(2));
        full.extend(["--now", NOW]);
        let run = opsbook(&full);
        assert!(run.status.success(), "{args:?}: {}", text(&run.stderr));
        assert_eq!(
            text(&run.stdout).trim(),
            root.join(expected).display().to_string()
        );
    }
    let incident = std::fs::read_to_string(root.join(cases[3].1)).unwrap();
    assert!(incident.contains("components = [\"web\"]"), "{incident}");
    assert!(incident.contains("impact = \"major\""), "{incident}");
    let (code, report) = check_json(&root);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["counts"]["errors"], 0, "{report:#}");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // The archetype leaves `owners` for the author to fill in, and says so.
    assert_eq!(rules, ["runbook-no-owner"], "{report:#}");
    build(&root, &tmp.path().join("site"), &[]).assert_success();
}

#[test]
fn new_never_replaces_a_file() {
    let (_tmp, root) = initialised();
    let dir = root.to_str().unwrap();
    let run = opsbook(&["new", "runbook", "API: high error rate", dir]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("content/runbooks/api-high-error-rate.md` already exists"),
        "{stderr}"
    );
    let runbook =
        std::fs::read_to_string(root.join("content/runbooks/api-high-error-rate.md")).unwrap();
    assert!(runbook.contains("ApiHighErrorRate"));
}

#[test]
fn a_handbook_archetype_overrides_the_theme() {
    let (_tmp, root) = initialised();
    std::fs::create_dir_all(root.join("archetypes")).unwrap();
    std::fs::write(
        root.join("archetypes/runbook.md"),
        "+++\ntitle = {{ title }}\nowners = [\"team-sre\"]\nlast_reviewed = {{ date }}\n+++\n\nOur own layout.\n",
    )
    .unwrap();
    let run = opsbook(&[
        "new",
        "runbook",
        "Say \"hello\"",
        root.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let written = std::fs::read_to_string(root.join("content/runbooks/say-hello.md")).unwrap();
    assert_eq!(
        written,
        "+++\ntitle = \"Say \\\"hello\\\"\"\nowners = [\"team-sre\"]\nlast_reviewed = 2026-11-27\n+++\n\nOur own layout.\n"
    );
}
