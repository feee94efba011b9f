//! Runbook parameters: the form, the marked placeholders in code, inline code and link URLs,
//! what stays as written, escaping, and search showing placeholders as written.

use std::process::Command;

use crate::support::*;

const TOML_RUNBOOK: &str = r#"+++
title = "Replica lag"
last_reviewed = 2026-11-01

[[parameters]]
name = "cluster"
description = "The \"cluster\" <script>alert(1)</script>"
example = "prod-eu-1\" autofocus onfocus=\"alert(1)"

[[parameters]]
name = "x\" onmouseover=\"alert(1)"
+++

Replicas of `<<cluster>>` fall behind.

```sh
kubectl --context <<cluster>> get pods  # $HOME ${PGDATA} {{ $labels.pod }} {{< ref "x" >}}
cat <<EOF
body
EOF
```

See [lag](https://grafana.example.org/d/lag?var-cluster=<<cluster>> "Lag").
"#;

const YAML_RUNBOOK: &str = "---\ntitle: Disk full\nlast_reviewed: 2026-11-01\nparameters:\n  - name: host\n    description: The host\n    example: db-1\n---\n\n```sh\ndf -h  # on <<host>>\n```\n";

const PROCESS: &str = "+++\ntitle = \"Shifts\"\nlast_reviewed = 2026-11-01\n+++\n\n`a <<b>> c`\n";

fn handbook() -> Handbook {
    Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"T\"\nbase_url = \"https://ops.example.org/\"\n",
        ),
        ("content/runbooks/lag.md", TOML_RUNBOOK),
        ("content/runbooks/disk.md", YAML_RUNBOOK),
        ("content/processes/shifts.md", PROCESS),
    ])
}

#[test]
fn a_runbook_shows_its_parameters_form_and_marks_its_placeholders() {
    let handbook = handbook();
    handbook.build(&[]).assert_success();
    let out = handbook.out("public");
    let lag = page(&out, "runbooks/lag/");
    assert_eq!(
        attrs(&lag, "form.runbook-params input", "name"),
        ["cluster"]
    );
    assert_eq!(count(&lag, "form.runbook-params[hidden]"), 1);
    assert_eq!(
        attrs(&lag, "form.runbook-params input", "placeholder"),
        ["prod-eu-1\" autofocus onfocus=\"alert(1)"]
    );
    assert_eq!(
        text(&lag, ".runbook-param-about"),
        "The \"cluster\" <script>alert(1)</script>"
    );
    let raw = std::fs::read_to_string(out.join("runbooks/lag/index.html")).unwrap();
    assert!(!raw.contains("<script>alert(1)"), "not escaped");
    assert!(!raw.contains("onmouseover"), "a bad name reached the page");
    // Code block, inline code and link: marked, as written inside.
    assert_eq!(
        texts(&lag, ".content var[data-param=cluster]"),
        ["<<cluster>>", "<<cluster>>"]
    );
    assert_eq!(count(&lag, "pre.code var[data-param=cluster]"), 1);
    assert_eq!(count(&lag, ".content p code var[data-param=cluster]"), 1);
    let code = text(&lag, "pre.code");
    for kept in [
        "$HOME ${PGDATA} {{ $labels.pod }} {{< ref \"x\" >}}",
        "cat <<EOF body EOF",
    ] {
        assert!(code.contains(kept), "{kept:?} changed: {code}");
    }
    assert_eq!(
        attrs(&lag, ".content a[data-param-href]", "data-param-href"),
        ["https://grafana.example.org/d/lag?var-cluster=<<cluster>>"]
    );
    assert_eq!(
        attrs(&lag, ".content a[data-param-href]", "href"),
        ["https://grafana.example.org/d/lag?var-cluster=%3C%3Ccluster%3E%3E"]
    );
    assert_eq!(attrs(&lag, ".content a[data-param-href]", "title"), ["Lag"]);

    let disk = page(&out, "runbooks/disk/");
    assert_eq!(attrs(&disk, "form.runbook-params input", "name"), ["host"]);
    assert_eq!(texts(&disk, "pre.code var[data-param=host]"), ["<<host>>"]);
    // Only runbooks have placeholders.
    let shifts = page(&out, "processes/shifts/");
    assert_eq!(count(&shifts, "var[data-param]"), 0);
    assert_eq!(text(&shifts, ".content code"), "a <<b>> c");
    assert_eq!(count(&shifts, "form.runbook-params"), 0);
}

#[test]
fn search_shows_placeholders_as_written() {
    let handbook = handbook();
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args([
            "search",
            handbook.root.to_str().unwrap(),
            "kubectl",
            "--json",
        ])
        .arg("--cache-dir")
        .arg(handbook.out("cache"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("kubectl --context <<cluster>> get pods"),
        "{stdout}"
    );
    handbook.build(&[]).assert_success();
    let index = std::fs::read_dir(handbook.out("public").join("search"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        index.contains("<<cluster>>"),
        "the search files changed the placeholder"
    );
}
