//! What keeps causing incidents: the triggers and contributing factors postmortems name, from
//! the vocabulary of `opsbook.toml`, counted at `/postmortems/factors/` by quarter and by service
//! (tables and SVG charts drawn here), each factor with its postmortems; and the repeats — one
//! factor hitting one service again within `[checks] recurrence_days` — which the page lists and
//! `check` reports (rule `recurring-factor`).
//!
//! A factor a postmortem names counts once for it, trigger or contributing factor alike; names
//! outside the vocabulary count nowhere (the build reports them).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::factor_charts::{quarters_chart, services_chart, Series};
use super::{shown, Generated, GeneratedPage, Json, Links};
use crate::dates::DateTime;
use crate::model::{Place, Site};

/// How many quarters the page shows at most: two years.
const QUARTERS: i32 = 8;

/// How many services the chart shows; the table has them all.
const CHART_SERVICES: usize = 10;

/// One postmortem and the factors of the vocabulary it names (indices into it, as written).
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub id: usize,
    /// When the incident started (or the postmortem's date).
    pub date: Option<DateTime>,
    pub services: Vec<String>,
    pub triggers: Vec<usize>,
    pub contributing: Vec<usize>,
}

impl Named {
    /// Every factor it names, once, in the vocabulary's order.
    pub(crate) fn factors(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self
            .triggers
            .iter()
            .chain(&self.contributing)
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Every postmortem, newest first, with the factors it names.
pub(crate) fn named(site: &Site) -> Vec<Named> {
    // In the order written, each once.
    let indices = |values: &[String]| -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        for (i, _) in values.iter().filter_map(|v| site.config.factor(v)) {
            if !found.contains(&i) {
                found.push(i);
            }
        }
        found
    };
    super::postmortems::postmortem_ids(site)
        .into_iter()
        .map(|id| {
            let meta = &site.pages[id].meta;
            Named {
                id,
                date: meta.started.or(meta.date),
                services: services_of(site, id),
                triggers: indices(&meta.triggers),
                contributing: indices(&meta.contributing_factors),
            }
        })
        .collect()
}

/// A postmortem's services, else the components of the incident it explains (as the metrics
/// count them), sorted, each once.
pub(crate) fn services_of(site: &Site, id: usize) -> Vec<String> {
    let meta = &site.pages[id].meta;
    let mut services = if meta.services.is_empty() {
        meta.incident
            .as_deref()
            .and_then(|name| site.incident_named(name))
            .map_or_else(Vec::new, |i| site.pages[i].meta.components.clone())
    } else {
        meta.services.clone()
    };
    services.sort();
    services.dedup();
    services
}

/// One factor hitting one service again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repeat {
    pub factor: usize,
    pub service: String,
    /// The postmortems, the earlier first.
    pub first: usize,
    pub again: usize,
    pub days: i64,
}

/// Each time a factor hits a service within `within_days` of the time before: one repeat per
/// pair of consecutive postmortems (three in a row make two), newest first.
pub(crate) fn repeats(site: &Site, named: &[Named], within_days: u32) -> Vec<Repeat> {
    // (service, factor) → every postmortem naming it: when, its path (to order a tie), its id.
    type Hit<'a> = (DateTime, &'a str, usize);
    let mut hits: BTreeMap<(&str, usize), Vec<Hit<'_>>> = BTreeMap::new();
    for postmortem in named {
        let Some(date) = postmortem.date else {
            continue;
        };
        for service in &postmortem.services {
            for factor in postmortem.factors() {
                let path = site.pages[postmortem.id].path.as_str();
                hits.entry((service, factor))
                    .or_default()
                    .push((date, path, postmortem.id));
            }
        }
    }
    let mut repeats = Vec::new();
    for ((service, factor), mut list) in hits {
        list.sort();
        for pair in list.windows(2) {
            let days = pair[0].0.days_until(&pair[1].0);
            if days <= i64::from(within_days) {
                repeats.push(Repeat {
                    factor,
                    service: service.to_string(),
                    first: pair[0].2,
                    again: pair[1].2,
                    days,
                });
            }
        }
    }
    let dates: std::collections::HashMap<usize, Option<DateTime>> =
        named.iter().map(|n| (n.id, n.date)).collect();
    let date = |id: usize| dates.get(&id).copied().flatten();
    repeats.sort_by(|a, b| {
        date(b.again)
            .cmp(&date(a.again))
            .then_with(|| a.service.cmp(&b.service))
            .then(a.factor.cmp(&b.factor))
    });
    repeats
}

