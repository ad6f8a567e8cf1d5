//! Each user's landing page after sign-in: panels chosen by what their roles allow,
//! each showing data that exists (a panel with nothing to show is left out).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::access::permissions::{Permission, Scope};
use crate::access::principal::Principal;
use crate::access::routes::{Access, Routes};
use crate::app::AppState;
use crate::db::begin_for_college_generic;
use crate::error::AppResult;
use crate::web::csrf;
use crate::web::layout::{Chrome, render};

pub fn routes() -> Routes {
    Routes::new().get("/dashboard", Access::SignedIn, page)
}

type Counts = Vec<(String, i64)>;

#[derive(sqlx::FromRow)]
struct StudentPanel {
    id: uuid::Uuid,
    student_number: String,
    name: String,
    program: String,
    year_of_study: i16,
    status: String,
}

#[derive(sqlx::FromRow)]
struct MeRow {
    last_login_at: Option<OffsetDateTime>,
    sessions: i64,
    student_id: Option<uuid::Uuid>,
    student_number: Option<String>,
    student_name: Option<String>,
    program: Option<String>,
    year_of_study: Option<i16>,
    student_status: Option<String>,
    guardians: Option<sqlx::types::Json<Vec<GuardianLine>>>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
struct GuardianLine {
    name: String,
    relationship: String,
    phone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditLine {
    at: OffsetDateTime,
    action: String,
    actor: Option<String>,
    object_type: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StaffPanel {
    title: Option<String>,
    department: Option<String>,
}

#[derive(Template)]
#[template(path = "identity/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    name: String,
    roles: Vec<String>,
    college: String,
    last_login: Option<OffsetDateTime>,
    sessions: i64,
    own_staff: Option<StaffPanel>,
    own_student: Option<StudentPanel>,
    guardians: Vec<GuardianLine>,
    children: Vec<StudentPanel>,
    enrolment_by_status: Counts,
    enrolment_by_program: Counts,
    department_students: Option<(String, i64)>,
    staff_by_department: Counts,
    accounts: Counts,
    recent_audit: Vec<AuditLine>,
    platform_colleges: Option<usize>,
    /// Registrars: sections of current terms that are full or have a waitlist.
    busy_sections: Vec<BusySection>,
    /// Staff: what waits for them (label, count, link), non-zero only.
    waiting: Vec<(&'static str, i64, &'static str)>,
    /// Students: today's classes.
    today: Vec<crate::academics::timetable::model::Slot>,
    /// Students: their enrolments.
    enrolments: Vec<crate::academics::catalog::model::EnrollmentView>,
    /// Students: attendance per course.
    attendance: Vec<crate::academics::attendance::model::CourseAttendance>,
    /// Guardians: their children's attendance per course.
    children_attendance: Vec<crate::academics::attendance::model::ChildAttendance>,
    /// Applicants: their applications.
    applications: Vec<crate::admissions::applications::model::Application>,
    /// Teachers: today's sessions of their sections, to mark.
    to_mark: Vec<TeachingSession>,
    /// Teachers: the sections they teach this term.
    teaching: Vec<BusySection>,
    /// Students: assignments still to hand in.
    deadlines: Vec<crate::coursework::assignments::model::AssignmentView>,
    /// Students: their latest marks.
    recent_marks: Vec<RecentMark>,
    /// Students and teachers: coming meetings of their sections.
    meetings: Vec<crate::coursework::content::model::MeetingView>,
    /// Teachers: assignments with hand-ins waiting for a grade.
    to_grade: Vec<ToGrade>,
    /// Registrars: students of current terms registered in at least one section, of all
    /// enrolled students; seats taken of all seats.
    registration_progress: Option<(i64, i64, i64, i64)>,
}

#[derive(sqlx::FromRow)]
struct RecentMark {
    course_code: String,
    assessment: String,
    score: f64,
    max_marks: f64,
}

#[derive(sqlx::FromRow)]
struct ToGrade {
    id: uuid::Uuid,
    label: String,
    waiting: i64,
}

#[derive(sqlx::FromRow)]
struct TeachingSession {
    id: uuid::Uuid,
    label: String,
    marked: i64,
}

impl DashboardPage {
    fn has_attendance(&self) -> bool {
        self.attendance.iter().any(|a| a.sessions > 0)
    }
}

#[derive(sqlx::FromRow)]
struct BusySection {
    id: uuid::Uuid,
    course_code: String,
    section: String,
    enrolled: i32,
    capacity: i32,
    waitlisted: i64,
}

const STUDENT_COLUMNS: &str = "s.id, s.student_number, s.first_name || ' ' || s.last_name AS name, \
     p.name AS program, s.year_of_study, s.status";

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college_generic(&state.db, principal.college).await?;
    let conn: &mut PgConnection = &mut tx;
    let me = principal.user_id;
    // Students and parents are not staff, nor teachers: their dashboard skips those panels.
    let may_be_staff = !principal.has_role(crate::access::permissions::Role::Student)
        && !principal.has_role(crate::access::permissions::Role::Parent)
        && !principal.has_role(crate::access::permissions::Role::Applicant);
    let teaches = principal.has_role(crate::access::permissions::Role::Teacher);
    let own_staff: Option<StaffPanel> = if !may_be_staff {
        None
    } else {
        sqlx::query_as(
            "SELECT s.title, d.name AS department FROM staff s LEFT JOIN departments d \
           ON d.college_id = s.college_id AND d.id = s.department_id WHERE s.user_id = $1",
        )
        .bind(me)
        .fetch_optional(&mut *conn)
        .await?
    };

