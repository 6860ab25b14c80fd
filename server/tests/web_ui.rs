//! End-to-end tests of the browser UI (issue 7): the real `configurator serve` on loopback over a
//! temporary store, serving the built `web-ui/dist`, driven by a real headless Chromium through
//! chromedriver (WebDriver, with fantoccini).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test.sh` installs them); when they
//! cannot be found the test says so and is skipped. The web UI is built by
//! `scripts/build-web.sh` (run here when `web-ui/dist` is missing).
//!
//! Screenshots of each main screen go to `target/screenshots/`; `docs/screenshots/` keeps the
//! current ones for the README (refreshed with `UPDATE_SCREENSHOTS=1 cargo test --test web_ui`,
//! so that ordinary test runs leave the source tree untouched).

mod support;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{create_token, examples, TempDir, BIN};

const WAIT: Duration = Duration::from_secs(30);

/// One browser test at a time: each starts chromium, chromedriver and a server, and the
/// machines running the tests are small.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs a browser test on its own tokio runtime, after any other browser test.
fn browser_test<F: std::future::Future<Output = ()>>(f: F) {
    let _guard = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

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

    /// Shows every option of the option's question ("show all") when it is not in the short
    /// list.
    async fn reveal(&self, option: &str) {
        let group = option.split('.').next().unwrap();
        self.js(&format!(
            "if (!document.querySelector('[data-option=\"{option}\"]')) {{ \
               const b = document.querySelector('[data-group=\"{group}\"] .show-all'); if (b) b.click(); }} \
             return true;"
        ))
        .await;
        self.until(
            option,
            &format!("return document.querySelector('[data-option=\"{option}\"]')"),
        )
        .await;
    }

    /// Replaces the text of an input or textarea and lets the page see it (an `input` event,
    /// as typing gives).
    async fn set_text(&self, css: &str, text: &str) {
        let ok = self
            .js(&format!(
                "const e = document.querySelector({css}); if (!e) return false; e.focus(); \
                 e.value = {text}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
                css = json!(css),
                text = json!(text),
            ))
            .await;
        assert_eq!(ok, json!(true), "no field {css}");
    }

    /// Types with the keyboard (WebDriver key events) at the end of a field.
    async fn type_keys(&self, css: &str, keys: &str) {
        self.js(&format!(
            "const e = document.querySelector({}); e.focus(); e.setSelectionRange(e.value.length, e.value.length); return true;",
            json!(css)
        ))
        .await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("typing into {css} failed: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        self.js(&format!(
            "const e = document.querySelector({}); return e ? e.textContent : null;",
            json!(css)
        ))
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
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

    /// Presses keys on whatever has the focus (WebDriver key actions, as a person typing).
    async fn keys(&self, keys: &[char]) {
        let mut a = KeyActions::new("keyboard".into());
        for &k in keys {
            a = a
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.client.perform_actions(a).await.expect("key actions");
    }

    /// Types text on whatever has the focus.
    async fn type_text(&self, text: &str) {
        self.keys(&text.chars().collect::<Vec<_>>()).await;
    }

    /// A key with a modifier held (Shift+Tab, Control+A).
    async fn chord(&self, modifier: Key, key: char) {
        let m = char::from(modifier);
        let a = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: m })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: m });
        self.client.perform_actions(a).await.expect("key actions");
    }

    /// Moves the focus with Tab (or Shift+Tab) until the element `css` has it: proves it can be
    /// reached with the keyboard. Returns the number of key presses.
    async fn tab_to(&self, css: &str, backwards: bool) -> usize {
        let check = format!(
            "const e = document.querySelector({}); return !!e && document.activeElement === e;",
            json!(css)
        );
        for presses in 0..400 {
            if self.js(&check).await == json!(true) {
                return presses;
            }
            if backwards {
                self.chord(Key::Shift, char::from(Key::Tab)).await;
            } else {
                self.keys(&[char::from(Key::Tab)]).await;
            }
        }
        let active = self
            .js("const a = document.activeElement; return a ? a.outerHTML.slice(0, 200) : null;")
            .await;
        panic!("{css} cannot be reached with Tab; the focus is on {active}");
    }

    /// The focused element's id.
    async fn focused(&self) -> String {
        self.js("return document.activeElement ? document.activeElement.id : ''")
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The page is no wider than the window (nothing sticks out sideways on a phone).
    async fn assert_no_horizontal_overflow(&self, screen: &str) {
        let w = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth,                  Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1                    && !e.closest('.grid-scroll, .sr-only')).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)];")
            .await;
        let (scroll, inner) = (w[0].as_u64().unwrap(), w[1].as_u64().unwrap());
        assert!(
            scroll <= inner,
            "{screen}: the page is {scroll} px wide in a {inner} px window; too wide: {}",
            w[2]
        );
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

