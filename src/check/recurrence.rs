//! Rule `recurring-factor`: a factor hitting a service again within `[checks] recurrence_days`
//! of the last time — the question incident reviews ask first: is it happening again? The
//! finding sits at the factor in the later postmortem and names the earlier one, file and line.

use super::finding;
use crate::diagnostic::Diagnostics;
use crate::model::Site;
use crate::ops::factors;

pub(super) fn recurring_factors(site: &Site, out: &mut Diagnostics) {
    let named = factors::named(site);
    let within = site.config.checks.recurrence_days;
    for repeat in factors::repeats(site, &named, within) {
        let factor = &site.config.factors[repeat.factor];
        let (first, again) = (&site.pages[repeat.first], &site.pages[repeat.again]);
        let earlier = factor_field(first, &factor.id);
        let at = factor_field(again, &factor.id);
        let earlier_at = first.location_of(&earlier);
        out.push(
            finding(
                "recurring-factor",
                again.location_of(&at),
                format!(
                    "`{}` hit `{}` again, {} days after `{}` (line {})",
                    factor.id, repeat.service, repeat.days, first.file, earlier_at.line
                ),
            )
            .with_hint(format!(
                "see what the action items of `{}` did about `{}`{}; the window is `recurrence_days` in [checks]",
                first.stem(),
                factor.id,
                if site.related_of(repeat.again).contains(&repeat.first) {
                    ""
                } else {
                    ", and name it in `related`"
                }
            )),
        );
    }
}

/// The front matter key path of factor `id` in `page`: its trigger, else its contributing
/// factor (`triggers.0`, `contributing_factors.1`).
fn factor_field(page: &crate::model::Page, id: &str) -> String {
    let meta = &page.meta;
    match meta.triggers.iter().position(|t| t == id) {
        Some(index) => format!("triggers.{index}"),
        None => {
            let index = meta
                .contributing_factors
                .iter()
                .position(|c| c == id)
                .unwrap_or(0);
            format!("contributing_factors.{index}")
        }
    }
}
