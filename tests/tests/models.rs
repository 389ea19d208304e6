//! Reading organisation models: municipalities, networks, unit trees, staff, forums,
//! interventions, sources, and the model as of a date.

use serde_json::{json, Value};
use vestegn_tests::on_each_backend;

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[tokio::test]
async fn lists_the_municipalities_and_their_networks() {
    on_each_backend(|app| async move {
        let data = app
            .query(
                "{ municipalities(first: 100) { edges { node { code name networks { key } } } } }",
                json!({}),
            )
            .await;
        let edges = data["municipalities"]["edges"].as_array().unwrap();
        let codes: Vec<i64> = edges
            .iter()
            .map(|e| e["node"]["code"].as_i64().unwrap())
            .collect();
        assert_eq!(
            codes,
            vec![151, 153, 159, 161, 163, 165, 167, 169, 175, 183, 187, 791]
        );
        let viborg = edges.iter().find(|e| e["node"]["code"] == 791).unwrap();
        assert_eq!(
            viborg["node"]["networks"],
            json!([]),
            "Viborg is outside the Vestegn networks"
        );
        let ishoej = edges.iter().find(|e| e["node"]["code"] == 183).unwrap();
        let keys: Vec<&str> = ishoej["node"]["networks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["key"].as_str().unwrap())
            .collect();
        assert!(
            keys.contains(&"chefforum") && keys.contains(&"kredsraad-vestegnen"),
            "{keys:?}"
        );

        let data = app
            .query(
                "{ networks { edges { node { key name members { code } } } } }",
                json!({}),
            )
            .await;
        let networks = data["networks"]["edges"].as_array().unwrap();
        assert_eq!(networks.len(), 3);
        let chefforum = networks
            .iter()
            .find(|n| n["node"]["key"] == "chefforum")
            .unwrap();
        assert_eq!(
            chefforum["node"]["members"].as_array().unwrap().len(),
            11,
            "the 11 Vestegn municipalities"
        );
    })
    .await;
}

#[tokio::test]
async fn pages_with_opaque_cursors_and_filters() {
    on_each_backend(|app| async move {
        let query = "query($after: String) { municipalities(first: 5, after: $after) { totalCount edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = app.query(query, json!({ "after": after })).await;
            let page = &data["municipalities"];
            assert_eq!(page["totalCount"], 12, "the total over all pages");
            for edge in page["edges"].as_array().unwrap() {
                seen.push(edge["node"]["code"].as_i64().unwrap());
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), 12, "every municipality once: {seen:?}");
        let mut sorted = seen.clone();
        sorted.dedup();
        assert_eq!(sorted, seen);

        let data = app
            .query(r#"{ municipalities(filter: { search: "høje" }) { edges { node { name } } } }"#, json!({}))
            .await;
        assert_eq!(data["municipalities"]["edges"][0]["node"]["name"], "Høje-Taastrup");

        let data = app
            .query(
                r#"{ staffRoles(first: 100, filter: { municipalityCodes: [169], preventionLevel: TARGETED }) { totalCount edges { node { title headcount } } } }"#,
                json!({}),
            )
            .await;
        let roles = data["staffRoles"]["edges"].as_array().unwrap();
        assert_eq!(roles.len(), 1, "{roles:?}");
        assert_eq!(data["staffRoles"]["totalCount"], 1);
        assert_eq!(roles[0]["node"]["headcount"], 5);
    })
    .await;
}

#[tokio::test]
async fn ishoej_as_of_2014_and_2023_differ_as_the_documents_say() {
    on_each_backend(|app| async move {
        let query = r#"query($day: Date) { municipality(code: 183, asOf: $day) {
            crimePreventionUnits { name kind ancestors { name } provenance { source { key } } }
            staffRoles { title headcount weeklyHoursMin weeklyHoursMax provenance { source { key } } }
            goals { number title interventions { name } }
        } }"#;
        let data = app.query(query, json!({ "day": "2014-06-01" })).await;
        let model = &data["municipality"];
        let units = model["crimePreventionUnits"].as_array().unwrap();
        let staff_unit = units
            .iter()
            .find(|u| u["name"] == "Stabsenheden for Tryghed og Kriminalitetsforebyggelse")
            .unwrap_or_else(|| panic!("the 2014 staff unit: {units:?}"));
        assert_eq!(staff_unit["kind"], "staff_unit");
        assert_eq!(names(&staff_unit["ancestors"]), vec!["Direktionen"], "under the executive board");
        assert_eq!(staff_unit["provenance"]["source"]["key"], "000");
        assert!(!units.iter().any(|u| u["name"] == "Den udgående indsats"), "the 2023 unit is not there in 2014");
        let goals = model["goals"].as_array().unwrap();
        assert_eq!(goals.len(), 4, "the four goals of Ishøj – En Tryg By");
        let interventions: usize = goals.iter().map(|g| g["interventions"].as_array().unwrap().len()).sum();
        assert!(interventions >= 20, "Handleplan 2014 has ~30 interventions, got {interventions}");

        let data = app.query(query, json!({ "day": "2023-06-01" })).await;
        let model = &data["municipality"];
        let units = names(&model["crimePreventionUnits"]);
        assert!(units.contains(&"Tryghed og Kriminalitetsforebyggelse".to_owned()), "{units:?}");
        assert!(units.contains(&"Den udgående indsats".to_owned()), "{units:?}");
        assert!(!units.iter().any(|u| u.starts_with("Stabsenheden")), "the staff unit is gone by 2023");
        let roles = model["staffRoles"].as_array().unwrap();
        let street = roles
            .iter()
            .find(|r| {
                r["provenance"]["source"]["key"] == "002"
                    && r["title"].as_str().unwrap().to_lowercase().contains("gadeplan")
            })
            .unwrap_or_else(|| panic!("002's street workers: {roles:?}"));
        assert_eq!(street["headcount"], 4);
        assert_eq!(street["weeklyHoursMin"], "27");
        assert_eq!(street["weeklyHoursMax"], "37");
        assert_eq!(model["goals"], json!([]), "the 2014 goals do not hold in 2023");
    })
    .await;
}

