//! The user administration endpoints of the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::{Email, parse_display_name};
use crate::users::import::{self, ImportReport};
use crate::users::model::{NewUserInput, RolesInput, Status, UpdateUserInput, UserView};
use crate::users::roles::{self, CustomRole, NewRoleInput};
use crate::users::service;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of a name or email.
    #[serde(default)]
    q: String,
    /// `invited`, `active` or `deactivated`.
    status: Option<Status>,
    /// Only users holding this role.
    role: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// Users to skip. Slower the further it goes; prefer `after`.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1000000)]
    offset: i64,
    /// The email of the last user of the previous page: the page starts after it (and
    /// `offset` must then be 0). Steady and fast at any depth.
    after: Option<String>,
}

/// Users of the caller's college, by email. Page with `after` (the last email of the
/// page before) rather than `offset`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = [UserView]),
        (status = 403, description = "Needs users.read", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<Vec<UserView>>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) || !(0..=1_000_000).contains(&p.offset) {
        return Err(AppError::Validation(vec![FieldError::new(
            "limit",
            "limit must be 1 to 200 and offset 0 or more",
        )]));
    }
    let start = match p.after.as_deref() {
        Some(_) if p.offset > 0 => {
            return Err(AppError::Validation(vec![FieldError::new(
                "after",
                "give either after or offset, not both",
            )]));
        }
        Some(email) if email.len() > 254 => {
            return Err(AppError::Validation(vec![FieldError::new(
                "after",
                "after is the email of the previous page's last user",
            )]));
        }
        Some(email) => service::PageStart::After(email),
        None => service::PageStart::Offset(p.offset),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let users = service::list(&mut tx, &p.q, p.status, p.role.as_deref(), limit, start).await?;
    tx.commit().await?;
    Ok(Json(users))
}

/// Creates an account (status `invited`) with roles, and mails an invitation.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = UserView),
        (status = 422, description = "Invalid fields, a taken email or an unknown role", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiJson(input): ApiJson<NewUserInput>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let user = input.parse().map_err(AppError::Validation)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = service::create(
        &mut tx,
        &grant,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        &user,
        input.invite,
        "",
    )
    .await?;
    let view = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One user of the caller's college.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user in this college", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<UserView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut user = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if principal.can(Permission::UsersManage) {
        user.national_id =
            service::national_id_masked(&mut tx, &state.config.field_keys, id).await?;
    }
    tx.commit().await?;
    Ok(Json(user))
}

/// Changes a user's name, email or status (`active` or `deactivated`).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUserInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "Updated", body = UserView),
        (status = 422, description = "Invalid fields", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<UpdateUserInput>,
) -> AppResult<Json<UserView>> {
    let mut errors = Vec::new();
    let name = input
        .display_name
        .as_deref()
        .map(|n| parse_display_name("display_name", n))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let email = input
        .email
        .as_deref()
        .map(|e| Email::parse("email", e))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let base_url = state.config.base_url();
    let mailing = service::Mailing {
        base_url: &base_url,
        college_name: &principal.college_name,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut user = service::update(
        &mut tx,
        &grant,
        &context,
        &mailing,
        id,
        name,
        email,
        input.status,
    )
    .await?;
    if let Some(national_id) = &input.national_id {
        service::set_national_id(&mut tx, &state.config.field_keys, &context, id, national_id)
            .await?;
    }
    user.national_id = service::national_id_masked(&mut tx, &state.config.field_keys, id).await?;
    tx.commit().await?;
    Ok(Json(user))
}

/// Replaces a user's roles; they must sign in again. Nobody changes their own roles.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", request_body = RolesInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user with the new roles", body = UserView),
        (status = 403, description = "Needs users.manage, or the caller's own account", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Unknown roles", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn set_roles(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RolesInput>,
) -> AppResult<Json<UserView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::set_roles(&mut tx, &grant, &context, id, &input.roles).await?;
    let user = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(user))
}

/// Mails a new invitation to an invited user (earlier links stop working).
#[utoipa::path(post, path = "/api/v1/users/{id}/invite", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 204, description = "Queued"),
        (status = 409, description = "The account is already set up", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn invite(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::send_invitation(
        &mut tx,
        principal.college,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        id,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportInput {
    /// CSV text with the header `email,name,roles` (roles separated by `;`).
    pub csv: String,
    /// Check only (default true); with false, all rows are imported or none.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

fn yes() -> bool {
    true
}

/// Imports users from CSV: a dry run lists each row's errors; a real run writes all or none.
#[utoipa::path(post, path = "/api/v1/users/import", tag = "users", request_body = ImportInput, security(("bearer" = [])),
    responses((status = 200, description = "The checked rows; `created` counts accounts made", body = ImportReport),
        (status = 422, description = "Some rows are invalid, nothing was written (the report); or invalid text (problem details)", content((ImportReport = "application/json"), (ProblemDocument = "application/problem+json"))),
        (status = 400, description = "The CSV cannot be read", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiJson(input): ApiJson<ImportInput>,
) -> AppResult<(StatusCode, Json<ImportReport>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let report = import::run(
        &mut tx,
        &grant,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        &input.csv,
        input.dry_run,
    )
    .await?;
    if report.created > 0 {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let status = if report.invalid > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// The college's custom roles (built-in roles are listed in the documentation).
#[utoipa::path(get, path = "/api/v1/roles", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Custom roles", body = [CustomRole])))]
pub async fn roles(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<CustomRole>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let roles = roles::custom_roles(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(roles))
}

/// Creates a custom role from permission:scope pairs.
#[utoipa::path(post, path = "/api/v1/roles", tag = "users", request_body = NewRoleInput, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = CustomRole),
        (status = 422, description = "Invalid label or grants", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create_role(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<NewRoleInput>,
) -> AppResult<(StatusCode, Json<CustomRole>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let role = roles::create_role(&mut tx, &context, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// Removes a user's second factor (a lost phone); their sessions and tokens end.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-mfa", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such user in this college", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn reset_mfa(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::reset_mfa(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
