//! The list component every back-office list uses (students, staff, users, applications,
//! tickets, the catalog, the audit trail): filters kept in the address, sortable columns
//! (`sort`, `dir`), the total count, numbered pages (`page`) and the CSV export of what is
//! filtered (`format=csv`). The handler reads a `Listing` from the query, runs its list
//! function with `order()` and `offset()`, sets the total, and the template draws the
//! headers and pager with the macros of `templates/_list.html`.

use std::fmt::Write;

/// A list's place: what it is filtered by, how it is sorted, which page.
#[derive(Debug, Clone)]
pub struct Listing {
    path: String,
    filters: Vec<(String, String)>,
    pub sort: String,
    pub desc: bool,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// The query parameters a list reads besides its own filters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
}

impl Listing {
    /// `sortable` names the columns the list may sort by, the first being the default; a
    /// `sort` not among them falls back to it (the value reaches SQL only as one of these).
    pub fn new(path: &str, query: &ListQuery, sortable: &[&str], per_page: u32) -> Listing {
        let sort = sortable
            .iter()
            .find(|s| **s == query.sort)
            .or(sortable.first())
            .map(|s| s.to_string())
            .unwrap_or_default();
        Listing {
            path: path.to_string(),
            filters: Vec::new(),
            sort,
            desc: query.dir == "desc",
            page: query.page.trim().parse().unwrap_or(1).max(1),
            per_page: per_page.max(1),
            total: 0,
        }
    }

    /// A filter the list is narrowed by, kept in every link (left out when empty).
    pub fn filter(mut self, name: &str, value: &str) -> Listing {
        if !value.trim().is_empty() {
            self.filters
                .push((name.to_string(), value.trim().to_string()));
        }
        self
    }

    pub fn with_total(mut self, total: i64) -> Listing {
        self.total = total.max(0);
        self
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// `ASC` or `DESC`, for the one sortable column the list function maps `sort` to.
    pub fn direction(&self) -> &'static str {
        if self.desc { "DESC" } else { "ASC" }
    }

    pub fn pages(&self) -> u32 {
        let pages = (self.total + i64::from(self.per_page) - 1) / i64::from(self.per_page);
        u32::try_from(pages).unwrap_or(u32::MAX).max(1)
    }

    fn href(&self, sort: &str, desc: bool, page: u32, extra: Option<(&str, &str)>) -> String {
        let mut query = url_pairs(&self.filters);
        let mut push = |k: &str, v: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            let _ = write!(query, "{}={}", encode(k), encode(v));
        };
        push("sort", sort);
        if desc {
            push("dir", "desc");
        }
        if page > 1 {
            push("page", &page.to_string());
        }
        if let Some((k, v)) = extra {
            push(k, v);
        }
        format!("{}?{}", self.path, query)
    }

    pub fn page_href(&self, page: u32) -> String {
        self.href(&self.sort, self.desc, page, None)
    }

    /// The header link of `column`: sorts by it, or turns the order round when it is
    /// already the sort; back to the first page either way.
    pub fn sort_href(&self, column: &str) -> String {
        let desc = column == self.sort && !self.desc;
        self.href(column, desc, 1, None)
    }

    /// `aria-sort` of a column's header.
    pub fn aria_sort(&self, column: &str) -> &'static str {
        match (column == self.sort, self.desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    /// Every row the filters select, as CSV.
    pub fn csv_href(&self) -> String {
        self.href(&self.sort, self.desc, 1, Some(("format", "csv")))
    }

    pub fn previous(&self) -> Option<String> {
        (self.page > 1).then(|| self.page_href(self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages()).then(|| self.page_href(self.page + 1))
    }

    /// The page numbers to show: the first, the last and two either side of this one,
    /// `None` where a run is left out.
    pub fn page_numbers(&self) -> Vec<Option<u32>> {
        let (last, here) = (self.pages(), self.page);
        let mut shown = Vec::new();
        for n in 1..=last {
            if n == 1 || n == last || n.abs_diff(here) <= 2 {
                shown.push(Some(n));
            } else if shown.last().is_some_and(Option::is_some) {
                shown.push(None);
            }
        }
        shown
    }

    /// "Showing 26–50 of 2,400".
    pub fn showing(&self) -> String {
        if self.total == 0 {
            return "Nothing to show".into();
        }
        let first = self.offset() + 1;
        let last = (self.offset() + self.limit()).min(self.total);
        format!(
            "Showing {}–{} of {}",
            thousands(first),
            thousands(last),
            thousands(self.total)
        )
    }
}

/// The records ticked for a bulk action: each box's value is a record's id; a value that is
/// not one (a forged form) is left out.
pub fn ticked(values: &[String]) -> Vec<uuid::Uuid> {
    values
        .iter()
        .filter_map(|id| uuid::Uuid::parse_str(id.trim()).ok())
        .collect()
}

fn url_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query component (unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// `2400` → "2,400".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(sort: &str, dir: &str, page: &str, total: i64) -> Listing {
        let query = ListQuery {
            sort: sort.into(),
            dir: dir.into(),
            page: page.into(),
        };
        Listing::new("/students", &query, &["name", "number"], 25)
            .filter("q", "ada lo")
            .filter("status", "")
            .with_total(total)
    }

    #[test]
    fn links_keep_the_filters_and_turn_the_order_round() {
        let list = listing("name", "", "2", 2400);
        assert_eq!(list.offset(), 25);
        assert_eq!(
            list.sort_href("name"),
            "/students?q=ada+lo&sort=name&dir=desc"
        );
        assert_eq!(list.sort_href("number"), "/students?q=ada+lo&sort=number");
        assert_eq!(list.page_href(3), "/students?q=ada+lo&sort=name&page=3");
        assert_eq!(list.csv_href(), "/students?q=ada+lo&sort=name&format=csv");
        assert_eq!(list.aria_sort("name"), "ascending");
        assert_eq!(list.showing(), "Showing 26–50 of 2,400");
    }

    #[test]
    fn an_unknown_sort_or_page_falls_back() {
        let list = listing("password_hash; --", "desc", "x", 0);
        assert_eq!(list.sort, "name");
        assert_eq!(list.page, 1);
        assert_eq!(list.pages(), 1);
        assert_eq!(list.showing(), "Nothing to show");
        assert!(list.next().is_none() && list.previous().is_none());
    }

    #[test]
    fn page_numbers_leave_out_long_runs() {
        let list = listing("name", "", "50", 2400);
        assert_eq!(list.pages(), 96);
        assert_eq!(
            list.page_numbers(),
            [
                Some(1),
                None,
                Some(48),
                Some(49),
                Some(50),
                Some(51),
                Some(52),
                None,
                Some(96)
            ]
        );
    }
}