#[tokio::test]
async fn hoeje_taastrup_before_and_after_the_2019_rename() {
    on_each_backend(|app| async move {
        let query = r#"query($day: Date) { municipality(code: 169, asOf: $day) { crimePreventionUnits { name } } }"#;
        let before = app.query(query, json!({ "day": "2019-03-01" })).await;
        let before = names(&before["municipality"]["crimePreventionUnits"]);
        assert!(before.iter().any(|n| n == "SSP og Gadeplan"), "{before:?}");
        assert!(!before.iter().any(|n| n == "Kriminalpræventivt Team"), "{before:?}");
        let after = app.query(query, json!({ "day": "2020-03-01" })).await;
        let after = names(&after["municipality"]["crimePreventionUnits"]);
        assert!(after.iter().any(|n| n == "Kriminalpræventivt Team"), "{after:?}");
        assert!(!after.iter().any(|n| n == "SSP og Gadeplan"), "{after:?}");
    })
    .await;
}

#[tokio::test]
async fn unit_tree_committees_forums_and_sources() {
    on_each_backend(|app| async move {
        let data = app
            .query(
                r#"{ municipality(code: 187, asOf: "2024-01-01") {
                    crimePreventionUnits { name ancestors { name } parent { name children { name } } }
                    rootUnits { name }
                    forums { name level cadence legalBases { law section }
                             members { roleTitle unit { name } partner { name } }
                             provenance { section source { key date title } } }
                } }"#,
                json!({}),
            )
            .await;
        let model = &data["municipality"];
        let unit = &model["crimePreventionUnits"][0];
        let ancestors = names(&unit["ancestors"]);
        assert!(!ancestors.is_empty(), "SSP sits inside the hierarchy: {unit}");
        assert_eq!(unit["parent"]["name"].as_str(), ancestors.last().map(String::as_str));
        assert!(names(&unit["parent"]["children"]).contains(&unit["name"].as_str().unwrap().to_owned()));

        let forums = model["forums"].as_array().unwrap();
        let kredsraad = forums.iter().find(|f| f["name"].as_str().unwrap().starts_with("Kredsråd")).unwrap();
        assert_eq!(kredsraad["level"], "STRATEGIC");
        let laws: Vec<String> = kredsraad["legalBases"].as_array().unwrap().iter().map(|b| format!("{} {}", b["law"].as_str().unwrap(), b["section"].as_str().unwrap())).collect();
        assert!(laws.iter().any(|l| l.contains("112")), "{laws:?}");
        let onsdag = forums.iter().find(|f| f["name"] == "Onsdagsgruppen").unwrap();
        assert!(onsdag["cadence"].as_str().unwrap().starts_with("hver anden uge"), "{onsdag}");
        for forum in forums {
            assert_eq!(forum["provenance"]["source"]["key"], "003", "{forum}");
            for member in forum["members"].as_array().unwrap() {
                assert!(member["unit"].is_object() != member["partner"].is_object(), "a unit or a partner: {member}");
            }
        }

        // Vallensbæk's SSP reports to Børne- og Kulturudvalget (003, Bilag 2).
        let data = app
            .query(r#"{ compareMunicipalities(codes: [187], asOf: "2024-01-01") { placements { committee { name } pathText } } }"#, json!({}))
            .await;
        let placement = &data["compareMunicipalities"][0]["placements"][0];
        assert_eq!(placement["committee"]["name"], "Børne- og Kulturudvalget", "{placement}");
    })
    .await;
}

