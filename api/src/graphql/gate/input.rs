//! Input the client sends (variables and literal arguments) checked before anything runs, so that
//! a client's mistake is `BAD_USER_INPUT` naming the variable or argument at fault, never a
//! failure deeper down: missing or mistyped variables, strings with NUL bytes (PostgreSQL refuses
//! them; SQLite's `LIKE` treats them as the end of the pattern) and over-long strings (SQLite's
//! `LIKE` gives up on long patterns).

use async_graphql::{
    parser::types::{
        BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type,
    },
    Name, Positioned, ScalarType, Value, Variables,
};

use async_graphql_value::Value as LiteralValue;

use super::types::{SchemaTypes, TypeInfo};
use crate::{
    error::{excerpt, ApiError, FieldPath},
    graphql::scalars::Date,
};

/// Checks every variable of `operation` against its declared type, and every string in it.
pub fn check_variables(
    types: &SchemaTypes,
    operation: &OperationDefinition,
    variables: &Variables,
    max_chars: usize,
) -> Result<(), ApiError> {
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        let ty = &definition.var_type.node;
        match variables.get(&definition.name.node) {
            Some(value) => check_value(types, ty, value, &FieldPath::verbatim(name), max_chars)?,
            None if !ty.nullable && definition.default_value.is_none() => {
                return Err(ApiError::bad_input(
                    FieldPath::verbatim(name),
                    format!("variable ${name} of type {ty} was not provided"),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// Checks the strings written into the document itself (arguments of fields and directives).
pub fn check_literals(document: &ExecutableDocument, max_chars: usize) -> Result<(), ApiError> {
    fn in_set(set: &Positioned<SelectionSet>, max_chars: usize) -> Result<(), ApiError> {
        for item in &set.node.items {
            let directives = item.node.directives();
            for directive in directives {
                for (name, value) in &directive.node.arguments {
                    check_literal(
                        &value.node,
                        &FieldPath::verbatim(name.node.as_str()),
                        max_chars,
                    )?;
                }
            }
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        check_literal(
                            &value.node,
                            &FieldPath::verbatim(name.node.as_str()),
                            max_chars,
                        )?;
                    }
                    in_set(&field.node.selection_set, max_chars)?;
                }
                Selection::InlineFragment(fragment) => {
                    in_set(&fragment.node.selection_set, max_chars)?;
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }
    for (_, operation) in document.operations.iter() {
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                check_strings(
                    &default.node,
                    &FieldPath::verbatim(definition.node.name.node.as_str()),
                    max_chars,
                )?;
            }
        }
        in_set(&operation.node.selection_set, max_chars)?;
    }
    for fragment in document.fragments.values() {
        in_set(&fragment.node.selection_set, max_chars)?;
    }
    Ok(())
}

/// Checks the strings of a literal argument; its variables are checked with the variables.
fn check_literal(value: &LiteralValue, path: &FieldPath, max_chars: usize) -> Result<(), ApiError> {
    let value = value
        .clone()
        .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null));
    match value {
        Ok(value) => check_strings(&value, path, max_chars),
        Err(never) => match never {},
    }
}

fn check_strings(value: &Value, path: &FieldPath, max_chars: usize) -> Result<(), ApiError> {
    match value {
        Value::String(text) => check_string(text, path, max_chars),
        Value::List(items) => items
            .iter()
            .try_for_each(|item| check_strings(item, path, max_chars)),
        Value::Object(fields) => fields.iter().try_for_each(|(name, value)| {
            check_strings(value, &path.verbatim_field(name), max_chars)
        }),
        _ => Ok(()),
    }
}

fn check_string(text: &str, path: &FieldPath, max_chars: usize) -> Result<(), ApiError> {
    if text.contains('\0') {
        return Err(ApiError::bad_input(path, "text must not contain NUL bytes"));
    }
    // Counting stops at the limit: an over-long string costs no more than a long one.
    if text.chars().nth(max_chars).is_some() {
        return Err(ApiError::bad_input(
            path,
            format!("text is longer than {max_chars} characters"),
        ));
    }
    Ok(())
}

/// Whether `value` can be given for a variable of type `ty` (input coercion, GraphQL §3.11).
fn check_value(
    types: &SchemaTypes,
    ty: &Type,
    value: &Value,
    path: &FieldPath,
    max_chars: usize,
) -> Result<(), ApiError> {
    if let Value::Null = value {
        return if ty.nullable {
            Ok(())
        } else {
            Err(ApiError::bad_input(
                path,
                format!("${path} must not be null ({ty})"),
            ))
        };
    }
    let mismatch = || {
        ApiError::bad_input(
            path,
            format!("${path} is not a valid {ty}: got {}", describe(value)),
        )
    };
    match &ty.base {
        BaseType::List(item) => match value {
            Value::List(items) => items.iter().enumerate().try_for_each(|(i, value)| {
                check_value(types, item, value, &path.index(i), max_chars)
            }),
            // A single value stands for a list of one.
            value => check_value(types, item, value, path, max_chars),
        },
        BaseType::Named(name) => {
            let fits = match (name.as_str(), value) {
                ("String", Value::String(text)) | ("ID", Value::String(text)) => {
                    return check_string(text, path, max_chars)
                }
                ("ID", Value::Number(n)) | ("Int", Value::Number(n)) => n
                    .as_i64()
                    .is_some_and(|n| i32::try_from(n).is_ok() || name.as_str() == "ID"),
                ("Float", Value::Number(_)) | ("Boolean", Value::Boolean(_)) => true,
                ("Date", _) => Date::is_valid(value),
                (_, value) => match types.get(name) {
                    Some(TypeInfo::Enum(values)) => enum_text(value)
                        .is_some_and(|text| values.iter().any(|v| v.as_str() == text)),
                    Some(TypeInfo::Input(fields)) => {
                        return check_input_object(types, fields, value, path, max_chars)
                            .and_then(|fits| if fits { Ok(()) } else { Err(mismatch()) })
                    }
                    // Other custom scalars (Decimal) parse themselves.
                    Some(TypeInfo::Scalar) => {
                        return check_strings(value, path, max_chars);
                    }
                    _ => false,
                },
            };
            if fits {
                Ok(())
            } else {
                Err(mismatch())
            }
        }
    }
}

fn enum_text(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        Value::Enum(name) => Some(name),
        _ => None,
    }
}

