//! Request extractors that answer bad input with the API's JSON errors (axum's own extractors
//! answer plain text).

use super::error::ApiError;
use crate::service::BodyFormat;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use http_body_util::BodyExt as _;
use serde::de::DeserializeOwned;

/// The body limit, also named in the 413 answer.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Bytes of an over-limit body read and thrown away before the 413 answer, at most. A server
/// that answers before the client has sent its body and then closes the connection makes
/// the kernel reset it over the unread bytes, and the client sees a broken connection instead
/// of the answer; reading the rest first lets it read the 413 and its JSON error. Bodies
/// larger still are cut off (the reset is then the lesser evil than reading them).
pub const DRAIN_BYTES: usize = 64 * 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
    )
}

/// The request body, at most [`MAX_BODY_BYTES`]; a larger one is drained (up to
/// [`DRAIN_BYTES`]) and answered `too-large`.
async fn read_body(mut body: Body) -> Result<Bytes, ApiError> {
    let mut bytes: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request("bad-body", format!("cannot read the request body: {e}"))
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&data);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(Bytes::from(bytes))
}

fn content_type(parts: &Parts) -> String {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A JSON body parsed into `T`; errors name the problem with line and column.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let ct = content_type(&parts);
        if !ct.is_empty() && ct != "application/json" && !ct.ends_with("+json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                format!("expected a JSON body (application/json), got {ct}"),
            ));
        }
        let bytes = read_body(body).await?;
        if bytes.is_empty() {
            return Err(ApiError::bad_request(
                "malformed-json",
                "the request body is empty; a JSON object is expected",
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let at = if path == "." {
                String::new()
            } else {
                format!(" at field `{path}`")
            };
            ApiError::bad_request("malformed-json", format!("invalid JSON body{at}: {inner}"))
                .with("line", inner.line().into())
                .with("column", inner.column().into())
        })?;
        // Trailing data after the value is an error too.
        de.end().map_err(|e| {
            ApiError::bad_request("malformed-json", format!("invalid JSON body: {e}"))
        })?;
        Ok(JsonBody(value))
    }
}

/// Like [`JsonBody`], but an empty body means `T::default()`.
pub struct OptionalJsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
            || (req.headers().get(header::CONTENT_LENGTH).is_none()
                && req.headers().get(header::TRANSFER_ENCODING).is_none());
        if empty {
            return Ok(OptionalJsonBody(T::default()));
        }
        JsonBody::<T>::from_request(req, state)
            .await
            .map(|b| OptionalJsonBody(b.0))
    }
}

/// A catalog body as text with its format from the content type.
pub struct CatalogBody(pub String, pub BodyFormat);

impl<S: Send + Sync> FromRequest<S> for CatalogBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let ct = content_type(&parts);
        let format = match ct.as_str() {
            "" | "application/json" => BodyFormat::Json,
            "application/toml" | "text/toml" | "text/x-toml" => BodyFormat::Toml,
            "application/uvl" | "text/uvl" | "text/x-uvl" => BodyFormat::Uvl,
            other => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    format!(
                        "catalogs are sent as application/json or application/toml, not {other}"
                    ),
                ))
            }
        };
        let bytes = read_body(body).await?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            ApiError::bad_request("bad-body", format!("the body is not UTF-8 text: {e}"))
        })?;
        Ok(CatalogBody(text, format))
    }
}

/// Path parameters; a bad one is a JSON 400.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|e: PathRejection| ApiError::bad_request("bad-path", e.body_text()))
    }
}

/// The bearer token, if any. A malformed Authorization header is a 401.
pub struct Token(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Token {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Token(None));
        };
        let bad = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid-token",
                "the Authorization header must be `Bearer <token>`",
            )
        };
        let text = value.to_str().map_err(|_| bad())?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(bad)?;
        Ok(Token(Some(token.to_string())))
    }
}
