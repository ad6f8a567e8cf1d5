//! The platform pages and API: colleges with their figures, system health, and creating
//! a college with its first administrator (who is mailed an invitation).

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::{CollegeId, begin_for_college, migrate};
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::model::NewCollege;
use crate::institution::queries as institution;
use crate::people::model::{Email, parse_display_name};
use crate::platform::{CollegeStats, stats};
use crate::users::model::NewUser;
use crate::users::service;
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiJson;
use crate::web::form::{Done, Errors};
use crate::web::layout::{Chrome, render};

/// A new college and its first administrator.
#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct NewCollegeInput {
    /// The URL name, e.g. `riverside`.
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    pub admin_name: String,
}

/// Creates the college and its invited administrator, in one transaction acting for the
/// new college; the platform's own trail records it too.
async fn create(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    input: &NewCollegeInput,
) -> AppResult<CollegeId> {
    let mut errors = Vec::new();
    let college = NewCollege::parse(&input.slug, &input.name)
        .map_err(|e| errors.extend(e))
        .ok();
    let email = Email::parse("admin_email", &input.admin_email)
        .map_err(|e| errors.push(e))
        .ok();
    let name = parse_display_name("admin_name", &input.admin_name)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(college), Some(email), Some(name)) = (college, email, name) else {
        return Err(AppError::Validation(errors));
    };
    let taken = institution::find_by_slug(&state.db, college.slug.as_str())
        .await?
        .is_some()
        || college.slug.as_str() == crate::institution::queries::PLATFORM_SLUG;
    if taken {
        return Err(AppError::Validation(vec![FieldError::new(
            "slug",
            "another college has this name",
        )]));
    }
    let id = CollegeId(Uuid::now_v7());
    let mut tx = begin_for_college(&state.db, id).await?;
    institution::insert_college(&mut tx, id, &college)
        .await
        .map_err(|e| {
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation())
            {
                AppError::Validation(vec![FieldError::new(
                    "slug",
                    "another college has this name",
                )])
            } else {
                e.into()
            }
        })?;
    let grant = Grant::for_system(
        Permission::UsersManage,
        id,
        principal.user_id,
        "platform_admin",
    );
    let admin = NewUser {
        email,
        display_name: name,
        roles: vec!["college_admin".into()],
    };
    let base_url = state.config.base_url();
    service::create(
        &mut tx,
        &grant,
        context,
        &base_url,
        &college.name,
        &admin,
        true,
        "admin_",
    )
    .await?;
    audit::record(
        &mut tx,
        context,
        Entry::new("college.created")
            .object("college", id)
            .after(serde_json::json!({
                "slug": college.slug.as_str(), "name": college.name, "by": "platform",
            })),
    )
    .await?;
    tx.commit().await?;
    let mut own = begin_for_college(&state.db, principal.college).await?;
    audit::record(&mut own, context, Entry::new("platform.college_created").object("college", id).after(serde_json::json!({
        "slug": college.slug.as_str(), "admin_email": input.admin_email.trim().to_lowercase(),
    }))).await?;
    own.commit().await?;
    Ok(id)
}

#[derive(Template)]
#[template(path = "platform/index.html")]
struct PlatformPage {
    chrome: Chrome,
    csrf: String,
    colleges: Vec<CollegeStats>,
    migration: i64,
    pool_size: u32,
    pool_idle: usize,
    input: NewCollegeInput,
    errors: Errors,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: NewCollegeInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let colleges = stats(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PlatformPage {
        chrome: Chrome::signed_in("Platform", principal, csrf.clone(), "/platform"),
        csrf,
        colleges,
        migration: migrate::latest_version(),
        pool_size: state.db.size(),
        pool_idle: state.db.num_idle(),
        input,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(
        &state,
        &principal,
        jar,
        NewCollegeInput::default(),
        Vec::new(),
    )
    .await
}

/// The "new college" form: the college is made in its own transaction (and the
/// platform's trail in another), so the outcome is settled here rather than by
/// `form::settle`.
pub async fn create_college(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(input): Form<NewCollegeInput>,
) -> AppResult<Response> {
    match create(&state, &principal, &context, &input).await {
        Ok(_) => Ok(Done::to("/platform")
            .message(format!(
                "{} created; an invitation was mailed to {}",
                input.name.trim(),
                input.admin_email.trim().to_lowercase()
            ))
            .respond(&state)),
        Err(AppError::Validation(errors)) => {
            render_page(&state, &principal, jar, input, errors).await
        }
        Err(other) => Err(other),
    }
}

/// The sign-in page of the platform tenant.
pub async fn login_page(State(state): State<AppState>, jar: CookieJar) -> AppResult<Response> {
    let tenant = crate::institution::queries::platform_tenant(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::identity::signin::pages::render_fixed_login(&state, jar, tenant).await
}

/// Every college with its figures (platform operators only).
#[utoipa::path(get, path = "/api/v1/platform/colleges", tag = "platform", security(("bearer" = [])),
    responses((status = 200, description = "Colleges and their figures", body = [CollegeStats]),
        (status = 403, description = "Needs platform.manage", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn list_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<CollegeStats>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let colleges = stats(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(colleges))
}

/// Creates a college and invites its first administrator.
#[utoipa::path(post, path = "/api/v1/platform/colleges", tag = "platform", request_body = NewCollegeInput, security(("bearer" = [])),
    responses((status = 201, description = "Created; the new college's id"),
        (status = 422, description = "Invalid or taken fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewCollegeInput>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let id = create(&state, &principal, &context, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id.0, "slug": input.slug.trim() })),
    ))
}
