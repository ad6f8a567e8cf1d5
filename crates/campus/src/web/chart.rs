//! Charts drawn on the server as SVG, so a page shows a picture with no script and no
//! chart library: horizontal bars of percentages with an optional line for a threshold
//! (attendance against the college's minimum, seats taken, a grade distribution).
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

fn escape(text: &str) -> String {
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
}
