//! JSON shapes the API keeps to where serde's defaults differ: dates as `2026-11-25`.

use serde::Serializer;

/// A calendar date as ISO 8601 (`time`'s default would be a tuple).
pub fn date<S: Serializer>(date: &time::Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// An optional calendar date as ISO 8601, or null.
pub fn optional_date<S: Serializer>(
    date: &Option<time::Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => serializer.collect_str(d),
        None => serializer.serialize_none(),
    }
}
