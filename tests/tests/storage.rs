//! Migrations and the seed dataset: the same migrations go up and down on both databases; the
//! dataset validates, loads once, and rejects bad data with readable errors.

use std::fmt::Debug;

use chrono::NaiveDate;
use entities::{
    by_index::{ByIndex, FromRow},
    *,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
};
use vestegn_api::{
    config::Limits,
    seed,
    service::versions::{self, Recorded},
};
use vestegn_tests::{on_each_backend, on_each_backend_with};

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
    // A finding given a number as well: the dataset must not guess numbers.
    ishoej.1 = ishoej.1.replacen(
        "kind = \"finding\"",
        "kind = \"finding\"\nvalue = \"12\"",
        1,
    );
    // A period with a first year and no last one: `year` filters could not place it.
    let hoeje_taastrup = broken
        .iter_mut()
        .find(|(n, _)| *n == "hoeje-taastrup.toml")
        .unwrap();
    hoeje_taastrup.1 = hoeje_taastrup.1.replacen("period_end = 2020\n", "", 1);
    let models: Vec<(&str, &str)> = broken.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let error = seed::Dataset::parse(sources, reference, &models)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no-such-unit"), "{error}");
    assert!(error.contains("Ishgj"), "{error}");
    assert!(
        error.contains(
            "key_indicator[0].value (ishoej-sigtede-10-17-andel): a finding has no number"
        ),
        "{error}"
    );
    assert!(
        error.contains("hoeje-taastrup-sigtede-0-19-2019-2020")
            && error.contains("a period gives its first and last year"),
        "{error}"
    );

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

/// Every row of `E`, read by column position, equals the row sea-orm reads by column name; the
/// number of rows compared.
async fn read_both_ways<E>(db: &DatabaseConnection) -> usize
where
    E: EntityTrait,
    E::Model: FromRow + PartialEq + Debug,
{
    let by_name = E::find().all(db).await.expect("read by name");
    let by_index: Vec<E::Model> = E::find()
        .into_model::<ByIndex<E::Model>>()
        .all(db)
        .await
        .expect("read by position")
        .into_iter()
        .map(|row| row.0)
        .collect();
    assert_eq!(by_index, by_name, "{}", std::any::type_name::<E>());
    by_name.len()
}

#[tokio::test]
async fn rows_read_by_position_are_the_rows_read_by_name() {
    on_each_backend(|app| async move {
        let db = &app.db;
        // The seeds share no project: one with a NULL and one with every column given.
        let source = source::Entity::find()
            .one(db)
            .await
            .unwrap()
            .expect("a source");
        let project = shared_project::ActiveModel {
            name: Set("Fælles indsats".to_owned()),
            description: Set(None),
            municipality_code: Set(165),
            visibility: Set("public".to_owned()),
            valid_from: Set(NaiveDate::from_ymd_opt(2023, 1, 1)),
            valid_to: Set(None),
            source_id: Set(source.id),
            source_section: Set("test".to_owned()),
            note: Set(Some("added by the test".to_owned())),
            ..Default::default()
        };
        let project = versions::create(db, project, &Recorded::now("test"))
            .await
            .expect("project");
        project_participant::ActiveModel {
            id: NotSet,
            project_id: Set(project.id),
            participant_code: Set(165),
            role: Set("lead".to_owned()),
            contribution_ore: Set(Some(12_345)),
            contribution_note: Set(None),
        }
        .insert(db)
        .await
        .expect("participant");
        let counts = [
            read_both_ways::<budget_line::Entity>(db).await,
            read_both_ways::<contact::Entity>(db).await,
            read_both_ways::<forum::Entity>(db).await,
            read_both_ways::<forum_legal_basis::Entity>(db).await,
            read_both_ways::<forum_member::Entity>(db).await,
            read_both_ways::<goal::Entity>(db).await,
            read_both_ways::<intervention::Entity>(db).await,
            read_both_ways::<intervention_partner::Entity>(db).await,
            read_both_ways::<key_indicator::Entity>(db).await,
            read_both_ways::<legal_basis::Entity>(db).await,
            read_both_ways::<municipality::Entity>(db).await,
            read_both_ways::<network::Entity>(db).await,
            read_both_ways::<network_membership::Entity>(db).await,
            read_both_ways::<partner_organisation::Entity>(db).await,
            read_both_ways::<political_committee::Entity>(db).await,
            read_both_ways::<project_participant::Entity>(db).await,
            read_both_ways::<shared_project::Entity>(db).await,
            read_both_ways::<source::Entity>(db).await,
            read_both_ways::<staff_role::Entity>(db).await,
            read_both_ways::<unit::Entity>(db).await,
        ];
        assert!(
            counts.iter().all(|count| *count > 0),
            "every table has rows: {counts:?}"
        );
    })
    .await;
}

