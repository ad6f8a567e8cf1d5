//! A private PostgreSQL cluster kept in a folder: found binaries, `initdb` on first use, a
//! server on a Unix socket only (no TCP port), recovery after a crash, a clean stop.
//!
//! It knows nothing of Campus. The folder layout under the root it is given:
//!
//! ```text
//! ROOT/postgres/   the cluster (PGDATA), owned by the account the server runs as
//! ROOT/run/        the Unix socket, mode 0700, same owner
//! ROOT/log/        the server's log file
//! ROOT/cluster.lock held by the process that manages the server, so two never do
//! ```
//!
//! PostgreSQL refuses to run as root. When this process is root, the server runs as an
//! unprivileged system account (the distribution's `postgres` account where it exists).

mod account;
mod binaries;
mod cluster;
mod error;

pub use account::Account;
pub use binaries::Binaries;
pub use cluster::{Cluster, ClusterOptions, Durability, ServerGuard};
pub use error::Error;
