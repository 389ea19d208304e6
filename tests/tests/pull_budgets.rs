//! The budget client (`vestegn-pull-budgets`, also `vestegn pull-budgets`) end to end: a token from the tests' OpenID provider by the client
//! credentials grant over real HTTP, then the real server on a real port, paged through with the
//! keyset cursor, written as CSV or JSON with exact amounts.
//!
//! Budget lines are made private first, so that what the pull gets proves the token was sent and
//! read: without it, or without the `budgets:read` scope, a client sees no private line.

use budget_client::{pull_budgets, OutputFormat, PullBudgetsArgs};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use vestegn_api::config::{AuthConfig, Limits};
use vestegn_tests::{issuer::TestIssuer, on_each_backend, RunningServer, TestApp};

const CLIENT: &str = "budget-sync";
const SECRET: &str = "budget-sync-secret";

/// Pull arguments for `client` against the API at `api_url`, with the issuer's token endpoint.
fn args(issuer: &TestIssuer, api_url: String, client: &str, secret: &str) -> PullBudgetsArgs {
    PullBudgetsArgs {
        year: 2023,
        municipalities: vec![],
        format: OutputFormat::Csv,
        api_url,
        token_url: issuer.token_endpoint(),
        client_id: client.to_owned(),
        client_secret: secret.to_owned(),
        scope: "budgets:read".to_owned(),
        page_size: 1,
    }
}

/// Runs the pull and returns what it wrote.
async fn pull(args: &PullBudgetsArgs) -> anyhow::Result<String> {
    let mut out = Vec::new();
    pull_budgets(args, &mut out).await?;
    Ok(String::from_utf8(out).expect("the output is UTF-8"))
}

/// Runs a pull that must fail and returns its error with every cause (`{:#}`, as `main` shows it).
async fn pull_error(args: &PullBudgetsArgs) -> String {
    match pull(args).await {
        Ok(output) => panic!("the pull succeeded: {output}"),
        Err(error) => format!("{error:#}"),
    }
}

/// Serves the app's real router, checking tokens of `issuer`, on a free port.
async fn serve(app: &TestApp, issuer: &TestIssuer) -> (RunningServer, String) {
    let router = app.router_with_auth(&AuthConfig {
        issuer: Some(issuer.issuer()),
        ..AuthConfig::default()
    });
    let server = RunningServer::start(router, Limits::default()).await;
    let url = format!("http://{}/graphql", server.address);
    (server, url)
}

async fn make_budget_lines_private(app: &TestApp) {
    app.db
        .execute_unprepared("UPDATE budget_lines SET visibility = 'private'")
        .await
        .expect("make the budget lines private");
}

/// Høje-Taastrup's (169) budget lines of 2023 as CSV: amounts exact to the øre, lines without an
/// amount empty, descriptions with commas quoted.
const HOEJE_TAASTRUP_2023_CSV: &str = "\
municipality_code,municipality,year,category,phase,amount_dkk,function_code,description,unit,source,section\r
169,Høje-Taastrup,2023,FRAME,ADOPTED,5280000.00,,\"Den økonomiske ramme for arbejdet er 5,28 mio. kr. årligt til kriminalpræventive indsatser.\",Kriminalpræventivt Team,004,Økonomi\r
169,Høje-Taastrup,2023,SALARIES,ADOPTED,4600000.00,,\"Heraf er 4,6 mio. løn til 7 medarbejdere (pr. 01.07.2023).\",Kriminalpræventivt Team,004,Økonomi\r
169,Høje-Taastrup,2023,PROJECT_FUNDS,PROPOSED,,,Hertil kommer projektmidler (...) som løbende tilstræbes.,Kriminalpræventivt Team,004,Økonomi\r
169,Høje-Taastrup,2023,EXTERNAL_FUNDING,PROPOSED,,,\"Hertil kommer (...) anden ekstern finansiering, som løbende tilstræbes.\",Kriminalpræventivt Team,004,Økonomi\r
";

#[tokio::test]
async fn pulls_the_granted_municipalitys_private_lines_page_by_page_as_csv() {
    let issuer = TestIssuer::start().await;
    issuer.register_client(CLIENT, SECRET, "budgets:read", &[169]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            make_budget_lines_private(&app).await;
            let (_server, url) = serve(&app, issuer).await;

            // No --municipality: everything the client may read. Every line is private now, so
            // that is exactly the granted municipality's, one page per line.
            let csv = pull(&args(issuer, url, CLIENT, SECRET))
                .await
                .unwrap_or_else(|error| panic!("{}: {error:#}", app.label()));
            assert_eq!(csv, HOEJE_TAASTRUP_2023_CSV, "{}", app.label());
        }
    })
    .await;
}

