//! Times as people read them: in their college's time zone with the zone named
//! (`7 Dec 2026, 09:30 IST`), dates spelled out (`7 Dec 2026`). Stored times are UTC;
//! the zone is the college's (`colleges.timezone`, an IANA name), looked up in the
//! system's time-zone database.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime};

/// A moment however a template holds it (by value or behind references).
pub trait Moment {
    fn moment(&self) -> OffsetDateTime;
}

impl Moment for OffsetDateTime {
    fn moment(&self) -> OffsetDateTime {
        *self
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn moment(&self) -> OffsetDateTime {
        (**self).moment()
    }
}

/// A date however a template holds it.
pub trait Day {
    fn date(&self) -> Date;
}

impl Day for Date {
    fn date(&self) -> Date {
        *self
    }
}

impl<T: Day + ?Sized> Day for &T {
    fn date(&self) -> Date {
        (**self).date()
    }
}

fn zoned(at: OffsetDateTime, zone: &str) -> jiff::Zoned {
    let instant = Timestamp::from_nanosecond(at.unix_timestamp_nanos()).unwrap_or_default();
    // A zone the database does not know (a typo stored long ago) shows UTC, named.
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    instant.to_zoned(tz)
}

/// `7 Dec 2026, 09:30 IST`.
pub fn local(at: impl Moment, zone: &str) -> String {
    zoned(at.moment(), zone)
        .strftime("%-d %b %Y, %H:%M %Z")
        .to_string()
}

/// `09:30 IST`, for times on a page about one day.
pub fn local_time(at: impl Moment, zone: &str) -> String {
    zoned(at.moment(), zone).strftime("%H:%M %Z").to_string()
}

/// The instant a day starts in a zone (`minute` minutes after its midnight): what a
/// date typed on a page means in the college's time zone.
pub fn start_of(date: Date, minute: i32, zone: &str) -> Option<OffsetDateTime> {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let civil = jiff::civil::date(
        i16::try_from(date.year()).ok()?,
        date.month() as i8,
        i8::try_from(date.day()).ok()?,
    )
    .at(0, 0, 0, 0)
    .checked_add(jiff::SignedDuration::from_mins(i64::from(minute)))
    .ok()?;
    let instant = civil.to_zoned(tz).ok()?.timestamp();
    OffsetDateTime::from_unix_timestamp(instant.as_second()).ok()
}

/// The day a moment falls on in a zone.
pub fn local_date(at: impl Moment, zone: &str) -> Date {
    local_parts(at, zone).0
}

/// The day a moment falls on in a zone and its minute after that day's midnight: what a
/// form shows of a stored moment.
pub fn local_parts(at: impl Moment, zone: &str) -> (Date, i32) {
    let zoned = zoned(at.moment(), zone);
    let date = Date::from_calendar_date(
        i32::from(zoned.year()),
        time::Month::try_from(zoned.month() as u8).unwrap_or(time::Month::January),
        zoned.day() as u8,
    )
    .unwrap_or(Date::MIN);
    (
        date,
        i32::from(zoned.hour()) * 60 + i32::from(zoned.minute()),
    )
}

/// `7 Dec 2026`.
pub fn day(date: impl Day) -> String {
    let date = date.date();
    format!(
        "{} {} {}",
        date.day(),
        &date.month().to_string()[..3],
        date.year()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_local_day_starts_at_its_zones_midnight() {
        let day = time::macros::date!(2026 - 12 - 07);
        let kolkata = super::start_of(day, 0, "Asia/Kolkata").expect("instant");
        assert_eq!(super::local_parts(kolkata, "Asia/Kolkata"), (day, 0));
        let late = super::start_of(day, 23 * 60 + 30, "Asia/Kolkata").expect("instant");
        assert_eq!(
            super::local_parts(late, "Asia/Kolkata"),
            (day, 23 * 60 + 30)
        );
        assert_eq!(super::local_date(late, "UTC"), day);
        assert_eq!(kolkata, time::macros::datetime!(2026-12-06 18:30 UTC));
        let evening = super::start_of(day, 24 * 60 - 1, "UTC").expect("instant");
        assert_eq!(evening, time::macros::datetime!(2026-12-07 23:59 UTC));
    }

    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_show_in_the_college_zone_with_its_name() {
        let at = datetime!(2026-12-07 04:00 UTC);
        assert_eq!(local(at, "Asia/Kolkata"), "7 Dec 2026, 09:30 IST");
        assert_eq!(local(at, "Europe/London"), "7 Dec 2026, 04:00 GMT");
        assert_eq!(local(at, "Not/AZone"), "7 Dec 2026, 04:00 UTC");
        assert_eq!(local_time(at, "America/New_York"), "23:00 EST");
        assert_eq!(day(at.date()), "7 Dec 2026");
    }
}
