//! The web app, served by `augury serve` at `/`: a single page whose JavaScript modules talk to
//! the same REST API and WebSocket a bot uses. Every asset is embedded in the binary at build
//! time (nothing is fetched at run time, no Node.js is needed to build), and every answer carries
//! a Content-Security-Policy that allows no inline script or style, plus the usual hardening
//! headers.
//!
//! Routing happens in the browser (`#/market/7`), so the server knows three things only: `/` is
//! the page, `/assets/<name>` are its files, and anything else is the API's.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset { name: $name, content_type: $type, body: include_bytes!(concat!("../assets/", $name)) }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the app is made of.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("format.js", JS),
    asset!("dom.js", JS),
    asset!("chart.js", JS),
    asset!("live.js", JS),
    asset!("markets.js", JS),
    asset!("market.js", JS),
    asset!("auth.js", JS),
    asset!("trade.js", JS),
    asset!("audit.js", JS),
    asset!("resolution.js", JS),
    asset!("portfolio.js", JS),
    asset!("intel.js", JS),
    asset!("console.js", JS),
    asset!("favicon.svg", "image/svg+xml"),
];

/// No inline script or style, nothing from elsewhere but images (a market's illustration is an
/// https URL chosen by the operator), no framing, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// The headers every page and asset carries.
fn hardening(headers: &mut HeaderMap) {
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
        (header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=()"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Each asset's entity tag: a hash of its bytes, so a browser revalidates cheaply and never keeps
/// a stale file after an upgrade.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.body);
                let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

/// For working on the app: with `AUGURY_WEB_DIR` set (when the venue starts), files are read from
/// that directory on every request instead of the embedded copies, so a change shows on reload
/// without rebuilding. Only plain names (`[a-z0-9_-]+.ext`) are served from it.
fn from_dev_dir(name: &str) -> Option<(Vec<u8>, &'static str)> {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let dir = DIR.get_or_init(|| std::env::var_os("AUGURY_WEB_DIR").map(Into::into)).as_ref()?;
    let (stem, ext) = name.rsplit_once('.')?;
    let plain = !stem.is_empty()
        && stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    let content_type = match ext {
        "js" => JS,
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => return None,
    };
    plain.then(|| std::fs::read(dir.join(name)).ok().map(|body| (body, content_type))).flatten()
}

fn serve(name: &str, request_headers: &HeaderMap) -> Response {
    if let Some((body, content_type)) = from_dev_dir(name) {
        let mut response = (StatusCode::OK, body).into_response();
        hardening(response.headers_mut());
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let Some(at) = ASSETS.iter().position(|a| a.name == name) else {
        let mut response = (StatusCode::NOT_FOUND, "no such file").into_response();
        hardening(response.headers_mut());
        return response;
    };
    let asset = &ASSETS[at];
    let etag = &etags()[at];
    let fresh = request_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    let mut response =
        if fresh { StatusCode::NOT_MODIFIED.into_response() } else { (StatusCode::OK, asset.body).into_response() };
    let headers = response.headers_mut();
    hardening(headers);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::ETAG, HeaderValue::from_str(etag).expect("a hex etag is a valid header"));
    // Revalidate every time: the files are small, and an upgraded venue must never serve an old
    // script beside a new API.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn asset(axum::extract::Path(name): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    serve(&name, &headers)
}

/// The app's routes: `/` and `/assets/{name}`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", get(index)).route("/assets/{name}", get(asset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get_with(path: &str, if_none_match: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        router::<()>().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn the_page_and_its_assets_carry_the_policy_and_revalidate() {
        let page = get_with("/", None).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
        assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        for asset in ASSETS {
            let response = get_with(&format!("/assets/{}", asset.name), None).await;
            assert_eq!(response.status(), StatusCode::OK, "{}", asset.name);
            assert_eq!(response.headers()[header::CONTENT_TYPE], asset.content_type);
            let etag = response.headers()[header::ETAG].to_str().unwrap().to_string();
            let again = get_with(&format!("/assets/{}", asset.name), Some(&etag)).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{}", asset.name);
        }
        assert_eq!(get_with("/assets/../Cargo.toml", None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get_with("/assets/nope.js", None).await.status(), StatusCode::NOT_FOUND);
    }

    /// The policy forbids inline code, so the page must have none: no `<script>` with a body, no
    /// `style=` attribute, no `on...=` handler.
    #[test]
    fn the_page_has_no_inline_script_or_style() {
        let page = std::str::from_utf8(ASSETS[0].body).unwrap();
        for (n, part) in page.split("<script").enumerate().skip(1) {
            let body = part.split_once('>').map(|(_, rest)| rest).unwrap_or("");
            assert!(body.trim_start().starts_with("</script>"), "inline script #{n}");
        }
        assert!(!page.contains("style="), "inline style");
        assert!(!page.contains("<style"), "inline style element");
        let lower = page.to_lowercase();
        let handler = lower.match_indices(" on").any(|(at, _)| {
            let name: String = lower[at + 3..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            !name.is_empty() && lower[at + 3 + name.len()..].starts_with('=')
        });
        assert!(!handler, "an inline event handler");
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let code = std::str::from_utf8(asset.body).unwrap();
            assert!(!code.contains("innerHTML"), "{}: build nodes with textContent, never innerHTML", asset.name);
            assert!(!code.contains("eval("), "{}", asset.name);
        }
    }
}
