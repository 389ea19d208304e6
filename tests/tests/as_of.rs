//! `asOf` reaches every nested field and reference.
//!
//! The fixture is a small municipality (999) whose rows hold in one of three periods: always (no
//! validity period), `OLD` (2014 to 2019) or `NEW` (from 2020), with references that cross the
//! periods: the unit "Direktionen" holds always and has the child "Enhed 2014" in the old period
//! and "Enhed 2023" in the new one; "Medlem 2014" (an old forum member) points at "Enhed 2023";
//! "Indsats fast" (always) has an old goal and lead unit. Each case reads a few references or
//! nested lists at a day in each period and names the exact records: a reference to a row not
//! valid that day is null, and below every reference the lists follow the same day. A second test
//! checks that the cases cover every reference and nested list of the schema.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use entities::*;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, Set};
use serde_json::{json, Value};
use vestegn_api::{
    config::Limits,
    graphql::ids::{GlobalId, Kind},
    service::versions::{self, Recorded},
};
use vestegn_tests::on_each_backend_with;

/// A day in the old period and a day in the new one.
const OLD_DAY: &str = "2014-06-01";
const NEW_DAY: &str = "2023-06-01";

/// The municipality the fixture is about, and a neighbour it shares a network and a project with.
const TESTKOMMUNE: i32 = 999;
const NABOKOMMUNE: i32 = 998;

/// When a fixture row holds.
#[derive(Clone, Copy)]
enum Period {
    Always,
    /// 2014-01-01 to 2020-01-01 (exclusive).
    Old,
    /// From 2020-01-01.
    New,
}

impl Period {
    fn bounds(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let day = |y| NaiveDate::from_ymd_opt(y, 1, 1);
        match self {
            Self::Always => (None, None),
            Self::Old => (day(2014), day(2020)),
            Self::New => (day(2020), None),
        }
    }
}

/// Inserts a public, tenant-owned row of `$owner` valid in `$period`, with the test source and
/// the given columns; evaluates to its id.
macro_rules! insert {
    (
        $fixture:expr, $module:ident, $owner:expr, $period:expr,
        { $($column:ident: $value:expr),* $(,)? }
    ) => {{
        let (valid_from, valid_to) = $period.bounds();
        let version = $module::ActiveModel {
            $($column: Set($value),)*
            municipality_code: Set($owner),
            visibility: Set("public".to_owned()),
            valid_from: Set(valid_from),
            valid_to: Set(valid_to),
            source_id: Set($fixture.source),
            source_section: Set("test".to_owned()),
            note: Set(None),
            ..Default::default()
        };
        versions::create($fixture.db, version, &Recorded::now("test"))
            .await
            .unwrap()
            .id
    }};
}

struct Fixture<'a> {
    db: &'a DatabaseConnection,
    source: i32,
}

impl Fixture<'_> {
    /// A unit of the test municipality; where the crime-prevention work sits when `hosts`.
    async fn unit(
        &self,
        period: Period,
        name: &str,
        parent: Option<i32>,
        committee: Option<i32>,
        hosts: bool,
    ) -> i32 {
        insert!(self, unit, TESTKOMMUNE, period, {
            parent_id: parent,
            committee_id: committee,
            name: name.to_owned(),
            kind: "department".to_owned(),
            archetype: None,
            archetype_note: None,
            hosts_crime_prevention: hosts,
        })
    }
}

/// The ids the cases need to name records.
struct Ids {
    direktionen: i32,
}

