//! The navigation a signed-in user sees: a link for each part of Campus their
//! permissions open, in the order people work through them.

use crate::access::permissions::{Permission, Role, Scope};
use crate::access::principal::Principal;

/// `(address, label)` of each part the principal may open.
pub fn links(principal: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut links: Vec<(&'static str, &'static str)> = vec![("/dashboard", "Dashboard")];
    if principal.can(Permission::PlatformManage) {
        links.push(("/platform", "Platform"));
    }
    if principal.can(Permission::CatalogRead) {
        links.push(("/catalog", "Catalog"));
    }
    if principal.can(Permission::RegistrationEnrol) {
        links.push(("/registration", "Registration"));
    }
    if principal.has_role(Role::Student) || principal.has_role(Role::Teacher) {
        links.push(("/timetable", "Timetable"));
    }
    if principal
        .grant(Permission::StudentsRead)
        .is_some_and(|g| g.scope >= Scope::OwnSections)
    {
        links.push(("/students", "Students"));
    }
    if principal
        .grant(Permission::StaffRead)
        .is_some_and(|g| g.scope >= Scope::Department)
    {
        links.push(("/staff", "Staff"));
    }
    if principal.can(Permission::MarksRead) {
        links.push(("/results", "Results"));
    }
    if principal.can(Permission::AdmissionsManage) {
        links.push(("/admissions/intakes", "Admissions"));
    } else if principal.can(Permission::AdmissionsApply) {
        links.push(("/admissions", "Admissions"));
    }
    if principal.can(Permission::GuardiansLink) {
        links.push(("/children", "My children"));
    }
    links.push(("/notices", "Notices"));
    links.push(("/requests", "Requests"));
    if principal.can(Permission::AchievementsRecord) {
        links.push(("/enrollment", "Enrollment"));
        links.push(("/achievements", "Achievements"));
    } else if principal.can(Permission::AchievementsReview) {
        links.push(("/achievements/review", "Achievements"));
    }
    if principal.can(Permission::UsersRead) {
        links.push(("/admin/users", "Users"));
    }
    if principal.can(Permission::RolesManage) {
        links.push(("/admin/roles", "Roles"));
    }
    if principal.can(Permission::AuditRead) {
        links.push(("/admin/audit", "Audit trail"));
    }
    if principal.can(Permission::InteropManage) {
        links.push(("/admin/oneroster", "OneRoster"));
    }
    if principal.can(Permission::CollegeSettings) {
        links.push(("/admin/settings", "Settings"));
    }
    links.push(("/account/sessions", "Account"));
    links
}
