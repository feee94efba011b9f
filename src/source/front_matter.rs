//! Splits a markdown file into front matter and body, and parses the front matter (TOML between
//! `+++` lines or YAML between `---` lines) into a generic map that remembers where each key
//! was written, so later checks can point at the user's line and column.

use std::collections::HashMap;

use serde_json::{Map, Value};
use toml::de::{DeTable, DeValue};

/// The front matter formats handbooks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Yaml,
}

/// A markdown file cut in two.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    pub format: Option<Format>,
    /// The front matter text, without its fences.
    pub front_matter: &'a str,
    /// 1-based line of the first front matter line in the file.
    pub front_matter_line: usize,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// A front matter problem: message and 1-based line/column in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Cuts `text` into front matter and body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, Problem> {
    let (format, fence) = if is_fence(first_line(text), "+++") {
        (Format::Toml, "+++")
    } else if is_fence(first_line(text), "---") {
        (Format::Yaml, "---")
    } else {
        return Ok(Split {
            format: None,
            front_matter: "",
            front_matter_line: 1,
            body_offset: 0,
        });
    };
    let start = first_line(text).len() + 1;
    let mut offset = start;
    for line in text[start.min(text.len())..].split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_fence(bare, fence) || (format == Format::Yaml && bare.trim_end() == "...") {
            let body_offset = offset + line.len();
            return Ok(Split {
                format: Some(format),
                front_matter: &text[start..offset],
                front_matter_line: 2,
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(Problem {
        line: 1,
        column: 1,
        message: format!("front matter opened with `{fence}` is never closed"),
    })
}

fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end() == fence
}

/// Parsed front matter: the values, and where each was written.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub values: Map<String, Value>,
    pub positions: Positions,
}

/// Where the keys and values of front matter are, as 1-based lines and columns of the file.
/// Paths join keys and indices with `.`: `updates.2.at`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Positions {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    first_line: usize,
}

impl Positions {
    /// The value at `path`, falling back to the nearest parent that has one, then to the first
    /// front matter line.
    pub(crate) fn value(&self, path: &str) -> (usize, usize) {
        let mut path = path;
        loop {
            if let Some(position) = self.values.get(path) {
                return *position;
            }
            match path.rfind('.') {
                Some(i) => path = &path[..i],
                None => return (self.first_line, 1),
            }
        }
    }

    /// The key at `path` (for problems with the key itself, such as an unknown field).
    pub(crate) fn key(&self, path: &str) -> (usize, usize) {
        self.keys
            .get(path)
            .copied()
            .unwrap_or_else(|| self.value(path))
    }
}

impl Positions {
    /// Makes `to` point where `from` was written: a field read under another tool's name.
    pub(crate) fn alias(&mut self, from: &str, to: &str) {
        let key = self.key(from);
        let value = self.value(from);
        self.keys.insert(to.to_string(), key);
        self.values.insert(to.to_string(), value);
    }
}

impl Parsed {
    /// Shorthand for the position of the value at `path`.
    pub(crate) fn position(&self, path: &str) -> (usize, usize) {
        self.positions.value(path)
    }
}

/// Parses the front matter of `split`; positions are lines of the whole file.
pub(crate) fn parse(split: &Split<'_>) -> Result<Parsed, Problem> {
    match split.format {
        None => Ok(Parsed {
            values: Map::new(),
            positions: Positions {
                first_line: 1,
                ..Positions::default()
            },
        }),
        Some(Format::Toml) => parse_toml(split.front_matter, split.front_matter_line),
        Some(Format::Yaml) => parse_yaml(split.front_matter, split.front_matter_line),
    }
}

fn parse_toml(text: &str, first_line: usize) -> Result<Parsed, Problem> {
    let index = crate::diagnostic::LineIndex::new(text);
    let to_position = |offset: usize| {
        let (line, column) = index.position(text, offset);
        (line + first_line - 1, column)
    };
    let table = DeTable::parse(text).map_err(|e| {
        let (line, column) = e.span().map_or((first_line, 1), |s| to_position(s.start));
        Problem {
            line,
            column,
            message: format!("invalid TOML front matter: {}", e.message().trim()),
        }
    })?;
    let mut positions = Positions {
        first_line,
        ..Positions::default()
    };
    let mut record = |path: &str, key: Option<usize>, value: usize| {
        if let Some(key) = key {
            positions.keys.insert(path.to_string(), to_position(key));
        }
        positions
            .values
            .insert(path.to_string(), to_position(value));
    };
    let values = toml_table(table.get_ref(), "", &mut record);
    Ok(Parsed { values, positions })
}

