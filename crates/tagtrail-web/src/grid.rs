//! Lists like Metrc's grids: sortable columns, a page size to choose, paging, and the current
//! view (filters and order, every page) exported as CSV. Sorting and paging happen in the
//! database over typed columns, so a list costs the same at any size.

use crate::urls::with_query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::reads::{Column, ListQuery};

/// Page sizes offered.
pub const SIZES: &[u32] = &[10, 25, 50, 100];
const DEFAULT_SIZE: u32 = 25;

/// The most rows a CSV export holds; the file says so when a view has more.
pub const CSV_MAX: u32 = 10_000;

/// A column of a grid: its key in the address, its heading, and the typed column it sorts by.
pub struct Col {
    pub key: &'static str,
    pub label: &'static str,
    pub sort: Option<Column>,
}

impl Col {
    pub const fn new(key: &'static str, label: &'static str) -> Col {
        Col {
            key,
            label,
            sort: None,
        }
    }

    pub const fn sorted(key: &'static str, label: &'static str, by: Column) -> Col {
        Col {
            key,
            label,
            sort: Some(by),
        }
    }
}

/// The view asked for in the address: order, page, size, and whether as CSV. Every field is
/// text so that it can be flattened into a page's own filters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct View {
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub size: Option<String>,
    pub format: Option<String>,
}

impl View {
    pub fn page(&self) -> u32 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .filter(|p: &u32| *p >= 1)
            .unwrap_or(1)
    }

    pub fn size(&self) -> u32 {
        self.size
            .as_deref()
            .and_then(|s| s.trim().parse().ok())
            .filter(|s| SIZES.contains(s))
            .unwrap_or(DEFAULT_SIZE)
    }

    pub fn csv(&self) -> bool {
        self.format.as_deref() == Some("csv")
    }

    pub fn desc(&self) -> bool {
        self.dir.as_deref() == Some("desc")
    }

    /// The column sorted by, if the address names a sortable one of `cols`.
    fn sorted_by<'c>(&self, cols: &'c [Col]) -> Option<&'c Col> {
        let key = self.sort.as_deref()?;
        cols.iter().find(|c| c.key == key && c.sort.is_some())
    }

    /// `q` ordered and paged as asked (every row up to [`CSV_MAX`] for a CSV); newest first
    /// when no order is asked.
    pub fn apply(&self, cols: &[Col], q: ListQuery) -> ListQuery {
        let page = if self.csv() {
            (1, CSV_MAX)
        } else {
            (self.page(), self.size())
        };
        let q = ListQuery {
            page: Some(page),
            newest_first: true,
            ..q
        };
        match self.sorted_by(cols).and_then(|c| c.sort) {
            Some(column) => q.sorted(column, self.desc()),
            None => q,
        }
    }
}

/// One grid as shown: its columns, the view, how many rows match, and the filters to keep in
/// every link.
pub struct Grid<'a> {
    pub cols: &'a [Col],
    pub view: &'a View,
    pub total: i64,
    /// The page's address (without query) and its filters as they are.
    pub path: &'a str,
    pub keep: Vec<(&'static str, String)>,
}

impl Grid<'_> {
    /// The address of this view with `changes` made.
    fn href(&self, changes: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .keep
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let current = [
            ("sort", self.view.sort.clone().unwrap_or_default()),
            ("dir", self.view.dir.clone().unwrap_or_default()),
            ("size", self.view.size.clone().unwrap_or_default()),
            ("page", self.view.page.clone().unwrap_or_default()),
        ];
        for (k, v) in current {
            if !v.is_empty() && !changes.iter().any(|(c, _)| *c == k) {
                pairs.push((k, v));
            }
        }
        for (k, v) in changes {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        with_query(self.path, &refs)
    }

    /// The heading row: a sortable column links to its order (again to reverse it).
    pub fn head(&self) -> Markup {
        let on = self.view.sorted_by(self.cols).map(|c| c.key);
        let desc = self.view.desc();
        html! { thead { tr { @for c in self.cols {
            @if c.sort.is_some() {
                @let here = on == Some(c.key);
                @let next_dir = if here && !desc { "desc" } else { "asc" };
                th aria-sort=(if here { if desc { "descending" } else { "ascending" } } else { "none" }) {
                    a.sort href=(self.href(&[("sort", c.key.into()), ("dir", next_dir.into()), ("page", "1".into())])) {
                        (c.label)
                        @if here { span aria-hidden="true" { @if desc { " ▼" } @else { " ▲" } } }
                    }
                }
            } @else {
                th { (c.label) }
            }
        } } } }
    }

    fn pages(&self) -> i64 {
        let size = i64::from(self.view.size());
        ((self.total + size - 1) / size).max(1)
    }

    /// Below the grid: how many, which page, previous/next, page size, and CSV of this view.
    pub fn pager(&self) -> Markup {
        let page = self.view.page();
        let pages = self.pages();
        html! {
            div.pager {
                span { (self.total) " in all · page " (page) " of " (pages) }
                @if page > 1 { a href=(self.href(&[("page", (page - 1).to_string())])) { "← Previous" } }
                @if i64::from(page) < pages { a href=(self.href(&[("page", (page + 1).to_string())])) { "Next →" } }
                form.size method="get" action=(self.path) {
                    @for (k, v) in &self.keep { @if !v.is_empty() { input type="hidden" name=(k) value=(v); } }
                    @if let Some(s) = &self.view.sort { input type="hidden" name="sort" value=(s); }
                    @if let Some(d) = &self.view.dir { input type="hidden" name="dir" value=(d); }
                    label { "Rows per page " select name="size" {
                        @for n in SIZES { option value=(n) selected[*n == self.view.size()] { (n) } }
                    } }
                    " " button type="submit" { "Show" }
                }
                a.csv href=(self.href(&[("format", "csv".into()), ("page", String::new())])) download { "Download CSV" }
            }
        }
    }
}