/// How often one factor was named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Totals {
    pub as_trigger: usize,
    pub as_contributing: usize,
    /// Postmortems naming it either way.
    pub postmortems: usize,
}

/// The totals of every factor of the vocabulary, in its order.
pub(crate) fn totals(named: &[Named], factors: usize) -> Vec<Totals> {
    let mut totals = vec![Totals::default(); factors];
    for postmortem in named {
        for &f in &postmortem.triggers {
            totals[f].as_trigger += 1;
        }
        for &f in &postmortem.contributing {
            totals[f].as_contributing += 1;
        }
        for f in postmortem.factors() {
            totals[f].postmortems += 1;
        }
    }
    totals
}

/// One quarter: how many postmortems of incidents starting in it named each factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Quarter {
    /// `2026-Q3`.
    pub key: String,
    /// `Q3 2026`.
    pub label: String,
    /// By factor, in the vocabulary's order.
    pub counts: Vec<usize>,
}

/// The quarters from the first one with a dated postmortem to `today`'s, at most [`QUARTERS`],
/// oldest first.
pub(crate) fn quarters(named: &[Named], factors: usize, today: Date) -> Vec<Quarter> {
    let last = index(today);
    let first = named
        .iter()
        .filter_map(|n| n.date.map(|d| index(d.date())))
        .min()
        .unwrap_or(last)
        .clamp(last - QUARTERS + 1, last);
    (first..=last)
        .map(|quarter| {
            let (year, q) = year_and_quarter(quarter);
            let mut counts = vec![0; factors];
            for postmortem in named {
                if postmortem.date.map(|d| index(d.date())) == Some(quarter) {
                    for f in postmortem.factors() {
                        counts[f] += 1;
                    }
                }
            }
            Quarter {
                key: format!("{year:04}-Q{q}"),
                label: format!("Q{q} {year}"),
                counts,
            }
        })
        .collect()
}

/// Quarters counted from year 0: what [`quarters`] steps through.
fn index(date: Date) -> i32 {
    i32::from(date.year()) * 4 + (i32::from(date.month()) - 1) / 3
}

fn year_and_quarter(index: i32) -> (i32, i32) {
    (index.div_euclid(4), index.rem_euclid(4) + 1)
}

/// `2026-Q3`: the key of the quarter `date` is in.
fn quarter_key(date: Date) -> String {
    let (year, q) = year_and_quarter(index(date));
    format!("{year:04}-Q{q}")
}

/// Services by how often factors hit them, most first (ties by name): each with its count by
/// factor, in the vocabulary's order.
pub(crate) fn by_service(named: &[Named], factors: usize) -> Vec<(String, Vec<usize>)> {
    let mut counts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for postmortem in named {
        for service in &postmortem.services {
            let row = counts.entry(service).or_insert_with(|| vec![0; factors]);
            for f in postmortem.factors() {
                row[f] += 1;
            }
        }
    }
    let mut list: Vec<(String, Vec<usize>)> = counts
        .into_iter()
        .filter(|(_, row)| row.iter().any(|n| *n > 0))
        .map(|(s, row)| (s.to_string(), row))
        .collect();
    let total = |row: &[usize]| row.iter().sum::<usize>();
    list.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(&b.0)));
    list
}

/// Whether any postmortem names a factor of the vocabulary: the page is made only then.
pub(crate) fn any_named(site: &Site) -> bool {
    named(site).iter().any(|n| !n.factors().is_empty())
}

/// The CSS class of the factor named `rank`-th in the vocabulary's order among those any
/// postmortem names: eight colours in turn, so up to eight factors each have their own.
fn colour(rank: usize) -> String {
    format!("f{}", rank % 8)
}

