//! Setting a college up: the registers of its places (campuses, buildings, rooms), its
//! departments and programs, and its academic years and terms. Every register is
//! listed (search, filter, sort, pages, CSV), shown with what uses each record, created,
//! edited, retired (kept for history, hidden from new use) and deleted while nothing
//! uses it, through the same pages and the same API shape; each change is audited.
//!
//! A register describes itself by implementing [`Register`]; `service.rs` holds the
//! operations every register shares (audit, locks, what may be deleted), `pages.rs` and
//! `api.rs` the handlers, generic over the register.

pub mod api;
pub mod checklist;
pub mod import;
pub mod import_pages;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod service;
pub mod view;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::permissions::Permission::{InstitutionManage, InstitutionRead};
use crate::access::routes::{Access, Routes};
use crate::error::FieldError;
use crate::web::list::Listing;
use view::{Cell, Column, Fact, Field, Usage};

/// The addresses of a register's pages (literal, as the route table keeps them).
pub struct Paths {
    /// `/setup/rooms`: the list (GET) and creating (POST).
    pub list: &'static str,
    pub new: &'static str,
    /// `/setup/rooms/{id}`: a record (GET) and saving an edit (POST).
    pub one: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub retire: &'static str,
    pub restore: &'static str,
}

/// A register's usual addresses under `base` (`paths!("/setup/rooms")`).
macro_rules! paths {
    ($base:literal) => {
        $crate::institution::setup::Paths {
            list: $base,
            new: concat!($base, "/new"),
            one: concat!($base, "/{id}"),
            edit: concat!($base, "/{id}/edit"),
            delete: concat!($base, "/{id}/delete"),
            retire: concat!($base, "/{id}/retire"),
            restore: concat!($base, "/{id}/restore"),
        }
    };
}
pub(crate) use paths;

/// A register's usual audit actions for its object (`actions!("room")`).
macro_rules! actions {
    ($object:literal) => {
        $crate::institution::setup::Actions {
            created: concat!($object, ".created"),
            changed: concat!($object, ".changed"),
            deleted: concat!($object, ".deleted"),
            retired: concat!($object, ".retired"),
            restored: concat!($object, ".restored"),
        }
    };
}
pub(crate) use actions;

/// The audit trail's actions of a register.
pub struct Actions {
    pub created: &'static str,
    pub changed: &'static str,
    pub deleted: &'static str,
    pub retired: &'static str,
    pub restored: &'static str,
}

/// A register with a current record (the academic year, the term): its action's page
/// address and the audit trail's action.
pub struct Current {
    /// `/setup/terms/{id}/make-current`.
    pub path: &'static str,
    pub action: &'static str,
}

/// How retiring a record is said: what to do instead of deleting, and what was done.
pub struct RetireWords {
    /// " Retire it instead: …", after a refused deletion.
    pub instead: &'static str,
    /// "… retired: it is offered no more", after the label.
    pub done: &'static str,
    /// "… is in use again".
    pub undone: &'static str,
}

/// Which records a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    Active,
    Retired,
    All,
}

impl Show {
    pub fn parse(text: &str) -> Show {
        match text {
            "retired" => Show::Retired,
            "all" => Show::All,
            _ => Show::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Show::Active => "active",
            Show::Retired => "retired",
            Show::All => "all",
        }
    }

    /// The `retired` filter of a list query: `None` for all.
    pub fn retired(self) -> Option<bool> {
        match self {
            Show::Active => Some(false),
            Show::Retired => Some(true),
            Show::All => None,
        }
    }
}

/// A list's filters: words in the code or name, active or retired, and the record it
/// lies within (a building's rooms, a department's programs), by id.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: String,
    pub show: Show,
    pub within: Option<Uuid>,
}

impl Filter {
    /// `q` as a `LIKE` pattern matching anywhere, its wildcards escaped.
    pub fn pattern(&self) -> String {
        let escaped = self
            .q
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    }
}

