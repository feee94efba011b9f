//! The pages of the status history: `/status/` (overall banner, open incidents and maintenance,
//! components with their 90-day bars, recent history) and `/status/history/` (every event by
//! month).

use jiff::Timestamp;
use serde::Serialize;

use super::status::{self, ComponentState, Event, Phase};
use super::subscriptions::{self, Scope};
use super::uptime::{self, Day};
use super::{shown, Generated, GeneratedPage, Json, Links};
use crate::dates::{DateTime, HumanMinutes};
use crate::model::{Place, Site};
use crate::vocabulary::{Impact, UpdateStatus};

/// Month names, January first.
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An incident or maintenance as a card or a row of the status pages.
#[derive(Debug, Serialize)]
pub(super) struct EventCard {
    pub title: String,
    pub url: String,
    pub impact: Impact,
    pub phase: Phase,
    pub phase_label: &'static str,
    pub components: Vec<String>,
    pub start: Option<DateTime>,
    pub end: Option<DateTime>,
    pub duration: Option<HumanMinutes>,
    pub latest: Option<LatestUpdate>,
    pub postmortem_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct LatestUpdate {
    pub status: UpdateStatus,
    pub at: DateTime,
    pub message: String,
}

#[derive(Debug, Serialize)]
struct ComponentRow {
    id: String,
    /// Its URL segment, also its anchor on the page.
    slug: String,
    feed_url: String,
    calendar_url: String,
    name: String,
    description: Option<String>,
    state: ComponentState,
    state_label: &'static str,
    uptime: String,
    bars: Vec<Bar>,
}

/// One day of a bar: its colour, the tooltip and the incident a click opens.
#[derive(Debug, Serialize)]
struct Bar {
    x: usize,
    state: ComponentState,
    title: String,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
struct Group {
    name: Option<String>,
    components: Vec<ComponentRow>,
}

#[derive(Debug, Serialize)]
pub(super) struct Month {
    pub title: String,
    pub events: Vec<EventCard>,
}

#[derive(Debug, Serialize)]
struct StatusContext {
    state: ComponentState,
    banner: &'static str,
    as_of: DateTime,
    first_day: String,
    active: Vec<EventCard>,
    upcoming: Vec<EventCard>,
    groups: Vec<Group>,
    history: Vec<Month>,
    history_url: String,
    feed_url: String,
    calendar_url: String,
    summary_url: String,
    scs_url: String,
    subscribe_url: String,
    embed_url: String,
    /// Absent when no component has an objective.
    slo_url: Option<String>,
}

/// Adds `/status/` and `/status/history/`.
pub(super) fn add(site: &Site, events: &[Event], now: Timestamp, generated: &mut Generated) {
    let links = Links { site };
    if events.is_empty() && site.config.components.is_empty() {
        return;
    }
    let status = links.place(Place::Status);
    let nav_from = links.section_at(status).unwrap_or(0);
    let card = |e: &Event| event_card(site, &links, e, now);
    let scopes = subscriptions::components(site);
    let first_day = uptime::first_day(now);
    let window_start = first_day
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(now);
    // Each window of a recurring maintenance that is over is part of the history.
    let concrete = status::concrete(events, Timestamp::MIN, now);
    let past: Vec<&Event> = concrete.iter().filter(|e| !e.phase.is_open()).collect();
    let recent: Vec<&Event> = past
        .iter()
        .copied()
        .filter(|e| e.end.or(e.start).is_some_and(|t| t >= window_start))
        .collect();
    let mut upcoming: Vec<&Event> = concrete
        .iter()
        .filter(|e| e.phase == Phase::Upcoming)
        .collect();
    upcoming.sort_by_key(|e| e.start);
    let context = StatusContext {
        state: status::overall_state(events),
        banner: status::overall_state(events).banner(),
        as_of: shown(now),
        first_day: DateTime::from_date(first_day).human(),
        active: events
            .iter()
            .filter(|e| e.phase.is_active())
            .map(card)
            .collect(),
        upcoming: upcoming.into_iter().map(card).collect(),
        groups: status::grouped(&site.config.components)
            .into_iter()
            .map(|(name, members)| Group {
                name: name.map(str::to_string),
                components: members
                    .into_iter()
                    .filter_map(|c| scopes.iter().find(|s| s.is(c)))
                    .filter_map(|scope| component_row(site, &links, scope, events, now))
                    .collect(),
            })
            .collect(),
        history: by_month(recent.into_iter().map(card)),
        history_url: links.url(links.place(Place::StatusHistory)),
        feed_url: links.url(&format!("{status}feed.xml")),
        calendar_url: links.url(&format!("{status}maintenance.ics")),
        summary_url: links.url(&format!("{}v2/summary.json", links.place(Place::StatusApi))),
        scs_url: links.url(&format!(
            "{}scs/incidents.json",
            links.place(Place::StatusApi)
        )),
        subscribe_url: links.url(links.place(Place::StatusSubscribe)),
        embed_url: links.url(links.place(Place::StatusEmbed)),
        slo_url: generated
            .places
            .contains(&Place::StatusSlo)
            .then(|| links.url(links.place(Place::StatusSlo))),
    };
    let header = links.header(
        status,
        "Status",
        Some("The current state of every component, 90 days of uptime, and every incident."),
        &[],
    );
    generated.pages.push(GeneratedPage {
        url: status.to_string(),
        template: "status.html",
        label: "the status page".into(),
        nav_from,
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("status", Json::of(&context)),
        ],
    });
    add_history(site, &links, nav_from, &past, now, generated);
}

/// Past events on one page beyond this many are split by year.
const HISTORY_PAGE_LIMIT: usize = 200;

#[derive(Debug, Serialize)]
struct YearLink {
    year: i16,
    url: String,
    count: usize,
    current: bool,
}

/// `/status/history/` (everything, or the newest year once the history is long) and
/// `/status/history/YEAR/` for every year.
fn add_history(
    site: &Site,
    links: &Links<'_>,
    nav_from: usize,
    past: &[&Event],
    now: Timestamp,
    generated: &mut Generated,
) {
    let year_of = |e: &Event| e.start.map(|s| shown(s).date().year());
    let mut years: Vec<i16> = past.iter().filter_map(|e| year_of(e)).collect();
    years.dedup();
    let cards = |year: Option<i16>| {
        by_month(
            past.iter()
                .filter(|e| year.is_none() || year_of(e) == year)
                .map(|e| event_card(site, links, e, now)),
        )
    };
    let year_links = |current: Option<i16>| -> Vec<YearLink> {
        years
            .iter()
            .map(|&year| YearLink {
                year,
                url: links.url(&format!("{}{year}/", links.place(Place::StatusHistory))),
                count: past.iter().filter(|e| year_of(e) == Some(year)).count(),
                current: Some(year) == current,
            })
            .collect()
    };
    let long = past.len() > HISTORY_PAGE_LIMIT;
    let shown_year = if long { years.first().copied() } else { None };
    let history = links.place(Place::StatusHistory);
    let mut pages = vec![(history.to_string(), shown_year, None)];
    pages.extend(
        years
            .iter()
            .map(|&y| (format!("{history}{y}/"), Some(y), Some(y))),
    );
    for (url, year, current) in pages {
        let title = current.map_or("Status history".to_string(), |y| {
            format!("Status history {y}")
        });
        let header = links.header(
            &url,
            &title,
            Some("Every incident and maintenance, newest first."),
            &[("Status", links.place(Place::Status)), ("History", history)]
                [..if current.is_some() { 2 } else { 1 }],
        );
        generated.pages.push(GeneratedPage {
            label: format!("the status history page `{url}`"),
            url,
            template: "status_history.html",
            nav_from,
            in_sitemap: true,
            values: vec![
                ("generated", Json::of(&header)),
                ("history", Json::of(&cards(year))),
                ("years", Json::of(&year_links(current.or(year)))),
            ],
        });
    }
}

fn component_row(
    site: &Site,
    links: &Links<'_>,
    scope: &Scope<'_>,
    events: &[Event],
    now: Timestamp,
) -> Option<ComponentRow> {
    let Scope::Component(component, slug) = scope else {
        return None;
    };
    let uptime = uptime::component_uptime(&component.id, events, now);
    let state = status::component_state(&component.id, events);
    Some(ComponentRow {
        id: component.id.clone(),
        slug: slug.clone(),
        feed_url: links.url(&scope.file(site, "feed.xml")),
        calendar_url: links.url(&scope.file(site, "calendar.ics")),
        name: component.name.clone(),
        description: component.description.clone(),
        state,
        state_label: state.label(),
        uptime: uptime.percent(),
        bars: uptime
            .days
            .iter()
            .enumerate()
            .map(|(x, day)| Bar {
                x,
                state: day.state,
                title: day_title(site, day),
                url: day.events.first().map(|&id| links.page_url(id)),
            })
            .collect(),
    })
}

/// The tooltip of one day: date, state, time lost, and the events of the day.
fn day_title(site: &Site, day: &Day) -> String {
    let date = DateTime::from_date(day.date).human();
    if day.events.is_empty() {
        return format!("{date}: no incidents");
    }
    let mut title = format!("{date}: {}", day.state.label());
    let minutes = |s: i64| HumanMinutes((s + 59) / 60);
    if day.down_seconds > 0 {
        title.push_str(&format!(", {} down", minutes(day.down_seconds)));
    } else if day.degraded_seconds > 0 {
        title.push_str(&format!(", {} degraded", minutes(day.degraded_seconds)));
    } else if day.maintenance_seconds > 0 {
        title.push_str(&format!(
            ", {} maintenance",
            minutes(day.maintenance_seconds)
        ));
    }
    for id in &day.events {
        title.push_str("\n• ");
        title.push_str(&site.pages[*id].title);
    }
    title
}

pub(super) fn event_card(
    site: &Site,
    links: &Links<'_>,
    event: &Event,
    now: Timestamp,
) -> EventCard {
    let page = &site.pages[event.id];
    // Over, the event quotes no update that says it is still going on.
    let final_status =
        |s: UpdateStatus| matches!(s, UpdateStatus::Resolved | UpdateStatus::Completed);
    let latest = page
        .meta
        .updates
        .iter()
        .max_by_key(|u| u.at)
        .filter(|u| event.phase.is_open() || final_status(u.status));
    EventCard {
        title: page.title.clone(),
        url: links.page_url(event.id),
        impact: event.impact,
        phase: event.phase,
        phase_label: match page.incident {
            Some(state) if !event.occurrence => state.label(),
            _ => event.phase.label(),
        },
        components: event
            .components
            .iter()
            .map(|c| {
                site.config
                    .component(c)
                    .map_or(c.clone(), |c| c.name.clone())
            })
            .collect(),
        start: event.start.map(shown),
        end: event.end.map(shown),
        duration: event
            .duration_seconds(now)
            .filter(|_| !event.phase.is_open() || !event.is_maintenance())
            .map(|s| HumanMinutes(s / 60)),
        latest: latest.map(|u| LatestUpdate {
            status: u.status,
            at: u.at,
            message: u.message.clone(),
        }),
        postmortem_url: site.postmortem_of(event.id).map(|p| links.page_url(p)),
    }
}

/// Events (newest first) under a heading per month of their start; undated ones last.
pub(super) fn by_month(cards: impl Iterator<Item = EventCard>) -> Vec<Month> {
    let mut months: Vec<Month> = Vec::new();
    for card in cards {
        let title = card.start.map_or("Undated".to_string(), |d| {
            let date = d.date();
            format!("{} {}", MONTHS[date.month() as usize - 1], date.year())
        });
        match months.last_mut() {
            Some(month) if month.title == title => month.events.push(card),
            _ => months.push(Month {
                title,
                events: vec![card],
            }),
        }
    }
    months
}
