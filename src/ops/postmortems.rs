//! Postmortem insights: the table of all postmortems at `/postmortems/` (taking over the section
//! page) in several pre-rendered orders, so it sorts without JavaScript, and every action item
//! across them at `/postmortems/action-items/`.
//!
//! Action items are the task-list items of a postmortem: `- [ ] text (@owner, due 2026-12-01)`.
//! The trailing parenthesis is optional; `@name` parts are owners, `due DATE` the due date. An
//! open item past its due date (before today, UTC) is overdue.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::{shown, Generated, GeneratedPage, Json, Links};
use crate::dates::{DateTime, HumanMinutes};
use crate::markdown::action_items as scanned;
use crate::model::{Place, Site};
use crate::paths::url_segment;
use crate::vocabulary::{Kind, PostmortemStatus, Severity};

/// The orders the table is pre-rendered in: URL segment, column, label.
pub(crate) const ORDERS: [(&str, &str); 5] = [
    ("date", "Date"),
    ("title", "Title"),
    ("severity", "Severity"),
    ("duration", "Duration"),
    ("status", "Status"),
];

/// One postmortem as a row of the table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub title: String,
    pub url: String,
    pub date: Option<DateTime>,
    pub severity: Option<Severity>,
    pub duration: Option<HumanMinutes>,
    #[serde(skip)]
    pub duration_minutes: Option<i64>,
    pub services: Vec<Named>,
    pub status: Option<PostmortemStatus>,
    pub open_items: usize,
    pub overdue_items: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Named {
    pub name: String,
    pub url: String,
}

/// One action item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ActionItem {
    pub done: bool,
    pub text: String,
    pub owners: Vec<String>,
    pub due: Option<Date>,
    pub overdue: bool,
    pub line: usize,
}

/// Splits `text (@owner, due 2026-12-01)` into the text, owners and due date.
pub(crate) fn parse_item(text: &str, done: bool, line: usize, today: Date) -> ActionItem {
    let mut owners = Vec::new();
    let mut due = None;
    let mut body = text.trim().to_string();
    if let Some(open) = body.rfind('(').filter(|_| body.ends_with(')')) {
        let inner = &body[open + 1..body.len() - 1];
        let mut recognised = true;
        let (mut found_owners, mut found_due) = (Vec::new(), None);
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(owner) = part.strip_prefix('@') {
                found_owners.push(owner.to_string());
            } else if let Some(date) = part.strip_prefix("due").map(str::trim) {
                match date.trim_start_matches(':').trim().parse::<Date>() {
                    Ok(date) => found_due = Some(date),
                    Err(_) => recognised = false,
                }
            } else {
                recognised = false;
            }
        }
        // Only a parenthesis made of owners and a due date is metadata; any other stays text.
        if recognised {
            owners = found_owners;
            due = found_due;
            body = body[..open].trim_end().to_string();
        }
    }
    ActionItem {
        done,
        overdue: !done && due.is_some_and(|d| d < today),
        text: body,
        owners,
        due,
        line,
    }
}

/// The action items of postmortem page `id`.
pub(crate) fn action_items(site: &Site, id: usize, today: Date) -> Vec<ActionItem> {
    let Some(document) = &site.pages[id].document else {
        return Vec::new();
    };
    scanned::action_items(&document.body(), document.body_line)
        .into_iter()
        .map(|item| {
            let due = item.due.map(|d| d.date());
            ActionItem {
                // The text as shown, without its owners-and-due parenthesis.
                text: parse_item(&item.text, item.done, item.line, today).text,
                overdue: !item.done && due.is_some_and(|d| d < today),
                done: item.done,
                owners: item.owners,
                due,
                line: item.line,
            }
        })
        .collect()
}

/// Every action item of every postmortem, with its postmortem, as the action items page lists
/// them ([`sort_as_listed`]).
pub(crate) fn listed_items(site: &Site, today: Date) -> Vec<(usize, ActionItem)> {
    let mut items: Vec<(usize, ActionItem)> = postmortem_ids(site)
        .into_iter()
        .flat_map(|id| {
            action_items(site, id, today)
                .into_iter()
                .map(move |i| (id, i))
        })
        .collect();
    sort_as_listed(&mut items);
    items
}

/// Open first: overdue ones, then by due date (none last); then done. Stable, so items given
/// with their postmortems newest first stay so within each group.
fn sort_as_listed(items: &mut [(usize, ActionItem)]) {
    items.sort_by_key(|(_, i)| (i.done, !i.overdue, i.due.is_none(), i.due));
}

/// Counts over a set of action items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    pub done: usize,
}

