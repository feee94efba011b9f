//! Markdown bodies as other tools' handbooks write them, rewritten line by line into the
//! markdown opsbook renders: Hugo shortcodes (`ref` / `relref` resolved, others reported),
//! GitLab's `[[_TOC_]]`, MkDocs attribute lists, `$$` math, `:emoji:` shortcodes, MDX imports
//! and components, ERB ([`super::erb`]), and a code fence left open at the end of the file.
//!
//! Every rewrite keeps the line count, so positions found later still point at the user's line.
//! Code blocks and inline code are never touched.

use std::borrow::Cow;

use crate::markdown::{closes_fence, TOC_MARKER};

/// A problem in a body: 0-based line of the body, 1-based column, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What rewriting needs to know about the page.
pub(crate) struct Page<'a> {
    pub mdx: bool,
    /// Markdown run through ERB first (`*.md.erb`): see [`super::erb`].
    pub erb: bool,
    /// A Hugo `ref` target → the link to write, relative to the page.
    pub resolve_ref: &'a dyn Fn(&str) -> Option<String>,
}

/// The rewritten body, or `None` when nothing changed; and the problems found.
pub(crate) fn rewrite(body: &str, page: &Page<'_>) -> (Option<String>, Vec<Problem>) {
    let (erb, mut problems) = if page.erb {
        super::erb::rewrite(body)
    } else {
        (None, Vec::new())
    };
    let (text, more) = rewrite_lines(erb.as_deref().unwrap_or(body), page);
    problems.extend(more);
    problems.sort_by_key(|p| (p.line, p.column));
    (text.or(erb), problems)
}

/// The line by line rewrites of [`rewrite`].
fn rewrite_lines(body: &str, page: &Page<'_>) -> (Option<String>, Vec<Problem>) {
    let mut out = String::with_capacity(body.len() + 16);
    let mut problems = Vec::new();
    let mut fence: Option<(String, usize)> = None;
    let mut math: Option<usize> = None;
    let mut reported = std::collections::HashSet::new();
    for (index, raw) in body.split_inclusive('\n').enumerate() {
        let (line, newline) = match raw.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (raw, ""),
        };
        let rewritten: Cow<'_, str> = if let Some((marker, _)) = &fence {
            if closes_fence(line, marker) {
                fence = None;
            }
            line.into()
        } else if let Some(marker) = opens_fence(line) {
            fence = Some((marker, index));
            line.into()
        } else if line.trim() == "$$" {
            // Display math between `$$` lines is shown as a `math` block.
            if math.take().is_some() {
                "```".into()
            } else {
                math = Some(index);
                "```math".into()
            }
        } else if math.is_some() {
            line.into()
        } else {
            let mut context = LineContext {
                index,
                problems: &mut problems,
                reported: &mut reported,
                page,
            };
            context.prose(line)
        };
        out.push_str(&rewritten);
        out.push_str(newline);
    }
    let unclosed = fence.or(math.map(|line| ("```".to_string(), line)));
    if let Some((marker, line)) = unclosed {
        if !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&marker);
        out.push('\n');
        problems.push(Problem {
            line,
            column: 1,
            message: "code block is never closed: closed at the end of the file".into(),
        });
    }
    let changed = out != body;
    (changed.then_some(out), problems)
}

struct LineContext<'a, 'p> {
    index: usize,
    problems: &'a mut Vec<Problem>,
    /// Shortcodes and components already reported in this file.
    reported: &'a mut std::collections::HashSet<String>,
    page: &'a Page<'p>,
}

impl LineContext<'_, '_> {
    fn report(&mut self, key: String, column: usize, message: String) {
        if self.reported.insert(key) {
            self.problems.push(Problem {
                line: self.index,
                column,
                message,
            });
        }
    }

