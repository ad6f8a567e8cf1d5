//! Builders for test data: colleges and users with roles and a password.

use std::sync::OnceLock;

use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};
use campus::identity::signin::password;
use campus::institution::model::NewCollege;
use campus::institution::queries::insert_college;
use sqlx::PgPool;
use uuid::Uuid;

pub const PASSWORD: &str = "lantern orchard velvet thunder";

/// The second-factor secret of fixture users whose roles require one.
pub const TOTP_SECRET: &[u8; 20] = b"fixture-totp-secret!";

/// A code for `secret` that `email` has not used yet: each time step works once, so a
/// second sign-in in the same 30 seconds takes the next step (within the allowed skew).
pub fn next_code(email: &str, secret: &[u8]) -> String {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static USED: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let mut used = USED
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .expect("lock");
    let step = used
        .get(email)
        .map_or(now / 30, |last| (last + 1).max(now / 30));
    assert!(
        step <= now / 30 + 1,
        "{email} signed in more often than its second factor allows"
    );
    used.insert(email.to_string(), step);
    campus::identity::mfa::codes::code_at(secret, step * 30)
}

/// Argon2 is slow on purpose; hash the shared test password once per process.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
}

pub async fn college(pool: &PgPool, slug: &str) -> CollegeId {
    let id = CollegeId(Uuid::new_v4());
    let mut tx = begin_for_college(pool, id).await.expect("tx");
    let new = NewCollege::parse(slug, &format!("College {slug}")).expect("valid");
    insert_college(&mut tx, id, &new).await.expect("college");
    tx.commit().await.expect("commit");
    id
}

/// An active user with `roles` and the shared test password.
pub async fn user(pool: &PgPool, college: CollegeId, email: &str, roles: &[Role]) -> Uuid {
    let keys = crate::util::app::test_config(&[]).field_keys;
    user_with_keys(pool, &keys, college, email, roles).await
}

/// The same, for an app configured with its own field-encryption keys.
pub async fn user_with_keys(
    pool: &PgPool,
    keys: &campus::crypto::FieldKeys,
    college: CollegeId,
    email: &str,
    roles: &[Role],
) -> Uuid {
    let hash = password_hash().to_string();
    let mut tx = begin_for_college(pool, college).await.expect("tx");
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (college_id, email, display_name, status, password_hash) \
         VALUES (app_current_college(), $1, $2, 'active', $3) RETURNING id",
    )
    .bind(email)
    .bind(format!("User {email}"))
    .bind(hash)
    .fetch_one(&mut *tx)
    .await
    .expect("user");
    if roles.iter().any(|r| r.needs_second_factor()) {
        campus::identity::mfa::queries::enable_with_secret(&mut tx, keys, id, TOTP_SECRET)
            .await
            .expect("second factor");
    }
    for role in roles {
        sqlx::query("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, $2)")
            .bind(id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await
            .expect("role");
    }
    tx.commit().await.expect("commit");
    id
}

/// The audit actions of a college, oldest first.
pub async fn audit_actions(pool: &PgPool, college: CollegeId) -> Vec<String> {
    let mut tx = begin_for_college(pool, college).await.expect("tx");
    let actions = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq")
        .fetch_all(&mut *tx)
        .await
        .expect("audit");
    tx.commit().await.expect("commit");
    actions
}

/// A fresh folder for the mail a test's app sends.
pub fn mail_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("campus-mail-{}", Uuid::new_v4().simple()))
}

/// Delivers the outbox into `dir` and returns the mails found there (raw text).
pub async fn delivered_mail(app: &crate::util::TestApp, dir: &std::path::Path) -> Vec<String> {
    let config = campus::config::Config {
        mail_transport: campus::config::MailTransport::Folder(dir.to_path_buf()),
        ..crate::util::app::test_config(&[])
    };
    let sender = campus::mail::sender::Sender::from_config(&config).expect("sender");
    sender.deliver_due(&app.pool).await.expect("deliver");
    let mut mails = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            mails.push(std::fs::read_to_string(entry.path()).expect("mail"));
        }
    }
    mails
}

/// The `token=` value of the first link in a mail (quoted-printable soft breaks undone).
pub fn link_token(mail: &str) -> String {
    let text = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect()
}

/// A test app holding a small demo college (40 students, every demo account); returns
/// the app and the college.
pub async fn demo_college() -> (crate::util::TestApp, CollegeId) {
    let app = crate::util::TestApp::new().await;
    campus::demo::ensure(&app.pool, 40, &app.state.config.field_keys)
        .await
        .expect("demo");
    let college = campus::institution::queries::find_by_slug(&app.pool, "riverside")
        .await
        .expect("query")
        .expect("college")
        .id;
    (app, college)
}
