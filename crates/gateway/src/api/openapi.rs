//! The parts of the OpenAPI document that belong to no one route: the API's description, its
//! security schemes and the error shape every route can answer with. The routes add themselves
//! (see [`super::routes`]); [`finish`] gives every operation the error response.

use crate::error::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Augury venue API",
        description = "The REST API of an Augury prediction-market venue. Money is integer \
            micro-dollars; prices are in the order's own side (a NO bought at 0.30 is 300000). \
            Changes are answered only once durable. Requests that change state are signed with \
            the key's Ed25519 key (docs/api-signing.md); reads may instead send \
            `Authorization: Bearer <token>`. Every error is `{\"error\":{\"code\",\"message\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "markets", description = "Markets: finding them, what they ask and its revisions, books, trades, candles"),
        (name = "events", description = "Events and series that group markets, and the categories"),
        (name = "resolution", description = "How markets end: rules, index values, proposals, disputes, votes, settlement"),
        (name = "amm", description = "The LMSR market maker beside a market's book"),
        (name = "orders", description = "Placing and managing orders"),
        (name = "portfolio", description = "The caller's balance, positions, fills, settlements and sets"),
        (name = "accounts", description = "Deposits and withdrawals (admin)"),
        (name = "keys", description = "API keys"),
        (name = "audit", description = "Signed checkpoints of the journal and inclusion proofs of one's fills"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "intel", description = "Crypto intelligence per asset: candles, grades, signals, indicators, threshold probabilities")
    )
)]
struct Base;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "signed",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Augury-Signature",
                "Base64 Ed25519 signature of the request, sent with Augury-Key (key id), \
                 Augury-Timestamp (ms) and Augury-Nonce; see docs/api-signing.md.",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The key's secret token (aug_...); reads only."))
                    .build(),
            ),
        );
    }
}

/// The document's fixed parts, before the routes add theirs.
pub(super) fn base() -> OpenApi {
    Base::openapi()
}

/// Every operation can answer with an error (429 from the rate limits, 503 from a full queue,
/// 400/401/403/404/413/422 from its checks): a `default` response with the error shape says so.
pub(super) fn finish(openapi: &mut OpenApi) {
    let error = ResponseBuilder::new()
        .description("An error: `{\"error\":{\"code\",\"message\",\"details\"}}`")
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody")))),
        )
        .build();
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation.responses.responses.entry("default".to_string()).or_insert_with(|| error.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// A schema flattened into another (`allOf`) must allow the fields around it: with
    /// `additionalProperties: false` (what `deny_unknown_fields` turns into) every answer that
    /// embeds it would violate the document. Schemathesis finds this only when it happens to
    /// validate such an answer; this finds it every time.
    #[test]
    fn no_schema_flattened_into_another_forbids_other_fields() {
        let document = serde_json::to_value(super::super::document()).unwrap();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        let mut flattened = Vec::new();
        for schema in schemas.values() {
            for part in schema["allOf"].as_array().into_iter().flatten() {
                if let Some(reference) = part["$ref"].as_str() {
                    flattened.push(reference.trim_start_matches("#/components/schemas/").to_string());
                }
            }
        }
        assert!(flattened.contains(&"MarketInfo".to_string()), "MarketView flattens MarketInfo: {flattened:?}");
        for name in flattened {
            let closed = schemas[&name].get("additionalProperties") == Some(&Value::Bool(false));
            assert!(!closed, "{name} is flattened into another schema but forbids additional properties");
        }
    }
}