#[derive(Debug, Serialize)]
struct PostmortemLink {
    title: String,
    url: String,
    date: Option<DateTime>,
    /// `trigger`, `contributing` or `both`.
    role: &'static str,
    services: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FactorRow {
    id: String,
    name: String,
    description: String,
    class: String,
    #[serde(flatten)]
    totals: Totals,
    /// The postmortems naming it, newest first.
    named_by: Vec<PostmortemLink>,
}

#[derive(Debug, Serialize)]
struct ServiceRow {
    name: String,
    url: Option<String>,
    /// The factors that hit it, most first.
    factors: Vec<ServiceFactor>,
    total: usize,
}

#[derive(Debug, Serialize)]
struct ServiceFactor {
    name: String,
    anchor: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct RepeatRow {
    factor: String,
    factor_anchor: String,
    service: String,
    first_title: String,
    first_url: String,
    first_date: Option<DateTime>,
    again_title: String,
    again_url: String,
    again_date: Option<DateTime>,
    days: i64,
}

/// A factor some postmortem names, as the charts and tables show it, with its count in each
/// quarter.
#[derive(Debug, Serialize)]
struct Used {
    name: String,
    class: String,
    anchor: String,
    by_quarter: Vec<usize>,
    total: usize,
}

#[derive(Debug, Serialize)]
struct FactorsContext {
    /// Every factor of the vocabulary: the ones named most first, then the others.
    factors: Vec<FactorRow>,
    /// The factors named at least once, in the vocabulary's order.
    used: Vec<Used>,
    quarters: Vec<String>,
    /// Postmortems naming any factor, per quarter.
    quarter_totals: Vec<usize>,
    services: Vec<ServiceRow>,
    repeats: Vec<RepeatRow>,
    quarters_svg: String,
    services_svg: String,
    recurrence_days: u32,
    postmortem_count: usize,
    named_count: usize,
}

/// `#factor-ID` on the factors page.
pub(crate) fn anchor(id: &str) -> String {
    format!("factor-{id}")
}

/// Adds `/postmortems/factors/` when postmortems name factors.
pub(crate) fn add(site: &Site, now: Timestamp, generated: &mut Generated) {
    if !generated.places.contains(&Place::Factors) {
        return;
    }
    let links = Links { site };
    let vocabulary = &site.config.factors;
    let named = named(site);
    let totals = totals(&named, vocabulary.len());
    let used: Vec<usize> = (0..vocabulary.len())
        .filter(|&f| totals[f].postmortems > 0)
        .collect();
    let series: Vec<Series> = used
        .iter()
        .enumerate()
        .map(|(rank, &f)| Series {
            name: vocabulary[f].name.clone(),
            class: colour(rank),
        })
        .collect();
    let quarters = quarters(&named, vocabulary.len(), shown(now).date());
    let services = by_service(&named, vocabulary.len());
    let pick = |counts: &[usize]| -> Vec<usize> { used.iter().map(|&f| counts[f]).collect() };
    let quarter_counts: Vec<(String, Vec<usize>)> = quarters
        .iter()
        .map(|q| (q.label.clone(), pick(&q.counts)))
        .collect();
    let service_counts: Vec<(String, Vec<usize>)> = services
        .iter()
        .take(CHART_SERVICES)
        .map(|(s, row)| (s.clone(), pick(row)))
        .collect();
    let mut rows: Vec<FactorRow> = vocabulary
        .iter()
        .enumerate()
        .map(|(f, factor)| FactorRow {
            id: factor.id.clone(),
            name: factor.name.clone(),
            description: factor.description.clone(),
            class: used
                .iter()
                .position(|&u| u == f)
                .map_or_else(String::new, colour),
            totals: totals[f],
            named_by: factor_postmortems(site, &links, &named, f),
        })
        .collect();
    // Stable: ties keep the vocabulary's order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.totals.postmortems));
    let context = FactorsContext {
        factors: rows,
        quarters_svg: quarters_chart(&quarter_counts, &series),
        services_svg: services_chart(&service_counts, &series),
        used: series
            .into_iter()
            .zip(&used)
            .enumerate()
            .map(|(rank, (s, &f))| Used {
                name: s.name,
                class: s.class,
                anchor: anchor(&vocabulary[f].id),
                by_quarter: quarter_counts.iter().map(|(_, c)| c[rank]).collect(),
                total: quarter_counts.iter().map(|(_, c)| c[rank]).sum(),
            })
            .collect(),
        quarter_totals: quarters
            .iter()
            .map(|q| {
                named
                    .iter()
                    .filter(|n| !n.factors().is_empty())
                    .filter(|n| n.date.is_some_and(|d| quarter_key(d.date()) == q.key))
                    .count()
            })
            .collect(),
        quarters: quarter_counts.into_iter().map(|(label, _)| label).collect(),
        services: service_rows(site, &services),
        repeats: repeat_rows(site, &links, &named),
        recurrence_days: site.config.checks.recurrence_days,
        postmortem_count: named.len(),
        named_count: named.iter().filter(|n| !n.factors().is_empty()).count(),
    };
    let url = links.place(Place::Factors);
    let header = links.header(
        url,
        "Contributing factors",
        Some("What keeps causing our incidents: the triggers and contributing factors our postmortems name, by quarter and by service, and where they came back."),
        &[("Postmortems", links.place(Place::Postmortems))],
    );
    generated.pages.push(GeneratedPage {
        url: url.to_string(),
        template: "factors.html",
        label: "the contributing factors".into(),
        nav_from: links
            .section_at(links.place(Place::Postmortems))
            .unwrap_or(0),
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("factors", Json::of(&context)),
        ],
    });
}

/// The postmortems naming factor `f`, newest first.
fn factor_postmortems(
    site: &Site,
    links: &Links<'_>,
    named: &[Named],
    f: usize,
) -> Vec<PostmortemLink> {
    named
        .iter()
        .filter_map(|n| {
            let role = match (n.triggers.contains(&f), n.contributing.contains(&f)) {
                (true, true) => "both",
                (true, false) => "trigger",
                (false, true) => "contributing",
                (false, false) => return None,
            };
            Some(PostmortemLink {
                title: site.pages[n.id].title.clone(),
                url: links.page_url(n.id),
                date: n.date.map(|d| DateTime::from_date(d.date())),
                role,
                services: n.services.clone(),
            })
        })
        .collect()
}

fn service_rows(site: &Site, services: &[(String, Vec<usize>)]) -> Vec<ServiceRow> {
    let vocabulary = &site.config.factors;
    services
        .iter()
        .map(|(name, counts)| {
            let mut factors: Vec<ServiceFactor> = counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(f, n)| ServiceFactor {
                    name: vocabulary[f].name.clone(),
                    anchor: anchor(&vocabulary[f].id),
                    count: *n,
                })
                .collect();
            factors.sort_by_key(|f| std::cmp::Reverse(f.count));
            let has_page = site
                .taxonomies
                .get("services")
                .is_some_and(|terms| terms.contains_key(&crate::paths::url_segment(name)));
            ServiceRow {
                url: has_page.then(|| site.term_url("services", name)),
                name: name.clone(),
                total: counts.iter().sum(),
                factors,
            }
        })
        .collect()
}

