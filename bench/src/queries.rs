//! The fixed query set: each query is one GraphQL request body that `oha` sends over and over.

use serde_json::{json, Value};
use vestegn_api::graphql::ids::{GlobalId, Kind};

use crate::dataset::{municipality_codes, Ids};

/// One benchmark query.
pub struct BenchQuery {
    /// Short name for the report.
    pub name: &'static str,
    /// The request body: `{"query": …, "variables": …}`.
    pub body: Value,
    /// Also run with one client (before the command line's concurrencies).
    pub single_client: bool,
}

/// The codes `compareMunicipalities` is asked for: every municipality, as many as it accepts.
pub fn compared_codes() -> Vec<i32> {
    municipality_codes()
        .into_iter()
        .take(vestegn_api::service::comparison::MAX_COMPARED)
        .collect()
}

/// The query set, over the synthetic dataset. `page_cursor` is the `after` cursor of the
/// `units` page that the page query fetches (found by walking the pages in process).
pub fn all(ids: &Ids, page_cursor: &str) -> Vec<BenchQuery> {
    let codes = municipality_codes();
    let q2_codes: Vec<i32> = codes.iter().copied().step_by(9).take(11).collect();
    let mut node_fields = Vec::new();
    for (kind, keys, fields) in [
        (Kind::Unit, &ids.units, "name kind"),
        (Kind::StaffRole, &ids.staff_roles, "title fteMin"),
        (Kind::BudgetLine, &ids.budget_lines, "year amount"),
        (Kind::Forum, &ids.forums, "name level"),
    ] {
        for key in keys {
            let alias = format!("{}{key}", kind.type_name().to_lowercase());
            let id = kind.id(*key).to_string();
            node_fields.push(format!(
                r#"{alias}: node(id: "{id}") {{ id ... on {} {{ {fields} }} }}"#,
                kind.type_name()
            ));
        }
    }
    vec![
        BenchQuery {
            name: "Q1 municipality→units→roles",
            body: json!({
                "query": "query($code: Int!) { municipality(code: $code) { name units { name kind staffRoles { title headcount fteMin fteMax } } } }",
                "variables": { "code": codes[0] },
            }),
            single_client: false,
        },
        BenchQuery {
            name: "Q2 11 municipalities+budget 2023",
            body: json!({
                "query": "query($codes: [Int!]) { municipalities(filter: { codes: $codes }, first: 11) { nodes { name units { name staffRoles { title headcount } } budgetLines(year: 2023) { year category phase amount } } } }",
                "variables": { "codes": q2_codes },
            }),
            single_client: false,
        },
        BenchQuery {
            name: "forums→members→units (100)",
            body: json!({
                "query": "{ forums(first: 100) { nodes { name level members { roleTitle unit { name kind parent { name } staffRoles { title } } } } } }",
            }),
            single_client: false,
        },
        BenchQuery {
            name: "units page (100, mid-walk)",
            body: units_page_body(Some(page_cursor)),
            single_client: false,
        },
        BenchQuery {
            name: "node(id:) ×8",
            body: json!({ "query": format!("{{ {} }}", node_fields.join(" ")) }),
            single_client: false,
        },
        BenchQuery {
            name: "compareMunicipalities (all 98)",
            body: json!({
                "query": "query($codes: [Int!]!) { compareMunicipalities(codes: $codes, asOf: \"2023-07-01\") { municipality { name } placements { pathText } staffing { headcount { value } fte { min max } byPreventionLevel { level headcount { value } } } budgets { total { value } perInhabitant { value } } forumsByLevel { level count } } }",
                "variables": { "codes": compared_codes() },
            }),
            single_client: true,
        },
    ]
}

/// One page of 100 units after `cursor` (the first page without one).
pub fn units_page_body(cursor: Option<&str>) -> Value {
    json!({
        "query": "query($after: String) { units(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name kind hostsCrimePrevention } } }",
        "variables": { "after": cursor },
    })
}
