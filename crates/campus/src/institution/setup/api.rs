//! The JSON API of every register, generic over it: list, one record, create (201),
//! partial edit (PATCH: only the fields sent change), delete (204, refused with 409
//! naming what uses the record), retire and restore. [`register_api!`] writes each
//! register's handlers with their OpenAPI descriptions.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{Filter, Register, Show, service};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::list::{ListQuery, Listing};

/// A register's list in the API: words in the code or name, active or retired records,
/// the record they lie within, the order and the page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ApiListParams {
    /// Words in the code or name.
    pub q: String,
    /// `active` (the default), `retired` or `all`.
    pub show: String,
    /// Only the records within this one (a building's rooms, a department's programs).
    pub within: Option<Uuid>,
    /// A column to sort by (each register names its own); the first by default.
    pub sort: String,
    /// `desc` for the reverse order.
    pub dir: String,
    /// The page, from 1 (100 records a page).
    pub page: String,
}

const API_PAGE: u32 = 100;

pub async fn list<R: Register>(
    state: &AppState,
    principal: &Principal,
    params: ApiListParams,
) -> AppResult<Json<Vec<R::Row>>> {
    let listing = Listing::new(
        R::PATHS.list,
        &ListQuery {
            sort: params.sort,
            dir: params.dir,
            page: params.page,
        },
        R::SORTS,
        API_PAGE,
    );
    let filter = Filter {
        q: params.q.trim().to_string(),
        show: Show::parse(&params.show),
        within: params.within,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (rows, _) = R::list(&mut tx, &filter, &listing).await?;
    tx.commit().await?;
    Ok(Json(rows))
}

pub async fn get<R: Register>(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<Json<R::Row>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::get::<R>(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(Json(row))
}

pub async fn create<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    input: R::Input,
) -> AppResult<(StatusCode, Json<R::Row>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::save::<R>(&mut tx, context, None, &input, Vec::new()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Applies the fields a PATCH sent over the record as it is, then saves it as any edit.
pub async fn patch<R: Register, P: Serialize>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
    patch: P,
) -> AppResult<Json<R::Row>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::get::<R>(&mut tx, id, true).await?;
    let mut merged = serde_json::to_value(R::input_of(&row)).map_err(anyhow::Error::from)?;
    if let (Some(base), serde_json::Value::Object(sent)) = (
        merged.as_object_mut(),
        serde_json::to_value(patch).map_err(anyhow::Error::from)?,
    ) {
        base.extend(sent);
    }
    let input: R::Input = serde_json::from_value(merged)
        .map_err(|e| AppError::BadRequest(format!("the changes could not be applied: {e}")))?;
    let row = service::save::<R>(&mut tx, context, Some(id), &input, Vec::new()).await?;
    tx.commit().await?;
    Ok(Json(row))
}

pub async fn delete<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::delete::<R>(&mut tx, context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn set_retired<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
    retired: bool,
) -> AppResult<Json<R::Row>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::set_retired::<R>(&mut tx, context, id, retired).await?;
    tx.commit().await?;
    Ok(Json(row))
}

pub async fn make_current<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
) -> AppResult<Json<R::Row>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::make_current::<R>(&mut tx, context, id).await?;
    tx.commit().await?;
    Ok(Json(row))
}

/// The multipart form of a register's import.
#[derive(utoipa::ToSchema)]
#[schema(as = RegisterImportForm)]
#[allow(dead_code)]
pub struct ImportForm {
    /// `false` to write; anything else (or nothing) previews.
    preview: Option<String>,
    /// The CSV, its header naming the register's columns.
    #[schema(format = Binary)]
    file: String,
}

pub async fn import<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    multipart: axum::extract::Multipart,
) -> AppResult<(StatusCode, Json<super::import::Report>)> {
    import_with(state, principal, multipart, async |conn, text, preview| {
        super::import::run::<R>(conn, context, text, preview).await
    })
    .await
}

