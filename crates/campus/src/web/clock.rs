//! Times of day and dates as people type them into forms: `09:30` as minutes after
//! midnight (how meetings, sessions and bell periods store them), `2026-12-01` as a date.

use crate::error::FieldError;

/// "09:30" into minutes after midnight. A browser's time field may add seconds
/// ("09:30:00"), which are accepted and left out.
pub fn parse_time(field: &str, text: &str) -> Result<i32, FieldError> {
    let bad = || FieldError::new(field, "must be a time such as 09:30");
    let (h, rest) = text.trim().split_once(':').ok_or_else(bad)?;
    // Seconds past the minute, when given, must be a valid two-digit count.
    let (m, past_the_minute) = match rest.split_once(':') {
        Some((m, seconds)) => {
            let seconds: u8 = match seconds.len() {
                2 => seconds.parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            if seconds >= 60 {
                return Err(bad());
            }
            (m, seconds > 0)
        }
        None => (rest, false),
    };
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h)
        || !(0..60).contains(&m)
        || h * 60 + m > 1440
        || (h * 60 + m == 1440 && past_the_minute)
    {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn show_time(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// "2026-12-01" as a date, or the field's error.
pub fn parse_date(field: &str, text: &str) -> Result<time::Date, FieldError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).map_err(|_| {
        FieldError::new(
            field,
            "must be a date such as 2026-12-01 (year, month, day)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_show() {
        assert_eq!(parse_time("t", "09:30"), Ok(570));
        assert_eq!(parse_time("t", "24:00"), Ok(1440));
        assert!(parse_time("t", "24:01").is_err());
        assert!(parse_time("t", "9.30").is_err());
        assert!(parse_time("t", "12:60").is_err());
        assert_eq!(parse_time("t", "09:30:00"), Ok(570));
        assert!(parse_time("t", "09:30:75").is_err());
        assert_eq!(show_time(570), "09:30");
        assert!(parse_date("d", "2026-02-30").is_err());
        assert_eq!(
            parse_date("d", " 2026-12-01 "),
            Ok(time::macros::date!(2026 - 12 - 01))
        );
    }
}
