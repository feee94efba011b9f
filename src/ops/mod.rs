//! The operations features: the status page and its machine-readable twins, postmortem
//! insights (contributing factors included), the service catalog, alert URLs, the review
//! dashboard, and the handbook as data (`api/v1/`, `llms.txt`).
//!
//! Everything here is a pure function of the assembled [`Site`] and "now": it returns typed
//! values, the template contexts of the pages it adds, and the text of the files it adds. It
//! never writes files or renders templates; the build does (see [`generate`]).

pub(crate) mod alerts;
mod badges;
mod calendar;
mod catalog;
mod charts;
mod data_api;
mod factor_charts;
pub(crate) mod factors;
mod factors_page;
pub(crate) mod feeds;
mod llms;
pub(crate) mod metrics;
pub(crate) mod postmortems;
pub(crate) mod scs;
pub(crate) mod slo;
pub(crate) mod status;
mod status_page;
pub(crate) mod statuspage;
pub(crate) mod subscriptions;
pub(crate) mod uptime;
pub(crate) mod validate;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use std::collections::BTreeSet;

use crate::dates::DateTime;
use crate::model::{Place, Site};
use crate::vocabulary::Kind;

/// A UTC instant as the templates show it.
pub(crate) fn shown(instant: Timestamp) -> DateTime {
    DateTime {
        instant,
        date_only: false,
    }
}

