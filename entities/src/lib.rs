//! sea-orm entities of the Vestegn database: tables and relations only, no API types and no rules.

#[macro_use]
pub mod by_index;
#[macro_use]
pub mod versioned;
#[macro_use]
pub mod kinds;
pub mod linked;

pub mod audit_entry;
pub mod budget_line;
pub mod contact;
pub mod forum;
pub mod forum_legal_basis;
pub mod forum_member;
pub mod goal;
pub mod identity;
pub mod intervention;
pub mod intervention_partner;
pub mod key_indicator;
pub mod legal_basis;
pub mod municipality;
pub mod network;
pub mod network_membership;
pub mod outbox;
pub mod partner_organisation;
pub mod plan;
pub mod political_committee;
pub mod project_participant;
pub mod shared_project;
pub mod source;
pub mod staff_role;
pub mod unit;

pub use kinds::{Kind, OfKind};
