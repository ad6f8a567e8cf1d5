//! Clashes of the weekly timetable, named before anything is saved: a meeting proposed
//! for a section (day, time, room) is checked against the room's other bookings, its
//! size, its teachers' weeks, its enrolled students' weeks and the other courses of the
//! program years that take it; the term's report lists what is wrong across all of it.
//!
//! The database still refuses a room or a teacher booked twice (exclusion constraints),
//! so two coordinators saving at once cannot both win; these checks are what lets the
//! page say every clash at once, in words, before the save.

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::timetable::model::{WEEKDAYS, show_time};

/// A weekly meeting as proposed for a section.
#[derive(Debug, Clone, Copy)]
pub struct Proposal {
    pub section: Uuid,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    pub start: i32,
    pub end: i32,
    pub room: Option<Uuid>,
    /// A meeting being moved, which does not clash with itself.
    pub moving: Option<Uuid>,
}

/// What a clash is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TimetableClashKind)]
pub enum ClashKind {
    /// The room is booked then by another section.
    Room,
    /// The room seats fewer than the section takes.
    RoomSize,
    /// The room is retired.
    RoomRetired,
    /// A teacher of the section teaches elsewhere then.
    Teacher,
    /// The section already meets then.
    Section,
    /// Students enrolled in the section attend another section then.
    Students,
    /// Another course of a program year that takes this course meets then.
    ProgramYear,
}

/// One clash, in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TimetableClash)]
pub struct Clash {
    pub kind: ClashKind,
    /// Whether it stops the meeting being saved. Only a program year's overlap may be
    /// accepted (its students may be split between parallel sections).
    pub blocking: bool,
    pub message: String,
}

impl Clash {
    fn new(kind: ClashKind, message: String) -> Clash {
        Clash {
            kind,
            blocking: kind != ClashKind::ProgramYear,
            message,
        }
    }

    /// The field of the meeting's form the clash is shown against.
    pub fn field(&self) -> &'static str {
        match self.kind {
            ClashKind::Room | ClashKind::RoomSize | ClashKind::RoomRetired => "room_id",
            ClashKind::Teacher => "teachers",
            ClashKind::Section | ClashKind::Students | ClashKind::ProgramYear => "weekday",
        }
    }
}

fn hours(start: i32, end: i32) -> String {
    format!("{}–{}", show_time(start), show_time(end))
}

