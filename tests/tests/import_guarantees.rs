//! The whole-model import's guarantees, through the real router on both databases: an import
//! never overwrites a change it did not see (an export states the model's revision, in the
//! document and as its `ETag`; an import of a stale one is refused as a whole with the records
//! changed since; one that states no revision must say it replaces what is stored); it checks
//! what the mutations check (a shared project's participants; who sees which day of a record).

use axum::http::StatusCode;
use chrono::NaiveDate;
use entities::{audit_entry, outbox, project_participant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{json, Value};
use vestegn_api::service::document::*;
use vestegn_tests::{
    documents::{export, export_tagged, import, import_with, parse, problems, write},
    editing::{ask, editing, Editing, ALBERTSLUND, ISHOEJ},
    on_each_backend, TestApp,
};

fn admin(e: &Editing) -> String {
    e.issuer.user_token(ISHOEJ, &["admin"])
}

/// Audit entries and change-feed entries written so far.
async fn writes_recorded(app: &TestApp) -> (u64, u64) {
    (
        audit_entry::Entity::find().count(&app.db).await.unwrap(),
        outbox::Entity::find().count(&app.db).await.unwrap(),
    )
}

/// The id and revision of Ishøj's "Direktionen" (2014).
async fn direktionen(e: &Editing) -> (Value, i64) {
    let read = ask(
        &e.router,
        Some(&e.editor),
        r#"{ municipality(code: 183, asOf: "2014-06-01") { units { id name revision } } }"#,
        json!({}),
    )
    .await;
    let unit = read["data"]["municipality"]["units"]
        .as_array()
        .unwrap_or_else(|| panic!("{read}"))
        .iter()
        .find(|unit| unit["name"] == "Direktionen")
        .cloned()
        .unwrap_or_else(|| panic!("Direktionen: {read}"));
    (unit["id"].clone(), unit["revision"].as_i64().unwrap())
}

/// The extensions of each error of a refusal.
fn extensions(body: &Value) -> Vec<Value> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {body}"))
        .iter()
        .map(|error| error["extensions"].clone())
        .collect()
}

#[tokio::test]
async fn an_export_put_back_after_another_editors_change_is_refused() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let token = admin(&e);
        // A exports Ishøj: the document and its ETag state the model's revision.
        let (exported, tag) = export_tagged(&e.router, ISHOEJ, Some(&token)).await;
        let revision = parse(&exported).revision.expect("an export states its revision");
        assert_eq!(tag, format!("\"183-{revision}\""), "{}", app.label());

        // B renames Direktionen (revision 1 → 2).
        let (id, unit_revision) = direktionen(&e).await;
        assert_eq!(unit_revision, 1);
        let renamed = ask(
            &e.router,
            Some(&e.editor),
            r#"mutation ($id: ID!) { updateUnit(id: $id, revision: 1, from: "2014-06-01",
                 changes: { name: "Direktionen (B)" }, provenance: { source: "000", section: "Mål 1–4" }) { revision } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(renamed["data"]["updateUnit"]["revision"], 2, "{renamed}");
        let (after_b, tag_after_b) = export_tagged(&e.router, ISHOEJ, Some(&token)).await;
        assert_ne!(tag_after_b, tag, "a change moves the revision");
        let before = writes_recorded(&app).await;

        // A puts the export back: refused as a whole, naming the unit and its revision now;
        // also as a dry run, and with the export's ETag in If-Match.
        for (if_match, dry_run) in [(None, false), (None, true), (Some(tag.as_str()), false)] {
            let (status, _, body) =
                import_with(&e.router, ISHOEJ, (Some(&token), if_match), &exported, dry_run).await;
            assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", app.label());
            let listed = extensions(&body);
            assert_eq!(listed.len(), 1, "{body}");
            assert_eq!(listed[0]["code"], "CONFLICT");
            assert_eq!(listed[0]["kind"], "units");
            assert_eq!(listed[0]["key"], "ishoej-2014-direktion");
            assert_eq!(listed[0]["revision"], 2);
            assert_eq!(listed[0]["action"], "update");
            assert_eq!(listed[0]["basedOn"], revision);
        }
        assert_eq!(export(&e.router, ISHOEJ, Some(&token)).await, after_b, "B's rename stays");
        assert_eq!(writes_recorded(&app).await, before, "nothing written");

        // Exported again, the same document (A's edits on top of B's) imports.
        let (status, tag_after, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some(tag_after_b.as_str())),
            &after_b,
            false,
        )
        .await;
        assert_eq!((status, &body["changes"]), (StatusCode::OK, &json!([])), "{body}");
        assert_eq!(tag_after.as_deref(), Some(tag_after_b.as_str()), "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn a_record_created_since_the_export_is_not_removed() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let token = admin(&e);
        let exported = export(&e.router, ISHOEJ, Some(&token)).await;
        let created = ask(
            &e.router,
            Some(&e.editor),
            r#"mutation { createUnit(input: { municipalityCode: 183, name: "Nyt team", kind: "team",
                 validFrom: "2024-01-01", provenance: { source: "002", section: "Organisering" } }) { id } }"#,
            json!({}),
        )
        .await;
        assert!(created["errors"].is_null(), "{created}");
        let stored = export(&e.router, ISHOEJ, Some(&token)).await;
        let key = parse(&stored)
            .unit
            .iter()
            .find(|unit| unit.name == "Nyt team")
            .expect("the new team")
            .key
            .clone();
        for dry_run in [true, false] {
            let (status, body) = import(&e.router, ISHOEJ, Some(&token), &exported, dry_run).await;
            assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", app.label());
            let listed = extensions(&body);
            assert_eq!(
                (&listed[0]["key"], &listed[0]["revision"], &listed[0]["action"]),
                (&json!(key), &json!(1), &json!("create")),
                "{body}"
            );
        }
        assert_eq!(export(&e.router, ISHOEJ, Some(&token)).await, stored, "the team stays");
    })
    .await;
}

