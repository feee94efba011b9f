//! cState's components: the `systems` its config lists (names, or `name` and `description`),
//! and any other name an incident says it `affected`, so the status page can show them.

use std::path::Path;

use crate::config::{Component, Config};
use crate::diagnostic::Diagnostic;
use crate::paths::url_segment;
use crate::source::document::Document;
use crate::vocabulary::Kind;

/// Adds to `config` the systems of a cState config at `root`, then a component for every other
/// name an incident lists in `affected`, with a warning for each.
pub(crate) fn add_components(
    root: &Path,
    config: &mut Config,
    documents: &[Document],
    warnings: &mut Vec<Diagnostic>,
) {
    for component in systems(root) {
        if config.component(&component.id).is_none() {
            config.components.push(component);
        }
    }
    let mut created: Vec<Component> = Vec::new();
    let incidents = documents
        .iter()
        .filter(|d| !d.is_section_index() && d.meta.kind == Some(Kind::Incident));
    for document in incidents {
        let Some(serde_json::Value::Array(names)) = document.meta.extra.get("affected") else {
            continue;
        };
        for (index, name) in names.iter().filter_map(|n| n.as_str()).enumerate() {
            let id = url_segment(name);
            let known = config.component(&id).is_some() || created.iter().any(|c| c.id == id);
            if known || id.is_empty() {
                continue;
            }
            warnings.push(
                Diagnostic::warning(
                    Some(document.location_of(&format!("components.{index}"))),
                    format!("status component `{id}` (\"{name}\") created from `affected`"),
                )
                .with_hint("declare it under [[status.components]] in opsbook.toml to name it and group it"),
            );
            created.push(Component {
                id,
                name: name.to_string(),
                description: None,
                group: None,
                ..Component::default()
            });
        }
    }
    config.components.extend(created);
}

/// `params.systems` of cState's `config.yml`.
fn systems(root: &Path) -> Vec<Component> {
    let Ok(text) = std::fs::read_to_string(root.join("config.yml")) else {
        return Vec::new();
    };
    let Ok(value) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) else {
        return Vec::new();
    };
    let Some(systems) = value
        .get("params")
        .and_then(|p| p.get("systems"))
        .and_then(|s| s.as_sequence())
    else {
        return Vec::new();
    };
    systems
        .iter()
        .filter_map(|system| {
            let text = |key: &str| system.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let name = system
                .as_str()
                .map(str::to_string)
                .or_else(|| text("name"))?;
            let id = url_segment(&name);
            (!id.is_empty()).then(|| Component {
                id,
                name,
                description: text("description"),
                group: text("category"),
                ..Component::default()
            })
        })
        .collect()
}