pub(crate) fn counts<'a>(items: impl IntoIterator<Item = &'a ActionItem>) -> Counts {
    let mut counts = Counts::default();
    for item in items {
        counts.total += 1;
        if item.done {
            counts.done += 1;
        } else {
            counts.open += 1;
        }
        if item.overdue {
            counts.overdue += 1;
        }
    }
    counts
}

/// Every postmortem page, newest first.
pub(crate) fn postmortem_ids(site: &Site) -> Vec<usize> {
    let mut ids: Vec<usize> = site
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == Kind::Postmortem && !p.is_section())
        .map(|(id, _)| id)
        .collect();
    let date = |id: &usize| {
        let meta = &site.pages[*id].meta;
        meta.started.or(meta.date)
    };
    ids.sort_by(|a, b| date(b).cmp(&date(a)).then(a.cmp(b)));
    ids
}

fn row(site: &Site, links: &Links<'_>, id: usize, items: &[ActionItem]) -> Row {
    let page = &site.pages[id];
    let meta = &page.meta;
    let count = counts(items);
    // Dates out of order make no duration (they are reported where they were read).
    let minutes = match (meta.started, meta.resolved) {
        (Some(a), Some(b)) if a <= b => Some(a.minutes_until(&b)),
        _ => None,
    };
    Row {
        title: page.title.clone(),
        url: links.page_url(id),
        date: meta.date.or(meta.started),
        severity: meta.severity,
        duration: minutes.map(HumanMinutes),
        duration_minutes: minutes,
        services: meta
            .services
            .iter()
            .filter(|s| !url_segment(s).is_empty())
            .map(|s| Named {
                name: s.clone(),
                url: links.url(&format!(
                    "{}{}/",
                    links.place(Place::Services),
                    url_segment(s)
                )),
            })
            .collect(),
        status: meta.status,
        open_items: count.open,
        overdue_items: count.overdue,
    }
}

/// Sorts rows (given newest first) by `order`; ties keep the newest first.
pub(crate) fn sort(rows: &mut [Row], order: &str) {
    let status_rank = |s: Option<PostmortemStatus>| match s {
        Some(PostmortemStatus::Draft) => 0,
        Some(PostmortemStatus::InReview) => 1,
        Some(PostmortemStatus::Published) => 2,
        None => 3,
    };
    match order {
        "title" => rows.sort_by_key(|r| r.title.to_lowercase()),
        // Unset severities and durations go last.
        "severity" => rows.sort_by_key(|r| r.severity.map_or(9, |s| s as u8)),
        "duration" => rows.sort_by_key(|r| std::cmp::Reverse(r.duration_minutes.unwrap_or(-1))),
        "status" => rows.sort_by_key(|r| status_rank(r.status)),
        _ => {}
    }
}

#[derive(Debug, Serialize)]
struct SortLink {
    key: &'static str,
    label: &'static str,
    url: String,
    active: bool,
}

#[derive(Debug, Serialize)]
struct TableContext {
    rows: Vec<Row>,
    order: &'static str,
    orders: Vec<SortLink>,
    items: Counts,
    action_items_url: String,
    metrics_url: Option<String>,
    factors_url: Option<String>,
}

/// The URL of the table in `order` (relative to the base path).
fn order_url(links: &Links<'_>, order: &str) -> String {
    if order == "date" {
        links.place(Place::Postmortems).to_string()
    } else {
        format!("{}{order}/", links.place(Place::Sorted))
    }
}

/// Adds `/postmortems/` and its other orders, and `/postmortems/action-items/`.
pub(crate) fn add(site: &Site, now: Timestamp, generated: &mut Generated) {
    let ids = postmortem_ids(site);
    if ids.is_empty() {
        return;
    }
    let links = Links { site };
    let today = shown(now).date();
    let table = links.place(Place::Postmortems);
    let nav_from = links.section_at(table).unwrap_or(0);
    let items: Vec<Vec<ActionItem>> = ids
        .iter()
        .map(|&id| action_items(site, id, today))
        .collect();
    let rows: Vec<Row> = ids
        .iter()
        .zip(&items)
        .map(|(&id, items)| row(site, &links, id, items))
        .collect();
    let all_items: Vec<(usize, ActionItem)> = ids
        .iter()
        .zip(items)
        .flat_map(|(&id, items)| items.into_iter().map(move |i| (id, i)))
        .collect();
    let item_counts = counts(all_items.iter().map(|(_, i)| i));
    for (order, _) in ORDERS {
        let url = order_url(&links, order);
        let mut sorted = rows.clone();
        sort(&mut sorted, order);
        let mut header = links.header(
            table,
            "Postmortems",
            Some("Every postmortem, with its severity, duration, services and status."),
            &[],
        );
        if order != "date" {
            header.breadcrumbs = links.crumbs(&[("Postmortems", table)]);
            header.content = String::new();
        }
        let context = TableContext {
            rows: sorted,
            order,
            orders: ORDERS
                .iter()
                .map(|&(key, label)| SortLink {
                    key,
                    label,
                    url: links.url(&order_url(&links, key)),
                    active: key == order,
                })
                .collect(),
            items: item_counts,
            action_items_url: links.url(links.place(Place::ActionItems)),
            // Linked only when there are incidents to chart.
            metrics_url: generated
                .places
                .contains(&Place::Metrics)
                .then(|| links.url(links.place(Place::Metrics))),
            factors_url: generated
                .places
                .contains(&Place::Factors)
                .then(|| links.url(links.place(Place::Factors))),
        };
        generated.pages.push(GeneratedPage {
            url,
            template: "postmortems.html",
            label: format!("the postmortems table by {order}"),
            nav_from,
            // The other orders are the same page; search engines get the canonical one.
            in_sitemap: order == "date",
            values: vec![
                ("generated", Json::of(&header)),
                ("postmortems", Json::of(&context)),
            ],
        });
    }
    add_action_items(
        site,
        &links,
        nav_from,
        all_items,
        item_counts,
        today,
        generated,
    );
}

