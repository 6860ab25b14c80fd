//! A real `configurator serve` child process on loopback over a temporary sled directory.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_configurator");

pub fn examples() -> String {
    format!("{}/../catalogs", env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/{name}", examples())).unwrap()
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let p = std::env::temp_dir().join(format!("configurator-test-{tag}-{suffix}"));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `configurator token create` on a data directory (no server may run on it).
pub fn create_token(data: &Path, manufacturer: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--manufacturer", manufacturer, "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("cfg_"), "{token}");
    token
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts a server on a free loopback port over `data` with extra flags. The web UI
    /// directory is `data/web` (absent unless a test creates it).
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let web = data.join("web");
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--examples", &examples()])
            .arg("--data")
            .arg(data)
            .arg("--web")
            .arg(&web)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, base: addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL, no clean shutdown.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny client: every call returns (status, JSON body).
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: server.base.clone(),
        }
    }

    /// A client that opens a new connection per request: after a refused oversized body the
    /// server closes the connection, which a pooled client would try to reuse.
    pub fn unpooled(server: &Server) -> Client {
        Client {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            base: server.base.clone(),
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.expect("request failed");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text}"));
        (status, body)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.post(format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    /// Sends a raw body with a content type.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn choose(&self, config: &str, option: &str, action: &str) -> (u16, Value) {
        self.post(
            &format!("/api/configurations/{config}/choices"),
            serde_json::json!({"option": option, "action": action}),
            None,
        )
        .await
    }

    /// `PATCH`es a configuration's `shared` flag (opting in or out of popularity).
    pub async fn share(&self, config: &str, shared: bool) -> (u16, Value) {
        self.raw(
            reqwest::Method::PATCH,
            &format!("/api/configurations/{config}"),
            "application/json",
            serde_json::json!({ "shared": shared }).to_string(),
            None,
        )
        .await
    }

    pub async fn new_configuration(&self, catalog: &str) -> String {
        let (status, body) = self
            .post(
                "/api/configurations",
                serde_json::json!({"catalog": catalog}),
                None,
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }
}
