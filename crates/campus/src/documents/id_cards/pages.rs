//! The student profile page's photo form.

use axum::extract::{Multipart, State};
use axum::response::Response;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::id_cards::service;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};

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
            service::store_photo(
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