/// Every kind of a municipality's model in the registry has a table of versions as the
/// migrations describe one: the columns every version has, one latest version per identity, and
/// versions that do not overlap. A kind registered without such a table fails here.
#[tokio::test]
async fn every_registered_model_kind_has_a_table_of_versions() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    on_each_backend_with(Limits::default(), false, |app| async move {
        let backend = app.db.get_database_backend();
        let exists = |sql: String| {
            let db = &app.db;
            async move {
                !db.query_all(Statement::from_string(backend, sql))
                    .await
                    .unwrap()
                    .is_empty()
            }
        };
        for &kind in Kind::MODEL {
            let table = kind.table();
            app.db
                .query_all(Statement::from_string(
                    backend,
                    format!(
                        "SELECT id, version, latest, municipality_code, visibility, valid_from, \
                         valid_to, source_id, source_section, note, recorded_at, recorded_by \
                         FROM {table} LIMIT 0"
                    ),
                ))
                .await
                .unwrap_or_else(|e| panic!("{table} lacks a column of versions: {e}"));
            let (latest, overlap) = match backend {
                DatabaseBackend::Postgres => (
                    format!(
                        "SELECT 1 FROM pg_indexes WHERE indexname = \
                         'idx_{table}_one_latest_version'"
                    ),
                    format!(
                        "SELECT 1 FROM pg_constraint WHERE conname = \
                         '{table}_versions_do_not_overlap'"
                    ),
                ),
                _ => (
                    format!(
                        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = \
                         'idx_{table}_one_latest_version'"
                    ),
                    format!(
                        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = \
                         '{table}_versions_do_not_overlap_on_insert'"
                    ),
                ),
            };
            assert!(
                exists(latest).await,
                "{table}: one latest version per identity"
            );
            assert!(exists(overlap).await, "{table}: versions must not overlap");
        }
    })
    .await;
}

#[tokio::test]
async fn replicas_that_start_together_migrate_one_at_a_time() {
    // A fresh PostgreSQL of the test's own: an empty database, as replicas find it on first start.
    let cluster = tokio::task::spawn_blocking(vestegn_tests::pg_cluster::PgCluster::start)
        .await
        .unwrap()
        .expect("a PostgreSQL cluster");
    let config = vestegn_api::config::Config::for_database(cluster.url());
    let replicas = (0..4).map(|_| vestegn_api::database::connect_and_migrate(&config));
    let started = futures::future::join_all(replicas).await;
    for (replica, result) in started.iter().enumerate() {
        assert!(
            result.is_ok(),
            "replica {replica}: {:?}",
            result.as_ref().err()
        );
    }
    let db = started.into_iter().next().unwrap().unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap();
    let pending = Migrator::get_pending_migrations(&db).await.unwrap();
    assert!(pending.is_empty());
    assert_eq!(
        applied.len(),
        Migrator::migrations().len(),
        "each migration once"
    );
    assert_eq!(unit::Entity::find().count(&db).await.unwrap(), 0);
    drop(cluster);
}
