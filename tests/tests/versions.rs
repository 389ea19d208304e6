//! Records are stable identities with versions: a later source that describes the same unit is
//! its next version, so each real unit appears once as of any date and keeps its ID; without a
//! date a record shows its latest version; the database refuses versions of one record that
//! overlap, on both backends.

use std::collections::HashSet;

use chrono::NaiveDate;
use entities::{unit, versioned::Versioned};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use vestegn_api::{
    seed,
    service::versions::{self, Recorded},
};
use vestegn_tests::on_each_backend;

const ISHOEJ: i32 = 183;
const TK: &str = "Tryghed og Kriminalitetsforebyggelse";

const UNITS: &str = r#"query ($asOf: Date) {
  municipality(code: 183, asOf: $asOf) {
    units { id name parent { name } provenance { validFrom validTo source { key } } }
  }
}"#;

/// The units of Ishøj named `name`, as of `as_of` (the latest versions when none).
async fn ishoej_units(app: &vestegn_tests::TestApp, as_of: Option<&str>) -> Vec<Value> {
    let data = app.query(UNITS, json!({ "asOf": as_of })).await;
    data["municipality"]["units"]
        .as_array()
        .expect("units")
        .clone()
}

fn named<'a>(units: &'a [Value], name: &str) -> Vec<&'a Value> {
    units.iter().filter(|unit| unit["name"] == name).collect()
}

#[tokio::test]
async fn a_later_source_is_the_next_version_of_the_same_unit() {
    on_each_backend(|app| async move {
        // 001 (the undated web page) describes the unit from 2015, 002 (the 2023 note) in 2023.
        let in_2016 = ishoej_units(&app, Some("2016-06-01")).await;
        let in_2023 = ishoej_units(&app, Some("2023-07-01")).await;
        let latest = ishoej_units(&app, None).await;
        let (before, after, now) = (named(&in_2016, TK), named(&in_2023, TK), named(&latest, TK));
        assert_eq!(before.len(), 1, "{}: {before:?}", app.label());
        assert_eq!(
            after.len(),
            1,
            "one unit as of 2023, not one per source: {after:?}"
        );
        assert_eq!(now.len(), 1, "one unit without a date: {now:?}");
        assert_eq!(
            before[0]["id"], after[0]["id"],
            "the same record keeps its ID"
        );
        assert_eq!(before[0]["provenance"]["source"]["key"], "001");
        assert_eq!(before[0]["provenance"]["validTo"], "2023-01-01");
        assert_eq!(before[0]["parent"], Value::Null, "001 does not place it");
        assert_eq!(after[0]["provenance"]["source"]["key"], "002");
        assert_eq!(after[0]["parent"]["name"], "CBF", "002 places it in CBF");
        assert_eq!(
            now[0]["provenance"]["source"]["key"], "002",
            "without a date, the latest version"
        );

        // node(id:) finds the record by its ID, at its latest version.
        let node = r#"query ($id: ID!) {
          node(id: $id) { ... on Unit { name provenance { source { key } } } }
        }"#;
        let data = app.query(node, json!({ "id": before[0]["id"] })).await;
        assert_eq!(data["node"]["name"], TK);
        assert_eq!(data["node"]["provenance"]["source"]["key"], "002");
    })
    .await;
}

#[tokio::test]
async fn every_record_appears_once_at_any_date() {
    on_each_backend(|app| async move {
        let query = r#"query ($asOf: Date) {
          municipalities(first: 100) {
            nodes {
              code
              units(asOf: $asOf) { id }
              forums(asOf: $asOf) { id }
              staffRoles(asOf: $asOf) { id }
              interventions(asOf: $asOf) { id }
            }
          }
        }"#;
        for as_of in [
            None,
            Some("2014-06-01"),
            Some("2016-06-01"),
            Some("2023-07-01"),
        ] {
            let data = app.query(query, json!({ "asOf": as_of })).await;
            for municipality in data["municipalities"]["nodes"].as_array().expect("list") {
                for list in ["units", "forums", "staffRoles", "interventions"] {
                    let ids: Vec<&str> = municipality[list]
                        .as_array()
                        .expect("list")
                        .iter()
                        .map(|record| record["id"].as_str().expect("id"))
                        .collect();
                    let unique: HashSet<&str> = ids.iter().copied().collect();
                    assert_eq!(
                        unique.len(),
                        ids.len(),
                        "{} {} {list} as of {as_of:?}",
                        app.label(),
                        municipality["code"]
                    );
                }
            }
        }
        // Ishøj's schools, youth school and StraXen are one record each, from 2014 on.
        let units = ishoej_units(&app, Some("2014-06-01")).await;
        let ungdomsskolen = named(&units, "Ungdomsskolen");
        assert_eq!(ungdomsskolen.len(), 1);
        let later = ishoej_units(&app, Some("2023-07-01")).await;
        assert_eq!(
            named(&later, "Ungdomsskolen")[0]["id"],
            ungdomsskolen[0]["id"]
        );
    })
    .await;
}

