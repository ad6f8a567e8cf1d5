//! The demo college's everyday life, so each role finds work waiting: notices for each
//! audience, tickets and leave requests in several states (raised by generated students
//! and a teacher, never by the documented accounts, whose pages start empty),
//! achievements for the student organizer to review, and the counselor's notes on a few
//! students, those under the attendance minimum first.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::crypto::FieldKeys;
use crate::error::AppError;

/// A demo account's user id, by address.
async fn user_of(conn: &mut PgConnection, email: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM users WHERE email = $1::text", email)
        .fetch_optional(conn)
        .await
}

fn context_of(user: Uuid, role: &str) -> AuditContext {
    AuditContext {
        actor: Some(user),
        actor_role: Some(role.into()),
        request_id: Some("demo".into()),
        ..AuditContext::default()
    }
}

pub async fn load(conn: &mut PgConnection, keys: &FieldKeys) -> Result<(), AppError> {
    let domain = super::generate::DOMAIN;
    let fixed = super::generate::fixed_addresses();
    let principal = user_of(conn, &format!("principal@{domain}")).await?;
    let registrar = user_of(conn, &format!("registrar@{domain}")).await?;
    let warden = user_of(conn, &format!("warden@{domain}")).await?;
    let counselor = user_of(conn, &format!("counselor@{domain}")).await?;
    // Generated students (the youngest first) and a generated teacher.
    let students: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT u.id FROM students st JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id \
         WHERE st.status = 'enrolled' AND u.email::text <> ALL($1::text[]) \
         ORDER BY st.student_number DESC LIMIT 6",
        &fixed[..]
    )
    .fetch_all(&mut *conn)
    .await?;
    let teacher: Option<Uuid> = sqlx::query_scalar!(
        "SELECT u.id FROM staff sf JOIN users u ON u.college_id = sf.college_id AND u.id = sf.user_id \
         JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id AND r.role = 'teacher' \
         WHERE u.email::text <> ALL($1::text[]) ORDER BY sf.staff_number LIMIT 1",
        &fixed[..]
    )
    .fetch_optional(&mut *conn)
    .await?;

    notices(conn, principal, registrar).await?;
    if students.is_empty() {
        return Ok(());
    }
    let student = |i: usize| students[i % students.len()];
    tickets(conn, &student, teacher, warden, registrar).await?;
    leave(conn, &student, teacher, registrar).await?;
    if let Some(organizer) = user_of(conn, &format!("organizer@{domain}")).await? {
        achievements(conn, &student, organizer).await?;
    }
    if let Some(counselor) = counselor {
        guidance(conn, keys, counselor, &fixed).await?;
    }
    Ok(())
}

