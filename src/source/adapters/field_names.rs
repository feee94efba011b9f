//! The field names the front matter mapping knows: other tools' keys kept for templates, and
//! opsbook's fields whose values it reads leniently.

/// Keys other tools define that opsbook keeps as they are, for templates.
pub(super) const KEPT: &[&str] = &[
    // Hugo
    "linkTitle",
    "menu",
    "type",
    "layout",
    "toc",
    "keywords",
    "categories",
    "series",
    "images",
    "publishDate",
    "expiryDate",
    "summary",
    // Docusaurus
    "sidebar_label",
    "sidebar_class_name",
    "hide_title",
    "hide_table_of_contents",
    "pagination_label",
    "custom_edit_url",
    "id",
    // Jekyll / GOV.UK tech-docs
    "review_in",
    "owner_slack",
    "last_reviewed_on",
    "hide_in_navigation",
    "parent",
    "permalink",
    // MkDocs (Material)
    "hide",
    "icon",
    "search",
    // Presentation only, in many tools: read quietly, used by no opsbook page
    "cover",
    "image",
    "thumbnail",
    "featured_image",
    "author",
    "comments",
    "share",
    "math",
    "mermaid",
    "toc_min_heading_level",
    "toc_max_heading_level",
    "displayed_sidebar",
    "pagination_next",
    "pagination_prev",
    "sidebar_custom_props",
    "excerpt",
    // Just the Docs (Jekyll)
    "nav_order",
    "nav_exclude",
    "search_exclude",
    "has_children",
    "has_toc",
    "grand_parent",
    "redirect_from",
    "last_modified_at",
    // cState
    "affected",
    "section",
    "informational",
    "pin",
    "resolvedWhen",
    // postmortem collections
    "start_time",
    "end_time",
    "company",
    "product",
];

/// opsbook's number fields.
pub(super) const NUMBER_FIELDS: [&str; 2] = ["weight", "review_interval_days"];

/// opsbook's date fields: values other tools write (`2018-04-13 9:23:00`) are read leniently.
pub(super) const DATE_FIELDS: &[&str] = &[
    "date",
    "updated",
    "started",
    "resolved",
    "detected",
    "mitigated",
    "last_reviewed",
    "scheduled_start",
    "scheduled_end",
];
