//! A week drawn on the server as SVG: days as columns (Monday to Friday, the weekend only
//! when something falls on it), hours as rows, each meeting a block placed by its start
//! and end minute, coloured by its key (a course code: the same course, the same colour),
//! and a link. Meetings that overlap share their day's column side by side. No script:
//! the picture is drawn once, and the page lists the same meetings as text as well.

use std::fmt::Write;

use crate::web::chart::escape;

/// One meeting of the week.
pub struct Block {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    /// Minutes after midnight.
    pub start_minute: i32,
    pub end_minute: i32,
    /// Blocks with the same key have the same colour (a course's code).
    pub key: String,
    /// The lines written in the block, most important first; those that do not fit its
    /// height are left out (the title keeps them all).
    pub lines: Vec<String>,
    /// The block in words, for pointing at it and for screen readers.
    pub title: String,
    pub href: String,
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// How many colours blocks take (`week-c0` … `week-c7` in the style sheet).
pub const PALETTE: usize = 8;
const GUTTER: f64 = 48.0;
const HEAD: f64 = 28.0;
const DAY_WIDTH: f64 = 128.0;
/// Pixels per minute: an hour is 60 px high.
const PER_MINUTE: f64 = 1.0;
const LINE: f64 = 14.0;
/// About how wide a character of the blocks' text is, to shorten what would overflow.
const CHAR: f64 = 6.6;

/// The colour of a key: the same on every page and every day (FNV-1a of its bytes, not
/// the standard library's hasher, whose output may change between releases).
pub fn colour(key: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % PALETTE
}

/// The days shown: Monday to Friday, then Saturday and Sunday each only when a block
/// falls on it.
fn days(blocks: &[Block]) -> Vec<i16> {
    (1..=7)
        .filter(|d| *d <= 5 || blocks.iter().any(|b| b.weekday == *d))
        .collect()
}

/// Each block's lane and its group's number of lanes: blocks of a day that overlap sit
/// side by side, each group of overlapping blocks as wide as the day.
fn lanes(blocks: &[Block]) -> Vec<(usize, usize)> {
    /// Ends a group of overlapping blocks: each takes the group's number of lanes.
    fn close(placed: &mut [(usize, usize)], group: &mut Vec<usize>, ends: &mut Vec<i32>) {
        for i in group.drain(..) {
            placed[i].1 = ends.len().max(1);
        }
        ends.clear();
    }
    let mut placed = vec![(0, 1); blocks.len()];
    for day in 1..=7 {
        let mut order: Vec<usize> = (0..blocks.len())
            .filter(|i| blocks[*i].weekday == day)
            .collect();
        order.sort_by_key(|i| (blocks[*i].start_minute, blocks[*i].end_minute));
        let mut group: Vec<usize> = Vec::new();
        // Where each lane of the group is free from.
        let mut ends: Vec<i32> = Vec::new();
        let mut group_end = i32::MIN;
        for i in order {
            let b = &blocks[i];
            if b.start_minute >= group_end {
                close(&mut placed, &mut group, &mut ends);
            }
            let lane = match ends.iter().position(|end| *end <= b.start_minute) {
                Some(lane) => {
                    ends[lane] = b.end_minute;
                    lane
                }
                None => {
                    ends.push(b.end_minute);
                    ends.len() - 1
                }
            };
            group_end = if group.is_empty() {
                b.end_minute
            } else {
                group_end.max(b.end_minute)
            };
            group.push(i);
            placed[i].0 = lane;
        }
        close(&mut placed, &mut group, &mut ends);
    }
    placed
}

/// `text` cut to `chars` characters, an ellipsis marking the cut.
fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(chars.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn hh_mm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The week as an SVG picture; `title` names it. Each block is a link (`<a>`) with
/// `data-day` naming its day.
pub fn week(title: &str, blocks: &[Block]) -> String {
    let days = days(blocks);
    let first_hour = blocks
        .iter()
        .map(|b| b.start_minute.clamp(0, 1440) / 60)
        .min()
        .unwrap_or(8);
    // The hour the last block ends in, or the one after it when it ends between hours.
    let last_hour = blocks
        .iter()
        .map(|b| {
            let end = b.end_minute.clamp(0, 1440);
            end / 60 + i32::from(end % 60 != 0)
        })
        .max()
        .unwrap_or(17)
        .max(first_hour + 1);
    let top = first_hour * 60;
    let y_of = |minute: i32| HEAD + f64::from(minute.clamp(0, 1440) - top) * PER_MINUTE;
    let width = GUTTER + DAY_WIDTH * days.len() as f64;
    let height = y_of(last_hour * 60) + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="week" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title),
    );
    for hour in first_hour..=last_hour {
        let y = y_of(hour * 60);
        let _ = write!(
            svg,
            r#"<line class="week-hour" x1="{GUTTER}" x2="{width}" y1="{y}" y2="{y}"/><text class="week-time" x="{}" y="{}" text-anchor="end">{}</text>"#,
            GUTTER - 6.0,
            y + 4.0,
            hh_mm(hour * 60),
        );
    }
    for (column, day) in days.iter().enumerate() {
        let x = GUTTER + DAY_WIDTH * column as f64;
        let name = DAYS[*day as usize - 1];
        let _ = write!(
            svg,
            r#"<line class="week-day-line" x1="{x}" x2="{x}" y1="{HEAD}" y2="{}"/><text class="week-day" data-day="{name}" x="{}" y="18" text-anchor="middle">{name}</text>"#,
            height - 8.0,
            x + DAY_WIDTH / 2.0,
        );
    }
    let lanes = lanes(blocks);
    for (block, (lane, of)) in blocks.iter().zip(lanes) {
        let Some(column) = days.iter().position(|d| *d == block.weekday) else {
            continue;
        };
        // Shown, so one of the seven.
        let name = DAYS[block.weekday as usize - 1];
        let lane_width = (DAY_WIDTH - 4.0) / of as f64;
        let x = GUTTER + DAY_WIDTH * column as f64 + 2.0 + lane_width * lane as f64;
        let w = lane_width - 2.0;
        let y = y_of(block.start_minute) + 1.0;
        let h = (y_of(block.end_minute) - y - 1.0).max(LINE);
        let fits = (((h - 4.0) / LINE).floor() as usize).max(1);
        let chars = ((w - 8.0) / CHAR).floor().max(1.0) as usize;
        let _ = write!(
            svg,
            r#"<a class="week-block week-c{}" href="{}" data-day="{name}"><title>{}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="4"/>"#,
            colour(&block.key),
            escape(&block.href),
            escape(&block.title),
        );
        for (n, line) in block.lines.iter().take(fits).enumerate() {
            let _ = write!(
                svg,
                r#"<text class="{}" x="{:.1}" y="{:.1}">{}</text>"#,
                if n == 0 { "week-code" } else { "week-text" },
                x + 5.0,
                y + 12.0 + LINE * n as f64,
                escape(&shorten(line, chars)),
            );
        }
        svg.push_str("</a>");
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(weekday: i16, start: i32, end: i32, key: &str) -> Block {
        Block {
            weekday,
            start_minute: start,
            end_minute: end,
            key: key.into(),
            lines: vec![format!("{key} A"), "B1-101".into(), "09:00–10:30".into()],
            title: format!("{key} A <room>"),
            href: format!("/sections/{key}"),
        }
    }

    #[test]
    fn a_course_keeps_its_colour_and_colours_stay_in_the_palette() {
        assert_eq!(colour("CS101"), colour("CS101"));
        let all: std::collections::HashSet<usize> = ["CS101", "CS201", "MA101", "PH110", "EN100"]
            .iter()
            .map(|k| colour(k))
            .collect();
        assert!(all.iter().all(|c| *c < PALETTE));
        assert!(all.len() > 1, "different courses share one colour: {all:?}");
    }

    #[test]
    fn blocks_sit_in_their_day_from_their_start_to_their_end() {
        // Monday 09:00–10:30 and Wednesday 14:00–15:00.
        let svg = week(
            "Your week",
            &[block(1, 540, 630, "CS101"), block(3, 840, 900, "MA101")],
        );
        // Hours 09:00 to 15:00; five days, no weekend.
        assert!(svg.contains(">09:00</text>") && svg.contains(">15:00</text>"));
        assert!(!svg.contains(">08:00</text>") && !svg.contains(">16:00</text>"));
        assert!(svg.contains(r#"data-day="Friday""#) && !svg.contains("Saturday"));
        assert!(svg.contains(r#"width="688" height="396""#), "{svg}");
        // Monday's block: first column, from the top (28) for 90 minutes.
        assert!(
            svg.contains(
                r#"<a class="week-block week-c"#
            ) && svg.contains(
                r#"href="/sections/CS101" data-day="Monday"><title>CS101 A &lt;room&gt;</title><rect x="50.0" y="29.0" width="122.0" height="88.0" rx="4"/>"#
            ),
            "{svg}"
        );
        // Wednesday's: third column, 14:00 is 300 minutes below 09:00; one hour high,
        // so its three lines fit (four would not).
        assert!(
            svg.contains(r#"data-day="Wednesday"><title>MA101 A &lt;room&gt;</title><rect x="306.0" y="329.0" width="122.0" height="58.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches("<text class=\"week-code\"").count(), 2);
        assert_eq!(svg.matches("<text class=\"week-text\"").count(), 4);
    }

    #[test]
    fn the_weekend_shows_when_used_and_overlaps_share_the_day() {
        let svg = week(
            "A room",
            &[
                block(6, 600, 660, "CS101"),
                block(6, 630, 690, "CS201"),
                block(6, 700, 720, "MA101"),
            ],
        );
        assert!(svg.contains(r#"data-day="Saturday""#) && !svg.contains("Sunday"));
        // Saturday is the sixth column (x from 688): the overlapping two side by side,
        // the later one alone at full width; a 20-minute block keeps its first line only.
        assert!(
            svg.contains(r#"<rect x="690.0" y="29.0" width="60.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<rect x="752.0" y="59.0" width="60.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<rect x="690.0" y="129.0" width="122.0" height="18.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches("<text class=\"week-code\"").count(), 3);
        // Long lines are shortened to the lane's width.
        assert!(svg.contains("…") || svg.contains(">CS101 A<"));
    }

    #[test]
    fn an_empty_week_is_still_a_picture() {
        let svg = week("Nothing", &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("week-block") && !svg.contains("NaN"));
    }
}
