//! `[[forum]]` and its `[[forum.member]]`s: the forums the municipality sits in, the legal bases
//! they cite, and who attends them.

use entities::{forum, forum_member, kinds::Kind};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::model_io::{
        document::*,
        export::Names,
        import_plan::ImportPlan,
        rows::{Rows, Validity},
    },
    vocabulary::{ForumLevel, ForumScope},
};

tenant_record! {
pub struct ForumRecord {
    pub name: String,
    /// `municipal`, `cross_municipal`, `police_district`, `national`.
    pub scope: String,
    /// `strategic`, `coordinating`, `operational`.
    pub level: String,
    /// Free text as the source says it ("hver anden uge", "fire gange årligt").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Key of the network the forum belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Keys of the legal bases the forum cites: they belong to the forum, not to one version (the
    /// versions of a forum list the same ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_bases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<ForumMemberRecord>,
}
}

/// Who attends a forum: one of `unit` or `partner`, and the role title of whoever attends. A
/// member is a record of its own (members that share a key are its versions); its provenance is
/// the forum version's it is listed under, except what it gives itself, and its note its own.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ForumMemberRecord {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    pub role_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ForumMemberRecord {
    /// The member's provenance: what it gives itself, else its forum version's.
    fn provenance<'a>(&'a self, forum: &'a ForumRecord) -> Provenance<'a> {
        Provenance {
            source: self.source.as_deref().unwrap_or(&forum.source),
            section: self.section.as_deref().unwrap_or(&forum.section),
            valid_from: self.valid_from.or(forum.valid_from),
            valid_to: self.valid_to.or(forum.valid_to),
            visibility: self.visibility.as_deref().or(forum.visibility.as_deref()),
            note: self.note.as_deref(),
        }
    }

    fn decode(&self, plan: &mut ImportPlan, at: &FieldPath, forum: &ForumRecord, rows: &mut Rows) {
        let provenance = self.provenance(forum);
        let common = plan.common(at, Kind::ForumMember, provenance);
        let role_title = plan.text::<forum_member::Entity>(
            at,
            forum_member::Column::RoleTitle,
            &self.role_title,
        );
        let party = plan.party(
            at,
            "member",
            (self.unit.as_deref(), self.partner.as_deref()),
            provenance.valid_from,
        );
        if let Some((common, role_title, (unit, partner))) = all_checked!(common, role_title, party)
        {
            rows.forum_member.push(version!(
                forum_member {
                    forum_id: plan.id_of(&forum.key),
                    unit_id: unit,
                    partner_id: partner,
                    role_title: role_title,
                },
                plan.id_of(&self.key),
                common,
                plan.recorded
            ));
        }
    }

    /// The member as listed under `forum`, the version chosen for it: what of its provenance
    /// differs from that version's it gives itself.
    fn encode(row: &entities::forum_member::Model, forum: &forum::Model, names: &Names) -> Self {
        let differs = |mine: &str, theirs: &str| (mine != theirs).then(|| mine.to_owned());
        Self {
            key: names.record(row.id),
            unit: names.record_opt(row.unit_id),
            partner: row.partner_id.map(|id| names.partner(id)),
            role_title: row.role_title.clone(),
            source: (row.source_id != forum.source_id).then(|| names.source(row.source_id)),
            section: differs(&row.source_section, &forum.source_section),
            valid_from: (row.valid_from != forum.valid_from)
                .then_some(row.valid_from)
                .flatten(),
            valid_to: (row.valid_to != forum.valid_to)
                .then_some(row.valid_to)
                .flatten(),
            visibility: differs(&row.visibility, &forum.visibility),
            note: row.note.clone(),
        }
    }
}

impl Section for ForumRecord {
    const KIND: Kind = Kind::Forum;

