//! `campus admin`: create a college and its first administrator, list colleges.

use anyhow::bail;
use clap::Subcommand;

use crate::audit::verify::Verdict;
use crate::config::Config;
use crate::db::{CollegeId, WhenBusy, begin_for_college};
use crate::institution::model::NewCollege;
use crate::institution::queries;
use crate::people::model::{Email, Role, parse_display_name};
use crate::people::queries as people;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a college and its first administrator (who receives the college_admin role).
    CreateCollege {
        /// The college's URL name, e.g. `riverside` (lowercase letters, digits, hyphens).
        #[arg(long)]
        slug: String,
        /// The college's full name.
        #[arg(long)]
        name: String,
        /// The first administrator's email address.
        #[arg(long)]
        admin_email: String,
        /// The first administrator's name.
        #[arg(long)]
        admin_name: String,
    },
    /// List the colleges on this Campus.
    ListColleges,
    /// Create an operator of this installation (creates colleges, watches health). A
    /// password is made and printed once; a second factor is enrolled at first sign-in.
    CreatePlatformAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateCollege {
            slug,
            name,
            admin_email,
            admin_name,
        } => {
            // Parse everything before touching the database: bad input changes nothing.
            let mut errors = Vec::new();
            let college = NewCollege::parse(&slug, &name)
                .map_err(|e| errors.extend(e))
                .ok();
            let email = Email::parse("admin-email", &admin_email)
                .map_err(|e| errors.push(e))
                .ok();
            let admin_name = parse_display_name("admin-name", &admin_name)
                .map_err(|e| errors.push(e))
                .ok();
            let (Some(college), Some(email), Some(admin_name)) = (college, email, admin_name)
            else {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                    .collect();
                bail!("nothing was created:\n  {}", lines.join("\n  "));
            };
            let base_url = config.base_url();
            super::serve::with_database(&config, WhenBusy::Attach, |pool| async move {
                if queries::find_by_slug(&pool, college.slug.as_str())
                    .await?
                    .is_some()
                {
                    bail!(
                        "nothing was created: a college named `{}` exists already",
                        college.slug.as_str()
                    );
                }
                let id = CollegeId(uuid::Uuid::now_v7());
                let mut tx = begin_for_college(&pool, id).await?;
                queries::insert_college(&mut tx, id, &college).await?;
                let Some(user) =
                    people::insert_user(&mut tx, &email, &admin_name, "invited").await?
                else {
                    bail!("nothing was created: the administrator's email is taken");
                };
                people::assign_role(&mut tx, user, Role::CollegeAdmin).await?;
                let context = crate::audit::AuditContext::default();
                crate::audit::record(
                    &mut tx,
                    &context,
                    crate::audit::Entry::new("college.created")
                        .object("college", id.0)
                        .after(serde_json::json!({
                            "slug": college.slug.as_str(), "name": college.name, "by": "shell",
                        })),
                )
                .await?;
                // The invitation is mailed (queued, sent by the running server) and its
                // link printed, for an installation whose mail is not set up yet.
                let link = crate::users::service::send_invitation(
                    &mut tx,
                    id,
                    &context,
                    &base_url,
                    &college.name,
                    user,
                )
                .await
                .map_err(|e| anyhow::anyhow!("the invitation could not be made: {e}"))?;
                tx.commit().await?;
                println!(
                    "Created {} ({}) with administrator {} <{}>.\nAn invitation was mailed to \
                     them; they can also open it here within seven days:\n{link}",
                    college.name,
                    college.slug.as_str(),
                    admin_name,
                    email.as_str()
                );
                Ok(())
            })
            .await
        }
        AdminCommand::CreatePlatformAdmin { email, name } => {
            let email = Email::parse("email", &email)
                .map_err(|e| anyhow::anyhow!("nothing was created: --email {}", e.message))?;
            let name = parse_display_name("name", &name)
                .map_err(|e| anyhow::anyhow!("nothing was created: --name {}", e.message))?;
            let password = crate::config::generate_secret()[..24].to_string();
            let hash = crate::identity::signin::password::hash(&password)?;
            let listen = config.base_url();
            super::serve::with_database(&config, WhenBusy::Attach, |pool| async move {
                if crate::platform::create_admin(&pool, &email, &name, &hash)
                    .await?
                    .is_none()
                {
                    bail!("nothing was created: a platform administrator has this email");
                }
                println!(
                    "Created platform administrator {name} <{}>.\nTheir password (shown only now): \
                     {password}\nSign in at {listen}/platform/login; a second factor is set up \
                     at first sign-in.",
                    email.as_str()
                );
                Ok(())
            })
            .await
        }
        AdminCommand::ListColleges => {
            super::serve::with_database(&config, WhenBusy::Attach, |pool| async move {
                let colleges = queries::directory(&pool).await?;
                if colleges.is_empty() {
                    println!("No colleges yet.");
                }
                for c in colleges {
                    println!("{:<24} {}", c.slug, c.name);
                }
                Ok(())
            })
            .await
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk each college's hash chain and name the first broken entry.
    Verify {
        /// Only this college (its URL name); all colleges when left out.
        #[arg(long)]
        college: Option<String>,
    },
}

pub async fn audit(config: Config, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { college } = command;
    super::serve::with_database(&config, WhenBusy::Attach, |pool| async move {
        let mut colleges = queries::directory(&pool).await?;
        if let Some(slug) = &college {
            colleges.retain(|c| &c.slug == slug);
            if colleges.is_empty() {
                bail!("no college is named `{slug}`");
            }
        }
        let mut broken = 0;
        for c in colleges {
            let mut tx = begin_for_college(&pool, c.id).await?;
            let verdict = crate::audit::verify::verify(&mut tx).await?;
            tx.commit().await?;
            match verdict {
                Verdict::Intact { entries } => {
                    println!("{:<24} intact ({entries} entries)", c.slug);
                }
                Verdict::Broken { seq, reason } => {
                    broken += 1;
                    println!("{:<24} BROKEN at entry {seq}: {reason}", c.slug);
                }
            }
        }
        if broken > 0 {
            bail!("the audit trail of {broken} college(s) is broken");
        }
        Ok(())
    })
    .await
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new field-encryption key entry (`id:base64`) to add to `field_keys`.
    Generate {
        /// The new key's id (letters and digits).
        #[arg(long, default_value = "k1")]
        id: String,
    },
    /// Re-encrypt every encrypted field under the active key (the last in `field_keys`).
    Rotate,
}

pub async fn keys(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    if let KeysCommand::Generate { id } = command {
        println!("{}", crate::crypto::FieldKeys::generate_entry(&id));
        return Ok(());
    }
    let keys = config.field_keys.clone();
    super::serve::with_database(&config, WhenBusy::Attach, |pool| async move {
        let mut total = 0;
        for c in queries::directory(&pool).await? {
            let mut tx = begin_for_college(&pool, c.id).await?;
            let changed = crate::users::service::reencrypt(&mut tx, &keys).await?;
            if changed > 0 {
                crate::audit::record(
                    &mut tx,
                    &crate::audit::AuditContext::default(),
                    crate::audit::Entry::new("crypto.rotated").after(serde_json::json!({
                        "key": keys.active_id(), "values": changed
                    })),
                )
                .await?;
            }
            tx.commit().await?;
            println!(
                "{:<24} {changed} values re-encrypted under `{}`",
                c.slug,
                keys.active_id()
            );
            total += changed;
        }
        println!("{total} values re-encrypted in all.");
        Ok(())
    })
    .await
}
