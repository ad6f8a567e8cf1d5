//! The navigation a signed-in user sees: the parts of Campus their permissions open,
//! grouped by area (People, Academics, Admissions, Administration) in the order people
//! work through them.

use crate::access::permissions::{Permission, Role, Scope};
use crate::access::principal::Principal;

/// An area of the navigation and its links, `(address, label)`.
pub struct Group {
    /// `None` for the links that stand alone (the dashboard, the account).
    pub label: Option<&'static str>,
    pub links: Vec<(&'static str, &'static str)>,
}

/// The areas the principal may open, each with at least one link.
pub fn groups(principal: &Principal) -> Vec<Group> {
    let can = |p| principal.can(p);
    let reaches = |p, scope| principal.grant(p).is_some_and(|g| g.scope >= scope);
    let mut people = Vec::new();
    if reaches(Permission::StudentsRead, Scope::OwnSections) {
        people.push(("/students", "Students"));
    }
    if reaches(Permission::StaffRead, Scope::Department) {
        people.push(("/staff", "Staff"));
    }
    if can(Permission::GuardiansLink) {
        people.push(("/children", "My children"));
    }
    if can(Permission::GuardiansManage) {
        people.push(("/guardians/requests", "Guardian requests"));
    }
    if can(Permission::UsersRead) {
        people.push(("/admin/users", "Users"));
    }
    if can(Permission::RolesManage) {
        people.push(("/admin/roles", "Roles"));
    }

    let mut academics = Vec::new();
    if can(Permission::CatalogRead) {
        academics.push(("/catalog", "Catalog"));
    }
    if can(Permission::RegistrationEnrol) {
        academics.push(("/registration", "Registration"));
    }
    if can(Permission::RegistrationManage) {
        academics.push(("/registration/windows", "Registration windows"));
        academics.push(("/registration/overrides", "Registration overrides"));
    }
    // Everyone who teaches, studies or plans the week finds the timetable.
    if principal.has_role(Role::Student)
        || principal.has_role(Role::Teacher)
        || can(Permission::CatalogManage)
        || can(Permission::RegistrationManage)
    {
        academics.push(("/timetable", "Timetable"));
    }
    // Students their own papers; staff who plan or watch exams the whole timetable.
    if principal.has_role(Role::Student) {
        academics.push(("/exams/mine", "Exams"));
    } else if principal.has_role(Role::Teacher) || can(Permission::CatalogManage) {
        academics.push(("/exams", "Exams"));
    }
    if can(Permission::MarksRead) {
        academics.push(("/results", "Results"));
    }
    // Staff who take or follow attendance: the list of students under the threshold,
    // each line leading to the section's register.
    if can(Permission::AttendanceMark) {
        academics.push(("/attendance/below", "Attendance"));
    }
    if can(Permission::AchievementsRecord) {
        academics.push(("/enrollment", "Enrollment"));
        academics.push(("/achievements", "Achievements"));
    }
    // A student organizer records their own and reviews others': both links.
    if can(Permission::AchievementsReview) {
        academics.push(("/achievements/review", "Achievements to review"));
    }

    let mut admissions = Vec::new();
    if can(Permission::AdmissionsManage) {
        admissions.push(("/admissions/intakes", "Intakes and applications"));
    } else if can(Permission::AdmissionsApply) {
        admissions.push(("/admissions", "My applications"));
    }

    let campus = vec![("/notices", "Notices"), ("/requests", "Requests")];

    let mut administration = Vec::new();
    if can(Permission::AuditRead) {
        administration.push(("/admin/audit", "Audit trail"));
    }
    if can(Permission::InteropManage) {
        administration.push(("/admin/oneroster", "OneRoster"));
    }
    if can(Permission::InstitutionManage) {
        administration.push(("/setup", "Setting up"));
    }
    if can(Permission::CollegeSettings) {
        administration.push(("/admin/settings", "Settings"));
    }
    if can(Permission::PlatformManage) {
        administration.push(("/platform", "Platform"));
    }

    [
        (None, vec![("/dashboard", "Dashboard")]),
        (Some("People"), people),
        (Some("Academics"), academics),
        (Some("Admissions"), admissions),
        (Some("Campus"), campus),
        (Some("Administration"), administration),
        (None, vec![("/account", "Account")]),
    ]
    .into_iter()
    .filter(|(_, links)| !links.is_empty())
    .map(|(label, links)| Group { label, links })
    .collect()
}

/// Of `hrefs`, the one the page at `current` belongs to: the longest that is `current`
/// or a folder above it (`/achievements/review/x` is under `/achievements/review`, not
/// `/achievements`).
pub fn current<'a>(hrefs: impl IntoIterator<Item = &'a str>, current: &str) -> Option<&'a str> {
    hrefs
        .into_iter()
        .filter(|href| {
            current == *href
                || current
                    .strip_prefix(*href)
                    .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'))
        })
        .max_by_key(|href| href.len())
}

#[cfg(test)]
mod tests {
    use super::current;

    #[test]
    fn the_longest_folder_above_the_page_is_current() {
        let hrefs = [
            "/dashboard",
            "/achievements",
            "/achievements/review",
            "/admin/users",
        ];
        assert_eq!(
            current(hrefs, "/achievements/review"),
            Some("/achievements/review")
        );
        assert_eq!(current(hrefs, "/achievements/new"), Some("/achievements"));
        assert_eq!(current(hrefs, "/admin/users/7"), Some("/admin/users"));
        assert_eq!(current(hrefs, "/admin/usersx"), None);
        assert_eq!(current(hrefs, "/sections/1/teach"), None);
    }
}