#[tokio::test]
async fn disagreeing_sources_are_both_kept() {
    on_each_backend(|app| async move {
        let data = app
            .query(
                r#"{ municipality(code: 169, asOf: "2023-07-01") { staffRoles { title headcount provenance { source { key } } } } }"#,
                json!({}),
            )
            .await;
        let roles = data["municipality"]["staffRoles"].as_array().unwrap();
        let total = |key: &str| -> i64 {
            roles.iter().filter(|r| r["provenance"]["source"]["key"] == key).map(|r| r["headcount"].as_i64().unwrap()).sum()
        };
        assert_eq!(total("002"), 9, "002: 1 leder + 2 + 5 + 1");
        assert_eq!(total("004"), 8, "004: 7 medarbejdere + 1 leder");
    })
    .await;
}

#[tokio::test]
async fn every_record_reaches_its_node_by_global_id() {
    on_each_backend(|app| async move {
        let data = app
            .query(r#"{ units(first: 3, filter: { municipalityCodes: [165] }) { edges { node { id name } } } }"#, json!({}))
            .await;
        let unit = &data["units"]["edges"][0]["node"];
        let node = app
            .query("query($id: ID!) { node(id: $id) { id ... on Unit { name } } }", json!({ "id": unit["id"] }))
            .await;
        assert_eq!(node["node"]["name"], unit["name"]);
        assert_eq!(node["node"]["id"], unit["id"]);

        let data = app.query(r#"{ municipality(code: 183) { id } }"#, json!({})).await;
        let node = app
            .query("query($id: ID!) { node(id: $id) { ... on Municipality { code } } }", json!({ "id": data["municipality"]["id"] }))
            .await;
        assert_eq!(node["node"]["code"], 183);
    })
    .await;
}

#[tokio::test]
async fn interventions_have_partners_and_goals() {
    on_each_backend(|app| async move {
        let data = app
            .query(
                r#"{ interventions(first: 50, filter: { municipalityCodes: [183], search: "knallert" }) { edges { node { name goal { number } leadUnit { name } partners { unit { name } partner { name } } } } } }"#,
                json!({}),
            )
            .await;
        let node = &data["interventions"]["edges"][0]["node"];
        assert_eq!(node["goal"]["number"], 1, "{node}");
        assert!(node["partners"].as_array().unwrap().len() >= 5, "{node}");
    })
    .await;
}
