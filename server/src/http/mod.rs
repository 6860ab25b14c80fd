//! The HTTP API: the router, thin handlers (parse, call the service, map errors), the
//! OpenAPI document and the web UI.

pub mod error;
pub mod extract;

use crate::service::{
    ChoiceRequest, CompleteBody, ConfigurationPatch, ExplainRequest, Limits, NewConfiguration,
    Service, Ticket,
};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, patch, post, put, MethodRouter};
use axum::{Json, Router};
use error::ApiError;
use extract::OptionalJsonBody;
use extract::{CatalogBody, JsonBody, PathParams, Token};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub type AppState = Arc<Service>;

/// The OpenAPI document, hand-written; `tests` check it lists exactly the routes below.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every API route: (method, path, handler). The router is built from this table, so the
/// OpenAPI test compares the document against the real routes.
pub fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("get", "/healthz", get(healthz)),
        ("get", "/api/openapi.json", get(openapi)),
        ("get", "/api/catalogs", get(list_catalogs)),
        ("post", "/api/catalogs", post(create_catalog)),
        ("get", "/api/catalogs/{id}", get(get_catalog)),
        ("put", "/api/catalogs/{id}", put(update_catalog)),
        ("post", "/api/catalogs/{id}/publish", post(publish)),
        (
            "get",
            "/api/catalogs/{id}/versions/{version}",
            get(get_version),
        ),
        ("get", "/api/catalogs/{id}/insights", get(insights)),
        ("get", "/api/catalogs/{id}/presets", get(presets)),
        ("post", "/api/configurations", post(create_configuration)),
        ("get", "/api/configurations/{id}", get(get_configuration)),
        (
            "patch",
            "/api/configurations/{id}",
            patch(patch_configuration),
        ),
        ("post", "/api/configurations/{id}/choices", post(choose)),
        ("post", "/api/configurations/{id}/explain", post(explain)),
        ("post", "/api/configurations/{id}/complete", post(complete)),
        ("post", "/api/configurations/{id}/quote", post(quote)),
        ("get", "/api/quotes/{id}", get(get_quote)),
    ]
}

/// The whole application: API routes, JSON 404/405 under `/api`, body limit, panic guard,
/// and the web UI (or a placeholder page) for every other path.
pub fn app(service: Arc<Service>, web: &Path) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    let ui: Router = if web.join("index.html").is_file() {
        Router::new().fallback_service(tower_http::services::ServeDir::new(web))
    } else {
        Router::new().fallback(placeholder)
    };
    router
        .route("/api", any(no_route))
        .route("/api/{*rest}", any(no_route))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .with_state(service)
        .fallback_service(ui)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("the request failed unexpectedly; nothing was acknowledged").into_response()
}

async fn no_route() -> ApiError {
    ApiError::not_found("no-route", "no such API route; see /api/openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not accept that method; see /api/openapi.json",
    )
}

async fn placeholder() -> Html<&'static str> {
    Html(include_str!("placeholder.html"))
}

/// Runs service work on tokio's blocking pool under the request time limit. At the limit the
/// request answers 503 unless the work is already writing, which it then finishes (a timed-out
/// request never wrote; see `service::Ticket`).
async fn run<T: Send + 'static>(
    service: AppState,
    work: impl FnOnce(&Service, &Ticket) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let ticket = Arc::new(Ticket::default());
    let limit = service.limits.solve_timeout;
    let t = ticket.clone();
    let mut handle = tokio::task::spawn_blocking(move || work(&service, &t));
    let joined = match tokio::time::timeout(limit, &mut handle).await {
        Ok(joined) => joined,
        Err(_) => loop {
            if ticket.cancel() {
                return Err(ApiError::timeout(limit));
            }
            tokio::select! {
                joined = &mut handle => break joined,
                _ = tokio::time::sleep(Duration::from_millis(5)) => {}
            }
        },
    };
    joined.map_err(|e| ApiError::internal(format!("the request's work failed: {e}")))?
}