/// A page the operations features add to the site, or take over from a section (`/status/`).
#[derive(Debug, Clone)]
pub(crate) struct GeneratedPage {
    /// URL path relative to the base path, ending in `/`.
    pub url: String,
    pub template: &'static str,
    /// How messages name it.
    pub label: String,
    /// The page whose branch the sidebar opens.
    pub nav_from: usize,
    /// Redirect pages stay out of the sitemap.
    pub in_sitemap: bool,
    /// What the template sees besides the globals, `current_url` and `nav`.
    pub values: Vec<(&'static str, Json)>,
}

impl GeneratedPage {
    /// `URL/index.html`; a page whose URL names its file (`status/widget.html`) is that file.
    pub(crate) fn output_path(&self) -> String {
        if self.url.ends_with(".html") {
            return self.url.clone();
        }
        format!("{}index.html", self.url)
    }
}

/// What every generated page's template gets as `generated`: the header of the page.
#[derive(Debug, Serialize)]
pub(crate) struct PageHeader {
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub permalink: String,
    pub breadcrumbs: Vec<Crumb>,
    /// The rendered body of the section this page takes over, if any.
    pub content: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Crumb {
    pub title: String,
    pub url: String,
}

/// Pages and files the operations features add.
#[derive(Debug, Default)]
pub(crate) struct Generated {
    pub pages: Vec<GeneratedPage>,
    /// Output path → text.
    pub files: Vec<(String, String)>,
    /// The places that have pages: the only ones any page links to.
    pub places: BTreeSet<Place>,
}

/// Whether an operations page shows something of `page`'s body beyond what its rendering tells
/// other pages (summary, links, anchors): a postmortem's action items, or the text of a section
/// whose URL a generated page takes over (`/status/`, `/postmortems/`). An edit of such a body
/// is never patched into the site alone.
pub(crate) fn shows_body_of(page: &crate::model::Page) -> bool {
    page.is_section() || page.kind == Kind::Postmortem
}

/// The places the operations features make pages at, without making them.
pub(crate) fn places(site: &Site) -> BTreeSet<Place> {
    places_with_pages(site, &status::events(site))
}

/// The places the operations features make pages at, for the site as it is.
pub(crate) fn places_with_pages(site: &Site, events: &[status::Event]) -> BTreeSet<Place> {
    let mut places = BTreeSet::new();
    if !events.is_empty() || !site.config.components.is_empty() {
        places.extend([
            Place::Status,
            Place::StatusHistory,
            Place::StatusApi,
            Place::StatusSubscribe,
            Place::StatusEmbed,
        ]);
        if !site.config.components.is_empty() {
            places.insert(Place::StatusComponents);
        }
        if site.config.components.iter().any(|c| c.slo.is_some()) {
            places.insert(Place::StatusSlo);
        }
    }
    if !alerts::alerts(site).is_empty() {
        places.insert(Place::Alerts);
    }
    if site.pages.iter().any(|p| p.review.is_some()) {
        places.insert(Place::Reviews);
    }
    if !postmortems::postmortem_ids(site).is_empty() {
        places.extend([Place::Postmortems, Place::ActionItems, Place::Sorted]);
    }
    if !metrics::incidents(site, events).is_empty() {
        places.insert(Place::Metrics);
    }
    if factors::any_named(site) {
        places.insert(Place::Factors);
    }
    places.insert(Place::DataApi);
    for (name, _) in crate::model::TAXONOMIES {
        if site.taxonomies.get(name).is_some_and(|t| !t.is_empty()) {
            places.insert(Place::of_taxonomy(name));
        }
    }
    places
}

/// The stretch of time, `[from, until)` around `now`, over which every page and file the site
/// has shows the same as at `now`, but for the moment a status page says it was made: the UTC
/// day of `now` (review dates, the 90 days of uptime bars, the metrics' months), the month and
/// quarter of the objectives, cut at each incident's turning points (a recurring maintenance's
/// windows around `now`) and at an objective's `observed_since`. While an incident or a
/// maintenance is having its impact, or down time falls in the uptime window or in the current
/// year of an objective (durations and percentages run on with the clock), only `now` itself. Every reading of "now" in this module and in [`crate::model::IncidentState`] is
/// bounded here.
pub(crate) fn steady_around(site: &Site, now: Timestamp) -> (Timestamp, Timestamp) {
    let only_now = (now, now + jiff::SignedDuration::from_secs(1));
    let day = shown(now).date();
    let midnight = uptime::midnight;
    let mut from = midnight(day);
    let mut until = day.tomorrow().map_or(Timestamp::MAX, midnight);
    let uptime_from = midnight(uptime::first_day(now));
    let stale_after = site.config.checks.ongoing_incident_max_days;
    // The objectives' current month, quarter and year: their percentages run on with the clock
    // once down time falls in them; their starts turn the pages.
    let events = status::events(site);
    let year = midnight(slo::period_start(day, 12));
    for component in site.config.components.iter().filter(|c| c.slo.is_some()) {
        if !slo::down_windows(component, &events, year, now).is_empty() {
            return only_now;
        }
        match component.observed_since.map(|d| d.instant) {
            Some(since) if since <= now => from = from.max(since),
            Some(since) => until = until.min(since),
            None => {}
        }
    }
    for months in [1, 3] {
        let start = slo::period_start(day, months);
        from = from.max(midnight(start));
        if let Ok(next) = start.checked_add(jiff::Span::new().months(months)) {
            until = until.min(midnight(next));
        }
    }
    for page in &site.pages {
        let Some(state) = page.incident else { continue };
        if state.phase.is_active() {
            return only_now;
        }
        let event = status::Event::of(0, &page.meta, state);
        if !event.windows_until(uptime_from, now).is_empty() {
            return only_now;
        }
        for point in crate::model::IncidentState::turning_points(&page.meta, stale_after, now) {
            if point <= now {
                from = from.max(point);
            } else {
                until = until.min(point);
            }
        }
    }
    (from, until)
}

/// Everything the operations features add to the site, as of `now`.
pub(crate) fn generate(site: &Site, now: Timestamp) -> Generated {
    let events = status::events(site);
    let mut generated = Generated {
        places: places_with_pages(site, &events),
        ..Generated::default()
    };
    status_page::add(site, &events, now, &mut generated);
    alerts::add(site, &mut generated);
    catalog::add_services(site, &events, &mut generated);
    catalog::add_reviews(site, now, &mut generated);
    postmortems::add(site, now, &mut generated);
    metrics::add(site, &events, now, &mut generated);
    factors_page::add(site, now, &mut generated);
    generated.files.extend(data_api::files(site, &events, now));
    generated
        .files
        .push(("llms.txt".into(), llms::text(site, &generated.places)));
    if generated.places.contains(&Place::Status) {
        generated.files.extend(subscriptions::files(site, &events));
        generated
            .files
            .extend(statuspage::Api::new(site, &events, now).files());
        generated.files.extend(scs::files(site, &events, now));
        subscriptions::add(site, &mut generated);
        badges::add(site, &events, &mut generated);
        slo::add(site, &events, now, &mut generated);
    }
    generated
}

/// The generated pages every page links to (sidebar, footer), when they have pages: title and
/// place.
pub(crate) fn hubs(site: &Site, places: &BTreeSet<Place>) -> Vec<(&'static str, Place)> {
    let mut hubs = Vec::new();
    let status = site.places.url(Place::Status);
    // With a `status/` section the sidebar lists it already.
    let status_section = site.pages.iter().any(|p| p.is_section() && p.url == status);
    for (place, title) in [
        (Place::Status, "Status"),
        (Place::Alerts, "Alerts"),
        (Place::Reviews, "Reviews"),
    ] {
        if places.contains(&place) && !(place == Place::Status && status_section) {
            hubs.push((title, place));
        }
    }
    hubs
}

/// Helpers the page builders share.
pub(crate) struct Links<'a> {
    pub site: &'a Site,
}

impl Links<'_> {
    /// The URL of `place`, relative to the base path.
    pub(crate) fn place(&self, place: Place) -> &str {
        self.site.places.url(place)
    }

