//! The platform: the operators of a Campus installation create colleges and watch its
//! health. They are accounts of the reserved platform tenant with the `platform_admin`
//! role; row-level security keeps them out of colleges' data, and the figures they see
//! come from `platform_college_stats()`, which counts without returning rows.

pub mod pages;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::access::permissions::Permission::PlatformManage;
use crate::access::routes::{Access, Routes};
use crate::db::{CollegeId, begin_for_college};

/// The platform tenant's URL name (no college can take it: slugs are unique).
pub fn routes() -> Routes {
    Routes::new()
        .get("/platform/login", Access::Public, pages::login_page)
        .get("/platform", Access::Allowed(PlatformManage), pages::page)
        .post(
            "/platform/colleges",
            Access::Allowed(PlatformManage),
            pages::create_college,
        )
        .get(
            "/api/v1/platform/colleges",
            Access::Allowed(PlatformManage),
            pages::list_api,
        )
        .post(
            "/api/v1/platform/colleges",
            Access::Allowed(PlatformManage),
            pages::create_api,
        )
}

/// The platform tenant, made the first time it is needed.
pub async fn ensure_tenant(pool: &PgPool) -> Result<CollegeId, sqlx::Error> {
    if let Some(existing) = crate::institution::queries::platform_tenant(pool).await? {
        return Ok(existing.id);
    }
    let id = CollegeId(Uuid::now_v7());
    let mut tx = begin_for_college(pool, id).await?;
    sqlx::query!("INSERT INTO colleges (id, slug, name, kind) VALUES ($1, $2, 'Campus platform', 'platform')", id.0, crate::institution::queries::PLATFORM_SLUG)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CollegeStats {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    pub users: i64,
    pub students: i64,
    pub live_sessions: i64,
}

/// Figures per college; empty unless the transaction acts for the platform tenant.
pub async fn stats(conn: &mut PgConnection) -> Result<Vec<CollegeStats>, sqlx::Error> {
    sqlx::query_as!(
        CollegeStats,
        "SELECT id AS \"id!\", slug AS \"slug!\", name AS \"name!\", status AS \"status!\", \
            created_at AS \"created_at!\", users AS \"users!\", students AS \"students!\", \
            live_sessions AS \"live_sessions!\" FROM platform_college_stats()"
    )
    .fetch_all(conn)
    .await
}

/// Creates an active platform administrator with `password_hash`; returns their id, or
/// `None` when the email is taken.
pub async fn create_admin(
    pool: &PgPool,
    email: &crate::people::model::Email,
    name: &str,
    password_hash: &str,
) -> anyhow::Result<Option<(CollegeId, Uuid)>> {
    let tenant = ensure_tenant(pool).await?;
    let mut tx = begin_for_college(pool, tenant).await?;
    let Some(user) = crate::people::queries::insert_user(&mut tx, email, name, "active").await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        user,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    crate::people::queries::assign_role(
        &mut tx,
        user,
        crate::access::permissions::Role::PlatformAdmin,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        &crate::audit::AuditContext::default(),
        crate::audit::Entry::new("platform.admin_created")
            .object("user", user)
            .after(serde_json::json!({ "email": email.as_str(), "by": "shell" })),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((tenant, user)))
}
