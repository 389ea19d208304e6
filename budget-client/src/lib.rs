//! The budget integration client: `vestegn-pull-budgets` (and the server binary's
//! `vestegn pull-budgets`) gets a token with the OAuth2 client-credentials grant and pages through
//! every budget line it may read. A crate of its own: it shares no code with the server, only the
//! public schema.
//!
//! This is how an integration (a budget system, a data warehouse) starts: it talks to a Vestegn
//! server over HTTP like any other client of the public schema, with nothing of the server's
//! internals. The server decides what the token may read (budget lines of the municipalities the
//! client is granted, and `public` records); this client asks for one year's lines, follows the
//! keyset cursor of `budgetLines` to the last page, and writes them as CSV or JSON.
//!
//! Amounts stay exact: the API sends them as decimal strings, and they are written as received,
//! never through a float. Nothing is written unless every page arrived, so a failed pull leaves no
//! half a file behind. The client secret and the access token are never printed or logged.

use std::{fmt, io::Write, time::Duration};

use anyhow::{anyhow, bail, Context};
use clap::{Args, ValueEnum};
use oauth2::{
    basic::BasicClient, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long to wait for a connection to the token endpoint or the API.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one request (a token, or one page) may take in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Where to pull from, as whom, and what.
///
/// The flags live on the `pull-budgets` subcommand, so their names must not clash with the
/// server's own flags (`--database-url`, `--auth-*`, `--max-page-size`…).
#[derive(Clone, Args)]
pub struct PullBudgetsArgs {
    /// The fiscal year.
    #[arg(long)]
    pub year: i32,
    /// Only this municipality (kommunekode; repeatable). Without it: every line the client may
    /// read, that is its granted municipalities' lines and other municipalities' `public` ones.
    #[arg(long = "municipality")]
    pub municipalities: Vec<i32>,
    /// What to write to standard output.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
    pub format: OutputFormat,
    /// The GraphQL endpoint of the Vestegn server.
    #[arg(
        long,
        env = "VESTEGN_API_URL",
        default_value = "http://127.0.0.1:8080/graphql"
    )]
    pub api_url: String,
    /// The identity provider's token endpoint (OAuth2 client credentials grant).
    #[arg(long, env = "VESTEGN_TOKEN_URL")]
    pub token_url: String,
    /// The integration's client id at the identity provider.
    #[arg(long, env = "VESTEGN_CLIENT_ID")]
    pub client_id: String,
    /// The integration's client secret (prefer the environment variable: a flag shows in `ps`).
    #[arg(long, env = "VESTEGN_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// The scope to ask for (several separated by spaces).
    #[arg(long, default_value = "budgets:read")]
    pub scope: String,
    /// Budget lines per request (at most the server's `MAX_PAGE_SIZE`).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

/// Everything but the secret.
impl fmt::Debug for PullBudgetsArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PullBudgetsArgs")
            .field("year", &self.year)
            .field("municipalities", &self.municipalities)
            .field("format", &self.format)
            .field("api_url", &self.api_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scope", &self.scope)
            .field("page_size", &self.page_size)
            .finish()
    }
}

/// How the budget lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON array of objects, with the CSV's column names as keys.
    Json,
}

/// Gets a token for the client in `args`, pulls every budget line of `args.year` (of
/// `args.municipalities`, when given) from the API, and writes them to `out` in `args.format`.
pub async fn pull_budgets(
    args: &PullBudgetsArgs,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    if args.page_size == 0 {
        bail!("--page-size must be at least 1");
    }
    let http = reqwest::Client::builder()
        // oauth2 5 asks for no redirects on the token request (SSRF); the API needs none either.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("vestegn-pull-budgets/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot set up the HTTP client")?;
    let token = access_token(args, &http).await?;
    let lines = budget_lines(args, &http, &token).await?;
    let rows: Vec<BudgetRow> = lines
        .into_iter()
        .map(BudgetRow::try_from)
        .collect::<anyhow::Result<_>>()?;
    let mut out = std::io::BufWriter::new(out);
    match args.format {
        OutputFormat::Csv => write_csv(&mut out, &rows),
        OutputFormat::Json => write_json(&mut out, &rows),
    }
    .and_then(|()| out.flush())
    .context("cannot write the budget lines")
}

