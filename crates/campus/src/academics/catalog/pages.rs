//! Catalog and registration pages: everyone browses the catalog (filtered, sorted, by
//! pages, or as CSV); registrars and coordinators add courses and sections; students
//! enrol and drop (a drop is confirmed first).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::catalog::model::{
    COURSE_SORTS, CourseFilter, CourseLine, CourseView, EnrollmentView, NewCourseInput,
    NewSectionInput, Outcome, SectionView,
};
use crate::academics::catalog::{queries, service};
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::Cell;
use crate::web::attachment::attachment;
use crate::web::chart::{Bar, percent_bars};
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

/// Courses on a page of the catalog.
const PER_PAGE: u32 = 25;
/// The most rows a CSV export holds.
const CSV_ROWS: i64 = 10_000;

/// The catalog's address: its filters, sort and page, and `format=csv` for every course
/// the filters select as a spreadsheet.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CatalogQuery {
    q: String,
    department: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl CatalogQuery {
    fn filter(&self) -> CourseFilter {
        CourseFilter {
            q: self.q.trim().to_string(),
            department: self.department.trim().to_uppercase(),
        }
    }

    fn listing(&self) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        let filter = self.filter();
        Listing::new("/catalog", &query, &COURSE_SORTS, PER_PAGE)
            .filter("q", &filter.q)
            .filter("department", &filter.department)
    }
}

/// The "new course" form as typed, shown again when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    code: String,
    title: String,
    credits: String,
    department: String,
    prerequisites: String,
    description: String,
}

#[derive(Template)]
#[template(path = "academics/catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    csrf: String,
    /// The filters as the filter bar shows them.
    filter: CourseFilter,
    departments: Vec<(String, String)>,
    list: Listing,
    courses: Vec<CourseLine>,
    can_manage: bool,
    course: CourseForm,
    errors: Errors,
}

impl CatalogPage {
    fn filtered(&self) -> bool {
        !self.filter.q.is_empty() || !self.filter.department.is_empty()
    }
}

