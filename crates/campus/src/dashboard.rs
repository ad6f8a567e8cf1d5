//! Each user's landing page after sign-in, assembled from the panels the domains provide
//! (each domain's `panels.rs`): which panels a user sees follows from what their roles
//! allow, and a panel with nothing to show is left out. Staff find their work first, in
//! a "To do" panel shaped by their roles: a teacher's classes of today (attendance taken
//! in one click), marks to enter and work to grade; the office's counts of what waits; a
//! counselor's caseload and students at risk; for roles whose module Campus does not have
//! yet, a plain word saying so and what they can do meanwhile.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::academics::assessment::panels::{Failing, MarksMissing, RecentMark};
use crate::academics::attendance::panels::{LowAttendance, SessionToMark, TodayClass};
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
use crate::guidance::panels::CaseloadLine;
use crate::staff::panels::OwnPost;
use crate::students::panels::{Enrolled, GuardianLine, StudentCard};
use crate::web::chart::{Bar, percent_bars};
use crate::web::csrf;
use crate::web::layout::{Chrome, render};

pub fn routes() -> Routes {
    Routes::new().get("/dashboard", Access::SignedIn, page)
}

type Counts = Vec<(String, i64)>;

/// A role whose module Campus does not have yet, said plainly, with what its holder can
/// do in Campus meanwhile.
struct MissingModule {
    /// "Hostel management is not part of Campus yet."
    said: &'static str,
    /// What they can do today: (words, link).
    meanwhile: Vec<(String, &'static str)>,
}

/// The college's attendance of the last 30 days, as a figure and a bar against the
/// minimum.
struct AttendanceOverview {
    percent: f64,
    marks: i64,
    threshold: i16,
    chart: String,
}

/// Bars of counts (students per program or department), each relative to the largest;
/// `None` when there is nothing to draw.
fn count_bars(title: &str, rows: &[Enrolled]) -> Option<String> {
    let largest = rows.iter().map(|r| r.students).max().unwrap_or(0);
    if largest == 0 {
        return None;
    }
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r.code.clone(),
            percent: 100.0 * r.students as f64 / largest as f64,
            note: format!(
                "{} {}",
                r.students,
                if r.students == 1 {
                    "student"
                } else {
                    "students"
                }
            ),
        })
        .collect();
    Some(percent_bars(title, &bars, None))
}

