//! Cost limits: every nested list declares how many rows it can return, fragments are measured
//! without expanding them, and the standard introspection query passes the default limits.

use vestegn_api::{config::Limits, graphql::Api};

#[test]
fn every_nested_list_of_objects_declares_its_size() {
    let undeclared = Api::new(&Limits::default()).undeclared_lists();
    assert!(
        undeclared.is_empty(),
        "lists without @listSize (counted at the largest page size): {undeclared:#?}"
    );
}