/// Builds the fixture on an empty database.
async fn build(db: &DatabaseConnection) -> Ids {
    use Period::{Always, New, Old};

    let source = source::ActiveModel {
        id: NotSet,
        key: Set("test".to_owned()),
        file: Set("test.pdf".to_owned()),
        title: Set("Testdokument".to_owned()),
        publisher: Set("Testkommune".to_owned()),
        date: Set(None),
        note: Set(None),
    }
    .insert(db)
    .await
    .unwrap()
    .id;
    let f = Fixture { db, source };
    for (code, name) in [(TESTKOMMUNE, "Testkommune"), (NABOKOMMUNE, "Nabokommune")] {
        municipality::ActiveModel {
            code: Set(code),
            name: Set(name.to_owned()),
            revision: NotSet,
            population: Set(Some(10_000)),
            population_year: Set(Some(2014)),
            population_source_id: Set(Some(source)),
            population_section: Set(Some("test".to_owned())),
            population_note: Set(None),
        }
        .insert(db)
        .await
        .unwrap();
    }
    let network = network::ActiveModel {
        id: NotSet,
        key: Set("testkredsen".to_owned()),
        name: Set("Testkredsen".to_owned()),
        revision: NotSet,
        kind: Set("ssp_circle".to_owned()),
        description: Set(None),
        source_id: Set(source),
        source_section: Set("test".to_owned()),
    }
    .insert(db)
    .await
    .unwrap()
    .id;
    for code in [TESTKOMMUNE, NABOKOMMUNE] {
        network_membership::ActiveModel {
            id: NotSet,
            network_id: Set(network),
            municipality_code: Set(code),
        }
        .insert(db)
        .await
        .unwrap();
    }
    let police = partner_organisation::ActiveModel {
        id: NotSet,
        key: Set("politiet".to_owned()),
        name: Set("Politiet".to_owned()),
        revision: NotSet,
        kind: Set("police".to_owned()),
        note: Set(None),
        source_id: Set(source),
        source_section: Set("test".to_owned()),
    }
    .insert(db)
    .await
    .unwrap()
    .id;
    let law = legal_basis::ActiveModel {
        id: NotSet,
        key: Set("rpl-115".to_owned()),
        law: Set("Retsplejeloven".to_owned()),
        section_ref: Set("§ 115".to_owned()),
        title: Set("Kredsråd".to_owned()),
        source_id: Set(source),
        source_section: Set("test".to_owned()),
    }
    .insert(db)
    .await
    .unwrap()
    .id;

    let udvalg_fast =
        insert!(f, political_committee, TESTKOMMUNE, Always, { name: "Udvalg fast".to_owned() });
    let udvalg_2014 =
        insert!(f, political_committee, TESTKOMMUNE, Old, { name: "Udvalg 2014".to_owned() });
    let udvalg_2023 =
        insert!(f, political_committee, TESTKOMMUNE, New, { name: "Udvalg 2023".to_owned() });

    let direktionen = f
        .unit(Always, "Direktionen", None, Some(udvalg_2014), false)
        .await;
    let enhed_2014 = f
        .unit(
            Old,
            "Enhed 2014",
            Some(direktionen),
            Some(udvalg_fast),
            true,
        )
        .await;
    let enhed_2023 = f
        .unit(
            New,
            "Enhed 2023",
            Some(direktionen),
            Some(udvalg_fast),
            true,
        )
        .await;
    f.unit(Always, "Team", Some(enhed_2014), Some(udvalg_2023), false)
        .await;

    for (period, title, unit) in [
        (Always, "Leder", enhed_2014),
        (Old, "Konsulent 2014", direktionen),
        (New, "Konsulent 2023", direktionen),
    ] {
        insert!(f, staff_role, TESTKOMMUNE, period, {
            unit_id: unit,
            title: title.to_owned(),
            headcount: Some(1),
            weekly_minutes_min: Some(37 * 60),
            weekly_minutes_max: Some(37 * 60),
            prevention_level: None,
            pillar: None,
        });
    }
    for (period, description, unit, year) in [
        (Always, "Ramme", enhed_2023, 2010),
        (Old, "Budget 2014", direktionen, 2014),
        (New, "Budget 2023", direktionen, 2023),
    ] {
        insert!(f, budget_line, TESTKOMMUNE, period, {
            unit_id: Some(unit),
            year: year,
            category: "frame".to_owned(),
            phase: "adopted".to_owned(),
            amount_ore: Some(100_000),
            function_code: None,
            description: description.to_owned(),
        });
    }
    for (period, name, unit) in [
        (Always, "Kontakt fast", enhed_2014),
        (Old, "Kontakt 2014", direktionen),
        (New, "Kontakt 2023", direktionen),
    ] {
        insert!(f, contact, TESTKOMMUNE, period, {
            unit_id: Some(unit),
            name: name.to_owned(),
            role_title: "Konsulent".to_owned(),
            phone: None,
            email: None,
        });
    }

    let mut forums = Vec::new();
    for (period, name, level) in [
        (Always, "Forum fast", "strategic"),
        (Old, "Forum 2014", "operational"),
        (New, "Forum 2023", "operational"),
    ] {
        forums.push(insert!(f, forum, TESTKOMMUNE, period, {
            network_id: Some(network),
            name: name.to_owned(),
            scope: "municipal".to_owned(),
            level: level.to_owned(),
            cadence: None,
            purpose: None,
        }));
    }
    let forum_fast = forums[0];
    for (period, role_title, unit, partner) in [
        (Always, "Medlem fast", Some(direktionen), None),
        (Old, "Medlem 2014", Some(enhed_2023), None),
        (New, "Medlem 2023", Some(enhed_2023), None),
        (Always, "Politibetjent", None, Some(police)),
    ] {
        insert!(f, forum_member, TESTKOMMUNE, period, {
            forum_id: forum_fast,
            unit_id: unit,
            partner_id: partner,
            role_title: role_title.to_owned(),
        });
    }
    forum_legal_basis::ActiveModel {
        id: NotSet,
        forum_id: Set(forum_fast),
        legal_basis_id: Set(law),
    }
    .insert(db)
    .await
    .unwrap();

    for (period, title) in [(Old, "Nøgletal 2014"), (New, "Nøgletal 2023")] {
        insert!(f, key_indicator, TESTKOMMUNE, period, {
            measure: "reported_crime".to_owned(),
            title: title.to_owned(),
            period_start: Some(2019),
            period_end: Some(2021),
            value_kind: "percent_change".to_owned(),
            value_hundredths: Some(-2350),
            unit: Some("%".to_owned()),
            finding: None,
        });
    }
    let mut plans = Vec::new();
    for (period, kind, title, part_of) in [
        (Always, "strategy", "Strategi fast", None),
        (Old, "action_plan", "Handleplan 2014", Some(0)),
        (New, "action_plan", "Handleplan 2023", Some(0)),
    ] {
        plans.push(insert!(f, plan, TESTKOMMUNE, period, {
            kind: kind.to_owned(),
            title: title.to_owned(),
            first_year: None,
            last_year: None,
            part_of_id: part_of.map(|index: usize| plans[index]),
            decision: Some("adopted".to_owned()),
            decided_by: None,
            committee_id: Some(udvalg_2014),
            decided_on: None,
            principles: None,
        }));
    }
    let (strategi_fast, handleplan_2014, handleplan_2023) = (plans[0], plans[1], plans[2]);
    let maal_fast = insert!(f, goal, TESTKOMMUNE, Always, {
        plan: "Handleplan".to_owned(), number: 1, title: "Mål fast".to_owned(),
        plan_id: Some(handleplan_2014),
    });
    let maal_2014 = insert!(f, goal, TESTKOMMUNE, Old, {
        plan: "Handleplan".to_owned(), number: 2, title: "Mål 2014".to_owned(),
        plan_id: Some(strategi_fast),
    });
    for (period, name, goal, lead, plan) in [
        (
            Always,
            "Indsats fast",
            maal_2014,
            enhed_2014,
            handleplan_2023,
        ),
        (Old, "Indsats 2014", maal_fast, direktionen, handleplan_2014),
        (New, "Indsats 2023", maal_fast, direktionen, handleplan_2023),
    ] {
        let intervention = insert!(f, intervention, TESTKOMMUNE, period, {
            goal_id: Some(goal),
            plan_id: Some(plan),
            lead_unit_id: Some(lead),
            name: name.to_owned(),
            description: None,
            prevention_level: None,
            target_group: None,
            age_min: None,
            age_max: None,
            funding: None,
        });
        if name == "Indsats fast" {
            for (unit, partner) in [
                (Some(direktionen), None),
                (Some(enhed_2023), None),
                (None, Some(police)),
            ] {
                intervention_partner::ActiveModel {
                    id: NotSet,
                    intervention_id: Set(intervention),
                    unit_id: Set(unit),
                    partner_id: Set(partner),
                    role: Set(None),
                }
                .insert(db)
                .await
                .unwrap();
            }
        }
    }

    for (period, name, owner, participants) in [
        (
            Always,
            "Projekt fast",
            TESTKOMMUNE,
            &[(TESTKOMMUNE, "lead"), (NABOKOMMUNE, "participant")][..],
        ),
        (
            Old,
            "Projekt 2014",
            NABOKOMMUNE,
            &[(NABOKOMMUNE, "lead"), (TESTKOMMUNE, "participant")][..],
        ),
        (
            New,
            "Projekt 2023",
            TESTKOMMUNE,
            &[(TESTKOMMUNE, "lead")][..],
        ),
    ] {
        let project = insert!(f, shared_project, owner, period, {
            name: name.to_owned(),
            description: None,
        });
        for (code, role) in participants {
            project_participant::ActiveModel {
                id: NotSet,
                project_id: Set(project),
                participant_code: Set(*code),
                role: Set((*role).to_owned()),
                contribution_ore: Set(None),
                contribution_note: Set(None),
            }
            .insert(db)
            .await
            .unwrap();
        }
    }

    Ids { direktionen }
}

