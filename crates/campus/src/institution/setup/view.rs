//! What the setup pages draw, described by each register: a list's columns and cells,
//! a record's facts and what uses it, a form's fields. One set of templates
//! (`templates/setup/`) draws every register from these.

/// A column of a register's list.
pub struct Column {
    /// The sort key, when the column sorts (one of the register's `SORTS`).
    pub sort: Option<&'static str>,
    pub label: &'static str,
    /// Figures are right-aligned.
    pub numeric: bool,
}

impl Column {
    pub const fn sorted(sort: &'static str, label: &'static str) -> Column {
        Column {
            sort: Some(sort),
            label,
            numeric: false,
        }
    }

    pub const fn plain(label: &'static str) -> Column {
        Column {
            sort: None,
            label,
            numeric: false,
        }
    }

    pub const fn figure(sort: &'static str, label: &'static str) -> Column {
        Column {
            sort: Some(sort),
            label,
            numeric: true,
        }
    }
}

/// A cell of a list, or the value of a fact: text, linked where it names a record.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: None,
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href.into()),
        }
    }

    /// Whether a record is in use or retired, in words.
    pub fn status(retired: bool) -> Cell {
        Cell::text(if retired { "Retired" } else { "In use" })
    }

    /// Text, or a dash when there is none.
    pub fn maybe(text: Option<impl Into<String>>) -> Cell {
        Cell::text(text.map(Into::into).unwrap_or_else(|| "—".into()))
    }
}

/// A line of a record's page: a label and its value.
pub struct Fact {
    pub label: &'static str,
    pub value: Cell,
}

impl Fact {
    pub fn new(label: &'static str, value: Cell) -> Fact {
        Fact { label, value }
    }
}

/// Records that use a record: how many, of what, and where they are listed.
#[derive(Debug, Clone)]
pub struct Usage {
    pub count: i64,
    /// The noun, singular and plural ("building", "buildings").
    pub one: &'static str,
    pub many: &'static str,
    pub href: Option<String>,
}

impl Usage {
    pub fn new(count: i64, one: &'static str, many: &'static str) -> Usage {
        Usage {
            count,
            one,
            many,
            href: None,
        }
    }

    pub fn listed_at(mut self, href: impl Into<String>) -> Usage {
        self.href = Some(href.into());
        self
    }

    /// "3 buildings", "1 building".
    pub fn words(&self) -> String {
        let noun = if self.count == 1 { self.one } else { self.many };
        format!("{} {noun}", self.count)
    }
}

/// "3 buildings and 12 rooms": what uses a record, in words.
pub fn usage_words(usage: &[Usage]) -> String {
    let parts: Vec<String> = usage
        .iter()
        .filter(|u| u.count > 0)
        .map(Usage::words)
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole number, typed as text so a refused value comes back as typed.
    Number,
    Date,
    Time,
    /// A date and time of day, local to the college.
    DateTime,
    /// One of `options`.
    Select,
    /// Any of `options`, as ticks.
    Ticks,
    Textarea,
}

/// A field of a register's form, with what it holds now.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    pub value: String,
    /// The ticked values of a `Ticks` field.
    pub ticked: Vec<String>,
    /// (value, label) of a `Select` or `Ticks` field.
    pub options: Vec<(String, String)>,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: Kind, value: &str) -> Field {
        Field {
            name,
            label,
            hint: "",
            kind,
            value: value.to_string(),
            ticked: Vec::new(),
            options: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Field {
        self.options = options;
        self
    }

    pub fn ticked(mut self, ticked: &[String]) -> Field {
        self.ticked = ticked.to_vec();
        self
    }

    pub fn is_ticked(&self, value: &str) -> bool {
        self.ticked.iter().any(|t| t == value)
    }

    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Date => "date",
            Kind::Time => "time",
            Kind::DateTime => "datetime-local",
            _ => "text",
        }
    }
}

/// Fixed options as (value, label) pairs, the label in words.
pub fn options(values: &[(&str, &str)]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_said_in_words() {
        assert_eq!(usage_words(&[]), "");
        assert_eq!(
            usage_words(&[Usage::new(1, "building", "buildings")]),
            "1 building"
        );
        assert_eq!(
            usage_words(&[
                Usage::new(3, "building", "buildings"),
                Usage::new(0, "program", "programs"),
                Usage::new(12, "room", "rooms"),
                Usage::new(1, "section", "sections"),
            ]),
            "3 buildings, 12 rooms and 1 section"
        );
    }
}
