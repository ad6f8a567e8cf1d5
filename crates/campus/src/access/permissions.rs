//! Who may do what. Permissions are named constants; each built-in role is a bundle of
//! permissions, each with the data scope it reaches. The table below is the whole truth
//! for built-in roles: read it to know what a role can do.

use std::fmt;

/// An action on a kind of data. The name (`students.read`) is what custom roles store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    UsersRead,
    UsersManage,
    RolesManage,
    AuditRead,
    CollegeSettings,
    InstitutionRead,
    InstitutionManage,
    StudentsRead,
    StudentsManage,
    /// A student's personal details: birth date, address, phone, email, guardians and
    /// documents (beyond name, number, program, year and photo).
    StudentsPersonal,
    StaffRead,
    StaffManage,
    GuardiansRead,
    PlatformManage,
    CatalogRead,
    CatalogManage,
    RegistrationEnrol,
    RegistrationManage,
    AttendanceMark,
    AttendanceRead,
    MarksEnter,
    MarksRead,
    GradingManage,
    ResultsPublish,
    ResultsAmend,
    CourseworkManage,
    CourseworkSubmit,
    AchievementsRecord,
    AchievementsReview,
    AchievementsManage,
    GuardiansManage,
    EnrollmentProgress,
    GuidanceNotes,
    GuardiansLink,
    NoticesManage,
    LeaveRequest,
    LeaveApprove,
    TicketsManage,
    AdmissionsApply,
    AdmissionsManage,
    PrivacyManage,
    InteropManage,
}

