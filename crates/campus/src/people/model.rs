//! People types, parsed at the edge.

use crate::error::FieldError;

pub use crate::access::permissions::Role;

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

/// A phone number's problem: digits with spaces, `+ - ( ) . /`, starting with a digit
/// or a `+`, at most 40 characters.
pub fn phone_problem(field: &str, raw: &str) -> Option<FieldError> {
    let value = raw.trim();
    let ok = value.chars().count() <= 40
        && value
            .trim_start_matches('+')
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    (!ok).then(|| FieldError::new(field, "must be a phone number such as +91 98765 43210"))
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
}