/// Checks an input object's fields; `Ok(false)` when the value is no object at all.
fn check_input_object(
    types: &SchemaTypes,
    fields: &[(Name, Type, bool)],
    value: &Value,
    path: &FieldPath,
    max_chars: usize,
) -> Result<bool, ApiError> {
    let Value::Object(given) = value else {
        return Ok(false);
    };
    if let Some(unknown) = given
        .keys()
        .find(|key| !fields.iter().any(|(name, _, _)| name == *key))
    {
        return Err(ApiError::bad_input(
            path.verbatim_field(unknown),
            format!("${path} has no field {}", excerpt(unknown)),
        ));
    }
    for (name, ty, has_default) in fields {
        let field_path = path.verbatim_field(name);
        match given.get(name) {
            Some(value) => check_value(types, ty, value, &field_path, max_chars)?,
            None if !ty.nullable && !has_default => {
                return Err(ApiError::bad_input(
                    &field_path,
                    format!("${field_path} of type {ty} was not provided"),
                ))
            }
            None => {}
        }
    }
    Ok(true)
}

/// A short description of a JSON value, without repeating it.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(text) => format!("the string {}", excerpt(text)),
        Value::Boolean(b) => format!("{b}"),
        Value::Enum(name) => excerpt(name),
        Value::Binary(_) => "binary data".to_owned(),
        Value::List(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}