#[tokio::test]
async fn a_document_without_a_revision_must_say_it_replaces_what_is_stored() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let token = admin(&e);
        let (exported, tag) = export_tagged(&e.router, ISHOEJ, Some(&token)).await;
        let mut model = parse(&exported);
        let revision = model.revision.take().unwrap();
        model.unit[0].name = "Direktionen i Ishøj".to_owned();
        let unstated = write(&model);

        // Neither the document nor If-Match says what it is based on: 428.
        for dry_run in [true, false] {
            let (status, body) = import(&e.router, ISHOEJ, Some(&token), &unstated, dry_run).await;
            assert_eq!(
                status,
                StatusCode::PRECONDITION_REQUIRED,
                "{}: {body}",
                app.label()
            );
            assert_eq!(problems(&body)[0].0, "PRECONDITION_REQUIRED");
        }
        // A malformed If-Match, another municipality's ETag: 400.
        for bad in ["\"165-0\"", "183-0", "W/\"183-0\"", "\"183-x\""] {
            let (status, _, body) = import_with(
                &e.router,
                ISHOEJ,
                (Some(&token), Some(bad)),
                &unstated,
                true,
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert_eq!(problems(&body)[0].0, "BAD_REQUEST");
        }
        // If-Match and the document's revision disagree: the document's `revision` is at fault.
        let other = format!("\"183-{}\"", revision + 1);
        let (status, _, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some(&other)),
            &exported,
            true,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            problems(&body),
            [("BAD_USER_INPUT".to_owned(), "revision".to_owned())]
        );
        // A revision the model never had is refused too.
        let (status, _, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some(&other)),
            &unstated,
            true,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // A dry run changes no revision.
        let (status, dry_tag, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some(&tag)),
            &unstated,
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (dry_tag.as_deref(), &body["revision"]),
            (Some(tag.as_str()), &json!(revision))
        );

        // The ETag in If-Match: applied, with the new revision as its ETag.
        let (status, new_tag, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some(&tag)),
            &unstated,
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let new_revision = body["revision"].as_i64().unwrap();
        assert!(new_revision > i64::from(revision), "{body}");
        assert_eq!(new_tag, Some(format!("\"183-{new_revision}\"")));

        // If-Match: * replaces whatever is stored, even with the old ETag's document.
        let (status, _, body) = import_with(
            &e.router,
            ISHOEJ,
            (Some(&token), Some("*")),
            &exported,
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["changes"][0]["fields"], json!(["name"]), "{body}");
    })
    .await;
}

