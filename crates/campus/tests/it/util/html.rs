//! Pages read as documents: assertions name the element they mean by a CSS selector
//! (`table#students tbody tr`, `.field-error`, `a[href='/catalog']`) instead of searching
//! the markup for a string that might appear anywhere.

use scraper::{ElementRef, Html, Selector};

pub struct Doc {
    html: Html,
    source: String,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector `{css}`: {e}"))
}

/// An element's text with runs of white space made one space.
fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Doc {
    pub fn parse(source: &str) -> Doc {
        Doc {
            html: Html::parse_document(source),
            source: source.to_string(),
        }
    }

    /// The text of every element `css` selects, in document order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html.select(&selector(css)).map(text_of).collect()
    }

    pub fn count(&self, css: &str) -> usize {
        self.html.select(&selector(css)).count()
    }

    pub fn has(&self, css: &str) -> bool {
        self.count(css) > 0
    }

    /// The text of the one element `css` selects; fails naming the selector and showing
    /// the page when there is none or more than one.
    pub fn text(&self, css: &str) -> String {
        let found = self.texts(css);
        assert!(
            found.len() == 1,
            "`{css}` selects {} elements, not one, in:\n{}",
            found.len(),
            self.excerpt()
        );
        found.into_iter().next().unwrap_or_default()
    }

    /// `name` of the first element `css` selects.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.html
            .select(&selector(css))
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_string)
    }

    /// Fails unless some element `css` selects contains `text`.
    pub fn expect_text(&self, css: &str, text: &str) {
        let found = self.texts(css);
        assert!(
            found.iter().any(|t| t.contains(text)),
            "no `{css}` contains {text:?}; found {found:?} in:\n{}",
            self.excerpt()
        );
    }

    /// The page's main content (or its start), for failure messages.
    fn excerpt(&self) -> String {
        let main = self.texts("main");
        let text = main.first().cloned().unwrap_or_else(|| self.source.clone());
        text.chars().take(2000).collect()
    }
}
