//! Builds a whole demo college in memory from a seed: places, departments and programs,
//! three academic years of terms, staff, students and guardians with their accounts, and
//! people applying for next year.

use std::collections::HashMap;

use time::{Date, Month};
use uuid::Uuid;

use super::catalog::{
    BUILDINGS, CITIES, DEPARTMENTS, FIRST_NAMES, GUARDIAN_RELATIONSHIPS, LAST_NAMES, STAFF_TITLES,
    STREETS,
};
use super::rng::Rng;
use crate::people::model::Role;

pub const SLUG: &str = "riverside";
pub const NAME: &str = "Riverside College";
pub const DOMAIN: &str = "riverside.edu";

pub struct Building {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub floors: i16,
}

pub struct Room {
    pub id: Uuid,
    pub building_id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub floor: i16,
    pub capacity: i32,
}

pub struct Department {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub building_id: Uuid,
}

pub struct Program {
    pub id: Uuid,
    pub department_id: Uuid,
    pub code: String,
    pub name: String,
    pub level: String,
    pub years: i16,
}

pub struct Year {
    pub id: Uuid,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

pub struct Term {
    pub id: Uuid,
    pub year_id: Uuid,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
}

pub struct RoleRow {
    pub user_id: Uuid,
    pub role: Role,
}

pub struct Staff {
    pub id: Uuid,
    pub user_id: Uuid,
    pub number: String,
    pub first: String,
    pub last: String,
    pub title: String,
    pub department_id: Option<Uuid>,
    pub email: String,
    pub phone: String,
    pub joined_on: Date,
}

pub struct Student {
    pub id: Uuid,
    pub user_id: Uuid,
    pub number: String,
    pub first: String,
    pub last: String,
    pub date_of_birth: Date,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub program_id: Uuid,
    pub admitted_on: Date,
    pub year_of_study: i16,
    pub status: &'static str,
}

pub struct Guardian {
    pub id: Uuid,
    pub user_id: Uuid,
    pub first: String,
    pub last: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

pub struct Link {
    pub student_id: Uuid,
    pub guardian_id: Uuid,
    pub relationship: &'static str,
    pub primary: bool,
}

/// Someone applying for next year (besides the demo's own applicant account).
pub struct Applicant {
    pub user_id: Uuid,
    pub first: String,
    pub last: String,
    pub date_of_birth: Date,
    pub phone: String,
    pub address: String,
    pub school: String,
    /// The qualifying examination's percentage, e.g. 78.45.
    pub percent: f64,
}

/// One signed-in identity per role, at a fixed address the README lists.
pub struct DemoAccount {
    pub role: Role,
    pub email: String,
    pub name: String,
}

#[derive(Default)]
pub struct DemoCollege {
    pub campus_id: Uuid,
    pub buildings: Vec<Building>,
    pub rooms: Vec<Room>,
    pub departments: Vec<Department>,
    pub programs: Vec<Program>,
    pub years: Vec<Year>,
    pub terms: Vec<Term>,
    pub users: Vec<User>,
    pub roles: Vec<RoleRow>,
    pub staff: Vec<Staff>,
    pub students: Vec<Student>,
    pub guardians: Vec<Guardian>,
    pub links: Vec<Link>,
    pub applicants: Vec<Applicant>,
    pub accounts: Vec<DemoAccount>,
}

/// Staff accounts with a fixed address: (local part, role, title).
const OFFICERS: [(&str, Role, &str); 8] = [
    ("admin", Role::CollegeAdmin, "IT Administrator"),
    ("principal", Role::Principal, "Principal"),
    ("registrar", Role::Registrar, "Registrar"),
    (
        "coordinator",
        Role::AcademicCoordinator,
        "Academic Coordinator",
    ),
    ("accountant", Role::Accountant, "Accounts Officer"),
    ("warden", Role::Warden, "Hostel Warden"),
    ("librarian", Role::Librarian, "Librarian"),
    ("counselor", Role::Counselor, "Student Counselor"),
];

/// The other fixed accounts: (local part, role).
const OTHERS: [(&str, Role); 5] = [
    ("teacher", Role::Teacher),
    ("organizer", Role::StudentOrganizer),
    ("student", Role::Student),
    ("parent", Role::Parent),
    ("applicant", Role::Applicant),
];

/// The fixed, documented account of `role`, when the demo has one.
pub fn fixed_address(role: Role) -> Option<String> {
    OFFICERS
        .iter()
        .map(|(local, role, _)| (*local, *role))
        .chain(OTHERS)
        .find(|(_, r)| *r == role)
        .map(|(local, _)| format!("{local}@{DOMAIN}"))
}

/// Every fixed, documented account's address.
pub fn fixed_addresses() -> Vec<String> {
    OFFICERS
        .iter()
        .map(|(local, _, _)| *local)
        .chain(OTHERS.iter().map(|(local, _)| *local))
        .map(|local| format!("{local}@{DOMAIN}"))
        .collect()
}

struct Generator {
    rng: Rng,
    emails: HashMap<String, u32>,
    out: DemoCollege,
}

pub fn generate(seed: u64, students: usize, today: Date) -> DemoCollege {
    let mut g = Generator {
        rng: Rng::new(seed),
        emails: HashMap::new(),
        out: DemoCollege::default(),
    };
    g.out.campus_id = g.rng.uuid();
    g.places();
    g.academics();
    g.calendar(today);
    g.officers(today);
    g.teachers(students, today);
    g.students(students, today);
    g.applicants(students, today);
    g.out
}

fn date(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

impl Generator {
    fn places(&mut self) {
        for seed in BUILDINGS {
            let building_id = self.rng.uuid();
            for floor in 0..seed.floors {
                for n in 1..=seed.rooms_per_floor {
                    let (kind, capacity) = match (seed.code, floor, n) {
                        ("LIB", _, _) => ("library", self.rng.between(20, 80)),
                        ("ADM", _, _) => ("office", self.rng.between(4, 12)),
                        ("LAB", _, _) => ("lab", self.rng.between(24, 40)),
                        (_, 0, 1) => ("hall", self.rng.between(200, 400)),
                        (_, 0, 2 | 3) => ("lecture_hall", self.rng.between(90, 150)),
                        (_, _, 1) => ("office", self.rng.between(4, 10)),
                        (_, _, n) if n % 4 == 0 => ("seminar", self.rng.between(20, 30)),
                        _ => ("classroom", self.rng.between(40, 70)),
                    };
                    let code = format!("{}-{}{:02}", seed.code, floor, n);
                    self.out.rooms.push(Room {
                        id: self.rng.uuid(),
                        building_id,
                        name: format!("{} room {}{:02}", seed.name, floor, n),
                        code,
                        kind,
                        floor,
                        capacity: capacity as i32,
                    });
                }
            }
            self.out.buildings.push(Building {
                id: building_id,
                code: seed.code.into(),
                name: seed.name.into(),
                floors: seed.floors,
            });
        }
    }

    fn academics(&mut self) {
        for seed in DEPARTMENTS {
            let building_id = self
                .out
                .buildings
                .iter()
                .find(|b| b.code == seed.building)
                .map_or(self.out.buildings[0].id, |b| b.id);
            let department_id = self.rng.uuid();
            self.out.departments.push(Department {
                id: department_id,
                code: seed.code.into(),
                name: seed.name.into(),
                building_id,
            });
            for program in seed.programs {
                self.out.programs.push(Program {
                    id: self.rng.uuid(),
                    department_id,
                    code: program.code.into(),
                    name: program.name.into(),
                    level: program.level.into(),
                    years: program.years,
                });
            }
        }
    }

    /// Last, this and next academic year (July to June), each an autumn and a spring term.
    fn calendar(&mut self, today: Date) {
        let this = if today.month() as u8 >= 7 {
            today.year()
        } else {
            today.year() - 1
        };
        for start in [this - 1, this, this + 1] {
            let year_id = self.rng.uuid();
            self.out.years.push(Year {
                id: year_id,
                name: format!("{}-{:02}", start, (start + 1) % 100),
                starts_on: date(start, Month::July, 1),
                ends_on: date(start + 1, Month::June, 30),
            });
            for (name, from, to) in [
                (
                    "Autumn",
                    date(start, Month::July, 20),
                    date(start, Month::December, 18),
                ),
                (
                    "Spring",
                    date(start + 1, Month::January, 8),
                    date(start + 1, Month::May, 29),
                ),
            ] {
                self.out.terms.push(Term {
                    id: self.rng.uuid(),
                    year_id,
                    name: format!("{name} {}", from.year()),
                    starts_on: from,
                    ends_on: to,
                });
            }
        }
    }

    fn name(&mut self) -> (String, String) {
        (
            (*self.rng.pick(FIRST_NAMES)).to_string(),
            (*self.rng.pick(LAST_NAMES)).to_string(),
        )
    }

    /// `first.last@domain`, numbered when taken.
    fn email(&mut self, first: &str, last: &str, domain: &str) -> String {
        let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let seen = self.emails.entry(format!("{base}@{domain}")).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            format!("{base}@{domain}")
        } else {
            format!("{base}{}@{domain}", *seen)
        }
    }

    fn phone(&mut self) -> String {
        format!(
            "+1-555-01{:02}-{:04}",
            self.rng.below(100),
            self.rng.below(10_000)
        )
    }

    fn address(&mut self) -> String {
        let number = self.rng.between(1, 480);
        let street = *self.rng.pick(STREETS);
        let city = *self.rng.pick(CITIES);
        format!("{number} {street}, {city}")
    }

    fn user(&mut self, email: &str, display_name: String, role: Role) -> Uuid {
        let id = self.rng.uuid();
        self.out.users.push(User {
            id,
            email: email.to_string(),
            display_name,
        });
        self.out.roles.push(RoleRow { user_id: id, role });
        id
    }

    fn staff_member(
        &mut self,
        email: String,
        title: &str,
        department_id: Option<Uuid>,
        role: Role,
        today: Date,
    ) -> (Uuid, String) {
        let (first, last) = self.name();
        let user_id = self.user(&email, format!("{first} {last}"), role);
        let number = format!("ST{:05}", self.out.staff.len() + 1);
        let joined_on = today - time::Duration::days(self.rng.between(60, 365 * 25));
        let phone = self.phone();
        self.out.staff.push(Staff {
            id: self.rng.uuid(),
            user_id,
            number,
            first: first.clone(),
            last: last.clone(),
            title: title.into(),
            department_id,
            email,
            phone,
            joined_on,
        });
        (user_id, format!("{first} {last}"))
    }

    fn officers(&mut self, today: Date) {
        for (local, role, title) in OFFICERS {
            let email = format!("{local}@{DOMAIN}");
            self.emails.insert(email.clone(), 1);
            let (_, name) = self.staff_member(email.clone(), title, None, role, today);
            self.out.accounts.push(DemoAccount { role, email, name });
        }
        // Someone applying for next year (their draft is made with the intakes).
        let email = format!("applicant@{DOMAIN}");
        self.emails.insert(email.clone(), 1);
        let name = "Priya Raman".to_string();
        self.user(&email, name.clone(), Role::Applicant);
        self.out.accounts.push(DemoAccount {
            role: Role::Applicant,
            email,
            name,
        });
    }

    /// About one teacher per 15 students, at least two per department.
    fn teachers(&mut self, students: usize, today: Date) {
        let departments: Vec<Uuid> = self.out.departments.iter().map(|d| d.id).collect();
        let count = (students / 15).max(departments.len() * 2);
        for i in 0..count {
            let department = departments[i % departments.len()];
            let title = *self.rng.pick(STAFF_TITLES);
            let email = if i == 0 {
                self.emails.insert(format!("teacher@{DOMAIN}"), 1);
                format!("teacher@{DOMAIN}")
            } else {
                let (first, last) = self.name();
                self.email(&first, &last, DOMAIN)
            };
            let (_, name) =
                self.staff_member(email.clone(), title, Some(department), Role::Teacher, today);
            if i == 0 {
                self.out.accounts.push(DemoAccount {
                    role: Role::Teacher,
                    email,
                    name,
                });
            }
        }
    }

    fn students(&mut self, count: usize, today: Date) {
        let this_year = if today.month() as u8 >= 7 {
            today.year()
        } else {
            today.year() - 1
        };
        let student_domain = format!("students.{DOMAIN}");
        let programs: Vec<(Uuid, i16, bool)> = self
            .out
            .programs
            .iter()
            .map(|p| (p.id, p.years, p.level == "undergraduate"))
            .collect();
        let mut previous_guardians: Vec<(Uuid, &'static str)> = Vec::new();
        for i in 0..count {
            // Undergraduate programs take most students, as in a real college.
            let &(program_id, years, _) = loop {
                let candidate = self.rng.pick(&programs);
                if candidate.2 || self.rng.chance(30) {
                    break candidate;
                }
            };
            let year_of_study = self.rng.between(1, i64::from(years.min(4))) as i16;
            let admitted = this_year - i32::from(year_of_study) + 1;
            let (first, last) = self.name();
            let (email, role, fixed) = match i {
                0 => (format!("student@{DOMAIN}"), Role::Student, true),
                1 => (format!("organizer@{DOMAIN}"), Role::StudentOrganizer, true),
                _ => (
                    self.email(&first, &last, &student_domain),
                    Role::Student,
                    false,
                ),
            };
            let display = format!("{first} {last}");
            let user_id = self.user(&email, display.clone(), Role::Student);
            if role == Role::StudentOrganizer {
                self.out.roles.push(RoleRow { user_id, role });
            }
            if fixed {
                self.emails.insert(email.clone(), 1);
                self.out.accounts.push(DemoAccount {
                    role,
                    email: email.clone(),
                    name: display,
                });
            }
            let age = 17 + i64::from(year_of_study) + self.rng.between(0, 2);
            let date_of_birth = today - time::Duration::days(age * 365 + self.rng.between(0, 364));
            let status = match self.rng.below(100) {
                0 | 1 => "on_leave",
                2 => "suspended",
                _ => "enrolled",
            };
            let student_id = self.rng.uuid();
            let phone = self.phone();
            let address = self.address();
            self.out.students.push(Student {
                id: student_id,
                user_id,
                number: format!("RC{admitted}-{:05}", i + 1),
                first,
                last: last.clone(),
                date_of_birth,
                email,
                phone,
                address: address.clone(),
                program_id,
                admitted_on: date(admitted, Month::July, 20),
                year_of_study,
                status: if i < 2 { "enrolled" } else { status },
            });

            // One student in twenty is a younger sibling of the one before.
            if i > 2 && !previous_guardians.is_empty() && self.rng.chance(5) {
                for (k, &(guardian_id, relationship)) in previous_guardians.iter().enumerate() {
                    self.out.links.push(Link {
                        student_id,
                        guardian_id,
                        relationship,
                        primary: k == 0,
                    });
                }
                continue;
            }
            previous_guardians.clear();
            let guardians = if self.rng.chance(60) { 2 } else { 1 };
            for k in 0..guardians {
                let relationship = if k == 0 {
                    GUARDIAN_RELATIONSHIPS[self.rng.below(3)]
                } else {
                    *self.rng.pick(GUARDIAN_RELATIONSHIPS)
                };
                let first = (*self.rng.pick(FIRST_NAMES)).to_string();
                let guardian_last = if self.rng.chance(85) {
                    last.clone()
                } else {
                    (*self.rng.pick(LAST_NAMES)).to_string()
                };
                let domain = ["example.com", "example.net", "example.org"][self.rng.below(3)];
                let email = if i == 0 && k == 0 {
                    self.emails.insert(format!("parent@{DOMAIN}"), 1);
                    format!("parent@{DOMAIN}")
                } else {
                    self.email(&first, &guardian_last, domain)
                };
                let display = format!("{first} {guardian_last}");
                let user_id = self.user(&email, display.clone(), Role::Parent);
                if i == 0 && k == 0 {
                    self.out.accounts.push(DemoAccount {
                        role: Role::Parent,
                        email: email.clone(),
                        name: display,
                    });
                }
                let guardian_id = self.rng.uuid();
                let phone = self.phone();
                self.out.guardians.push(Guardian {
                    id: guardian_id,
                    user_id,
                    first,
                    last: guardian_last,
                    email,
                    phone,
                    address: address.clone(),
                });
                self.out.links.push(Link {
                    student_id,
                    guardian_id,
                    relationship,
                    primary: k == 0,
                });
                previous_guardians.push((guardian_id, relationship));
            }
        }
    }

    /// People applying for next year's intake: one for every ten students, six to thirty.
    fn applicants(&mut self, students: usize, today: Date) {
        let count = (students / 10).clamp(6, 30);
        for _ in 0..count {
            let (first, last) = self.name();
            let domain = ["example.com", "example.net", "example.org"][self.rng.below(3)];
            let email = self.email(&first, &last, domain);
            let user_id = self.user(&email, format!("{first} {last}"), Role::Applicant);
            let date_of_birth = today - time::Duration::days(17 * 365 + self.rng.between(0, 700));
            let phone = self.phone();
            let address = self.address();
            let school = format!("{} Higher Secondary School", *self.rng.pick(CITIES));
            let percent = self.rng.between(5200, 9850) as f64 / 100.0;
            self.out.applicants.push(Applicant {
                user_id,
                first,
                last,
                date_of_birth,
                phone,
                address,
                school,
                percent,
            });
        }
    }
}

/// Whether `email` is one of the demo's fixed, documented accounts.
pub fn is_fixed_account(email: &str) -> bool {
    fixed_addresses().iter().any(|fixed| fixed == email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        date(2026, Month::November, 25)
    }

    #[test]
    fn same_seed_same_college() {
        let a = generate(42, 50, today());
        let b = generate(42, 50, today());
        let names = |c: &DemoCollege| -> Vec<String> {
            c.students
                .iter()
                .map(|s| format!("{} {}", s.first, s.last))
                .collect()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.users.len(), b.users.len());
    }

    #[test]
    fn every_role_has_an_account_and_emails_are_unique() {
        let college = generate(2026, 300, today());
        for role in Role::COLLEGE {
            assert!(
                college.accounts.iter().any(|a| a.role == role),
                "no demo account for {role}"
            );
        }
        let mut emails: Vec<&str> = college.users.iter().map(|u| u.email.as_str()).collect();
        let total = emails.len();
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), total, "duplicate emails");
        assert_eq!(college.students.len(), 300);
        assert!(college.guardians.len() >= 300);
        assert_eq!(college.applicants.len(), 30);
    }

    #[test]
    fn terms_lie_within_their_years() {
        let college = generate(1, 10, today());
        for term in &college.terms {
            let year = college
                .years
                .iter()
                .find(|y| y.id == term.year_id)
                .expect("year");
            assert!(term.starts_on >= year.starts_on && term.ends_on <= year.ends_on);
        }
    }

    #[test]
    fn fixed_accounts_are_recognised() {
        assert!(is_fixed_account("admin@riverside.edu"));
        assert!(is_fixed_account("parent@riverside.edu"));
        assert!(is_fixed_account("applicant@riverside.edu"));
        assert_eq!(
            fixed_address(Role::StudentOrganizer).as_deref(),
            Some("organizer@riverside.edu")
        );
        assert!(!is_fixed_account("ada.lovelace@riverside.edu"));
        assert!(!is_fixed_account("admin@students.riverside.edu"));
    }
}
