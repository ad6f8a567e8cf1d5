//! People: user accounts and their roles, and the records of students, staff and
//! guardians. Pages and API for managing them arrive with the identity and lifecycle
//! modules; this module holds their types and the queries the shell tools use.

pub mod model;
pub mod queries;
