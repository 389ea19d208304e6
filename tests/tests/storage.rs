//! Migrations and the seed dataset: the same migrations go up and down on both databases; the
//! dataset validates, loads once, and rejects bad data with readable errors.

use entities::{source, staff_role, unit};
use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, PaginatorTrait};
use vestegn_api::{config::Limits, seed};
use vestegn_tests::on_each_backend_with;

#[tokio::test]
async fn migrations_go_down_and_up_again() {
    on_each_backend_with(Limits::default(), false, |app| async move {
        assert_eq!(unit::Entity::find().count(&app.db).await.unwrap(), 0);
        Migrator::down(&app.db, None).await.expect("down");
        assert!(
            unit::Entity::find().count(&app.db).await.is_err(),
            "tables are gone"
        );
        Migrator::up(&app.db, None).await.expect("up");
        assert!(
            seed::load_if_empty(&app.db).await.unwrap(),
            "loads into the empty database"
        );
        assert!(
            !seed::load_if_empty(&app.db).await.unwrap(),
            "a second load does nothing"
        );
        assert_eq!(source::Entity::find().count(&app.db).await.unwrap(), 5);
        let roles = staff_role::Entity::find().all(&app.db).await.unwrap();
        assert!(
            roles.iter().all(|r| !r.source_section.trim().is_empty()),
            "every role names its section"
        );
    })
    .await;
}

#[test]
fn the_embedded_dataset_is_valid() {
    let dataset = seed::Dataset::embedded().expect("valid dataset");
    assert_eq!(dataset.sources.len(), 5);
    assert_eq!(dataset.reference.municipality.len(), 12);
    assert_eq!(dataset.models.len(), 5);
}

#[test]
fn bad_data_is_rejected_with_every_problem_named() {
    let (sources, reference, models) = seed::Dataset::embedded_texts();
    let mut broken: Vec<(&str, String)> =
        models.iter().map(|(n, t)| (*n, (*t).to_owned())).collect();
    let ishoej = broken
        .iter_mut()
        .find(|(n, _)| *n == "ishoej.toml")
        .unwrap();
    ishoej.1 = ishoej.1.replacen(
        "parent = \"ishoej-2014-direktion\"",
        "parent = \"no-such-unit\"",
        1,
    );
    ishoej.1 = ishoej
        .1
        .replacen("name = \"Direktionen\"", "name = \"Ishgj Direktion\"", 1);
    let models: Vec<(&str, &str)> = broken.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let error = seed::Dataset::parse(sources, reference, &models)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no-such-unit"), "{error}");
    assert!(error.contains("Ishgj"), "{error}");

    let unknown_field = models
        .iter()
        .map(|(n, t)| {
            (
                *n,
                if *n == "viborg.toml" {
                    "municipality = 791\nheadcuont = 3\n"
                } else {
                    t
                },
            )
        })
        .collect::<Vec<_>>();
    let error = format!(
        "{:#}",
        seed::Dataset::parse(sources, reference, &unknown_field).unwrap_err()
    );
    assert!(
        error.contains("headcuont"),
        "a typo fails the load: {error}"
    );
}
