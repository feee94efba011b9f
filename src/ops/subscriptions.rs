//! Subscriptions: the Atom feed and the maintenance calendar of the whole service and of each
//! component (`status/components/ID/feed.xml`, `calendar.ics`), and `/status/subscribe/`, which
//! lists them with the APIs and says how to use each.
//!
//! A component's files live under a URL segment made from its id, unique among the
//! components: ids are the handbook's words, and two may make one segment.

use serde::Serialize;

use super::status::Event;
use super::{calendar, feeds, Generated, Json, Links};
use crate::config::Component;
use crate::model::{Place, Site};
use crate::paths::url_segment;

/// What a feed, a calendar or a badge covers: the whole service, or one component (with its
/// URL segment).
#[derive(Debug, Clone)]
pub(crate) enum Scope<'a> {
    Site,
    Component(&'a Component, String),
}

impl Scope<'_> {
    /// Whether `event` belongs in its feed and calendar.
    pub(crate) fn covers(&self, event: &Event) -> bool {
        match self {
            Scope::Site => true,
            Scope::Component(component, _) => event.affects(&component.id),
        }
    }

    /// Where its file `name` goes, relative to the base path. The site's calendar keeps the
    /// name it always had.
    pub(crate) fn file(&self, site: &Site, name: &str) -> String {
        match self {
            Scope::Site if name == "calendar.ics" => {
                format!("{}maintenance.ics", site.places.url(Place::Status))
            }
            Scope::Site => format!("{}{name}", site.places.url(Place::Status)),
            Scope::Component(_, segment) => format!(
                "{}{segment}/{name}",
                site.places.url(Place::StatusComponents)
            ),
        }
    }

    /// The place on the status page it stands for, relative to the base path.
    pub(crate) fn anchor(&self, site: &Site) -> String {
        let status = site.places.url(Place::Status);
        match self {
            Scope::Site => status.to_string(),
            Scope::Component(_, segment) => format!("{status}#component-{segment}"),
        }
    }

    /// Whether it is `component`'s.
    pub(crate) fn is(&self, component: &Component) -> bool {
        matches!(self, Scope::Component(c, _) if c.id == component.id)
    }

    /// `status`, or `Compute status`.
    pub(crate) fn title(&self, what: &str) -> String {
        match self {
            Scope::Site => what.to_string(),
            Scope::Component(component, _) => format!("{} {what}", component.name),
        }
    }

    /// `""`, or ` of Compute`.
    pub(crate) fn of_whom(&self) -> String {
        match self {
            Scope::Site => String::new(),
            Scope::Component(component, _) => format!(" of {}", component.name),
        }
    }

    /// The component's name, or the site's title.
    pub(crate) fn name<'s>(&'s self, site: &'s Site) -> &'s str {
        match self {
            Scope::Site => &site.config.title,
            Scope::Component(component, _) => &component.name,
        }
    }
}

/// Every component with its URL segment: its id made a segment, `-2`, `-3`… after it when an
/// earlier component has it, `component` when nothing of the id is left.
pub(crate) fn components(site: &Site) -> Vec<Scope<'_>> {
    let mut taken: Vec<String> = Vec::new();
    site.config
        .components
        .iter()
        .map(|component| {
            let base = Some(url_segment(&component.id))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "component".to_string());
            let mut segment = base.clone();
            let mut n = 2;
            while taken.contains(&segment) {
                segment = format!("{base}-{n}");
                n += 1;
            }
            taken.push(segment.clone());
            Scope::Component(component, segment)
        })
        .collect()
}

/// The whole service, then every component.
pub(crate) fn scopes(site: &Site) -> Vec<Scope<'_>> {
    let mut all = vec![Scope::Site];
    all.extend(components(site));
    all
}

/// Output path → text of every feed and calendar.
pub(crate) fn files(site: &Site, events: &[Event]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for scope in scopes(site) {
        files.push((
            scope.file(site, "feed.xml"),
            feeds::atom(site, events, &scope),
        ));
        files.push((
            scope.file(site, "calendar.ics"),
            calendar::calendar(site, events, &scope),
        ));
    }
    files
}

/// One row of the subscribe page: whose updates, and where.
#[derive(Debug, Serialize)]
pub(crate) struct Subscription {
    pub name: String,
    pub id: Option<String>,
    pub feed_url: String,
    pub calendar_url: String,
    /// The calendar with the `webcal:` scheme, which calendar programs open as a subscription.
    pub webcal_url: String,
}

#[derive(Debug, Serialize)]
struct Api {
    name: &'static str,
    url: String,
    what: &'static str,
}

#[derive(Debug, Serialize)]
struct SubscribeContext {
    subscriptions: Vec<Subscription>,
    apis: Vec<Api>,
    status_url: String,
}

/// What a scope's row shows.
pub(crate) fn subscription(site: &Site, scope: &Scope<'_>) -> Subscription {
    let links = Links { site };
    let calendar = links.permalink(&scope.file(site, "calendar.ics"));
    Subscription {
        name: scope.name(site).to_string(),
        id: match scope {
            Scope::Site => None,
            Scope::Component(component, _) => Some(component.id.clone()),
        },
        feed_url: links.permalink(&scope.file(site, "feed.xml")),
        webcal_url: webcal(&calendar),
        calendar_url: calendar,
    }
}

/// `webcal://host/path` for an http(s) URL; the URL as it is otherwise (a site without a host).
fn webcal(url: &str) -> String {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map_or(url.to_string(), |rest| format!("webcal://{rest}"))
}

/// Adds `/status/subscribe/`.
pub(super) fn add(site: &Site, generated: &mut Generated) {
    let links = Links { site };
    let status = links.place(Place::Status);
    let api = links.place(Place::StatusApi);
    let mut apis = vec![
        Api {
            name: "Statuspage v2 summary",
            url: links.permalink(&format!("{api}v2/summary.json")),
            what: "the overall state, every component, open incidents and maintenance, in the shapes of Statuspage's API: for Statuspage clients and dashboards",
        },
        Api {
            name: "SCS status API",
            url: links.permalink(&format!("{api}scs/incidents.json")),
            what: "incidents in the shapes of the Sovereign Cloud Stack status page API (also components, phases, impact types and severities beside it)",
        },
    ];
    if generated.places.contains(&Place::StatusSlo) {
        apis.push(Api {
            name: "Service level objectives",
            url: links.permalink(&format!("{status}slo.json")),
            what: "each component's availability per month, quarter and year, and its error budget",
        });
    }
    let context = SubscribeContext {
        subscriptions: scopes(site).iter().map(|s| subscription(site, s)).collect(),
        apis,
        status_url: links.url(status),
    };
    generated.pages.push(links.status_page(
        Place::StatusSubscribe,
        (
            "Subscribe",
            "Follow incidents and maintenance in a feed reader or a calendar, for the whole service or the components you use.",
        ),
        ("the status subscriptions page", "status_subscribe.html"),
        ("subscribe", Json::of(&context)),
    ));
}