/// A CSV file of `rows` under `header`, named `name.csv`.
pub fn csv(name: &str, header: &[&str], rows: Vec<Vec<String>>, total: i64) -> Response {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut out = w.write_record(header).map_err(|e| e.to_string());
    for r in &rows {
        if out.is_ok() {
            out = w.write_record(r).map_err(|e| e.to_string());
        }
    }
    if out.is_ok() && total > rows.len() as i64 {
        let note = format!(
            "Only the first {} of {total} rows; narrow the filters for the rest.",
            rows.len()
        );
        out = w.write_record([note.as_str()]).map_err(|e| e.to_string());
    }
    let bytes = out.and_then(|_| w.into_inner().map_err(|e| e.to_string()));
    match bytes {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::error::WebError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("The CSV could not be written: {e}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Col] = &[
        Col::sorted("label", "Label", Column::Label),
        Col::new("flags", "Flags"),
    ];

    fn view(pairs: &[(&str, &str)]) -> View {
        let q = with_query("", pairs);
        let q = q.trim_start_matches('?');
        serde_urlencoded_like(q)
    }

    fn serde_urlencoded_like(q: &str) -> View {
        let mut v = View::default();
        for (k, val) in form_urlencoded::parse(q.as_bytes()) {
            let val = Some(val.into_owned());
            match &*k {
                "sort" => v.sort = val,
                "dir" => v.dir = val,
                "page" => v.page = val,
                "size" => v.size = val,
                "format" => v.format = val,
                _ => {}
            }
        }
        v
    }

    #[test]
    fn only_offered_sizes_and_sortable_columns_are_taken() {
        let v = view(&[("size", "7"), ("page", "0"), ("sort", "flags")]);
        assert_eq!(v.size(), DEFAULT_SIZE);
        assert_eq!(v.page(), 1);
        let q = v.apply(COLS, ListQuery::default());
        assert_eq!(q.sort, None);
        assert_eq!(q.page, Some((1, DEFAULT_SIZE)));
        let v = view(&[
            ("size", "50"),
            ("page", "3"),
            ("sort", "label"),
            ("dir", "desc"),
        ]);
        let q = v.apply(COLS, ListQuery::default());
        assert_eq!(q.sort, Some((Column::Label, true)));
        assert_eq!(q.page, Some((3, 50)));
        let csv = view(&[("format", "csv"), ("page", "3")]);
        assert_eq!(
            csv.apply(COLS, ListQuery::default()).page,
            Some((1, CSV_MAX))
        );
    }

    #[test]
    fn links_keep_the_filters_and_the_order() {
        let v = view(&[("sort", "label"), ("dir", "asc")]);
        let g = Grid {
            cols: COLS,
            view: &v,
            total: 60,
            path: "/ui/l/X/packages",
            keep: vec![("item", "mango".into()), ("lab", String::new())],
        };
        let pager = g.pager().into_string();
        assert!(
            pager.contains("item=mango&amp;sort=label&amp;dir=asc&amp;page=2"),
            "{pager}"
        );
        assert!(!pager.contains("lab="), "{pager}");
        let head = g.head().into_string();
        assert!(head.contains("aria-sort=\"ascending\""), "{head}");
        assert!(head.contains("dir=desc"), "{head}");
    }
}
