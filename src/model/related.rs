//! The incidents a postmortem relates itself to: `related` names earlier postmortems or status
//! incidents by file name, as `incident` does. A name is a postmortem's first, then a status
//! incident's: a postmortem and the incident it explains often share one, and the postmortem
//! leads to its incident.
//!
//! Resolved once when the site is assembled, both ways: the pages a postmortem names, and the
//! postmortems naming a page (its "referenced by").

use std::collections::HashMap;

use super::Site;
use crate::vocabulary::Kind;

/// The `related` names of every postmortem, resolved.
#[derive(Debug, Default)]
pub(crate) struct Related {
    /// Postmortem pages by file name.
    postmortems: HashMap<String, usize>,
    /// Postmortem → the pages its `related` names, in the order written, each once.
    named: HashMap<usize, Vec<usize>>,
    /// Page → the postmortems naming it, by page id.
    named_by: HashMap<usize, Vec<usize>>,
}

impl Site {
    /// The page a `related` entry names: a postmortem of that file name, else a status incident.
    pub(crate) fn related_named(&self, name: &str) -> Option<usize> {
        self.related
            .postmortems
            .get(name)
            .or_else(|| self.incidents.get(name))
            .copied()
    }

    /// Every name a `related` entry can have, for did-you-mean hints.
    pub(crate) fn related_names(&self) -> impl Iterator<Item = &str> {
        self.related
            .postmortems
            .keys()
            .chain(self.incidents.keys())
            .map(String::as_str)
    }

    /// The pages postmortem `id` names in `related` (names that lead nowhere, or to itself,
    /// left out: they are reported).
    pub(crate) fn related_of(&self, id: usize) -> &[usize] {
        self.related.named.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The postmortems naming page `id` in their `related`.
    pub(crate) fn related_to(&self, id: usize) -> &[usize] {
        self.related.named_by.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Resolves every postmortem's `related`; needs the incidents paired first.
    pub(super) fn resolve_related(&mut self) {
        for (id, page) in self.pages.iter().enumerate() {
            if page.kind == Kind::Postmortem && !page.is_section() {
                self.related
                    .postmortems
                    .entry(page.stem().to_string())
                    .or_insert(id);
            }
        }
        let mut named = HashMap::new();
        let mut named_by: HashMap<usize, Vec<usize>> = HashMap::new();
        for (id, page) in self.pages.iter().enumerate() {
            if page.kind != Kind::Postmortem || page.is_section() {
                continue;
            }
            let mut targets: Vec<usize> = Vec::new();
            for name in &page.meta.related {
                match self.related_named(name) {
                    Some(target) if target != id && !targets.contains(&target) => {
                        targets.push(target)
                    }
                    _ => {}
                }
            }
            for &target in &targets {
                named_by.entry(target).or_default().push(id);
            }
            if !targets.is_empty() {
                named.insert(id, targets);
            }
        }
        self.related.named = named;
        self.related.named_by = named_by;
    }
}
