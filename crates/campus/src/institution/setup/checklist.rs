//! The setup checklist a new college's administrator works down: what is done and what
//! is missing of the institution, the calendar, the people, the catalog, the timetable
//! and registration, each step a link to its page. The dashboard shows it until every
//! step is done.

use sqlx::PgConnection;

/// A step of setting a college up.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: &'static str,
    /// What is there now, or what is missing, in words.
    pub state: String,
    pub done: bool,
    /// Where the step is done.
    pub href: &'static str,
}

/// The checklist, in the order a college is set up.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub steps: Vec<Step>,
}

impl Checklist {
    pub fn ready(&self) -> bool {
        self.steps.iter().all(|s| s.done)
    }

    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }
}

fn count(n: i64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// What the college has of each step, counted in one statement.
pub async fn checklist(conn: &mut PgConnection) -> Result<Checklist, sqlx::Error> {
    let n = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM campuses WHERE retired_at IS NULL) AS "campuses!",
                  (SELECT count(*) FROM buildings WHERE retired_at IS NULL) AS "buildings!",
                  (SELECT count(*) FROM rooms WHERE retired_at IS NULL) AS "rooms!",
                  (SELECT count(*) FROM departments WHERE retired_at IS NULL) AS "departments!",
                  (SELECT count(*) FROM programs WHERE retired_at IS NULL) AS "programs!",
                  (SELECT count(*) FROM academic_years) AS "years!",
                  (SELECT count(*) FROM terms) AS "terms!",
                  EXISTS (SELECT 1 FROM terms WHERE is_current) AS "current_term!",
                  (SELECT count(*) FROM calendar_entries WHERE kind = 'holiday') AS "holidays!",
                  (SELECT count(*) FROM bell_periods) AS "periods!",
                  (SELECT count(*) FROM staff WHERE status <> 'left') AS "staff!",
                  (SELECT count(*) FROM students) AS "students!",
                  (SELECT count(*) FROM courses) AS "courses!",
                  (SELECT count(*) FROM sections s JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
                     WHERE t.is_current) AS "sections!",
                  (SELECT count(*) FROM section_meetings m JOIN terms t ON t.college_id = m.college_id AND t.id = m.term_id
                     WHERE t.is_current) AS "meetings!",
                  (SELECT count(*) FROM registration_windows w JOIN terms t ON t.college_id = w.college_id AND t.id = w.term_id
                     WHERE t.is_current) AS "windows!""#
    )
    .fetch_one(conn)
    .await?;
    let steps = vec![
        Step {
            title: "Places",
            state: format!(
                "{}, {}, {}",
                count(n.campuses, "campus", "campuses"),
                count(n.buildings, "building", "buildings"),
                count(n.rooms, "room", "rooms")
            ),
            done: n.campuses > 0 && n.buildings > 0 && n.rooms > 0,
            href: "/setup/campuses",
        },
        Step {
            title: "Departments and programs",
            state: format!(
                "{}, {}",
                count(n.departments, "department", "departments"),
                count(n.programs, "program", "programs")
            ),
            done: n.departments > 0 && n.programs > 0,
            href: "/setup/departments",
        },
        Step {
            title: "Calendar",
            state: format!(
                "{}, {}{}, {}, {}",
                count(n.years, "academic year", "academic years"),
                count(n.terms, "term", "terms"),
                if n.current_term { " (one current)" } else { "" },
                count(n.holidays, "holiday", "holidays"),
                count(n.periods, "bell period", "bell periods")
            ),
            done: n.current_term && n.periods > 0,
            href: "/setup/years",
        },
        Step {
            title: "People",
            state: format!(
                "{}, {}",
                count(n.staff, "staff member", "staff"),
                count(n.students, "student", "students")
            ),
            done: n.staff > 0 && n.students > 0,
            href: "/staff",
        },
        Step {
            title: "Catalog",
            state: format!(
                "{}, {} this term",
                count(n.courses, "course", "courses"),
                count(n.sections, "section", "sections")
            ),
            done: n.courses > 0 && n.sections > 0,
            href: "/catalog",
        },
        Step {
            title: "Timetable",
            state: format!(
                "{} this term",
                count(n.meetings, "weekly meeting", "weekly meetings")
            ),
            done: n.meetings > 0,
            href: "/timetable/builder",
        },
        Step {
            title: "Registration",
            state: format!(
                "{} this term",
                count(n.windows, "registration window", "registration windows")
            ),
            done: n.windows > 0,
            href: "/registration/windows",
        },
    ];
    Ok(Checklist { steps })
}