/// A notice for each audience, posted over the last days.
async fn notices(
    conn: &mut PgConnection,
    principal: Option<Uuid>,
    registrar: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    // (title, body, audience, days ago, days shown, posted by the principal)
    let notices: [(&str, &str, &str, i32, i32, bool); 5] = [
        (
            "Founders' Day on the river lawn",
            "Classes end at noon on Friday for Founders' Day: the college band, the alumni \
             talk and the boat race start at 2 pm on the river lawn. Everyone is welcome.",
            "everyone",
            1,
            14,
            true,
        ),
        (
            "Registration for this term is open",
            "Choose your sections on the Registration page before the window closes. Full \
             sections keep a waitlist: you are told at once when a seat comes free.",
            "students",
            6,
            30,
            false,
        ),
        (
            "Parent–teacher meetings next month",
            "Teachers meet parents on the second Saturday of next month, 9 am to 1 pm, in the \
             Administration Block. Your child's attendance and marks are on your dashboard.",
            "parents",
            3,
            40,
            true,
        ),
        (
            "Quiz marks due by Friday",
            "Please enter the marks of Quiz 1 for your sections by Friday: the dashboard lists \
             the assessments with marks still missing.",
            "staff",
            2,
            10,
            false,
        ),
        (
            "Campus tour for next year's applicants",
            "Applicants and their families can tour the campus every Saturday at 10 am; meet \
             at the Administration Block. Your application's status is on your dashboard.",
            "applicants",
            4,
            60,
            false,
        ),
    ];
    let titles: Vec<&str> = notices.iter().map(|n| n.0).collect();
    let bodies: Vec<&str> = notices.iter().map(|n| n.1).collect();
    let audiences: Vec<&str> = notices.iter().map(|n| n.2).collect();
    let ago: Vec<i32> = notices.iter().map(|n| n.3).collect();
    let shown: Vec<i32> = notices.iter().map(|n| n.4).collect();
    let by: Vec<Option<Uuid>> = notices
        .iter()
        .map(|n| if n.5 { principal } else { registrar })
        .collect();
    sqlx::query!(
        "INSERT INTO notices (college_id, title, body, audience, audience_keys, publish_at, expires_on, posted_by, created_at) \
         SELECT app_current_college(), t.title, t.body, t.audience, ARRAY[t.audience], now() - make_interval(days => t.ago), \
                current_date + t.shown, t.by, now() - make_interval(days => t.ago) \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::int4[], $6::uuid[]) \
              AS t(title, body, audience, ago, shown, by)",
        &titles as &[&str],
        &bodies as &[&str],
        &audiences as &[&str],
        &ago,
        &shown,
        &by as &[Option<Uuid>]
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A demo ticket as raised and, for some, handled.
struct DemoTicket {
    requester: Uuid,
    category: &'static str,
    title: &'static str,
    body: &'static str,
    location: &'static str,
    status: &'static str,
    assignee: Option<Uuid>,
    days_ago: i32,
}

/// Tickets of several kinds and states: open, in progress with the warden, resolved and
/// closed by the office.
async fn tickets(
    conn: &mut PgConnection,
    student: &dyn Fn(usize) -> Uuid,
    teacher: Option<Uuid>,
    warden: Option<Uuid>,
    registrar: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let rows = [
        DemoTicket {
            requester: student(0),
            category: "hostel",
            title: "No hot water on the second floor of Block B",
            body: "The water heater on the second floor has not worked since Monday morning.",
            location: "Hostel Block B, second floor",
            status: "open",
            assignee: None,
            days_ago: 1,
        },
        DemoTicket {
            requester: student(1),
            category: "hostel",
            title: "Window latch broken in room 214",
            body: "The latch came off and the window will not stay shut at night.",
            location: "Hostel Block A, room 214",
            status: "in_progress",
            assignee: warden,
            days_ago: 3,
        },
        DemoTicket {
            requester: student(2),
            category: "it",
            title: "Cannot sign in to the library computers",
            body: "The library computers refuse my college password since the last update.",
            location: "Central Library, ground floor",
            status: "open",
            assignee: None,
            days_ago: 2,
        },
        DemoTicket {
            requester: teacher.unwrap_or_else(|| student(3)),
            category: "maintenance",
            title: "Leaking tap in the chemistry lab",
            body: "The tap at the second bench drips all day; there is water on the floor.",
            location: "Science Block, chemistry lab",
            status: "resolved",
            assignee: registrar,
            days_ago: 9,
        },
        DemoTicket {
            requester: student(3),
            category: "finance",
            title: "No receipt for the term fee",
            body: "I paid the term fee at the office on the 2nd and have not had a receipt yet.",
            location: "",
            status: "open",
            assignee: None,
            days_ago: 4,
        },
        DemoTicket {
            requester: student(4),
            category: "library",
            title: "Renewing a book online",
            body: "Can books be renewed without coming to the desk? Mine is due on Monday.",
            location: "",
            status: "closed",
            assignee: registrar,
            days_ago: 15,
        },
    ];
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        "INSERT INTO tickets (college_id, number, requester_id, category, title, body, location, status, \
                              assignee_id, created_at, updated_at) \
         SELECT app_current_college(), (SELECT coalesce(max(number), 0) FROM tickets) + t.k, t.requester, \
                t.category, t.title, t.body, t.location, t.status, t.assignee, \
                now() - make_interval(days => t.ago), now() - make_interval(days => t.ago) + interval '5 hours' \
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::int4[]) \
              WITH ORDINALITY AS t(requester, category, title, body, location, status, assignee, ago, k) \
         RETURNING id",
        &rows.iter().map(|r| r.requester).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.category).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.title).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.body).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.location).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.status).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.assignee).collect::<Vec<_>>() as &[Option<Uuid>],
        &rows.iter().map(|r| r.days_ago).collect::<Vec<_>>()
    )
    .fetch_all(&mut *conn)
    .await?;
    // Each handled ticket says so in its history, as the update page writes it.
    sqlx::query!(
        "INSERT INTO ticket_comments (college_id, ticket_id, author_id, body, is_event, created_at) \
         SELECT app_current_college(), t.id, t.assignee_id, \
                'Status: open → ' || replace(t.status, '_', ' '), true, t.updated_at \
         FROM tickets t WHERE t.id = ANY($1) AND t.status <> 'open'",
        &ids
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Leave asked for by students (waiting for the registrar, approved, rejected,
/// withdrawn) and by a teacher (waiting for the principal).
async fn leave(
    conn: &mut PgConnection,
    student: &dyn Fn(usize) -> Uuid,
    teacher: Option<Uuid>,
    registrar: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    // (who, first day and last day from today, reason, status, the decision's comment)
    let mut rows: Vec<(Uuid, i32, i32, &str, &str, &str)> = vec![
        (
            student(0),
            5,
            6,
            "My sister's wedding in Mysuru; I travel on both days.",
            "pending",
            "",
        ),
        (
            student(1),
            9,
            10,
            "Representing the college at the inter-college debate final.",
            "pending",
            "",
        ),
        (
            student(2),
            14,
            15,
            "A follow-up visit to the hospital in the city.",
            "approved",
            "Granted. Get well soon.",
        ),
        (
            student(3),
            3,
            4,
            "A family trip to the hills.",
            "rejected",
            "Quiz 2 falls on these days; please ask again for another week.",
        ),
        (
            student(4),
            7,
            7,
            "My cousin's engagement ceremony.",
            "cancelled",
            "",
        ),
    ];
    if let Some(teacher) = teacher {
        rows.push((
            teacher,
            20,
            22,
            "Presenting a paper at the regional science education conference in Pune.",
            "pending",
            "",
        ));
    }
    // A student's leave goes to the registrar (the demo's students have no advisor), a
    // teacher's to the principal; a decided request has moved past its one stage, with
    // the registrar's decision (a request is known by its asker and first day).
    sqlx::query!(
        "WITH t AS (SELECT * FROM unnest($1::uuid[], $2::int4[], $3::int4[], $4::text[], $5::text[], $6::text[]) \
                    AS t(who, first, last, reason, status, comment)), \
         made AS (INSERT INTO leave_requests (college_id, user_id, student_id, starts_on, ends_on, reason, chain, \
                                              stage, status, created_at) \
            SELECT app_current_college(), t.who, st.id, current_date + t.first, current_date + t.last, t.reason, \
                   CASE WHEN st.id IS NULL THEN ARRAY['principal'] ELSE ARRAY['registrar'] END, \
                   CASE WHEN t.status IN ('approved', 'rejected') THEN 2 ELSE 1 END, t.status, \
                   now() - make_interval(days => 2 + t.first % 3) \
            FROM t LEFT JOIN students st ON st.college_id = app_current_college() AND st.user_id = t.who \
            RETURNING id, user_id, starts_on, status, chain, created_at) \
         INSERT INTO leave_decisions (college_id, request_id, stage, approver, decision, comment, decided_by, decided_at) \
         SELECT app_current_college(), m.id, 1, m.chain[1], m.status, t.comment, $7, m.created_at + interval '1 day' \
         FROM made m JOIN t ON t.who = m.user_id AND current_date + t.first = m.starts_on \
         WHERE m.status IN ('approved', 'rejected')",
        &rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.3).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.4).collect::<Vec<_>>() as &[&str],
        &rows.iter().map(|r| r.5).collect::<Vec<_>>() as &[&str],
        registrar
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The student organizer reviews sports and cultural achievements; two wait for them,
/// and a technical one for the department's teachers.
async fn achievements(
    conn: &mut PgConnection,
    student: &dyn Fn(usize) -> Uuid,
    organizer: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO achievement_organizers (college_id, user_id, category) \
         SELECT app_current_college(), $1, c FROM unnest(ARRAY['sports', 'cultural']) AS c \
         ON CONFLICT DO NOTHING",
        organizer
    )
    .execute(&mut *conn)
    .await?;
    let who = [student(1), student(2), student(0)];
    sqlx::query!(
        "INSERT INTO achievements (college_id, student_id, title, category, achieved_on, organiser, description, \
                                   created_at) \
         SELECT app_current_college(), st.id, t.title, t.category, current_date - t.ago, t.organiser, t.description, \
                now() - make_interval(days => t.ago - 2) \
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[]) \
              AS t(who, title, category, ago, organiser, description) \
         JOIN students st ON st.college_id = app_current_college() AND st.user_id = t.who",
        &who[..],
        &["Runners-up, inter-college football final", "Lead role in the annual play", "Second place, state robotics challenge"][..] as &[&str],
        &["sports", "cultural", "technical"][..] as &[&str],
        &[10, 20, 30][..],
        &["Riverside Sports Council", "Riverside Drama Society", "State Robotics League"][..] as &[&str],
        &[
            "Played all four matches of the tournament as goalkeeper.",
            "Played the lead in this year's production, three evenings.",
            "Built the line-following robot with two classmates.",
        ][..] as &[&str]
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The counselor's notes on three students, those under the attendance minimum first
/// (written through the guidance domain: encrypted, and in the audit trail).
async fn guidance(
    conn: &mut PgConnection,
    keys: &FieldKeys,
    counselor: Uuid,
    fixed: &[String],
) -> Result<(), AppError> {
    let students: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT st.id FROM students st JOIN users u ON u.college_id = st.college_id AND u.id = st.user_id \
         WHERE st.status = 'enrolled' AND u.email::text <> ALL($1::text[]) \
         ORDER BY EXISTS (SELECT 1 FROM attendance_alerts y WHERE y.college_id = st.college_id \
                  AND y.student_id = st.id) DESC, st.student_number DESC LIMIT 3",
        fixed
    )
    .fetch_all(&mut *conn)
    .await?;
    let notes = [
        "Met after the attendance alert. The bus from home takes two hours; we talked \
         about a hostel place and a plan to catch up on the classes missed.",
        "Came in worried about the exams. Shared the dates of the study-skills workshop; \
         we meet again in two weeks.",
        "Asked about changing to a program with more laboratory work; referred to the \
         department's coordinator with the options.",
    ];
    let context = context_of(counselor, "counselor");
    for (student, body) in students.into_iter().zip(notes) {
        crate::guidance::queries::add(
            conn,
            keys,
            &context,
            student,
            &crate::guidance::model::NoteInput { body: body.into() },
        )
        .await?;
    }
    Ok(())
}
