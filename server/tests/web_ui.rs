//! End-to-end tests of the browser UI (issue 7): the real `configurator serve` on loopback over a
//! temporary store, serving the built `web-ui/dist`, driven by a real headless Chromium through
//! chromedriver (WebDriver, with fantoccini).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test.sh` installs them); when they
//! cannot be found the test says so and is skipped. The web UI is built by
//! `scripts/build-web.sh` (run here when `web-ui/dist` is missing).
//!
//! Screenshots of each main screen go to `target/screenshots/`; `docs/screenshots/` keeps the
//! current ones for the README.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{examples, TempDir, BIN};

const WAIT: Duration = Duration::from_secs(30);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Kills the child on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The built web UI; built now when missing.
fn web_dist() -> PathBuf {
    let dist = repo().join("web-ui/dist");
    if !dist.join("index.html").is_file() || !dist.join("web-ui_bg.wasm").is_file() {
        eprintln!("web-ui/dist is missing: running scripts/build-web.sh");
        let status = Command::new("bash")
            .arg(repo().join("scripts/build-web.sh"))
            .status()
            .expect("bash scripts/build-web.sh");
        assert!(status.success(), "scripts/build-web.sh failed");
    }
    dist
}

struct Browser {
    client: Client,
    _driver: Proc,
    _profile: TempDir,
    shots: PathBuf,
}

impl Browser {
    /// `None` (with a message) when chromium or chromedriver cannot be found.
    async fn start() -> Option<Browser> {
        let chromium = find_program(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let driver = find_program("CHROMEDRIVER", &["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            eprintln!(
                "SKIPPED: the browser tests need chromium and chromedriver (Debian packages \
                 `chromium` and `chromium-driver`; scripts/test.sh installs them)"
            );
            return None;
        };
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Proc(child);
        let profile = TempDir::new("chromium");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        let client = loop {
            let mut b =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            match b.capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if start.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session with {url}: {e}"),
            }
        };
        let shots = repo().join("target/screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Some(Browser {
            client,
            _driver: driver,
            _profile: profile,
            shots,
        })
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls a script until it returns something truthy; returns that value.
    async fn until(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.js(script).await;
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            if start.elapsed() > WAIT {
                let body = self.js("return document.body.innerText").await;
                panic!("timed out waiting for {what}; page text:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click on {css} failed: {e}"));
    }

    /// Clicks and waits until the configuration has the server's answer to every click.
    async fn click_and_settle(&self, css: &str) {
        let before = self.answers().await;
        self.click(css).await;
        self.until(
            "the server's answer",
            &format!(
                "const c = document.querySelector('.configurator'); \
                 return c && Number(c.dataset.answers) > {before} && c.dataset.busy === 'false';"
            ),
        )
        .await;
    }

    async fn answers(&self) -> u64 {
        self.js("const c = document.querySelector('.configurator'); return c ? Number(c.dataset.answers) : 0;")
            .await
            .as_u64()
            .unwrap_or(0)
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// Errors the page reported (uncaught errors and `console.error`, recorded by index.html).
    async fn page_errors(&self) -> Value {
        self.js("return window.__pageErrors || []").await
    }

    async fn state(&self, option: &str) -> String {
        self.js(&format!(
            "const e = document.querySelector('[data-option=\"{option}\"]'); return e ? e.dataset.state : null;"
        ))
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }
}

fn start_server(data: &Path, web: &Path) -> (Proc, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--examples", &examples()])
        .arg("--data")
        .arg(data)
        .arg("--web")
        .arg(web)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Proc(child), base)
}