/// A shared project led by Ishøj with Albertslund taking part, created by mutation; the export.
async fn with_shared_project(e: &Editing) -> String {
    let created = ask(
        &e.router,
        Some(&e.editor),
        r#"mutation { createSharedProject(input: {municipalityCode: 183, name: "Fælles exit-forløb",
             participantCodes: [165], validFrom: "2024-01-01",
             provenance: {source: "003", section: "Exit"}}) { id } }"#,
        json!({}),
    )
    .await;
    assert!(created["errors"].is_null(), "{created}");
    export(&e.router, ISHOEJ, Some(&admin(e))).await
}

#[tokio::test]
async fn a_shared_projects_participants_are_checked_as_the_mutations_check_them() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let token = admin(&e);
        let base = parse(&with_shared_project(&e).await);
        let project = base.shared_project.len() - 1;
        let changed = |change: &dyn Fn(&mut Vec<ProjectParticipantRecord>)| {
            let mut model = base.clone();
            change(&mut model.shared_project[project].participant);
            write(&model)
        };
        let at = format!("shared_project[{project}]");
        let cases = [
            (
                "a participant twice",
                changed(&|participants| {
                    let mut twice = participants[1].clone();
                    twice.contribution = Some(rust_decimal::Decimal::from(1));
                    participants.push(twice);
                }),
                format!("{at}.participant[2].municipality"),
            ),
            (
                "no lead",
                changed(&|participants| participants.retain(|p| p.municipality != ISHOEJ)),
                format!("{at}.participant"),
            ),
            (
                "another municipality as the lead",
                changed(&|participants| {
                    for participant in participants.iter_mut() {
                        participant.role = "lead".to_owned();
                    }
                }),
                format!("{at}.participant[1].role"),
            ),
        ];
        for (label, document, path) in cases {
            for dry_run in [true, false] {
                let (status, body) =
                    import(&e.router, ISHOEJ, Some(&token), &document, dry_run).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
                assert_eq!(
                    problems(&body),
                    [("BAD_USER_INPUT".to_owned(), path.clone())],
                    "{label} on {}: {body}",
                    app.label()
                );
            }
        }
        // Listed again on a next version, as the export lists them: accepted.
        let mut model = base.clone();
        let mut next = model.shared_project[project].clone();
        model.shared_project[project].valid_to = NaiveDate::from_ymd_opt(2025, 1, 1);
        next.valid_from = NaiveDate::from_ymd_opt(2025, 1, 1);
        next.name = "Fælles exit-forløb 2025".to_owned();
        model.shared_project.push(next);
        let (status, body) = import(&e.router, ISHOEJ, Some(&token), &write(&model), true).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The database holds the rule too: a municipality takes part in a project once.
        let row = project_participant::Entity::find()
            .filter(project_participant::Column::ParticipantCode.eq(ALBERTSLUND))
            .one(&app.db)
            .await
            .unwrap()
            .expect("Albertslund takes part");
        let twice = project_participant::ActiveModel {
            id: NotSet,
            ..row.into()
        }
        .insert(&app.db)
        .await;
        assert!(twice.is_err(), "{}: a second row is refused", app.label());
    })
    .await;
}

