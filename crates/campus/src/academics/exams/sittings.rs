//! Exam sittings: scheduled on a day of one of the calendar's exam periods, in rooms
//! that together seat the section's students (sharing a hall with other papers at the
//! same time as long as its seats last), watched by invigilators who are nowhere else
//! then. Every clash is named before anything is written: students with another paper
//! at the same time, a room without the seats, an invigilator already watching one.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::exams::model::{
    ClashLine, Invigilator, LONGEST, RoomSeats, SHORTEST, Sitting, SittingInput,
};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::web::clock::{parse_date, parse_time};
use crate::web::time::{local, local_time, start_of};

/// A sitting with its rooms and invigilators, or `None`.
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<Sitting>, sqlx::Error> {
    let mut found = list_where(conn, Some(id), None).await?;
    Ok(found.pop())
}

/// A term's sittings, earliest first.
pub async fn of_term(conn: &mut PgConnection, term: Uuid) -> Result<Vec<Sitting>, sqlx::Error> {
    list_where(conn, None, Some(term)).await
}

async fn list_where(
    conn: &mut PgConnection,
    id: Option<Uuid>,
    term: Option<Uuid>,
) -> Result<Vec<Sitting>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT x.id, x.assessment_id, a.name AS paper, x.section_id, c.code AS course_code,
                  c.title AS course_title, s.code AS section, x.term_id, x.starts_at, x.ends_at,
                  s.enrolled::bigint AS "students!",
                  (SELECT count(*) FROM exam_seats e WHERE e.college_id = x.college_id AND e.sitting_id = x.id) AS "seated!",
                  coalesce((SELECT jsonb_agg(jsonb_build_object('room_id', r.id, 'room', r.code, 'seats', xr.seats) ORDER BY r.code)
                     FROM exam_sitting_rooms xr JOIN rooms r ON r.college_id = xr.college_id AND r.id = xr.room_id
                     WHERE xr.college_id = x.college_id AND xr.sitting_id = x.id), '[]') AS "rooms!",
                  coalesce((SELECT jsonb_agg(jsonb_build_object('staff_id', st.id, 'name', st.first_name || ' ' || st.last_name) ORDER BY st.last_name)
                     FROM exam_invigilators i JOIN staff st ON st.college_id = i.college_id AND st.id = i.staff_id
                     WHERE i.college_id = x.college_id AND i.sitting_id = x.id), '[]') AS "invigilators!"
           FROM exam_sittings x
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE ($1::uuid IS NULL OR x.id = $1) AND ($2::uuid IS NULL OR x.term_id = $2)
           ORDER BY x.starts_at, c.code, s.code"#,
        id,
        term
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Sitting {
            id: r.id,
            assessment_id: r.assessment_id,
            paper: r.paper,
            section_id: r.section_id,
            course_code: r.course_code,
            course_title: r.course_title,
            section: r.section,
            term_id: r.term_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            students: r.students,
            seated: r.seated,
            rooms: read_rooms(&r.rooms),
            invigilators: read_invigilators(&r.invigilators),
        })
        .collect())
}

