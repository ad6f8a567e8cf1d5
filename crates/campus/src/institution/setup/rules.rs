//! The rules fields of every register share: codes, names, whole numbers, ranges,
//! optional text, and references typed by code.

use uuid::Uuid;

use crate::error::FieldError;

pub fn words_of(table: &[(&str, &str)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, w)| w.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A stored code from what a file says: the code itself or its words, in any case,
/// spaces and hyphens read as underscores ("Lecture hall" is `lecture_hall`). Anything
/// else comes back as typed, for the field's check to name.
pub fn code_of(table: &[(&str, &str)], typed: &str) -> String {
    let plain = |text: &str| text.trim().to_lowercase().replace([' ', '-'], "_");
    let wanted = plain(typed);
    table
        .iter()
        .find(|(code, words)| *code == wanted || plain(words) == wanted)
        .map_or_else(|| typed.trim().to_string(), |(code, _)| code.to_string())
}

/// A code as stored: trimmed, upper case.
pub fn code(text: &str) -> String {
    text.trim().to_uppercase()
}

/// A code's problem: capital letters, digits and hyphens, starting with a letter or
/// digit, at most `max` characters.
pub fn code_problem(field: &str, text: &str, max: usize) -> Option<FieldError> {
    let code = code(text);
    let first_ok = code
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let rest_ok = code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if code.is_empty() {
        Some(FieldError::new(field, "is required"))
    } else if !first_ok || !rest_ok || code.chars().count() > max {
        Some(FieldError::new(
            field,
            format!(
                "must be capital letters, digits and hyphens, starting with a letter or digit, at most {max} characters"
            ),
        ))
    } else {
        None
    }
}

/// A name's problem: between `min` and `max` characters once trimmed.
pub fn name_problem(field: &str, text: &str, min: usize, max: usize) -> Option<FieldError> {
    let n = text.trim().chars().count();
    if n == 0 {
        Some(FieldError::new(field, "is required"))
    } else if n < min || n > max {
        Some(FieldError::new(
            field,
            format!("must be {min} to {max} characters"),
        ))
    } else {
        None
    }
}

/// A whole number typed into a form: the number, or the field's error.
pub fn whole(field: &str, text: &str, errors: &mut Vec<FieldError>) -> i32 {
    let text = text.trim();
    if text.is_empty() {
        errors.push(FieldError::new(field, "is required"));
        return 0;
    }
    text.parse().unwrap_or_else(|_| {
        errors.push(FieldError::new(field, "must be a whole number"));
        0
    })
}

/// A number's problem: outside `min..=max`.
pub fn range_problem(field: &str, value: i64, min: i64, max: i64) -> Option<FieldError> {
    (!(min..=max).contains(&value))
        .then(|| FieldError::new(field, format!("must be between {min} and {max}")))
}

/// Text that may be left empty: `None` when it is.
pub fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A reference typed by code, resolved to its id: refused by `field` when no record has
/// the code, or when it is retired and was not already the one referred to.
pub fn resolved(
    field: &str,
    what: &str,
    typed: &str,
    found: Option<(Uuid, bool)>,
    current: Option<Uuid>,
) -> Result<Uuid, Vec<FieldError>> {
    match found {
        None => Err(vec![FieldError::new(
            field,
            format!("no {what} has the code {}", code(typed)),
        )]),
        Some((id, true)) if current != Some(id) => Err(vec![FieldError::new(
            field,
            format!("the {what} {} is retired", code(typed)),
        )]),
        Some((id, _)) => Ok(id),
    }
}
