//! What keeps causing incidents: the triggers and contributing factors postmortems name, from
//! the vocabulary of `opsbook.toml`, counted by quarter and by service; and the repeats — one
//! factor hitting one service again within `[checks] recurrence_days`. The factors page
//! ([`super::factors_page`]), the data files and `check` (rule `recurring-factor`) all count
//! with these functions.
//!
//! A factor a postmortem names counts once for it, trigger or contributing factor alike; names
//! outside the vocabulary count nowhere (the build reports them).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::dates::DateTime;
use crate::model::Site;

/// How many quarters are counted at most: two years.
const QUARTERS: i32 = 8;

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
pub(crate) fn quarter_key(date: Date) -> String {
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
