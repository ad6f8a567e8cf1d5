//! Student identity cards: a credit-card-size PDF with the student's photo (the latest
//! on their record) and a QR code to the card's public verification page, issued and
//! recorded like every other document; and checking a photo and putting it on the record.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::documents::id_cards::model::Contents;
use crate::documents::id_cards::queries;
use crate::documents::issue::model::{self as issue, Issued, Kind};
use crate::documents::issue::queries as issue_queries;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FormData};

/// Issues a student's identity card now.
pub async fn issue(
    conn: &mut PgConnection,
    storage: &crate::files::Storage,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::queries::within_daily_limit(conn, context.actor).await?;
    let facts = queries::facts(conn, student).await?;
    let facts = facts.ok_or(AppError::NotFound)?;
    if !["enrolled", "on_leave"].contains(&facts.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "identity cards are for current students; this one is {}",
            facts.status
        )));
    }
    let photo_key = queries::photo_key(conn, student).await?;
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
        line_label: "Program".into(),
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
    crate::documents::lifecycle::queries::replace_id_cards(conn, student).await?;
    let id = issue_queries::record_document(
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

/// Checks the form's photograph and puts it on the student's record, in `conn`.
pub(super) async fn store_photo(
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
    queries::record_photo(conn, context, student, file).await?;
    Ok(())
}