    pub(crate) fn url(&self, relative: &str) -> String {
        format!("{}{relative}", self.site.config.base_path)
    }

    pub(crate) fn permalink(&self, relative: &str) -> String {
        format!("{}{relative}", self.site.config.base_url)
    }

    pub(crate) fn page_url(&self, id: usize) -> String {
        self.url(&self.site.pages[id].url)
    }

    /// The section page at `url`, if the handbook has one.
    pub(crate) fn section_at(&self, url: &str) -> Option<usize> {
        self.site
            .pages
            .iter()
            .position(|p| p.is_section() && p.url == url)
    }

    /// Home, then `trail`.
    pub(crate) fn crumbs(&self, trail: &[(&str, &str)]) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb {
            title: "Home".into(),
            url: self.url(""),
        }];
        crumbs.extend(trail.iter().map(|(title, url)| Crumb {
            title: title.to_string(),
            url: self.url(url),
        }));
        crumbs
    }

    /// The header of a generated page at `url`, taking title, description and body from the
    /// section there when the handbook has one.
    pub(crate) fn header(
        &self,
        url: &str,
        title: &str,
        description: Option<&str>,
        trail: &[(&str, &str)],
    ) -> PageHeader {
        let section = self.section_at(url).map(|id| &self.site.pages[id]);
        PageHeader {
            title: section
                .filter(|s| s.document.is_some())
                .map_or(title.to_string(), |s| s.title.clone()),
            description: section
                .and_then(|s| s.meta.description.clone())
                .or(description.map(str::to_string)),
            url: self.url(url),
            permalink: self.permalink(url),
            breadcrumbs: self.crumbs(trail),
            content: section.map_or(String::new(), |s| s.rendered.html()),
        }
    }

    /// One of opsbook's own pages under `/status/` at `place`: its header under the Status
    /// crumb, the status section's sidebar, `value` for its template, in the sitemap.
    pub(crate) fn status_page(
        &self,
        place: Place,
        (title, lead): (&str, &str),
        (label, template): (&str, &'static str),
        value: (&'static str, Json),
    ) -> GeneratedPage {
        let status = self.place(Place::Status);
        let url = self.place(place).to_string();
        let header = self.header(&url, title, Some(lead), &[("Status", status)]);
        GeneratedPage {
            label: label.into(),
            url,
            template,
            nav_from: self.section_at(status).unwrap_or(0),
            in_sitemap: true,
            values: vec![("generated", Json::of(&header)), value],
        }
    }
}

/// Serializes a template value; the types here always serialize.
pub(crate) fn value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A generated page's value for its template, kept as JSON text until the page is rendered: a
/// service's or a tag's every page held as [`Value`] trees from the start to the end of a
/// build took 200 MB of 10,000 pages' 770.
#[derive(Debug, Clone)]
pub(crate) struct Json(String);

impl Json {
    pub(crate) fn of<T: Serialize>(value: &T) -> Json {
        Json(serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
    }

    /// The value, to hand to the template.
    pub(crate) fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}