/// An access token from the client credentials grant (RFC 6749 §4.4), authenticating with HTTP
/// Basic.
async fn access_token(
    args: &PullBudgetsArgs,
    http: &reqwest::Client,
) -> anyhow::Result<oauth2::AccessToken> {
    let token_url = TokenUrl::new(args.token_url.clone())
        .with_context(|| format!("--token-url {:?} is not a URL", args.token_url))?;
    let client = BasicClient::new(ClientId::new(args.client_id.clone()))
        .set_client_secret(ClientSecret::new(args.client_secret.clone()))
        .set_token_uri(token_url);
    let response = client
        .exchange_client_credentials()
        .add_scopes(
            args.scope
                .split_whitespace()
                .map(|s| Scope::new(s.to_owned())),
        )
        .request_async(http)
        .await
        .map_err(|error| match error {
            RequestTokenError::ServerResponse(refusal) => anyhow!(
                "the token endpoint {} refused client {:?}: {refusal}",
                args.token_url,
                args.client_id
            ),
            other => anyhow::Error::new(other).context(format!(
                "cannot get a token from {} for client {:?}",
                args.token_url, args.client_id
            )),
        })?;
    Ok(response.access_token().clone())
}

/// The `budgetLines` query: one page after a cursor, with what the output needs. A trusted
/// document: the server registers this file when it is built, and the client sends its id.
const BUDGET_LINES_QUERY: &str = include_str!("pull_budget_lines.graphql");

/// The id the server registers [`BUDGET_LINES_QUERY`] under: `sha256:` and its SHA-256 in hex.
fn document_id() -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(BUDGET_LINES_QUERY.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Every budget line of the year (and municipalities) in `args`, page by page in the server's
/// stable order.
async fn budget_lines(
    args: &PullBudgetsArgs,
    http: &reqwest::Client,
    token: &oauth2::AccessToken,
) -> anyhow::Result<Vec<BudgetLine>> {
    let codes = (!args.municipalities.is_empty()).then_some(&args.municipalities);
    let mut lines = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let variables = json!({
            "year": args.year,
            "codes": codes,
            "first": args.page_size,
            "after": after,
        });
        let page = fetch_page(args, http, token, variables)
            .await
            .with_context(|| {
                format!(
                    "cannot read page {} of the budget lines from {}",
                    lines.len() / args.page_size as usize + 1,
                    args.api_url
                )
            })?;
        lines.extend(page.edges.into_iter().map(|edge| edge.node));
        if !page.page_info.has_next_page {
            return Ok(lines);
        }
        match page.page_info.end_cursor {
            Some(cursor) if after.as_ref() != Some(&cursor) => after = Some(cursor),
            _ => bail!(
                "the API at {} says there is a next page but gives no new cursor",
                args.api_url
            ),
        }
    }
}

/// One page of `budgetLines`. Any error in the response, or a status other than 2xx, fails it,
/// with each error's `extensions.code`.
async fn fetch_page(
    args: &PullBudgetsArgs,
    http: &reqwest::Client,
    token: &oauth2::AccessToken,
    variables: serde_json::Value,
) -> anyhow::Result<BudgetLinePage> {
    let response = http
        .post(&args.api_url)
        .bearer_auth(token.secret())
        .header(
            reqwest::header::ACCEPT,
            "application/graphql-response+json, application/json;q=0.9",
        )
        .json(&json!({ "documentId": document_id(), "variables": variables }))
        .send()
        .await
        .context("the request failed")?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .with_context(|| format!("cannot read the response ({status})"))?;
    let parsed: Option<GraphQlResponse> = serde_json::from_slice(&body).ok();
    if let Some(errors) = parsed
        .as_ref()
        .map(|parsed| &parsed.errors)
        .filter(|errors| !errors.is_empty())
    {
        let errors: Vec<String> = errors.iter().map(GraphQlError::describe).collect();
        bail!("the API answered {status}: {}", errors.join("; "));
    }
    if !status.is_success() {
        bail!(
            "the API answered {status}: {}",
            excerpt(&String::from_utf8_lossy(&body))
        );
    }
    let Some(GraphQlResponse {
        data: Some(data), ..
    }) = parsed
    else {
        bail!(
            "the API's answer is not a GraphQL response with data: {}",
            excerpt(&String::from_utf8_lossy(&body))
        );
    };
    Ok(data.budget_lines)
}

