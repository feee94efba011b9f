//! The charts of the factors page: postmortems naming each factor per quarter, and per
//! service; one colour per factor, stacked in the vocabulary's order, drawn by [`super::charts`].

use super::charts::{stacked_columns, stacked_rows, Segment, Words};

/// A factor as a chart shows it: its name and its colour class.
#[derive(Debug, Clone)]
pub(super) struct Series {
    pub name: String,
    pub class: String,
}

/// The segments of one bar: `counts` by factor of `series`, each titled for its tooltip.
fn segments(label: &str, counts: &[usize], series: &[Series]) -> Vec<Segment> {
    series
        .iter()
        .zip(counts)
        .map(|(s, &count)| Segment {
            class: s.class.clone(),
            count,
            title: format!("{label}: {} {count}", s.name),
        })
        .collect()
}

/// Stacked columns: per quarter, the postmortems naming each factor.
pub(super) fn quarters_chart(quarters: &[(String, Vec<usize>)], series: &[Series]) -> String {
    let columns: Vec<(String, Vec<Segment>)> = quarters
        .iter()
        .map(|(label, counts)| (label.clone(), segments(label, counts, series)))
        .collect();
    let first = quarters.first().map_or("", |q| q.0.as_str());
    let last = quarters.last().map_or("", |q| q.0.as_str());
    stacked_columns(
        &Words {
            id: "chart-factor-quarters",
            title: "Factors named per quarter",
            description: &format!(
                "Stacked bars, one per quarter from {first} to {last}: how many postmortems named each factor, as trigger or contributing factor."
            ),
            axis: "Postmortems",
        },
        &columns,
    )
}

/// Stacked horizontal bars: per service, the postmortems naming each factor.
pub(super) fn services_chart(services: &[(String, Vec<usize>)], series: &[Series]) -> String {
    let rows: Vec<(String, Vec<Segment>)> = services
        .iter()
        .map(|(name, counts)| (name.clone(), segments(name, counts, series)))
        .collect();
    stacked_rows(
        &Words {
            id: "chart-factor-services",
            title: "Factors by service",
            description: "One horizontal bar per service, the services hit most first: how many times each factor was named in the postmortems of its incidents.",
            axis: "Times named",
        },
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_coloured_and_titled_by_factor_and_escaped() {
        let series = [
            Series {
                name: "Config <x>".into(),
                class: "f1".into(),
            },
            Series {
                name: "Capacity".into(),
                class: "f2".into(),
            },
        ];
        let svg = quarters_chart(&[("Q3 2026".into(), vec![2, 0])], &series);
        assert!(
            svg.contains("<title>Q3 2026: Config &lt;x&gt; 2</title>"),
            "{svg}"
        );
        assert!(svg.contains("class=\"f1\"") && !svg.contains("class=\"f2\""));
        let svg = services_chart(&[("api".into(), vec![1, 3])], &series);
        assert!(svg.contains(
            "aria-labelledby=\"chart-factor-services-title chart-factor-services-desc\""
        ));
        assert!(svg.contains(">4</text>"), "the total after the bar: {svg}");
    }
}
