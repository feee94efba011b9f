//! The factors page, `/postmortems/factors/`: every factor of the vocabulary with its counts and
//! its postmortems, the repeats, and the counts by quarter and by service as SVG charts drawn at
//! build time, each with its table. The counting is [`super::factors`]'.

use jiff::Timestamp;
use serde::Serialize;

use super::factor_charts::{quarters_chart, services_chart, Series};
use super::factors::{by_service, named, quarter_key, quarters, repeats, totals, Named, Totals};
use super::{shown, Generated, GeneratedPage, Json, Links};
use crate::dates::DateTime;
use crate::model::{Place, Site};

/// How many services the chart shows; the table has them all.
const CHART_SERVICES: usize = 10;

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
