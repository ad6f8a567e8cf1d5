//! Who may do what, below every domain: the permissions and their data scopes, the
//! signed-in principal and the grant a route guard checked, what each scope reaches, the
//! route table with its guards, and the navigation a principal's permissions open.

pub mod navigation;
pub mod permissions;
pub mod principal;
pub mod principal_cache;
pub mod reach;
pub mod routes;
