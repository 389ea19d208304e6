//! How database refusals reach clients, on both databases: a unique constraint is `CONFLICT` with
//! a message of ours (the database's own names its tables and indexes), and a statement refused
//! because another writer holds a lock is 503 `SERVICE_UNAVAILABLE`, never `INTERNAL`.

use entities::network;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionTrait};
use vestegn_api::error::ApiError;
use vestegn_tests::{on_each_backend, Backend};

#[tokio::test]
async fn a_unique_violation_is_a_conflict_in_our_words() {
    on_each_backend(|app| async move {
        let label = app.label();
        let existing = network::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .expect("a network");
        let duplicate = network::ActiveModel {
            key: Set(existing.key.clone()),
            name: Set("Kopi".to_owned()),
            kind: Set(existing.kind.clone()),
            source_id: Set(existing.source_id),
            source_section: Set(existing.source_section.clone()),
            ..Default::default()
        };
        let error = ApiError::from(
            duplicate
                .insert(&app.db)
                .await
                .expect_err("a duplicate key"),
        );
        assert_eq!(error.code(), "CONFLICT", "{label}: {error:?}");
        let message = error.message().to_lowercase();
        for word in ["networks", "unique constraint", "duplicate key", "key_"] {
            assert!(!message.contains(word), "{label}: {message}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_write_refused_for_a_lock_is_service_unavailable() {
    on_each_backend(|app| async move {
        let label = app.label();
        let holder = app.db.begin().await.unwrap();
        let waiter = app.db.begin().await.unwrap();
        let error = match app.backend {
            Backend::Sqlite => {
                holder
                    .execute_unprepared("UPDATE identities SET revision = revision WHERE 0")
                    .await
                    .unwrap();
                waiter
                    .execute_unprepared("PRAGMA busy_timeout = 50")
                    .await
                    .unwrap();
                waiter
                    .execute_unprepared("UPDATE identities SET revision = revision WHERE 0")
                    .await
                    .expect_err("busy")
            }
            Backend::Postgres => {
                holder
                    .execute_unprepared("SELECT pg_advisory_xact_lock(7)")
                    .await
                    .unwrap();
                waiter
                    .execute_unprepared("SET LOCAL lock_timeout = 50")
                    .await
                    .unwrap();
                waiter
                    .execute_unprepared("SELECT pg_advisory_xact_lock(7)")
                    .await
                    .expect_err("lock timeout")
            }
        };
        let error = ApiError::from(error);
        assert_eq!(error.code(), "SERVICE_UNAVAILABLE", "{label}: {error:?}");
        assert_eq!(error.status().as_u16(), 503, "{label}");
    })
    .await;
}
