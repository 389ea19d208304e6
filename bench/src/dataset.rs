//! The synthetic dataset: 98 municipalities, each with 30 units in 3 levels, 6 staff roles and 40
//! budget lines (10 years × 4) per unit, and 20 forums of 8 members. Deterministic (a fixed
//! xorshift), written through the project's entities with batched inserts in one transaction.

use anyhow::Context;
use entities::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, IntoActiveModel, Set, TransactionTrait,
};
use vestegn_api::vocabulary::{
    BudgetCategory, BudgetPhase, ForumLevel, ForumScope, Pillar, PreventionLevel, Visibility,
};

pub const MUNICIPALITIES: usize = 98;
pub const UNITS_PER_MUNICIPALITY: usize = 30;
/// Level 2 under the root; the other 24 units sit under these (level 3).
const DEPARTMENTS_PER_MUNICIPALITY: usize = 5;
pub const STAFF_ROLES_PER_UNIT: usize = 6;
pub const FIRST_YEAR: i32 = 2016;
pub const YEARS: i32 = 10;
const BUDGET_LINES_PER_UNIT_YEAR: usize = 4;
pub const FORUMS_PER_MUNICIPALITY: usize = 20;
pub const MEMBERS_PER_FORUM: usize = 8;
/// Who the dataset's versions are recorded as written by.
const RECORDED_BY: &str = "vestegn-bench";
/// Rows per `INSERT` (budget lines have 15 columns: 15,000 bind values, under SQLite's 32,766).
const CHUNK: usize = 1_000;

/// The municipality codes of the dataset, in order (synthetic, not Danmarks Statistik's).
pub fn municipality_codes() -> Vec<i32> {
    (0..MUNICIPALITIES as i32).map(|i| 101 + 7 * i).collect()
}

/// Row counts per table, for the report.
#[derive(Debug, Default)]
pub struct Counts {
    pub municipalities: usize,
    pub units: usize,
    pub staff_roles: usize,
    pub budget_lines: usize,
    pub forums: usize,
    pub forum_members: usize,
}

/// Global ids of a few rows, for `node(id:)` lookups: the first and last of each table.
#[derive(Debug, Default)]
pub struct Ids {
    pub units: Vec<i32>,
    pub staff_roles: Vec<i32>,
    pub budget_lines: Vec<i32>,
    pub forums: Vec<i32>,
}

/// A small xorshift64*: deterministic figures without a dependency.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Writes the dataset into a migrated, empty database (on PostgreSQL, vacuumed and analysed).
pub async fn generate(db: &DatabaseConnection) -> anyhow::Result<(Counts, Ids)> {
    let txn = db.begin().await?;
    let result = insert(&txn).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // The identities were given explicitly: move the sequence past them.
        txn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('identities', 'id'), (SELECT max(id) FROM identities))",
        )
        .await?;
    }
    txn.commit().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Settle the freshly loaded tables before measuring, as a database in use is: otherwise
        // autovacuum works through the bulk load during the runs, and the figures measure it.
        db.execute_unprepared("VACUUM (ANALYZE)").await?;
    }
    Ok(result)
}