/// Copies the current screenshots next to the README when `UPDATE_SCREENSHOTS` is set.
fn publish_screenshots(names: &[&str]) {
    if std::env::var_os("UPDATE_SCREENSHOTS").is_none() {
        return;
    }
    let docs = repo().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    for n in names {
        let from = repo().join(format!("target/screenshots/{n}.png"));
        std::fs::copy(&from, docs.join(format!("{n}.png"))).unwrap();
    }
}

#[test]
fn customer_configures_a_pc_through_a_conflict_and_its_repair_and_reloads_the_share_link() {
    browser_test(customer_flow());
}

async fn customer_flow() {
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
    b.reveal("gpu.rtx5090").await;
    b.click_and_settle("[data-option=\"gpu.rtx5090\"]").await;
    b.reveal("case.terra").await;
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

    // With the keyboard: the next question's first available option, focused and activated
    // with Enter.
    let group = b
        .js("const a = document.getElementById('next-question'); return a ? a.dataset.group : null;")
        .await;
    let group = group.as_str().expect("a next question").to_string();
    let option = b
        .js(&format!(
            "return document.querySelector('[data-group=\"{group}\"] [data-state=\"free\"]').dataset.option"
        ))
        .await;
    let option = option.as_str().unwrap().to_string();
    let css = format!("[data-option=\"{option}\"]");
    let before = b.answers().await;
    b.js(&format!(
        "document.querySelector({}).focus(); return true;",
        json!(css)
    ))
    .await;
    b.client
        .find(Locator::Css(&css))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    b.until(
        "the keyboard choice",
        &format!(
            "const c = document.querySelector('.configurator'); \
             return c && Number(c.dataset.answers) > {before} && c.dataset.busy === 'false';"
        ),
    )
    .await;
    assert_eq!(b.state(&option).await, "selected", "Enter chose {option}");

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

    // Guided start: a preset of the pc (its choices applied, its needs profile set), then the
    // next question as a short ranked list with the reasons.
    b.client.goto(&format!("{base}/")).await.unwrap();
    b.until(
        "the catalog picker",
        "return document.querySelector('[data-catalog=\"pc\"] button.needs')",
    )
    .await;
    b.click("[data-catalog=\"pc\"] button.needs").await;
    b.until(
        "the presets",
        "return document.querySelector('[data-catalog=\"pc\"] [data-preset=\"starter-gaming\"]')",
    )
    .await;
    // The configuration shared above is a preset learned from shared configurations now.
    let learned = b
        .js("return Array.from(document.querySelectorAll('[data-catalog=\"pc\"] li.learned [data-preset]')).map(e => e.dataset.preset + ' ' + e.textContent)")
        .await;
    let learned = learned.as_array().unwrap();
    assert_eq!(learned.len(), 1, "{learned:?}");
    let learned = learned[0].as_str().unwrap();
    assert!(
        learned.starts_with("learned-") && learned.contains("Customers' choice"),
        "{learned}"
    );
    b.shot("picker-needs").await;
    b.click("[data-catalog=\"pc\"] [data-preset=\"starter-gaming\"]")
        .await;
    b.until(
        "the guided question",
        "const c = document.querySelector('.configurator'); \
         return c && c.dataset.busy === 'false' && document.querySelector('.group.next .reasons li');",
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('profile').value")
            .await,
        json!("gaming")
    );
    let chosen = b
        .js("return document.querySelectorAll('[data-state=\"selected\"]').length")
        .await;
    assert!(
        chosen.as_u64().unwrap() > 0,
        "the preset's choices are applied"
    );
    b.js("document.querySelector('.group.next').scrollIntoView({block: 'start'}); return true;")
        .await;
    b.shot("guided-question").await;
    // Another profile: the server answers with a new ranking, the choices stay.
    let answers_before = b.answers().await;
    b.js(
        "const s = document.getElementById('profile'); s.value = 'office'; \
          s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await;
    b.until(
        "the new ranking",
        "const c = document.querySelector('.configurator'); \
         return c && c.dataset.busy === 'false' && document.querySelector('.group.next .reasons li');",
    )
    .await;
    assert_eq!(b.answers().await, answers_before, "no choice was sent");
    assert_eq!(
        b.js("return document.querySelectorAll('[data-state=\"selected\"]').length")
            .await,
        chosen
    );
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
    b.reveal("upper_colour.navy").await;
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
    b.reveal("upper_colour.black").await;
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
        "picker-needs",
        "guided-question",
        "configurator-excluded-reason",
        "repair-dialog",
        "configurator-complete",
        "configurator-phone",
        "sneaker-preview",
        "error-banner",
    ]);
}

