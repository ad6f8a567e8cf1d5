//! Staff identity cards: the same credit-card PDF as a student's, with the staff
//! member's photo (their account's), department and a verification QR; a newer card
//! replaces the older, and only a present staff member (not one who has left) gets one.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::documents::id_cards::model::Contents;
use crate::documents::issue::model::{self as issue, Issued, Kind};
use crate::error::AppError;

struct Facts {
    name: String,
    number: String,
    department: Option<String>,
    title: Option<String>,
    status: String,
    college: String,
    slug: String,
    photo_key: Option<String>,
    valid_until: time::Date,
}

async fn facts(conn: &mut PgConnection, staff: Uuid) -> Result<Option<Facts>, sqlx::Error> {
    sqlx::query_as!(
        Facts,
        r#"SELECT sf.first_name || ' ' || sf.last_name AS "name!", sf.staff_number AS number,
                  d.name AS "department?", sf.title, sf.status, c.name AS "college!", c.slug,
                  f.storage_key AS "photo_key?",
                  coalesce((SELECT y.ends_on FROM academic_years y WHERE y.is_current),
                           current_date + 365) AS "valid_until!"
           FROM staff sf
           JOIN colleges c ON c.id = sf.college_id
           LEFT JOIN departments d ON d.college_id = sf.college_id AND d.id = sf.department_id
           LEFT JOIN users u ON u.college_id = sf.college_id AND u.id = sf.user_id
           LEFT JOIN stored_files f ON f.college_id = u.college_id AND f.id = u.photo_file_id
                AND f.content_type LIKE 'image/%'
           WHERE sf.id = $1"#,
        staff
    )
    .fetch_optional(conn)
    .await
}

/// Issues a staff member's identity card now (the issuer's daily limit applies).
pub async fn issue(
    conn: &mut PgConnection,
    storage: &crate::files::Storage,
    context: &crate::audit::AuditContext,
    base_url: &str,
    staff: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::queries::within_daily_limit(conn, context.actor).await?;
    let facts = facts(conn, staff).await?.ok_or(AppError::NotFound)?;
    if facts.status == "left" {
        return Err(AppError::Conflict(
            "identity cards are for present staff; this staff member has left".into(),
        ));
    }
    let photo = match &facts.photo_key {
        Some(key) => Some(storage.get(key).await?),
        None => None,
    };
    let code = issue::new_code();
    let department = facts.department.clone().unwrap_or_else(|| "—".into());
    let contents = Contents {
        kind: Kind::StaffIdCard.as_str().into(),
        college: facts.college.clone(),
        student_name: facts.name.clone(),
        student_number: facts.number.clone(),
        program: department.clone(),
        valid_until: facts.valid_until.to_string(),
        issued_on: issue::today(),
    };
    let url = issue::verify_url(base_url, &facts.slug, &code);
    let card = documents::IdCard {
        college: facts.college,
        card_kind: facts.title.unwrap_or_else(|| "Staff".into()),
        name: facts.name,
        number: facts.number.clone(),
        line_label: "Department".into(),
        line: department,
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
    crate::documents::lifecycle::queries::replace_staff_cards(conn, staff).await?;
    let id = crate::documents::issue::queries::record_staff_card(
        conn, context, staff, &code, value, &pdf,
    )
    .await?;
    Ok(Issued {
        id,
        code,
        pdf,
        file_name: format!("staff-card-{}.pdf", issue::safe_file_part(&facts.number)),
    })
}

/// A staff member's identity card as PDF (for those who manage staff records).
#[utoipa::path(post, path = "/api/v1/staff/{id}/id-card", tag = "documents", params(("id" = Uuid, Path, description = "The staff record's id")), security(("bearer" = [])),
    responses((status = 200, description = "The PDF, with a verification code", content_type = "application/pdf"),
        (status = 404, description = "No such staff record", body = crate::web::errors::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The staff member has left", body = crate::web::errors::ProblemDocument, content_type = "application/problem+json")))]
pub async fn download(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    principal: crate::access::principal::Principal,
    context: crate::audit::AuditContext,
    crate::web::extract::ApiPath(staff): crate::web::extract::ApiPath<Uuid>,
) -> crate::error::AppResult<axum::response::Response> {
    let mut tx = crate::db::begin_for_college(&state.db, principal.college).await?;
    let issued = issue(
        &mut tx,
        &state.files,
        &context,
        &state.config.base_url(),
        staff,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::attachment::attachment(
        issued.pdf,
        "application/pdf",
        &issued.file_name,
    ))
}
