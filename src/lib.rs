//! opsbook: an operations handbook (runbooks, processes, postmortems, status history) in
//! markdown, compiled into a fast, searchable static site.
//!
//! The build is a one-way chain: [`config`] → [`source`] (files, front matter, kinds) →
//! [`markdown`] (HTML, headings, links) → [`model`] (sections, taxonomies, backlinks) →
//! [`render`] (tera) → [`output`] (an atomic swap of the output folder). [`build`] runs it;
//! [`incremental`] applies small edits to a built site in place.

pub mod build;
pub mod check;
pub mod config;
pub mod dates;
pub mod diagnostic;
pub mod highlight;
pub mod markdown;
pub mod model;
pub mod offline;
pub mod ops;
pub mod output;
pub mod paths;
pub mod render;
pub mod reuse;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod source;
pub mod vocabulary;
