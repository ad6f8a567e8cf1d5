//! The demo college: a realistic college generated from a fixed seed and loaded in one
//! transaction, so a newcomer sees Campus with data in it: six weeks of the term taught
//! and marked, last term's results, applications, requests and notices, each role with
//! work waiting on its dashboard.

mod academics;
mod admissions;
mod attendance;
pub mod catalog;
pub mod generate;
mod life;
mod load;
mod rng;

use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::PgPool;

use crate::crypto::FieldKeys;
use crate::db::{CollegeId, begin_for_college};
use crate::identity::mfa::queries as mfa;
use crate::identity::signin::password;
use crate::institution::model::NewCollege;
use crate::institution::queries;
use crate::people::model::Role;

/// The seed every demo college is drawn from.
pub const SEED: u64 = 2026;

/// The password of every demo account (documented in README.md).
pub const PASSWORD: &str = "riverside-demo-campus";

/// The second-factor secret of the demo's college admin and principal, whose roles
/// require one; its base32 form is printed at start and listed in README.md.
pub const TOTP_SECRET: &[u8; 20] = b"riverside-demo-totp!";

/// Recovery codes of every demo account with a second factor, for trying the demo
/// without an authenticator app: `riverside-01` to `riverside-10`, each usable once per
/// account.
pub fn recovery_codes() -> Vec<String> {
    (1..=10).map(|n| format!("riverside-{n:02}")).collect()
}

/// The demo installation's operator (signs in at /platform/login).
pub const PLATFORM_ADMIN: &str = "platform@campus.example";

pub struct DemoReport {
    pub slug: String,
    pub name: String,
    pub accounts: Vec<(Role, String, String)>,
    pub students: usize,
    pub staff: usize,
    pub guardians: usize,
    pub elapsed: Duration,
}

/// Creates the demo college unless the database already holds a college.
pub async fn ensure(
    pool: &PgPool,
    students: usize,
    keys: &FieldKeys,
) -> anyhow::Result<Option<DemoReport>> {
    if !queries::directory(pool).await?.is_empty() {
        return Ok(None);
    }
    create(pool, students, keys).await.map(Some)
}

/// Generates and loads the demo college with `students` students, all or nothing.
pub async fn create(
    pool: &PgPool,
    students: usize,
    keys: &FieldKeys,
) -> anyhow::Result<DemoReport> {
    let started = Instant::now();
    let today = time::OffsetDateTime::now_utc().date();
    let college = generate::generate(SEED, students, today);
    let id = CollegeId(uuid::Uuid::now_v7());
    let mut tx = begin_for_college(pool, id).await?;
    let mut new = NewCollege::parse(generate::SLUG, generate::NAME)
        .map_err(|e| anyhow::anyhow!("demo college settings are invalid: {e:?}"))?;
    new.short_name = Some("Riverside".into());
    new.tagline = Some("Learning by the river since 1962.".into());
    new.email = Some(format!("office@{}", generate::DOMAIN));
    new.phone = Some("+1-555-0100-0000".into());
    new.website = Some("https://www.riverside.example.edu".into());
    new.address = Some("1 College Road, Riverside".into());
    queries::insert_college(&mut tx, id, &new)
        .await
        .context("creating the demo college")?;
    load::load(&mut tx, &college)
        .await
        .context("loading the demo college's data")?;
    academics::load(&mut tx)
        .await
        .context("loading the demo college's courses and timetable")?;
    admissions::load(
        &mut tx,
        &format!("applicant@{}", generate::DOMAIN),
        &college.applicants,
    )
    .await
    .context("loading the demo college's admissions")?;
    attendance::load(&mut tx)
        .await
        .context("loading the demo college's attendance")?;
    life::load(&mut tx, keys)
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo college's requests and notices: {e}"))?;
    // One hash for every demo account: hashing tens of thousands would take minutes.
    let hash = tokio::task::spawn_blocking(|| password::hash(PASSWORD)).await??;
    sqlx::query!("UPDATE users SET password_hash = $1", hash)
        .execute(&mut *tx)
        .await?;
    let needs_mfa: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "SELECT id FROM users WHERE email = ANY($1::text[])",
        &[
            format!("admin@{}", generate::DOMAIN),
            format!("principal@{}", generate::DOMAIN),
        ][..]
    )
    .fetch_all(&mut *tx)
    .await?;
    for user in needs_mfa {
        mfa::enable_with_secret(&mut tx, keys, user, TOTP_SECRET).await?;
        mfa::add_recovery_codes(&mut tx, user, &recovery_codes()).await?;
    }
    tx.commit().await?;
    let platform_admin = crate::people::model::Email::parse("email", PLATFORM_ADMIN)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let hash = tokio::task::spawn_blocking(|| password::hash(PASSWORD)).await??;
    if let Some((_, user)) =
        crate::platform::create_admin(pool, &platform_admin, "Pat Platform", &hash).await?
    {
        let tenant = crate::platform::ensure_tenant(pool).await?;
        let mut tx = begin_for_college(pool, tenant).await?;
        mfa::enable_with_secret(&mut tx, keys, user, TOTP_SECRET).await?;
        mfa::add_recovery_codes(&mut tx, user, &recovery_codes()).await?;
        tx.commit().await?;
    }
    Ok(DemoReport {
        slug: generate::SLUG.into(),
        name: generate::NAME.into(),
        accounts: college
            .accounts
            .iter()
            .map(|a| (a.role, a.email.clone(), a.name.clone()))
            .collect(),
        students: college.students.len(),
        staff: college.staff.len(),
        guardians: college.guardians.len(),
        elapsed: started.elapsed(),
    })
}

/// The demo college's fixed accounts as the database holds them: (role, email, name).
pub async fn accounts(pool: &PgPool) -> anyhow::Result<Vec<(Role, String, String)>> {
    let Some(college) = queries::find_by_slug(pool, generate::SLUG).await? else {
        return Ok(Vec::new());
    };
    let mut tx = begin_for_college(pool, college.id).await?;
    let rows: Vec<(String, String, String)> = sqlx::query!(
        "SELECT r.role, u.email::text AS \"email!\", u.display_name FROM users u \
         JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id \
         WHERE u.email::text LIKE '%@' || $1",
        generate::DOMAIN
    )
    .fetch_all(&mut *tx)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.role, r.email, r.display_name))
            .collect::<Vec<_>>()
    })?;
    tx.commit().await?;
    // Each role's own fixed account (the organizer is a student too, so a role is matched
    // to its address, not to the first fixed account holding it).
    let accounts: Vec<(Role, String, String)> = Role::COLLEGE
        .iter()
        .filter_map(|role| {
            let address = generate::fixed_address(*role)?;
            rows.iter()
                .find(|(r, email, _)| r == role.as_str() && *email == address)
                .map(|(_, email, name)| (*role, email.clone(), name.clone()))
        })
        .collect();
    Ok(accounts)
}
