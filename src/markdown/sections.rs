//! A page's text sections held compressed until the search index reads them: at 100,000 pages
//! they are a gigabyte of small strings otherwise, kept from the markdown stage to the end.

use super::TextSection;
use crate::packed::PackedText;

/// [`TextSection`]s written one after another, each string as `<byte length>:<text>` (the id
/// with one more byte, `-` when there is none), and compressed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PackedSections(PackedText);

impl PackedSections {
    pub(crate) fn pack(sections: &[TextSection]) -> PackedSections {
        let size: usize = sections
            .iter()
            .map(|s| 16 + s.text.len() + s.path.iter().map(|p| p.len() + 8).sum::<usize>())
            .sum();
        let mut out = String::with_capacity(size);
        let mut put = |text: &str| {
            out.push_str(&text.len().to_string());
            out.push(':');
            out.push_str(text);
        };
        for section in sections {
            match &section.id {
                Some(id) => put(&format!("#{id}")),
                None => put("-"),
            }
            put(&section.path.len().to_string());
            for heading in &section.path {
                put(heading);
            }
            put(&section.text);
        }
        PackedSections(PackedText::pack(&out))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0 == PackedText::default()
    }

    pub(crate) fn unpack(&self) -> Vec<TextSection> {
        let text = self.0.unpack();
        let mut rest = text.as_str();
        let mut sections = Vec::new();
        while !rest.is_empty() {
            let id = take(&mut rest).strip_prefix('#').map(str::to_string);
            let count: usize = take(&mut rest).parse().expect("a path length is a number");
            let path = (0..count).map(|_| take(&mut rest).to_string()).collect();
            let text = take(&mut rest).to_string();
            sections.push(TextSection { id, path, text });
        }
        sections
    }
}

/// The next string of `rest`. Only [`PackedSections::pack`] wrote it: every length is there and
/// in bounds.
fn take<'a>(rest: &mut &'a str) -> &'a str {
    let (len, after) = rest.split_once(':').expect("a length before every string");
    let len: usize = len.parse().expect("a length is a number");
    let (value, after) = after.split_at(len);
    *rest = after;
    value
}

#[cfg(test)]
mod tests {
    use super::{PackedSections, TextSection};

    #[test]
    fn sections_come_back_as_they_went_in() {
        let sections = vec![
            TextSection::default(),
            TextSection {
                id: Some("12:3#a".into()),
                path: vec!["Disk: full".into(), "".into(), "東京 🚒".into()],
                text: "10:ten 2:\n0:".into(),
            },
            TextSection {
                id: Some(String::new()),
                path: Vec::new(),
                text: "-".into(),
            },
        ];
        assert_eq!(PackedSections::pack(&sections).unpack(), sections);
        assert!(PackedSections::pack(&[]).unpack().is_empty());
    }
}