#[derive(Debug, Serialize)]
struct ItemRow {
    #[serde(flatten)]
    item: ActionItem,
    postmortem_title: String,
    postmortem_url: String,
}

#[derive(Debug, Serialize)]
struct ItemsContext {
    counts: Counts,
    open: Vec<ItemRow>,
    done: Vec<ItemRow>,
    today: DateTime,
}

fn add_action_items(
    site: &Site,
    links: &Links<'_>,
    nav_from: usize,
    mut items: Vec<(usize, ActionItem)>,
    counts: Counts,
    today: Date,
    generated: &mut Generated,
) {
    sort_as_listed(&mut items);
    let rows: Vec<ItemRow> = items
        .into_iter()
        .map(|(id, item)| {
            let page = &site.pages[id];
            let anchor = if page.rendered.anchors.contains("action-items") {
                "#action-items"
            } else {
                ""
            };
            ItemRow {
                item,
                postmortem_title: page.title.clone(),
                postmortem_url: format!("{}{anchor}", links.page_url(id)),
            }
        })
        .collect();
    let (done, open): (Vec<ItemRow>, Vec<ItemRow>) = rows.into_iter().partition(|r| r.item.done);
    let header = links.header(
        links.place(Place::ActionItems),
        "Action items",
        Some("Every action item of every postmortem: open ones first, overdue ones marked."),
        &[("Postmortems", links.place(Place::Postmortems))],
    );
    let context = ItemsContext {
        counts,
        open,
        done,
        today: DateTime::from_date(today),
    };
    generated.pages.push(GeneratedPage {
        url: links.place(Place::ActionItems).to_string(),
        template: "action_items.html",
        label: "the action items".into(),
        nav_from,
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("items", Json::of(&context)),
        ],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2026-11-27".parse().unwrap()
    }

    #[test]
    fn owner_and_due_date_come_from_the_trailing_parenthesis() {
        let item = parse_item(
            "Upgrade Ceph (@team-storage, due 2026-10-31)",
            false,
            7,
            today(),
        );
        assert_eq!(item.text, "Upgrade Ceph");
        assert_eq!(item.owners, ["team-storage"]);
        assert_eq!(item.due, Some("2026-10-31".parse().unwrap()));
        assert!(item.overdue);
        let done = parse_item("Upgrade Ceph (@a, @b, due 2026-10-31)", true, 7, today());
        assert_eq!(done.owners, ["a", "b"]);
        assert!(!done.overdue, "a done item is never overdue");
        let plain = parse_item("Read RFC 5545 (the iCalendar spec)", false, 1, today());
        assert_eq!(plain.text, "Read RFC 5545 (the iCalendar spec)");
        assert!(plain.owners.is_empty() && plain.due.is_none() && !plain.overdue);
        let due_today = parse_item("Ship it (due 2026-11-27)", false, 1, today());
        assert!(!due_today.overdue, "due today is not overdue yet");
    }

    #[test]
    fn counts_add_up() {
        let items = [
            parse_item("a (@x, due 2026-11-01)", false, 1, today()),
            parse_item("b (@x, due 2026-12-01)", false, 2, today()),
            parse_item("c (@x, due 2026-11-01)", true, 3, today()),
            parse_item("d", false, 4, today()),
        ];
        assert_eq!(
            counts(&items),
            Counts {
                total: 4,
                open: 3,
                overdue: 1,
                done: 1
            }
        );
    }
}