/// One reading: a query with a `$day` variable, what it answers on a day of each period, and the
/// fields (`Type.field`) whose handling of the day it checks.
struct Case {
    covers: &'static [&'static str],
    query: String,
    old: Value,
    new: Value,
}

fn case(covers: &'static [&'static str], query: impl Into<String>, old: Value, new: Value) -> Case {
    Case {
        covers,
        query: query.into(),
        old,
        new,
    }
}

/// A selection read under `municipality(code: 999, asOf: $day)`.
fn in_municipality(selection: &str) -> String {
    format!("municipality(code: {TESTKOMMUNE}, asOf: $day) {{ {selection} }}")
}

/// `[{ "name": … }, …]`: what `{ name }` on a list answers (other labels are aliased to `name`).
fn names(names: &[&str]) -> Value {
    names.iter().map(|name| json!({ "name": name })).collect()
}

/// What `{ name children { name } }` on a unit answers.
fn unit(name: &str, children: &[&str]) -> Value {
    json!({ "name": name, "children": names(children) })
}

/// The answer below the fields that only lead to it (objects with a single field).
fn answer(mut data: Value) -> Value {
    while let Some(only) = data
        .as_object()
        .filter(|fields| fields.len() == 1)
        .and_then(|fields| fields.values().next())
    {
        data = only.clone();
    }
    data
}