    fn prose<'l>(&mut self, line: &'l str) -> Cow<'l, str> {
        let trimmed = line.trim();
        if trimmed == "[[_TOC_]]" || trimmed == "[TOC]" {
            return TOC_MARKER.into();
        }
        if self.page.mdx && (line.starts_with("import ") || line.starts_with("export ")) {
            self.report(
                "import".into(),
                1,
                "MDX `import`/`export` lines are not run by opsbook: left out".into(),
            );
            return "".into();
        }
        // What the rewrites below start from: attribute lists (`{:`), shortcodes (`{{`), emoji
        // (`:name:`) and, in MDX, components (`<Name`). Most lines have none.
        let rewritable = line.contains(['{', ':']) || (self.page.mdx && line.contains('<'));
        if !rewritable {
            return line.into();
        }
        let is_heading = line.trim_start().starts_with('#');
        let mut out = String::with_capacity(line.len());
        let spans = code_spans(line);
        let last = spans.len() - 1;
        for (index, (code, segment)) in spans.into_iter().enumerate() {
            if code {
                out.push_str(segment);
                continue;
            }
            let column = out.len() + 1;
            let segment = attribute_lists(segment, is_heading && index == last);
            let segment = self.shortcodes(&segment, column);
            let segment = if self.page.mdx {
                self.components(&segment, column)
            } else {
                segment
            };
            out.push_str(&emoji(&segment));
        }
        if out.trim().is_empty() && !line.trim().is_empty() {
            return "".into();
        }
        out.into()
    }

    /// `{{< ref "x.md" >}}` resolved; cState's `track` shown as its date; others reported.
    fn shortcodes(&mut self, text: &str, column: usize) -> String {
        if !text.contains("{{") {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{<").or_else(|| rest.find("{{%")) {
            let close = if rest[start..].starts_with("{{<") {
                ">}}"
            } else {
                "%}}"
            };
            let Some(len) = rest[start..].find(close) else {
                break;
            };
            let inner = rest[start + 3..start + len].trim();
            let name = inner.split_whitespace().next().unwrap_or("");
            let argument = first_quoted(inner);
            let at = column + out.len() + start;
            out.push_str(&rest[..start]);
            let whole = &rest[start..start + len + 3];
            match (name, argument) {
                ("ref" | "relref", Some(target)) => {
                    let link = (self.page.resolve_ref)(target).unwrap_or_else(|| target.into());
                    out.push_str(&link);
                }
                ("track", Some(date)) => out.push_str(&format!("*{date}*")),
                _ => {
                    out.push_str(whole);
                    if !name.starts_with('/') {
                        self.report(
                            format!("shortcode {name}"),
                            at,
                            format!("Hugo shortcode `{name}` is not supported: left as text"),
                        );
                    }
                }
            }
            rest = &rest[start + len + 3..];
        }
        out.push_str(rest);
        out
    }

    /// JSX components (`<Tabs>`, `<Video src="…" />`) become visible placeholders.
    fn components(&mut self, text: &str, column: usize) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = find_component(rest) {
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            let at = column + (text.len() - rest.len()) + start;
            let tag = &rest[start..=start + len];
            let closing = tag.starts_with("</");
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
                .collect();
            out.push_str(&rest[..start]);
            if !closing {
                let escaped = crate::markdown::headings::escape_attr(tag);
                out.push_str(&format!(
                    "<span class=\"mdx-placeholder\" title=\"MDX component, not rendered\">{escaped}</span>"
                ));
                self.report(
                    format!("component {name}"),
                    at,
                    format!("MDX component `<{name}>` is not rendered: shown as a placeholder"),
                );
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn find_component(text: &str) -> Option<usize> {
    text.match_indices('<').map(|(i, _)| i).find(|&i| {
        let after = text[i + 1..].trim_start_matches('/');
        after.starts_with(|c: char| c.is_ascii_uppercase())
    })
}

fn first_quoted(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

/// MkDocs / kramdown `{: .class #id }`: applied to headings (`{#id .class}`), dropped elsewhere.
fn attribute_lists(line: &str, is_heading: bool) -> String {
    if !line.contains("{:") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("{:") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let attributes = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        rest = &rest[start + len + 1..];
        let usable = attributes
            .split_whitespace()
            .all(|a| a.starts_with(['.', '#']));
        if is_heading && rest.trim().is_empty() && usable && !attributes.is_empty() {
            out.push_str(&format!("{{{attributes}}}"));
        }
    }
    out.push_str(rest);
    out
}

/// Splits a line into inline code spans (`true`) and the text between them.
fn code_spans(line: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let marker = &rest[start..start + ticks];
        let Some(end) = rest[start + ticks..].find(marker) else {
            break;
        };
        let end = start + ticks + end + ticks;
        parts.push((false, &rest[..start]));
        parts.push((true, &rest[start..end]));
        rest = &rest[end..];
    }
    parts.push((false, rest));
    parts
}

/// `:rotating_light:` → 🚨, for shortcodes GitHub and GitLab know.
fn emoji(text: &str) -> String {
    if !text.contains(':') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(':') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_+-".contains(c)))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with(':') {
            if let Some(e) = emojis::get_by_shortcode(&after[..len]) {
                out.push_str(e.as_str());
                rest = &after[len + 1..];
                continue;
            }
        }
        out.push(':');
        rest = after;
    }
    out.push_str(rest);
    out
}

pub(super) fn opens_fence(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    for ch in ['`', '~'] {
        let count = trimmed.chars().take_while(|c| *c == ch).count();
        if count >= 3 && !(ch == '`' && trimmed[count..].contains('`')) {
            return Some(ch.to_string().repeat(count));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str, mdx: bool) -> (String, Vec<Problem>) {
        let resolve = |target: &str| (target == "disk.md").then(|| "../runbooks/disk.md".into());
        let page = Page {
            mdx,
            erb: false,
            resolve_ref: &resolve,
        };
        let (text, problems) = rewrite(body, &page);
        (text.unwrap_or_else(|| body.to_string()), problems)
    }

    #[test]
    fn hugo_refs_resolve_and_other_shortcodes_are_reported() {
        let (text, problems) = run(
            "See [disk]({{< ref \"disk.md\" >}}).\n{{< youtube abc >}}\n`{{< ref \"x\" >}}`\n",
            false,
        );
        assert!(
            text.starts_with("See [disk](../runbooks/disk.md)."),
            "{text}"
        );
        assert!(text.contains("{{< youtube abc >}}"));
        assert!(text.contains("`{{< ref \"x\" >}}`"), "code untouched");
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (1, 1));
        assert!(problems[0].message.contains("`youtube`"));
    }

    #[test]
    fn markers_attributes_emoji_and_math() {
        let (text, _) = run(
            "[[_TOC_]]\n## Steps {: #steps .big }\n[x](y){:target=\"_blank\"} :fire: `:fire:`\n{: .note }\n$$\na^2\n$$\n",
            false,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], TOC_MARKER);
        assert_eq!(lines[1], "## Steps {#steps .big}");
        assert_eq!(lines[2], "[x](y) 🔥 `:fire:`");
        let (text, _) = run("Use `m{:a}` here {: .x }\n", false);
        assert_eq!(text, "Use `m{:a}` here \n", "code spans keep their text");
        assert_eq!(lines[3], "");
        assert_eq!(&lines[4..], ["```math", "a^2", "```"]);
    }

    #[test]
    fn unclosed_fence_is_closed_with_a_problem() {
        let (text, problems) = run("Intro\n\n```bash\necho hi\n", false);
        assert!(text.ends_with("echo hi\n```\n"), "{text:?}");
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn mdx_imports_and_components() {
        let (text, problems) = run(
            "import Tabs from '@theme/Tabs';\n\n<Tabs>\n<TabItem value=\"a\">\nText\n</TabItem>\n</Tabs>\n",
            true,
        );
        assert!(!text.contains("import"));
        assert_eq!(text.lines().count(), 7);
        assert!(text.contains("<span class=\"mdx-placeholder\""));
        assert!(!text.contains("</Tabs>"));
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
