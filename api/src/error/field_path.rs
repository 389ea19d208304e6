//! Where in a request's input a problem is, spelled by each surface its own way.

use std::fmt;

/// A path into the input: a root (a GraphQL argument, or a section of a model document), then
/// fields and positions. Names are kept as the document and the database spell them
/// (`valid_from`); [`graphql`](Self::graphql) spells them as the schema does (`validFrom`).
/// Names a client chose (a variable's) are kept as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<Step>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A name of the API's own, in snake_case.
    Name(String),
    /// A name the client chose, spelled as it was.
    Verbatim(String),
    /// A position in a list.
    Index(usize),
}

impl FieldPath {
    /// A path that starts at `name` (an argument, or a document's section), in snake_case.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        debug_assert!(
            !name.contains(|c: char| c.is_ascii_uppercase()),
            "field names are written in snake_case: {name}"
        );
        Self(vec![Step::Name(name)])
    }

    /// A path that starts at a name the client chose (a variable), kept as given.
    pub fn verbatim(name: impl Into<String>) -> Self {
        Self(vec![Step::Verbatim(name.into())])
    }

    /// The field `name` (snake_case) of what this path names.
    #[must_use]
    pub fn field(&self, name: &str) -> Self {
        debug_assert!(
            !name.contains(|c: char| c.is_ascii_uppercase()),
            "field names are written in snake_case: {name}"
        );
        let mut path = self.clone();
        path.0.push(Step::Name(name.to_owned()));
        path
    }

    /// The field `name` as the client or the schema spelled it (a GraphQL input's), kept as is.
    #[must_use]
    pub fn verbatim_field(&self, name: &str) -> Self {
        let mut path = self.clone();
        path.0.push(Step::Verbatim(name.to_owned()));
        path
    }

    /// The item at `index` of the list this path names.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.0.push(Step::Index(index));
        path
    }

    /// As GraphQL clients read it in `extensions.field`: `input.validFrom`, `codes[2]`.
    pub fn graphql(&self) -> String {
        self.spelled(camel_case)
    }

    /// As a model document's problems name it: `unit[3].valid_from`.
    pub fn document(&self) -> String {
        self.spelled(str::to_owned)
    }

    fn spelled(&self, name: impl Fn(&str) -> String) -> String {
        let mut text = String::new();
        for step in &self.0 {
            match step {
                Step::Name(part) | Step::Verbatim(part) if !text.is_empty() => text.push('.'),
                _ => {}
            }
            match step {
                Step::Name(part) => text.push_str(&name(part)),
                Step::Verbatim(part) => text.push_str(part),
                Step::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

/// A path as GraphQL spells it (`changes.unitId`, `codes[2]`): how resolvers name their
/// arguments. Its names are kept in snake_case like every other path's.
impl From<&'static str> for FieldPath {
    fn from(path: &'static str) -> Self {
        let mut steps = Vec::new();
        for part in path.split('.') {
            let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
            steps.push(Step::Name(snake_case(name)));
            for index in indexes.split('[') {
                if let Some(Ok(index)) = index.strip_suffix(']').map(str::parse) {
                    steps.push(Step::Index(index));
                }
            }
        }
        Self(steps)
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(path: &FieldPath) -> Self {
        path.clone()
    }
}

/// The GraphQL path, for logs and test messages.
impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.graphql())
    }
}

/// `valid_from` → `validFrom`.
fn camel_case(name: &str) -> String {
    let mut spelled = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            spelled.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            spelled.push(c);
        }
    }
    spelled
}

/// `validFrom` → `valid_from`.
fn snake_case(name: &str) -> String {
    let mut spelled = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            spelled.push('_');
            spelled.push(c.to_ascii_lowercase());
        } else {
            spelled.push(c);
        }
    }
    spelled
}

#[cfg(test)]
mod tests {
    use super::FieldPath;

    #[test]
    fn each_surface_spells_the_path_its_own_way() {
        let input = FieldPath::new("input");
        let path = input.field("provenance").field("valid_from");
        assert_eq!(path.graphql(), "input.provenance.validFrom");
        assert_eq!(path.document(), "input.provenance.valid_from");

        let member = FieldPath::new("forum")
            .index(3)
            .field("member")
            .index(0)
            .field("unit_id");
        assert_eq!(member.graphql(), "forum[3].member[0].unitId");
        assert_eq!(member.document(), "forum[3].member[0].unit_id");

        let bases = FieldPath::new("legal_bases").index(2);
        assert_eq!(bases.graphql(), "legalBases[2]");
        assert_eq!(bases.document(), "legal_bases[2]");

        // Resolvers write their arguments as GraphQL does.
        let written = FieldPath::from("changes.unitId");
        assert_eq!(written, FieldPath::new("changes").field("unit_id"));
        assert_eq!(written.graphql(), "changes.unitId");
        assert_eq!(written.document(), "changes.unit_id");
        assert_eq!(
            FieldPath::from("codes[2]"),
            FieldPath::new("codes").index(2)
        );

        // A variable's name is the client's: never respelled.
        let variable = FieldPath::verbatim("my_Var").field("weekly_hours_min");
        assert_eq!(variable.graphql(), "my_Var.weeklyHoursMin");
        assert_eq!(variable.to_string(), "my_Var.weeklyHoursMin");
    }
}
