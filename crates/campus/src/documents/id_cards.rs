//! Student identity cards: a credit-card-size PDF with the student's photo (the latest
//! on their record) and a QR code to the card's public verification page, issued and
//! recorded like every other document; and the photo upload that goes with them.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::documents::issue::{self, Issued, Kind};
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FormData};
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};

/// What a card showed when issued; its verification page shows this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub valid_until: String,
    pub issued_on: String,
}

#[derive(sqlx::FromRow)]
struct Facts {
    name: String,
    number: String,
    program: String,
    valid_until: time::Date,
    status: String,
    college: String,
    slug: String,
}

/// Issues a student's identity card now.
pub async fn issue(
    conn: &mut PgConnection,
    storage: &crate::files::Storage,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::within_daily_limit(conn, context.actor).await?;
    let facts: Option<Facts> = sqlx::query_as!(Facts, "SELECT st.first_name || ' ' || st.last_name AS \"name!\", st.student_number AS number, p.name AS program, \
            make_date(extract(year FROM st.admitted_on)::int + p.duration_years, 6, 30) AS \"valid_until!\", st.status, \
            c.name AS \"college!\", c.slug \
         FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         JOIN colleges c ON c.id = st.college_id WHERE st.id = $1", student)
    .fetch_optional(&mut *conn)
    .await?;
    let facts = facts.ok_or(AppError::NotFound)?;
    if !["enrolled", "on_leave"].contains(&facts.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "identity cards are for current students; this one is {}",
            facts.status
        )));
    }
    let photo_key: Option<String> = sqlx::query_scalar!("SELECT f.storage_key FROM student_documents d JOIN stored_files f ON f.college_id = d.college_id AND f.id = d.file_id \
         WHERE d.student_id = $1 AND d.kind = 'photo' AND f.content_type LIKE 'image/%' ORDER BY d.added_at DESC LIMIT 1", student)
    .fetch_optional(&mut *conn)
    .await?;
    let photo = match photo_key {
        Some(key) => Some(storage.get(&key).await?),
        None => None,
    };
    let code = issue::new_code();
    let issued_on = issue::today();
    let contents = Contents {
        kind: Kind::IdCard.as_str().into(),
        college: facts.college.clone(),
        student_name: facts.name.clone(),
        student_number: facts.number.clone(),
        program: facts.program.clone(),
        valid_until: facts.valid_until.to_string(),
        issued_on,
    };
    let url = issue::verify_url(base_url, &facts.slug, &code);
    let card = documents::IdCard {
        college: facts.college,
        card_kind: "Student".into(),
        name: facts.name,
        number: facts.number.clone(),
        line_label: "Programme".into(),
        line: facts.program,
        valid_until: facts.valid_until.to_string(),
        photo: None,
        verification: documents::Verification {
            code: issue::show_code(&code),
            qr_svg: crate::identity::mfa::codes::qr_svg(&url),
            url,
        },
    };
    let pdf = tokio::task::spawn_blocking(move || {
        let photo = photo.as_deref().and_then(documents::thumbnail);
        documents::id_card(&documents::IdCard { photo, ..card })
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    let value = serde_json::to_value(&contents).map_err(|e| AppError::Internal(e.into()))?;
    crate::documents::lifecycle::replace_id_cards(conn, student).await?;
    let id = issue::record_document(
        conn,
        context,
        Kind::IdCard,
        student,
        None,
        &code,
        value,
        &pdf,
    )
    .await?;
    Ok(Issued {
        id,
        code,
        pdf,
        file_name: format!("id-card-{}.pdf", issue::safe_file_part(&facts.number)),
    })
}

/// A student's identity card as PDF (for the student and those who may read them).
#[utoipa::path(post, path = "/api/v1/students/{id}/id-card", tag = "documents", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The PDF, with a verification code", content_type = "application/pdf"),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Not a current student", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let issued = issue(
        &mut tx,
        &state.files,
        &context,
        &state.config.base_url(),
        student,
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}

/// The multipart form of a photo.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PhotoForm {
    /// A PNG, JPEG or GIF photograph.
    #[schema(format = Binary)]
    file: String,
}

/// Checks the form's photograph and puts it on the student's record, in `conn`.
async fn store_photo(
    conn: &mut PgConnection,
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    context: &AuditContext,
    student: Uuid,
    form: &FormData,
) -> AppResult<()> {
    let [upload] = form.files.as_slice() else {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "choose one photograph",
        )]));
    };
    let kinds = uploads::check_all(std::slice::from_ref(upload))?;
    if !kinds[0].starts_with("image/") || documents::thumbnail(&upload.bytes).is_none() {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "a photo must be a PNG, JPEG or GIF image that opens",
        )]));
    }
    authorize_student(conn, grant, student).await?;
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
        "INSERT INTO student_documents (college_id, student_id, file_id, kind, added_by) \
         VALUES (app_current_college(), $1, $2, 'photo', $3)",
        student,
        file,
        context.actor
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("student.photo_added")
            .object("student", student)
            .after(serde_json::json!({ "file_id": file })),
    )
    .await?;
    Ok(())
}

/// Puts a photograph on a student's record (the identity card prints the latest).
#[utoipa::path(post, path = "/api/v1/students/{id}/photo", tag = "students", request_body(content = PhotoForm, content_type = "multipart/form-data"), params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 204, description = "Stored"),
        (status = 422, description = "Not an image, or too big", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_photo(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<StatusCode> {
    let form = uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    store_photo(
        &mut tx, &state, &principal, &grant, &context, student, &form,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The profile page's photo form.
pub async fn add_photo_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: axum_extra::extract::CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    // The upload is read before the transaction begins: no connection waits on the browser.
    let read = uploads::read_form(multipart, state.config.upload_limit_bytes).await;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = match read {
        Ok(upload) => {
            store_photo(
                &mut tx, &state, &principal, &grant, &context, student, &upload,
            )
            .await
        }
        Err(error) => Err(error),
    };
    form::settle(&state, tx, result)
        .done(|()| Done::to(format!("/students/{student}")).message("Photo added."))
        .again(async |errors| {
            crate::students::pages::render_profile(&state, &principal, jar, student, errors).await
        })
        .await
}
