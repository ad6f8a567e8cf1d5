//! Institution types: parsed input and the public views of a college.

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use crate::db::CollegeId;
use crate::error::FieldError;

/// A college's URL name: 1 to 40 lowercase letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollegeSlug(String);

impl CollegeSlug {
    pub fn parse(raw: &str) -> Result<CollegeSlug, FieldError> {
        let slug = raw.trim();
        let ok = (1..=40).contains(&slug.len())
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if ok {
            Ok(CollegeSlug(slug.to_string()))
        } else {
            Err(FieldError::new(
                "slug",
                "use 1 to 40 lowercase letters, digits and hyphens, not starting or ending with \
                 a hyphen",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new college, checked.
#[derive(Debug, Clone)]
pub struct NewCollege {
    pub slug: CollegeSlug,
    pub name: String,
    pub short_name: Option<String>,
    pub tagline: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
}

impl NewCollege {
    pub fn parse(slug: &str, name: &str) -> Result<NewCollege, Vec<FieldError>> {
        let mut errors = Vec::new();
        let slug = CollegeSlug::parse(slug).map_err(|e| errors.push(e)).ok();
        let name = name.trim();
        if !(2..=200).contains(&name.chars().count()) {
            errors.push(FieldError::new("name", "must be 2 to 200 characters"));
        }
        match slug {
            Some(slug) if errors.is_empty() => Ok(NewCollege {
                slug,
                name: name.to_string(),
                short_name: None,
                tagline: None,
                email: None,
                phone: None,
                website: None,
                address: None,
            }),
            _ => Err(errors),
        }
    }
}

/// A college as the public directory shows it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CollegeSummary {
    #[schema(value_type = uuid::Uuid)]
    pub id: CollegeId,
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub tagline: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CampusInfo {
    pub code: String,
    pub name: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProgramInfo {
    pub code: String,
    pub name: String,
    /// `diploma`, `undergraduate`, `postgraduate` or `doctoral`.
    pub level: String,
    pub duration_years: i16,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentInfo {
    pub code: String,
    pub name: String,
    pub programs: Vec<ProgramInfo>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TermInfo {
    pub name: String,
    pub academic_year: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// The college's current term (one is, chosen on the setup pages).
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub students: i64,
    pub staff: i64,
    pub departments: i64,
    pub programs: i64,
}

/// A college's public profile: what its landing page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollegeProfile {
    #[serde(flatten)]
    pub summary: CollegeSummary,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub campuses: Vec<CampusInfo>,
    pub departments: Vec<DepartmentInfo>,
    /// Terms that have not ended yet, soonest first.
    pub terms: Vec<TermInfo>,
    pub figures: Figures,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(CollegeSlug::parse("riverside-college").is_ok());
        assert!(CollegeSlug::parse("a1").is_ok());
        assert!(CollegeSlug::parse("-bad").is_err());
        assert!(CollegeSlug::parse("bad-").is_err());
        assert!(CollegeSlug::parse("Upper").is_err());
        assert!(CollegeSlug::parse("").is_err());
        assert!(CollegeSlug::parse(&"a".repeat(41)).is_err());
        assert!(CollegeSlug::parse("sp ace").is_err());
    }

    #[test]
    fn new_college_names_every_bad_field() {
        let errors = NewCollege::parse("Bad Slug", "x").expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["slug", "name"]);
    }
}
