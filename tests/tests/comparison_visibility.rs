//! A comparison uses every record the caller may see, and says per figure how many records it
//! left out because the caller may not see them: the owner sees everything, a municipality that
//! shares a network with the owner sees its `network` records, a stranger sees the `public` ones.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use vestegn_api::service::Caller;
use vestegn_tests::{on_each_backend, TestApp};

fn compare(codes: &str, day: &str) -> String {
    format!(
        r#"{{ compareMunicipalities(codes: [{codes}], asOf: "{day}") {{
  municipality {{ code }}
  staffing {{
    source {{ key }}
    staffRoles {{ title }}
    headcount {{ value reason hiddenRecords computedFrom reasons {{ code count }} }}
    fte {{ value min max reason hiddenRecords }}
    headcountPer10kInhabitants {{ value reason hiddenRecords }}
    byPreventionLevel {{
      level
      headcount {{ value reason hiddenRecords }}
      headcountShare {{ value reason hiddenRecords }}
      fte {{ hiddenRecords }}
    }}
  }}
  budgets {{
    source {{ key }}
    year
    budgetLines {{ category }}
    total {{ value reason hiddenRecords computedFrom }}
    perInhabitant {{ value reason hiddenRecords }}
  }}
  forumsByLevel {{ level count hiddenRecords forums {{ name }} }}
}} }}"#
    )
}

/// Albertslund's operative staff are shared with its networks and its reactive one with nobody;
/// Høje-Taastrup's 2023 frame is shared with its networks, its salaries and the staffing of 004
/// with nobody; Ishøj's Lokalråd is shared with its networks and its Kredsråd with nobody. Records
/// of other days and years are made private too: they must not be counted.
async fn share_less(app: &TestApp) {
    for statement in [
        "UPDATE staff_roles SET visibility = 'network' \
         WHERE municipality_code = 165 AND title = 'Operative medarbejdere'",
        "UPDATE staff_roles SET visibility = 'private' \
         WHERE municipality_code = 165 AND title = 'Reaktiv medarbejder'",
        "UPDATE staff_roles SET visibility = 'private' \
         WHERE municipality_code = 169 AND source_id = (SELECT id FROM sources WHERE key = '004')",
        "UPDATE budget_lines SET visibility = 'network' \
         WHERE municipality_code = 169 AND year = 2023 AND category = 'frame'",
        "UPDATE budget_lines SET visibility = 'private' \
         WHERE municipality_code = 169 AND (category = 'salaries' OR year = 2018)",
        "UPDATE forums SET visibility = 'network' \
         WHERE municipality_code = 183 AND name = 'Lokalråd'",
        "UPDATE forums SET visibility = 'private' \
         WHERE municipality_code = 183 AND (name = 'Kredsråd' OR name = 'SSP-NU møder')",
    ] {
        let result = app.db.execute_unprepared(statement).await.unwrap();
        assert!(result.rows_affected() > 0, "{statement}");
    }
}

