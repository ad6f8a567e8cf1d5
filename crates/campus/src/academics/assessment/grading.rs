//! The arithmetic of grades: a course's percentage from weighted assessments, the grade a
//! college's scale gives it, and grade point averages. Pure functions, so the rules can be
//! checked by property tests; the results workflow stores what they compute.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

/// One grade of a scale: percentages from `min_percent` up to the next band's minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Band {
    /// e.g. `A+`, `O`, `F`.
    pub letter: String,
    pub min_percent: f64,
    pub grade_points: f64,
    /// Whether the grade passes the course (and counts as completing it).
    pub passing: bool,
}

/// A college's grading scale: its bands, highest minimum first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scale {
    pub bands: Vec<Band>,
}

impl Scale {
    /// The scale a college uses until it sets its own: the ten-point scale most
    /// universities in India use.
    pub fn built_in() -> Scale {
        let band = |letter: &str, min_percent: f64, grade_points: f64, passing: bool| Band {
            letter: letter.to_owned(),
            min_percent,
            grade_points,
            passing,
        };
        Scale {
            bands: vec![
                band("O", 90.0, 10.0, true),
                band("A+", 80.0, 9.0, true),
                band("A", 70.0, 8.0, true),
                band("B+", 60.0, 7.0, true),
                band("B", 50.0, 6.0, true),
                band("C", 45.0, 5.0, true),
                band("P", 40.0, 4.0, true),
                band("F", 0.0, 0.0, false),
            ],
        }
    }