fn repeat_rows(site: &Site, links: &Links<'_>, named: &[Named]) -> Vec<RepeatRow> {
    // The day is enough to tell two incidents apart.
    let date = |id: usize| {
        let named = named.iter().find(|n| n.id == id)?;
        named.date.map(|d| DateTime::from_date(d.date()))
    };
    repeats(site, named, site.config.checks.recurrence_days)
        .into_iter()
        .map(|r| {
            let factor = &site.config.factors[r.factor];
            RepeatRow {
                factor: factor.name.clone(),
                factor_anchor: anchor(&factor.id),
                service: r.service,
                first_title: site.pages[r.first].title.clone(),
                first_url: links.page_url(r.first),
                first_date: date(r.first),
                again_title: site.pages[r.again].title.clone(),
                again_url: links.page_url(r.again),
                again_date: date(r.again),
                days: r.days,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postmortem(id: usize, date: &str, services: &[&str], t: &[usize], c: &[usize]) -> Named {
        Named {
            id,
            date: Some(DateTime::parse(date).unwrap()),
            services: services.iter().map(|s| s.to_string()).collect(),
            triggers: t.to_vec(),
            contributing: c.to_vec(),
        }
    }

    #[test]
    fn a_factor_counts_once_per_postmortem_by_quarter_and_service() {
        let named = [
            postmortem(0, "2026-11-12", &["api"], &[0], &[0, 2]),
            postmortem(1, "2026-08-14", &["db", "api"], &[1], &[2]),
            postmortem(2, "2024-01-05", &["db"], &[2], &[]),
        ];
        let totals = totals(&named, 3);
        assert_eq!(
            totals[0],
            Totals {
                as_trigger: 1,
                as_contributing: 1,
                postmortems: 1
            }
        );
        assert_eq!(totals[2].postmortems, 3);
        let quarters = quarters(&named, 3, "2026-11-27".parse().unwrap());
        let keys: Vec<&str> = quarters.iter().map(|q| q.key.as_str()).collect();
        // At most eight quarters: the one of 2024 is too old to show.
        assert_eq!(keys.len(), 8);
        assert_eq!(keys[0], "2025-Q1");
        assert_eq!(quarters[6].counts, [0, 1, 1]);
        assert_eq!(quarters[7].label, "Q4 2026");
        assert_eq!(quarters[7].counts, [1, 0, 1]);
        let services = by_service(&named, 3);
        assert_eq!(services[0], ("api".to_string(), vec![1, 1, 2]));
        assert_eq!(services[1], ("db".to_string(), vec![0, 1, 2]));
    }
}