fn cases(ids: &Ids) -> Vec<Case> {
    vec![
        case(
            &["Query.municipality", "Municipality.units", "Unit.parent"],
            in_municipality("units { name parent { name children { name } } }"),
            json!([
                { "name": "Direktionen", "parent": null },
                { "name": "Enhed 2014", "parent": unit("Direktionen", &["Enhed 2014"]) },
                { "name": "Team", "parent": unit("Enhed 2014", &["Team"]) },
            ]),
            json!([
                { "name": "Direktionen", "parent": null },
                { "name": "Enhed 2023", "parent": unit("Direktionen", &["Enhed 2023"]) },
                { "name": "Team", "parent": null },
            ]),
        ),
        case(
            &["Municipality.rootUnits", "Unit.children"],
            in_municipality("rootUnits { name children { name children { name } } }"),
            json!([{ "name": "Direktionen", "children": [unit("Enhed 2014", &["Team"])] }]),
            json!([{ "name": "Direktionen", "children": [unit("Enhed 2023", &[])] }]),
        ),
        case(
            &["Municipality.crimePreventionUnits", "Unit.municipality"],
            in_municipality(
                "crimePreventionUnits { name municipality { crimePreventionUnits { name } } }",
            ),
            json!([{
                "name": "Enhed 2014",
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
            }]),
            json!([{
                "name": "Enhed 2023",
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
            }]),
        ),
        case(
            &["Unit.ancestors"],
            in_municipality("units { name ancestors { name children { name } } }"),
            json!([
                { "name": "Direktionen", "ancestors": [] },
                { "name": "Enhed 2014", "ancestors": [unit("Direktionen", &["Enhed 2014"])] },
                {
                    "name": "Team",
                    "ancestors": [
                        unit("Direktionen", &["Enhed 2014"]),
                        unit("Enhed 2014", &["Team"]),
                    ],
                },
            ]),
            json!([
                { "name": "Direktionen", "ancestors": [] },
                { "name": "Enhed 2023", "ancestors": [unit("Direktionen", &["Enhed 2023"])] },
                { "name": "Team", "ancestors": [] },
            ]),
        ),
        case(
            &["Unit.committee", "PoliticalCommittee.units"],
            in_municipality("units { name committee { name units { name } } }"),
            json!([
                {
                    "name": "Direktionen",
                    "committee": { "name": "Udvalg 2014", "units": names(&["Direktionen"]) },
                },
                {
                    "name": "Enhed 2014",
                    "committee": { "name": "Udvalg fast", "units": names(&["Enhed 2014"]) },
                },
                { "name": "Team", "committee": null },
            ]),
            json!([
                { "name": "Direktionen", "committee": null },
                {
                    "name": "Enhed 2023",
                    "committee": { "name": "Udvalg fast", "units": names(&["Enhed 2023"]) },
                },
                {
                    "name": "Team",
                    "committee": { "name": "Udvalg 2023", "units": names(&["Team"]) },
                },
            ]),
        ),
        case(
            &["Municipality.committees", "PoliticalCommittee.units"],
            in_municipality("committees { name units { name } }"),
            json!([
                { "name": "Udvalg fast", "units": names(&["Enhed 2014"]) },
                { "name": "Udvalg 2014", "units": names(&["Direktionen"]) },
            ]),
            json!([
                { "name": "Udvalg fast", "units": names(&["Enhed 2023"]) },
                { "name": "Udvalg 2023", "units": names(&["Team"]) },
            ]),
        ),
        case(
            &["Municipality.staffRoles", "StaffRole.unit"],
            in_municipality("staffRoles { name: title unit { name children { name } } }"),
            json!([
                { "name": "Leder", "unit": unit("Enhed 2014", &["Team"]) },
                { "name": "Konsulent 2014", "unit": unit("Direktionen", &["Enhed 2014"]) },
            ]),
            json!([
                { "name": "Leder", "unit": null },
                { "name": "Konsulent 2023", "unit": unit("Direktionen", &["Enhed 2023"]) },
            ]),
        ),
        case(
            &["Unit.staffRoles", "Unit.budgetLines", "Unit.contacts"],
            in_municipality(
                "rootUnits { staffRoles { name: title } budgetLines { name: description }
                    contacts { name } }",
            ),
            json!([{
                "staffRoles": names(&["Konsulent 2014"]),
                "budgetLines": names(&["Budget 2014"]),
                "contacts": names(&["Kontakt 2014"]),
            }]),
            json!([{
                "staffRoles": names(&["Konsulent 2023"]),
                "budgetLines": names(&["Budget 2023"]),
                "contacts": names(&["Kontakt 2023"]),
            }]),
        ),
        case(
            &["Municipality.budgetLines", "BudgetLine.unit"],
            in_municipality("budgetLines { name: description unit { name children { name } } }"),
            json!([
                { "name": "Ramme", "unit": null },
                { "name": "Budget 2014", "unit": unit("Direktionen", &["Enhed 2014"]) },
            ]),
            json!([
                { "name": "Ramme", "unit": unit("Enhed 2023", &[]) },
                { "name": "Budget 2023", "unit": unit("Direktionen", &["Enhed 2023"]) },
            ]),
        ),
        case(
            &["Municipality.contacts", "Contact.unit"],
            in_municipality("contacts { name unit { name children { name } } }"),
            json!([
                { "name": "Kontakt fast", "unit": unit("Enhed 2014", &["Team"]) },
                { "name": "Kontakt 2014", "unit": unit("Direktionen", &["Enhed 2014"]) },
            ]),
            json!([
                { "name": "Kontakt fast", "unit": null },
                { "name": "Kontakt 2023", "unit": unit("Direktionen", &["Enhed 2023"]) },
            ]),
        ),
        case(
            &[
                "Municipality.forums",
                "Forum.members",
                "ForumMember.unit",
                "ForumMember.partner",
                "Forum.legalBases",
            ],
            in_municipality(
                "forums { name legalBases { name: section }
                    members { name: roleTitle unit { name children { name } } partner { name } } }",
            ),
            json!([
                {
                    "name": "Forum fast",
                    "legalBases": names(&["§ 115"]),
                    "members": [
                        {
                            "name": "Medlem fast",
                            "unit": unit("Direktionen", &["Enhed 2014"]),
                            "partner": null,
                        },
                        // The old member points at the new unit, which is not there in 2014.
                        { "name": "Medlem 2014", "unit": null, "partner": null },
                        {
                            "name": "Politibetjent",
                            "unit": null,
                            "partner": { "name": "Politiet" },
                        },
                    ],
                },
                { "name": "Forum 2014", "legalBases": [], "members": [] },
            ]),
            json!([
                {
                    "name": "Forum fast",
                    "legalBases": names(&["§ 115"]),
                    "members": [
                        {
                            "name": "Medlem fast",
                            "unit": unit("Direktionen", &["Enhed 2023"]),
                            "partner": null,
                        },
                        { "name": "Medlem 2023", "unit": unit("Enhed 2023", &[]), "partner": null },
                        {
                            "name": "Politibetjent",
                            "unit": null,
                            "partner": { "name": "Politiet" },
                        },
                    ],
                },
                { "name": "Forum 2023", "legalBases": [], "members": [] },
            ]),
        ),
        case(
            &[
                "Query.forums",
                "Forum.municipality",
                "Forum.network",
                "Network.forums",
                "Network.members",
                "Network.source",
            ],
            r#"forums(asOf: $day, filter: { search: "Forum fast" }) { nodes {
                municipality { crimePreventionUnits { name } }
                network { forums { name } members { name crimePreventionUnits { name } }
                    source { key } } } }"#,
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
                "network": {
                    "forums": names(&["Forum fast", "Forum 2014"]),
                    "members": [
                        { "name": "Testkommune", "crimePreventionUnits": names(&["Enhed 2014"]) },
                        { "name": "Nabokommune", "crimePreventionUnits": [] },
                    ],
                    "source": { "key": "test" },
                },
            }]),
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
                "network": {
                    "forums": names(&["Forum fast", "Forum 2023"]),
                    "members": [
                        { "name": "Testkommune", "crimePreventionUnits": names(&["Enhed 2023"]) },
                        { "name": "Nabokommune", "crimePreventionUnits": [] },
                    ],
                    "source": { "key": "test" },
                },
            }]),
        ),
        case(
            &["Municipality.networks", "Network.forums"],
            in_municipality("networks { name forums { name } }"),
            json!([{ "name": "Testkredsen", "forums": names(&["Forum fast", "Forum 2014"]) }]),
            json!([{ "name": "Testkredsen", "forums": names(&["Forum fast", "Forum 2023"]) }]),
        ),
        // `networks` has no `asOf`: the list's own argument starts the reading.
        case(
            &["Query.networks", "Network.forums"],
            "networks { nodes { forums(asOf: $day) { name members { name: roleTitle } } } }",
            json!([{ "forums": [
                {
                    "name": "Forum fast",
                    "members": names(&["Medlem fast", "Medlem 2014", "Politibetjent"]),
                },
                { "name": "Forum 2014", "members": [] },
            ] }]),
            json!([{ "forums": [
                {
                    "name": "Forum fast",
                    "members": names(&["Medlem fast", "Medlem 2023", "Politibetjent"]),
                },
                { "name": "Forum 2023", "members": [] },
            ] }]),
        ),
        case(
            &["Municipality.goals", "Goal.interventions"],
            in_municipality("goals { name: title interventions { name } }"),
            json!([
                { "name": "Mål fast", "interventions": names(&["Indsats 2014"]) },
                { "name": "Mål 2014", "interventions": names(&["Indsats fast"]) },
            ]),
            json!([{ "name": "Mål fast", "interventions": names(&["Indsats 2023"]) }]),
        ),
        case(
            &[
                "Municipality.plans",
                "Plan.parts",
                "Plan.goals",
                "Plan.interventions",
            ],
            in_municipality(
                "plans { name: title parts { name: title } goals { name: title } \
                 interventions { name } }",
            ),
            json!([
                {
                    "name": "Strategi fast", "parts": names(&["Handleplan 2014"]),
                    "goals": names(&["Mål 2014"]), "interventions": [],
                },
                {
                    "name": "Handleplan 2014", "parts": [],
                    "goals": names(&["Mål fast"]), "interventions": names(&["Indsats 2014"]),
                },
            ]),
            json!([
                {
                    "name": "Strategi fast", "parts": names(&["Handleplan 2023"]),
                    "goals": [], "interventions": [],
                },
                {
                    "name": "Handleplan 2023", "parts": [], "goals": [],
                    "interventions": names(&["Indsats fast", "Indsats 2023"]),
                },
            ]),
        ),
        case(
            &["Plan.partOf", "Plan.committee", "Plan.municipality"],
            in_municipality(
                "plans { name: title partOf { name: title parts { name: title } } \
                 committee { name } municipality { name } }",
            ),
            json!([
                {
                    "name": "Strategi fast", "partOf": null,
                    "committee": { "name": "Udvalg 2014" }, "municipality": { "name": "Testkommune" },
                },
                {
                    "name": "Handleplan 2014",
                    "partOf": { "name": "Strategi fast", "parts": names(&["Handleplan 2014"]) },
                    "committee": { "name": "Udvalg 2014" }, "municipality": { "name": "Testkommune" },
                },
            ]),
            json!([
                {
                    "name": "Strategi fast", "partOf": null,
                    "committee": null, "municipality": { "name": "Testkommune" },
                },
                {
                    "name": "Handleplan 2023",
                    "partOf": { "name": "Strategi fast", "parts": names(&["Handleplan 2023"]) },
                    "committee": null, "municipality": { "name": "Testkommune" },
                },
            ]),
        ),
        case(
            &["Goal.partOf", "Intervention.partOf"],
            in_municipality(
                "goals { name: title partOf { name: title goals { name: title } } } \
                 interventions { name partOf { name: title } }",
            ),
            json!({
                "goals": [
                    {
                        "name": "Mål fast",
                        "partOf": { "name": "Handleplan 2014", "goals": names(&["Mål fast"]) },
                    },
                    {
                        "name": "Mål 2014",
                        "partOf": { "name": "Strategi fast", "goals": names(&["Mål 2014"]) },
                    },
                ],
                "interventions": [
                    { "name": "Indsats fast", "partOf": null },
                    { "name": "Indsats 2014", "partOf": { "name": "Handleplan 2014" } },
                ],
            }),
            json!({
                "goals": [{ "name": "Mål fast", "partOf": null }],
                "interventions": [
                    { "name": "Indsats fast", "partOf": { "name": "Handleplan 2023" } },
                    { "name": "Indsats 2023", "partOf": { "name": "Handleplan 2023" } },
                ],
            }),
        ),
        case(
            &["Municipality.interventions", "Intervention.goal"],
            in_municipality("interventions { name goal { name: title interventions { name } } }"),
            json!([
                {
                    "name": "Indsats fast",
                    "goal": { "name": "Mål 2014", "interventions": names(&["Indsats fast"]) },
                },
                {
                    "name": "Indsats 2014",
                    "goal": { "name": "Mål fast", "interventions": names(&["Indsats 2014"]) },
                },
            ]),
            json!([
                { "name": "Indsats fast", "goal": null },
                {
                    "name": "Indsats 2023",
                    "goal": { "name": "Mål fast", "interventions": names(&["Indsats 2023"]) },
                },
            ]),
        ),
        case(
            &["Intervention.leadUnit"],
            in_municipality("interventions { name leadUnit { name children { name } } }"),
            json!([
                { "name": "Indsats fast", "leadUnit": unit("Enhed 2014", &["Team"]) },
                { "name": "Indsats 2014", "leadUnit": unit("Direktionen", &["Enhed 2014"]) },
            ]),
            json!([
                { "name": "Indsats fast", "leadUnit": null },
                { "name": "Indsats 2023", "leadUnit": unit("Direktionen", &["Enhed 2023"]) },
            ]),
        ),
        case(
            &[
                "Query.interventions",
                "Intervention.municipality",
                "Intervention.partners",
                "InterventionPartner.unit",
                "InterventionPartner.partner",
            ],
            r#"interventions(asOf: $day, filter: { search: "Indsats fast" }) { nodes {
                municipality { crimePreventionUnits { name } }
                partners { unit { name children { name } } partner { name } } } }"#,
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
                "partners": [
                    { "unit": unit("Direktionen", &["Enhed 2014"]), "partner": null },
                    { "unit": null, "partner": null },
                    { "unit": null, "partner": { "name": "Politiet" } },
                ],
            }]),
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
                "partners": [
                    { "unit": unit("Direktionen", &["Enhed 2023"]), "partner": null },
                    { "unit": unit("Enhed 2023", &[]), "partner": null },
                    { "unit": null, "partner": { "name": "Politiet" } },
                ],
            }]),
        ),
        case(
            &["Municipality.sharedProjects"],
            in_municipality("sharedProjects { name }"),
            names(&["Projekt fast", "Projekt 2014"]),
            names(&["Projekt fast", "Projekt 2023"]),
        ),
        case(
            &[
                "Query.sharedProjects",
                "SharedProject.lead",
                "SharedProject.participants",
                "ProjectParticipant.municipality",
            ],
            r#"sharedProjects(asOf: $day, filter: { search: "Projekt fast" }) { nodes {
                lead { sharedProjects { name } }
                participants { municipality { name sharedProjects { name } } } } }"#,
            json!([{
                "lead": { "sharedProjects": names(&["Projekt fast", "Projekt 2014"]) },
                "participants": [
                    { "municipality": {
                        "name": "Testkommune",
                        "sharedProjects": names(&["Projekt fast", "Projekt 2014"]),
                    } },
                    { "municipality": {
                        "name": "Nabokommune",
                        "sharedProjects": names(&["Projekt 2014", "Projekt fast"]),
                    } },
                ],
            }]),
            json!([{
                "lead": { "sharedProjects": names(&["Projekt fast", "Projekt 2023"]) },
                "participants": [
                    { "municipality": {
                        "name": "Testkommune",
                        "sharedProjects": names(&["Projekt fast", "Projekt 2023"]),
                    } },
                    { "municipality": {
                        "name": "Nabokommune",
                        "sharedProjects": names(&["Projekt fast"]),
                    } },
                ],
            }]),
        ),
        case(
            &["Query.units"],
            "units(asOf: $day, filter: { municipalityCodes: [999] }) {
                nodes { name children { name } } }",
            json!([
                unit("Direktionen", &["Enhed 2014"]),
                unit("Enhed 2014", &["Team"]),
                unit("Team", &[]),
            ]),
            json!([
                unit("Direktionen", &["Enhed 2023"]),
                unit("Enhed 2023", &[]),
                unit("Team", &[]),
            ]),
        ),
        case(
            &["Query.staffRoles", "StaffRole.municipality"],
            r#"staffRoles(asOf: $day, filter: { search: "Leder" }) { nodes {
                unit { name } municipality { crimePreventionUnits { name } } } }"#,
            json!([{
                "unit": { "name": "Enhed 2014" },
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
            }]),
            json!([{
                "unit": null,
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
            }]),
        ),
        case(
            &["Query.budgetLines", "BudgetLine.municipality"],
            "budgetLines(asOf: $day, filter: { year: 2010 }) { nodes {
                unit { name } municipality { crimePreventionUnits { name } } } }",
            json!([{
                "unit": null,
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
            }]),
            json!([{
                "unit": { "name": "Enhed 2023" },
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
            }]),
        ),
        case(
            &["Query.municipalities"],
            "municipalities(asOf: $day, filter: { codes: [999] }) {
                nodes { crimePreventionUnits { name } } }",
            json!([{ "crimePreventionUnits": names(&["Enhed 2014"]) }]),
            json!([{ "crimePreventionUnits": names(&["Enhed 2023"]) }]),
        ),
        // A list's own `asOf` wins over the day it is read at, for everything below it.
        case(
            &["Municipality.units"],
            r#"municipality(code: 999, asOf: "2000-01-01") {
                units(asOf: $day) { name children { name } } }"#,
            json!([
                unit("Direktionen", &["Enhed 2014"]),
                unit("Enhed 2014", &["Team"]),
                unit("Team", &[]),
            ]),
            json!([
                unit("Direktionen", &["Enhed 2023"]),
                unit("Enhed 2023", &[]),
                unit("Team", &[]),
            ]),
        ),
        // A difference reads each side at its own day: what was added by `to` at `to`…
        case(
            &[
                "Query.modelDifferences",
                "ModelDifferences.units",
                "ModelDifferences.staffRoles",
                "ModelDifferences.budgetLines",
                "UnitDifference.after",
                "StaffRoleDifference.after",
                "BudgetLineDifference.after",
            ],
            format!(
                r#"modelDifferences(municipalityCode: {TESTKOMMUNE}, from: "2000-01-01", to: $day) {{
                    units {{ after {{ name parent {{ name children {{ name }} }} }} }}
                    staffRoles {{ after {{ name: title unit {{ name children {{ name }} }} }} }}
                    budgetLines {{ after {{ name: description unit {{ name children {{ name }} }} }} }}
                }}"#
            ),
            json!({
                "units": [{ "after": { "name": "Enhed 2014", "parent": unit("Direktionen", &["Enhed 2014"]) } }],
                "staffRoles": [{ "after": { "name": "Konsulent 2014", "unit": unit("Direktionen", &["Enhed 2014"]) } }],
                "budgetLines": [{ "after": { "name": "Budget 2014", "unit": unit("Direktionen", &["Enhed 2014"]) } }],
            }),
            json!({
                "units": [{ "after": { "name": "Enhed 2023", "parent": unit("Direktionen", &["Enhed 2023"]) } }],
                "staffRoles": [{ "after": { "name": "Konsulent 2023", "unit": unit("Direktionen", &["Enhed 2023"]) } }],
                "budgetLines": [{ "after": { "name": "Budget 2023", "unit": unit("Direktionen", &["Enhed 2023"]) } }],
            }),
        ),
        // … and what ended after `from` at `from` (the new period's records are added then, and
        // nothing of the new period ends).
        case(
            &[
                "UnitDifference.before",
                "StaffRoleDifference.before",
                "BudgetLineDifference.before",
            ],
            format!(
                r#"modelDifferences(municipalityCode: {TESTKOMMUNE}, from: $day, to: "2100-01-01") {{
                    units {{ before {{ name parent {{ name children {{ name }} }} }} }}
                    staffRoles {{ before {{ name: title unit {{ name children {{ name }} }} }} }}
                    budgetLines {{ before {{ name: description unit {{ name children {{ name }} }} }} }}
                }}"#
            ),
            json!({
                "units": [
                    { "before": { "name": "Enhed 2014", "parent": unit("Direktionen", &["Enhed 2014"]) } },
                    { "before": null },
                ],
                "staffRoles": [
                    { "before": { "name": "Konsulent 2014", "unit": unit("Direktionen", &["Enhed 2014"]) } },
                    { "before": null },
                ],
                "budgetLines": [
                    { "before": { "name": "Budget 2014", "unit": unit("Direktionen", &["Enhed 2014"]) } },
                    { "before": null },
                ],
            }),
            json!({ "units": [], "staffRoles": [], "budgetLines": [] }),
        ),
        // `node` has no `asOf`: every period below it, until a list's own `asOf`.
        case(
            &["Query.node"],
            format!(
                r#"node(id: "{}") {{ ... on Unit {{ children {{ name }}
                    municipality {{ units(asOf: $day) {{ name }} }} }} }}"#,
                Kind::Unit.id(ids.direktionen).as_str()
            ),
            json!({
                "children": names(&["Enhed 2014", "Enhed 2023"]),
                "municipality": { "units": names(&["Direktionen", "Enhed 2014", "Team"]) },
            }),
            json!({
                "children": names(&["Enhed 2014", "Enhed 2023"]),
                "municipality": { "units": names(&["Direktionen", "Enhed 2023", "Team"]) },
            }),
        ),
        case(
            &["Provenance.source"],
            in_municipality("crimePreventionUnits { provenance { source { key } } }"),
            json!([{ "provenance": { "source": { "key": "test" } } }]),
            json!([{ "provenance": { "source": { "key": "test" } } }]),
        ),
        case(
            &[
                "Query.keyIndicators",
                "KeyIndicator.municipality",
                "Municipality.keyIndicators",
            ],
            "keyIndicators(asOf: $day, filter: { municipalityCodes: [999] }) { nodes {
                title municipality { keyIndicators { title } } } }",
            json!([{
                "title": "Nøgletal 2014",
                "municipality": { "keyIndicators": [{ "title": "Nøgletal 2014" }] },
            }]),
            json!([{
                "title": "Nøgletal 2023",
                "municipality": { "keyIndicators": [{ "title": "Nøgletal 2023" }] },
            }]),
        ),
        case(
            &[
                "ComparedMunicipality.plans",
                "ComparedPlan.plan",
                "ComparedPlan.parts",
            ],
            "compareMunicipalities(codes: [999], asOf: $day) {
                plans { plan { name: title committee { name } goals { name: title } }
                    parts { name: title goals { name: title } interventions { name } }
                    goals { value } interventions { value } } }",
            json!([{ "plans": [{
                "plan": { "name": "Strategi fast", "committee": { "name": "Udvalg 2014" },
                          "goals": names(&["Mål 2014"]) },
                "parts": [{ "name": "Handleplan 2014", "goals": names(&["Mål fast"]),
                            "interventions": names(&["Indsats 2014"]) }],
                "goals": { "value": "2" }, "interventions": { "value": "1" },
            }] }]),
            json!([{ "plans": [{
                "plan": { "name": "Strategi fast", "committee": null, "goals": [] },
                "parts": [{ "name": "Handleplan 2023", "goals": [],
                            "interventions": names(&["Indsats fast", "Indsats 2023"]) }],
                "goals": { "value": "0" }, "interventions": { "value": "2" },
            }] }]),
        ),
        case(
            &["ComparedMunicipality.keyIndicators"],
            "compareMunicipalities(codes: [999], asOf: $day) { keyIndicators { title } }",
            json!([{ "keyIndicators": [{ "title": "Nøgletal 2014" }] }]),
            json!([{ "keyIndicators": [{ "title": "Nøgletal 2023" }] }]),
        ),
        case(
            &[
                "Query.compareMunicipalities",
                "ComparedMunicipality.municipality",
                "ComparedMunicipality.placements",
                "Placement.unit",
                "Placement.path",
                "Placement.committee",
            ],
            "compareMunicipalities(codes: [999], asOf: $day) {
                municipality { crimePreventionUnits { name } }
                placements { unit { name children { name } } path { name children { name } }
                    committee { name units { name } } } }",
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2014"]) },
                "placements": [{
                    "unit": unit("Enhed 2014", &["Team"]),
                    "path": [unit("Direktionen", &["Enhed 2014"]), unit("Enhed 2014", &["Team"])],
                    "committee": { "name": "Udvalg fast", "units": names(&["Enhed 2014"]) },
                }],
            }]),
            json!([{
                "municipality": { "crimePreventionUnits": names(&["Enhed 2023"]) },
                "placements": [{
                    "unit": unit("Enhed 2023", &[]),
                    "path": [unit("Direktionen", &["Enhed 2023"]), unit("Enhed 2023", &[])],
                    "committee": { "name": "Udvalg fast", "units": names(&["Enhed 2023"]) },
                }],
            }]),
        ),
        case(
            &[
                "ComparedMunicipality.staffing",
                "StaffingFigures.source",
                "StaffingFigures.staffRoles",
                "Figure.sources",
                "ComparedMunicipality.budgets",
                "BudgetFigures.source",
                "BudgetFigures.budgetLines",
            ],
            "compareMunicipalities(codes: [999], asOf: $day) {
                staffing { source { key } staffRoles { name: title unit { name } }
                    headcount { sources { key } } }
                budgets { source { key }
                    budgetLines { name: description unit { name children { name } } } } }",
            json!([{
                "staffing": [{
                    "source": { "key": "test" },
                    "staffRoles": [
                        { "name": "Leder", "unit": { "name": "Enhed 2014" } },
                        { "name": "Konsulent 2014", "unit": { "name": "Direktionen" } },
                    ],
                    "headcount": { "sources": [{ "key": "test" }] },
                }],
                "budgets": [{
                    "source": { "key": "test" },
                    "budgetLines": [
                        { "name": "Budget 2014", "unit": unit("Direktionen", &["Enhed 2014"]) },
                    ],
                }],
            }]),
            json!([{
                "staffing": [{
                    "source": { "key": "test" },
                    "staffRoles": [
                        { "name": "Leder", "unit": null },
                        { "name": "Konsulent 2023", "unit": { "name": "Direktionen" } },
                    ],
                    "headcount": { "sources": [{ "key": "test" }] },
                }],
                "budgets": [{
                    "source": { "key": "test" },
                    "budgetLines": [
                        { "name": "Budget 2023", "unit": unit("Direktionen", &["Enhed 2023"]) },
                    ],
                }],
            }]),
        ),
        case(
            &[
                "ComparedMunicipality.forumsByLevel",
                "ForumLevelCount.forums",
            ],
            "compareMunicipalities(codes: [999], asOf: $day) {
                forumsByLevel { forums { name members { name: roleTitle } } } }",
            json!([{ "forumsByLevel": [
                { "forums": [{ "name": "Forum 2014", "members": [] }] },
                { "forums": [{
                    "name": "Forum fast",
                    "members": names(&["Medlem fast", "Medlem 2014", "Politibetjent"]),
                }] },
            ] }]),
            json!([{ "forumsByLevel": [
                { "forums": [{ "name": "Forum 2023", "members": [] }] },
                { "forums": [{
                    "name": "Forum fast",
                    "members": names(&["Medlem fast", "Medlem 2023", "Politibetjent"]),
                }] },
            ] }]),
        ),
    ]
}

