//! `schema.graphql` is the API's contract: it must be what the code generates.
//! Run with `UPDATE_SCHEMA=1` to rewrite it after an intended change.

use std::path::PathBuf;

#[test]
fn checked_in_schema_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let generated = vestegn_api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema.graphql");
    }
    let checked_in = std::fs::read_to_string(&path).expect("read schema.graphql");
    assert!(
        checked_in == generated,
        "schema.graphql has drifted from the code; run `UPDATE_SCHEMA=1 cargo test --workspace --test schema` and review the diff"
    );
}