/// The demo college's slug: its administrator is shown things to try.
const DEMO_SLUG: &str = crate::demo::generate::SLUG;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    csrf: String,
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
    waiting: Vec<(String, i64, &'static str)>,
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
    /// Staff: whether the "To do" panel is shown.
    todo: bool,
    /// Teachers: today's classes from the timetable, with their session once made.
    classes_today: Vec<TodayClass>,
    /// Why no classes are held today (a holiday, an exam period), as (kind, name).
    no_classes: Option<(String, String)>,
    /// The steps of setting the college up, until every one is done (administrators).
    setup: Option<crate::institution::setup::checklist::Checklist>,
    /// Teachers: assessments with marks still to enter.
    marks_missing: Vec<MarksMissing>,
    /// Counselors: the students they have written notes about.
    caseload: Vec<CaseloadLine>,
    /// Counselors: students under the attendance minimum lately.
    low_attendance: Vec<LowAttendance>,
    /// Counselors: students who failed a course in the last published term.
    failing: Vec<Failing>,
    /// Wardens, librarians and accountants: their module, not in Campus yet.
    missing_modules: Vec<MissingModule>,
    /// Principals: enrolled students per department and per program (SVG).
    department_chart: Option<String>,
    program_chart: Option<String>,
    /// Principals: what the charts' codes stand for.
    chart_key: Vec<(String, String)>,
    /// Principals: the college's attendance of the last 30 days.
    attendance_overview: Option<AttendanceOverview>,
    /// The demo college's administrator: things to try (words, link).
    things_to_try: Vec<(&'static str, String)>,
    /// The next 30 days' holidays, exam periods and events for the reader (the
    /// college's, their department's and their sections').
    coming_up: Vec<crate::institution::calendar::model::CalendarEntry>,
}

impl DashboardPage {
    /// Whether anything of the "To do" panel is shown.
    fn todo_empty(&self) -> bool {
        self.classes_today.is_empty()
            && self.to_mark.is_empty()
            && self.marks_missing.is_empty()
            && self.to_grade.is_empty()
            && self.waiting.is_empty()
            && self.caseload.is_empty()
            && self.low_attendance.is_empty()
            && self.failing.is_empty()
            && self.missing_modules.is_empty()
            && self.setup.is_none()
    }
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
    // Wardens, librarians and accountants whose module Campus does not have yet are
    // told so plainly instead of being shown the college's figures.
    let service_roles: Vec<Role> = [Role::Warden, Role::Librarian, Role::Accountant]
        .into_iter()
        .filter(|role| principal.has_role(*role))
        .collect();
    let only_service = !service_roles.is_empty()
        && principal.roles.iter().all(|name| {
            Role::parse(name)
                .is_some_and(|r| matches!(r, Role::Warden | Role::Librarian | Role::Accountant))
        });
    let is_principal = principal.has_role(Role::Principal);

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
    let (enrolment_by_status, enrolment_by_program) = if college_wide(students) && !only_service {
        (
            crate::students::panels::by_status(&mut *conn).await?,
            // The principal sees the programs drawn as bars instead.
            if is_principal {
                Vec::new()
            } else {
                crate::students::panels::by_program(&mut *conn).await?
            },
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let department_students = if students == Some(Scope::Department) {
        crate::students::panels::of_own_department(&mut *conn, me).await?
    } else {
        None
    };
    let staff_by_department = if college_wide(scope(Permission::StaffRead)) && !only_service {
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
    let setup = if principal.can(Permission::InstitutionManage) && !only_service {
        Some(crate::institution::setup::checklist::checklist(&mut *conn).await?)
            .filter(|c| !c.ready())
    } else {
        None
    };
    let only_applying = principal
        .roles
        .iter()
        .all(|r| r == Role::Applicant.as_str());
    let day = OffsetDateTime::now_utc().date();
    const COMING: i64 = 8;
    let coming_up = if only_applying {
        Vec::new()
    } else {
        crate::institution::calendar::entries::between(
            &mut *conn,
            me,
            day,
            day + time::Duration::days(30),
            COMING,
        )
        .await?
    };
    // The college calendar suspends the timetable on holidays and in exam periods. The
    // entries read for "Coming up" hold every one running today unless the list was cut.
    let no_classes = if own_student_id.is_some() || teaches {
        if !only_applying && (coming_up.len() as i64) < COMING {
            coming_up
                .iter()
                .filter(|e| {
                    crate::institution::calendar::entries::suspends_classes(&e.kind)
                        && e.starts_on <= day
                        && day <= e.ends_on
                })
                .min_by_key(|e| (std::cmp::Reverse(e.kind.clone()), e.starts_on))
                .map(|e| (e.kind.clone(), e.name.clone()))
        } else {
            crate::institution::calendar::entries::suspended(&mut *conn, day).await?
        }
    } else {
        None
    };
    let (today, enrolments, attendance, deadlines, recent_marks) = match own_student_id {
        Some(student) => {
            let weekday = OffsetDateTime::now_utc().weekday().number_from_monday() as i16;
            let week =
                crate::academics::timetable::queries::of_student(&mut *conn, student).await?;
            (
                week.into_iter()
                    .filter(|s| s.weekday == weekday && no_classes.is_none())
                    .collect(),
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
    let (to_grade, to_mark, teaching, classes_today, marks_missing) = if teaches {
        let classes = if no_classes.is_none() {
            crate::academics::attendance::panels::classes_today(&mut *conn, me).await?
        } else {
            Vec::new()
        };
        // Sessions of today that no class of the timetable stands for (added by hand).
        let extra: Vec<SessionToMark> =
            crate::academics::attendance::panels::today_for_teacher(&mut *conn, me)
                .await?
                .into_iter()
                .filter(|s| !classes.iter().any(|c| c.session_id == Some(s.id)))
                .collect();
        (
            crate::coursework::panels::to_grade(&mut *conn, me).await?,
            extra,
            crate::academics::catalog::panels::taught_by(&mut *conn, me).await?,
            classes,
            crate::academics::assessment::panels::marks_missing(&mut *conn, me).await?,
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
    let threshold = if marked || is_principal {
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

    // What waits for the signed-in staff member, as counts with links.
    let mut waiting: Vec<(String, i64, &'static str)> = Vec::new();
    if principal.can(Permission::GuardiansManage) {
        let n = crate::guardians::panels::requests_waiting(&mut *conn).await?;
        waiting.push((
            counted(
                n,
                "guardian link request",
                "guardian link requests",
                "to confirm",
            ),
            n,
            "/guardians/requests",
        ));
    }
    if principal.can(Permission::LeaveApprove) {
        let n = crate::requests::leave::queries::waiting(&mut *conn, &principal)
            .await?
            .len() as i64;
        waiting.push((
            counted(n, "leave request", "leave requests", "to decide"),
            n,
            "/requests",
        ));
    }
    if college_wide(scope(Permission::ResultsPublish)) {
        let n = crate::academics::assessment::panels::results_to_publish(&mut *conn).await?;
        waiting.push((
            counted(n, "section", "sections", "with results to publish"),
            n,
            "/results?status=submitted",
        ));
    }
    if principal.can(Permission::AdmissionsManage) {
        let n = crate::admissions::panels::applications_waiting(&mut *conn).await?;
        waiting.push((
            counted(n, "application", "applications", "to decide"),
            n,
            "/admissions/intakes",
        ));
    }
    if let Some(grant) = principal.grant(Permission::AchievementsReview) {
        let n = crate::achievements::queries::waiting_count(&mut *conn, &grant).await?;
        waiting.push((
            counted(n, "achievement", "achievements", "to review"),
            n,
            "/achievements/review",
        ));
    }
    if let Some(grant) = principal.grant(Permission::TicketsManage) {
        // Unassigned tickets are the college-wide desk's to hand out.
        let desk = grant.scope >= Scope::College;
        let n = crate::requests::panels::tickets_waiting(&mut *conn, me, desk).await?;
        let label = if desk {
            counted(n, "open ticket", "open tickets", ", yours or unassigned")
        } else {
            counted(n, "open ticket", "open tickets", "assigned to you")
        };
        waiting.push((label, n, "/tickets?status=open"));
    }
    waiting.retain(|(_, n, _)| *n > 0);

    // Counselors: their caseload and the students at risk.
    let (caseload, low_attendance, failing) = if principal.can(Permission::GuidanceNotes) {
        (
            crate::guidance::panels::caseload(&mut *conn, me).await?,
            crate::academics::attendance::panels::low_attendance(&mut *conn).await?,
            crate::academics::assessment::panels::failing_last_term(&mut *conn).await?,
        )
    } else {
        Default::default()
    };

    // Roles whose module is not in Campus yet.
    let mut missing_modules = Vec::new();
    for role in &service_roles {
        let mut meanwhile: Vec<(String, &'static str)> = Vec::new();
        let said = match role {
            Role::Warden => {
                if principal.can(Permission::TicketsManage) {
                    let n = crate::requests::panels::open_of_category(&mut *conn, "hostel").await?;
                    meanwhile.push((
                        format!("handle the hostel's tickets ({n} open)"),
                        "/tickets?category=hostel",
                    ));
                }
                "Hostel management is not part of Campus yet."
            }
            Role::Librarian => {
                "Library management (the catalogue, loans and fines) is not part of Campus yet."
            }
            _ => "Fees and accounts are not part of Campus yet.",
        };
        meanwhile.push(("read the college's notices".into(), "/notices"));
        if principal.can(Permission::StudentsRead) {
            meanwhile.push((
                "look a student up in the student directory".into(),
                "/students",
            ));
        }
        if principal.can(Permission::StaffRead) {
            meanwhile.push((
                "look a colleague up in the staff directory".into(),
                "/staff",
            ));
        }
        meanwhile.push((
            "raise a ticket or ask for leave on the requests page".into(),
            "/requests",
        ));
        missing_modules.push(MissingModule { said, meanwhile });
    }

    // Principals: the college at a glance.
    let (department_chart, program_chart, chart_key, attendance_overview) = if is_principal {
        let departments = crate::students::panels::by_department_enrolled(&mut *conn).await?;
        let programs = crate::students::panels::by_program_enrolled(&mut *conn).await?;
        let overview = crate::academics::attendance::panels::overview(&mut *conn).await?;
        let attendance_overview = overview.percent().map(|percent| AttendanceOverview {
            percent,
            marks: overview.marked,
            threshold,
            chart: percent_bars(
                "Attendance in the last 30 days",
                &[Bar {
                    label: "The college".into(),
                    percent,
                    note: format!("{percent}% present or late"),
                }],
                Some(f64::from(threshold)),
            ),
        });
        let key: Vec<(String, String)> = departments
            .iter()
            .chain(programs.iter())
            .map(|e| (e.code.clone(), e.name.clone()))
            .collect();
        (
            count_bars("Enrolled students by department", &departments),
            count_bars("Enrolled students by program", &programs),
            key,
            attendance_overview,
        )
    } else {
        (None, None, Vec::new(), None)
    };

    // The demo's administrator: a few things worth trying.
    let things_to_try =
        if principal.college_slug == DEMO_SLUG && principal.can(Permission::UsersManage) {
            let mut things: Vec<(&'static str, String)> = vec![
                ("Create a user", "/admin/users/new".to_string()),
                ("Look at the audit trail", "/admin/audit".to_string()),
                (
                    "Download the OneRoster export",
                    "/admin/oneroster/export".to_string(),
                ),
            ];
            if let Some(student) = crate::students::panels::a_student(&mut *conn).await? {
                things.push(("Open a student's profile", format!("/students/{student}")));
            }
            things.push(("See the timetable", "/timetable".to_string()));
            things
        } else {
            Vec::new()
        };

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
        chrome: Chrome::signed_in("Dashboard", &principal, csrf.clone(), "/dashboard"),
        csrf,
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
        // Staff, and students who review their peers' achievements.
        todo: may_be_staff || principal.can(Permission::AchievementsReview),
        classes_today,
        no_classes,
        setup,
        marks_missing,
        caseload,
        low_attendance,
        failing,
        missing_modules,
        department_chart,
        program_chart,
        chart_key,
        attendance_overview,
        things_to_try,
        coming_up,
    };
    Ok((jar, render(&page)?).into_response())
}

/// "1 application to decide", "3 applications to decide".
fn counted(n: i64, one: &str, many: &str, rest: &str) -> String {
    let noun = if n == 1 { one } else { many };
    let gap = if rest.starts_with(',') { "" } else { " " };
    format!("{n} {noun}{gap}{rest}")
}