#[test]
fn manufacturer_changes_a_rule_sees_the_lint_publishes_and_a_customer_sees_the_effect() {
    browser_test(manufacturer_flow());
}

async fn manufacturer_flow() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let dist = web_dist();
    let data = TempDir::new("webui-maker");
    // The example catalogs belong to the manufacturer `examples`.
    let token = create_token(data.path(), "examples");
    let (_server, base) = start_server(data.path(), &dist);

    // A wrong token is refused with a message; the right one lists the own catalogs.
    b.client.goto(&format!("{base}/?manage")).await.unwrap();
    b.until(
        "the sign-in form",
        "return document.getElementById('token')",
    )
    .await;
    b.shot("manage-sign-in").await;
    b.set_text("#token", "cfg_not_a_token").await;
    b.click(".sign-in button[type=submit]").await;
    b.until(
        "the refusal",
        "const e = document.getElementById('error-banner'); return e && e.textContent.includes('not valid');",
    )
    .await;
    b.set_text("#token", &token).await;
    b.click(".sign-in button[type=submit]").await;
    b.until(
        "the catalog list",
        "return document.querySelector('[data-own-catalog=\"pc\"] a')",
    )
    .await;
    b.shot("manage-catalogs").await;

    // The editor of pc: the draft checks clean in the browser.
    b.click("[data-own-catalog=\"pc\"] a").await;
    b.until(
        "the editor's check",
        "const l = document.getElementById('lint-status'); return l && l.textContent.startsWith('Usable');",
    )
    .await;
    assert!(
        b.client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("?manage=pc"),
        "the address names the catalog being edited"
    );
    let rule = "[data-rule=\"gpu-length\"] textarea";
    assert_eq!(
        b.js(&format!(
            "return document.querySelector({}).value",
            json!(rule)
        ))
        .await,
        json!("gpu.length_mm <= case.max_gpu_mm")
    );

    // A typo: the rule error at its position, found by the core in the page.
    b.type_keys(rule, "m").await;
    let err = b
        .until(
            "the rule error",
            "const e = document.querySelector('[data-rule=\"gpu-length\"] .rule-error'); return e && e.textContent;",
        )
        .await;
    let err = err.as_str().unwrap();
    assert!(err.contains("line 1, column 18"), "{err}");
    assert!(err.contains("max_gpu_mmm"), "{err}");
    assert!(
        b.text("#lint-status").await.contains("error"),
        "the check reports the error"
    );
    b.js(&format!(
        "document.querySelector({}).scrollIntoView({{block: 'center'}}); return true;",
        json!(rule)
    ))
    .await;
    b.shot("editor-rule-error").await;

    // An impossible rule: unsatisfiable, with the minimal conflicting rules; the server refuses
    // to publish it and says why.
    b.set_text(rule, "gpu.length_mm <= case.max_gpu_mm & cpu.tdp_w > 10000")
        .await;
    b.until(
        "the conflict",
        "const l = document.getElementById('lint-conflict'); return l && l.textContent.includes('gpu-length');",
    )
    .await;
    assert!(b.text("#lint-status").await.starts_with("Unsatisfiable"));
    b.click("#publish").await;
    let refused = b
        .until(
            "the server's refusal",
            "const e = document.getElementById('publish-refused'); return e && e.textContent;",
        )
        .await;
    assert!(
        refused.as_str().unwrap().contains("gpu-length"),
        "{refused}"
    );
    b.js("document.getElementById('publish-refused').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.shot("editor-publish-refused").await;

    // The change the manufacturer wants: no RTX 5090 any more. The check shows it dead.
    b.set_text(rule, "gpu.length_mm <= case.max_gpu_mm & !gpu.rtx5090")
        .await;
    b.until(
        "the dead option",
        "return document.querySelector('#lint-dead [data-option=\"gpu.rtx5090\"]')",
    )
    .await;
    assert!(b.text("#lint-status").await.starts_with("Usable"));

    // An option's declared attribute in its own field (unit in its label): a number that does
    // not parse stays as typed with its error; a card longer than every case is dead by the
    // rule gpu-length; and back. The option's description goes to the customers.
    b.click("[data-group=\"gpu\"] .disclosure").await;
    let length = "[data-option-details=\"gpu.rx7600\"] input[data-attribute=\"length_mm\"]";
    let label = b
        .until(
            "the attribute's field",
            &format!(
                "const e = document.querySelector({}); return e && e.value === '240' && e.getAttribute('aria-label');",
                json!(length)
            ),
        )
        .await;
    assert_eq!(label, json!("length_mm of option gpu.rx7600, in mm"));
    b.set_text(length, "24o").await;
    b.until(
        "the number's error",
        &format!(
            "const e = document.querySelector({}); return e.value === '24o' && e.getAttribute('aria-invalid') === 'true' \
             && document.getElementById('lint-status').textContent.includes('error');",
            json!(length)
        ),
    )
    .await;
    b.set_text(length, "999").await;
    b.until(
        "the card too long for every case",
        "return document.querySelector('#lint-dead [data-option=\"gpu.rx7600\"]') \
         && document.getElementById('lint-status').textContent.startsWith('Usable');",
    )
    .await;
    b.set_text(length, "240").await;
    b.until(
        "the card fitting again",
        "return !document.querySelector('#lint-dead [data-option=\"gpu.rx7600\"]');",
    )
    .await;
    b.set_text(
        "[data-option-details=\"gpu.rx7600\"] input[id^=\"odesc\"]",
        "Quiet two-fan card",
    )
    .await;
    b.js("document.querySelector('[data-option=\"gpu.rx7600\"]').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.shot("editor-option-attributes").await;
    b.click("#publish").await;
    let published = b
        .until(
            "the new version",
            "const e = document.getElementById('editor-message'); return e && e.textContent;",
        )
        .await;
    assert!(
        published.as_str().unwrap().contains("version 2"),
        "{published}"
    );
    b.js(
        "document.getElementById('editor-message').scrollIntoView({block: 'center'}); return true;",
    )
    .await;
    b.shot("editor-published").await;
    assert_eq!(b.page_errors().await, json!([]), "no console errors");

    // A customer now gets version 2: the RTX 5090 is not available, because of that rule.
    b.client.goto(&format!("{base}/")).await.unwrap();
    b.until(
        "the catalog picker",
        "return document.querySelector('[data-catalog=\"pc\"] button')",
    )
    .await;
    b.click("[data-catalog=\"pc\"] button").await;
    b.until(
        "the configurator",
        "const c = document.querySelector('.configurator'); return c && c.dataset.busy === 'false' && document.querySelector('#total-value');",
    )
    .await;
    b.reveal("gpu.rtx5090").await;
    assert_eq!(b.state("gpu.rtx5090").await, "excluded");
    let title = b
        .js("return document.querySelector('[data-option=\"gpu.rtx5090\"]').getAttribute('title')")
        .await;
    assert!(
        title.as_str().unwrap().contains("gpu-length"),
        "the reason names the changed rule: {title}"
    );
    b.reveal("gpu.rx7600").await;
    assert_eq!(
        b.js("return document.querySelector('[data-option=\"gpu.rx7600\"]').getAttribute('title')")
            .await,
        json!("Quiet two-fan card"),
        "the option's new description"
    );
    // A pick for the insights.
    b.reveal("case.terra").await;
    b.click_and_settle("[data-option=\"case.terra\"]").await;

    // Insights: pick rates as bars.
    b.client.goto(&format!("{base}/?manage=pc")).await.unwrap();
    b.until(
        "the editor",
        "return document.getElementById('tab-insights')",
    )
    .await;
    b.click("#tab-insights").await;
    let bar = b
        .until(
            "the pick-rate chart",
            "const g = document.querySelector('#chart-picks [data-key=\"case.terra\"]'); return g && g.dataset.count;",
        )
        .await;
    assert_eq!(bar, json!("1"));
    // Bars are labelled by the names people know, with the id as the secondary line.
    assert_eq!(
        b.text("#chart-picks [data-key=\"case.terra\"] .bar-name")
            .await,
        "Case: Fractal Design Terra (Mini-ITX, 10.4 l)"
    );
    assert_eq!(
        b.text("#chart-picks [data-key=\"case.terra\"] .bar-id")
            .await,
        "case.terra"
    );
    b.shot("insights").await;

    // Import: a UVL feature model becomes a new catalog, opened in the editor.
    let uvl = data.path().join("bike.uvl");
    std::fs::write(
        &uvl,
        "features\n    Bike\n        mandatory\n            Frame\n                alternative\n                    Steel\n                    Carbon\n        optional\n            Bell\nconstraints\n    Carbon => Bell\n",
    )
    .unwrap();
    b.client.goto(&format!("{base}/?manage")).await.unwrap();
    b.until(
        "the import field",
        "return document.getElementById('import-file')",
    )
    .await;
    b.client
        .find(Locator::Css("#import-file"))
        .await
        .unwrap()
        .send_keys(uvl.to_str().unwrap())
        .await
        .unwrap();
    b.until(
        "the imported catalog's editor",
        "const e = document.querySelector('.editor'); const l = document.getElementById('lint-status'); \
         return e && l && e.dataset.catalog !== 'pc' && l.textContent.startsWith('Usable');",
    )
    .await;
    assert_eq!(b.page_errors().await, json!([]), "no console errors");
    b.client.close().await.unwrap();
    publish_screenshots(&[
        "manage-catalogs",
        "editor-rule-error",
        "editor-publish-refused",
        "editor-published",
        "editor-option-attributes",
        "insights",
    ]);
}

#[test]
fn manufacturer_edits_attributes_profiles_presets_and_tables_by_keyboard_and_a_customer_sees_the_preset(
) {
    browser_test(guidance_flow());
}

/// The key that moves the focus, and the ones that act on it.
const TAB: char = '\u{e004}';
const ENTER: char = '\u{e007}';
const DOWN: char = '\u{e015}';

async fn guidance_flow() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let dist = web_dist();
    let data = TempDir::new("webui-guidance");
    let token = create_token(data.path(), "examples");
    let (_server, base) = start_server(data.path(), &dist);

    // Signed in (the sign-in form is the other manufacturer test's); the own catalogs.
    b.client.goto(&format!("{base}/?manage")).await.unwrap();
    b.js(&format!(
        "localStorage.setItem('configurator-token', {}); return true;",
        json!(token)
    ))
    .await;
    b.client.goto(&format!("{base}/?manage")).await.unwrap();
    b.until(
        "the catalog list",
        "return document.querySelector('[data-own-catalog=\"pc\"] a')",
    )
    .await;

    // The list at phone width.
    b.client.set_window_size(390, 844).await.unwrap();
    b.until("the phone layout", "return window.innerWidth <= 400")
        .await;
    b.assert_no_horizontal_overflow("the catalog list").await;
    b.client.set_window_size(1280, 1000).await.unwrap();

    // With the keyboard only: Tab to the pc's Edit link, Enter opens the editor.
    b.tab_to("[data-own-catalog=\"pc\"] a", false).await;
    b.keys(&[ENTER]).await;
    b.until(
        "the editor's check",
        "const l = document.getElementById('lint-status'); return l && l.textContent.startsWith('Usable');",
    )
    .await;
    let url = |b: &Browser| {
        let c = b.client.clone();
        async move { c.current_url().await.unwrap().to_string() }
    };
    assert!(url(&b).await.ends_with("?manage=pc"), "{}", url(&b).await);

    // Back and forward between the editor's views and the list; an unsaved edit survives.
    b.set_text("#catalog-name", "Custom PC (new range)").await;
    b.click("#tab-insights").await;
    b.until("the insights", "return document.getElementById('insights')")
        .await;
    assert!(url(&b).await.ends_with("?manage=pc&view=insights"));
    b.client.back().await.unwrap();
    b.until(
        "the edit view again",
        "return document.getElementById('lint-status') && !document.getElementById('insights')",
    )
    .await;
    assert!(url(&b).await.ends_with("?manage=pc"));
    b.client.back().await.unwrap();
    b.until(
        "the catalog list again",
        "return document.querySelector('[data-own-catalog=\"pc\"]') && !document.querySelector('.editor')",
    )
    .await;
    b.client.forward().await.unwrap();
    b.until(
        "the editor with the unsaved edit",
        "const n = document.getElementById('catalog-name'); return n && n.value === 'Custom PC (new range)' \
         && document.querySelector('.editor').dataset.dirty === 'true';",
    )
    .await;

    // Attribute declarations: the processor's TDP becomes customer-relevant (lower is better).
    // Taking the direction away from graphics memory breaks the gaming profile, which weights
    // it: the check says so under the profile, and again when it comes back.
    b.click("#attributes-toggle").await;
    b.click("#profiles-toggle").await;
    let better = |attr: &str| format!("[data-attribute=\"{attr}\"] select[id^=\"abetter\"]");
    b.set_text(&better("tdp_w"), "lower").await;
    // Another unit: the rule comparing the TDP with the cooler's rating (in W) no longer
    // makes sense, and says so at its position; the unit comes back.
    let unit = "[data-attribute=\"tdp_w\"] input[id^=\"aunit\"]";
    b.set_text(unit, "watts").await;
    let err = b
        .until(
            "the rule's unit error",
            "const e = document.querySelector('[data-rule=\"cooler-tdp\"] .rule-error'); return e && e.textContent;",
        )
        .await;
    assert!(
        err.as_str().unwrap().contains("cannot compare watts and W"),
        "{err}"
    );
    b.set_text(unit, "W").await;
    b.until(
        "the rule to compile again",
        "const l = document.getElementById('lint-status'); return l.textContent.startsWith('Usable');",
    )
    .await;
    b.set_text(&better("vram_gb"), "").await;
    let profile_error = b
        .until(
            "the profile's error",
            "const e = document.querySelector('[data-profile=\"gaming\"] .error-text'); return e && e.textContent;",
        )
        .await;
    assert!(
        profile_error.as_str().unwrap().contains("vram_gb"),
        "{profile_error}"
    );
    assert!(b.text("#lint-status").await.contains("error"));
    b.set_text(&better("vram_gb"), "higher").await;
    b.until(
        "the check to pass again",
        "const l = document.getElementById('lint-status'); return l.textContent.startsWith('Usable') \
         && !document.querySelector('[data-profile=\"gaming\"] .error-text');",
    )
    .await;

    // A needs profile: quiet machines, weighting the TDP; a negative weight is refused.
    b.click("#add-profile").await;
    b.until(
        "the new profile",
        "return document.querySelector('[data-profile=\"profile1\"]')",
    )
    .await;
    b.set_text("[data-profile=\"profile1\"] input[id^=\"pid-\"]", "silent")
        .await;
    b.set_text("[data-profile=\"silent\"] input[id^=\"pname-\"]", "Silent")
        .await;
    b.set_text("[data-profile=\"silent\"] input[id^=\"pbudget-\"]", "1400")
        .await;
    let tdp_weight = b
        .js("const a = document.querySelector('[data-attribute=\"tdp_w\"] input[id^=\"aname\"]').id.split('-')[1]; \
             const p = document.querySelector('[data-profile=\"silent\"] input[id^=\"pid-\"]').id.split('-')[1]; \
             return '#pweight-' + p + '-' + a;")
        .await;
    let tdp_weight = tdp_weight.as_str().unwrap().to_string();
    b.set_text(&tdp_weight, "-1").await;
    b.until(
        "the weight's error",
        "const e = document.querySelector('[data-profile=\"silent\"] .error-text'); return e && e.textContent.includes('>= 0');",
    )
    .await;
    b.set_text(&tdp_weight, "3").await;
    b.until(
        "the check to pass with the profile",
        "const l = document.getElementById('lint-status'); return l.textContent.startsWith('Usable');",
    )
    .await;
    b.js("document.querySelector('[data-profile=\"silent\"]').scrollIntoView({block: 'start'}); return true;")
        .await;
    b.shot("editor-profiles").await;

    // A preset, with the keyboard only: open the section, add a preset, type its id and name,
    // pick the profile and a choice with the arrow keys, add it.
    b.tab_to("#presets-toggle", false).await;
    b.keys(&[ENTER]).await;
    b.tab_to("#add-preset", false).await;
    b.keys(&[ENTER]).await;
    b.until(
        "the new preset",
        "return document.querySelector('[data-preset=\"preset1\"]')",
    )
    .await;
    let preset = b
        .js("return document.querySelector('[data-preset=\"preset1\"] input[id^=\"sid-\"]').id.split('-')[1]")
        .await;
    let p = preset.as_str().unwrap().to_string();
    assert_eq!(
        b.focused().await,
        format!("sid-{p}"),
        "the new preset's first field has the focus"
    );
    b.chord(Key::Control, 'a').await;
    b.type_text("silent-pc").await;
    b.keys(&[TAB]).await;
    assert_eq!(b.focused().await, format!("sname-{p}"));
    b.type_text("Silent PC").await;
    b.keys(&[TAB]).await;
    assert_eq!(b.focused().await, format!("sprofile-{p}"));
    for _ in 0..10 {
        if b.js(&format!(
            "return document.getElementById('sprofile-{p}').value"
        ))
        .await
            == json!("silent")
        {
            break;
        }
        b.keys(&[DOWN]).await;
    }
    b.keys(&[TAB]).await;
    assert_eq!(b.focused().await, format!("sdesc-{p}"));
    b.type_text("Cool and quiet").await;
    b.keys(&[TAB]).await;
    assert_eq!(b.focused().await, format!("choices-{p}-add"));
    b.keys(&[DOWN]).await;
    let choice = b
        .js(&format!(
            "return document.getElementById('choices-{p}-add').value"
        ))
        .await;
    let choice = choice.as_str().unwrap().to_string();
    b.keys(&[TAB, ENTER]).await;
    b.until(
        "the preset's choice",
        &format!(
            "return document.querySelector('[data-preset=\"silent-pc\"] li[data-name=\"{choice}\"]')"
        ),
    )
    .await;
    let form = b
        .js("const f = document.querySelector('[data-preset=\"silent-pc\"]'); \
             return [f.querySelector('input[id^=\"sname-\"]').value, f.querySelector('select[id^=\"sprofile-\"]').value];")
        .await;
    assert_eq!(form, json!(["Silent PC", "silent"]));
    assert!(b.text("#lint-status").await.starts_with("Usable"));

    // A compatibility table as a grid: without its last row the 5-year ProSupport is allowed
    // with nothing (dead); a new row brings it back.
    let table = "[data-rule=\"os-warranty\"]";
    assert_eq!(
        b.js(&format!(
            "return document.querySelectorAll('{table} tbody tr').length"
        ))
        .await,
        json!(6)
    );
    b.click(&format!("{table} tr[data-row=\"5\"] button")).await;
    b.until(
        "the dead option",
        "return document.querySelector('#lint-dead [data-option=\"warranty.prosupport_plus_5y\"]')",
    )
    .await;
    b.click(&format!("{table} .add-row")).await;
    b.until(
        "the new row",
        &format!("return document.querySelector('{table} tr[data-row=\"5\"]')"),
    )
    .await;
    b.set_text(
        &format!("{table} tr[data-row=\"5\"] td:nth-child(1) select"),
        "win11_pro",
    )
    .await;
    b.set_text(
        &format!("{table} tr[data-row=\"5\"] td:nth-child(2) select"),
        "prosupport_plus_5y",
    )
    .await;
    b.until(
        "no dead option",
        "const l = document.getElementById('lint-status'); return l.textContent.startsWith('Usable') && !document.getElementById('lint-dead');",
    )
    .await;
    b.js(&format!(
        "document.querySelector('{table}').scrollIntoView({{block: 'start'}}); return true;"
    ))
    .await;
    b.shot("editor-table").await;

    // A phone-width screen: every section open, nothing wider than the window.
    b.click("[data-group=\"cpu\"] .disclosure").await;
    b.click("#vendors-toggle").await;
    // A vendor's new id: its options follow.
    b.set_text("[data-vendor=\"intel\"] input[id^=\"vid-\"]", "intel-corp")
        .await;
    b.until(
        "the options to follow the vendor's new id",
        "const s = document.querySelector('[data-option=\"cpu.i5_14400f\"] select[id^=\"ovendor\"]'); \
         return s && s.value === 'intel-corp' && document.getElementById('lint-status').textContent.startsWith('Usable');",
    )
    .await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.until("the phone layout", "return window.innerWidth <= 400")
        .await;
    b.assert_no_horizontal_overflow("the editor").await;
    // The shot shows an option's card: its attribute fields with their units.
    b.js("document.querySelector('[data-option=\"cpu.i5_14400f\"]').scrollIntoView({block: 'start'}); return true;")
        .await;
    b.shot("editor-phone").await;
    b.click("#tab-insights").await;
    b.until("the insights", "return document.getElementById('insights')")
        .await;
    b.assert_no_horizontal_overflow("the insights").await;
    b.client.back().await.unwrap();
    b.until("the editor", "return document.getElementById('publish')")
        .await;
    b.client.set_window_size(1280, 1000).await.unwrap();

    // Publish; the server checks again and accepts.
    b.click("#publish").await;
    let published = b
        .until(
            "the new version",
            "const e = document.getElementById('editor-message'); return e && e.textContent;",
        )
        .await;
    assert!(
        published.as_str().unwrap().contains("version 2"),
        "{published}"
    );
    assert_eq!(b.page_errors().await, json!([]), "no console errors");

    // A customer: the renamed catalog offers the new preset; it starts with its choice and
    // profile.
    b.client.goto(&format!("{base}/")).await.unwrap();
    b.until(
        "the catalog picker",
        "return document.querySelector('[data-catalog=\"pc\"] button.needs')",
    )
    .await;
    assert_eq!(
        b.text("[data-catalog=\"pc\"] h2").await,
        "Custom PC (new range)"
    );
    b.click("[data-catalog=\"pc\"] button.needs").await;
    b.until(
        "the new preset",
        "return document.querySelector('[data-catalog=\"pc\"] [data-preset=\"silent-pc\"]')",
    )
    .await;
    b.click("[data-catalog=\"pc\"] [data-preset=\"silent-pc\"]")
        .await;
    b.until(
        "the configuration from the preset",
        "const c = document.querySelector('.configurator'); return c && c.dataset.busy === 'false' && document.querySelector('#total-value');",
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('profile').value")
            .await,
        json!("silent")
    );
    b.reveal(&choice).await;
    assert_eq!(
        b.state(&choice).await,
        "selected",
        "the preset chose {choice}"
    );

    // The browser's back button returns to the picker, forward to the configuration.
    let configuration = url(&b).await;
    assert!(configuration.contains("?c="), "{configuration}");
    b.client.back().await.unwrap();
    b.until(
        "the picker again",
        "return document.querySelector('[data-catalog=\"pc\"]') && !document.querySelector('.configurator')",
    )
    .await;
    b.client.forward().await.unwrap();
    b.until(
        "the configuration again",
        "const c = document.querySelector('.configurator'); return c && document.querySelector('#total-value');",
    )
    .await;
    assert_eq!(url(&b).await, configuration);
    assert_eq!(b.state(&choice).await, "selected");
    assert_eq!(b.page_errors().await, json!([]), "no console errors");
    b.client.close().await.unwrap();
    publish_screenshots(&["editor-profiles", "editor-table", "editor-phone"]);
}
