//! Identity: signing in and the browser session, the second factor, single sign-on, API
//! credentials and mailed links, and the user's own account. One folder per area, each
//! declaring its own routes.

pub mod account;
pub mod mfa;
pub mod signin;
pub mod sso;
pub mod tokens;

use crate::access::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(signin::routes())
        .merge(sso::routes())
        .merge(mfa::routes())
        .merge(account::routes())
        .merge(tokens::routes())
}