async fn render_catalog(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    query: CatalogQuery,
    course: CourseForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let filter = query.filter();
    let list = query.listing();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let courses = queries::page(
        &mut tx,
        &filter,
        &list.sort,
        list.desc,
        list.limit(),
        list.offset(),
    )
    .await?;
    let departments = queries::departments(&mut tx).await?;
    tx.commit().await?;
    let total = courses.first().map_or(0, |c| c.total);
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = CatalogPage {
        chrome: Chrome::signed_in("Catalog", principal, csrf.clone(), "/catalog"),
        csrf,
        filter,
        departments,
        list: list.with_total(total),
        courses,
        can_manage: principal.can(Permission::CatalogManage),
        course,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

/// Every course the filters select (up to `CSV_ROWS`), in the list's order, as CSV.
async fn catalog_csv(
    state: &AppState,
    principal: &Principal,
    query: &CatalogQuery,
) -> AppResult<Response> {
    let list = query.listing();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let courses =
        queries::page(&mut tx, &query.filter(), &list.sort, list.desc, CSV_ROWS, 0).await?;
    tx.commit().await?;
    let header: Vec<String> = ["Code", "Title", "Department", "Credits", "Prerequisites"]
        .into_iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<Cell>> = courses
        .into_iter()
        .map(|c| {
            vec![
                Cell::Text(c.code),
                Cell::Text(c.title),
                Cell::Text(c.department),
                Cell::Number(c.credits),
                Cell::Text(c.prerequisites.join(", ")),
            ]
        })
        .collect();
    let bytes = crate::exports::csv(&header, &rows)?;
    Ok(attachment(bytes, "text/csv; charset=utf-8", "catalog.csv"))
}

pub async fn catalog(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<CatalogQuery>,
) -> AppResult<Response> {
    if query.format == "csv" {
        return catalog_csv(&state, &principal, &query).await;
    }
    render_catalog(
        &state,
        &principal,
        jar,
        query,
        CourseForm::default(),
        Vec::new(),
    )
    .await
}

pub async fn create_course(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<CourseForm>,
) -> AppResult<Response> {
    // A credits value that is not a number is named by its field, alongside whatever
    // else the course's checks find (which then do not repeat it).
    let credits = typed.credits.trim().parse::<f64>().ok();
    let input = NewCourseInput {
        code: typed.code.clone(),
        title: typed.title.clone(),
        credits: credits.unwrap_or(0.0),
        department: typed.department.clone(),
        description: Some(typed.description.clone()),
        prerequisites: typed
            .prerequisites
            .split([',', ' '])
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
    };
    let code = input.code.trim().to_uppercase();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut result = queries::create_course(&mut tx, &context, &input).await;
    if credits.is_none() {
        let unreadable = FieldError::new("credits", "must be a number such as 3 or 4.5");
        result = match result {
            Err(AppError::Validation(errors)) => Err(AppError::Validation(
                std::iter::once(unreadable)
                    .chain(errors.into_iter().filter(|e| e.field != "credits"))
                    .collect(),
            )),
            Err(other) => Err(other),
            Ok(_) => Err(AppError::Validation(vec![unreadable])),
        };
    }
    form::settle(&state, tx, result)
        .conflict_on("code")
        .done(|id| {
            Done::to(format!("/catalog/courses/{id}")).message(format!("Course {code} created"))
        })
        .again(async |errors| {
            render_catalog(
                &state,
                &principal,
                jar,
                CatalogQuery::default(),
                typed,
                errors,
            )
            .await
        })
        .await
}

/// The "offer a section" form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SectionForm {
    term_id: String,
    code: String,
    capacity: String,
}

#[derive(Template)]
#[template(path = "academics/course.html")]
struct CoursePage {
    chrome: Chrome,
    csrf: String,
    course: CourseView,
    sections: Vec<SectionView>,
    /// Each section's seats taken, as bars (empty when the course has no section).
    seats: String,
    terms: Vec<(Uuid, String)>,
    can_manage: bool,
    can_enrol: bool,
    /// Why an enrolment was refused.
    refused: Vec<FieldError>,
    section: SectionForm,
    errors: Errors,
}

impl CoursePage {
    fn term_chosen(&self, term: &Uuid) -> bool {
        self.section.term_id == term.to_string()
    }
}

/// What the course page shows besides the course: an enrolment's refusal, or the
/// section form as typed with its errors.
#[derive(Default)]
struct CourseExtras {
    refused: Vec<FieldError>,
    section: Option<SectionForm>,
    errors: Vec<FieldError>,
}

async fn render_course(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    extras: CourseExtras,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = queries::sections_of(&mut tx, id).await?;
    let terms = queries::current_terms(&mut tx).await?;
    tx.commit().await?;
    let seats = seat_bars(&sections);
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let section = extras.section.unwrap_or_else(|| SectionForm {
        code: "A".into(),
        ..SectionForm::default()
    });
    let page = CoursePage {
        chrome: Chrome::signed_in(course.code.clone(), principal, csrf.clone(), "/catalog"),
        csrf,
        course,
        sections,
        seats,
        terms,
        can_manage: principal.can(Permission::CatalogManage),
        can_enrol: principal.can(Permission::RegistrationEnrol),
        refused: extras.refused,
        section,
        errors: extras.errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

/// Each section's seats taken as a bar ("28 of 30 seats"); sections are named by their
/// code, and by their term too when the course runs in more than one.
fn seat_bars(sections: &[SectionView]) -> String {
    if sections.is_empty() {
        return String::new();
    }
    let one_term = sections.iter().all(|s| s.term == sections[0].term);
    let bars: Vec<Bar> = sections
        .iter()
        .map(|s| Bar {
            label: if one_term {
                format!("Section {}", s.code)
            } else {
                format!("{} {}", s.code, s.term)
            },
            percent: if s.capacity > 0 {
                f64::from(s.enrolled) * 100.0 / f64::from(s.capacity)
            } else {
                0.0
            },
            note: format!("{} of {} seats", s.enrolled, s.capacity),
        })
        .collect();
    percent_bars("Seats taken", &bars, None)
}

pub async fn course(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_course(&state, &principal, jar, id, CourseExtras::default()).await
}

pub async fn create_section(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(course): ApiPath<Uuid>,
    Form(typed): Form<SectionForm>,
) -> AppResult<Response> {
    let mut unreadable = Vec::new();
    let term_id = Uuid::parse_str(typed.term_id.trim()).unwrap_or_else(|_| {
        unreadable.push(FieldError::new("term_id", "choose a term"));
        Uuid::nil()
    });
    let capacity = typed.capacity.trim().parse::<i32>().unwrap_or_else(|_| {
        unreadable.push(FieldError::new(
            "capacity",
            "must be a whole number such as 40",
        ));
        0
    });
    let input = NewSectionInput {
        course_id: course,
        term_id,
        code: typed.code.clone(),
        capacity,
        room_id: None,
        teachers: Vec::new(),
    };
    let code = input.code.trim().to_uppercase();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let created = queries::create_section(&mut tx, &context, &input).await;
    let result = match (created, unreadable.is_empty()) {
        (Ok(_), true) => match queries::find(&mut tx, course).await {
            Ok(Some(found)) => Ok(found.code),
            Ok(None) => Err(AppError::NotFound),
            Err(e) => Err(e.into()),
        },
        (Ok(_), false) => Err(AppError::Validation(unreadable)),
        (Err(AppError::Validation(errors)), _) => {
            // A field that could not be read is named once, for what was typed.
            let named: Vec<String> = unreadable.iter().map(|e| e.field.clone()).collect();
            Err(AppError::Validation(
                unreadable
                    .into_iter()
                    .chain(errors.into_iter().filter(|e| !named.contains(&e.field)))
                    .collect(),
            ))
        }
        (Err(other), _) => Err(other),
    };
    form::settle(&state, tx, result)
        .conflict_on("code")
        .done(|course_code| {
            Done::to(format!("/catalog/courses/{course}"))
                .message(format!("Section {code} of {course_code} created"))
        })
        .again(async |errors| {
            let extras = CourseExtras {
                section: Some(typed),
                errors,
                ..CourseExtras::default()
            };
            render_course(&state, &principal, jar, course, extras).await
        })
        .await
}

#[derive(Template)]
#[template(path = "academics/registration.html")]
struct RegistrationPage {
    chrome: Chrome,
    enrollments: Vec<EnrollmentView>,
}

pub async fn registration(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let enrollments = match queries::student_of(&mut tx, principal.user_id).await? {
        Some(student) => queries::of_student(&mut tx, student).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = RegistrationPage {
        chrome: Chrome::signed_in("Your registration", &principal, csrf, "/registration"),
        enrollments,
    };
    Ok((jar, render(&page)?).into_response())
}

async fn course_of(state: &AppState, principal: &Principal, section: Uuid) -> AppResult<Uuid> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = queries::course_of_section(&mut tx, section).await?;
    tx.commit().await?;
    course.ok_or(AppError::NotFound)
}

fn no_student_record() -> AppError {
    AppError::Conflict("Your account has no enrolled student record to register with.".into())
}

/// The student's line for `section` in their registration, if they are in it.
async fn line_of(
    conn: &mut PgConnection,
    student: Uuid,
    section: Uuid,
) -> Result<Option<EnrollmentView>, sqlx::Error> {
    let mine = queries::of_student(conn, student).await?;
    Ok(mine.into_iter().find(|e| e.section_id == section))
}

/// Enrols the student and says what came of it, for the next page.
async fn enrol_and_say(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    section: Uuid,
) -> Result<String, AppError> {
    let outcome = service::enrol(&mut *conn, context, student, section, None).await?;
    let line = line_of(&mut *conn, student, section).await?;
    let name = line.as_ref().map_or_else(
        || "the section".to_string(),
        |e| format!("{} {}", e.course_code, e.section),
    );
    Ok(match (outcome, line.and_then(|e| e.waitlist_position)) {
        (Outcome::Enrolled, _) => format!("You are enrolled in {name}"),
        (Outcome::Waitlisted, Some(place)) => format!(
            "{name} is full: you are number {place} on its waitlist and will be mailed if a seat frees"
        ),
        (Outcome::Waitlisted, None) => {
            format!("{name} is full: you are on its waitlist and will be mailed if a seat frees")
        }
    })
}

pub async fn enrol(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let course = course_of(&state, &principal, section).await?;
    let mut tx = crate::db::begin_for_college_generic(&state.db, principal.college).await?;
    let Some(student) = queries::student_of(&mut tx, principal.user_id).await? else {
        return Err(no_student_record());
    };
    let result = enrol_and_say(&mut tx, &context, student, section).await;
    form::settle(&state, tx, result)
        .conflict_on("section")
        .done(|message| Done::to(format!("/catalog/courses/{course}")).message(message))
        .again(async |refused| {
            let extras = CourseExtras {
                refused,
                ..CourseExtras::default()
            };
            render_course(&state, &principal, jar, course, extras).await
        })
        .await
}

/// The confirmation before a drop, naming what the student gives up.
pub async fn drop_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = queries::course_of_section(&mut tx, section)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(student) = queries::student_of(&mut tx, principal.user_id).await? else {
        return Err(no_student_record());
    };
    let line = line_of(&mut tx, student, section)
        .await?
        .ok_or(AppError::NotFound)?;
    let waiting = queries::sections_of(&mut tx, course)
        .await?
        .into_iter()
        .find(|s| s.id == section)
        .map_or(0, |s| s.waitlisted);
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let name = format!("{} {}", line.course_code, line.section);
    let heading = format!("Drop {name}?");
    let chrome = Chrome::signed_in(heading.clone(), &principal, csrf.clone(), "/registration");
    let mut confirm = Confirm::new(
        chrome,
        csrf,
        heading,
        format!("/registration/sections/{section}/drop"),
    );
    if line.status == "enrolled" {
        confirm = confirm.consequence(format!(
            "You give up your seat in {name} ({}, {}).",
            line.course_title, line.term
        ));
        confirm = if waiting > 0 {
            confirm.consequence(format!(
                "The seat goes at once to the first of the {waiting} waiting on its waitlist: if you change your mind, you join the end of the waitlist."
            ))
        } else {
            confirm.consequence(
                "Anyone registering may then take the seat: if you change your mind, it may be gone.",
            )
        };
    } else {
        let place = line
            .waitlist_position
            .map_or_else(String::new, |p| format!(", where you are number {p}"));
        confirm = confirm
            .consequence(format!("You leave the waitlist of {name}{place}."))
            .consequence("If you join again, you go to the end of the waitlist.");
    }
    let page = confirm
        .button(if line.status == "enrolled" {
            "Drop the course"
        } else {
            "Leave the waitlist"
        })
        .back("/registration")
        .respond()?;
    Ok((jar, page).into_response())
}

pub async fn drop(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let Some(student) = queries::student_of(&mut tx, principal.user_id).await? else {
        return Err(no_student_record());
    };
    let line = line_of(&mut tx, student, section).await?;
    service::drop(&mut tx, &context, student, section).await?;
    tx.commit().await?;
    let message = match line {
        Some(e) if e.status == "enrolled" => {
            format!(
                "You dropped {} {}; your seat is given up",
                e.course_code, e.section
            )
        }
        Some(e) => format!("You left the waitlist of {} {}", e.course_code, e.section),
        None => "You dropped the section".to_string(),
    };
    Ok(Done::to("/registration").message(message).respond(&state))
}
