//! Catalog and registration pages: everyone browses; registrars and coordinators add
//! courses and sections; students enrol and drop.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::academics::catalog::model::{
    CourseView, EnrollmentView, NewCourseInput, NewSectionInput, Outcome, SectionView,
};
use crate::academics::catalog::{queries, service};
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Deserialize, Default)]
pub struct CatalogQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "academics/catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    csrf: String,
    q: String,
    courses: Vec<CourseView>,
    can_manage: bool,
    input: NewCourseInput,
    errors: Vec<FieldError>,
}

async fn render_catalog(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    q: String,
    input: NewCourseInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let courses = queries::search(&mut tx, &q, 200).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CatalogPage {
        chrome: Chrome::signed_in("Catalog", principal, csrf.clone(), "/catalog"),
        csrf,
        q,
        courses,
        can_manage: principal.can(Permission::CatalogManage),
        input,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn catalog(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> AppResult<Response> {
    render_catalog(
        &state,
        &principal,
        jar,
        q.q,
        NewCourseInput::default(),
        Vec::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CourseForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    credits: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    prerequisites: String,
    #[serde(default)]
    description: String,
}

pub async fn create_course(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<CourseForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let credits = form.credits.trim().parse::<f64>().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            "credits",
            "must be a number such as 3 or 4.5",
        ));
        0.0
    });
    let input = NewCourseInput {
        code: form.code,
        title: form.title,
        credits,
        department: form.department,
        description: Some(form.description),
        prerequisites: form
            .prerequisites
            .split([',', ' '])
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if !errors.is_empty() {
        return render_catalog(&state, &principal, jar, String::new(), input, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::create_course(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|id| Done::to(format!("/catalog/courses/{id}")).message("Course created."))
        .again(async |errors| {
            render_catalog(&state, &principal, jar, String::new(), input, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "academics/course.html")]
struct CoursePage {
    chrome: Chrome,
    csrf: String,
    course: CourseView,
    sections: Vec<SectionView>,
    terms: Vec<(Uuid, String)>,
    can_manage: bool,
    can_enrol: bool,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

async fn render_course(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let course = queries::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = queries::sections_of(&mut tx, id).await?;
    let terms = queries::current_terms(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CoursePage {
        chrome: Chrome::signed_in(course.code.clone(), principal, csrf.clone(), "/catalog"),
        csrf,
        course,
        sections,
        terms,
        can_manage: principal.can(Permission::CatalogManage),
        can_enrol: principal.can(Permission::RegistrationEnrol),
        errors,
        notice,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn course(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_course(&state, &principal, jar, id, Vec::new(), None).await
}

#[derive(Debug, Deserialize)]
pub struct SectionForm {
    #[serde(default)]
    term_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    capacity: String,
}

pub async fn create_section(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(course): ApiPath<Uuid>,
    Form(form): Form<SectionForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let term_id = Uuid::parse_str(form.term_id.trim()).unwrap_or_else(|_| {
        errors.push(FieldError::new("term_id", "choose a term"));
        Uuid::nil()
    });
    let capacity = form.capacity.trim().parse::<i32>().unwrap_or_else(|_| {
        errors.push(FieldError::new("capacity", "must be a whole number"));
        0
    });
    if !errors.is_empty() {
        return render_course(&state, &principal, jar, course, errors, None).await;
    }
    let input = NewSectionInput {
        course_id: course,
        term_id,
        code: form.code,
        capacity,
        room_id: None,
        teachers: Vec::new(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::create_section(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to(format!("/catalog/courses/{course}")).message("Section added."))
        .again(async |errors| render_course(&state, &principal, jar, course, errors, None).await)
        .await
}

#[derive(Template)]
#[template(path = "academics/registration.html")]
struct RegistrationPage {
    chrome: Chrome,
    csrf: String,
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
        chrome: Chrome::signed_in(
            "Your registration",
            &principal,
            csrf.clone(),
            "/registration",
        ),
        csrf,
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
        return Err(AppError::Conflict(
            "Your account has no enrolled student record to register with.".into(),
        ));
    };
    match service::enrol(&mut tx, &context, student, section, None).await {
        Ok(outcome) => {
            tx.commit().await?;
            let notice = match outcome {
                Outcome::Enrolled => "You are enrolled.",
                Outcome::Waitlisted => {
                    "The section is full: you are on its waitlist and will be mailed if a seat frees."
                }
            };
            render_course(
                &state,
                &principal,
                jar,
                course,
                Vec::new(),
                Some(notice.into()),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_course(&state, &principal, jar, course, errors, None).await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            render_course(
                &state,
                &principal,
                jar,
                course,
                vec![FieldError::new("section", message)],
                None,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub async fn drop(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let Some(student) = queries::student_of(&mut tx, principal.user_id).await? else {
        return Err(AppError::Conflict(
            "Your account has no enrolled student record to register with.".into(),
        ));
    };
    service::drop(&mut tx, &context, student, section).await?;
    tx.commit().await?;
    Ok(Redirect::to("/registration").into_response())
}
