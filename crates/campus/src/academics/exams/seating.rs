//! Seating plans: every sitting of a day seated together, room by room, so papers that
//! share a hall alternate seat by seat (no one sits beside someone writing the same
//! paper when another is there) and a seat freed by a paper that ended is used again.
//! Students fill a sitting's rooms in the order of their numbers.

use std::collections::BTreeMap;

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::academics::exams::model::Seat;
use crate::audit::{self, AuditContext, Entry};
use crate::error::AppError;
use crate::web::time::{local_date, start_of};

/// A sitting's students in one of its rooms, for the seating.
#[derive(Debug, Clone)]
pub struct Party {
    pub sitting: Uuid,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub students: Vec<Uuid>,
}

/// Seats the parties of one room: earliest first, those starting together taking seats
/// in turn; a seat is free again once the party holding it has ended. `None` when the
/// room runs out of seats (the parties allotted more than it holds).
pub fn seat_room(capacity: i32, mut parties: Vec<Party>) -> Option<Vec<(Uuid, Uuid, i32)>> {
    parties.sort_by_key(|p| (p.starts_at, p.sitting));
    // When each seat is free again (index 0 unused).
    let mut until: Vec<Option<OffsetDateTime>> =
        vec![None; usize::try_from(capacity).unwrap_or(0) + 1];
    let mut out = Vec::new();
    let mut index = 0;
    while index < parties.len() {
        let start = parties[index].starts_at;
        let batch: Vec<&Party> = parties[index..]
            .iter()
            .take_while(|p| p.starts_at == start)
            .collect();
        index += batch.len();
        let free: Vec<usize> = (1..until.len())
            .filter(|seat| until[*seat].is_none_or(|ends| ends <= start))
            .collect();
        let mut free = free.into_iter();
        let mut queues: Vec<std::slice::Iter<'_, Uuid>> =
            batch.iter().map(|p| p.students.iter()).collect();
        let mut remaining: usize = batch.iter().map(|p| p.students.len()).sum();
        while remaining > 0 {
            for (party, queue) in batch.iter().zip(queues.iter_mut()) {
                if let Some(student) = queue.next() {
                    let seat = free.next()?;
                    until[seat] = Some(party.ends_at);
                    out.push((party.sitting, *student, i32::try_from(seat).ok()?));
                    remaining -= 1;
                }
            }
        }
    }
    Some(out)
}

