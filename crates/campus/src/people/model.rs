//! People types, parsed at the edge.

use std::fmt;

use crate::error::FieldError;

/// The built-in roles. Which permissions each carries is the identity module's table.
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
}

impl Role {
    pub const ALL: [Role; 12] = [
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
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CollegeAdmin => "college_admin",
            Role::Principal => "principal",
            Role::Registrar => "registrar",
            Role::AcademicCoordinator => "academic_coordinator",
            Role::Accountant => "accountant",
            Role::Teacher => "teacher",
            Role::Warden => "warden",
            Role::Librarian => "librarian",
            Role::Counselor => "counselor",
            Role::StudentOrganizer => "student_organizer",
            Role::Student => "student",
            Role::Parent => "parent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CollegeAdmin => "College admin",
            Role::Principal => "Principal",
            Role::Registrar => "Registrar",
            Role::AcademicCoordinator => "Academic coordinator",
            Role::Accountant => "Accountant",
            Role::Teacher => "Teacher",
            Role::Warden => "Warden",
            Role::Librarian => "Librarian",
            Role::Counselor => "Counselor",
            Role::StudentOrganizer => "Student organizer",
            Role::Student => "Student",
            Role::Parent => "Parent",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// An email address in a plausible shape: one `@`, something before it, a dotted domain
/// after it, no spaces or control characters, at most 254 characters. Whether it
/// receives mail is for a verification mail to find out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let email = raw.trim();
        let bad = || FieldError::new(field, "must be an email address such as ada@example.edu");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Email(email.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 1 to 200 characters after trimming.
pub fn parse_display_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if (1..=200).contains(&name.chars().count()) && !name.chars().any(char::is_control) {
        Ok(name.to_string())
    } else {
        Err(FieldError::new(field, "must be 1 to 200 characters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("email", " Ada@Example.EDU ").map(|e| e.0),
            Ok("ada@example.edu".to_string())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.edu",
            "ada@edu",
            "a b@x.edu",
            "ada@x..edu",
            "a@b@c.edu",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn role_names_are_unique_and_well_formed() {
        let mut names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Role::ALL.len());
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
    }
}
