//! cState keeps no list of components: each incident names the ones it `affected`. Those names
//! become status components, so the status page can show them.

use crate::config::{Component, Config};
use crate::diagnostic::Diagnostic;
use crate::paths::url_segment;
use crate::source::document::Document;
use crate::vocabulary::Kind;

/// Adds to `config` a component for every name an incident lists in `affected` that it does
/// not declare; a warning for each says so.
pub(crate) fn add_components(
    config: &mut Config,
    documents: &[Document],
    warnings: &mut Vec<Diagnostic>,
) {
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
            });
        }
    }
    config.components.extend(created);
}