#[tokio::test]
async fn an_editor_changes_nobodys_view_of_any_day() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let exported = export(&e.router, ISHOEJ, Some(&e.editor)).await;
        let base = parse(&exported);
        // A record of two versions, one public, one private: swapping which is which keeps the
        // set of visibilities, but changes who sees which day.
        let second = base
            .unit
            .iter()
            .enumerate()
            .position(|(i, u)| i > 0 && base.unit[i - 1].key == u.key)
            .expect("a unit of two versions");
        let mut mixed = base.clone();
        mixed.unit[second].visibility = Some("private".to_owned());
        let (status, body) =
            import(&e.router, ISHOEJ, Some(&admin(&e)), &write(&mixed), false).await;
        assert_eq!(status, StatusCode::OK, "an admin may: {body}");
        let mut swapped = parse(&export(&e.router, ISHOEJ, Some(&e.editor)).await);
        swapped.unit[second - 1].visibility = Some("private".to_owned());
        swapped.unit[second].visibility = None;
        let (status, body) =
            import(&e.router, ISHOEJ, Some(&e.editor), &write(&swapped), true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {body}", app.label());
        assert_eq!(problems(&body)[0].0, "FORBIDDEN");

        // A new record that is public on some day, for an editor: refused; private throughout:
        // accepted.
        let stored = parse(&export(&e.router, ISHOEJ, Some(&e.editor)).await);
        let mut added = stored.clone();
        let mut unit = stored.unit[0].clone();
        unit.key = "ishoej-test-ny".to_owned();
        unit.parent = None;
        unit.visibility = Some("private".to_owned());
        let mut later = unit.clone();
        unit.valid_to = NaiveDate::from_ymd_opt(2014, 6, 1);
        later.valid_from = NaiveDate::from_ymd_opt(2014, 6, 1);
        later.visibility = None;
        added.unit.extend([unit, later.clone()]);
        let (status, body) = import(&e.router, ISHOEJ, Some(&e.editor), &write(&added), true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let last = added.unit.len() - 1;
        added.unit[last].visibility = Some("private".to_owned());
        let (status, body) = import(&e.router, ISHOEJ, Some(&e.editor), &write(&added), true).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Renaming a public record from a day (its new version public too) changes nobody's view.
        let mut renamed = stored.clone();
        let open = renamed
            .unit
            .iter()
            .position(|u| {
                u.valid_to.is_none()
                    && u.valid_from.is_some()
                    && u.visibility.is_none()
                    && stored.unit.iter().filter(|v| v.key == u.key).count() == 1
            })
            .expect("an open public unit of one version");
        let day = NaiveDate::from_ymd_opt(2025, 3, 1);
        let mut next = renamed.unit[open].clone();
        renamed.unit[open].valid_to = day;
        next.valid_from = day;
        next.name = format!("{} (nyt navn)", next.name);
        renamed.unit.insert(open + 1, next);
        let (status, body) =
            import(&e.router, ISHOEJ, Some(&e.editor), &write(&renamed), true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
}

/// Ishøj's model with `n` more units in a chain (each under the previous one), each starting on
/// its own day, private (an editor may add them).
fn chained_units(base: &ModelFile, n: usize) -> String {
    let mut model = base.clone();
    let first = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
    for i in 0..n {
        let mut unit = base.unit[0].clone();
        unit.key = format!("kaede-{i}");
        unit.name = format!("Enhed {i}");
        unit.parent = (i > 0).then(|| format!("kaede-{}", i - 1));
        unit.committee = None;
        unit.archetype = None;
        unit.archetype_note = None;
        unit.section = "Organisering".to_owned();
        unit.note = None;
        unit.visibility = Some("private".to_owned());
        unit.valid_from = first.checked_add_days(chrono::Days::new(i as u64));
        unit.valid_to = None;
        model.unit.push(unit);
    }
    write(&model)
}

#[tokio::test]
async fn an_import_of_many_chained_units_ends_within_the_deadline() {
    let limits = vestegn_api::config::Limits {
        request_timeout_secs: 2,
        ..Default::default()
    };
    vestegn_tests::on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let e = editing(&app).await;
            let router = app.router_with(
                &vestegn_api::config::AuthConfig {
                    issuer: Some(e.issuer.issuer()),
                    ..Default::default()
                },
                limits,
            );
            let base = parse(&export(&router, ISHOEJ, Some(&e.editor)).await);
            let n = 20_000;
            let document = chained_units(&base, n);
            for dry_run in [true, false] {
                let started = std::time::Instant::now();
                let (status, body) = import(&router, ISHOEJ, Some(&e.editor), &document, dry_run).await;
                let took = started.elapsed();
                eprintln!("{}: {n} chained units, dry run {dry_run}: {status} in {took:?}", app.label());
                assert!(
                    [StatusCode::OK, StatusCode::REQUEST_TIMEOUT].contains(&status),
                    "{body}"
                );
                // The deadline, and slack for a busy machine: not the import's 30 s and more.
                assert!(took < std::time::Duration::from_secs(6), "{}: {took:?}", app.label());
                // Another municipality's editor writes promptly afterwards.
                let started = std::time::Instant::now();
                let created = ask(
                    &router,
                    Some(&e.issuer_tokens.other_editor),
                    r#"mutation { createUnit(input: { municipalityCode: 165, name: "Team", kind: "team",
                         validFrom: "2024-01-01", provenance: { source: "002", section: "Organisering" } }) { id } }"#,
                    json!({}),
                )
                .await;
                assert!(created["errors"].is_null(), "{created}");
                let took = started.elapsed();
                assert!(took < std::time::Duration::from_secs(3), "{}: {took:?}", app.label());
            }
            // A client that leaves: under the 30 s deadline, the import stops with it.
            let patient = app.router_with(
                &vestegn_api::config::AuthConfig {
                    issuer: Some(e.issuer.issuer()),
                    ..Default::default()
                },
                vestegn_api::config::Limits::default(),
            );
            let leaving = std::time::Duration::from_millis(500);
            let gone = tokio::time::timeout(
                leaving,
                import(&patient, ISHOEJ, Some(&e.editor), &document, false),
            )
            .await;
            assert!(gone.is_err(), "the import took longer than the client waited");
            let started = std::time::Instant::now();
            let created = ask(
                &patient,
                Some(&e.issuer_tokens.other_editor),
                r#"mutation { createUnit(input: { municipalityCode: 165, name: "Team", kind: "team",
                     validFrom: "2024-01-01", provenance: { source: "002", section: "Organisering" } }) { id } }"#,
                json!({}),
            )
            .await;
            assert!(created["errors"].is_null(), "{created}");
            let took = started.elapsed();
            assert!(took < std::time::Duration::from_secs(3), "{}: {took:?}", app.label());
        }
    })
    .await;
}