/// At most the first 200 characters of `text`, for error messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A GraphQL response, as much of it as this client reads.
#[derive(Deserialize)]
struct GraphQlResponse {
    data: Option<BudgetLinesData>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

/// One error of a GraphQL response.
#[derive(Deserialize)]
struct GraphQlError {
    message: String,
    #[serde(default)]
    extensions: Option<GraphQlErrorExtensions>,
}

/// The part of an error's `extensions` this client reads.
#[derive(Deserialize)]
struct GraphQlErrorExtensions {
    code: Option<String>,
}

impl GraphQlError {
    /// `CODE: message`, or just the message when the error has no code.
    fn describe(&self) -> String {
        match self.extensions.as_ref().and_then(|ext| ext.code.as_deref()) {
            Some(code) => format!("{code}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BudgetLinesData {
    budget_lines: BudgetLinePage,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BudgetLinePage {
    page_info: PageInfo,
    edges: Vec<BudgetLineEdge>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
struct BudgetLineEdge {
    node: BudgetLine,
}

/// A budget line as the API sends it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BudgetLine {
    id: String,
    year: i32,
    category: Option<String>,
    phase: Option<String>,
    /// A decimal string (the `Decimal` scalar), kept as sent.
    amount: Option<String>,
    function_code: Option<String>,
    description: String,
    municipality: Option<NamedMunicipality>,
    unit: Option<NamedUnit>,
    provenance: LineProvenance,
}

#[derive(Deserialize)]
struct NamedMunicipality {
    code: i32,
    name: String,
}

#[derive(Deserialize)]
struct NamedUnit {
    name: String,
}

#[derive(Deserialize)]
struct LineProvenance {
    section: String,
    source: Option<SourceKey>,
}

#[derive(Deserialize)]
struct SourceKey {
    key: String,
}

/// One line of the output; the field names are the CSV header and the JSON keys.
#[derive(Debug, Serialize)]
struct BudgetRow {
    municipality_code: Option<i32>,
    municipality: Option<String>,
    year: i32,
    category: Option<String>,
    phase: Option<String>,
    /// DKK, exact to the øre, as the API sent it.
    amount_dkk: Option<String>,
    function_code: Option<String>,
    description: String,
    unit: Option<String>,
    source: Option<String>,
    section: String,
}

/// The CSV header: [`BudgetRow`]'s fields, in order.
const CSV_HEADER: [&str; 11] = [
    "municipality_code",
    "municipality",
    "year",
    "category",
    "phase",
    "amount_dkk",
    "function_code",
    "description",
    "unit",
    "source",
    "section",
];

impl TryFrom<BudgetLine> for BudgetRow {
    type Error = anyhow::Error;

    /// Checks that the amount is a decimal number (without changing how it is written).
    fn try_from(line: BudgetLine) -> anyhow::Result<Self> {
        if let Some(amount) = &line.amount {
            Decimal::from_str_exact(amount).with_context(|| {
                format!(
                    "budget line {} has an amount that is not a decimal number: {amount:?}",
                    line.id
                )
            })?;
        }
        let (municipality_code, municipality) = match line.municipality {
            Some(m) => (Some(m.code), Some(m.name)),
            None => (None, None),
        };
        Ok(Self {
            municipality_code,
            municipality,
            year: line.year,
            category: line.category,
            phase: line.phase,
            amount_dkk: line.amount,
            function_code: line.function_code,
            description: line.description,
            unit: line.unit.map(|unit| unit.name),
            source: line.provenance.source.map(|source| source.key),
            section: line.provenance.section,
        })
    }
}

/// Writes a header row and one row per budget line (RFC 4180: CRLF line ends, fields quoted
/// where needed), with the `csv` crate; the header also when there are no lines.
fn write_csv(out: &mut impl Write, rows: &[BudgetRow]) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()
}

/// Writes the rows as one JSON array (amounts as strings) and a final line end.
fn write_json(out: &mut impl Write, rows: &[BudgetRow]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed_and_missing_values_are_empty() {
        let row = |description: &str| BudgetRow {
            municipality_code: Some(183),
            municipality: Some("Ishøj".to_owned()),
            year: 2023,
            category: None,
            phase: None,
            amount_dkk: Some("5280000.00".to_owned()),
            function_code: None,
            description: description.to_owned(),
            unit: None,
            source: Some("002".to_owned()),
            section: "Økonomi".to_owned(),
        };
        let mut out = Vec::new();
        let descriptions = ["5,28 mio. kr.", "say \"hi\"", "two\nlines", "plain"];
        write_csv(&mut out, &descriptions.map(row)).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "183,Ishøj,2023,,,5280000.00,,\"5,28 mio. kr.\",,002,Økonomi"
        );
        assert_eq!(
            lines[2],
            "183,Ishøj,2023,,,5280000.00,,\"say \"\"hi\"\"\",,002,Økonomi"
        );
        assert_eq!(
            lines[3],
            "183,Ishøj,2023,,,5280000.00,,\"two\nlines\",,002,Økonomi"
        );
        assert_eq!(lines[4], "183,Ishøj,2023,,,5280000.00,,plain,,002,Økonomi");
        assert_eq!(lines[5], "", "the last record ends with CRLF");
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let args = PullBudgetsArgs {
            year: 2023,
            municipalities: vec![],
            format: OutputFormat::Csv,
            api_url: "http://127.0.0.1:8080/graphql".to_owned(),
            token_url: "http://127.0.0.1:1/token".to_owned(),
            client_id: "budget-sync".to_owned(),
            client_secret: "very-secret".to_owned(),
            scope: "budgets:read".to_owned(),
            page_size: 100,
        };
        let debug = format!("{args:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("budget-sync"), "{debug}");
    }
}
