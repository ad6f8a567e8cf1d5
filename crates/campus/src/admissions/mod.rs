//! Admissions: intakes per program, a public application page where applicants make
//! their own accounts, documents, the fee through a payment gateway (a test gateway is
//! built in), review with a merit list and seat allocation within capacity, and on
//! acceptance the student record, role and a welcome mail.

pub mod applications;
pub mod intakes;
pub mod panels;
pub mod payments;
pub mod signup;

use crate::access::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(signup::routes())
        .merge(applications::routes())
        .merge(payments::routes())
        .merge(intakes::routes())
}
