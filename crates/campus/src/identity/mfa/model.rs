//! What the second factor speaks of: how a code was proven, and who must have a second
//! factor.

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

/// Whether these roles need a second factor in this college.
pub fn required(roles: &[String], staff_required: bool) -> bool {
    use crate::access::permissions::Role;
    roles.iter().any(|name| match Role::parse(name) {
        Some(role) => role.needs_second_factor() || (staff_required && role.is_staff()),
        None => staff_required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_and_principals_always_need_it() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(required(&roles(&["college_admin"]), false));
        assert!(required(&roles(&["principal"]), false));
        assert!(!required(&roles(&["teacher"]), false));
        assert!(required(&roles(&["teacher"]), true));
        assert!(!required(&roles(&["student", "parent"]), true));
    }
}
