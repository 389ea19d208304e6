//! Key indicators: the outcome figures of the seeds, with their kind and source, a finding without a
//! number kept as text, filters by measure and year (nested and top-level alike), the comparison,
//! and the visibility rules every record follows.

use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use vestegn_api::service::Caller;
use vestegn_tests::on_each_backend;

const FIELDS: &str = "id measure title periodStart periodEnd kind value unit finding
    municipality { code } provenance { source { key } section visibility }";

/// `(measure, periodStart, periodEnd, kind, value, unit)` of each indicator, in order.
fn facts(list: &Value) -> Vec<(String, Value, Value, String, Value, Value)> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|i| {
            (
                i["measure"].as_str().expect("a measure").to_owned(),
                i["periodStart"].clone(),
                i["periodEnd"].clone(),
                i["kind"].as_str().expect("a kind").to_owned(),
                i["value"].clone(),
                i["unit"].clone(),
            )
        })
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|i| i["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_seeds_outcome_figures_are_indicators_with_their_kind_and_source() {
    on_each_backend(|app| async move {
        let query = format!(
            "{{ hoejeTaastrup: municipality(code: 169) {{ keyIndicators {{ {FIELDS} }} }}
                ishoej: municipality(code: 183) {{ keyIndicators {{ {FIELDS} }} }} }}"
        );
        let data = app.query(&query, json!({})).await;
        let hoeje_taastrup = &data["hoejeTaastrup"]["keyIndicators"];
        assert_eq!(
            facts(hoeje_taastrup),
            vec![
                (
                    "REPORTED_CRIME".to_owned(),
                    json!(2019),
                    json!(2021),
                    "PERCENT_CHANGE".to_owned(),
                    json!("-23.5"),
                    json!("%")
                ),
                (
                    "SELECTED_PENAL_CODE_OFFENCES".to_owned(),
                    json!(2019),
                    json!(2021),
                    "PERCENT_CHANGE".to_owned(),
                    json!("-21"),
                    json!("%")
                ),
                (
                    "CHARGED_YOUNG_PEOPLE".to_owned(),
                    json!(2019),
                    json!(2020),
                    "PERCENT_CHANGE".to_owned(),
                    json!("-19.3"),
                    json!("%")
                ),
                (
                    "SECTION_115_REPORTS".to_owned(),
                    Value::Null,
                    Value::Null,
                    "LOWER_BOUND".to_owned(),
                    json!("1000"),
                    json!("hændelser om året")
                ),
            ],
            "{}",
            app.label()
        );
        for indicator in hoeje_taastrup.as_array().unwrap() {
            assert_eq!(indicator["provenance"]["source"]["key"], "004");
            assert_eq!(indicator["municipality"]["code"], 169);
            assert_eq!(indicator["finding"], Value::Null);
        }

        let ishoej = data["ishoej"]["keyIndicators"].as_array().unwrap();
        assert_eq!(ishoej.len(), 1, "{}", app.label());
        let finding = &ishoej[0];
        assert_eq!(finding["kind"], "FINDING");
        assert_eq!(finding["measure"], "CHARGED_YOUNG_PEOPLE");
        assert_eq!(finding["value"], Value::Null, "no guessed number");
        assert!(finding["finding"]
            .as_str()
            .unwrap()
            .contains("særdeles høj procentandel"));
        assert_eq!(finding["provenance"]["source"]["key"], "000");

        let id = finding["id"].as_str().unwrap();
        let node = app
            .query(
                "query($id: ID!) { node(id: $id) { ... on KeyIndicator { finding } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(node["node"]["finding"], finding["finding"]);
    })
    .await;
}

#[tokio::test]
async fn indicators_filter_by_measure_and_year_nested_as_at_the_top() {
    on_each_backend(|app| async move {
        let data = app
            .query(
                "{ charged: keyIndicators(filter: { measure: CHARGED_YOUNG_PEOPLE }) {
                       nodes { id municipality { code } } }
                   in2020: keyIndicators(filter: { year: 2020 }) { nodes { id measure } }
                   in2021: keyIndicators(filter: { municipalityCodes: [169], year: 2021 }) {
                       nodes { id measure } }
                   municipality(code: 169) {
                       in2021: keyIndicators(year: 2021) { id }
                       crime: keyIndicators(measure: REPORTED_CRIME) { id }
                   } }",
                json!({}),
            )
            .await;
        let charged: Vec<i64> = data["charged"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["municipality"]["code"].as_i64().unwrap())
            .collect();
        assert_eq!(charged, vec![169, 183], "{}", app.label());
        let measures = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|i| i["measure"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            measures(&data["in2020"]["nodes"]),
            [
                "REPORTED_CRIME",
                "SELECTED_PENAL_CODE_OFFENCES",
                "CHARGED_YOUNG_PEOPLE"
            ],
            "periods that take in 2020; none without a period"
        );
        assert_eq!(
            measures(&data["in2021"]["nodes"]),
            ["REPORTED_CRIME", "SELECTED_PENAL_CODE_OFFENCES"]
        );
        assert_eq!(
            ids(&data["municipality"]["in2021"]),
            ids(&data["in2021"]["nodes"])
        );
        assert_eq!(ids(&data["municipality"]["crime"]).len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_comparison_shows_indicators_and_private_ones_only_to_their_municipality() {
    on_each_backend(|app| async move {
        let result = app
            .db
            .execute_unprepared(
                "UPDATE key_indicators SET visibility = 'private' \
                 WHERE measure = 'section_115_reports'",
            )
            .await
            .unwrap();
        assert_eq!(result.rows_affected(), 1);
        let query = "{ compareMunicipalities(codes: [169, 183], asOf: \"2023-07-01\") {
                municipality { code } keyIndicators { measure kind value } } }";

        let anonymous = app.query(query, json!({})).await;
        let compared = anonymous["compareMunicipalities"].as_array().unwrap();
        let measures = |part: &Value| -> Vec<String> {
            part["keyIndicators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["measure"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            measures(&compared[0]),
            [
                "REPORTED_CRIME",
                "SELECTED_PENAL_CODE_OFFENCES",
                "CHARGED_YOUNG_PEOPLE"
            ],
            "{}: the private one is left out",
            app.label()
        );
        assert_eq!(measures(&compared[1]), ["CHARGED_YOUNG_PEOPLE"]);

        let own = app
            .query_as(
                Caller::Municipality {
                    code: 169,
                    peers: vec![],
                },
                query,
            )
            .await;
        assert_eq!(
            measures(&own["compareMunicipalities"][0]).last().unwrap(),
            "SECTION_115_REPORTS",
            "{}: its own municipality sees it",
            app.label()
        );
        let neighbour = app
            .query_as(
                Caller::Municipality {
                    code: 183,
                    peers: vec![169],
                },
                query,
            )
            .await;
        assert_eq!(measures(&neighbour["compareMunicipalities"][0]).len(), 3);
    })
    .await;
}