    /// Checks a proposed scale; on success its bands are sorted, highest minimum first.
    /// A scale must grade every percentage (a band starting at 0), give no fewer points
    /// for a higher band, and never fail a percentage above a passing one.
    pub fn new(mut bands: Vec<Band>) -> Result<Scale, Vec<FieldError>> {
        let mut errors = Vec::new();
        if bands.is_empty() || bands.len() > 20 {
            errors.push(FieldError::new("bands", "a scale has 1 to 20 bands"));
        }
        for (i, band) in bands.iter_mut().enumerate() {
            band.letter = band.letter.trim().to_owned();
            let letter_ok = (1..=4).contains(&band.letter.chars().count())
                && band
                    .letter
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-');
            if !letter_ok {
                errors.push(FieldError::new(
                    format!("bands[{i}].letter"),
                    "must be 1 to 4 letters, digits, + or -",
                ));
            }
            if !(band.min_percent.is_finite() && (0.0..=100.0).contains(&band.min_percent)) {
                errors.push(FieldError::new(
                    format!("bands[{i}].min_percent"),
                    "must be between 0 and 100",
                ));
            }
            if !(band.grade_points.is_finite() && (0.0..=10.0).contains(&band.grade_points)) {
                errors.push(FieldError::new(
                    format!("bands[{i}].grade_points"),
                    "must be between 0 and 10",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        bands.sort_by(|a, b| b.min_percent.total_cmp(&a.min_percent));
        for pair in bands.windows(2) {
            let (higher, lower) = (&pair[0], &pair[1]);
            if higher.min_percent == lower.min_percent {
                errors.push(FieldError::new(
                    "bands",
                    format!(
                        "{} and {} start at the same percentage",
                        higher.letter, lower.letter
                    ),
                ));
            }
            if higher.grade_points < lower.grade_points {
                errors.push(FieldError::new(
                    "bands",
                    format!(
                        "{} is a higher band than {} but gives fewer grade points",
                        higher.letter, lower.letter
                    ),
                ));
            }
            if !higher.passing && lower.passing {
                errors.push(FieldError::new(
                    "bands",
                    format!(
                        "{} fails but the lower band {} passes",
                        higher.letter, lower.letter
                    ),
                ));
            }
        }
        let mut letters: Vec<String> = bands
            .iter()
            .map(|b| b.letter.to_ascii_uppercase())
            .collect();
        letters.sort_unstable();
        if letters.windows(2).any(|w| w[0] == w[1]) {
            errors.push(FieldError::new("bands", "each letter may appear only once"));
        }
        if bands.last().is_some_and(|b| b.min_percent != 0.0) {
            errors.push(FieldError::new(
                "bands",
                "the lowest band must start at 0% so that every result gets a grade",
            ));
        }
        if errors.is_empty() {
            Ok(Scale { bands })
        } else {
            Err(errors)
        }
    }

    /// The band a percentage falls in.
    pub fn grade(&self, percent: f64) -> &Band {
        self.bands
            .iter()
            .find(|b| percent >= b.min_percent)
            .or(self.bands.last())
            .expect("a validated scale has at least one band")
    }

    /// The lowest passing percentage, if any band passes.
    pub fn pass_mark(&self) -> Option<f64> {
        self.bands
            .iter()
            .filter(|b| b.passing)
            .map(|b| b.min_percent)
            .reduce(f64::min)
    }

    /// How many results have each grade: every band of the scale in its order (a grade
    /// no one has shows as none), then any other letter given (a result graded under an
    /// earlier scale) in the order met; each with whether it passes. The caller leaves
    /// out whoever has no grade yet, so a missing mark never counts as a fail.
    pub fn distribution<'a>(
        &self,
        graded: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> Vec<(String, usize, bool)> {
        let mut lines: Vec<(String, usize, bool)> = self
            .bands
            .iter()
            .map(|b| (b.letter.clone(), 0, b.passing))
            .collect();
        for (letter, passed) in graded {
            match lines.iter_mut().find(|(l, _, _)| *l == letter) {
                Some(line) => line.1 += 1,
                None => lines.push((letter.to_owned(), 1, passed)),
            }
        }
        lines
    }
}

/// One assessment's part of a course result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    /// Percent of the course grade.
    pub weight: f64,
    /// The student's score; `None` counts as zero.
    pub score: Option<f64>,
    pub max_marks: f64,
}

/// Rounds to two decimals, the precision results are stored and printed with.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A course percentage: each assessment's share of its maximum, weighted, over the
/// weights used. Weights that do not add up to 100 are scaled, so an assessment plan of
/// 40 + 40 grades like 50 + 50.
pub fn course_percent(components: &[Component]) -> f64 {
    let total_weight: f64 = components.iter().map(|c| c.weight).sum();
    if total_weight <= 0.0 {
        return 0.0;
    }
    let earned: f64 = components
        .iter()
        .map(|c| c.weight * (c.score.unwrap_or(0.0) / c.max_marks).clamp(0.0, 1.0))
        .sum();
    round2((earned / total_weight * 100.0).clamp(0.0, 100.0))
}

/// One graded course for an average.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub course: String,
    /// Orders attempts: a later term has a larger key.
    pub term_order: i64,
    pub credits: f64,
    pub grade_points: f64,
}

/// Credit-weighted average of grade points, or `None` with no credits.
pub fn gpa<'a>(courses: impl IntoIterator<Item = &'a Graded>) -> Option<f64> {
    let (mut credits, mut points) = (0.0, 0.0);
    for c in courses {
        credits += c.credits;
        points += c.credits * c.grade_points;
    }
    (credits > 0.0).then(|| round2(points / credits))
}

/// The cumulative average: every course counts once, by its latest attempt, so a repeated
/// course replaces its earlier grade.
pub fn cumulative_gpa(courses: &[Graded]) -> Option<f64> {
    let mut latest: Vec<&Graded> = Vec::new();
    for c in courses {
        match latest.iter_mut().find(|l| l.course == c.course) {
            Some(l) if l.term_order < c.term_order => *l = c,
            Some(_) => {}
            None => latest.push(c),
        }
    }
    gpa(latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graded(course: &str, term_order: i64, credits: f64, grade_points: f64) -> Graded {
        Graded {
            course: course.to_owned(),
            term_order,
            credits,
            grade_points,
        }
    }

    #[test]
    fn the_built_in_scale_is_valid_and_grades_boundaries_upwards() {
        let scale = Scale::new(Scale::built_in().bands).expect("valid");
        assert_eq!(scale.grade(90.0).letter, "O");
        assert_eq!(scale.grade(89.99).letter, "A+");
        assert_eq!(scale.grade(40.0).letter, "P");
        assert_eq!(scale.grade(39.99).letter, "F");
        assert_eq!(scale.grade(0.0).letter, "F");
        assert_eq!(scale.pass_mark(), Some(40.0));
    }

    #[test]
    fn a_scale_with_gaps_or_inversions_is_refused_with_reasons() {
        let mut bands = Scale::built_in().bands;
        bands.pop();
        let errors = Scale::new(bands).expect_err("no band at 0");
        assert!(errors.iter().any(|e| e.message.contains("start at 0%")));

        let mut bands = Scale::built_in().bands;
        bands[1].grade_points = 11.0;
        assert!(Scale::new(bands).is_err());

        let mut bands = Scale::built_in().bands;
        bands[0].passing = false;
        let errors = Scale::new(bands).expect_err("fail above a pass");
        assert!(errors.iter().any(|e| e.message.contains("fails but")));

        let mut bands = Scale::built_in().bands;
        bands[2].letter = "a+".into();
        assert!(
            Scale::new(bands).is_err(),
            "letters are unique ignoring case"
        );
    }

    #[test]
    fn a_distribution_lists_every_band_then_letters_of_older_scales() {
        let lines =
            Scale::built_in().distribution([("A", true), ("F", false), ("A", true), ("X", false)]);
        assert_eq!(lines.len(), 9);
        assert_eq!(lines[0], ("O".to_string(), 0, true));
        assert_eq!(lines[2], ("A".to_string(), 2, true));
        assert_eq!(lines[7], ("F".to_string(), 1, false));
        assert_eq!(lines[8], ("X".to_string(), 1, false));
        assert!(Scale::built_in().distribution([]).iter().all(|l| l.1 == 0));
    }

    #[test]
    fn weights_are_scaled_and_missing_marks_count_as_zero() {
        let c = |weight, score, max_marks| Component {
            weight,
            score,
            max_marks,
        };
        assert_eq!(
            course_percent(&[c(40.0, Some(20.0), 40.0), c(40.0, Some(40.0), 40.0)]),
            75.0
        );
        assert_eq!(
            course_percent(&[c(30.0, Some(30.0), 30.0), c(70.0, None, 100.0)]),
            30.0
        );
        assert_eq!(course_percent(&[]), 0.0);
    }

    #[test]
    fn a_repeated_course_counts_by_its_latest_attempt() {
        let courses = [
            graded("MTH101", 1, 4.0, 0.0),
            graded("PHY101", 1, 4.0, 8.0),
            graded("MTH101", 2, 4.0, 9.0),
        ];
        assert_eq!(cumulative_gpa(&courses), Some(8.5));
        assert_eq!(gpa(&courses[..2]), Some(4.0));
        assert_eq!(gpa(&[]), None);
    }

    fn any_course() -> impl Strategy<Value = Graded> {
        (0u8..6, 0i64..8, 1u8..=8, 0u8..=10).prop_map(|(c, t, credits, points)| {
            graded(&format!("C{c}"), t, f64::from(credits), f64::from(points))
        })
    }

    proptest! {
        #[test]
        fn gpa_lies_between_the_lowest_and_highest_grade(courses in prop::collection::vec(any_course(), 1..30)) {
            let gpa = gpa(&courses).expect("credits");
            let low = courses.iter().map(|c| c.grade_points).fold(f64::MAX, f64::min);
            let high = courses.iter().map(|c| c.grade_points).fold(f64::MIN, f64::max);
            prop_assert!(gpa >= round2(low) - 1e-9 && gpa <= round2(high) + 1e-9);
        }

        #[test]
        fn gpa_does_not_depend_on_order(mut courses in prop::collection::vec(any_course(), 1..30), seed in any::<u64>()) {
            let before = gpa(&courses);
            let n = courses.len();
            courses.rotate_left((seed as usize) % n);
            courses.reverse();
            prop_assert_eq!(before, gpa(&courses));
        }

        #[test]
        fn equal_grades_average_to_that_grade(points in 0u8..=10, credits in prop::collection::vec(1u8..=8, 1..20)) {
            let courses: Vec<Graded> = credits.iter().enumerate()
                .map(|(i, c)| graded(&format!("C{i}"), 0, f64::from(*c), f64::from(points))).collect();
            prop_assert_eq!(gpa(&courses), Some(f64::from(points)));
            prop_assert_eq!(cumulative_gpa(&courses), Some(f64::from(points)));
        }

        #[test]
        fn doubling_every_credit_changes_nothing(courses in prop::collection::vec(any_course(), 1..30)) {
            let doubled: Vec<Graded> = courses.iter().map(|c| Graded { credits: c.credits * 2.0, ..c.clone() }).collect();
            prop_assert_eq!(gpa(&courses), gpa(&doubled));
        }

        #[test]
        fn a_better_course_never_lowers_the_average(courses in prop::collection::vec(any_course(), 1..20), credits in 1u8..=8) {
            let before = gpa(&courses).expect("credits");
            let mut more = courses.clone();
            more.push(graded("NEW", 0, f64::from(credits), 10.0));
            prop_assert!(gpa(&more).expect("credits") >= before);
        }

        #[test]
        fn cumulative_counts_each_course_once(courses in prop::collection::vec(any_course(), 1..30)) {
            // Retaking every course with the top grade in a later term gives the top average.
            let mut all = courses.clone();
            all.extend(courses.iter().map(|c| Graded { term_order: 100, grade_points: 10.0, ..c.clone() }));
            prop_assert_eq!(cumulative_gpa(&all), Some(10.0));
        }

        #[test]
        fn percent_stays_in_range_and_grows_with_any_score(
            parts in prop::collection::vec((1u8..=100, 0u16..=200, 1u16..=200), 1..8),
            which in any::<prop::sample::Index>(),
        ) {
            let components: Vec<Component> = parts.iter().map(|(w, s, m)| Component {
                weight: f64::from(*w), score: Some(f64::from((*s).min(*m))), max_marks: f64::from(*m),
            }).collect();
            let p = course_percent(&components);
            prop_assert!((0.0..=100.0).contains(&p));
            let mut better = components.clone();
            let i = which.index(better.len());
            better[i].score = Some(better[i].max_marks);
            prop_assert!(course_percent(&better) >= p);
        }

        #[test]
        fn grades_never_drop_as_the_percentage_rises(a in 0u16..=10000, b in 0u16..=10000) {
            let scale = Scale::built_in();
            let (low, high) = (f64::from(a.min(b)) / 100.0, f64::from(a.max(b)) / 100.0);
            prop_assert!(scale.grade(high).grade_points >= scale.grade(low).grade_points);
            prop_assert!(scale.grade(high).passing || !scale.grade(low).passing);
            prop_assert!(scale.grade(low).min_percent <= low);
        }
    }
}
