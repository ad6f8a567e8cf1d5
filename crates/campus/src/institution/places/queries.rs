//! The places' registers: how campuses, buildings and rooms are listed, read, written,
//! retired and deleted, and what uses each.

use std::collections::BTreeMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{
    Building, BuildingForm, BuildingInput, Campus, CampusForm, CampusInput, ROOM_FEATURES,
    ROOM_KINDS, Room, RoomForm, RoomInput,
};
use crate::error::FieldError;
use crate::institution::setup::import::Import;
use crate::institution::setup::rules::{code, code_of, optional, resolved, whole, words_of};
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage, options};
use crate::institution::setup::{Actions, Filter, Paths, Register};
use crate::web::list::Listing;

pub struct Campuses;
pub struct Buildings;
pub struct Rooms;

impl Register for Campuses {
    const ONE: &'static str = "campus";
    const MANY: &'static str = "campuses";
    const TITLE: &'static str = "Campuses";
    const LEAD: &'static str = "The college's sites. Buildings stand on a campus.";
    const OBJECT: &'static str = "campus";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/campuses");
    const ACTIONS: Actions = crate::institution::setup::actions!("campus");
    const SORTS: &'static [&'static str] = &["code", "name"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("code", "Code"),
        Column::sorted("name", "Name"),
        Column::plain("Address"),
        Column::plain("Buildings"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = None;

    type Row = Campus;
    type Input = CampusInput;
    type Form = CampusForm;

    fn id(row: &Campus) -> Uuid {
        row.id
    }

    fn label(row: &Campus) -> String {
        format!("Campus {}", row.code)
    }

    fn is_retired(row: &Campus) -> bool {
        row.retired
    }

    fn cells(row: &Campus) -> Vec<Cell> {
        vec![
            Cell::link(&row.code, format!("/setup/campuses/{}", row.id)),
            Cell::text(&row.name),
            Cell::maybe(row.address.clone()),
            Cell::link(
                row.buildings.to_string(),
                format!("/setup/buildings?within={}&show=all", row.id),
            ),
            Cell::status(row.retired),
        ]
    }

    fn facts(row: &Campus) -> Vec<Fact> {
        vec![
            Fact::new("Code", Cell::text(&row.code)),
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new("Address", Cell::maybe(row.address.clone())),
        ]
    }

    fn input_of(row: &Campus) -> CampusInput {
        CampusInput {
            code: row.code.clone(),
            name: row.name.clone(),
            address: row.address.clone(),
        }
    }

    fn form_of(input: &CampusInput) -> CampusForm {
        CampusForm {
            code: input.code.clone(),
            name: input.name.clone(),
            address: input.address.clone().unwrap_or_default(),
        }
    }

    fn parse(form: &CampusForm) -> (CampusInput, Vec<FieldError>) {
        (
            CampusInput {
                code: form.code.clone(),
                name: form.name.clone(),
                address: optional(&form.address),
            },
            Vec::new(),
        )
    }

    fn check(input: &CampusInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "campuses_code_unique" => Some(("code", "is taken by another campus")),
            _ => None,
        }
    }

    async fn fields(_: &mut PgConnection, form: &CampusForm) -> Result<Vec<Field>, sqlx::Error> {
        Ok(vec![
            Field::new("code", "Code", Kind::Text, &form.code)
                .hint("Capital letters, digits and hyphens, e.g. MAIN"),
            Field::new("name", "Name", Kind::Text, &form.name),
            Field::new("address", "Address", Kind::Textarea, &form.address),
        ])
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<Campus>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT c.id, c.code, c.name, c.address,
                      (SELECT count(*) FROM buildings b WHERE b.college_id = c.college_id AND b.campus_id = c.id) AS "buildings!",
                      c.retired_at IS NOT NULL AS "retired!", count(*) OVER () AS "total!"
               FROM campuses c
               WHERE ($1 = '' OR c.code ILIKE $2 OR c.name ILIKE $2)
                 AND ($3::bool IS NULL OR (c.retired_at IS NOT NULL) = $3)
               ORDER BY CASE WHEN $4 = 'name' AND NOT $5 THEN c.name END,
                        CASE WHEN $4 = 'name' AND $5 THEN c.name END DESC,
                        CASE WHEN $4 = 'code' AND $5 THEN c.code END DESC,
                        c.code
               LIMIT $6 OFFSET $7"#,
            filter.q,
            filter.pattern(),
            filter.show.retired(),
            listing.sort,
            listing.desc,
            listing.limit(),
            listing.offset(),
        )
        .fetch_all(conn)
        .await?;
        let total = rows.first().map_or(0, |r| r.total);
        Ok((
            rows.into_iter()
                .map(|r| Campus {
                    id: r.id,
                    code: r.code,
                    name: r.name,
                    address: r.address,
                    buildings: r.buildings,
                    retired: r.retired,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<Campus>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM campuses WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query!(
            r#"SELECT c.id, c.code, c.name, c.address,
                      (SELECT count(*) FROM buildings b WHERE b.college_id = c.college_id AND b.campus_id = c.id) AS "buildings!",
                      c.retired_at IS NOT NULL AS "retired!"
               FROM campuses c WHERE c.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|r| Campus {
            id: r.id,
            code: r.code,
            name: r.name,
            address: r.address,
            buildings: r.buildings,
            retired: r.retired,
        }))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let buildings = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM buildings WHERE campus_id = $1"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(buildings, "building", "buildings")
                .listed_at(format!("/setup/buildings?within={id}&show=all")),
        ])
    }

    async fn active_within(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let buildings = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM buildings WHERE campus_id = $1 AND retired_at IS NULL"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![Usage::new(buildings, "building", "buildings")])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &CampusInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let (code, name) = (code(&input.code), input.name.trim());
        let address = input.address.as_deref().map(str::trim);
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO campuses (college_id, code, name, address) VALUES (app_current_college(), $1, $2, $3) RETURNING id",
                    code,
                    name,
                    address
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE campuses SET code = $2, name = $3, address = $4 WHERE id = $1",
                    id,
                    code,
                    name,
                    address
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM campuses WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn set_retired(
        conn: &mut PgConnection,
        id: Uuid,
        retired: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE campuses SET retired_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl Register for Buildings {
    const ONE: &'static str = "building";
    const MANY: &'static str = "buildings";
    const TITLE: &'static str = "Buildings";
    const LEAD: &'static str =
        "Buildings on each campus, with their floors. Rooms are in a building.";
    const OBJECT: &'static str = "building";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/buildings");
    const ACTIONS: Actions = crate::institution::setup::actions!("building");
    const SORTS: &'static [&'static str] = &["code", "name", "campus", "floors"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("code", "Code"),
        Column::sorted("name", "Name"),
        Column::sorted("campus", "Campus"),
        Column::figure("floors", "Floors"),
        Column::plain("Rooms"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = Some("Campus");

    type Row = Building;
    type Input = BuildingInput;
    type Form = BuildingForm;

    fn id(row: &Building) -> Uuid {
        row.id
    }

    fn label(row: &Building) -> String {
        format!("Building {}", row.code)
    }

    fn is_retired(row: &Building) -> bool {
        row.retired
    }

    fn cells(row: &Building) -> Vec<Cell> {
        vec![
            Cell::link(&row.code, format!("/setup/buildings/{}", row.id)),
            Cell::text(&row.name),
            Cell::link(&row.campus, format!("/setup/campuses/{}", row.campus_id)),
            Cell::text(row.floors.to_string()),
            Cell::link(
                row.rooms.to_string(),
                format!("/setup/rooms?within={}&show=all", row.id),
            ),
            Cell::status(row.retired),
        ]
    }

    fn facts(row: &Building) -> Vec<Fact> {
        vec![
            Fact::new("Code", Cell::text(&row.code)),
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new(
                "Campus",
                Cell::link(&row.campus, format!("/setup/campuses/{}", row.campus_id)),
            ),
            Fact::new("Floors", Cell::text(row.floors.to_string())),
        ]
    }

    fn input_of(row: &Building) -> BuildingInput {
        BuildingInput {
            code: row.code.clone(),
            name: row.name.clone(),
            campus: row.campus.clone(),
            floors: row.floors,
        }
    }

    fn form_of(input: &BuildingInput) -> BuildingForm {
        BuildingForm {
            code: input.code.clone(),
            name: input.name.clone(),
            campus: input.campus.clone(),
            floors: input.floors.to_string(),
        }
    }

    fn parse(form: &BuildingForm) -> (BuildingInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let floors = whole("floors", &form.floors, &mut errors);
        (
            BuildingInput {
                code: form.code.clone(),
                name: form.name.clone(),
                campus: form.campus.clone(),
                floors: i16::try_from(floors).unwrap_or(i16::MAX),
            },
            errors,
        )
    }

    fn check(input: &BuildingInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "buildings_code_unique" => Some(("code", "is taken by another building")),
            _ => None,
        }
    }

    async fn fields(
        conn: &mut PgConnection,
        form: &BuildingForm,
    ) -> Result<Vec<Field>, sqlx::Error> {
        let campuses = sqlx::query!(
            "SELECT code, name FROM campuses WHERE retired_at IS NULL OR code = $1 ORDER BY code",
            code(&form.campus)
        )
        .fetch_all(conn)
        .await?;
        let mut choices = vec![(String::new(), "Choose a campus".to_string())];
        choices.extend(
            campuses
                .into_iter()
                .map(|c| (c.code.clone(), format!("{} — {}", c.code, c.name))),
        );
        Ok(vec![
            Field::new("code", "Code", Kind::Text, &form.code)
                .hint("Capital letters, digits and hyphens, e.g. ENG"),
            Field::new("name", "Name", Kind::Text, &form.name),
            Field::new("campus", "Campus", Kind::Select, &code(&form.campus)).options(choices),
            Field::new("floors", "Floors", Kind::Number, &form.floors)
                .hint("Floors above ground, 1 to 200"),
        ])
    }

    async fn within_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        Ok(sqlx::query!("SELECT id, code FROM campuses ORDER BY code")
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.code))
            .collect())
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<Building>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT b.id, b.code, b.name, b.campus_id, c.code AS campus, b.floors,
                      (SELECT count(*) FROM rooms r WHERE r.college_id = b.college_id AND r.building_id = b.id) AS "rooms!",
                      b.retired_at IS NOT NULL AS "retired!", count(*) OVER () AS "total!"
               FROM buildings b JOIN campuses c ON c.college_id = b.college_id AND c.id = b.campus_id
               WHERE ($1 = '' OR b.code ILIKE $2 OR b.name ILIKE $2)
                 AND ($3::bool IS NULL OR (b.retired_at IS NOT NULL) = $3)
                 AND ($4::uuid IS NULL OR b.campus_id = $4)
               ORDER BY CASE WHEN $5 = 'name' AND NOT $6 THEN b.name END,
                        CASE WHEN $5 = 'name' AND $6 THEN b.name END DESC,
                        CASE WHEN $5 = 'campus' AND NOT $6 THEN c.code END,
                        CASE WHEN $5 = 'campus' AND $6 THEN c.code END DESC,
                        CASE WHEN $5 = 'floors' AND NOT $6 THEN b.floors END,
                        CASE WHEN $5 = 'floors' AND $6 THEN b.floors END DESC,
                        CASE WHEN $5 = 'code' AND $6 THEN b.code END DESC,
                        b.code
               LIMIT $7 OFFSET $8"#,
            filter.q,
            filter.pattern(),
            filter.show.retired(),
            filter.within,
            listing.sort,
            listing.desc,
            listing.limit(),
            listing.offset(),
        )
        .fetch_all(conn)
        .await?;
        let total = rows.first().map_or(0, |r| r.total);
        Ok((
            rows.into_iter()
                .map(|r| Building {
                    id: r.id,
                    code: r.code,
                    name: r.name,
                    campus_id: r.campus_id,
                    campus: r.campus,
                    floors: r.floors,
                    rooms: r.rooms,
                    retired: r.retired,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<Building>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM buildings WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query!(
            r#"SELECT b.id, b.code, b.name, b.campus_id, c.code AS campus, b.floors,
                      (SELECT count(*) FROM rooms r WHERE r.college_id = b.college_id AND r.building_id = b.id) AS "rooms!",
                      b.retired_at IS NOT NULL AS "retired!"
               FROM buildings b JOIN campuses c ON c.college_id = b.college_id AND c.id = b.campus_id
               WHERE b.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|r| Building {
            id: r.id,
            code: r.code,
            name: r.name,
            campus_id: r.campus_id,
            campus: r.campus,
            floors: r.floors,
            rooms: r.rooms,
            retired: r.retired,
        }))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM rooms WHERE building_id = $1) AS "rooms!",
                      (SELECT count(*) FROM departments WHERE building_id = $1) AS "departments!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.rooms, "room", "rooms")
                .listed_at(format!("/setup/rooms?within={id}&show=all")),
            Usage::new(r.departments, "department", "departments")
                .listed_at(format!("/setup/departments?within={id}&show=all")),
        ])
    }

    async fn active_within(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let rooms = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM rooms WHERE building_id = $1 AND retired_at IS NULL"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![Usage::new(rooms, "room", "rooms")])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &BuildingInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let campus = sqlx::query!(
            r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM campuses WHERE code = $1"#,
            code(&input.campus)
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.id, r.retired));
        let current = match id {
            Some(id) => {
                sqlx::query_scalar!("SELECT campus_id FROM buildings WHERE id = $1", id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let campus = match resolved("campus", "campus", &input.campus, campus, current) {
            Ok(campus) => campus,
            Err(e) => return Ok(Err(e)),
        };
        let (code, name) = (code(&input.code), input.name.trim());
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO buildings (college_id, campus_id, code, name, floors) VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
                    campus,
                    code,
                    name,
                    input.floors
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE buildings SET campus_id = $2, code = $3, name = $4, floors = $5 WHERE id = $1",
                    id,
                    campus,
                    code,
                    name,
                    input.floors
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM buildings WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn set_retired(
        conn: &mut PgConnection,
        id: Uuid,
        retired: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE buildings SET retired_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl Register for Rooms {
    const ONE: &'static str = "room";
    const MANY: &'static str = "rooms";
    const TITLE: &'static str = "Rooms";
    const LEAD: &'static str =
        "Where classes, exams and meetings are held: kind, seats, floor and equipment.";
    const OBJECT: &'static str = "room";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/rooms");
    const ACTIONS: Actions = crate::institution::setup::actions!("room");
    const SORTS: &'static [&'static str] =
        &["code", "name", "building", "kind", "capacity", "floor"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("code", "Code"),
        Column::sorted("name", "Name"),
        Column::sorted("building", "Building"),
        Column::sorted("kind", "Kind"),
        Column::figure("capacity", "Seats"),
        Column::figure("floor", "Floor"),
        Column::plain("Equipment"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = Some("Building");

    type Row = Room;
    type Input = RoomInput;
    type Form = RoomForm;
    const IMPORT: Option<Import> = Some(Import {
        page: "/setup/rooms/import",
        required: &["code", "name", "building", "kind", "capacity"],
        optional: &["floor", "features"],
        example: "ENG-101,Lecture hall 1,ENG,lecture_hall,120,1,projector;wheelchair_access",
    });

    fn id(row: &Room) -> Uuid {
        row.id
    }

    fn label(row: &Room) -> String {
        format!("Room {}", row.code)
    }

    fn is_retired(row: &Room) -> bool {
        row.retired
    }

    fn cells(row: &Room) -> Vec<Cell> {
        vec![
            Cell::link(&row.code, format!("/setup/rooms/{}", row.id)),
            Cell::text(&row.name),
            Cell::link(
                &row.building,
                format!("/setup/buildings/{}", row.building_id),
            ),
            Cell::text(words_of(&ROOM_KINDS, &row.kind)),
            Cell::text(row.capacity.to_string()),
            Cell::text(row.floor.to_string()),
            Cell::text(
                row.features
                    .iter()
                    .map(|f| words_of(&ROOM_FEATURES, f))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::status(row.retired),
        ]
    }

    fn facts(row: &Room) -> Vec<Fact> {
        let features: Vec<String> = row
            .features
            .iter()
            .map(|f| words_of(&ROOM_FEATURES, f))
            .collect();
        vec![
            Fact::new("Code", Cell::text(&row.code)),
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new(
                "Building",
                Cell::link(
                    &row.building,
                    format!("/setup/buildings/{}", row.building_id),
                ),
            ),
            Fact::new("Kind", Cell::text(words_of(&ROOM_KINDS, &row.kind))),
            Fact::new("Seats", Cell::text(row.capacity.to_string())),
            Fact::new("Floor", Cell::text(row.floor.to_string())),
            Fact::new(
                "Equipment",
                Cell::maybe((!features.is_empty()).then(|| features.join(", "))),
            ),
            Fact::new(
                "Week",
                Cell::link(
                    "The room's timetable",
                    format!("/timetable/rooms/{}", row.id),
                ),
            ),
        ]
    }

    fn input_of(row: &Room) -> RoomInput {
        RoomInput {
            code: row.code.clone(),
            name: row.name.clone(),
            building: row.building.clone(),
            kind: row.kind.clone(),
            floor: row.floor,
            capacity: row.capacity,
            features: row.features.clone(),
        }
    }

    fn form_of(input: &RoomInput) -> RoomForm {
        RoomForm {
            code: input.code.clone(),
            name: input.name.clone(),
            building: input.building.clone(),
            kind: input.kind.clone(),
            floor: input.floor.to_string(),
            capacity: input.capacity.to_string(),
            features: input.features.clone(),
        }
    }

    fn parse(form: &RoomForm) -> (RoomInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let floor = if form.floor.trim().is_empty() {
            0
        } else {
            whole("floor", &form.floor, &mut errors)
        };
        let capacity = whole("capacity", &form.capacity, &mut errors);
        (
            RoomInput {
                code: form.code.clone(),
                name: form.name.clone(),
                building: form.building.clone(),
                kind: form.kind.clone(),
                floor: i16::try_from(floor).unwrap_or(i16::MAX),
                capacity,
                features: form.features.clone(),
            },
            errors,
        )
    }

    fn check(input: &RoomInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "rooms_code_unique" => Some(("code", "is taken by another room in this building")),
            _ => None,
        }
    }

    /// Kinds and features may be written in words ("Lecture hall"); features are
    /// separated by semicolons.
    fn form_of_cells(cells: &BTreeMap<String, String>) -> Result<RoomForm, String> {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        Ok(RoomForm {
            code: cell("code"),
            name: cell("name"),
            building: cell("building"),
            kind: code_of(&ROOM_KINDS, &cell("kind")),
            floor: cell("floor"),
            capacity: cell("capacity"),
            features: cell("features")
                .split([';', ','])
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| code_of(&ROOM_FEATURES, f))
                .collect(),
        })
    }

    async fn existing(
        conn: &mut PgConnection,
        input: &RoomInput,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar!("SELECT id FROM rooms WHERE code = $1", code(&input.code))
            .fetch_optional(conn)
            .await
    }

    async fn fields(conn: &mut PgConnection, form: &RoomForm) -> Result<Vec<Field>, sqlx::Error> {
        let buildings = sqlx::query!(
            "SELECT code, name FROM buildings WHERE retired_at IS NULL OR code = $1 ORDER BY code",
            code(&form.building)
        )
        .fetch_all(conn)
        .await?;
        let mut choices = vec![(String::new(), "Choose a building".to_string())];
        choices.extend(
            buildings
                .into_iter()
                .map(|b| (b.code.clone(), format!("{} — {}", b.code, b.name))),
        );
        let kind = if form.kind.is_empty() {
            "classroom"
        } else {
            form.kind.as_str()
        };
        Ok(vec![
            Field::new("code", "Code", Kind::Text, &form.code)
                .hint("Capital letters, digits and hyphens, e.g. ENG-101"),
            Field::new("name", "Name", Kind::Text, &form.name),
            Field::new("building", "Building", Kind::Select, &code(&form.building))
                .options(choices),
            Field::new("kind", "Kind", Kind::Select, kind).options(options(&ROOM_KINDS)),
            Field::new("capacity", "Seats", Kind::Number, &form.capacity).hint("1 to 10,000"),
            Field::new("floor", "Floor", Kind::Number, &form.floor)
                .hint("0 is the ground floor; basements are negative"),
            Field::new("features", "Equipment", Kind::Ticks, "")
                .options(options(&ROOM_FEATURES))
                .ticked(&form.features),
        ])
    }

    async fn within_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        Ok(sqlx::query!("SELECT id, code FROM buildings ORDER BY code")
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.code))
            .collect())
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<Room>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT r.id, r.code, r.name, r.building_id, b.code AS building, r.kind, r.floor, r.capacity, r.features,
                      r.retired_at IS NOT NULL AS "retired!", count(*) OVER () AS "total!"
               FROM rooms r JOIN buildings b ON b.college_id = r.college_id AND b.id = r.building_id
               WHERE ($1 = '' OR r.code ILIKE $2 OR r.name ILIKE $2)
                 AND ($3::bool IS NULL OR (r.retired_at IS NOT NULL) = $3)
                 AND ($4::uuid IS NULL OR r.building_id = $4)
               ORDER BY CASE WHEN $5 = 'name' AND NOT $6 THEN r.name END,
                        CASE WHEN $5 = 'name' AND $6 THEN r.name END DESC,
                        CASE WHEN $5 = 'building' AND NOT $6 THEN b.code END,
                        CASE WHEN $5 = 'building' AND $6 THEN b.code END DESC,
                        CASE WHEN $5 = 'kind' AND NOT $6 THEN r.kind END,
                        CASE WHEN $5 = 'kind' AND $6 THEN r.kind END DESC,
                        CASE WHEN $5 = 'capacity' AND NOT $6 THEN r.capacity END,
                        CASE WHEN $5 = 'capacity' AND $6 THEN r.capacity END DESC,
                        CASE WHEN $5 = 'floor' AND NOT $6 THEN r.floor END,
                        CASE WHEN $5 = 'floor' AND $6 THEN r.floor END DESC,
                        CASE WHEN $5 = 'code' AND $6 THEN r.code END DESC,
                        r.code, b.code
               LIMIT $7 OFFSET $8"#,
            filter.q,
            filter.pattern(),
            filter.show.retired(),
            filter.within,
            listing.sort,
            listing.desc,
            listing.limit(),
            listing.offset(),
        )
        .fetch_all(conn)
        .await?;
        let total = rows.first().map_or(0, |r| r.total);
        Ok((
            rows.into_iter()
                .map(|r| Room {
                    id: r.id,
                    code: r.code,
                    name: r.name,
                    building_id: r.building_id,
                    building: r.building,
                    kind: r.kind,
                    floor: r.floor,
                    capacity: r.capacity,
                    features: r.features,
                    retired: r.retired,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<Room>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM rooms WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query!(
            r#"SELECT r.id, r.code, r.name, r.building_id, b.code AS building, r.kind, r.floor, r.capacity, r.features,
                      r.retired_at IS NOT NULL AS "retired!"
               FROM rooms r JOIN buildings b ON b.college_id = r.college_id AND b.id = r.building_id
               WHERE r.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|r| Room {
            id: r.id,
            code: r.code,
            name: r.name,
            building_id: r.building_id,
            building: r.building,
            kind: r.kind,
            floor: r.floor,
            capacity: r.capacity,
            features: r.features,
            retired: r.retired,
        }))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM sections WHERE room_id = $1) AS "sections!",
                      (SELECT count(*) FROM section_meetings WHERE room_id = $1) AS "meetings!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.sections, "section", "sections"),
            Usage::new(r.meetings, "timetabled meeting", "timetabled meetings")
                .listed_at(format!("/timetable/rooms/{id}")),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &RoomInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let building = sqlx::query!(
            r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM buildings WHERE code = $1"#,
            code(&input.building)
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.id, r.retired));
        let current = match id {
            Some(id) => {
                sqlx::query_scalar!("SELECT building_id FROM rooms WHERE id = $1", id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let building = match resolved("building", "building", &input.building, building, current) {
            Ok(building) => building,
            Err(e) => return Ok(Err(e)),
        };
        let (code, name) = (code(&input.code), input.name.trim());
        let mut features = input.features.clone();
        features.sort();
        features.dedup();
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO rooms (college_id, building_id, code, name, kind, floor, capacity, features) \
                     VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    building,
                    code,
                    name,
                    input.kind,
                    input.floor,
                    input.capacity,
                    &features
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE rooms SET building_id = $2, code = $3, name = $4, kind = $5, floor = $6, capacity = $7, features = $8 \
                     WHERE id = $1",
                    id,
                    building,
                    code,
                    name,
                    input.kind,
                    input.floor,
                    input.capacity,
                    &features
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM rooms WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn set_retired(
        conn: &mut PgConnection,
        id: Uuid,
        retired: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE rooms SET retired_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