fn read_rooms(value: &serde_json::Value) -> Vec<RoomSeats> {
    value
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|r| {
                    Some(RoomSeats {
                        room_id: r["room_id"].as_str()?.parse().ok()?,
                        room: r["room"].as_str()?.to_string(),
                        seats: i32::try_from(r["seats"].as_i64()?).ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_invigilators(value: &serde_json::Value) -> Vec<Invigilator> {
    value
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|i| {
                    Some(Invigilator {
                        staff_id: i["staff_id"].as_str()?.parse().ok()?,
                        name: i["name"].as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `09:00–12:00 IST`.
fn span(starts: OffsetDateTime, ends: OffsetDateTime, zone: &str) -> String {
    let end = local_time(ends, zone);
    format!(
        "{}–{end}",
        local_time(starts, zone)
            .split(' ')
            .next()
            .unwrap_or_default()
    )
}

/// Schedules a sitting, or changes `existing`: refused by field, nothing written, when a
/// value is wrong or anything clashes. A changed sitting loses its seats (the plan is
/// made again).
pub async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    zone: &str,
    existing: Option<Uuid>,
    input: &SittingInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let date = parse_date("date", &input.date)
        .map_err(|e| errors.push(e))
        .ok();
    let minute = parse_time("starts", &input.starts)
        .map_err(|e| errors.push(e))
        .ok();
    if !(SHORTEST..=LONGEST).contains(&input.duration_minutes) {
        errors.push(FieldError::new(
            "duration_minutes",
            format!("must be {SHORTEST} to {LONGEST} minutes"),
        ));
    }
    let before = match existing {
        Some(id) => {
            sqlx::query!("SELECT id FROM exam_sittings WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(AppError::NotFound)?;
            find(conn, id).await?
        }
        None => None,
    };
    let assessment = sqlx::query!(
        r#"SELECT a.section_id, s.term_id, a.kind, c.code || ' ' || s.code || ' ' || a.name AS "label!",
                  s.enrolled, t.starts_on, t.ends_on
           FROM assessments a JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
           WHERE a.id = $1"#,
        input.assessment_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(assessment) = assessment else {
        errors.push(FieldError::new(
            "assessment_id",
            "is not an assessment of this college",
        ));
        return Err(AppError::Validation(errors));
    };
    if !["exam", "practical"].contains(&assessment.kind.as_str()) {
        errors.push(FieldError::new(
            "assessment_id",
            format!(
                "{} is {}: only exams and practicals have sittings",
                assessment.label,
                if assessment.kind == "assignment" {
                    "an assignment"
                } else {
                    "a quiz"
                }
            ),
        ));
    }
    let taken: Option<(Uuid, OffsetDateTime)> = sqlx::query!(
        "SELECT id, starts_at FROM exam_sittings WHERE assessment_id = $1",
        input.assessment_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r.id, r.starts_at));
    if let Some((other, at)) = taken
        && Some(other) != existing
    {
        errors.push(FieldError::new(
            "assessment_id",
            format!(
                "{} already has a sitting, on {}",
                assessment.label,
                local(at, zone)
            ),
        ));
    }
    if let Some(date) = date {
        if date < assessment.starts_on || date > assessment.ends_on {
            errors.push(FieldError::new(
                "date",
                format!(
                    "is outside the section's term ({} to {})",
                    crate::web::time::day(assessment.starts_on),
                    crate::web::time::day(assessment.ends_on)
                ),
            ));
        } else {
            let period: Option<String> = sqlx::query_scalar!(
                "SELECT name FROM calendar_entries WHERE kind = 'exam_period' AND $1 BETWEEN starts_on AND ends_on LIMIT 1",
                date
            )
            .fetch_optional(&mut *conn)
            .await?;
            if period.is_none() {
                let periods: Vec<String> = sqlx::query!(
                    "SELECT name, starts_on, ends_on FROM calendar_entries WHERE kind = 'exam_period' \
                     AND ends_on >= $1 AND starts_on <= $2 ORDER BY starts_on LIMIT 4",
                    assessment.starts_on,
                    assessment.ends_on
                )
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|p| {
                    format!(
                        "{} ({} to {})",
                        p.name,
                        crate::web::time::day(p.starts_on),
                        crate::web::time::day(p.ends_on)
                    )
                })
                .collect();
                errors.push(FieldError::new(
                    "date",
                    if periods.is_empty() {
                        "is in no exam period: add the term's exam period to the calendar first"
                            .to_string()
                    } else {
                        format!(
                            "is in no exam period; the term's are {}",
                            periods.join(", ")
                        )
                    },
                ));
            }
        }
    }
    let (Some(date), Some(minute)) = (date, minute) else {
        return Err(AppError::Validation(errors));
    };
    let starts_at = start_of(date, minute, zone).ok_or_else(|| {
        AppError::Validation(vec![FieldError::new("starts", "is not a time of that day")])
    })?;
    let ends_at = starts_at + time::Duration::minutes(i64::from(input.duration_minutes.max(1)));
    let when = span(starts_at, ends_at, zone);

    // Students with another paper then.
    let busy = sqlx::query!(
        r#"SELECT c.code || ' ' || s.code || ' ' || a.name AS "paper!", x.starts_at, x.ends_at,
                  count(DISTINCT mine.student_id) AS "students!"
           FROM enrollments mine
           JOIN enrollments other ON other.college_id = mine.college_id AND other.student_id = mine.student_id
             AND other.status = 'enrolled' AND other.section_id <> mine.section_id
           JOIN exam_sittings x ON x.college_id = other.college_id AND x.section_id = other.section_id
             AND tstzrange(x.starts_at, x.ends_at) && tstzrange($2, $3) AND x.id IS DISTINCT FROM $4
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE mine.section_id = $1 AND mine.status = 'enrolled'
           GROUP BY 1, 2, 3 ORDER BY 4 DESC, 2"#,
        assessment.section_id,
        starts_at,
        ends_at,
        existing
    )
    .fetch_all(&mut *conn)
    .await?;
    for b in busy {
        errors.push(FieldError::new(
            "starts",
            format!(
                "{} of its students sit{} {} then ({})",
                b.students,
                if b.students == 1 { "s" } else { "" },
                b.paper,
                span(b.starts_at, b.ends_at, zone)
            ),
        ));
    }
    // A paper of the same section at the same time.
    let own = sqlx::query!(
        r#"SELECT a.name FROM exam_sittings x JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           WHERE x.section_id = $1 AND tstzrange(x.starts_at, x.ends_at) && tstzrange($2, $3)
             AND x.id IS DISTINCT FROM $4 LIMIT 1"#,
        assessment.section_id,
        starts_at,
        ends_at,
        existing
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(o) = own {
        errors.push(FieldError::new(
            "starts",
            format!("the section sits {} then", o.name),
        ));
    }

    // Rooms: filled in order; each gives what other papers leave of its seats then.
    let mut rooms: Vec<Uuid> = Vec::new();
    for r in &input.rooms {
        if !rooms.contains(r) {
            rooms.push(*r);
        }
    }
    let found = sqlx::query!(
        r#"SELECT r.id, r.code, r.capacity, r.retired_at IS NOT NULL AS "retired!",
                  coalesce((SELECT sum(xr.seats) FROM exam_sitting_rooms xr
                     WHERE xr.college_id = r.college_id AND xr.room_id = r.id
                       AND tstzrange(xr.starts_at, xr.ends_at) && tstzrange($2, $3)
                       AND xr.sitting_id IS DISTINCT FROM $4), 0)::int AS "taken!"
           FROM rooms r WHERE r.id = ANY($1)"#,
        &rooms,
        starts_at,
        ends_at,
        existing
    )
    .fetch_all(&mut *conn)
    .await?;
    let students = assessment.enrolled;
    let mut left = students;
    let mut allotted: Vec<(Uuid, i32)> = Vec::new();
    let mut free_words = Vec::new();
    for room in &rooms {
        let Some(r) = found.iter().find(|f| f.id == *room) else {
            errors.push(FieldError::new("rooms", "is not a room of this college"));
            continue;
        };
        if r.retired {
            errors.push(FieldError::new(
                "rooms",
                format!("room {} is retired", r.code),
            ));
            continue;
        }
        let free = (r.capacity - r.taken).max(0);
        free_words.push(if r.taken > 0 {
            format!("{} has {free} of {} free then", r.code, r.capacity)
        } else {
            format!("{} seats {}", r.code, r.capacity)
        });
        let seats = free.min(left);
        if free == 0 {
            errors.push(FieldError::new(
                "rooms",
                format!(
                    "room {} is full then: other papers take its {} seats",
                    r.code, r.capacity
                ),
            ));
        } else if seats > 0 {
            allotted.push((r.id, seats));
            left -= seats;
        }
    }
    if students > 0 && rooms.is_empty() {
        errors.push(FieldError::new(
            "rooms",
            format!("choose rooms for its {students} students"),
        ));
    } else if left > 0 {
        errors.push(FieldError::new(
            "rooms",
            format!(
                "the rooms seat {} of its {students} students then ({})",
                students - left,
                free_words.join("; ")
            ),
        ));
    }

    // Invigilators: on staff, and watching nothing else then.
    let mut invigilators: Vec<Uuid> = Vec::new();
    for i in &input.invigilators {
        if !invigilators.contains(i) {
            invigilators.push(*i);
        }
    }
    let staff = sqlx::query!(
        r#"SELECT st.id, st.first_name || ' ' || st.last_name AS "name!", st.status,
                  (SELECT c.code || ' ' || s.code || ' ' || a.name FROM exam_invigilators i
                     JOIN exam_sittings x ON x.college_id = i.college_id AND x.id = i.sitting_id
                     JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
                     JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
                     JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
                     WHERE i.college_id = st.college_id AND i.staff_id = st.id
                       AND tstzrange(i.starts_at, i.ends_at) && tstzrange($2, $3)
                       AND i.sitting_id IS DISTINCT FROM $4 LIMIT 1) AS busy
           FROM staff st WHERE st.id = ANY($1)"#,
        &invigilators,
        starts_at,
        ends_at,
        existing
    )
    .fetch_all(&mut *conn)
    .await?;
    for i in &invigilators {
        match staff.iter().find(|s| s.id == *i) {
            None => errors.push(FieldError::new(
                "invigilators",
                "is not a staff member of this college",
            )),
            Some(s) if s.status == "left" => errors.push(FieldError::new(
                "invigilators",
                format!("{} has left the college", s.name),
            )),
            Some(s) => {
                if let Some(paper) = &s.busy {
                    errors.push(FieldError::new(
                        "invigilators",
                        format!("{} invigilates {paper} then", s.name),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let id = match existing {
        Some(id) => {
            sqlx::query!(
                "UPDATE exam_sittings SET assessment_id = $2, section_id = $3, term_id = $4, starts_at = $5, ends_at = $6 WHERE id = $1",
                id,
                input.assessment_id,
                assessment.section_id,
                assessment.term_id,
                starts_at,
                ends_at
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM exam_sitting_rooms WHERE sitting_id = $1", id)
                .execute(&mut *conn)
                .await?;
            sqlx::query!("DELETE FROM exam_invigilators WHERE sitting_id = $1", id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => sqlx::query_scalar!(
            "INSERT INTO exam_sittings (college_id, assessment_id, section_id, term_id, starts_at, ends_at) \
             VALUES (app_current_college(), $1, $2, $3, $4, $5) RETURNING id",
            input.assessment_id,
            assessment.section_id,
            assessment.term_id,
            starts_at,
            ends_at
        )
        .fetch_one(&mut *conn)
        .await?,
    };
    let (room_ids, seats): (Vec<Uuid>, Vec<i32>) = allotted.iter().copied().unzip();
    sqlx::query!(
        "INSERT INTO exam_sitting_rooms (college_id, sitting_id, room_id, seats, starts_at, ends_at) \
         SELECT app_current_college(), $1, r, n, $4, $5 FROM unnest($2::uuid[], $3::int[]) AS t(r, n)",
        id,
        &room_ids,
        &seats,
        starts_at,
        ends_at
    )
    .execute(&mut *conn)
    .await?;
    let placed = sqlx::query!(
        "INSERT INTO exam_invigilators (college_id, sitting_id, staff_id, starts_at, ends_at) \
         SELECT app_current_college(), $1, unnest($2::uuid[]), $3, $4",
        id,
        &invigilators,
        starts_at,
        ends_at
    )
    .execute(&mut *conn)
    .await;
    if let Err(e) = placed {
        // Two schedulers at once: the database kept the invigilator in one place.
        if e.as_database_error().and_then(|d| d.constraint()) == Some("exam_invigilators_clash") {
            return Err(AppError::Validation(vec![FieldError::new(
                "invigilators",
                format!("an invigilator was just given another paper at {when}"),
            )]));
        }
        return Err(e.into());
    }
    let after = find(conn, id).await?.ok_or(AppError::NotFound)?;
    let snapshot = |s: &Sitting| {
        serde_json::json!({
            "paper": s.label(), "starts_at": s.starts_at.to_string(), "ends_at": s.ends_at.to_string(),
            "rooms": s.room_names(), "invigilators": s.invigilator_names(),
        })
    };
    let mut entry = Entry::new(if existing.is_some() {
        "exam.sitting_changed"
    } else {
        "exam.sitting_scheduled"
    })
    .object("exam_sitting", id)
    .after(snapshot(&after));
    if let Some(b) = &before {
        entry = entry.before(snapshot(b));
    }
    audit::record(conn, context, entry).await?;
    Ok(id)
}

/// Cancels a sitting (its rooms, invigilators and seats go with it).
pub async fn delete(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
) -> Result<Sitting, AppError> {
    let found = find(conn, id).await?.ok_or(AppError::NotFound)?;
    sqlx::query!("DELETE FROM exam_sittings WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("exam.sitting_cancelled")
            .object("exam_sitting", id)
            .before(serde_json::json!({ "paper": found.label(), "starts_at": found.starts_at.to_string() })),
    )
    .await?;
    Ok(found)
}

/// Everything wrong with a term's exam timetable: students due at two papers at once,
/// rooms holding more than they seat, sittings whose students are not all seated.
pub async fn report(
    conn: &mut PgConnection,
    term: Uuid,
    zone: &str,
) -> Result<Vec<ClashLine>, sqlx::Error> {
    let mut lines = Vec::new();
    // Each student's papers, paired by student (a hash join), not each pair of papers
    // by its students: the work grows with the students' papers, not the papers squared.
    let students = sqlx::query!(
        r#"WITH taken AS (
               SELECT e.student_id, x.id, x.starts_at, x.ends_at
               FROM exam_sittings x
               JOIN enrollments e ON e.college_id = x.college_id AND e.section_id = x.section_id AND e.status = 'enrolled'
               WHERE x.term_id = $1),
           pairs AS (
               SELECT a.id AS first, b.id AS second, count(*) AS students
               FROM taken a JOIN taken b ON b.student_id = a.student_id AND b.id > a.id
                 AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
               GROUP BY a.id, b.id)
           SELECT p.first AS "id!", p.students AS "students!",
                  ca.code || ' ' || sa.code || ' ' || aa.name AS "first!",
                  cb.code || ' ' || sb.code || ' ' || ab.name AS "second!",
                  greatest(a.starts_at, b.starts_at) AS "from!"
           FROM pairs p
           JOIN exam_sittings a ON a.id = p.first
           JOIN exam_sittings b ON b.id = p.second
           JOIN assessments aa ON aa.college_id = a.college_id AND aa.id = a.assessment_id
           JOIN sections sa ON sa.college_id = a.college_id AND sa.id = a.section_id
           JOIN courses ca ON ca.college_id = sa.college_id AND ca.id = sa.course_id
           JOIN assessments ab ON ab.college_id = b.college_id AND ab.id = b.assessment_id
           JOIN sections sb ON sb.college_id = b.college_id AND sb.id = b.section_id
           JOIN courses cb ON cb.college_id = sb.college_id AND cb.id = sb.course_id
           ORDER BY 5, 3"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in students {
        lines.push(ClashLine {
            kind: "students".into(),
            message: format!(
                "{} student{} sit both {} and {} on {}",
                s.students,
                if s.students == 1 { "" } else { "s" },
                s.first,
                s.second,
                local(s.from, zone)
            ),
            sitting_id: s.id,
        });
    }
    let rooms = sqlx::query!(
        r#"SELECT a.sitting_id, r.code, r.capacity, a.starts_at,
                  (SELECT sum(o.seats) FROM exam_sitting_rooms o WHERE o.college_id = a.college_id
                     AND o.room_id = a.room_id AND tstzrange(o.starts_at, o.ends_at) && tstzrange(a.starts_at, a.ends_at))::int AS "load!"
           FROM exam_sitting_rooms a
           JOIN exam_sittings x ON x.college_id = a.college_id AND x.id = a.sitting_id
           JOIN rooms r ON r.college_id = a.college_id AND r.id = a.room_id
           WHERE x.term_id = $1 ORDER BY a.starts_at, r.code"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rooms.into_iter().filter(|r| r.load > r.capacity) {
        lines.push(ClashLine {
            kind: "room".into(),
            message: format!(
                "room {} seats {} but {} are allotted to it on {}",
                r.code,
                r.capacity,
                r.load,
                local(r.starts_at, zone)
            ),
            sitting_id: r.sitting_id,
        });
    }
    let unseated = sqlx::query!(
        r#"SELECT x.id, c.code || ' ' || s.code || ' ' || a.name AS "paper!", s.enrolled,
                  (SELECT count(*) FROM exam_seats e WHERE e.college_id = x.college_id AND e.sitting_id = x.id) AS "seated!",
                  (SELECT coalesce(sum(xr.seats), 0) FROM exam_sitting_rooms xr WHERE xr.college_id = x.college_id AND xr.sitting_id = x.id)::int AS "room_seats!"
           FROM exam_sittings x
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE x.term_id = $1 ORDER BY x.starts_at"#,
        term
    )
    .fetch_all(&mut *conn)
    .await?;
    for u in unseated {
        if i64::from(u.enrolled) > i64::from(u.room_seats) {
            lines.push(ClashLine {
                kind: "room".into(),
                message: format!(
                    "{} has {} students now but its rooms seat {}",
                    u.paper, u.enrolled, u.room_seats
                ),
                sitting_id: u.id,
            });
        } else if u.seated < i64::from(u.enrolled) {
            lines.push(ClashLine {
                kind: "unseated".into(),
                message: format!(
                    "{}: {} of {} students have a seat",
                    u.paper, u.seated, u.enrolled
                ),
                sitting_id: u.id,
            });
        }
    }
    Ok(lines)
}