#[tokio::test]
async fn every_reference_and_nested_list_reads_at_the_day_asked_for() {
    on_each_backend_with(Limits::default(), false, |app| async move {
        let ids = build(&app.db).await;
        let mut failures = Vec::new();
        for case in cases(&ids) {
            let query = format!("query($day: Date) {{ {} }}", case.query);
            for (day, expected) in [(OLD_DAY, &case.old), (NEW_DAY, &case.new)] {
                let found = answer(app.query(&query, json!({ "day": day })).await);
                if &found != expected {
                    failures.push(format!(
                        "{} at {day}:\n  query:    {}\n  expected: {expected}\n  found:    {found}",
                        case.covers.join(", "),
                        case.query,
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{}: {} readings differ:\n{}",
            app.label(),
            failures.len(),
            failures.join("\n")
        );
    })
    .await;
}

/// Values computed with a record rather than records read at a day: the fields leading to them
/// need no case, their own references (`Figure.sources`, `Provenance.source`) do; a
/// `FigureReason` has none. `SignInOptions` is the server's configuration, not data, and has no
/// references.
const VALUE_TYPES: [&str; 5] = [
    "Figure",
    "FigureReason",
    "LevelFigures",
    "Provenance",
    "SignInOptions",
];

/// Top-level lists without `asOf` and without anything dated below them. The change feed has no
/// `asOf`: the record of a change is read as `node(id:)` reads it (its case is `Query.node`).
const UNDATED_ROOTS: [&str; 5] = [
    "Change.record",
    "Query.auditLog",
    "Query.changes",
    "Query.partnerOrganisations",
    "Query.sources",
];

#[tokio::test]
async fn the_cases_cover_every_reference_and_nested_list() {
    let introspection = r#"{ __schema { types { name kind fields { name type { ...Type } } } } }
        fragment Type on __Type {
            kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;
    let schema = vestegn_api::graphql::build_schema(&Limits::default());
    let response = schema.execute(introspection).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();

    let mut fields = BTreeSet::new();
    for object in data["__schema"]["types"].as_array().unwrap() {
        let name = object["name"].as_str().unwrap();
        let connection_part = ["Connection", "Edge", "PageInfo"]
            .iter()
            .any(|suffix| name.ends_with(suffix));
        // Mutations answer with the record as of the day they write from (see writes.rs).
        let mutation = name == "Mutation";
        if object["kind"] != "OBJECT" || name.starts_with("__") || connection_part || mutation {
            continue;
        }
        for field in object["fields"].as_array().unwrap() {
            let mut target = &field["type"];
            while target["ofType"].is_object() {
                target = &target["ofType"];
            }
            let leads_to_record = ["OBJECT", "INTERFACE"]
                .contains(&target["kind"].as_str().unwrap())
                && !VALUE_TYPES.contains(&target["name"].as_str().unwrap());
            let field = format!("{name}.{}", field["name"].as_str().unwrap());
            if leads_to_record && !UNDATED_ROOTS.contains(&field.as_str()) {
                fields.insert(field);
            }
        }
    }
    // Only the `node` query uses the id, and no query runs here.
    let ids = Ids { direktionen: 1 };
    let covered: BTreeSet<String> = cases(&ids)
        .iter()
        .flat_map(|case| case.covers.iter().map(|field| (*field).to_owned()))
        .collect();
    let missing: Vec<&String> = fields.difference(&covered).collect();
    assert!(missing.is_empty(), "no case reads {missing:?} at two days");
    let unknown: Vec<&String> = covered.difference(&fields).collect();
    assert!(
        unknown.is_empty(),
        "cases name fields the schema does not have: {unknown:?}"
    );
}
