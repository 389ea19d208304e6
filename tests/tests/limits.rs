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

/// The estimate stays near what a query returns: forums of ten networks with their members come
/// to about a hundred rows in the seed dataset, and are admitted under the default limit.
#[tokio::test]
async fn forums_of_networks_with_their_members_are_admitted() {
    vestegn_tests::on_each_backend(|app| async move {
        let data = app
            .query(
                "{ networks(first: 10) { nodes { name forums { name members { roleTitle unit { name } partner { name } } } } } }",
                serde_json::json!({}),
            )
            .await;
        let rows: usize = data["networks"]["nodes"]
            .as_array()
            .expect("networks")
            .iter()
            .flat_map(|network| network["forums"].as_array().cloned().unwrap_or_default())
            .map(|forum| 1 + forum["members"].as_array().map_or(0, Vec::len))
            .sum();
        assert!(rows > 0, "{}: {data}", app.label());
    })
    .await;
}
