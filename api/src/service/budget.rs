//! Writing budget lines: exact amounts (at most two decimals, within the column's range) of the
//! editor's own municipality, optionally of one of its units.

use chrono::NaiveDate;
use entities::budget_line;
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;

use super::{
    checks::{checked_year, ore, Origin, Text, Texts},
    Store,
};
use crate::{
    error::{ApiResult, FieldPath},
    vocabulary::{BudgetCategory, BudgetPhase},
};

record_input! {
    /// A new budget line.
    new NewBudgetLine {
        municipality_code: i32,
    }
    /// Changes to a budget line: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    changes BudgetLineChanges;
    fields {
        unit_id: Option<i32>,
        year: i32,
        category: BudgetCategory,
        phase: BudgetPhase,
        amount: Option<Decimal>,
        function_code: Option<String>,
        description: String,
    }
}

impl Texts for budget_line::Entity {
    const TEXTS: &'static [(budget_line::Column, Text)] = &[
        (budget_line::Column::FunctionCode, Text::Name),
        (budget_line::Column::Description, Text::Name),
    ];
}

impl Store {
    /// Creates a budget line of the editor's municipality, `private` until shared.
    pub async fn create_budget_line(
        &self,
        new: NewBudgetLine,
        at: impl Into<FieldPath>,
    ) -> ApiResult<budget_line::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = new.municipality_code;
        let record = self
            .new_record(at, (code, Some("municipality_code")), &new.version)
            .await?;
        checked_year(&field("year"), new.year)?;
        let amount_ore = ore(&field("amount"), new.amount)?;
        let version = budget_line::ActiveModel {
            unit_id: Set(new.unit_id),
            year: Set(new.year),
            category: Set(new.category.as_str().to_owned()),
            phase: Set(new.phase.as_str().to_owned()),
            amount_ore: Set(amount_ore),
            function_code: Set(new.function_code),
            description: Set(new.description),
            ..Default::default()
        };
        let day = new.version.valid_from;
        self.create::<budget_line::Entity>(version, record, async || {
            self.check_unit(&field("unit_id"), code, new.unit_id, day)
                .await
        })
        .await
    }

    /// Changes the budget line `id` from `from` on.
    pub async fn update_budget_line(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: BudgetLineChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<budget_line::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<budget_line::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        if let Some(year) = changes.year {
            checked_year(&field("year"), year)?;
        }
        let amount_ore = changes
            .amount
            .map(|amount| ore(&field("amount"), amount))
            .transpose()?;
        let changed = changed!(budget_line {
            unit_id: changes.unit_id,
            year: changes.year,
            category: changes
                .category
                .map(|category| category.as_str().to_owned()),
            phase: changes.phase.map(|phase| phase.as_str().to_owned()),
            amount_ore,
            function_code: changes.function_code,
            description: changes.description,
        });
        self.update_from::<budget_line::Entity>(id, revision, change, changed, async || {
            match changes.unit_id {
                Some(unit) => self.check_unit(&field("unit_id"), code, unit, from).await,
                None => Ok(()),
            }
        })
        .await
    }
}
