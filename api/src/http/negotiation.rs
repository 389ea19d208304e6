//! Content negotiation of GraphQL over HTTP: which media type the client accepts.

use axum::http::{header, HeaderMap};

/// The media types a GraphQL response can be sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: the legacy type; 200 for every well-formed request.
    Json,
}

impl ResponseType {
    pub const GRAPHQL_RESPONSE: &'static str = "application/graphql-response+json";
    pub const JSON: &'static str = "application/json";

    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// A short name of the type, for entity tags (one answer in two types is two
    /// representations).
    pub fn tag(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "gr",
            Self::Json => "j",
        }
    }

    /// Picks the type from the `Accept` header: the acceptable type with the highest `q`, the
    /// new type on ties; `application/json` for wildcards (what `fetch` sends by default) and when
    /// there is no header, as the spec says for legacy clients; none when nothing offered is
    /// acceptable.
    pub fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Some(Self::Json);
        };
        let accept = accept.to_str().ok()?;
        let mut best: Option<(f32, Self)> = None;
        for item in accept.split(',') {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let offered = match media.as_str() {
                Self::GRAPHQL_RESPONSE => Self::GraphqlResponse,
                Self::JSON | "*/*" | "application/*" => Self::Json,
                _ => continue,
            };
            let better = match best {
                None => true,
                Some((q, current)) => {
                    quality > q
                        || (quality == q
                            && offered == Self::GraphqlResponse
                            && current == Self::Json)
                }
            };
            if quality > 0.0 && better {
                best = Some((quality, offered));
            }
        }
        best.map(|(_, offered)| offered)
    }
}

/// Whether the request body is declared as JSON (`application/json`, any charset).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(ResponseType::JSON))
}

/// Whether a browser asks for a page (then `GET /graphql` serves GraphiQL).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use axum::http::{header, HeaderMap, HeaderValue};

    use super::ResponseType::{self, GraphqlResponse, Json};

    fn negotiate(accept: Option<&'static str>) -> Option<ResponseType> {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
        }
        ResponseType::negotiate(&headers)
    }

    #[test]
    fn picks_the_media_type_the_client_prefers() {
        assert_eq!(negotiate(None), Some(Json), "legacy clients send no Accept");
        assert_eq!(negotiate(Some("application/json")), Some(Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json")),
            Some(GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some("*/*")),
            Some(Json),
            "what fetch sends by default"
        );
        assert_eq!(negotiate(Some("application/*")), Some(Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json, */*;q=0.8")),
            Some(GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Json),
            "a higher q wins"
        );
        assert_eq!(
            negotiate(Some("application/json, application/graphql-response+json")),
            Some(GraphqlResponse)
        );
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(
            negotiate(Some("application/json;q=0")),
            None,
            "q=0 means not acceptable"
        );
    }
}
