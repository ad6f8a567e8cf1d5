//! Charts drawn on the server as SVG, so a page shows a picture with no script and no
//! chart library: horizontal bars of percentages with an optional line for a threshold
//! (attendance against the college's minimum, seats taken), bars of counts (a grade
//! distribution, with what is not counted yet kept apart), and columns of percentages
//! over time (a section's attendance per session, against the minimum).
//! Every chart carries its figures as text too (`<title>`, `<desc>`), for screen readers.

use std::fmt::Write;

/// One bar: its label, its value in percent (0 to 100), and the words shown after it.
pub struct Bar {
    pub label: String,
    pub percent: f64,
    pub note: String,
}

const ROW: f64 = 30.0;
const LABEL: f64 = 110.0;
const TRACK: f64 = 330.0;
const WIDTH: f64 = 560.0;

/// Bars of percentages, with `threshold` (a percent) drawn as a line; a bar under the
/// threshold is drawn in the warning colour.
pub fn percent_bars(title: &str, bars: &[Bar], threshold: Option<f64>) -> String {
    let height = ROW * bars.len() as f64 + 24.0;
    let mut svg = String::new();
    let mut desc = String::new();
    for bar in bars {
        let _ = write!(desc, "{}: {}. ", bar.label, bar.note);
    }
    if let Some(t) = threshold {
        let _ = write!(desc, "Minimum {t}%.");
    }
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" aria-label="{}"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(title),
        escape(desc.trim())
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as f64;
        let percent = bar.percent.clamp(0.0, 100.0);
        let low = threshold.is_some_and(|t| percent < t);
        let _ = write!(
            svg,
            r#"<text class="chart-label" x="0" y="{:.0}">{}</text><rect class="chart-track" x="{LABEL}" y="{:.0}" width="{TRACK}" height="16" rx="3"/><rect class="chart-bar{}" x="{LABEL}" y="{:.0}" width="{:.1}" height="16" rx="3"/><text class="chart-note" x="{:.0}" y="{:.0}">{}</text>"#,
            y + 13.0,
            escape(&bar.label),
            y + 1.0,
            if low { " chart-bar-low" } else { "" },
            y + 1.0,
            TRACK * percent / 100.0,
            LABEL + TRACK + 8.0,
            y + 13.0,
            escape(&bar.note),
        );
    }
    if let Some(t) = threshold {
        let x = LABEL + TRACK * t.clamp(0.0, 100.0) / 100.0;
        let bottom = ROW * bars.len() as f64;
        let _ = write!(
            svg,
            r#"<line class="chart-threshold" x1="{x:.1}" x2="{x:.1}" y1="0" y2="{bottom:.0}"/><text class="chart-note" x="{x:.1}" y="{:.0}" text-anchor="middle">minimum {t}%</text>"#,
            bottom + 14.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a count chart: its label, how many, and the words shown after it. A bar
/// `apart` (students whose marks are still missing) is drawn after a gap in a neutral
/// colour, so it never reads as one of the others.
pub struct CountBar {
    pub label: String,
    pub count: u64,
    pub note: String,
    pub apart: bool,
}

/// Bars of counts, each as long as its count against the largest one.
pub fn count_bars(title: &str, bars: &[CountBar]) -> String {
    let largest = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let gap = if bars.iter().any(|b| b.apart) && bars.iter().any(|b| !b.apart) {
        ROW / 2.0
    } else {
        0.0
    };
    let height = ROW * bars.len() as f64 + gap + 8.0;
    // The bars counted come first, those kept apart after the gap.
    let ordered: Vec<&CountBar> = bars
        .iter()
        .filter(|b| !b.apart)
        .chain(bars.iter().filter(|b| b.apart))
        .collect();
    let mut svg = String::new();
    let mut desc = String::new();
    for bar in &ordered {
        let _ = write!(desc, "{}: {}. ", bar.label, bar.note);
    }
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" aria-label="{}"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(title),
        escape(desc.trim())
    );
    let mut y = 0.0;
    let mut after_gap = false;
    for bar in ordered {
        if bar.apart && !after_gap {
            y += gap;
            after_gap = true;
        }
        let length = if largest == 0 {
            0.0
        } else {
            TRACK * bar.count as f64 / largest as f64
        };
        let _ = write!(
            svg,
            r#"<text class="chart-label" x="0" y="{:.0}">{}</text><rect class="chart-track" x="{LABEL}" y="{:.0}" width="{TRACK}" height="16" rx="3"/><rect class="chart-bar{}" x="{LABEL}" y="{:.0}" width="{length:.1}" height="16" rx="3"/><text class="chart-note" x="{:.0}" y="{:.0}">{}</text>"#,
            y + 13.0,
            escape(&bar.label),
            y + 1.0,
            if bar.apart { " chart-bar-apart" } else { "" },
            y + 1.0,
            LABEL + TRACK + 8.0,
            y + 13.0,
            escape(&bar.note),
        );
        y += ROW;
    }
    svg.push_str("</svg>");
    svg
}

/// One column of a chart over time: its label (a date), its value in percent (0 to 100)
/// and the words for it.
pub struct Column {
    pub label: String,
    pub percent: f64,
    pub note: String,
}

const PLOT_LEFT: f64 = 44.0;
const PLOT_TOP: f64 = 16.0;
const PLOT_HEIGHT: f64 = 140.0;

/// Columns of percentages in time order (a section's attendance per session), with
/// `threshold` (a percent) drawn across; a column under it is drawn in the warning
/// colour. Only some columns are labelled under the axis, never so many that the
/// labels run into each other; every column names itself when pointed at (`<title>`).
pub fn percent_columns(title: &str, columns: &[Column], threshold: Option<f64>) -> String {
    let plot_width = WIDTH - PLOT_LEFT - 8.0;
    let bottom = PLOT_TOP + PLOT_HEIGHT;
    let height = bottom + 24.0;
    let y_of = |percent: f64| bottom - PLOT_HEIGHT * percent.clamp(0.0, 100.0) / 100.0;
    let mut svg = String::new();
    let mut desc = String::new();
    for column in columns {
        let _ = write!(desc, "{}: {}. ", column.label, column.note);
    }
    if let Some(t) = threshold {
        let _ = write!(desc, "Minimum {t}%.");
    }
    let _ = write!(
        svg,
        r#"<svg class="chart chart-columns" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" aria-label="{}"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(title),
        escape(desc.trim())
    );
    for percent in [0.0, 50.0, 100.0] {
        let y = y_of(percent);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{PLOT_LEFT}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}"/><text class="chart-note" x="{:.0}" y="{:.1}" text-anchor="end">{percent}%</text>"#,
            PLOT_LEFT + plot_width,
            PLOT_LEFT - 6.0,
            y + 4.0,
        );
    }
    let slot = plot_width / columns.len().max(1) as f64;
    let width = (slot * 0.7).min(24.0);
    // At most about six labels under the axis.
    let every = columns.len().div_ceil(6).max(1);
    for (i, column) in columns.iter().enumerate() {
        let percent = column.percent.clamp(0.0, 100.0);
        let low = threshold.is_some_and(|t| percent < t);
        let x = PLOT_LEFT + slot * i as f64 + (slot - width) / 2.0;
        let y = y_of(percent);
        let _ = write!(
            svg,
            r#"<rect class="chart-bar{}" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{:.1}"><title>{}: {}</title></rect>"#,
            if low { " chart-bar-low" } else { "" },
            bottom - y,
            escape(&column.label),
            escape(&column.note),
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="chart-note" x="{:.1}" y="{:.0}" text-anchor="middle">{}</text>"#,
                x + width / 2.0,
                bottom + 16.0,
                escape(&column.label),
            );
        }
    }
    if let Some(t) = threshold {
        let y = y_of(t);
        let _ = write!(
            svg,
            r#"<line class="chart-threshold" x1="{PLOT_LEFT}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}"/><text class="chart-note" x="{:.0}" y="{:.1}" text-anchor="end">minimum {t}%</text>"#,
            PLOT_LEFT + plot_width,
            PLOT_LEFT + plot_width,
            y - 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_under_the_threshold_are_marked_and_labels_escaped() {
        let svg = percent_bars(
            "Attendance <b>",
            &[
                Bar {
                    label: "CS101".into(),
                    percent: 92.0,
                    note: "92% (23 of 25)".into(),
                },
                Bar {
                    label: "MA<1>".into(),
                    percent: 60.0,
                    note: "60% (6 of 10)".into(),
                },
            ],
            Some(75.0),
        );
        assert_eq!(svg.matches("chart-bar-low").count(), 1);
        assert!(svg.contains("MA&lt;1&gt;") && !svg.contains("<b>"));
        assert!(svg.contains("minimum 75%"));
        assert!(svg.contains(
            "<desc>CS101: 92% (23 of 25). MA&lt;1&gt;: 60% (6 of 10). Minimum 75%.</desc>"
        ));
    }

    fn count(label: &str, count: u64, apart: bool) -> CountBar {
        CountBar {
            label: label.into(),
            count,
            note: format!("{count} students"),
            apart,
        }
    }

    #[test]
    fn counts_are_drawn_against_the_largest_and_what_is_apart_comes_last() {
        let svg = count_bars(
            "Grades",
            &[
                count("Marks missing", 1, true),
                count("A", 4, false),
                count("B", 2, false),
                count("F", 0, false),
            ],
        );
        // The largest count fills the track, half of it half; none draws nothing.
        assert!(
            svg.contains(r#"class="chart-bar" x="110" y="1" width="330.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"class="chart-bar" x="110" y="31" width="165.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"class="chart-bar" x="110" y="61" width="0.0""#),
            "{svg}"
        );
        // Kept apart: after the others and a gap, in its own colour.
        assert!(
            svg.contains(r#"class="chart-bar chart-bar-apart" x="110" y="106" width="82.5""#),
            "{svg}"
        );
        assert_eq!(svg.matches("chart-bar-apart").count(), 1);
        let missing = svg
            .find(">Marks missing<")
            .expect("the missing bar's label");
        let fail = svg.find(">F<").expect("the F bar's label");
        assert!(fail < missing);
        assert!(svg.contains(
            "<desc>A: 4 students. B: 2 students. F: 0 students. Marks missing: 1 students.</desc>"
        ));
        // Nothing counted yet: no bar has length, and nothing divides by zero.
        let empty = count_bars("Grades", &[count("A", 0, false)]);
        assert!(empty.contains(r#"width="0.0""#) && !empty.contains("NaN"));
    }

    #[test]
    fn columns_over_time_mark_those_under_the_threshold_and_label_a_few() {
        let columns: Vec<Column> = (0..20)
            .map(|i| Column {
                label: format!("{} Nov", i + 1),
                percent: if i == 3 { 50.0 } else { 90.0 },
                note: format!("{} of 10", if i == 3 { 5 } else { 9 }),
            })
            .collect();
        let svg = percent_columns("Attendance <per> session", &columns, Some(75.0));
        assert_eq!(svg.matches("<rect").count(), 20);
        assert_eq!(svg.matches("chart-bar-low").count(), 1);
        assert!(svg.contains("<title>4 Nov: 5 of 10</title>"), "{svg}");
        assert!(svg.contains("minimum 75%") && svg.contains("chart-threshold"));
        assert!(svg.contains("Attendance &lt;per&gt; session"));
        // Twenty columns: every fourth labelled under the axis (five labels).
        let labels = svg.matches(r#"text-anchor="middle""#).count();
        assert_eq!(labels, 5, "{svg}");
        // A full column reaches the top of the plot, the threshold sits at 75%.
        assert!(svg.contains(r#"y="30.0" width"#), "{svg}");
        assert!(svg.contains(r#"y1="51.0" y2="51.0""#), "{svg}");
        assert!(!svg.contains("NaN"));
        let none = percent_columns("Nothing", &[], None);
        assert!(none.starts_with("<svg") && none.ends_with("</svg>") && !none.contains("NaN"));
    }
}
