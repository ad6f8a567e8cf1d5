//! The `campus` program.

use std::process::ExitCode;

fn main() -> ExitCode {
    campus::cli::main()
}
