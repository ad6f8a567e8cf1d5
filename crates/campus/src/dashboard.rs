//! Each user's landing page after sign-in, assembled from the panels the domains provide
//! (each domain's `panels.rs`): which panels a user sees follows from what their roles
//! allow, and a panel with nothing to show is left out.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::academics::assessment::panels::RecentMark;
use crate::academics::attendance::panels::SessionToMark;
use crate::academics::catalog::model::EnrollmentView;
use crate::academics::catalog::panels::{RegistrationProgress, SectionSeats};
use crate::academics::timetable::model::Slot;
use crate::access::permissions::{Permission, Role, Scope};
use crate::access::principal::Principal;
use crate::access::routes::{Access, Routes};
use crate::app::AppState;
use crate::audit::panels::RecentEntry;
use crate::coursework::panels::ToGrade;
use crate::db::begin_for_college_generic;
use crate::error::AppResult;
use crate::staff::panels::OwnPost;
use crate::students::panels::{GuardianLine, StudentCard};
use crate::web::csrf;
use crate::web::layout::{Chrome, render};

pub fn routes() -> Routes {
    Routes::new().get("/dashboard", Access::SignedIn, page)
}

type Counts = Vec<(String, i64)>;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    name: String,
    roles: Vec<String>,
    college: String,
    last_login: Option<OffsetDateTime>,
    sessions: i64,
    own_staff: Option<OwnPost>,
    own_student: Option<StudentCard>,
    guardians: Vec<GuardianLine>,
    children: Vec<StudentCard>,
    enrolment_by_status: Counts,
    enrolment_by_program: Counts,
    department_students: Option<(String, i64)>,
    staff_by_department: Counts,
    accounts: Counts,
    recent_audit: Vec<RecentEntry>,
    platform_colleges: Option<usize>,
    /// Registrars: sections of current terms that are full or have a waitlist.
    busy_sections: Vec<SectionSeats>,
    /// Staff: what waits for them (label, count, link), non-zero only.
    waiting: Vec<(&'static str, i64, &'static str)>,
    /// Students: today's classes.
    today: Vec<Slot>,
    /// Students: their enrolments.
    enrolments: Vec<EnrollmentView>,
    /// Students: attendance per course against the college's minimum (SVG).
    attendance_chart: Option<String>,
    /// Guardians: each child's name and attendance chart.
    children_charts: Vec<(String, String)>,
    /// Applicants: their applications.
    applications: Vec<crate::admissions::applications::model::Application>,
    /// Teachers: today's sessions of their sections, to mark.
    to_mark: Vec<SessionToMark>,
    /// Teachers: the sections they teach this term.
    teaching: Vec<SectionSeats>,
    /// Students: assignments still to hand in.
    deadlines: Vec<crate::coursework::assignments::model::AssignmentView>,
    /// Students: their latest marks.
    recent_marks: Vec<RecentMark>,
    /// Students and teachers: coming meetings of their sections.
    meetings: Vec<crate::coursework::content::model::MeetingView>,
    /// Teachers: assignments with hand-ins waiting for a grade.
    to_grade: Vec<ToGrade>,
    /// Registrars: registration in the current terms.
    registration_progress: Option<RegistrationProgress>,
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college_generic(&state.db, principal.college).await?;
    let conn: &mut PgConnection = &mut tx;
    let me = principal.user_id;
    // Students, parents and applicants are neither staff nor teachers.
    let may_be_staff = ![Role::Student, Role::Parent, Role::Applicant]
        .into_iter()
        .any(|role| principal.has_role(role));
    let teaches = principal.has_role(Role::Teacher);
    let scope = |p| principal.grant(p).map(|g| g.scope);
    let students = scope(Permission::StudentsRead);
    let college_wide = |scope: Option<Scope>| scope == Some(Scope::College);

    let account = crate::identity::account::panels::summary(&mut *conn, me).await?;
    let own_staff = if may_be_staff {
        crate::staff::panels::own_post(&mut *conn, me).await?
    } else {
        None
    };
    let (own_student, guardians) = match students {
        Some(_) => {
            let with_guardians = principal.can(Permission::GuardiansRead);
            match crate::students::panels::own_record(&mut *conn, me, with_guardians).await? {
                Some((card, guardians)) => (Some(card), guardians),
                None => (None, Vec::new()),
            }
        }
        None => (None, Vec::new()),
    };
    let children = if students.is_some_and(|s| s >= Scope::OwnChildren) {
        crate::students::panels::children(&mut *conn, me).await?
    } else {
        Vec::new()
    };
    let (enrolment_by_status, enrolment_by_program) = if college_wide(students) {
        (
            crate::students::panels::by_status(&mut *conn).await?,
            crate::students::panels::by_program(&mut *conn).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let department_students = if students == Some(Scope::Department) {
        crate::students::panels::of_own_department(&mut *conn, me).await?
    } else {
        None
    };
    let staff_by_department = if college_wide(scope(Permission::StaffRead)) {
        crate::staff::panels::by_department(&mut *conn).await?
    } else {
        Vec::new()
    };
    let accounts = if principal.can(Permission::UsersRead) {
        crate::users::panels::accounts_by_status(&mut *conn).await?
    } else {
        Vec::new()
    };
    let recent_audit = if principal.can(Permission::AuditRead) {
        crate::audit::panels::latest(&mut *conn).await?
    } else {
        Vec::new()
    };
    let registrar = principal.can(Permission::RegistrationManage);
    let (busy_sections, registration_progress) = if registrar {
        (
            crate::academics::catalog::panels::full_or_waitlisted(&mut *conn).await?,
            Some(crate::academics::catalog::panels::progress(&mut *conn).await?),
        )
    } else {
        (Vec::new(), None)
    };

    let own_student_id = match &own_student {
        Some(card) => Some(card.id),
        None if students.is_some() => None,
        None => crate::academics::catalog::queries::student_of(&mut *conn, me).await?,
    };
    let (today, enrolments, attendance, deadlines, recent_marks) = match own_student_id {
        Some(student) => {
            let weekday = OffsetDateTime::now_utc().weekday().number_from_monday() as i16;
            let week =
                crate::academics::timetable::queries::of_student(&mut *conn, student).await?;
            (
                week.into_iter().filter(|s| s.weekday == weekday).collect(),
                crate::academics::catalog::queries::of_student(&mut *conn, student).await?,
                crate::academics::attendance::queries::of_student(&mut *conn, student).await?,
                crate::coursework::assignments::queries::upcoming_for_student(&mut *conn, student)
                    .await?,
                crate::academics::assessment::panels::latest_marks(&mut *conn, student).await?,
            )
        }
        None => Default::default(),
    };
    let meetings = crate::coursework::content::queries::upcoming_for_user(&mut *conn, me).await?;
    let (to_grade, to_mark, teaching) = if teaches {
        (
            crate::coursework::panels::to_grade(&mut *conn, me).await?,
            crate::academics::attendance::panels::today_for_teacher(&mut *conn, me).await?,
            crate::academics::catalog::panels::taught_by(&mut *conn, me).await?,
        )
    } else {
        Default::default()
    };
    let children_attendance = if children.is_empty() {
        Vec::new()
    } else {
        crate::academics::attendance::queries::of_guardian_user(&mut *conn, me).await?
    };
    let marked = attendance.iter().any(|a| a.percent.is_some())
        || children_attendance
            .iter()
            .any(|c| c.courses.iter().any(|a| a.percent.is_some()));
    let threshold = if marked {
        crate::academics::attendance::panels::threshold(&mut *conn).await?
    } else {
        0
    };
    let attendance_chart = crate::academics::attendance::panels::chart(
        "Your attendance by course",
        &attendance,
        threshold,
    );
    let children_charts = children_attendance
        .iter()
        .filter_map(|child| {
            crate::academics::attendance::panels::chart(
                &format!("Attendance of {} by course", child.name),
                &child.courses,
                threshold,
            )
            .map(|chart| (child.name.clone(), chart))
        })
        .collect();

    let mut waiting: Vec<(&'static str, i64, &'static str)> = Vec::new();
    if principal.can(Permission::GuardiansManage) {
        let n = crate::guardians::panels::requests_waiting(&mut *conn).await?;
        waiting.push((
            "guardian link requests to confirm",
            n,
            "/guardians/requests",
        ));
    }
    if principal.can(Permission::AdmissionsManage) {
        let n = crate::admissions::panels::applications_waiting(&mut *conn).await?;
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
        let n = crate::requests::panels::tickets_waiting(&mut *conn, me, desk).await?;
        let label = if desk {
            "open tickets, yours or unassigned"
        } else {
            "open tickets assigned to you"
        };
        waiting.push((label, n, "/tickets?status=open"));
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
        last_login: account.last_login_at,
        sessions: account.sessions,
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
        attendance_chart,
        children_charts,
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