impl Permission {
    pub const ALL: [Permission; 42] = [
        Permission::UsersRead,
        Permission::UsersManage,
        Permission::RolesManage,
        Permission::AuditRead,
        Permission::CollegeSettings,
        Permission::InstitutionRead,
        Permission::InstitutionManage,
        Permission::StudentsRead,
        Permission::StudentsManage,
        Permission::StudentsPersonal,
        Permission::StaffRead,
        Permission::StaffManage,
        Permission::GuardiansRead,
        Permission::PlatformManage,
        Permission::CatalogRead,
        Permission::CatalogManage,
        Permission::RegistrationEnrol,
        Permission::RegistrationManage,
        Permission::AttendanceMark,
        Permission::AttendanceRead,
        Permission::MarksEnter,
        Permission::MarksRead,
        Permission::GradingManage,
        Permission::ResultsPublish,
        Permission::ResultsAmend,
        Permission::CourseworkManage,
        Permission::CourseworkSubmit,
        Permission::AchievementsRecord,
        Permission::AchievementsReview,
        Permission::AchievementsManage,
        Permission::GuardiansManage,
        Permission::EnrollmentProgress,
        Permission::GuidanceNotes,
        Permission::GuardiansLink,
        Permission::NoticesManage,
        Permission::LeaveRequest,
        Permission::LeaveApprove,
        Permission::TicketsManage,
        Permission::AdmissionsApply,
        Permission::AdmissionsManage,
        Permission::PrivacyManage,
        Permission::InteropManage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::UsersRead => "users.read",
            Permission::UsersManage => "users.manage",
            Permission::RolesManage => "roles.manage",
            Permission::AuditRead => "audit.read",
            Permission::CollegeSettings => "college.settings",
            Permission::InstitutionRead => "institution.read",
            Permission::InstitutionManage => "institution.manage",
            Permission::StudentsRead => "students.read",
            Permission::StudentsManage => "students.manage",
            Permission::StudentsPersonal => "students.personal",
            Permission::StaffRead => "staff.read",
            Permission::StaffManage => "staff.manage",
            Permission::GuardiansRead => "guardians.read",
            Permission::PlatformManage => "platform.manage",
            Permission::CatalogRead => "catalog.read",
            Permission::CatalogManage => "catalog.manage",
            Permission::RegistrationEnrol => "registration.enrol",
            Permission::RegistrationManage => "registration.manage",
            Permission::AttendanceMark => "attendance.mark",
            Permission::AttendanceRead => "attendance.read",
            Permission::MarksEnter => "marks.enter",
            Permission::MarksRead => "marks.read",
            Permission::GradingManage => "grading.manage",
            Permission::ResultsPublish => "results.publish",
            Permission::ResultsAmend => "results.amend",
            Permission::CourseworkManage => "coursework.manage",
            Permission::CourseworkSubmit => "coursework.submit",
            Permission::AchievementsRecord => "achievements.record",
            Permission::AchievementsReview => "achievements.review",
            Permission::AchievementsManage => "achievements.manage",
            Permission::GuardiansManage => "guardians.manage",
            Permission::EnrollmentProgress => "enrollment.progress",
            Permission::GuidanceNotes => "guidance.notes",
            Permission::GuardiansLink => "guardians.link",
            Permission::NoticesManage => "notices.manage",
            Permission::LeaveRequest => "leave.request",
            Permission::LeaveApprove => "leave.approve",
            Permission::TicketsManage => "tickets.manage",
            Permission::AdmissionsApply => "admissions.apply",
            Permission::AdmissionsManage => "admissions.manage",
            Permission::PrivacyManage => "privacy.manage",
            Permission::InteropManage => "interop.manage",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The scopes a college's own (custom) role may hold this permission at: those every
    /// handler behind it narrows its data to. A scope missing here would be a promise the
    /// code does not keep (a "department" admissions officer acting college-wide), so the
    /// role editor refuses it and a stored grant at such a scope gives nothing. Empty for
    /// the permissions only built-in roles carry.
    pub fn custom_scopes(self) -> &'static [Scope] {
        use Scope::{College, Department, Own, OwnChildren, OwnSections};
        match self {
            // Whoever manages accounts, roles or settings can make themselves anything.
            Permission::UsersManage
            | Permission::RolesManage
            | Permission::CollegeSettings
            | Permission::PlatformManage => &[],
            // One student's record, reached through `access::reach`.
            Permission::StudentsRead | Permission::StudentsPersonal => {
                &[Own, OwnChildren, OwnSections, Department, College]
            }
            // Single-record writes are reached per student; bulk imports need the college.
            Permission::StudentsManage => &[Department, College],
            Permission::GuidanceNotes => &[OwnSections, Department, College],
            Permission::StaffRead => &[Own, Department, College],
            // Per section: the sections the holder teaches, or all of them.
            Permission::AttendanceMark
            | Permission::MarksEnter
            | Permission::CourseworkManage
            | Permission::ResultsPublish
            | Permission::ResultsAmend => &[OwnSections, College],
            Permission::MarksRead | Permission::AttendanceRead => {
                &[Own, OwnChildren, OwnSections, College]
            }
            // `Own` is the categories the college assigned the reviewer.
            Permission::AchievementsReview => &[Own, OwnSections, Department, College],
            // `Own` is the tickets assigned to the holder.
            Permission::TicketsManage => &[Own, College],
            Permission::GuardiansRead => &[Own, College],
            // Acting for oneself only: a wider scope would mean nothing.
            Permission::RegistrationEnrol
            | Permission::CourseworkSubmit
            | Permission::AchievementsRecord
            | Permission::GuardiansLink
            | Permission::LeaveRequest
            | Permission::AdmissionsApply => &[Own],
            // A custom role approves leave as the students' advisor; the stages after it
            // belong to built-in roles.
            Permission::LeaveApprove => &[Own],
            // A teacher posts to the sections they teach; the office to anyone.
            Permission::NoticesManage => &[Scope::OwnSections, College],
            // College-wide data or settings with no narrower reach in the code.
            Permission::UsersRead
            | Permission::AuditRead
            | Permission::InstitutionRead
            | Permission::InstitutionManage
            | Permission::StaffManage
            | Permission::CatalogRead
            | Permission::CatalogManage
            | Permission::RegistrationManage
            | Permission::GradingManage
            | Permission::AchievementsManage
            | Permission::GuardiansManage
            | Permission::EnrollmentProgress
            | Permission::PrivacyManage
            | Permission::AdmissionsManage
            | Permission::InteropManage => &[College],
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// How much data a permission reaches, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The user's own records.
    Own,
    /// The records of the user's own children (guardians).
    OwnChildren,
    /// The sections the user teaches.
    OwnSections,
    /// The user's department.
    Department,
    /// The whole college.
    College,
    /// Every college of the installation (platform operators, figures only).
    Platform,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Own,
        Scope::OwnChildren,
        Scope::OwnSections,
        Scope::Department,
        Scope::College,
        Scope::Platform,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::OwnChildren => "own_children",
            Scope::OwnSections => "own_sections",
            Scope::Department => "department",
            Scope::College => "college",
            Scope::Platform => "platform",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The built-in roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    CollegeAdmin,
    Principal,
    Registrar,
    AcademicCoordinator,
    Accountant,
    Teacher,
    Warden,
    Librarian,
    Counselor,
    StudentOrganizer,
    Student,
    Parent,
    Applicant,
    PlatformAdmin,
}

use Permission as P;
use Scope::{College, Department, Own, OwnChildren};

/// A built-in role: the role, its name, its label, whether it needs a second factor,
/// and its permissions with their scope.
pub type RoleRow = (
    Role,
    &'static str,
    &'static str,
    bool,
    &'static [(Permission, Scope)],
);

/// Every built-in role: its name, label, whether it needs a second factor, and its
/// permissions with their scope.
#[rustfmt::skip]
pub const ROLE_TABLE: [RoleRow; 14] = [
    (Role::CollegeAdmin, "college_admin", "College admin", true, &[
        (P::InteropManage, College),
        (P::PrivacyManage, College),
        (P::AdmissionsManage, College),
        (P::LeaveRequest, Own), (P::LeaveApprove, College), (P::TicketsManage, College),
        (P::MarksEnter, College), (P::MarksRead, College),
        (P::GradingManage, College), (P::ResultsPublish, College), (P::ResultsAmend, College),
        (P::CourseworkManage, College),
        (P::AttendanceMark, College), (P::AttendanceRead, College),
        (P::CatalogRead, College), (P::CatalogManage, College), (P::RegistrationManage, College),
        (P::UsersRead, College), (P::UsersManage, College), (P::RolesManage, College),
        (P::AuditRead, College), (P::CollegeSettings, College), (P::InstitutionRead, College),
        (P::InstitutionManage, College), (P::StudentsRead, College),
        (P::StudentsManage, College), (P::StudentsPersonal, College),
        (P::StaffRead, College), (P::StaffManage, College),
        (P::GuardiansRead, College), (P::GuardiansManage, College),
        (P::AchievementsReview, College), (P::AchievementsManage, College),
        (P::EnrollmentProgress, College), (P::NoticesManage, College),
    ]),
    (Role::Principal, "principal", "Principal", true, &[
        (P::LeaveRequest, Own), (P::LeaveApprove, College),
        (P::NoticesManage, College),
        (P::MarksRead, College),
        (P::AttendanceRead, College),
        (P::CatalogRead, College),
        (P::UsersRead, College), (P::AuditRead, College), (P::InstitutionRead, College),
        (P::StudentsRead, College), (P::StudentsPersonal, College), (P::StaffRead, College),
        (P::GuardiansRead, College),
    ]),
    (Role::Registrar, "registrar", "Registrar", false, &[
        (P::InteropManage, College),
        (P::AdmissionsManage, College),
        (P::LeaveRequest, Own), (P::LeaveApprove, College), (P::TicketsManage, College),
        (P::MarksEnter, College), (P::MarksRead, College),
        (P::GradingManage, College), (P::ResultsPublish, College), (P::ResultsAmend, College),
        (P::AttendanceMark, College), (P::AttendanceRead, College),
        (P::CatalogRead, College), (P::CatalogManage, College), (P::RegistrationManage, College),
        (P::UsersRead, College), (P::InstitutionRead, College), (P::InstitutionManage, College),
        (P::StudentsRead, College), (P::StudentsManage, College), (P::StaffRead, College),
        (P::StudentsPersonal, College),
        (P::GuardiansRead, College), (P::GuardiansManage, College),
        (P::AchievementsReview, College), (P::EnrollmentProgress, College),
        (P::NoticesManage, College),
    ]),
    (Role::AcademicCoordinator, "academic_coordinator", "Academic coordinator", false, &[
        (P::LeaveRequest, Own),
        (P::CatalogRead, College), (P::CatalogManage, College),
        (P::InstitutionRead, College), (P::InstitutionManage, College),
        (P::StudentsRead, College), (P::StudentsPersonal, College), (P::StaffRead, College),
    ]),
    // Sees of a student what fees need: name, number, program, year (not their address,
    // birth date or family's numbers).
    (Role::Accountant, "accountant", "Accountant", false, &[
        (P::LeaveRequest, Own),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, College),
    ]),
    (Role::Teacher, "teacher", "Teacher", false, &[
        (P::LeaveRequest, Own), (P::LeaveApprove, Own),
        (P::MarksEnter, Scope::OwnSections), (P::MarksRead, Scope::OwnSections),
        (P::CourseworkManage, Scope::OwnSections),
        (P::AttendanceMark, Scope::OwnSections), (P::AttendanceRead, Scope::OwnSections),
        (P::NoticesManage, Scope::OwnSections),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, Department), (P::StaffRead, Department),
        (P::StudentsPersonal, Department),
        (P::AchievementsReview, Department),
    ]),
    (Role::Warden, "warden", "Warden", false, &[
        (P::LeaveRequest, Own), (P::TicketsManage, College),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, College),
    ]),
    (Role::Librarian, "librarian", "Librarian", false, &[
        (P::LeaveRequest, Own),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, College), (P::StaffRead, College),
    ]),
    (Role::Counselor, "counselor", "Counselor", false, &[
        (P::LeaveRequest, Own),
        (P::GuidanceNotes, College),
        (P::AttendanceRead, College),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, College), (P::GuardiansRead, College),
        (P::StudentsPersonal, College),
    ]),
    // Reviews achievements of the categories the college assigned them (`Own` here means
    // their own categories), never their own achievements.
    (Role::StudentOrganizer, "student_organizer", "Student organizer", false, &[
        (P::AchievementsReview, Own),
        (P::CatalogRead, College),
        (P::InstitutionRead, College),
    ]),
    (Role::Student, "student", "Student", false, &[
        (P::LeaveRequest, Own),
        (P::MarksRead, Own), (P::CourseworkSubmit, Own), (P::AchievementsRecord, Own),
        (P::AttendanceRead, Own),
        (P::CatalogRead, College), (P::RegistrationEnrol, Own),
        (P::InstitutionRead, College), (P::StudentsRead, Own), (P::GuardiansRead, Own),
        (P::StudentsPersonal, Own),
    ]),
    (Role::Parent, "parent", "Parent", false, &[
        (P::MarksRead, OwnChildren),
        (P::AttendanceRead, OwnChildren),
        (P::CatalogRead, College),
        (P::InstitutionRead, College), (P::StudentsRead, OwnChildren), (P::GuardiansRead, Own),
        (P::StudentsPersonal, OwnChildren),
        (P::GuardiansLink, Own),
    ]),
    // Someone applying for admission, with the account they made themselves.
    (Role::Applicant, "applicant", "Applicant", false, &[
        (P::AdmissionsApply, Own),
    ]),
    // Held only in the platform tenant (it is ignored anywhere else).
    (Role::PlatformAdmin, "platform_admin", "Platform admin", true, &[
        (P::PlatformManage, Scope::Platform), (P::UsersRead, College), (P::UsersManage, College),
        (P::AuditRead, College),
    ]),
];