#[tokio::test]
async fn another_municipality_writes_while_an_import_runs() {
    let limits = vestegn_api::config::Limits {
        write_lock_wait_ms: 300,
        ..Default::default()
    };
    vestegn_tests::on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let label = app.label();
            let e = editing(&app).await;
            let router = app.router_with(
                &vestegn_api::config::AuthConfig {
                    issuer: Some(e.issuer.issuer()),
                    ..Default::default()
                },
                limits,
            );
            let base = parse(&export(&router, ISHOEJ, Some(&e.editor)).await);
            let document = chained_units(&base, 20_000);
            let importing = tokio::spawn({
                let router = router.clone();
                let editor = e.editor.clone();
                async move { import(&router, ISHOEJ, Some(&editor), &document, false).await }
            });
            let create = |code: i32, name: &str| {
                format!(
                    r#"mutation {{ createUnit(input: {{ municipalityCode: {code}, name: "{name}",
                         kind: "team", validFrom: "2024-01-01",
                         provenance: {{ source: "002", section: "Organisering" }} }}) {{ id }} }}"#
                )
            };
            // Until Ishøj's own writers are turned away, the import has not taken its turn yet
            // (the probe's blank name is refused once it has its turn: it writes nothing).
            let mut waited = 0;
            loop {
                let own = ask(&router, Some(&e.editor), &create(ISHOEJ, " "), json!({})).await;
                if own["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE" {
                    break;
                }
                if importing.is_finished() {
                    let (status, body) = importing.await.unwrap();
                    panic!("{label}: the import ended first: {status} {body}");
                }
                waited += 1;
                assert!(waited < 200, "{label}: the import never took its turn");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let other = ask(
                &router,
                Some(&e.issuer_tokens.other_editor),
                &create(ALBERTSLUND, "Team"),
                json!({}),
            )
            .await;
            match app.backend {
                // Albertslund's writers take turns of their own.
                vestegn_tests::Backend::Postgres => {
                    assert!(other["errors"].is_null(), "{label}: {other}");
                }
                // SQLite has one writer at a time: told at once to retry, never left hanging.
                vestegn_tests::Backend::Sqlite => {
                    assert_eq!(
                        other["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
                        "{label}: {other}"
                    );
                }
            }
            assert!(
                !importing.is_finished(),
                "{label}: the import was still running"
            );
            // The importer leaves: its work stops and nothing of it stays.
            importing.abort();
            let _ = importing.await;
            let after = ask(&router, Some(&e.editor), &create(ISHOEJ, "Team"), json!({})).await;
            assert!(after["errors"].is_null(), "{label}: {after}");
        }
    })
    .await;
}
