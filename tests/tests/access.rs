//! Visibility: anonymous callers see public records only; staff contact details stay private;
//! `network` records reach the municipalities that share a network with their owner.

use entities::{source, unit};
use sea_orm::{EntityTrait, Set};
use serde_json::json;
use vestegn_api::service::{
    versions::{self, Recorded},
    Caller,
};
use vestegn_tests::{on_each_backend, TestApp};

async fn add_unit(app: &TestApp, name: &str, visibility: &str) {
    let source_id = source::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = unit::ActiveModel {
        parent_id: Set(None),
        committee_id: Set(None),
        name: Set(name.to_owned()),
        kind: Set("team".to_owned()),
        archetype: Set(None),
        archetype_note: Set(None),
        hosts_crime_prevention: Set(false),
        municipality_code: Set(183),
        visibility: Set(visibility.to_owned()),
        valid_from: Set(None),
        valid_to: Set(None),
        source_id: Set(source_id),
        source_section: Set("test".to_owned()),
        note: Set(None),
        ..Default::default()
    };
    versions::create(&app.db, unit, &Recorded::now("test"))
        .await
        .unwrap();
}

const FIND: &str = r#"{ units(filter: { search: "Testenhed" }) { edges { node { name } } } }"#;

fn found(data: &serde_json::Value) -> Vec<String> {
    data["units"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn contact_details_are_private_to_their_municipality() {
    on_each_backend(|app| async move {
        let query =
            "{ municipality(code: 183) { contacts { name email provenance { visibility } } } }";
        let anonymous = app.query(query, json!({})).await;
        assert_eq!(
            anonymous["municipality"]["contacts"],
            json!([]),
            "{}",
            app.label()
        );

        let own = app
            .query_as(
                Caller::Municipality {
                    code: 183,
                    peers: vec![187],
                },
                query,
            )
            .await;
        let contacts = own["municipality"]["contacts"].as_array().unwrap();
        assert!(!contacts.is_empty());
        assert!(contacts
            .iter()
            .all(|c| c["provenance"]["visibility"] == "PRIVATE"));

        let neighbour = app
            .query_as(
                Caller::Municipality {
                    code: 187,
                    peers: vec![183],
                },
                query,
            )
            .await;
        assert_eq!(
            neighbour["municipality"]["contacts"],
            json!([]),
            "a peer does not see private data"
        );
    })
    .await;
}

#[tokio::test]
async fn network_records_reach_peers_only() {
    on_each_backend(|app| async move {
        add_unit(&app, "Testenhed netværk", "network").await;
        add_unit(&app, "Testenhed privat", "private").await;
        add_unit(&app, "Testenhed offentlig", "public").await;

        assert_eq!(
            found(&app.query(FIND, json!({})).await),
            vec!["Testenhed offentlig"]
        );

        let owner = app
            .query_as(
                Caller::Municipality {
                    code: 183,
                    peers: vec![],
                },
                FIND,
            )
            .await;
        assert_eq!(found(&owner).len(), 3);

        // Vallensbæk shares the Kredsråd and Chefforum with Ishøj; Viborg shares no network.
        let vallensbaek = Caller::for_municipality(&app.db, 187)
            .await
            .unwrap()
            .unwrap();
        let Caller::Municipality { peers, .. } = &vallensbaek else {
            panic!("a municipality caller");
        };
        assert!(
            peers.contains(&183) && !peers.contains(&791) && !peers.contains(&187),
            "{peers:?}"
        );
        let peer = app.query_as(vallensbaek, FIND).await;
        assert_eq!(
            found(&peer),
            vec!["Testenhed netværk", "Testenhed offentlig"]
        );

        let viborg = Caller::for_municipality(&app.db, 791)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            viborg,
            Caller::Municipality {
                code: 791,
                peers: vec![]
            }
        );
        let outsider = app.query_as(viborg, FIND).await;
        assert_eq!(found(&outsider), vec!["Testenhed offentlig"]);
    })
    .await;
}

#[tokio::test]
async fn everything_the_seeds_publish_is_public() {
    on_each_backend(|app| async move {
        let rows = unit::Entity::find().all(&app.db).await.unwrap();
        assert!(rows.iter().all(|u| u.visibility == "public"));
        let contacts = entities::contact::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(!contacts.is_empty());
        assert!(contacts.iter().all(|c| c.visibility == "private"));
    })
    .await;
}