impl Role {
    /// The roles of a college.
    pub const COLLEGE: [Role; 13] = [
        Role::CollegeAdmin,
        Role::Principal,
        Role::Registrar,
        Role::AcademicCoordinator,
        Role::Accountant,
        Role::Teacher,
        Role::Warden,
        Role::Librarian,
        Role::Counselor,
        Role::StudentOrganizer,
        Role::Student,
        Role::Parent,
        Role::Applicant,
    ];

    /// Every built-in role: the college's and the platform's.
    pub const ALL: [Role; 14] = [
        Role::CollegeAdmin,
        Role::Principal,
        Role::Registrar,
        Role::AcademicCoordinator,
        Role::Accountant,
        Role::Teacher,
        Role::Warden,
        Role::Librarian,
        Role::Counselor,
        Role::StudentOrganizer,
        Role::Student,
        Role::Parent,
        Role::Applicant,
        Role::PlatformAdmin,
    ];

    fn row(
        self,
    ) -> &'static (
        Role,
        &'static str,
        &'static str,
        bool,
        &'static [(Permission, Scope)],
    ) {
        ROLE_TABLE
            .iter()
            .find(|row| row.0 == self)
            .unwrap_or(&ROLE_TABLE[0])
    }

    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    pub fn label(self) -> &'static str {
        self.row().2
    }

    /// Whether holding this role requires a second factor.
    pub fn needs_second_factor(self) -> bool {
        self.row().3
    }

    /// Staff are every role but students, parents and applicants.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Student | Role::Parent | Role::Applicant)
    }

    pub fn grants(self) -> &'static [(Permission, Scope)] {
        self.row().4
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Parses a custom role's stored grant, e.g. `students.read:college`.
pub fn parse_grant(text: &str) -> Option<(Permission, Scope)> {
    let (permission, scope) = text.split_once(':')?;
    Some((Permission::parse(permission)?, Scope::parse(scope)?))
}