pub fn day(weekday: i16) -> &'static str {
    WEEKDAYS
        .get((weekday as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

/// Every clash of `proposal`, blocking ones first; none when the section is unknown.
pub async fn check(
    conn: &mut PgConnection,
    proposal: &Proposal,
) -> Result<Vec<Clash>, sqlx::Error> {
    let Proposal {
        section,
        weekday,
        start,
        end,
        room,
        moving,
    } = *proposal;
    let Some(this) = sqlx::query!(
        "SELECT s.term_id, s.course_id, s.capacity, s.code, c.code AS course \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         WHERE s.id = $1",
        section
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Vec::new());
    };
    let on = day(weekday);
    let mut clashes = Vec::new();
    let own = sqlx::query!(
        "SELECT start_minute, end_minute FROM section_meetings \
         WHERE section_id = $1 AND weekday = $2 \
           AND int4range(start_minute, end_minute) && int4range($3, $4) \
           AND id IS DISTINCT FROM $5 LIMIT 1",
        section,
        weekday,
        start,
        end,
        moving
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(m) = own {
        clashes.push(Clash::new(
            ClashKind::Section,
            format!(
                "{} {} already meets on {on} {}",
                this.course,
                this.code,
                hours(m.start_minute, m.end_minute)
            ),
        ));
    }
    if let Some(room) = room {
        let found = sqlx::query!(
            r#"SELECT r.code, r.capacity, r.retired_at IS NOT NULL AS "retired!" FROM rooms r WHERE r.id = $1"#,
            room
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = found {
            if r.retired {
                clashes.push(Clash::new(
                    ClashKind::RoomRetired,
                    format!("room {} is retired: it is offered for no new use", r.code),
                ));
            }
            if r.capacity < this.capacity {
                clashes.push(Clash::new(
                    ClashKind::RoomSize,
                    format!(
                        "room {} seats {}, fewer than the section's {}",
                        r.code, r.capacity, this.capacity
                    ),
                ));
            }
            let holders = sqlx::query!(
                "SELECT c.code AS course, s.code AS section, m.start_minute, m.end_minute \
                 FROM section_meetings m \
                 JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id \
                 JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
                 WHERE m.room_id = $1 AND m.term_id = $2 AND m.weekday = $3 \
                   AND int4range(m.start_minute, m.end_minute) && int4range($4, $5) \
                   AND m.section_id <> $6 AND m.id IS DISTINCT FROM $7 \
                 ORDER BY m.start_minute",
                room,
                this.term_id,
                weekday,
                start,
                end,
                section,
                moving
            )
            .fetch_all(&mut *conn)
            .await?;
            for h in holders {
                clashes.push(Clash::new(
                    ClashKind::Room,
                    format!(
                        "room {} is taken on {on} {} by {} {}",
                        r.code,
                        hours(h.start_minute, h.end_minute),
                        h.course,
                        h.section
                    ),
                ));
            }
        }
    }
    let teachers = sqlx::query!(
        r#"SELECT st.first_name || ' ' || st.last_name AS "name!", c.code AS course, s.code AS section,
                  b.start_minute, b.end_minute
           FROM section_teachers x
           JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id
           JOIN teacher_bookings b ON b.college_id = x.college_id AND b.staff_id = x.staff_id
             AND b.term_id = $2 AND b.weekday = $3
             AND int4range(b.start_minute, b.end_minute) && int4range($4, $5)
             AND b.meeting_id IS DISTINCT FROM $6
           JOIN section_meetings m ON m.college_id = b.college_id AND m.id = b.meeting_id AND m.section_id <> $1
           JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE x.section_id = $1 ORDER BY st.last_name, b.start_minute"#,
        section,
        this.term_id,
        weekday,
        start,
        end,
        moving
    )
    .fetch_all(&mut *conn)
    .await?;
    for t in teachers {
        clashes.push(Clash::new(
            ClashKind::Teacher,
            format!(
                "{} already teaches {} {} on {on} {}",
                t.name,
                t.course,
                t.section,
                hours(t.start_minute, t.end_minute)
            ),
        ));
    }
    let students = sqlx::query!(
        r#"SELECT c.code AS course, s.code AS section, count(DISTINCT mine.student_id) AS "students!"
           FROM enrollments mine
           JOIN enrollments other ON other.college_id = mine.college_id AND other.student_id = mine.student_id
             AND other.status = 'enrolled' AND other.section_id <> $1
           JOIN section_meetings m ON m.college_id = other.college_id AND m.section_id = other.section_id
             AND m.term_id = $2 AND m.weekday = $3
             AND int4range(m.start_minute, m.end_minute) && int4range($4, $5)
           JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE mine.section_id = $1 AND mine.status = 'enrolled'
           GROUP BY c.code, s.code ORDER BY 3 DESC, 1, 2"#,
        section,
        this.term_id,
        weekday,
        start,
        end
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in students {
        clashes.push(Clash::new(
            ClashKind::Students,
            format!(
                "{} of the section's students {} {} {} on {on} then",
                s.students,
                if s.students == 1 { "attends" } else { "attend" },
                s.course,
                s.section
            ),
        ));
    }
    let cohorts = sqlx::query!(
        "SELECT p.code AS program, mine.year_of_study, c.code AS course, s.code AS section, \
                m.start_minute, m.end_minute \
         FROM program_courses mine \
         JOIN program_courses other ON other.college_id = mine.college_id AND other.program_id = mine.program_id \
           AND other.year_of_study = mine.year_of_study AND other.course_id <> mine.course_id \
         JOIN sections s ON s.college_id = other.college_id AND s.course_id = other.course_id \
           AND s.term_id = $2 AND s.closed_at IS NULL \
         JOIN section_meetings m ON m.college_id = s.college_id AND m.section_id = s.id AND m.weekday = $3 \
           AND int4range(m.start_minute, m.end_minute) && int4range($4, $5) \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN programs p ON p.college_id = mine.college_id AND p.id = mine.program_id \
         WHERE mine.course_id = $1 ORDER BY p.code, mine.year_of_study, m.start_minute",
        this.course_id,
        this.term_id,
        weekday,
        start,
        end
    )
    .fetch_all(&mut *conn)
    .await?;
    for c in cohorts {
        clashes.push(Clash::new(
            ClashKind::ProgramYear,
            format!(
                "{} year {} also takes {} {} on {on} {}",
                c.program,
                c.year_of_study,
                c.course,
                c.section,
                hours(c.start_minute, c.end_minute)
            ),
        ));
    }
    clashes.sort_by_key(|c| !c.blocking);
    Ok(clashes)
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A room free at a time, for the builder to offer.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = FreeRoom)]
pub struct FreeRoom {
    pub id: Uuid,
    pub code: String,
    pub building: String,
    /// `classroom`, `lecture_hall`, `lab`, `seminar`, `office`, `library` or `hall`.
    pub kind: String,
    pub capacity: i32,
    pub features: Vec<String>,
}

impl FreeRoom {
    /// How the builder's room chooser names it: "R-101 (Main, 40 seats, lab)".
    pub fn label(&self) -> String {
        format!(
            "{} ({}, {} seats, {})",
            self.code,
            self.building,
            self.capacity,
            self.kind.replace('_', " ")
        )
    }
}

/// Rooms not retired, seating at least the section and free at that time in its term,
/// smallest first (the best fit), of `kind` when one is given.
pub async fn free_rooms(
    conn: &mut PgConnection,
    proposal: &Proposal,
    kind: Option<&str>,
    limit: i64,
) -> Result<Vec<FreeRoom>, sqlx::Error> {
    sqlx::query_as!(
        FreeRoom,
        "SELECT r.id, r.code, b.code AS building, r.kind, r.capacity, r.features \
         FROM sections s \
         JOIN rooms r ON r.college_id = s.college_id AND r.retired_at IS NULL AND r.capacity >= s.capacity \
           AND ($3::text IS NULL OR r.kind = $3) \
         JOIN buildings b ON b.college_id = r.college_id AND b.id = r.building_id \
         WHERE s.id = $1 AND NOT EXISTS (SELECT 1 FROM section_meetings m \
             WHERE m.college_id = r.college_id AND m.room_id = r.id AND m.term_id = s.term_id \
               AND m.weekday = $2 AND int4range(m.start_minute, m.end_minute) && int4range($4, $5) \
               AND m.id IS DISTINCT FROM $6) \
         ORDER BY r.capacity, b.code, r.code LIMIT $7",
        proposal.section,
        proposal.weekday,
        kind,
        proposal.start,
        proposal.end,
        proposal.moving,
        limit
    )
    .fetch_all(conn)
    .await
}

/// One line of a term's clash report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TermClash)]
pub struct ReportLine {
    /// `students`, `program_year`, `room_size`, `no_meetings` or `no_teacher`.
    pub kind: String,
    pub message: String,
    /// The section to open to resolve it.
    pub section_id: Uuid,
}

/// Everything wrong with a term's timetable: students due in two places at once,
/// program years with two courses at once, rooms smaller than their sections, and
/// sections that do not meet or have nobody to teach them.
pub async fn report(conn: &mut PgConnection, term: Uuid) -> Result<Vec<ReportLine>, sqlx::Error> {
    let mut lines = Vec::new();
    let students = sqlx::query!(
        r#"SELECT s1.id AS first_id, c1.code || ' ' || s1.code AS "first!", c2.code || ' ' || s2.code AS "second!",
                  m1.weekday, greatest(m1.start_minute, m2.start_minute) AS "start!",
                  least(m1.end_minute, m2.end_minute) AS "end!", count(DISTINCT e1.student_id) AS "students!"
           FROM section_meetings m1
           JOIN section_meetings m2 ON m2.college_id = m1.college_id AND m2.term_id = m1.term_id
             AND m2.weekday = m1.weekday AND m2.section_id > m1.section_id
             AND int4range(m1.start_minute, m1.end_minute) && int4range(m2.start_minute, m2.end_minute)
           JOIN enrollments e1 ON e1.college_id = m1.college_id AND e1.section_id = m1.section_id AND e1.status = 'enrolled'
           JOIN enrollments e2 ON e2.college_id = m2.college_id AND e2.section_id = m2.section_id
             AND e2.student_id = e1.student_id AND e2.status = 'enrolled'
           JOIN sections s1 ON s1.college_id = m1.college_id AND s1.id = m1.section_id
           JOIN courses c1 ON c1.college_id = s1.college_id AND c1.id = s1.course_id
           JOIN sections s2 ON s2.college_id = m2.college_id AND s2.id = m2.section_id
           JOIN courses c2 ON c2.college_id = s2.college_id AND c2.id = s2.course_id
           WHERE m1.term_id = $1
           GROUP BY s1.id, c1.code, s1.code, c2.code, s2.code, m1.weekday, 5, 6
           ORDER BY 7 DESC, 2, 3"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in students {
        lines.push(ReportLine {
            kind: "students".into(),
            message: format!(
                "{} enrolled in both {} and {}, which meet at once on {} {}",
                plural(s.students, "student is", "students are"),
                s.first,
                s.second,
                day(s.weekday),
                hours(s.start, s.end)
            ),
            section_id: s.first_id,
        });
    }
    let cohorts = sqlx::query!(
        r#"SELECT DISTINCT s1.id AS first_id, p.code AS program, pc1.year_of_study,
                  c1.code || ' ' || s1.code AS "first!", c2.code || ' ' || s2.code AS "second!",
                  m1.weekday, greatest(m1.start_minute, m2.start_minute) AS "start!",
                  least(m1.end_minute, m2.end_minute) AS "end!"
           FROM section_meetings m1
           JOIN sections s1 ON s1.college_id = m1.college_id AND s1.id = m1.section_id AND s1.closed_at IS NULL
           JOIN program_courses pc1 ON pc1.college_id = s1.college_id AND pc1.course_id = s1.course_id
           JOIN program_courses pc2 ON pc2.college_id = pc1.college_id AND pc2.program_id = pc1.program_id
             AND pc2.year_of_study = pc1.year_of_study AND pc2.course_id > pc1.course_id
           JOIN sections s2 ON s2.college_id = pc2.college_id AND s2.course_id = pc2.course_id
             AND s2.term_id = s1.term_id AND s2.closed_at IS NULL
           JOIN section_meetings m2 ON m2.college_id = s2.college_id AND m2.section_id = s2.id
             AND m2.weekday = m1.weekday
             AND int4range(m1.start_minute, m1.end_minute) && int4range(m2.start_minute, m2.end_minute)
           JOIN programs p ON p.college_id = pc1.college_id AND p.id = pc1.program_id
           JOIN courses c1 ON c1.college_id = s1.college_id AND c1.id = s1.course_id
           JOIN courses c2 ON c2.college_id = s2.college_id AND c2.id = s2.course_id
           WHERE m1.term_id = $1
           ORDER BY 2, 3, 6, 7, 4, 5"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for c in cohorts {
        lines.push(ReportLine {
            kind: "program_year".into(),
            message: format!(
                "{} year {} takes {} and {}, which meet at once on {} {}",
                c.program,
                c.year_of_study,
                c.first,
                c.second,
                day(c.weekday),
                hours(c.start, c.end)
            ),
            section_id: c.first_id,
        });
    }
    let small = sqlx::query!(
        r#"SELECT DISTINCT s.id, c.code || ' ' || s.code AS "section!", s.capacity AS section_seats,
                  r.code AS room, r.capacity AS room_seats
           FROM section_meetings m
           JOIN sections s ON s.college_id = m.college_id AND s.id = m.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN rooms r ON r.college_id = m.college_id AND r.id = m.room_id AND r.capacity < s.capacity
           WHERE m.term_id = $1 ORDER BY 2, 4"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in small {
        lines.push(ReportLine {
            kind: "room_size".into(),
            message: format!(
                "{} takes {} but meets in room {}, which seats {}",
                s.section, s.section_seats, s.room, s.room_seats
            ),
            section_id: s.id,
        });
    }
    let bare = sqlx::query!(
        r#"SELECT s.id, c.code || ' ' || s.code AS "section!",
                  NOT EXISTS (SELECT 1 FROM section_meetings m WHERE m.college_id = s.college_id AND m.section_id = s.id) AS "unmet!",
                  NOT EXISTS (SELECT 1 FROM section_teachers x WHERE x.college_id = s.college_id AND x.section_id = s.id) AS "untaught!"
           FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE s.term_id = $1 AND s.closed_at IS NULL ORDER BY 2"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in bare {
        if s.unmet {
            lines.push(ReportLine {
                kind: "no_meetings".into(),
                message: format!("{} has no weekly meeting", s.section),
                section_id: s.id,
            });
        }
        if s.untaught {
            lines.push(ReportLine {
                kind: "no_teacher".into(),
                message: format!("{} has no teacher", s.section),
                section_id: s.id,
            });
        }
    }
    Ok(lines)
}