    let grant = |p| principal.grant(p).map(|g| g.scope);
    let students = grant(Permission::StudentsRead);
    // The account, and for students their own record and guardians, in one statement.
    let me_row: MeRow = sqlx::query_as(
        "SELECT u.last_login_at, (SELECT count(*) FROM sessions x WHERE x.user_id = u.id \
             AND x.revoked_at IS NULL AND x.expires_at > now()) AS sessions, \
            s.id AS student_id, s.student_number, s.first_name || ' ' || s.last_name AS student_name, \
            p.name AS program, s.year_of_study, s.status AS student_status, \
            CASE WHEN $3 AND s.id IS NOT NULL THEN (SELECT coalesce(json_agg(json_build_object( \
                    'name', g.first_name || ' ' || g.last_name, 'relationship', l.relationship, \
                    'phone', g.phone) ORDER BY l.is_primary DESC, g.first_name || ' ' || g.last_name), '[]') \
                 FROM student_guardians l JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
                 WHERE l.college_id = s.college_id AND l.student_id = s.id) END AS guardians \
         FROM users u \
         LEFT JOIN students s ON $2 AND s.college_id = u.college_id AND s.user_id = u.id \
         LEFT JOIN programs p ON p.college_id = s.college_id AND p.id = s.program_id \
         WHERE u.id = $1",
    )
    .bind(me)
    .bind(students.is_some())
    .bind(grant(Permission::GuardiansRead).is_some())
    .fetch_one(&mut *conn)
    .await?;
    let (last_login, sessions) = (me_row.last_login_at, me_row.sessions);
    let guardians: Vec<GuardianLine> = me_row
        .guardians
        .map(|sqlx::types::Json(lines)| lines)
        .unwrap_or_default();
    let own_student = match me_row {
        MeRow {
            student_id: Some(id),
            student_number: Some(student_number),
            student_name: Some(name),
            program: Some(program),
            year_of_study: Some(year_of_study),
            student_status: Some(status),
            ..
        } => Some(StudentPanel {
            id,
            student_number,
            name,
            program,
            year_of_study,
            status,
        }),
        _ => None,
    };
    let children: Vec<StudentPanel> = if students.is_some_and(|s| s >= Scope::OwnChildren) {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STUDENT_COLUMNS} FROM guardians g \
             JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
             JOIN students s ON s.college_id = l.college_id AND s.id = l.student_id \
             JOIN programs p ON p.college_id = s.college_id AND p.id = s.program_id \
             WHERE g.user_id = $1 ORDER BY name"
        )))
        .bind(me)
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };

    let college_wide = |scope: Option<Scope>| scope == Some(Scope::College);
    let (enrolment_by_status, enrolment_by_program) = if college_wide(students) {
        (
            sqlx::query_as("SELECT status, count(*) FROM students GROUP BY status ORDER BY count(*) DESC")
                .fetch_all(&mut *conn)
                .await?,
            sqlx::query_as(
                "SELECT p.name, count(*) FROM students s JOIN programs p \
                   ON p.college_id = s.college_id AND p.id = s.program_id \
                 WHERE s.status = 'enrolled' GROUP BY p.name ORDER BY count(*) DESC, p.name LIMIT 8",
            )
            .fetch_all(&mut *conn)
            .await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let department_students: Option<(String, i64)> = if students == Some(Scope::Department) {
        sqlx::query_as(
            "SELECT d.name, (SELECT count(*) FROM students s JOIN programs p \
                 ON p.college_id = s.college_id AND p.id = s.program_id \
               WHERE p.department_id = d.id AND s.status = 'enrolled') \
             FROM staff st JOIN departments d ON d.college_id = st.college_id AND d.id = st.department_id \
             WHERE st.user_id = $1",
        )
        .bind(me)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        None
    };
    let staff_by_department: Counts = if college_wide(grant(Permission::StaffRead)) {
        sqlx::query_as(
            "SELECT coalesce(d.name, 'Administration'), count(*) FROM staff s LEFT JOIN departments d \
               ON d.college_id = s.college_id AND d.id = s.department_id \
             WHERE s.status = 'active' GROUP BY 1 ORDER BY count(*) DESC, 1",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    let accounts: Counts = if principal.can(Permission::UsersRead) {
        sqlx::query_as("SELECT status, count(*) FROM users GROUP BY status ORDER BY status")
            .fetch_all(&mut *conn)
            .await?
    } else {
        Vec::new()
    };
    let recent_audit: Vec<AuditLine> = if principal.can(Permission::AuditRead) {
        sqlx::query_as(
            "SELECT a.at, a.action, u.email::text AS actor, a.object_type FROM audit_log a \
             LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.actor_user_id \
             ORDER BY a.id DESC LIMIT 8",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    let busy_sections: Vec<BusySection> = if principal.can(Permission::RegistrationManage) {
        sqlx::query_as(
            "SELECT s.id, c.code AS course_code, s.code AS section, s.enrolled, s.capacity, \
                (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id \
                   AND e.section_id = s.id AND e.status = 'waitlisted') AS waitlisted \
             FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
             JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
             WHERE s.enrolled >= s.capacity OR EXISTS (SELECT 1 FROM enrollments e \
               WHERE e.college_id = s.college_id AND e.section_id = s.id AND e.status = 'waitlisted') \
             ORDER BY waitlisted DESC, c.code LIMIT 12",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    let own_student_id = match &own_student {
        Some(panel) => Some(panel.id),
        None if students.is_some() => None,
        None => crate::academics::catalog::queries::student_of(&mut *conn, me).await?,
    };
    let (today, enrolments, attendance) = match own_student_id {
        Some(student) => {
            let weekday = time::OffsetDateTime::now_utc()
                .weekday()
                .number_from_monday() as i16;
            let week =
                crate::academics::timetable::queries::of_student(&mut *conn, student).await?;
            (
                week.into_iter().filter(|s| s.weekday == weekday).collect(),
                crate::academics::catalog::queries::of_student(&mut *conn, student).await?,
                crate::academics::attendance::queries::of_student(&mut *conn, student).await?,
            )
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let (deadlines, recent_marks) = match own_student_id {
        Some(student) => (
            crate::coursework::assignments::queries::upcoming_for_student(&mut *conn, student).await?,
            sqlx::query_as(
                "SELECT c.code AS course_code, a.name AS assessment, m.score::float8 AS score, a.max_marks::float8 AS max_marks \
                 FROM marks m JOIN assessments a ON a.college_id = m.college_id AND a.id = m.assessment_id \
                 JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id \
                 JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
                 WHERE m.student_id = $1 ORDER BY m.entered_at DESC LIMIT 5",
            )
            .bind(student)
            .fetch_all(&mut *conn)
            .await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let meetings = crate::coursework::content::queries::upcoming_for_user(&mut *conn, me).await?;
    let to_grade: Vec<ToGrade> = if !teaches {
        Vec::new()
    } else {
        sqlx::query_as(
        "SELECT a.id, c.code || ' ' || s.code || ': ' || a.title AS label, count(*) AS waiting \
         FROM submissions sub JOIN assignments a ON a.college_id = sub.college_id AND a.id = sub.assignment_id \
         JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1 \
         WHERE sub.graded_at IS NULL GROUP BY a.id, 2 ORDER BY 2 LIMIT 12",
    )
    .bind(me)
    .fetch_all(&mut *conn)
    .await?
    };
    let registration_progress: Option<(i64, i64, i64, i64)> = if principal
        .can(Permission::RegistrationManage)
    {
        Some(
                sqlx::query_as(
                    "SELECT (SELECT count(DISTINCT e.student_id) FROM enrollments e \
                         JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id \
                         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
                         WHERE e.status = 'enrolled' AND current_date BETWEEN t.starts_on AND t.ends_on), \
                       (SELECT count(*) FROM students WHERE status = 'enrolled'), \
                       coalesce(sum(s.enrolled), 0)::int8, coalesce(sum(s.capacity), 0)::int8 \
                     FROM sections s JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
                     WHERE current_date BETWEEN t.starts_on AND t.ends_on",
                )
                .fetch_one(&mut *conn)
                .await?,
            )
    } else {
        None
    };
    let to_mark: Vec<TeachingSession> = if !teaches {
        Vec::new()
    } else {
        sqlx::query_as(
        "SELECT cs.id, c.code || ' ' || s.code || ', ' || lpad((cs.start_minute / 60)::text, 2, '0') || ':' \
                || lpad((cs.start_minute % 60)::text, 2, '0') AS label, \
            (SELECT count(*) FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id) AS marked \
         FROM class_sessions cs JOIN sections s ON s.college_id = cs.college_id AND s.id = cs.section_id \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1 \
         WHERE cs.held_on = current_date ORDER BY cs.start_minute",
    )
    .bind(me)
    .fetch_all(&mut *conn)
    .await?
    };
    let teaching: Vec<BusySection> = if !teaches {
        Vec::new()
    } else {
        sqlx::query_as(
        "SELECT s.id, c.code AS course_code, s.code AS section, s.enrolled, s.capacity, \
            (SELECT count(*) FROM enrollments e WHERE e.college_id = s.college_id \
               AND e.section_id = s.id AND e.status = 'waitlisted') AS waitlisted \
         FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id AND t.ends_on >= current_date \
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1 \
         ORDER BY c.code, s.code",
    )
    .bind(me)
    .fetch_all(&mut *conn)
    .await?
    };
    let children_attendance = if children.is_empty() {
        Vec::new()
    } else {
        crate::academics::attendance::queries::of_guardian_user(&mut *conn, me).await?
    };
    let mut waiting: Vec<(&'static str, i64, &'static str)> = Vec::new();
    if principal.can(Permission::GuardiansManage) {
        let n: i64 = sqlx::query_scalar!(
            "SELECT count(*) AS \"v!\" FROM guardian_link_requests WHERE status IN ('pending', 'unmatched')"
        )
        .fetch_one(&mut *conn)
        .await?;
        waiting.push((
            "guardian link requests to confirm",
            n,
            "/guardians/requests",
        ));
    }
    if principal.can(Permission::AdmissionsManage) {
        let n: i64 = sqlx::query_scalar!(
            "SELECT count(*) AS \"v!\" FROM applications WHERE status IN ('submitted', 'under_review')"
        )
        .fetch_one(&mut *conn)
        .await?;
        waiting.push(("applications to decide", n, "/admissions/intakes"));
    }
    if let Some(grant) = principal.grant(Permission::AchievementsReview) {
        let n = crate::achievements::queries::waiting_count(&mut *conn, &grant).await?;
        waiting.push(("achievements to review", n, "/achievements/review"));
    }
    if principal.can(Permission::LeaveApprove) {
        let n = crate::requests::leave::queries::waiting(&mut *conn, &principal)
            .await?
            .len() as i64;
        waiting.push(("leave requests to decide", n, "/requests"));
    }
    if let Some(grant) = principal.grant(Permission::TicketsManage) {
        // Unassigned tickets are the college-wide desk's to hand out.
        let desk = grant.scope >= Scope::College;
        let n: i64 = sqlx::query_scalar!(
            "SELECT count(*) AS \"v!\" FROM tickets WHERE status IN ('open', 'in_progress') \
             AND (assignee_id = $1 OR ($2 AND assignee_id IS NULL))",
            me,
            desk
        )
        .fetch_one(&mut *conn)
        .await?;
        waiting.push((
            if desk {
                "open tickets, yours or unassigned"
            } else {
                "open tickets assigned to you"
            },
            n,
            "/tickets?status=open",
        ));
    }
    waiting.retain(|(_, n, _)| *n > 0);
    let applications = if principal.can(Permission::AdmissionsApply) {
        crate::admissions::applications::queries::of_user(&mut *conn, me).await?
    } else {
        Vec::new()
    };
    let platform_colleges = if principal.can(Permission::PlatformManage) {
        Some(crate::platform::stats(&mut tx).await?.len())
    } else {
        None
    };
    tx.commit().await?;

    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = DashboardPage {
        chrome: Chrome::signed_in("Dashboard", &principal, csrf, "/dashboard"),
        name: principal.display_name.clone(),
        roles: principal.role_labels(),
        college: principal.college_name.clone(),
        last_login,
        sessions,
        own_staff,
        own_student,
        guardians,
        children,
        applications,
        enrolment_by_status,
        enrolment_by_program,
        department_students,
        staff_by_department,
        accounts,
        recent_audit,
        platform_colleges,
        busy_sections,
        waiting,
        today,
        enrolments,
        attendance,
        children_attendance,
        to_mark,
        teaching,
        deadlines,
        recent_marks,
        meetings,
        to_grade,
        registration_progress,
    };
    Ok((jar, render(&page)?).into_response())
}