/// Seats every sitting of the day `sitting` is on (the college's day), replacing their
/// plans; refused, nothing changed, when a sitting has more students than its rooms
/// were given seats for. Returns how many students were seated.
pub async fn seat_day(
    conn: &mut PgConnection,
    context: &AuditContext,
    zone: &str,
    sitting: Uuid,
) -> Result<usize, AppError> {
    let starts_at: OffsetDateTime =
        sqlx::query_scalar!("SELECT starts_at FROM exam_sittings WHERE id = $1", sitting)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    let day = local_date(starts_at, zone);
    let from = start_of(day, 0, zone).unwrap_or(starts_at);
    let to = start_of(day, 24 * 60, zone).unwrap_or(starts_at);
    // Every sitting of the day, locked so two seatings of the same day wait in turn.
    let sittings = sqlx::query!(
        r#"SELECT x.id, x.starts_at, x.ends_at, c.code || ' ' || s.code || ' ' || a.name AS "paper!"
           FROM exam_sittings x
           JOIN assessments a ON a.college_id = x.college_id AND a.id = x.assessment_id
           JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           WHERE x.starts_at >= $1 AND x.starts_at < $2 ORDER BY x.starts_at, x.id FOR UPDATE OF x"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = sittings.iter().map(|s| s.id).collect();
    let students = sqlx::query!(
        "SELECT x.id AS sitting, e.student_id FROM exam_sittings x \
         JOIN enrollments e ON e.college_id = x.college_id AND e.section_id = x.section_id AND e.status = 'enrolled' \
         JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id \
         WHERE x.id = ANY($1) ORDER BY x.id, st.student_number",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let rooms = sqlx::query!(
        "SELECT xr.sitting_id, xr.room_id, xr.seats, r.code, r.capacity FROM exam_sitting_rooms xr \
         JOIN rooms r ON r.college_id = xr.college_id AND r.id = xr.room_id \
         WHERE xr.sitting_id = ANY($1) ORDER BY xr.sitting_id, r.code",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_room: BTreeMap<Uuid, (String, i32, Vec<Party>)> = BTreeMap::new();
    for s in &sittings {
        let mut mine = students
            .iter()
            .filter(|x| x.sitting == s.id)
            .map(|x| x.student_id);
        let its_rooms: Vec<_> = rooms.iter().filter(|r| r.sitting_id == s.id).collect();
        let room_seats: i32 = its_rooms.iter().map(|r| r.seats).sum();
        let count = students.iter().filter(|x| x.sitting == s.id).count();
        if count > usize::try_from(room_seats).unwrap_or(0) {
            return Err(AppError::Conflict(format!(
                "{} has {count} students but its rooms were given {room_seats} seats: change the sitting's rooms first",
                s.paper
            )));
        }
        for r in its_rooms {
            let party: Vec<Uuid> = mine
                .by_ref()
                .take(usize::try_from(r.seats).unwrap_or(0))
                .collect();
            if party.is_empty() {
                continue;
            }
            by_room
                .entry(r.room_id)
                .or_insert_with(|| (r.code.clone(), r.capacity, Vec::new()))
                .2
                .push(Party {
                    sitting: s.id,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    students: party,
                });
        }
    }
    let mut seat_sittings = Vec::new();
    let mut seat_students = Vec::new();
    let mut seat_rooms = Vec::new();
    let mut seat_numbers = Vec::new();
    for (room, (code, capacity, parties)) in by_room {
        let seated = seat_room(capacity, parties).ok_or_else(|| {
            AppError::Conflict(format!(
                "room {code} seats {capacity}, fewer than the papers given to it at once that day"
            ))
        })?;
        for (sitting, student, seat) in seated {
            seat_sittings.push(sitting);
            seat_students.push(student);
            seat_rooms.push(room);
            seat_numbers.push(seat);
        }
    }
    sqlx::query!("DELETE FROM exam_seats WHERE sitting_id = ANY($1)", &ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO exam_seats (college_id, sitting_id, student_id, room_id, seat, starts_at, ends_at) \
         SELECT app_current_college(), t.sitting, t.student, t.room, t.seat, x.starts_at, x.ends_at \
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[]) AS t(sitting, student, room, seat) \
         JOIN exam_sittings x ON x.id = t.sitting",
        &seat_sittings,
        &seat_students,
        &seat_rooms,
        &seat_numbers
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("exam.seated")
            .object("exam_sitting", sitting)
            .after(serde_json::json!({
                "day": day.to_string(), "sittings": ids.len(), "students": seat_students.len(),
            })),
    )
    .await?;
    Ok(seat_students.len())
}

/// A sitting's seating plan, room by room, seat by seat.
pub async fn plan(conn: &mut PgConnection, sitting: Uuid) -> Result<Vec<Seat>, sqlx::Error> {
    sqlx::query_as!(
        Seat,
        r#"SELECT e.student_id, st.student_number, st.first_name || ' ' || st.last_name AS "name!",
                  e.room_id, r.code AS room, e.seat
           FROM exam_seats e
           JOIN students st ON st.college_id = e.college_id AND st.id = e.student_id
           JOIN rooms r ON r.college_id = e.college_id AND r.id = e.room_id
           WHERE e.sitting_id = $1 ORDER BY r.code, e.seat"#,
        sitting
    )
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(n: u128, start: i64, end: i64, students: u128) -> Party {
        Party {
            sitting: Uuid::from_u128(n),
            starts_at: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(start),
            ends_at: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(end),
            students: (0..students)
                .map(|s| Uuid::from_u128(n * 1000 + s))
                .collect(),
        }
    }

    #[test]
    fn papers_sharing_a_room_alternate_and_seats_free_up_when_a_paper_ends() {
        let seated = seat_room(6, vec![party(1, 9, 12, 3), party(2, 9, 11, 2)]).expect("fits");
        let seats: Vec<(u128, i32)> = seated
            .iter()
            .map(|(sitting, _, seat)| (sitting.as_u128(), *seat))
            .collect();
        assert_eq!(seats, [(1, 1), (2, 2), (1, 3), (2, 4), (1, 5)]);
        // Paper 2 ends at 11: a paper at 11 takes its seats, not paper 1's.
        let seated = seat_room(
            6,
            vec![party(1, 9, 12, 3), party(2, 9, 11, 2), party(3, 11, 13, 3)],
        )
        .expect("fits");
        let third: Vec<i32> = seated
            .iter()
            .filter(|(s, _, _)| s.as_u128() == 3)
            .map(|(_, _, seat)| *seat)
            .collect();
        assert_eq!(third, [2, 4, 6]);
        // Every seat is held once at a time.
        assert!(seat_room(4, vec![party(1, 9, 12, 3), party(2, 10, 11, 2)]).is_none());
    }
}
