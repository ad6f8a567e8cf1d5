// `sqlx::migrate!` embeds the migrations folder at compile time; without this a new
// migration file would not rebuild the crate and would silently be missing.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
