//! Task-list items (`- [ ] text`, `- [x] text`) of a markdown body, as plain text with the line
//! they start on: what postmortem action items are made of.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostic::LineIndex;

/// One task-list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    pub done: bool,
    /// The item's text, inline markup removed.
    pub text: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// Every task-list item of `body`, whose first line is line `first_line` of its file. Nested
/// items are items of their own; an item's text stops where a nested list starts.
pub fn task_items(body: &str, first_line: usize) -> Vec<TaskItem> {
    let index = LineIndex::new(body);
    let mut items: Vec<TaskItem> = Vec::new();
    // For each open list item: the index of its task in `items`, if it is one.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut item_start = 0;
    for (event, range) in Parser::new_ext(body, super::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Item) => {
                open.push(None);
                item_start = range.start;
            }
            Event::End(TagEnd::Item) => {
                open.pop();
            }
            Event::Start(Tag::List(_)) => {
                // Text after a nested list belongs to no task.
                if let Some(last) = open.last_mut() {
                    *last = None;
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(last) = open.last_mut() {
                    let (line, _) = index.position(body, item_start);
                    items.push(TaskItem {
                        done,
                        text: String::new(),
                        line: line + first_line - 1,
                    });
                    *last = Some(items.len() - 1);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(Some(task)) = open.last() {
                    items[*task].text.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(Some(task)) = open.last() {
                    items[*task].text.push(' ');
                }
            }
            _ => {}
        }
    }
    for item in &mut items {
        item.text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_keep_state_text_and_line() {
        let body = "## Action items\n\n- [x] Fix `x` now (@a, due 2026-01-01)\n- [ ] Write\n  more *docs*\n  - [ ] nested\n- plain\n";
        let items = task_items(body, 10);
        assert_eq!(
            items,
            [
                TaskItem {
                    done: true,
                    text: "Fix x now (@a, due 2026-01-01)".into(),
                    line: 12
                },
                TaskItem {
                    done: false,
                    text: "Write more docs".into(),
                    line: 13
                },
                TaskItem {
                    done: false,
                    text: "nested".into(),
                    line: 15
                },
            ]
        );
    }
}