fn toml_table(
    table: &DeTable<'_>,
    prefix: &str,
    record: &mut impl FnMut(&str, Option<usize>, usize),
) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in table.iter() {
        let path = join(prefix, key.get_ref());
        record(&path, Some(key.span().start), value.span().start);
        map.insert(
            key.get_ref().to_string(),
            toml_value(value.get_ref(), &path, record),
        );
    }
    map
}

fn toml_value(
    value: &DeValue<'_>,
    path: &str,
    record: &mut impl FnMut(&str, Option<usize>, usize),
) -> Value {
    match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_or(Value::Null, Value::from),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let item_path = join(path, &i.to_string());
                    record(&item_path, None, item.span().start);
                    toml_value(item.get_ref(), &item_path, record)
                })
                .collect(),
        ),
        DeValue::Table(table) => Value::Object(toml_table(table, path, record)),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn parse_yaml(text: &str, first_line: usize) -> Result<Parsed, Problem> {
    let mut parsed = Parsed {
        values: Map::new(),
        positions: Positions {
            first_line,
            ..Positions::default()
        },
    };
    if text.trim().is_empty() {
        return Ok(parsed);
    }
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((first_line, 1), |l| (l.line() + first_line - 1, l.column()));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Problem {
            line,
            column,
            message: format!("invalid YAML front matter: {message}"),
        }
    })?;
    let json = yaml_to_json(value);
    let Value::Object(values) = json else {
        return Err(Problem {
            line: first_line,
            column: 1,
            message: "YAML front matter must be a mapping of `key: value` lines".to_string(),
        });
    };
    // Block-style YAML puts top-level keys at column 1; that is where errors point.
    for (line_number, line) in (first_line..).zip(text.lines()) {
        if let Some((key, _)) = line.split_once(':') {
            let key = key.trim_matches(['"', '\'']);
            if !line.starts_with([' ', '\t', '-', '#']) && values.contains_key(key) {
                parsed
                    .positions
                    .values
                    .entry(key.to_string())
                    .or_insert((line_number, 1));
            }
        }
    }
    parsed.values = values;
    Ok(parsed)
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(mapping) => Value::Object(
            mapping
                .into_iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key(key: serde_yaml_ng::Value) -> String {
    match key {
        serde_yaml_ng::Value::String(s) => s,
        other => serde_yaml_ng::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml_and_none() {
        let text = "+++\ntitle = \"a\"\n+++\nbody\n";
        let toml = split(text).unwrap();
        assert_eq!(toml.format, Some(Format::Toml));
        assert_eq!(toml.front_matter, "title = \"a\"\n");
        assert_eq!(&text[toml.body_offset..], "body\n");
        let text = "---\ntitle: a\n---\n# B\n";
        let yaml = split(text).unwrap();
        assert_eq!(yaml.format, Some(Format::Yaml));
        assert_eq!(&text[yaml.body_offset..], "# B\n");
        let none = split("# Title\n").unwrap();
        assert_eq!(none.format, None);
        assert!(split("+++\ntitle = 1\n").is_err());
    }

    #[test]
    fn toml_positions_are_file_lines() {
        let text = "+++\ntitle = \"a\"\n\n[[updates]]\nat = 1\n+++\n";
        let parsed = parse(&split(text).unwrap()).unwrap();
        assert_eq!(parsed.position("title"), (2, 9));
        assert_eq!(parsed.position("updates.0.at").0, 5);
        assert_eq!(parsed.position("nothing"), (2, 1));
    }

    #[test]
    fn toml_syntax_errors_point_into_the_file() {
        let text = "+++\ntitle = \"a\"\nowners = [\"x\"\n+++\n";
        let problem = parse(&split(text).unwrap()).unwrap_err();
        assert_eq!((problem.line, problem.column), (3, 14), "{problem:?}");
        assert!(problem.message.starts_with("invalid TOML front matter"));
    }

    #[test]
    fn yaml_errors_and_positions() {
        let text = "---\ntitle: a\ntags: [x\n---\n";
        let problem = parse(&split(text).unwrap()).unwrap_err();
        assert!(problem.line >= 3, "{problem:?}");
        let parsed = parse(&split("---\ntitle: a\nowners:\n  - b\n---\n").unwrap()).unwrap();
        assert_eq!(parsed.position("owners"), (3, 1));
    }
}
