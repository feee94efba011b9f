//! The postmortem body conventions `check` and the postmortem pages read: headings, and action
//! items written as markdown task-list items, `- [ ] Add a disk alert (@team-data, due
//! 2026-12-01)`.
//!
//! A small line scanner, not a markdown parser: it skips fenced code blocks and reads ATX
//! headings (`## Root cause`) and task-list items (`-`, `*`, `+` or `1.` bullets). It only
//! reads; it knows nothing of pages or rules, so any feature listing action items can use it.

use crate::dates::DateTime;

/// A `#` heading of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub level: usize,
    pub text: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// One task-list item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionItem {
    /// The item's text after the checkbox.
    pub text: String,
    /// Ticked (`[x]`).
    pub done: bool,
    /// Every `@name` in the text, without the `@`.
    pub owners: Vec<String>,
    /// The date after `due` (`due 2026-12-01`, `due: 2026-12-01`).
    pub due: Option<DateTime>,
    /// 1-based line and column of the checkbox's `[` in the file.
    pub line: usize,
    pub column: usize,
    /// A date after `due` that is no day of the calendar (`due 2026-02-30`), or beyond the
    /// year 9999: the item then has no due date, and this says why.
    pub bad_due: Option<BadDue>,
}

/// A due date written as a date that opsbook cannot take as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadDue {
    /// The date as written.
    pub text: String,
    /// 1-based column of its first character in the file.
    pub column: usize,
    /// What is wrong with it, for a message.
    pub why: &'static str,
}

/// A line of the body outside code blocks.
enum Line<'a> {
    Heading(Heading),
    /// Text, ticked, and the 1-based columns of the `[` and of the text.
    Task(&'a str, bool, usize, usize),
    Other,
}

/// Headings and task items of `body`, whose first line is line `first_line` of the file.
fn scan(body: &str, first_line: usize) -> Vec<(usize, Line<'_>)> {
    let mut fence: Option<(char, usize)> = None;
    let mut lines = Vec::new();
    for (number, line) in (first_line..).zip(body.lines()) {
        let trimmed = line.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                None => fence = Some(marker),
                Some((c, n)) if marker.0 == c && marker.1 >= n => fence = None,
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let parsed = heading(trimmed, number)
            .map(Line::Heading)
            .or_else(|| {
                task(line).map(|(text, done, column, at)| Line::Task(text, done, column, at))
            })
            .unwrap_or(Line::Other);
        lines.push((number, parsed));
    }
    lines
}

/// ```` ``` ```` or `~~~` of three or more: the fence character and its length.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = line.chars().take_while(|x| *x == c).count();
    (count >= 3).then_some((c, count))
}

fn heading(line: &str, number: usize) -> Option<Heading> {
    let level = line.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let mut text = rest.trim().trim_end_matches('#').trim_end();
    // `## Timeline {#timeline}`: an explicit id is not part of the title.
    if let Some(start) = text.rfind("{#").filter(|_| text.ends_with('}')) {
        text = text[..start].trim_end();
    }
    Some(Heading {
        level,
        text: text.to_string(),
        line: number,
    })
}

/// `- [ ] text`: the text, whether it is ticked, and the 1-based columns of `[` and the text.
fn task(line: &str) -> Option<(&str, bool, usize, usize)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let after_bullet = if let Some(r) = rest.strip_prefix(['-', '*', '+']) {
        r
    } else {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        rest[digits..]
            .strip_prefix(['.', ')'])
            .filter(|_| digits > 0)?
    };
    let spaces = after_bullet.len() - after_bullet.trim_start().len();
    if spaces == 0 {
        return None;
    }
    let boxed = &after_bullet[spaces..];
    let done = match boxed.get(..3)? {
        "[ ]" => false,
        "[x]" | "[X]" => true,
        _ => return None,
    };
    let after_box = boxed[3..].strip_prefix([' ', '\t'])?;
    let text = after_box.trim();
    let column = line[..line.len() - boxed.len()].chars().count() + 1;
    let leading = after_box.len() - after_box.trim_start().len();
    let text_column = line[..line.len() - after_box.len() + leading]
        .chars()
        .count()
        + 1;
    Some((text, done, column, text_column))
}