/// A register of setup records. The pages and the API are generic over it.
pub trait Register: Send + Sync + 'static {
    /// The record in words, singular and plural, lower case ("room", "rooms").
    const ONE: &'static str;
    const MANY: &'static str;
    /// The list's heading ("Rooms") and a line saying what the register is for.
    const TITLE: &'static str;
    const LEAD: &'static str;
    /// The audit trail's object type.
    const OBJECT: &'static str;
    const PATHS: Paths;
    const ACTIONS: Actions;
    /// The list's sort keys, the first the default.
    const SORTS: &'static [&'static str];
    const COLUMNS: &'static [Column];
    /// Whether records are retired (kept, hidden from new use); otherwise only deleted.
    const RETIRES: bool;
    /// The label of the `within` filter ("Building"), if the list has one.
    const WITHIN: Option<&'static str>;
    /// Whether one record is the college's current one, chosen by a user.
    const CURRENT: Option<Current> = None;
    /// The columns of a CSV import, for registers that take one.
    const IMPORT: Option<import::Import> = None;
    /// The permission to see the register, and the one to change it.
    const READ: Permission = InstitutionRead;
    const MANAGE: Permission = InstitutionManage;
    /// Whether the register's list and record pages (and the API's list and record) are
    /// its own module's, richer than the generic ones; the forms, deletion, retiring and
    /// import stay generic.
    const OWN_PAGES: bool = false;
    const RETIRE_WORDS: RetireWords = RetireWords {
        instead: "Retire it instead: it stays in their history and is offered no more.",
        done: "retired: it is offered no more",
        undone: "is in use again",
    };
    /// The area the register's pages sit in, for their breadcrumbs: (words, address).
    const AREA: (&'static str, &'static str) = ("Setting up", "/setup");

    /// A record as read, and as the API answers it.
    type Row: Serialize + Send + Sync;
    /// What is saved, as the API takes it.
    type Input: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The page's form, every field as typed.
    type Form: DeserializeOwned + Default + Clone + Send + Sync + 'static;

    fn id(row: &Self::Row) -> Uuid;
    /// The record's name in messages and headings ("Room ENG-101").
    fn label(row: &Self::Row) -> String;
    /// Whether the record is retired; never, for registers that do not retire.
    fn is_retired(_row: &Self::Row) -> bool {
        false
    }
    fn is_current(_row: &Self::Row) -> bool {
        false
    }
    /// The list's cells, one per column.
    fn cells(row: &Self::Row) -> Vec<Cell>;
    fn facts(row: &Self::Row) -> Vec<Fact>;
    fn input_of(row: &Self::Row) -> Self::Input;
    fn form_of(input: &Self::Input) -> Self::Form;
    /// The form read into an input; fields that cannot be read (a number that is not
    /// one) are named, and the input holds a stand-in for them.
    fn parse(form: &Self::Form) -> (Self::Input, Vec<FieldError>);
    /// The input's own problems: required fields, formats, ranges.
    fn check(input: &Self::Input) -> Vec<FieldError>;
    /// The constraint a refused write broke, as the field to blame and the message.
    fn constraint(name: &str) -> Option<(&'static str, &'static str)>;

    fn fields(
        conn: &mut PgConnection,
        form: &Self::Form,
    ) -> impl Future<Output = Result<Vec<Field>, sqlx::Error>> + Send;
    /// The records of `within` filter's select, (id, label).
    fn within_options(
        conn: &mut PgConnection,
    ) -> impl Future<Output = Result<Vec<(Uuid, String)>, sqlx::Error>> + Send {
        let _ = conn;
        async { Ok(Vec::new()) }
    }
    fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> impl Future<Output = Result<(Vec<Self::Row>, i64), sqlx::Error>> + Send;
    /// One record; with `lock`, locked against change until the transaction ends (and
    /// against new records that would point to it).
    fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> impl Future<Output = Result<Option<Self::Row>, sqlx::Error>> + Send;
    /// What uses the record; a record used by anything is not deleted.
    fn usage(
        conn: &mut PgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<Vec<Usage>, sqlx::Error>> + Send;
    /// Active records that lie within this one; a record is retired only without them.
    fn active_within(
        conn: &mut PgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<Vec<Usage>, sqlx::Error>> + Send {
        let _ = (conn, id);
        async { Ok(Vec::new()) }
    }
    /// Inserts (`id` none) or updates a checked input; the references it names are
    /// resolved here and refused by field (the inner error) when they do not exist or
    /// are retired. A broken constraint comes back as the database's error.
    fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Result<Uuid, Vec<FieldError>>, sqlx::Error>> + Send;
    fn remove(
        conn: &mut PgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Registers that retire (`RETIRES`) write it here.
    fn set_retired(
        conn: &mut PgConnection,
        id: Uuid,
        retired: bool,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        let _ = (conn, id, retired);
        async { Ok(()) }
    }
    /// A CSV row's cells (by column) as the register's form.
    fn form_of_cells(
        cells: &std::collections::BTreeMap<String, String>,
    ) -> Result<Self::Form, String> {
        import::form_from_cells(cells)
    }
    /// The record an imported row updates: the one with its code, if any.
    fn existing(
        conn: &mut PgConnection,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Option<Uuid>, sqlx::Error>> + Send {
        let _ = (conn, input);
        async { Ok(None) }
    }
    /// Makes the record the current one, and no other (registers with `CURRENT` only).
    fn make_current(
        conn: &mut PgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        let _ = (conn, id);
        async { Ok(()) }
    }
}

/// The pages of a register: reading needs its `READ` permission (`institution.read` for
/// most), changing its `MANAGE`.
pub fn page_routes<R: Register>() -> Routes {
    let p = R::PATHS;
    let (read, manage) = (Access::Allowed(R::READ), Access::Allowed(R::MANAGE));
    let routes = if R::OWN_PAGES {
        Routes::new()
    } else {
        Routes::new()
            .get(p.list, read, pages::list::<R>)
            .get(p.one, read, pages::show::<R>)
    };
    let routes = routes
        .post(p.list, manage, pages::create::<R>)
        .get(p.new, manage, pages::new::<R>)
        .post(p.one, manage, pages::update::<R>)
        .get(p.edit, manage, pages::edit::<R>)
        .get(p.delete, manage, pages::confirm_delete::<R>)
        .post(p.delete, manage, pages::delete::<R>);
    let routes = match R::IMPORT {
        Some(import) => routes
            .get(import.page, manage, import_pages::page::<R>)
            .post(
                import.page,
                manage,
                import_pages::import::<R>.layer(DefaultBodyLimit::disable()),
            ),
        None => routes,
    };
    let routes = match R::CURRENT {
        Some(current) => routes.post(current.path, manage, pages::make_current::<R>),
        None => routes,
    };
    if R::RETIRES {
        routes.post(p.retire, manage, pages::retire::<R>).post(
            p.restore,
            manage,
            pages::restore::<R>,
        )
    } else {
        routes
    }
}
