//! The Vestegn GraphQL server: municipalities' crime-prevention (SSP) organisation models, read and
//! compared over GraphQL, on SQLite (embedded default) or PostgreSQL.
//!
//! Layers, top to bottom: [`http`] (routes, GraphQL over HTTP, health) → [`graphql`] (schema,
//! thin resolvers, batch loaders) → [`service`] (data access: tenancy, visibility, SQL) → the
//! `entities` and `migration` crates.

pub mod config;
pub mod database;
pub mod error;
pub mod graphql;
pub mod http;
pub mod seed;
pub mod service;
pub mod telemetry;
pub mod vocabulary;

pub use http::{build_app, error_response, with_layers, AppState};