/// The headings of `body`.
pub(crate) fn headings(body: &str, first_line: usize) -> Vec<Heading> {
    scan(body, first_line)
        .into_iter()
        .filter_map(|(_, line)| match line {
            Line::Heading(heading) => Some(heading),
            _ => None,
        })
        .collect()
}

/// The action items of `body`: the task items under a heading named "Action items" (to the
/// next heading of the same or a higher level), or every task item when there is no such
/// heading.
pub(crate) fn action_items(body: &str, first_line: usize) -> Vec<ActionItem> {
    let lines = scan(body, first_line);
    let has_section = lines
        .iter()
        .any(|(_, l)| matches!(l, Line::Heading(h) if is_action_items_heading(&h.text)));
    let mut inside: Option<usize> = None;
    let mut items = Vec::new();
    for (number, line) in lines {
        match line {
            Line::Heading(h) if is_action_items_heading(&h.text) => inside = Some(h.level),
            Line::Heading(h) if inside.is_some_and(|level| h.level <= level) => inside = None,
            Line::Task(text, done, column, at) if inside.is_some() || !has_section => {
                items.push(item(text, done, number, column, at));
            }
            _ => {}
        }
    }
    items
}

fn is_action_items_heading(text: &str) -> bool {
    section_matches(text, "Action items")
}

/// Whether a heading is the section `name`: the same words, case aside, or those words
/// followed by more (`Timeline (UTC)`, `Root cause analysis`).
pub(crate) fn section_matches(heading: &str, name: &str) -> bool {
    let heading = heading.trim().to_lowercase();
    let name = name.trim().to_lowercase();
    heading == name
        || heading
            .strip_prefix(&name)
            .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric()))
}