#[tokio::test]
async fn pulls_only_the_municipalities_asked_for_as_json() {
    let issuer = TestIssuer::start().await;
    // Granted Ishøj (183) too, which has budget lines of 2023: asking for 169 leaves them out.
    issuer.register_client(CLIENT, SECRET, "budgets:read", &[169, 183]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            make_budget_lines_private(&app).await;
            let (_server, url) = serve(&app, issuer).await;
            let mut args = args(issuer, url, CLIENT, SECRET);
            args.municipalities = vec![169];
            args.format = OutputFormat::Json;
            args.page_size = 3;

            let output = pull(&args)
                .await
                .unwrap_or_else(|error| panic!("{}: {error:#}", app.label()));
            let lines: Value = serde_json::from_str(&output).expect("one JSON document");
            let line = |category: &str, phase: &str, amount: Value, description: &str| {
                json!({
                    "municipality_code": 169,
                    "municipality": "Høje-Taastrup",
                    "year": 2023,
                    "category": category,
                    "phase": phase,
                    "amount_dkk": amount,
                    "function_code": null,
                    "description": description,
                    "unit": "Kriminalpræventivt Team",
                    "source": "004",
                    "section": "Økonomi",
                })
            };
            assert_eq!(
                lines,
                json!([
                    line(
                        "FRAME",
                        "ADOPTED",
                        json!("5280000.00"),
                        "Den økonomiske ramme for arbejdet er 5,28 mio. kr. årligt til kriminalpræventive indsatser."
                    ),
                    line(
                        "SALARIES",
                        "ADOPTED",
                        json!("4600000.00"),
                        "Heraf er 4,6 mio. løn til 7 medarbejdere (pr. 01.07.2023)."
                    ),
                    line(
                        "PROJECT_FUNDS",
                        "PROPOSED",
                        Value::Null,
                        "Hertil kommer projektmidler (...) som løbende tilstræbes."
                    ),
                    line(
                        "EXTERNAL_FUNDING",
                        "PROPOSED",
                        Value::Null,
                        "Hertil kommer (...) anden ekstern finansiering, som løbende tilstræbes."
                    ),
                ]),
                "{}",
                app.label()
            );

            // Ishøj is granted too: without --municipality its lines come along.
            args.municipalities = vec![];
            let output = pull(&args).await.expect("pull without --municipality");
            let codes: Vec<i64> = serde_json::from_str::<Value>(&output).expect("JSON")
                .as_array()
                .expect("an array")
                .iter()
                .map(|line| line["municipality_code"].as_i64().expect("a code"))
                .collect();
            assert!(codes.contains(&169) && codes.contains(&183), "{}: {codes:?}", app.label());
            assert!(codes.iter().all(|code| [169, 183].contains(code)), "{}: {codes:?}", app.label());
        }
    })
    .await;
}

#[tokio::test]
async fn a_client_without_the_scope_gets_no_token_for_it_and_no_private_lines() {
    let issuer = TestIssuer::start().await;
    issuer.register_client("dashboard", "dashboard-secret", "reports:read", &[169]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            make_budget_lines_private(&app).await;
            let (_server, url) = serve(&app, issuer).await;
            let mut args = args(issuer, url, "dashboard", "dashboard-secret");

            // Asking for `budgets:read`, which the client does not have: the provider refuses.
            let error = pull_error(&args).await;
            assert!(
                error.contains("refused client \"dashboard\": invalid_scope"),
                "{}: {error}",
                app.label()
            );

            // With the scope it has, the token works but reads only public lines: none here.
            args.scope = "reports:read".to_owned();
            let csv = pull(&args)
                .await
                .unwrap_or_else(|error| panic!("{}: {error:#}", app.label()));
            assert_eq!(
                csv,
                "municipality_code,municipality,year,category,phase,amount_dkk,function_code,\
                 description,unit,source,section\r\n",
                "{}",
                app.label()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_wrong_secret_fails_at_the_token_endpoint_without_showing_a_secret() {
    let issuer = TestIssuer::start().await;
    issuer.register_client(CLIENT, SECRET, "budgets:read", &[169]);
    // Nothing listens at the API's URL: the pull must stop at the token.
    let args = args(
        &issuer,
        "http://127.0.0.1:9/graphql".to_owned(),
        CLIENT,
        "not-the-secret",
    );
    let error = pull_error(&args).await;
    assert_eq!(
        error,
        format!(
            "the token endpoint {} refused client \"budget-sync\": invalid_client",
            issuer.token_endpoint()
        )
    );
    assert!(!error.contains("not-the-secret") && !error.contains(SECRET));
}

#[tokio::test]
async fn the_apis_errors_fail_the_pull_with_their_codes() {
    let issuer = TestIssuer::start().await;
    issuer.register_client(CLIENT, SECRET, "budgets:read", &[169]);
    let other_issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        let other_issuer = &other_issuer;
        async move {
            // A server that trusts another issuer refuses the token.
            let (_server, url) = serve(&app, other_issuer).await;
            let error = pull_error(&args(issuer, url, CLIENT, SECRET)).await;
            assert!(
                error.contains("cannot read page 1 of the budget lines"),
                "{error}"
            );
            assert!(
                error.contains(
                    "the API answered 401 Unauthorized: UNAUTHENTICATED: not authenticated"
                ),
                "{}: {error}",
                app.label()
            );

            // A page larger than the server allows is refused, with the argument's code.
            let (_server, url) = serve(&app, issuer).await;
            let mut args = args(issuer, url, CLIENT, SECRET);
            args.page_size = 101;
            let error = pull_error(&args).await;
            assert!(
                error.contains("BAD_USER_INPUT: first must be between 0 and 100"),
                "{}: {error}",
                app.label()
            );
        }
    })
    .await;
}