#[tokio::test]
async fn overlapping_versions_of_one_record_are_refused() {
    on_each_backend(|app| async move {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let first = unit::Entity::find()
            .filter(unit::Column::MunicipalityCode.eq(ISHOEJ))
            .one(&app.db)
            .await
            .unwrap()
            .expect("a unit");
        let version = |from, to| unit::ActiveModel {
            parent_id: Set(None),
            committee_id: Set(None),
            name: Set("Testenhed".to_owned()),
            kind: Set("team".to_owned()),
            archetype: Set(None),
            archetype_note: Set(None),
            hosts_crime_prevention: Set(false),
            municipality_code: Set(ISHOEJ),
            visibility: Set("public".to_owned()),
            valid_from: Set(from),
            valid_to: Set(to),
            source_id: Set(first.source_id),
            source_section: Set("test".to_owned()),
            note: Set(None),
            ..Default::default()
        };
        let recorded = Recorded::now("test");
        let created = versions::create(
            &app.db,
            version(day(2020, 1, 1), day(2021, 1, 1)),
            &recorded,
        )
        .await
        .expect("a first version");
        let id = created.id;
        for (from, to) in [
            (day(2020, 6, 1), day(2020, 7, 1)), // inside
            (day(2019, 1, 1), day(2020, 1, 2)), // over the start
            (day(2020, 12, 31), None),          // over the end, open-ended
            (None, day(2020, 1, 2)),            // from the beginning of time
        ] {
            let refused = versions::add_version(&app.db, version(from, to), id, &recorded).await;
            assert!(
                refused.is_err(),
                "{}: [{from:?}, {to:?}) overlaps [2020-01-01, 2021-01-01)",
                app.label()
            );
        }
        // Validity that ends before it starts is refused too.
        let backwards = versions::add_version(
            &app.db,
            version(day(2030, 1, 1), day(2029, 1, 1)),
            id,
            &recorded,
        )
        .await;
        assert!(backwards.is_err(), "{}: ends before it starts", app.label());
        // Adjacent versions are fine: the first ends the day the next starts.
        let next = versions::add_version(&app.db, version(day(2021, 1, 1), None), id, &recorded)
            .await
            .expect("the next version");
        assert_eq!((next.id, next.version), (id, 2));
        let stored = unit::Entity::find()
            .filter(<unit::Entity as Versioned>::id().eq(id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(
            stored.len(),
            2,
            "{}: the refused versions left nothing",
            app.label()
        );
    })
    .await;
}

#[test]
fn a_next_version_in_the_dataset_must_follow_the_previous_one() {
    let (sources, reference, models) = seed::Dataset::embedded_texts();
    let models: Vec<(&str, String)> = models
        .iter()
        .map(|(name, text)| {
            let text = if *name == "ishoej.toml" {
                // The 001 version of the unit no longer ends where the 002 version starts.
                text.replacen(
                    "valid_from = \"2015-01-01\"\nvalid_to = \"2023-01-01\"",
                    "valid_from = \"2015-01-01\"",
                    1,
                )
            } else {
                (*text).to_owned()
            };
            (*name, text)
        })
        .collect();
    let models: Vec<(&str, &str)> = models.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let error = seed::Dataset::parse(sources, reference, &models)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("a next version of \"ishoej-tryghed-og-kriminalitetsforebyggelse\""),
        "{error}"
    );
}
