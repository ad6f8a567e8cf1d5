//! Every user's own contact details and photograph: the `/account` page and
//! `PATCH /api/v1/users/me`. The name they are shown by and their phone are their
//! account's; a student's phone and address, and a staff member's phone, are their
//! record's too, so the college reaches them where they say (a student's changes join
//! their record's history). Their sign-in email is changed by an administrator, who
//! sends the verification.

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FormData};
use crate::people::model::{parse_display_name, phone_problem};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiJson;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

/// A user's contact details as they keep them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OwnContact)]
pub struct Contact {
    /// The name Campus shows them by.
    pub display_name: String,
    /// Their sign-in email (changed by an administrator).
    pub email: String,
    pub phone: Option<String>,
    /// A student's address; always none for others.
    pub address: Option<String>,
    /// Whether they keep an address here (students do).
    pub has_address: bool,
    /// Whether they have a photograph (at `/account/photo`).
    pub has_photo: bool,
}

/// The details to change; those left out stay as they are, an empty text clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = OwnContactPatch)]
#[serde(default)]
pub struct Patch {
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// Students only.
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

/// The page's form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub display_name: String,
    pub phone: String,
    pub address: String,
}

struct Found {
    contact: Contact,
    student: Option<Uuid>,
}

async fn find(conn: &mut PgConnection, user: Uuid) -> Result<Found, AppError> {
    let r = sqlx::query!(
        r#"SELECT u.display_name, u.email::text AS "email!", u.phone, u.photo_file_id IS NOT NULL AS "has_photo!",
                  s.id AS "student?", s.address
           FROM users u LEFT JOIN students s ON s.college_id = u.college_id AND s.user_id = u.id
           WHERE u.id = $1"#,
        user
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Found {
        contact: Contact {
            display_name: r.display_name,
            email: r.email,
            phone: r.phone,
            address: r.address,
            has_address: r.student.is_some(),
            has_photo: r.has_photo,
        },
        student: r.student,
    })
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Saves the user's details and their record's; refused by field with nothing written.
async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    patch: Patch,
) -> Result<Contact, AppError> {
    let found = find(conn, user).await?;
    let before = found.contact.clone();
    let mut errors = Vec::new();
    let display_name = match &patch.display_name {
        Some(name) => parse_display_name("display_name", name)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => before.display_name.clone(),
    };
    let phone = match &patch.phone {
        Some(phone) => {
            if let Some(problem) = text(phone).and_then(|p| phone_problem("phone", &p)) {
                errors.push(problem);
            }
            text(phone)
        }
        None => before.phone.clone(),
    };
    let address = match &patch.address {
        Some(_) if found.student.is_none() => {
            errors.push(FieldError::new(
                "address",
                "only a student keeps an address on their account",
            ));
            None
        }
        Some(address) if address.trim().chars().count() > 500 => {
            errors.push(FieldError::new("address", "must be at most 500 characters"));
            None
        }
        Some(address) => text(address),
        None => before.address.clone(),
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!(
        "UPDATE users SET display_name = $2, phone = $3, updated_at = now() WHERE id = $1",
        user,
        display_name,
        phone
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE staff SET phone = $2, updated_at = now() WHERE user_id = $1 AND phone IS DISTINCT FROM $2",
        user,
        phone
    )
    .execute(&mut *conn)
    .await?;
    if let Some(student) = found.student {
        let record = sqlx::query!(
            "SELECT phone, address FROM students WHERE id = $1 FOR UPDATE",
            student
        )
        .fetch_one(&mut *conn)
        .await?;
        for (field, was, now) in [
            ("phone", record.phone, phone.clone()),
            ("address", record.address, address.clone()),
        ] {
            if was != now {
                sqlx::query!(
                    "INSERT INTO student_changes (college_id, student_id, field, before, after, changed_by) \
                     VALUES (app_current_college(), $1, $2, $3, $4, $5)",
                    student,
                    field,
                    was,
                    now,
                    context.actor
                )
                .execute(&mut *conn)
                .await?;
            }
        }
        sqlx::query!(
            "UPDATE students SET phone = $2, address = $3 WHERE id = $1",
            student,
            phone,
            address
        )
        .execute(&mut *conn)
        .await?;
    }
    let after = find(conn, user).await?.contact;
    audit::record(
        conn,
        context,
        Entry::new("account.contact_changed")
            .object("user", user)
            .before(serde_json::json!({"display_name": before.display_name, "phone": before.phone, "address": before.address}))
            .after(serde_json::json!({"display_name": after.display_name, "phone": after.phone, "address": after.address})),
    )
    .await?;
    Ok(after)
}

/// Checks the form's photograph and puts it on the account.
async fn store_photo(
    conn: &mut PgConnection,
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    form: &FormData,
) -> AppResult<()> {
    let [upload] = form.files.as_slice() else {
        return Err(AppError::Validation(vec![FieldError::new(
            "photo",
            "choose one photograph",
        )]));
    };
    let kinds = uploads::check_all(std::slice::from_ref(upload)).map_err(|e| match e {
        AppError::Validation(errors) => AppError::Validation(
            errors
                .into_iter()
                .map(|e| FieldError::new("photo", e.message))
                .collect(),
        ),
        other => other,
    })?;
    if !kinds[0].starts_with("image/") || documents::thumbnail(&upload.bytes).is_none() {
        return Err(AppError::Validation(vec![FieldError::new(
            "photo",
            "a photo must be a PNG, JPEG or GIF image that opens",
        )]));
    }
    let file = uploads::store(
        conn,
        &state.files,
        principal.college,
        context.actor,
        upload,
        kinds[0],
    )
    .await?;
    sqlx::query!(
        "UPDATE users SET photo_file_id = $2, updated_at = now() WHERE id = $1",
        principal.user_id,
        file
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("account.photo_changed")
            .object("user", principal.user_id)
            .after(serde_json::json!({ "file_id": file })),
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "identity/contact.html")]
struct ContactPage {
    chrome: Chrome,
    csrf: String,
    contact: Contact,
    typed: ContactForm,
    errors: Errors,
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    typed: Option<ContactForm>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let contact = find(&mut tx, principal.user_id).await?.contact;
    tx.commit().await?;
    let typed = typed.unwrap_or_else(|| ContactForm {
        display_name: contact.display_name.clone(),
        phone: contact.phone.clone().unwrap_or_default(),
        address: contact.address.clone().unwrap_or_default(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = ContactPage {
        chrome: Chrome::signed_in("Your account", principal, csrf.clone(), "/account"),
        csrf,
        contact,
        typed,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, None, Vec::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<ContactForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let has_address = find(&mut tx, principal.user_id).await?.contact.has_address;
    let patch = Patch {
        display_name: Some(typed.display_name.clone()),
        phone: Some(typed.phone.clone()),
        address: has_address.then(|| typed.address.clone()),
    };
    let result = save(&mut tx, &context, principal.user_id, patch).await;
    form::settle(&state, tx, result)
        .done(|_| Done::to("/account").message("Your contact details are saved"))
        .again(async |errors| render_page(&state, &principal, jar, Some(typed), errors).await)
        .await
}

pub async fn upload_photo(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: Multipart,
) -> AppResult<Response> {
    // Read before the transaction begins: no connection waits on the browser.
    let read = uploads::read_form(multipart, state.config.upload_limit_bytes).await;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = match read {
        Ok(form) => store_photo(&mut tx, &state, &principal, &context, &form).await,
        Err(error) => Err(error),
    };
    form::settle(&state, tx, result)
        .done(|()| Done::to("/account").message("Your photo is saved"))
        .again(async |errors| {
            let errors = errors
                .into_iter()
                .map(|e| FieldError::new("photo", e.message))
                .collect();
            render_page(&state, &principal, jar, None, errors).await
        })
        .await
}

/// The caller's own photograph.
pub async fn photo(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let file = sqlx::query_scalar!(
        "SELECT photo_file_id FROM users WHERE id = $1",
        principal.user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .flatten()
    .ok_or(AppError::NotFound)?;
    let described = uploads::describe(&mut tx, file)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    uploads::serve(&state.files, described).await
}

/// The caller's contact details.
#[utoipa::path(get, path = "/api/v1/users/me/contact", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "Their contact details", body = Contact)))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Contact>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let contact = find(&mut tx, principal.user_id).await?.contact;
    tx.commit().await?;
    Ok(Json(contact))
}

/// Changes the caller's own contact details: the fields sent, the others as they are.
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "identity", request_body = Patch, security(("bearer" = [])),
    responses((status = 200, description = "Saved", body = Contact),
        (status = 422, description = "A field is wrong", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn patch_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(patch): ApiJson<Patch>,
) -> AppResult<Json<Contact>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let contact = save(&mut tx, &context, principal.user_id, patch).await?;
    tx.commit().await?;
    Ok(Json(contact))
}

/// The multipart form of a photograph.
#[derive(utoipa::ToSchema)]
#[schema(as = OwnPhotoForm)]
#[allow(dead_code)]
pub struct PhotoForm {
    /// A PNG, JPEG or GIF image.
    #[schema(format = Binary)]
    photo: String,
}

/// Puts a photograph on the caller's account.
#[utoipa::path(post, path = "/api/v1/users/me/photo", tag = "identity", request_body(content = PhotoForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 204, description = "Saved"),
        (status = 422, description = "Not an image that opens", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn photo_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    multipart: Multipart,
) -> AppResult<StatusCode> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    store_photo(&mut tx, &state, &principal, &context, &form).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