/// An import sent to the API: previewed unless `preview` is `false`; written only when
/// no row was refused (200), else the report (422) and nothing written.
pub async fn import_with(
    state: &AppState,
    principal: &Principal,
    multipart: axum::extract::Multipart,
    run: impl AsyncFnOnce(
        &mut sqlx::PgConnection,
        &str,
        bool,
    ) -> Result<super::import::Report, crate::error::AppError>,
) -> AppResult<(StatusCode, Json<super::import::Report>)> {
    let form = crate::files::uploads::read_form(multipart, state.config.upload_limit_bytes).await?;
    let text = form.text_file()?;
    let preview = form.text("preview").trim() != "false";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let report = run(&mut tx, &text, preview).await?;
    if report.committed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let status = if report.error_count > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// Writes a register's API handlers, each with its OpenAPI description, and a
/// `api_routes()` with the register's permissions (`READ` to read, `MANAGE` to change).
macro_rules! register_api {
    (
        register: $register:ty,
        tag: $tag:literal,
        list: $list:literal,
        one: $one:literal,
        $(retire: $retire:literal,
        restore: $restore:literal,)?
        $(current: $current:literal,)?
        $(import: $import:literal,)?
        row: $row:ty,
        input: $input:ty,
        patch: $patch:ty $(,)?
    ) => {
        use axum::extract::State;
        use axum::http::StatusCode;
        use axum::Json;
        use uuid::Uuid;
        use crate::access::principal::Principal;
        use crate::app::AppState;
        use crate::audit::AuditContext;
        use crate::error::AppResult;
        use crate::institution::setup::api as generic;
        use crate::web::errors::ProblemDocument;
        use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

        /// Lists the records: words in the code or name, active or retired, within a record, sorted, 100 a page.
        #[utoipa::path(get, path = $list, tag = $tag, params(generic::ApiListParams), security(("bearer" = [])),
            responses((status = 200, description = "The records", body = [$row])))]
        pub async fn list(
            State(state): State<AppState>,
            principal: Principal,
            ApiQuery(params): ApiQuery<generic::ApiListParams>,
        ) -> AppResult<Json<Vec<$row>>> {
            generic::list::<$register>(&state, &principal, params).await
        }

        /// One record.
        #[utoipa::path(get, path = $one, tag = $tag, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 200, description = "The record", body = $row),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn get(
            State(state): State<AppState>,
            principal: Principal,
            ApiPath(id): ApiPath<Uuid>,
        ) -> AppResult<Json<$row>> {
            generic::get::<$register>(&state, &principal, id).await
        }

        /// Creates a record; refused by field when a value is wrong or a code is taken.
        #[utoipa::path(post, path = $list, tag = $tag, request_body = $input, security(("bearer" = [])),
            responses((status = 201, description = "Created", body = $row),
                (status = 422, description = "A field is wrong", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn create(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiJson(input): ApiJson<$input>,
        ) -> AppResult<(StatusCode, Json<$row>)> {
            generic::create::<$register>(&state, &principal, &context, input).await
        }

        /// Changes the fields sent; the others stay as they are.
        #[utoipa::path(patch, path = $one, tag = $tag, request_body = $patch, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 200, description = "Saved", body = $row),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json"),
                (status = 422, description = "A field is wrong", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn patch(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiPath(id): ApiPath<Uuid>,
            ApiJson(changes): ApiJson<$patch>,
        ) -> AppResult<Json<$row>> {
            generic::patch::<$register, _>(&state, &principal, &context, id, changes).await
        }

        /// Deletes a record nothing uses; a record in use is refused (409) with what uses it.
        #[utoipa::path(delete, path = $one, tag = $tag, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 204, description = "Deleted"),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json"),
                (status = 409, description = "In use", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn delete(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiPath(id): ApiPath<Uuid>,
        ) -> AppResult<StatusCode> {
            generic::delete::<$register>(&state, &principal, &context, id).await
        }

        $(
        /// Retires a record: kept with its history, offered no more; refused (409) while active records lie within it.
        #[utoipa::path(post, path = $retire, tag = $tag, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 200, description = "Retired", body = $row),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json"),
                (status = 409, description = "Active records lie within it", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn retire(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiPath(id): ApiPath<Uuid>,
        ) -> AppResult<Json<$row>> {
            generic::set_retired::<$register>(&state, &principal, &context, id, true).await
        }

        /// Puts a retired record back in use.
        #[utoipa::path(post, path = $restore, tag = $tag, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 200, description = "In use again", body = $row),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn restore(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiPath(id): ApiPath<Uuid>,
        ) -> AppResult<Json<$row>> {
            generic::set_retired::<$register>(&state, &principal, &context, id, false).await
        }
        )?

        $(
        /// Makes the record the college's current one; the one that was current is no more.
        #[utoipa::path(post, path = $current, tag = $tag, params(("id" = Uuid, Path, description = "The record's id")), security(("bearer" = [])),
            responses((status = 200, description = "Now the current one", body = $row),
                (status = 404, description = "No such record", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn make_current(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            ApiPath(id): ApiPath<Uuid>,
        ) -> AppResult<Json<$row>> {
            generic::make_current::<$register>(&state, &principal, &context, id).await
        }
        )?

        $(
        /// Imports records from CSV: a preview reports every problem by line and column; an import writes all rows or none, a row whose code exists updating that record.
        #[utoipa::path(post, path = $import, tag = $tag, request_body(content = generic::ImportForm, content_type = "multipart/form-data"), security(("bearer" = [])),
            responses((status = 200, description = "Previewed, or written (`committed`)", body = crate::institution::setup::import::Report),
                (status = 422, description = "Problems found, nothing written (the report); or no file (problem details)", content((crate::institution::setup::import::Report = "application/json"), (ProblemDocument = "application/problem+json"))),
                (status = 400, description = "Not a CSV Campus can read, or a column missing or unknown", body = ProblemDocument, content_type = "application/problem+json")))]
        pub async fn import(
            State(state): State<AppState>,
            principal: Principal,
            context: AuditContext,
            multipart: axum::extract::Multipart,
        ) -> AppResult<(StatusCode, Json<crate::institution::setup::import::Report>)> {
            generic::import::<$register>(&state, &principal, &context, multipart).await
        }
        )?

        pub fn api_routes() -> crate::access::routes::Routes {
            use crate::access::routes::{Access, Routes};
            use crate::institution::setup::Register;
            let read = Access::Allowed(<$register as Register>::READ);
            let manage = Access::Allowed(<$register as Register>::MANAGE);
            let routes = if <$register as Register>::OWN_PAGES {
                Routes::new()
            } else {
                Routes::new().get($list, read, list).get($one, read, get)
            };
            let routes = routes
                .post($list, manage, create)
                .patch($one, manage, patch)
                .delete($one, manage, delete);
            $(
            let routes = routes
                .post($retire, manage, retire)
                .post($restore, manage, restore);
            )?
            $(
            let routes = routes.post($current, manage, make_current);
            )?
            $(
            let routes = {
                use axum::handler::Handler;
                routes.post(
                    $import,
                    manage,
                    import.layer(axum::extract::DefaultBodyLimit::disable()),
                )
            };
            )?
            routes
        }
    };
}

pub(crate) use register_api;
