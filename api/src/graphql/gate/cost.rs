//! What a document would cost to run, counted without expanding it: each fragment is measured
//! once and its measure reused wherever it is spread, so a document whose fragments spread each
//! other exponentially is measured in time proportional to its size.
//!
//! Arithmetic saturates: a fragment bomb measures `u64::MAX`, not an overflow.

use std::collections::HashMap;

use async_graphql::{
    parser::types::{ExecutableDocument, Field, Selection, SelectionSet},
    Name, Positioned, Value, Variables,
};

use async_graphql_value::Value as LiteralValue;

use super::types::{SchemaTypes, Size};
use crate::error::ApiError;

/// The measure of a selection set (or a whole operation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// Fields after expanding fragments.
    pub fields: u64,
    /// Aliased fields after expanding fragments.
    pub aliases: u64,
    /// Levels of fields.
    pub depth: u64,
    /// Resolver calls, each multiplied by the rows of the lists around it, for the part of the
    /// set that runs once.
    pub fixed: u64,
    /// The same, for the part that runs once per item of the enclosing connection's page (the
    /// `edges` and `nodes` of a connection type); zero for other types.
    pub per_item: u64,
}

impl Cost {
    /// The complexity when the enclosing page holds `page` items (for a whole operation, `fixed`:
    /// only fragments on connection types have a per-item part).
    pub fn complexity(&self, page: u64) -> u64 {
        self.fixed
            .saturating_add(self.per_item.saturating_mul(page))
    }

    fn add(&mut self, other: Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.depth = self.depth.max(other.depth);
        self.fixed = self.fixed.saturating_add(other.fixed);
        self.per_item = self.per_item.saturating_add(other.per_item);
    }
}

/// Page sizes, to size connections whose `first` is not a literal.
#[derive(Debug, Clone, Copy)]
pub struct PageSizes {
    pub default: u64,
    pub max: u64,
}

/// Measures the operations and fragments of one document.
pub struct Measure<'a> {
    types: &'a SchemaTypes,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    pages: PageSizes,
    fragments: HashMap<&'a str, Option<Cost>>,
}

impl<'a> Measure<'a> {
    pub fn new(
        types: &'a SchemaTypes,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
        pages: PageSizes,
    ) -> Self {
        Self {
            types,
            document,
            variables,
            pages,
            fragments: HashMap::new(),
        }
    }

    /// The cost of the most expensive operation or fragment of the document. Every operation
    /// counts (validation walks them all, selected or not), and so does every fragment.
    pub fn document(mut self) -> Result<Cost, ApiError> {
        let mut worst = Cost::default();
        let document = self.document;
        for (_, operation) in document.operations.iter() {
            let root = match operation.node.ty {
                async_graphql::parser::types::OperationType::Mutation => &self.types.mutation,
                _ => &self.types.query,
            };
            let cost = self.selection_set(&operation.node.selection_set, root)?;
            worst = worst_of(worst, cost, self.pages.default);
        }
        for name in document.fragments.keys() {
            let cost = self.fragment(name)?;
            worst = worst_of(worst, cost, self.pages.default);
        }
        Ok(worst)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<Cost, ApiError> {
        match self.fragments.get(name.as_str()) {
            Some(Some(cost)) => return Ok(*cost),
            Some(None) => {
                return Err(ApiError::ValidationFailed(format!(
                    "fragment {} spreads itself",
                    crate::error::excerpt(name)
                )))
            }
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            // Unknown fragments are reported by validation; they cost nothing here.
            return Ok(Cost::default());
        };
        self.fragments.insert(name.as_str(), None);
        let type_name = &fragment.node.type_condition.node.on.node;
        let cost = self.selection_set(&fragment.node.selection_set, type_name)?;
        self.fragments.insert(name.as_str(), Some(cost));
        Ok(cost)
    }

    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        type_name: &'a Name,
    ) -> Result<Cost, ApiError> {
        let mut total = Cost::default();
        for selection in &set.node.items {
            let cost = match &selection.node {
                Selection::Field(field) => self.field(&field.node, type_name)?,
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |condition| &condition.node.on.node);
                    self.selection_set(&fragment.node.selection_set, on)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node)?
                }
            };
            total.add(cost);
        }
        Ok(total)
    }

    fn field(&mut self, field: &'a Field, parent: &'a Name) -> Result<Cost, ApiError> {
        let info = self.types.field(parent, &field.name.node);
        let below = match info {
            Some(info) if !field.selection_set.node.items.is_empty() => {
                self.selection_set(&field.selection_set, &info.type_name)?
            }
            // Unknown fields and introspection: counted, with single items below.
            None if !field.selection_set.node.items.is_empty() => {
                let unknown = self.unknown_type();
                self.selection_set(&field.selection_set, unknown)?
            }
            _ => Cost::default(),
        };
        let size = info.map_or(&Size::One, |info| &info.size);
        let (fixed, per_item) = match size {
            Size::One => (below.complexity(self.pages.default), 0),
            Size::Declared(rows) => (rows.saturating_mul(below.complexity(self.pages.default)), 0),
            Size::PerArgumentItem { argument, bound } => {
                let rows = self.list_length(field, argument).unwrap_or(*bound);
                (rows.saturating_mul(below.complexity(self.pages.default)), 0)
            }
            Size::Undeclared => (
                self.pages
                    .max
                    .saturating_mul(below.complexity(self.pages.default)),
                0,
            ),
            Size::Connection => (below.complexity(self.page_size(field)), 0),
            // A connection's list runs once per page; what is below it, once per item.
            Size::Page => (0, below.complexity(self.pages.default)),
        };
        Ok(Cost {
            fields: below.fields.saturating_add(1),
            aliases: below.aliases + u64::from(field.alias.is_some()),
            depth: below.depth + 1,
            fixed: fixed.saturating_add(1),
            per_item,
        })
    }

    /// The rows a connection field asks for: its `first` (a literal or a variable), else the
    /// default page; never more than the largest page (larger `first`s are refused when run).
    fn page_size(&self, field: &Field) -> u64 {
        let value = field.get_argument("first").map(|value| &value.node);
        let first = match value {
            Some(LiteralValue::Variable(name)) => match self.variables.get(name) {
                Some(Value::Number(n)) => n.as_u64(),
                _ => None,
            },
            Some(value) => match value {
                LiteralValue::Number(n) => n.as_u64(),
                _ => None,
            },
            None => Some(self.pages.default),
        };
        first.unwrap_or(self.pages.max).min(self.pages.max)
    }

    /// How many items the list argument `name` of `field` holds, literal or from a variable.
    fn list_length(&self, field: &Field, name: &str) -> Option<u64> {
        match &field.get_argument(name)?.node {
            LiteralValue::List(items) => Some(items.len() as u64),
            LiteralValue::Variable(variable) => match self.variables.get(variable)? {
                Value::List(items) => Some(items.len() as u64),
                _ => Some(1),
            },
            _ => Some(1),
        }
    }

    /// A name that is no type of the schema, for selections below unknown fields.
    fn unknown_type(&self) -> &'static Name {
        static UNKNOWN: std::sync::OnceLock<Name> = std::sync::OnceLock::new();
        UNKNOWN.get_or_init(|| Name::new("__Unknown"))
    }
}

/// The larger of two measures, limit by limit.
fn worst_of(a: Cost, b: Cost, page: u64) -> Cost {
    Cost {
        fields: a.fields.max(b.fields),
        aliases: a.aliases.max(b.aliases),
        depth: a.depth.max(b.depth),
        fixed: a.complexity(page).max(b.complexity(page)),
        per_item: 0,
    }
}
