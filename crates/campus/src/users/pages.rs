//! The user administration pages.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::Email;
use crate::users::import::{self, ImportReport};
use crate::users::model::{NewUserInput, Status, UserView};
use crate::users::service;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form;
use crate::web::layout::{Chrome, render};

const PAGE: i64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    chrome: Chrome,
    users: Vec<UserView>,
    q: String,
    status: String,
    role: String,
    roles: Vec<(String, String)>,
    can_manage: bool,
    page: i64,
    more: bool,
}

impl ListPage {
    fn link(&self, page: i64) -> String {
        let query = serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("role", self.role.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("/admin/users?{query}")
    }
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let status = match query.status.as_str() {
        "" => None,
        s => Some(Status::parse(s).ok_or_else(|| {
            AppError::Validation(vec![FieldError::new(
                "status",
                "must be invited, active or deactivated",
            )])
        })?),
    };
    let page = query.page.max(0);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let role = (!query.role.is_empty()).then_some(query.role.as_str());
    let mut users = service::list(
        &mut tx,
        &query.q,
        status,
        role,
        PAGE + 1,
        service::PageStart::Offset(page * PAGE),
    )
    .await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let more = users.len() as i64 > PAGE;
    users.truncate(PAGE as usize);
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ListPage {
        chrome: Chrome::signed_in("Users", &principal, csrf, "/admin/users"),
        users,
        q: query.q,
        status: query.status,
        role: query.role,
        roles,
        can_manage: principal.can(Permission::UsersManage),
        page,
        more,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    chrome: Chrome,
    csrf: String,
    roles: Vec<(String, String)>,
    email: String,
    display_name: String,
    chosen: Vec<String>,
    errors: crate::web::form::Errors,
}

impl NewPage {
    fn is_chosen(&self, role: &str) -> bool {
        self.chosen.iter().any(|r| r == role)
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_new(
        &state,
        &principal,
        jar,
        String::new(),
        String::new(),
        Vec::new(),
        Vec::new(),
    )
    .await
}

async fn render_new(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    email: String,
    display_name: String,
    chosen: Vec<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = NewPage {
        chrome: Chrome::signed_in("New user", principal, csrf.clone(), "/admin/users"),
        csrf,
        roles,
        email,
        display_name,
        chosen,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

/// The "new user" form. Browsers send each ticked role box as its own `roles` field, so
/// it is read with axum-extra's `Form`, which gathers repeated fields into a list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    display_name: String,
    roles: Vec<String>,
    invite: String,
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<NewUserForm>,
) -> AppResult<Response> {
    let input = NewUserInput {
        email: form.email,
        display_name: form.display_name,
        roles: form.roles,
        invite: form.invite == "on",
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let created = match input.parse() {
        Ok(user) => {
            service::create(
                &mut tx,
                &grant,
                &context,
                &state.config.base_url(),
                &principal.college_name,
                &user,
                input.invite,
                "",
            )
            .await
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    form::settle(&state, tx, created)
        .done(|id| form::Done::to(format!("/admin/users/{id}?done=created")))
        .again(async |errors| {
            let NewUserInput {
                email,
                display_name,
                roles,
                ..
            } = input;
            render_new(&state, &principal, jar, email, display_name, roles, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    chrome: Chrome,
    csrf: String,
    user: UserView,
    roles: Vec<(String, String)>,
    can_manage: bool,
    is_self: bool,
    has_mfa: bool,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn has_role(&self, role: &str) -> bool {
        self.user.roles.iter().any(|r| r == role)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

async fn render_show(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut user = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if principal.can(Permission::UsersManage) {
        user.national_id =
            service::national_id_masked(&mut tx, &state.config.field_keys, id).await?;
    }
    let has_mfa = crate::identity::mfa::queries::enabled(&mut tx, id).await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        chrome: Chrome::signed_in(
            user.display_name.clone(),
            principal,
            csrf.clone(),
            "/admin/users",
        ),
        csrf,
        is_self: user.id == principal.user_id,
        has_mfa,
        user,
        roles,
        can_manage: principal.can(Permission::UsersManage),
        notice,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(done): ApiQuery<Done>,
) -> AppResult<Response> {
    let notice = match done.done.as_deref() {
        Some("created") => Some("The account was created."),
        Some("saved") => Some("The changes were saved."),
        Some("roles") => Some("The roles were saved; the user signs in again to use them."),
        Some("invited") => Some("An invitation was mailed."),
        Some("mfa") => {
            Some("The second factor was removed; the user enrols again at next sign-in.")
        }
        _ => None,
    };
    render_show(&state, &principal, jar, id, notice, Vec::new()).await
}

/// The user's details form: name, email, status and national id (`clear_national_id` is
/// a checkbox, "on" when ticked).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserUpdateForm {
    display_name: String,
    email: String,
    status: String,
    national_id: String,
    clear_national_id: String,
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<UserUpdateForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let name = crate::people::model::parse_display_name("display_name", &form.display_name)
        .map_err(|e| errors.push(e))
        .ok();
    let email = Email::parse("email", &form.email)
        .map_err(|e| errors.push(e))
        .ok();
    let status = match form.status.as_str() {
        "" => None,
        s => Status::parse(s).or_else(|| {
            errors.push(FieldError::new("status", "must be active or deactivated"));
            None
        }),
    };
    if !errors.is_empty() {
        return render_show(&state, &principal, jar, id, None, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = status.filter(|s| s.as_str() != current.status);
    let national_id = form.national_id;
    let base_url = state.config.base_url();
    let mailing = service::Mailing {
        base_url: &base_url,
        college_name: &principal.college_name,
    };
    let outcome =
        match service::update(&mut tx, &grant, &context, &mailing, id, name, email, status).await {
            Ok(_) if !national_id.trim().is_empty() || form.clear_national_id == "on" => {
                service::set_national_id(
                    &mut tx,
                    &state.config.field_keys,
                    &context,
                    id,
                    &national_id,
                )
                .await
            }
            other => other.map(drop),
        };
    form::settle(&state, tx, outcome)
        .done(|()| form::Done::to(format!("/admin/users/{id}?done=saved")))
        .again(async |errors| render_show(&state, &principal, jar, id, None, errors).await)
        .await
}

/// The user's roles form: one `roles` field per ticked box (none when all are cleared).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserRolesForm {
    roles: Vec<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<UserRolesForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let roles = form.roles;
    let result = service::set_roles(&mut tx, &grant, &context, id, &roles).await;
    form::settle(&state, tx, result)
        .done(|()| form::Done::to(format!("/admin/users/{id}?done=roles")))
        .again(async |errors| render_show(&state, &principal, jar, id, None, errors).await)
        .await
}

pub async fn invite(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
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
    Ok(Redirect::to(&format!("/admin/users/{id}?done=invited")).into_response())
}

#[derive(Template)]
#[template(path = "users/import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    csv: String,
    report: Option<ImportReport>,
    error: Option<String>,
}

pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ImportPage {
        chrome: Chrome::signed_in("Import users", &principal, csrf.clone(), "/admin/users"),
        csrf,
        csv: String::new(),
        report: None,
        error: None,
    };
    Ok((jar, render(&page)?).into_response())
}

/// The user import form: the CSV text, and `mode` ("commit" to create the accounts,
/// anything else for a dry run).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    mode: String,
}

pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<ImportForm>,
) -> AppResult<Response> {
    let csv = form.csv;
    let dry_run = form.mode != "commit";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = import::run(
        &mut tx,
        &grant,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        &csv,
        dry_run,
    )
    .await;
    let (report, error) = match outcome {
        Ok(report) => {
            if report.created > 0 {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            (Some(report), None)
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            (None, Some(message))
        }
        Err(other) => return Err(other),
    };
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let status = if error.is_some() || report.as_ref().is_some_and(|r| r.invalid > 0) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ImportPage {
        chrome: Chrome::signed_in("Import users", &principal, csrf.clone(), "/admin/users"),
        csrf,
        csv,
        report,
        error,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::reset_mfa(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done=mfa")).into_response())
}