/// An item whose text starts at column `at` of its line.
fn item(text: &str, done: bool, line: usize, column: usize, at: usize) -> ActionItem {
    let (due, bad_due) = match due_date(text) {
        Some((offset, Err(why))) => {
            let written: String = text[offset..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            let bad = BadDue {
                text: written,
                column: at + text[..offset].chars().count(),
                why,
            };
            (None, Some(bad))
        }
        Some((_, Ok(date))) => (Some(date), None),
        None => (None, None),
    };
    ActionItem {
        text: text.to_string(),
        done,
        owners: owners(text),
        due,
        line,
        column,
        bad_due,
    }
}

/// Owners: `@name` words, and the name after `owner:` (`(OPS-12, owner: team-data)`, the
/// form trackers export). A name is letters, digits and `._-/`.
fn owners(text: &str) -> Vec<String> {
    let is_name = |c: char| c.is_alphanumeric() || "._-/".contains(c);
    let name_at = |start: usize| -> String {
        let name: String = text[start..].chars().take_while(|c| is_name(*c)).collect();
        name.trim_end_matches(['.', '-', '/']).to_string()
    };
    let starts_word = |i: usize| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    // `ops@example.org` is an address, not an owner.
    let mentions = text
        .match_indices('@')
        .filter(|(i, _)| starts_word(*i))
        .map(|(i, _)| name_at(i + 1));
    // ASCII lowercase keeps byte offsets, so they index `text` too.
    let lower = text.to_ascii_lowercase();
    let labelled = lower
        .match_indices("owner:")
        .filter(|(i, _)| starts_word(*i))
        .map(|(i, label)| {
            let rest = &text[i + label.len()..];
            name_at(i + label.len() + (rest.len() - rest.trim_start().len()))
        });
    mentions
        .chain(labelled)
        .filter(|name| !name.is_empty())
        .collect()
}

/// The date after the word `due`, with its byte offset in `text`: the date, or why what is
/// written there as a date (digits and dashes, `2026-02-30`) is not one. `None` when no date
/// follows `due` (`due to the outage`).
fn due_date(text: &str) -> Option<(usize, Result<DateTime, &'static str>)> {
    // ASCII lowercase keeps byte offsets, so they index `text` too.
    let lower = text.to_ascii_lowercase();
    lower.match_indices("due").find_map(|(i, _)| {
        let before_ok = lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let rest = lower[i + 3..].trim_start_matches([':', ' ', '\t']);
        let offset = lower.len() - rest.len();
        let written = &rest[..rest
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len())];
        let parts: Vec<&str> = written.split('-').collect();
        let date_like = parts.len() == 3 && parts.iter().all(|p| !p.is_empty());
        if !before_ok || !date_like {
            return None;
        }
        let year_digits = parts[0].trim_start_matches('0').len();
        let parsed = if year_digits > 4 {
            Err("is beyond the year 9999")
        } else if parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            Err("is not written YYYY-MM-DD")
        } else {
            DateTime::parse(written).map_err(|_| "is no day of the calendar")
        };
        Some((offset, parsed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_owner_due_date_and_state() {
        let body = "## Action items\n\n- [ ] Add an alert (@team-data, due 2026-12-01)\n  * [x] Fix it @a.kowalski\n";
        let items = action_items(body, 10);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].owners, ["team-data"]);
        assert_eq!(items[0].due.unwrap().iso(), "2026-12-01");
        assert_eq!((items[0].line, items[0].column), (12, 3));
        assert!(items[1].done && items[1].due.is_none());
        assert_eq!((items[1].line, items[1].column), (13, 5));
    }

    #[test]
    fn due_dates_that_are_no_dates_are_reported_with_their_column() {
        let body = "## Action items\n- [ ] A (@x, due 2026-02-30)\n  * [ ]   B (@x, due: 99999-01-01)\n- [ ] C (@x, due 9999-12-31)\n- [ ] D due to the outage, due 2026-2-3\n- [ ] É (@x, Due 2027-01-01T10:00Z)\n";
        let items = action_items(body, 5);
        let bad: Vec<Option<(&str, usize, &str)>> = items
            .iter()
            .map(|i| {
                i.bad_due
                    .as_ref()
                    .map(|b| (b.text.as_str(), b.column, b.why))
            })
            .collect();
        assert_eq!(
            bad,
            [
                Some(("2026-02-30", 18, "is no day of the calendar")),
                Some(("99999-01-01", 23, "is beyond the year 9999")),
                None,
                Some(("2026-2-3", 32, "is not written YYYY-MM-DD")),
                None,
            ]
        );
        assert!(items[0].due.is_none() && items[1].due.is_none());
        assert_eq!(items[2].due.unwrap().iso(), "9999-12-31");
        assert_eq!(items[4].due.unwrap().iso(), "2027-01-01");
        let line = body.lines().nth(2).unwrap();
        assert_eq!(
            line.chars().skip(22).take(11).collect::<String>(),
            "99999-01-01"
        );
    }

    #[test]
    fn only_the_action_items_section_counts_when_there_is_one() {
        let body = "## Timeline\n- [ ] not an item\n## Action items\n1. [ ] one @x\n### Later\n- [ ] two\n## Lessons\n- [ ] no\n";
        let texts: Vec<String> = action_items(body, 1).into_iter().map(|i| i.text).collect();
        assert_eq!(texts, ["one @x", "two"]);
    }

    #[test]
    fn code_blocks_mail_addresses_and_plain_lists_are_not_items() {
        let tracker = action_items("- [ ] Fix it (OPS-1, owner: team-infra)\n", 1);
        assert_eq!(tracker[0].owners, ["team-infra"]);
        let body = "```\n- [ ] code\n## Not a heading\n```\n- plain\n- [ ] ask ops@example.org\n";
        let items = action_items(body, 1);
        assert_eq!(items.len(), 1);
        assert!(items[0].owners.is_empty());
        assert!(headings(body, 1).is_empty());
    }

    #[test]
    fn headings_drop_closing_hashes_and_ids() {
        let found = headings("# Title #\n## Root cause {#why}\n#hashtag\n", 3);
        let texts: Vec<&str> = found.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(texts, ["Title", "Root cause"]);
        assert_eq!(found[1].line, 4);
        assert!(section_matches("Timeline (UTC)", "timeline"));
        assert!(!section_matches("Timelines", "timeline"));
    }
}
