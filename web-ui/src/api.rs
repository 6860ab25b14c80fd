//! The server's JSON API (see `server/src/http/openapi.json`): typed views of the answers the
//! UI reads, and one error type with a message for people.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A failed request, ready to show in the error banner.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status, or 0 when the server could not be reached.
    pub status: u16,
    pub message: String,
    /// The server's JSON error body (`error`, `detail`, and e.g. `diagnostics`, `lint`).
    pub body: Value,
}

impl ApiError {
    fn unreachable(e: impl std::fmt::Display) -> Self {
        ApiError {
            status: 0,
            message: format!(
                "The server cannot be reached ({e}). Check that it is running and try again."
            ),
            body: Value::Null,
        }
    }

    /// An error found in the page itself (no request involved).
    pub fn local(message: impl Into<String>) -> Self {
        ApiError {
            status: 0,
            message: message.into(),
            body: Value::Null,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CatalogSummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub latest: Option<u32>,
    /// With a manufacturer's token: whether it owns the catalog.
    #[serde(default)]
    pub mine: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CatalogList {
    pub catalogs: Vec<CatalogSummary>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct VersionDoc {
    pub catalog: String,
    pub version: u32,
    pub model: Value,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct StoredChoice {
    pub option: String,
    pub action: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct GroupState {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub open: bool,
}

/// One option of the guided question, ranked by the server (needs profile, popularity).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RankedOption {
    /// `group.option`
    pub option: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub score: f64,
    /// Why it ranks where it does, most important first.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// In the current default product.
    #[serde(default)]
    pub default: bool,
}

/// The guided next question. Older servers send only `group` and `name` (the first open
/// question): the page then shows its own short list without reasons.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NextQuestion {
    pub group: String,
    pub name: String,
    /// The short list, best first.
    #[serde(default)]
    pub options: Vec<RankedOption>,
    /// Valid options not on the short list.
    #[serde(default)]
    pub more: usize,
    /// Valid options that another option beats on every attribute that matters.
    #[serde(default)]
    pub dominated: Vec<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BomLine {
    pub option: String,
    pub name: String,
    pub group: String,
    #[serde(default)]
    pub vendor: Option<String>,
    pub price: f64,
    pub kind: String,
    pub chosen_by: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RuleRef {
    pub id: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Conflict {
    #[serde(default)]
    pub rules: Vec<RuleRef>,
    pub message: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Product {
    pub satisfiable: bool,
    pub total: f64,
    pub currency: String,
    #[serde(default)]
    pub lead_time: Option<f64>,
    pub lines: Vec<BomLine>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Repair {
    pub drop: Vec<String>,
    #[serde(default)]
    pub price_delta: Option<f64>,
    #[serde(default)]
    pub total: Option<f64>,
    pub explanation: Conflict,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ChoiceRef {
    pub choice: String,
    pub selected: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RepairReport {
    pub consistent: bool,
    #[serde(default)]
    pub keep: Option<ChoiceRef>,
    pub repairs: Vec<Repair>,
    pub message: String,
    #[serde(default)]
    pub conflict: Option<Conflict>,
}

/// A configuration as the server holds it (`GET`/`POST .../choices`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Configuration {
    pub id: String,
    pub catalog: String,
    pub version: u32,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub shared: bool,
    pub choices: Vec<StoredChoice>,
    pub satisfiable: bool,
    pub options: BTreeMap<String, String>,
    pub groups: Vec<GroupState>,
    /// The needs profile (guided mode), if any.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub next_question: Option<NextQuestion>,
    /// Open questions in the order they would be asked.
    #[serde(default)]
    pub order: Vec<String>,
    #[serde(default)]
    pub product: Option<Product>,
    #[serde(default)]
    pub product_error: Option<String>,
    #[serde(default)]
    pub repairs: Option<RepairReport>,
    #[serde(default)]
    pub quotes: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Quote {
    pub id: String,
    pub configuration: String,
    pub created_at: Value,
    pub bill: Product,
}

async fn read<T: DeserializeOwned>(resp: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let resp = resp.map_err(ApiError::unreachable)?;
    let status = resp.status();
    let text = resp.text().await.map_err(ApiError::unreachable)?;
    if !(200..300).contains(&status) {
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let detail = body["detail"].as_str().unwrap_or(text.as_str());
        let code = body["error"].as_str().unwrap_or("error");
        let message = if (502..=504).contains(&status) && body.is_null() {
            format!("The server is not answering (HTTP {status}). Try again in a moment.")
        } else {
            format!("The request failed (HTTP {status}, {code}): {detail}")
        };
        return Err(ApiError {
            status,
            message,
            body,
        });
    }
    serde_json::from_str(&text).map_err(|e| ApiError {
        status,
        message: format!("The server's answer could not be read: {e}"),
        body: Value::Null,
    })
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(Request::get(path).send().await).await
}

async fn post<T: DeserializeOwned>(path: &str, body: &Value) -> Result<T, ApiError> {
    let req = Request::post(path)
        .json(body)
        .map_err(|e| ApiError::unreachable(format!("request not built: {e}")))?;
    read(req.send().await).await
}

async fn patch<T: DeserializeOwned>(path: &str, body: &Value) -> Result<T, ApiError> {
    let req = Request::patch(path)
        .json(body)
        .map_err(|e| ApiError::unreachable(format!("request not built: {e}")))?;
    read(req.send().await).await
}

pub async fn catalogs() -> Result<CatalogList, ApiError> {
    get("/api/catalogs").await
}

pub async fn version(catalog: &str, version: u32) -> Result<VersionDoc, ApiError> {
    get(&format!(
        "/api/catalogs/{}/versions/{version}",
        encode(catalog)
    ))
    .await
}

/// Starts a configuration, optionally with a needs profile or from a preset.
pub async fn new_configuration(
    catalog: &str,
    profile: Option<String>,
    preset: Option<String>,
) -> Result<Configuration, ApiError> {
    let mut body = serde_json::json!({ "catalog": catalog });
    if let Some(p) = profile {
        body["profile"] = Value::String(p);
    }
    if let Some(p) = preset {
        body["preset"] = Value::String(p);
    }
    post("/api/configurations", &body).await
}

/// `GET /api/catalogs/{id}` (anonymous): the published model, for its profiles and presets.
pub async fn published(catalog: &str) -> Result<Value, ApiError> {
    let v: Value = get(&format!("/api/catalogs/{}", encode(catalog))).await?;
    Ok(v["published"].clone())
}

/// `GET /api/catalogs/{id}/presets`: the manufacturer's presets, then those learned from the
/// configurations customers shared (`learned: true`).
pub async fn presets(catalog: &str) -> Result<Value, ApiError> {
    get(&format!("/api/catalogs/{}/presets", encode(catalog))).await
}

/// Sets the needs profile of a configuration (`""` removes it).
pub async fn set_profile(id: &str, profile: &str) -> Result<Value, ApiError> {
    patch(
        &format!("/api/configurations/{}", encode(id)),
        &serde_json::json!({ "profile": profile }),
    )
    .await
}

pub async fn configuration(id: &str) -> Result<Configuration, ApiError> {
    get(&format!("/api/configurations/{}", encode(id))).await
}

/// `action`: `select`, `deselect` or `clear`.
pub async fn choose(id: &str, option: &str, action: &str) -> Result<Configuration, ApiError> {
    post(
        &format!("/api/configurations/{}/choices", encode(id)),
        &serde_json::json!({ "option": option, "action": action }),
    )
    .await
}

pub async fn save(id: &str, name: Option<String>, shared: bool) -> Result<Value, ApiError> {
    let mut body = serde_json::json!({ "shared": shared });
    if let Some(n) = name {
        body["name"] = Value::String(n);
    }
    patch(&format!("/api/configurations/{}", encode(id)), &body).await
}

pub async fn quote(id: &str) -> Result<Quote, ApiError> {
    let path = format!("/api/configurations/{}/quote", encode(id));
    read(Request::post(&path).send().await).await
}

// ---------------------------------------------------------------------------------------------
// Manufacturers (`Authorization: Bearer TOKEN`)

/// `GET /api/catalogs/{id}` with the owner's token: the draft and the published model.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CatalogDoc {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub latest: Option<u32>,
    #[serde(default)]
    pub versions: Vec<u32>,
    #[serde(default)]
    pub draft: Option<Value>,
}

/// `GET /api/catalogs/{id}/insights`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Insights {
    pub configurations: u64,
    pub quoted: u64,
    pub shared: u64,
    pub picks: Vec<Count>,
    pub rules: Vec<Count>,
    pub abandoned_at: Vec<Count>,
}

/// One bar of an insights chart: the option, rule or group and how often.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Count {
    #[serde(alias = "option", alias = "rule", alias = "group")]
    pub key: String,
    pub count: u64,
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub async fn catalogs_as(token: &str) -> Result<CatalogList, ApiError> {
    read(
        Request::get("/api/catalogs")
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

pub async fn catalog_as(token: &str, id: &str) -> Result<CatalogDoc, ApiError> {
    read(
        Request::get(&format!("/api/catalogs/{}", encode(id)))
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

/// Sends a catalog body: `POST /api/catalogs` (`id` None: a new catalog) or `PUT
/// /api/catalogs/{id}` (replace the draft). `content_type`: `application/json`,
/// `application/toml` or `text/uvl`.
pub async fn send_catalog(
    token: &str,
    id: Option<&str>,
    body: String,
    content_type: &str,
) -> Result<Value, ApiError> {
    let req = match id {
        None => Request::post("/api/catalogs"),
        Some(id) => Request::put(&format!("/api/catalogs/{}", encode(id))),
    };
    let req = req
        .header("Authorization", &bearer(token))
        .header("Content-Type", content_type)
        .body(body)
        .map_err(|e| ApiError::unreachable(format!("request not built: {e}")))?;
    read(req.send().await).await
}

pub async fn publish(token: &str, id: &str) -> Result<Value, ApiError> {
    read(
        Request::post(&format!("/api/catalogs/{}/publish", encode(id)))
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

pub async fn insights(token: &str, id: &str) -> Result<Insights, ApiError> {
    read(
        Request::get(&format!("/api/catalogs/{}/insights", encode(id)))
            .header("Authorization", &bearer(token))
            .send()
            .await,
    )
    .await
}

/// Percent-encodes a path segment.
pub fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