async fn healthz() -> Json<Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn list_catalogs(
    State(s): State<AppState>,
    Token(t): Token,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.list_catalogs(t.as_deref()))
        .await
        .map(Json)
}

async fn create_catalog(
    State(s): State<AppState>,
    Token(t): Token,
    CatalogBody(text, format): CatalogBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    run(s, move |s, ticket| {
        // Authorize before parsing, so that anonymous callers learn nothing.
        s.manufacturer(t.as_deref())?;
        let catalog = s.parse_catalog(&text, format, "imported")?;
        s.create_catalog(t.as_deref(), catalog, ticket)
    })
    .await
    .map(|v| (StatusCode::CREATED, Json(v)))
}

async fn update_catalog(
    State(s): State<AppState>,
    Token(t): Token,
    PathParams(id): PathParams<String>,
    CatalogBody(text, format): CatalogBody,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, ticket| {
        s.manufacturer(t.as_deref())?;
        let mut catalog = s.parse_catalog(&text, format, &id)?;
        if matches!(format, crate::service::BodyFormat::Uvl) {
            catalog.id = id.clone();
        }
        s.update_catalog(t.as_deref(), &id, catalog, ticket)
    })
    .await
    .map(Json)
}

async fn publish(
    State(s): State<AppState>,
    Token(t): Token,
    PathParams(id): PathParams<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    run(s, move |s, ticket| s.publish(t.as_deref(), &id, ticket))
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

async fn get_catalog(
    State(s): State<AppState>,
    Token(t): Token,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.get_catalog(t.as_deref(), &id))
        .await
        .map(Json)
}

async fn get_version(
    State(s): State<AppState>,
    PathParams((id, version)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let version: u32 = version.parse().map_err(|_| {
        ApiError::bad_request(
            "bad-version",
            format!("version {version:?} is not a version number (1, 2, ...)"),
        )
    })?;
    run(s, move |s, _| s.get_version(&id, version))
        .await
        .map(Json)
}

async fn presets(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.presets(&id)).await.map(Json)
}

async fn insights(
    State(s): State<AppState>,
    Token(t): Token,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.insights(t.as_deref(), &id))
        .await
        .map(Json)
}

async fn create_configuration(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<NewConfiguration>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    run(s, move |s, ticket| s.create_configuration(req, ticket))
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

async fn get_configuration(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.get_configuration(&id)).await.map(Json)
}

async fn patch_configuration(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
    JsonBody(req): JsonBody<ConfigurationPatch>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, ticket| s.patch_configuration(&id, req, ticket))
        .await
        .map(Json)
}

async fn choose(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
    JsonBody(req): JsonBody<ChoiceRequest>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, ticket| s.choose(&id, req, ticket))
        .await
        .map(Json)
}

async fn explain(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
    JsonBody(req): JsonBody<ExplainRequest>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.explain(&id, req)).await.map(Json)
}

async fn complete(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
    OptionalJsonBody(req): OptionalJsonBody<CompleteBody>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.complete(&id, req)).await.map(Json)
}

async fn quote(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    run(s, move |s, ticket| s.quote(&id, ticket))
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

async fn get_quote(
    State(s): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    run(s, move |s, _| s.get_quote(&id)).await.map(Json)
}

/// Serves until Ctrl-C / SIGTERM. Prints `listening on http://ADDR` first on stdout.
pub async fn serve(service: Arc<Service>, addr: &str, web: &Path) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
    }
    axum::serve(listener, app(service, web))
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Unused limits are kept for the command line's help text.
pub fn default_limits() -> Limits {
    Limits {
        max_conflicts: configurator_core::Effort::default().max_conflicts,
        solve_timeout: Duration::from_secs(10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn openapi_lists_exactly_the_routes() {
        let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.json parses");
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if method != "parameters" {
                    documented.insert((method.clone(), path.clone()));
                }
            }
        }
        let routed: BTreeSet<_> = routes()
            .into_iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(documented, routed);
    }
}