/// Copies the current screenshots next to the README.
fn publish_screenshots(names: &[&str]) {
    let docs = repo().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    for n in names {
        let from = repo().join(format!("target/screenshots/{n}.png"));
        std::fs::copy(&from, docs.join(format!("{n}.png"))).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_configures_a_pc_through_a_conflict_and_its_repair_and_reloads_the_share_link() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let dist = web_dist();
    let data = TempDir::new("webui");
    let (server, base) = start_server(data.path(), &dist);

    // The catalog picker lists the published examples.
    b.client.goto(&format!("{base}/")).await.unwrap();
    b.until(
        "the catalog picker",
        "return document.querySelector('[data-catalog=\"pc\"] button')",
    )
    .await;
    b.shot("picker").await;
    b.click("[data-catalog=\"pc\"] button").await;
    b.until(
        "the configurator",
        "const c = document.querySelector('.configurator'); return c && c.dataset.busy === 'false' && document.querySelector('#total-value');",
    )
    .await;
    let url = b.client.current_url().await.unwrap().to_string();
    assert!(
        url.contains("?c="),
        "the address names the configuration: {url}"
    );

    // A big graphics card: small cases become unavailable, with the reason on focus.
    b.click_and_settle("[data-option=\"gpu.rtx5090\"]").await;
    assert_eq!(b.state("gpu.rtx5090").await, "selected");
    assert_eq!(b.state("case.terra").await, "excluded");
    let reason = b
        .js("const e = document.querySelector('[data-option=\"case.terra\"]'); e.focus(); \
             const why = document.getElementById(e.getAttribute('aria-describedby')); \
             return [e.getAttribute('title'), why && why.textContent, e.getAttribute('aria-disabled')];")
        .await;
    let title = reason[0].as_str().unwrap_or_default();
    assert!(!title.is_empty(), "excluded option has a reason: {reason}");
    assert_eq!(reason[1].as_str(), Some(title), "{reason}");
    assert_eq!(reason[2], json!("true"));
    assert!(
        title.contains("rtx5090")
            || title.to_lowercase().contains("rtx 5090")
            || title.contains("gpu"),
        "the reason names the graphics card: {title}"
    );
    b.shot("configurator-excluded-reason").await;

    // Choosing it anyway: a conflict, and a repair dialog with ranked repairs.
    b.click("[data-option=\"case.terra\"]").await;
    b.until(
        "the confirmation",
        "return document.getElementById('ask-choose')",
    )
    .await;
    b.click_and_settle("#ask-choose").await;
    b.until(
        "the repairs",
        "return document.querySelector('#repair-dialog [data-repair=\"0\"] button')",
    )
    .await;
    let first = b
        .js("return document.querySelector('#repair-dialog [data-repair=\"0\"] button').textContent")
        .await;
    assert!(
        first.as_str().unwrap().contains("Graphics") || first.as_str().unwrap().contains("5090"),
        "the first repair drops the graphics card: {first}"
    );
    b.shot("repair-dialog").await;
    b.click_and_settle("#repair-dialog [data-repair=\"0\"] button")
        .await;
    b.until(
        "the dialog to close",
        "return !document.getElementById('repair-dialog')",
    )
    .await;
    assert_eq!(b.state("case.terra").await, "selected");
    assert_ne!(b.state("gpu.rtx5090").await, "selected");

    // Answer every remaining question with its first available option.
    for _ in 0..20 {
        let next = b
            .js("const a = document.getElementById('next-question'); return a ? a.dataset.group : null;")
            .await;
        let Some(group) = next.as_str() else { break };
        let css = format!("[data-group=\"{group}\"] [data-state=\"free\"]");
        b.click_and_settle(&css).await;
    }
    let status = b
        .js("return document.querySelector('.status').textContent")
        .await;
    assert!(
        status
            .as_str()
            .unwrap()
            .contains("Every question is answered"),
        "{status}"
    );
    // Price and bill of materials, infrastructure under "Included for you".
    let included = b
        .js("return document.querySelectorAll('.included tr[data-line]').length")
        .await;
    assert!(
        included.as_u64().unwrap() > 0,
        "infrastructure lines listed"
    );
    let total = b
        .js("return document.getElementById('total-value').textContent")
        .await;
    assert!(total.as_str().unwrap().contains("EUR"), "{total}");
    b.shot("configurator-complete").await;

    // Quote.
    b.click("#quote").await;
    b.until(
        "the quote",
        "return document.getElementById('quote-result')",
    )
    .await;
    let quote = b
        .js("return document.getElementById('quote-result').textContent")
        .await;
    assert!(
        quote.as_str().unwrap().contains(total.as_str().unwrap()),
        "{quote} vs {total}"
    );

    // Share link: reload it and see the same product.
    let selected = "return Array.from(document.querySelectorAll('[data-state=\"selected\"]')).map(e => e.dataset.option).sort().join(',')";
    let before = b.js(selected).await;
    b.click("#share").await;
    let link = b
        .until(
            "the share link",
            "const a = document.getElementById('share-url'); return a && a.getAttribute('href');",
        )
        .await;
    assert!(link.as_str().unwrap().contains("?c="), "{link}");
    assert_eq!(b.page_errors().await, json!([]), "no console errors");
    b.client.goto(link.as_str().unwrap()).await.unwrap();
    b.until(
        "the shared configuration",
        "const c = document.querySelector('.configurator'); return c && document.querySelector('#total-value');",
    )
    .await;
    assert_eq!(b.js(selected).await, before);
    let total_again = b
        .js("return document.getElementById('total-value').textContent")
        .await;
    assert_eq!(total_again, total);

    // Phone width.
    b.client.set_window_size(390, 844).await.unwrap();
    b.shot("configurator-phone").await;
    b.client.set_window_size(1280, 1000).await.unwrap();
    assert_eq!(b.page_errors().await, json!([]), "no console errors");

    // The sneaker's preview takes the chosen colours.
    b.client.goto(&format!("{base}/")).await.unwrap();
    b.until(
        "the catalog picker",
        "return document.querySelector('[data-catalog=\"sneaker\"] button')",
    )
    .await;
    b.click("[data-catalog=\"sneaker\"] button").await;
    b.until(
        "the sneaker",
        "const c = document.querySelector('.configurator'); return c && c.dataset.busy === 'false' && document.querySelector('#total-value');",
    )
    .await;
    b.click_and_settle("[data-option=\"upper_colour.navy\"]")
        .await;
    let fill = b
        .js("return document.querySelector('[data-zone=\"upper\"] path').getAttribute('fill')")
        .await;
    assert_eq!(fill, json!("#1B2A47"));
    b.shot("sneaker-preview").await;
    assert_eq!(b.page_errors().await, json!([]), "no console errors");

    // The error banner when the server cannot be reached.
    drop(server);
    b.click("[data-option=\"upper_colour.black\"]").await;
    b.until(
        "the error banner",
        "const e = document.getElementById('error-banner'); return e && e.textContent.includes('cannot be reached');",
    )
    .await;
    b.shot("error-banner").await;

    b.client.close().await.unwrap();
    publish_screenshots(&[
        "picker",
        "configurator-excluded-reason",
        "repair-dialog",
        "configurator-complete",
        "configurator-phone",
        "sneaker-preview",
        "error-banner",
    ]);
}