/// A grant a college's own role may hold (see `Permission::custom_scopes`).
pub fn parse_custom_grant(text: &str) -> Option<(Permission, Scope)> {
    parse_grant(text).filter(|(p, s)| p.custom_scopes().contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_covers_every_role_once() {
        for role in Role::ALL {
            assert_eq!(
                ROLE_TABLE.iter().filter(|row| row.0 == role).count(),
                1,
                "{role:?}"
            );
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn college_roles_hold_every_permission_but_the_reserved_and_never_platform_wide() {
        for p in Permission::ALL {
            let scopes = p.custom_scopes();
            let reserved = matches!(
                p,
                Permission::UsersManage
                    | Permission::RolesManage
                    | Permission::CollegeSettings
                    | Permission::PlatformManage
            );
            assert_eq!(scopes.is_empty(), reserved, "{p}");
            assert!(!scopes.contains(&Scope::Platform), "{p}");
        }
        assert_eq!(
            parse_custom_grant("admissions.manage:department"),
            None,
            "no narrower reach in the code"
        );
        assert!(parse_custom_grant("students.read:department").is_some());
    }

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.name()), Some(p));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.name()), Some(s));
        }
        assert_eq!(
            parse_grant("students.read:college"),
            Some((P::StudentsRead, College))
        );
        assert_eq!(parse_grant("students.read"), None);
        assert_eq!(parse_grant("nothing:college"), None);
    }

    #[test]
    fn only_college_admins_manage_users_and_roles() {
        for role in Role::ALL {
            let manages = role
                .grants()
                .iter()
                .any(|(p, _)| matches!(p, P::UsersManage | P::RolesManage));
            let expected = matches!(role, Role::CollegeAdmin | Role::PlatformAdmin);
            assert_eq!(manages, expected, "{role:?}");
        }
    }
}