async fn insert<C: ConnectionTrait>(db: &C) -> anyhow::Result<(Counts, Ids)> {
    let mut random = Xorshift(0x5EED_F00D_7E57_DA7A);
    let mut counts = Counts::default();
    let source_id = source::ActiveModel {
        id: Set(1),
        key: Set("synthetic".to_owned()),
        file: Set("synthetic".to_owned()),
        title: Set("Synthetic benchmark dataset".to_owned()),
        publisher: Set("vestegn-bench".to_owned()),
        date: Set(None),
        note: Set(None),
    }
    .insert(db)
    .await?
    .id;

    let codes = municipality_codes();
    let municipalities: Vec<_> = codes
        .iter()
        .map(|&code| municipality::ActiveModel {
            code: Set(code),
            name: Set(format!("Kommune {code}")),
            revision: NotSet,
            population: Set(Some(20_000 + random.below(180_000) as i64)),
            population_year: Set(Some(2023)),
            population_source_id: Set(Some(source_id)),
            population_section: Set(Some("synthetic".to_owned())),
            population_note: Set(None),
        })
        .collect();
    counts.municipalities = insert_chunks(db, municipalities).await?;

    let public = Visibility::Public.as_str().to_owned();
    let section = "synthetic".to_owned();
    let mut units = Vec::new();
    let mut staff_roles = Vec::new();
    let mut budget_lines = Vec::new();
    let mut forums = Vec::new();
    let mut members = Vec::new();
    // Every record is a new identity with one version, recorded now by the benchmark.
    let mut identities = Vec::new();
    let recorded_at = chrono::Utc::now();
    let mut new_identity = |kind: &str, code: i32| {
        let id = identities.len() as i32 + 1;
        identities.push(identity::ActiveModel {
            id: Set(id),
            kind: Set(kind.to_owned()),
            key: Set(format!("{kind}-{id}")),
            municipality_code: Set(code),
            revision: Set(1),
            created_at: Set(recorded_at),
            created_by: Set(RECORDED_BY.to_owned()),
        });
        id
    };
    let mut ids = Ids::default();
    for &code in &codes {
        let mut municipality_units = Vec::new();
        for index in 0..UNITS_PER_MUNICIPALITY {
            let unit_id = new_identity("units", code);
            municipality_units.push(unit_id);
            ids.units.push(unit_id);
            // 1 root, 5 departments under it, 24 teams spread over the departments.
            let (parent_id, kind) = match index {
                0 => (None, "executive_board"),
                i if i <= DEPARTMENTS_PER_MUNICIPALITY => {
                    (Some(municipality_units[0]), "department")
                }
                i => (
                    Some(municipality_units[1 + i % DEPARTMENTS_PER_MUNICIPALITY]),
                    "team",
                ),
            };
            units.push(unit::ActiveModel {
                id: Set(unit_id),
                parent_id: Set(parent_id),
                committee_id: Set(None),
                name: Set(format!("Enhed {code}-{index}")),
                kind: Set(kind.to_owned()),
                archetype: Set(None),
                archetype_note: Set(None),
                hosts_crime_prevention: Set(index == 1),
                municipality_code: Set(code),
                visibility: Set(public.clone()),
                valid_from: Set(None),
                valid_to: Set(None),
                source_id: Set(source_id),
                source_section: Set(section.clone()),
                note: Set(None),
                version: Set(1),
                latest: Set(true),
                recorded_at: Set(recorded_at),
                recorded_by: Set(RECORDED_BY.to_owned()),
            });
            for role in 0..STAFF_ROLES_PER_UNIT {
                let role_id = new_identity("staff_roles", code);
                ids.staff_roles.push(role_id);
                let minutes = 60 * (10 + random.below(28) as i32);
                staff_roles.push(staff_role::ActiveModel {
                    id: Set(role_id),
                    unit_id: Set(unit_id),
                    title: Set(format!("Medarbejder {role}")),
                    headcount: Set(Some(1 + random.below(3) as i32)),
                    weekly_minutes_min: Set(Some(minutes)),
                    weekly_minutes_max: Set(Some(minutes)),
                    prevention_level: Set(Some(random.pick(PreventionLevel::ALL).to_owned())),
                    pillar: Set(Some(random.pick(Pillar::ALL).to_owned())),
                    municipality_code: Set(code),
                    visibility: Set(public.clone()),
                    valid_from: Set(None),
                    valid_to: Set(None),
                    source_id: Set(source_id),
                    source_section: Set(section.clone()),
                    note: Set(None),
                    version: Set(1),
                    latest: Set(true),
                    recorded_at: Set(recorded_at),
                    recorded_by: Set(RECORDED_BY.to_owned()),
                });
            }
            for year in FIRST_YEAR..FIRST_YEAR + YEARS {
                for line in 0..BUDGET_LINES_PER_UNIT_YEAR {
                    let line_id = new_identity("budget_lines", code);
                    ids.budget_lines.push(line_id);
                    budget_lines.push(budget_line::ActiveModel {
                        id: Set(line_id),
                        unit_id: Set(Some(unit_id)),
                        year: Set(year),
                        // Not the frame: the parts of a unit's budget add up.
                        category: Set(BudgetCategory::ALL[1 + line].to_owned()),
                        phase: Set(random.pick(BudgetPhase::ALL).to_owned()),
                        amount_ore: Set(Some(100 * random.below(2_000_000) as i64)),
                        function_code: Set(Some("3.22.05".to_owned())),
                        description: Set(format!("Budgetlinje {year}-{line}")),
                        municipality_code: Set(code),
                        visibility: Set(public.clone()),
                        valid_from: Set(None),
                        valid_to: Set(None),
                        source_id: Set(source_id),
                        source_section: Set(section.clone()),
                        note: Set(None),
                        version: Set(1),
                        latest: Set(true),
                        recorded_at: Set(recorded_at),
                        recorded_by: Set(RECORDED_BY.to_owned()),
                    });
                }
            }
        }
        for index in 0..FORUMS_PER_MUNICIPALITY {
            let forum_id = new_identity("forums", code);
            ids.forums.push(forum_id);
            forums.push(forum::ActiveModel {
                id: Set(forum_id),
                network_id: Set(None),
                name: Set(format!("Forum {code}-{index}")),
                scope: Set(ForumScope::Municipal.as_str().to_owned()),
                level: Set(random.pick(ForumLevel::ALL).to_owned()),
                cadence: Set(Some("monthly".to_owned())),
                purpose: Set(None),
                municipality_code: Set(code),
                visibility: Set(public.clone()),
                valid_from: Set(None),
                valid_to: Set(None),
                source_id: Set(source_id),
                source_section: Set(section.clone()),
                note: Set(None),
                version: Set(1),
                latest: Set(true),
                recorded_at: Set(recorded_at),
                recorded_by: Set(RECORDED_BY.to_owned()),
            });
            for member in 0..MEMBERS_PER_FORUM {
                let member_id = new_identity("forum_members", code);
                let unit = municipality_units[random.below(UNITS_PER_MUNICIPALITY as u64) as usize];
                members.push(forum_member::ActiveModel {
                    id: Set(member_id),
                    forum_id: Set(forum_id),
                    unit_id: Set(Some(unit)),
                    partner_id: Set(None),
                    role_title: Set(format!("Medlem {member}")),
                    municipality_code: Set(code),
                    visibility: Set(public.clone()),
                    valid_from: Set(None),
                    valid_to: Set(None),
                    source_id: Set(source_id),
                    source_section: Set(section.clone()),
                    note: Set(None),
                    version: Set(1),
                    latest: Set(true),
                    recorded_at: Set(recorded_at),
                    recorded_by: Set(RECORDED_BY.to_owned()),
                });
            }
        }
    }
    // The first and last of each kind, for `node(id:)` lookups.
    for list in [
        &mut ids.units,
        &mut ids.staff_roles,
        &mut ids.budget_lines,
        &mut ids.forums,
    ] {
        *list = vec![list[0], list[list.len() - 1]];
    }
    insert_chunks(db, identities).await?;
    counts.units = insert_chunks(db, units).await?;
    counts.staff_roles = insert_chunks(db, staff_roles).await?;
    counts.budget_lines = insert_chunks(db, budget_lines).await?;
    counts.forums = insert_chunks(db, forums).await?;
    counts.forum_members = insert_chunks(db, members).await?;
    Ok((counts, ids))
}

/// Inserts `rows` in batches of [`CHUNK`]; returns how many.
async fn insert_chunks<C, A>(db: &C, rows: Vec<A>) -> anyhow::Result<usize>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let total = rows.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await
            .context("batch insert")?;
    }
    Ok(total)
}