    fn note_keys(plan: &mut ImportPlan, section: &FieldPath, records: &[Self]) {
        for (at, forum) in each(section, records) {
            plan.key(
                &at,
                Kind::Forum,
                &forum.key,
                (forum.valid_from, forum.valid_to),
            );
        }
        // After every forum, as members name units and forums by key alike.
        for (at, forum) in each(section, records) {
            for (j, member) in forum.member.iter().enumerate() {
                let p = member.provenance(forum);
                let validity: Validity = (p.valid_from, p.valid_to);
                plan.key(
                    &at.field("member").index(j),
                    Kind::ForumMember,
                    &member.key,
                    validity,
                );
            }
        }
    }

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let id = plan.id_of(&r.key);
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name = plan.text::<forum::Entity>(&at, forum::Column::Name, &r.name);
            let scope = plan.vocabulary(&at.field("scope"), &r.scope, ForumScope::ALL);
            let level = plan.vocabulary(&at.field("level"), &r.level, ForumLevel::ALL);
            let cadence =
                plan.text_opt::<forum::Entity>(&at, forum::Column::Cadence, r.cadence.as_deref());
            let purpose =
                plan.text_opt::<forum::Entity>(&at, forum::Column::Purpose, r.purpose.as_deref());
            let network = match r.network.as_deref() {
                None => Some(None),
                Some(key) => {
                    let field = at.field("network");
                    let found = plan.named(&field, "network", key);
                    if found.is_some_and(|n| !plan.reference.own_networks.contains(&n)) {
                        plan.problem(
                            &field,
                            format!("municipality {} is not in the network", plan.code),
                        );
                    }
                    found.map(Some)
                }
            };
            for (j, basis) in r.legal_bases.iter().enumerate() {
                if let Some(basis) =
                    plan.named(&at.field("legal_bases").index(j), "legal basis", basis)
                {
                    let bases = rows.legal_bases.entry(id).or_default();
                    if !bases.contains(&basis) {
                        bases.push(basis);
                    }
                }
            }
            for (j, member) in r.member.iter().enumerate() {
                member.decode(plan, &at.field("member").index(j), r, rows);
            }
            if let Some((common, name, scope, level, cadence, purpose, network)) =
                all_checked!(common, name, scope, level, cadence, purpose, network)
            {
                rows.forum.push(version!(
                    forum {
                        network_id: network,
                        name: name,
                        scope: scope,
                        level: level,
                        cadence: cadence,
                        purpose: purpose,
                    },
                    id,
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        let mut forums: Vec<ForumRecord> = rows
            .forum
            .iter()
            .map(|row| {
                let legal_bases = rows
                    .legal_bases
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|id| names.legal_basis(*id))
                    .collect();
                record!(
                    ForumRecord {
                        name: row.name.clone(),
                        scope: row.scope.clone(),
                        level: row.level.clone(),
                        cadence: row.cadence.clone(),
                        purpose: row.purpose.clone(),
                        network: row.network_id.map(|id| names.network(id)),
                        legal_bases: legal_bases,
                        member: Vec::new(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect();
        // A member is listed under a version of its forum, and gives itself what of its
        // provenance differs from that version's. A document cannot say "no end" or "no start"
        // against a version that has one, so the version is one whose open ends the member
        // shares: the one with the member's validity, else one holding on the member's first
        // day, else any such; else (only then a document loses an open end) the forum's first.
        for row in &rows.forum_member {
            let versions: Vec<&forum::Model> =
                rows.forum.iter().filter(|f| f.id == row.forum_id).collect();
            let representable = |f: &forum::Model| {
                (row.valid_from.is_some() || f.valid_from.is_none())
                    && (row.valid_to.is_some() || f.valid_to.is_none())
            };
            let holds = |f: &forum::Model| {
                row.valid_from.is_some_and(|day| {
                    f.valid_from.is_none_or(|from| from <= day)
                        && f.valid_to.is_none_or(|to| day < to)
                })
            };
            let chosen = versions
                .iter()
                .find(|f| (f.valid_from, f.valid_to) == (row.valid_from, row.valid_to))
                .or_else(|| versions.iter().find(|f| representable(f) && holds(f)))
                .or_else(|| versions.iter().find(|f| representable(f)))
                .or(versions.first())
                .and_then(|chosen| rows.forum.iter().position(|f| std::ptr::eq(f, *chosen)));
            let Some(index) = chosen else {
                // Its forum is not visible to the caller.
                continue;
            };
            let member = ForumMemberRecord::encode(row, &rows.forum[index], names);
            forums[index].member.push(member);
        }
        forums
    }
}
