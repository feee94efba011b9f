//! Where the pages the site generates go. Each place has its usual URL (`search/`, `reviews/`,
//! `postmortems/metrics/`, `tags/`); a page of the handbook at that URL (or under it, for a
//! place with pages of its own below) wins, and the generated pages move to the first free URL
//! after it (`search-2/`), with a warning. Every link to them — the theme's, the operations
//! pages', the lists' — asks here, so none leads to a page the handbook took over.
//!
//! The status page, the postmortems table and the alerts list show a section's own text when the
//! handbook has a folder there (`status/_index.md`): a section at their URL is theirs, not taken.

use std::collections::BTreeMap;

use super::Site;

/// A place of the generated pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Place {
    Search,
    Status,
    StatusHistory,
    StatusApi,
    StatusComponents,
    StatusSubscribe,
    StatusEmbed,
    StatusSlo,
    Alerts,
    Reviews,
    Postmortems,
    ActionItems,
    Metrics,
    Factors,
    Sorted,
    Tags,
    Services,
    Owners,
    DataApi,
}

impl Place {
    const ALL: [Place; 19] = [
        Place::Search,
        Place::Status,
        Place::StatusHistory,
        Place::StatusApi,
        Place::StatusComponents,
        Place::StatusSubscribe,
        Place::StatusEmbed,
        Place::StatusSlo,
        Place::Alerts,
        Place::Reviews,
        Place::Postmortems,
        Place::ActionItems,
        Place::Metrics,
        Place::Factors,
        Place::Sorted,
        Place::Tags,
        Place::Services,
        Place::Owners,
        Place::DataApi,
    ];

    /// The place it is under, and its own part of the URL.
    fn at(self) -> (Option<Place>, &'static str) {
        match self {
            Place::Search => (None, "search"),
            Place::Status => (None, "status"),
            Place::StatusHistory => (Some(Place::Status), "history"),
            Place::StatusApi => (Some(Place::Status), "api"),
            Place::StatusComponents => (Some(Place::Status), "components"),
            Place::StatusSubscribe => (Some(Place::Status), "subscribe"),
            Place::StatusEmbed => (Some(Place::Status), "embed"),
            Place::StatusSlo => (Some(Place::Status), "slo"),
            Place::Alerts => (None, "alerts"),
            Place::Reviews => (None, "reviews"),
            Place::Postmortems => (None, "postmortems"),
            Place::ActionItems => (Some(Place::Postmortems), "action-items"),
            Place::Metrics => (Some(Place::Postmortems), "metrics"),
            Place::Factors => (Some(Place::Postmortems), "factors"),
            Place::Sorted => (Some(Place::Postmortems), "sorted"),
            Place::Tags => (None, "tags"),
            Place::Services => (None, "services"),
            Place::Owners => (None, "owners"),
            // Versioned: a later version goes beside it, and `api/` stays the handbook's.
            Place::DataApi => (None, "api/v1"),
        }
    }

    /// How templates name it (`links.metrics`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Place::Search => "search",
            Place::Status => "status",
            Place::StatusHistory => "status_history",
            Place::StatusApi => "status_api",
            Place::StatusComponents => "status_components",
            Place::StatusSubscribe => "status_subscribe",
            Place::StatusEmbed => "status_embed",
            Place::StatusSlo => "status_slo",
            Place::Alerts => "alerts",
            Place::Reviews => "reviews",
            Place::Postmortems => "postmortems",
            Place::ActionItems => "action_items",
            Place::Metrics => "metrics",
            Place::Factors => "factors",
            Place::Sorted => "postmortems_sorted",
            Place::Tags => "tags",
            Place::Services => "services",
            Place::Owners => "owners",
            Place::DataApi => "data_api",
        }
    }

    /// How messages name what goes there.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Place::Search => "the search page",
            Place::Status => "the status page",
            Place::StatusHistory => "the status history",
            Place::StatusApi => "the status API",
            Place::StatusComponents => "the components' feeds, calendars and badges",
            Place::StatusSubscribe => "the status subscriptions page",
            Place::StatusEmbed => "the status badges and embed page",
            Place::StatusSlo => "the service level objectives",
            Place::Alerts => "the alerts list",
            Place::Reviews => "the review dashboard",
            Place::Postmortems => "the postmortems table",
            Place::ActionItems => "the action items",
            Place::Metrics => "the incident metrics",
            Place::Factors => "the contributing factors",
            Place::Sorted => "the postmortems table's other orders",
            Place::Tags => "the tag pages",
            Place::Services => "the service pages",
            Place::Owners => "the owner pages",
            Place::DataApi => "the handbook's data files",
        }
    }

    /// The place of a taxonomy's pages.
    pub(crate) fn of_taxonomy(name: &str) -> Place {
        match name {
            "services" => Place::Services,
            "owners" => Place::Owners,
            _ => Place::Tags,
        }
    }

    /// A generated page that shows the text of the section at its URL.
    fn takes_over_sections(self) -> bool {
        matches!(self, Place::Status | Place::Postmortems | Place::Alerts)
    }

    /// Generated pages of their own live below it (`tags/NAME/`, `status/history/2026/`).
    fn has_pages_below(self) -> bool {
        matches!(
            self,
            Place::StatusHistory
                | Place::StatusApi
                | Place::StatusComponents
                | Place::Sorted
                | Place::Tags
                | Place::Services
                | Place::Owners
                | Place::DataApi
        )
    }
}

/// The URL of every place, relative to the base path, ending in `/`; and, for each place moved
/// from its usual URL, the page that has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Places {
    urls: BTreeMap<Place, String>,
    moved: BTreeMap<Place, (String, usize)>,
}

impl Places {
    /// Where `place` is.
    pub(crate) fn url(&self, place: Place) -> &str {
        self.urls.get(&place).map_or("", String::as_str)
    }

    /// The places moved from their usual URL: the usual URL, and the page of the handbook
    /// that has it.
    pub(crate) fn moved(&self) -> impl Iterator<Item = (Place, &str, usize)> {
        self.moved
            .iter()
            .map(|(&place, (usual, page))| (place, usual.as_str(), *page))
    }

    /// Gives each place its usual URL, or the first one after it no page of `site` has.
    pub(super) fn allocate(site: &Site) -> Places {
        let mut places = Places::default();
        for place in Place::ALL {
            let (parent, own) = place.at();
            let base = match parent {
                Some(parent) => format!("{}{own}", places.url(parent)),
                None => own.to_string(),
            };
            let mut url = format!("{base}/");
            let first_owner = owner(site, place, &url);
            let mut n = 2;
            while owner(site, place, &url).is_some() {
                url = format!("{base}-{n}/");
                n += 1;
            }
            if let Some(page) = first_owner {
                places.moved.insert(place, (format!("{base}/"), page));
            }
            places.urls.insert(place, url);
        }
        places
    }
}

/// The page of `site` that has `url`, the URL of `place`, or a URL below it where generated
/// pages of the place go; or whose alias is one of those.
fn owner(site: &Site, place: Place, url: &str) -> Option<usize> {
    let clashes = |candidate: &str| {
        candidate == url || (place.has_pages_below() && candidate.starts_with(url))
    };
    site.pages
        .iter()
        .enumerate()
        .filter(|(_, page)| !(place.takes_over_sections() && page.is_section() && page.url == url))
        .find(|(_, page)| clashes(&page.url))
        .map(|(id, _)| id)
        .or_else(|| {
            site.aliases
                .iter()
                .find(|(alias, _)| clashes(alias))
                .map(|(_, &id)| id)
        })
}