async fn caller(app: &TestApp, code: i32) -> Caller {
    Caller::for_municipality(&app.db, code)
        .await
        .unwrap()
        .unwrap()
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// A figure as `(value, hiddenRecords, reason)`; where it selects `reasons`, what was left out
/// is also the last code, `RECORDS_LEFT_OUT` with the count.
fn figure(figure: &Value) -> (Option<Decimal>, i64, Option<String>) {
    if let Some(reasons) = figure["reasons"].as_array() {
        let hidden = figure["hiddenRecords"].as_i64().unwrap();
        let last = reasons.last().filter(|r| r["code"] == "RECORDS_LEFT_OUT");
        assert_eq!(
            last.map_or(0, |r| r["count"].as_i64().unwrap()),
            hidden,
            "{figure}"
        );
    }
    (
        figure["value"].as_str().map(decimal),
        figure["hiddenRecords"].as_i64().unwrap(),
        figure["reason"].as_str().map(str::to_owned),
    )
}

fn model(data: &Value, code: i64) -> &Value {
    data["compareMunicipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["municipality"]["code"] == code)
        .unwrap_or_else(|| panic!("municipality {code}: {data}"))
}

fn part<'a>(model: &'a Value, list: &str, source: &str) -> Option<&'a Value> {
    model[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"]["key"] == source)
}

fn titles(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// Per level: `(level, headcount, hiddenRecords of the headcount, share, hiddenRecords of the share)`.
type LevelRow = (Value, Option<Decimal>, i64, Option<Decimal>, i64);

fn levels(staffing: &Value) -> Vec<LevelRow> {
    staffing["byPreventionLevel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let (headcount, headcount_hidden, _) = figure(&l["headcount"]);
            let (share, share_hidden, _) = figure(&l["headcountShare"]);
            (
                l["level"].clone(),
                headcount,
                headcount_hidden,
                share,
                share_hidden,
            )
        })
        .collect()
}

/// Per level: `(level, count, hiddenRecords)`.
fn forum_levels(model: &Value) -> Vec<(String, i64, i64)> {
    model["forumsByLevel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap().to_owned(),
                l["count"].as_i64().unwrap(),
                l["hiddenRecords"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn left_out(n: i64) -> String {
    if n == 1 {
        "1 record is not shared with you and is left out".to_owned()
    } else {
        format!("{n} records are not shared with you and are left out")
    }
}

#[tokio::test]
async fn staffing_counts_what_the_caller_may_see_and_says_what_it_left_out() {
    on_each_backend(|app| async move {
        share_less(&app).await;
        let query = compare("165", "2023-07-01");
        let albertslund = caller(&app, 165).await;
        let ishoej = caller(&app, 183).await;
        let viborg = caller(&app, 791).await;
        assert!(
            matches!(&ishoej, Caller::Municipality { peers, .. } if peers.contains(&165)),
            "Ishøj and Albertslund share the Kredsråd and Chefforum networks: {ishoej:?}"
        );

        // The owner: 1 + 3 + 7 + 1 = 12 people, nothing left out.
        let data = app.query_as(albertslund, &query).await;
        let staffing = part(model(&data, 165), "staffing", "002").unwrap();
        assert_eq!(
            figure(&staffing["headcount"]),
            (Some(decimal("12")), 0, None),
            "{}",
            app.label()
        );
        assert_eq!(
            staffing["headcount"]["computedFrom"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            figure(&staffing["headcountPer10kInhabitants"]),
            (
                Some(decimal("4.36")),
                0,
                Some("rounded to 2 decimals".to_owned())
            )
        );
        assert_eq!(staffing["fte"]["hiddenRecords"], 0);
        assert!(levels(staffing).iter().all(|l| l.2 == 0 && l.4 == 0));

        // Ishøj shares a network with Albertslund: it sees the operative staff, not the reactive one.
        let data = app.query_as(ishoej, &query).await;
        let staffing = part(model(&data, 165), "staffing", "002").unwrap();
        assert_eq!(
            titles(&staffing["staffRoles"], "title"),
            [
                "Stabschef",
                "Proaktive medarbejdere",
                "Operative medarbejdere"
            ]
        );
        assert_eq!(
            figure(&staffing["headcount"]),
            (Some(decimal("11")), 1, Some(left_out(1))),
            "{}",
            app.label()
        );
        assert_eq!(
            staffing["headcount"]["computedFrom"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            figure(&staffing["headcountPer10kInhabitants"]),
            (
                Some(decimal("4")),
                1,
                Some(format!("rounded to 2 decimals; {}", left_out(1)))
            ),
            "11 × 10 000 / 27 500"
        );
        assert_eq!(
            figure(&staffing["fte"]),
            (
                None,
                1,
                Some(format!(
                    "weekly hours not given for: Stabschef, Proaktive medarbejdere, \
                     Operative medarbejdere; {}",
                    left_out(1)
                ))
            )
        );
        assert_eq!(
            levels(staffing),
            vec![
                (Value::Null, Some(decimal("1")), 0, Some(decimal("9.09")), 1),
                (
                    json!("GENERAL"),
                    Some(decimal("3")),
                    0,
                    Some(decimal("27.27")),
                    1
                ),
                (
                    json!("INDIVIDUAL"),
                    Some(decimal("0")),
                    1,
                    Some(decimal("0")),
                    1
                ),
                (
                    json!("TARGETED"),
                    Some(decimal("7")),
                    0,
                    Some(decimal("63.64")),
                    1
                ),
            ],
            "the reactive level is listed with what was left out of it"
        );

        // A stranger (Viborg shares no network) and an anonymous caller see the public staff only.
        let stranger = app.query_as(viborg, &query).await;
        let anonymous = app.query(&query, json!({})).await;
        for data in [&stranger, &anonymous] {
            let staffing = part(model(data, 165), "staffing", "002").unwrap();
            assert_eq!(
                titles(&staffing["staffRoles"], "title"),
                ["Stabschef", "Proaktive medarbejdere"]
            );
            assert_eq!(
                figure(&staffing["headcount"]),
                (Some(decimal("4")), 2, Some(left_out(2))),
                "{}",
                app.label()
            );
            assert_eq!(
                figure(&staffing["headcountPer10kInhabitants"]),
                (
                    Some(decimal("1.45")),
                    2,
                    Some(format!("rounded to 2 decimals; {}", left_out(2)))
                )
            );
            assert_eq!(staffing["fte"]["hiddenRecords"], 2);
            assert!(staffing["fte"]["reason"]
                .as_str()
                .unwrap()
                .ends_with(&format!("Proaktive medarbejdere; {}", left_out(2))));
            assert_eq!(
                levels(staffing),
                vec![
                    (Value::Null, Some(decimal("1")), 0, Some(decimal("25")), 2),
                    (
                        json!("GENERAL"),
                        Some(decimal("3")),
                        0,
                        Some(decimal("75")),
                        2
                    ),
                    (
                        json!("INDIVIDUAL"),
                        Some(decimal("0")),
                        1,
                        Some(decimal("0")),
                        2
                    ),
                    (
                        json!("TARGETED"),
                        Some(decimal("0")),
                        1,
                        Some(decimal("0")),
                        2
                    ),
                ]
            );
        }
        assert_eq!(stranger, anonymous, "a stranger sees what everybody sees");
    })
    .await;
}

#[tokio::test]
async fn a_source_the_caller_may_not_see_at_all_is_listed_with_what_was_left_out() {
    on_each_backend(|app| async move {
        share_less(&app).await;
        let query = compare("169", "2023-07-01");

        // The owner: 004 gives a leader and 7 staff from 1 July 2023.
        let owner = app.query_as(caller(&app, 169).await, &query).await;
        let staffing = part(model(&owner, 169), "staffing", "004").unwrap();
        assert_eq!(
            figure(&staffing["headcount"]),
            (Some(decimal("8")), 0, None)
        );

        // Everybody else: private, so no roles, and the two roles of the day counted as left out
        // (the two that ended in 2019 are not).
        for data in [
            app.query_as(caller(&app, 183).await, &query).await,
            app.query(&query, json!({})).await,
        ] {
            let staffing = part(model(&data, 169), "staffing", "004").unwrap();
            assert_eq!(staffing["staffRoles"], json!([]), "{}", app.label());
            assert_eq!(
                figure(&staffing["headcount"]),
                (Some(decimal("0")), 2, Some(left_out(2)))
            );
            assert_eq!(staffing["headcount"]["computedFrom"], json!([]));
            assert_eq!(staffing["fte"]["hiddenRecords"], 2);
            assert_eq!(
                levels(staffing),
                vec![(Value::Null, Some(decimal("0")), 2, None, 2)]
            );
            assert_eq!(
                staffing["byPreventionLevel"][0]["headcountShare"]["reason"],
                format!("headcount is zero; {}", left_out(2))
            );
            // 002 is public and complete.
            let staffing = part(model(&data, 169), "staffing", "002").unwrap();
            assert_eq!(
                figure(&staffing["headcount"]),
                (Some(decimal("9")), 0, None)
            );
        }

        // Before 1 July 2023 there are no 004 roles to leave out, so there is no 004 staffing.
        let data = app.query(&compare("169", "2023-06-01"), json!({})).await;
        assert!(
            part(model(&data, 169), "staffing", "004").is_none(),
            "{data}"
        );
    })
    .await;
}

#[tokio::test]
async fn budget_totals_use_the_lines_the_caller_may_see() {
    on_each_backend(|app| async move {
        share_less(&app).await;
        let query = compare("169", "2023-07-01");

        // The owner, and an integration granted Høje-Taastrup's budget lines, see all four lines.
        for caller in [
            caller(&app, 169).await,
            Caller::BudgetClient {
                municipalities: vec![169],
            },
        ] {
            let data = app.query_as(caller, &query).await;
            let budget = part(model(&data, 169), "budgets", "004").unwrap();
            assert_eq!(budget["budgetLines"].as_array().unwrap().len(), 4);
            assert_eq!(
                figure(&budget["total"]),
                (Some(decimal("5280000")), 0, None),
                "{}",
                app.label()
            );
            assert_eq!(
                figure(&budget["perInhabitant"]),
                (
                    Some(decimal("105.6")),
                    0,
                    Some("rounded to 2 decimals".to_owned())
                )
            );
        }

        // Ishøj shares a network with Høje-Taastrup: it sees the frame, not the salaries.
        let data = app.query_as(caller(&app, 183).await, &query).await;
        let budget = part(model(&data, 169), "budgets", "004").unwrap();
        assert_eq!(
            titles(&budget["budgetLines"], "category"),
            ["FRAME", "PROJECT_FUNDS", "EXTERNAL_FUNDING"]
        );
        assert_eq!(
            figure(&budget["total"]),
            (Some(decimal("5280000")), 1, Some(left_out(1))),
            "{}",
            app.label()
        );
        assert_eq!(budget["total"]["computedFrom"].as_array().unwrap().len(), 1);
        assert_eq!(
            figure(&budget["perInhabitant"]),
            (
                Some(decimal("105.6")),
                1,
                Some(format!("rounded to 2 decimals; {}", left_out(1)))
            )
        );

        // A stranger sees neither the frame nor the salaries: no amounts left to add up.
        let no_amounts = format!(
            "no amounts for 2023 in the lines of this source shared with you; {}",
            left_out(2)
        );
        for data in [
            app.query_as(caller(&app, 791).await, &query).await,
            app.query(&query, json!({})).await,
        ] {
            let budget = part(model(&data, 169), "budgets", "004").unwrap();
            assert_eq!(
                titles(&budget["budgetLines"], "category"),
                ["PROJECT_FUNDS", "EXTERNAL_FUNDING"]
            );
            assert_eq!(
                figure(&budget["total"]),
                (None, 2, Some(no_amounts.clone())),
                "{}",
                app.label()
            );
            assert_eq!(
                figure(&budget["perInhabitant"]),
                (None, 2, Some(no_amounts.clone()))
            );
        }

        // On 1 June 2023 the salaries line is not yet valid, so only the frame is left out.
        let data = app.query(&compare("169", "2023-06-01"), json!({})).await;
        let budget = part(model(&data, 169), "budgets", "004").unwrap();
        assert_eq!(budget["total"]["hiddenRecords"], 1, "{}", app.label());
        let data = app
            .query_as(caller(&app, 183).await, &compare("169", "2023-06-01"))
            .await;
        let budget = part(model(&data, 169), "budgets", "004").unwrap();
        assert_eq!(
            figure(&budget["total"]),
            (Some(decimal("5280000")), 0, None)
        );
    })
    .await;
}

#[tokio::test]
async fn forums_are_counted_per_level_with_those_left_out() {
    on_each_backend(|app| async move {
        share_less(&app).await;
        let query = compare("183", "2023-07-01");
        let level = |name: &str, count: i64, hidden: i64| (name.to_owned(), count, hidden);

        // Six operational forums: 001's SSP-netværk and Infohus are earlier versions of 002's.
        let owner = app.query_as(caller(&app, 183).await, &query).await;
        assert_eq!(
            forum_levels(model(&owner, 183)),
            vec![
                level("COORDINATING", 3, 0),
                level("OPERATIONAL", 6, 0),
                level("STRATEGIC", 1, 0)
            ],
            "{}",
            app.label()
        );

        // Vallensbæk shares the Kredsråd network with Ishøj: it sees the Lokalråd, not the Kredsråd.
        let peer = app.query_as(caller(&app, 187).await, &query).await;
        assert_eq!(
            forum_levels(model(&peer, 183)),
            vec![
                level("COORDINATING", 3, 0),
                level("OPERATIONAL", 6, 0),
                level("STRATEGIC", 0, 1)
            ],
            "{}",
            app.label()
        );
        let strategic = &model(&peer, 183)["forumsByLevel"][2];
        assert_eq!(strategic["forums"], json!([]));

        // A stranger sees neither; the 2014 forum made private is not counted in 2023.
        for data in [
            app.query_as(caller(&app, 791).await, &query).await,
            app.query(&query, json!({})).await,
        ] {
            let model = model(&data, 183);
            assert_eq!(
                forum_levels(model),
                vec![
                    level("COORDINATING", 2, 1),
                    level("OPERATIONAL", 6, 0),
                    level("STRATEGIC", 0, 1)
                ],
                "{}",
                app.label()
            );
            assert_eq!(
                titles(&model["forumsByLevel"][0]["forums"], "name"),
                ["Chefforum", "Koordinationsgruppen"]
            );
        }
    })
    .await;
}

/// The records left out are counted with one statement per table for all the municipalities
/// compared: comparing five costs what comparing one does.
#[tokio::test]
async fn counting_what_was_left_out_does_not_grow_with_municipalities() {
    on_each_backend(|app| async move {
        share_less(&app).await;
        let query = |codes: &str| {
            format!(
                r#"{{ compareMunicipalities(codes: [{codes}], asOf: "2023-07-01") {{
                    staffing {{ headcount {{ value hiddenRecords }} }}
                    budgets {{ total {{ value hiddenRecords }} }}
                    forumsByLevel {{ count hiddenRecords }} }} }}"#
            )
        };
        let stranger = Caller::Municipality {
            code: 791,
            peers: vec![],
        };
        app.reset_statements();
        app.query_as(stranger.clone(), &query("165")).await;
        let for_one = app.statements();
        app.reset_statements();
        let data = app
            .query_as(stranger.clone(), &query("165, 169, 183, 187, 791"))
            .await;
        let for_five = app.statements();
        let hidden: i64 = data["compareMunicipalities"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["forumsByLevel"].as_array().unwrap())
            .map(|l| l["hiddenRecords"].as_i64().unwrap())
            .sum();
        assert_eq!(hidden, 2, "{}", app.label());
        assert_eq!(for_one, for_five, "{}", app.label());
        // The municipalities, units, committees, then each of staff roles, forums and budget
        // lines: what the caller may see, and how many it may not.
        assert_eq!(for_five, 9, "{}", app.label());
        // The plans, read only when asked for: plans, goals and interventions, seen and not.
        let with_plans = |codes: &str| {
            query(codes).replacen(
                "forumsByLevel",
                "hiddenPlans plans { goals { value hiddenRecords } } forumsByLevel",
                1,
            )
        };
        app.reset_statements();
        app.query_as(stranger.clone(), &with_plans("165")).await;
        let for_one = app.statements();
        app.reset_statements();
        app.query_as(stranger, &with_plans("165, 169, 183, 187, 791"))
            .await;
        assert_eq!((for_one, app.statements()), (15, 15), "{}", app.label());
    })
    .await;
}
