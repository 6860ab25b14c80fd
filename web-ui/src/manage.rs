//! The manufacturer's side (`/?manage`, `/?manage=ID`): token entry (kept in the browser's
//! local storage), the list of the manufacturer's own catalogs, import of TOML/JSON/UVL files
//! as new catalogs, and the editor (`editor.rs`).

use crate::api::{self, ApiError, CatalogSummary};
use crate::app::ErrorBanner;
use crate::editor::Editor;
use crate::route::{navigate, Link, Route, View};
use wasm_bindgen::JsCast;
use yew::prelude::*;

const TOKEN_KEY: &str = "configurator-token";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn stored_token() -> Option<String> {
    storage()?
        .get_item(TOKEN_KEY)
        .ok()?
        .filter(|t| !t.is_empty())
}

/// A catalog file read in the page, with the content type the server expects for it.
pub struct FileImport {
    pub text: String,
    pub content_type: &'static str,
}

/// Reads a chosen file; its extension picks the format (`.toml`, `.json`, `.uvl`).
pub async fn read_file(file: &web_sys::File) -> Result<FileImport, ApiError> {
    let name = file.name().to_ascii_lowercase();
    let content_type = if name.ends_with(".toml") {
        "application/toml"
    } else if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".uvl") {
        "text/uvl"
    } else {
        return Err(ApiError::local(format!(
            "{} is not a catalog file: choose a .toml, .json or .uvl file.",
            file.name()
        )));
    };
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| ApiError::local(format!("The file could not be read: {e:?}")))?;
    Ok(FileImport {
        text: text.as_string().unwrap_or_default(),
        content_type,
    })
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The catalog to open in the editor (`?manage=ID`).
    pub open: Option<String>,
    /// The editor's view (`&view=insights`).
    #[prop_or_default]
    pub view: View,
}

pub enum Msg {
    SignIn(String),
    SignedIn(String, Result<api::CatalogList, ApiError>),
    SignOut,
    Refresh,
    Listed(Result<api::CatalogList, ApiError>),
    Open(Option<String>),
    Import(web_sys::File),
    Imported(Result<serde_json::Value, ApiError>),
    Dismiss,
}

pub struct Manage {
    token: Option<String>,
    catalogs: Option<Vec<CatalogSummary>>,
    error: Option<ApiError>,
    signing_in: bool,
    busy: bool,
    token_ref: NodeRef,
}

impl Component for Manage {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let token = stored_token();
        if token.is_some() {
            ctx.link().send_message(Msg::Refresh);
        }
        Manage {
            token,
            catalogs: None,
            error: None,
            signing_in: false,
            busy: false,
            token_ref: NodeRef::default(),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::SignIn(token) => {
                let token = token.trim().to_string();
                if token.is_empty() {
                    self.error = Some(ApiError::local("Enter your manufacturer token."));
                    return true;
                }
                self.signing_in = true;
                ctx.link().send_future(async move {
                    let r = api::catalogs_as(&token).await;
                    Msg::SignedIn(token, r)
                });
            }
            Msg::SignedIn(token, r) => {
                self.signing_in = false;
                match r {
                    Ok(list) => {
                        if let Some(s) = storage() {
                            let _ = s.set_item(TOKEN_KEY, &token);
                        }
                        self.token = Some(token);
                        self.error = None;
                        self.catalogs =
                            Some(list.catalogs.into_iter().filter(|c| c.mine).collect());
                    }
                    Err(e) => {
                        self.error = Some(if e.status == 401 {
                            ApiError::local(
                                "This token is not valid. Create one with `configurator token create --manufacturer NAME`.",
                            )
                        } else {
                            e
                        })
                    }
                }
            }
            Msg::SignOut => {
                if let Some(s) = storage() {
                    let _ = s.remove_item(TOKEN_KEY);
                }
                self.token = None;
                self.catalogs = None;
                navigate(&Route::Manage {
                    open: None,
                    view: View::Edit,
                });
            }
            Msg::Refresh => {
                if let Some(token) = self.token.clone() {
                    ctx.link()
                        .send_future(async move { Msg::Listed(api::catalogs_as(&token).await) });
                }
            }
            Msg::Listed(r) => match r {
                Ok(list) => {
                    self.catalogs = Some(list.catalogs.into_iter().filter(|c| c.mine).collect())
                }
                Err(e) if e.status == 401 => {
                    // The stored token is no longer valid: ask again.
                    ctx.link().send_message(Msg::SignOut);
                    self.error = Some(ApiError::local(
                        "Your token is no longer valid: enter a new one.",
                    ));
                }
                Err(e) => self.error = Some(e),
            },
            Msg::Open(open) => navigate(&Route::Manage {
                open,
                view: View::Edit,
            }),
            Msg::Import(file) => {
                let Some(token) = self.token.clone() else {
                    return false;
                };
                self.busy = true;
                ctx.link().send_future(async move {
                    let r = match read_file(&file).await {
                        Ok(f) => api::send_catalog(&token, None, f.text, f.content_type).await,
                        Err(e) => Err(e),
                    };
                    Msg::Imported(r)
                });
            }
            Msg::Imported(r) => {
                self.busy = false;
                match r {
                    Ok(v) => {
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        ctx.link().send_message(Msg::Open(Some(id)));
                    }
                    Err(e) => self.error = Some(import_error(e)),
                }
            }
            Msg::Dismiss => self.error = None,
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let banner = self.error.as_ref().map(|e| {
            html! {
                <ErrorBanner message={e.message.clone()}
                    on_dismiss={ctx.link().callback(|_| Msg::Dismiss)} />
            }
        });
        let Some(token) = &self.token else {
            return html! { <>{ for banner }{ self.sign_in(ctx) }</> };
        };
        if let Some(id) = &ctx.props().open {
            return html! {
                <>
                    { for banner }
                    <Editor key={id.clone()} token={token.clone()} id={id.clone()}
                        view={ctx.props().view} />
                </>
            };
        }
        html! { <>{ for banner }{ self.list(ctx) }</> }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Props) -> bool {
        // Back to the list (a link or the back button): it may have changed meanwhile.
        if ctx.props().open.is_none() && old.open.is_some() {
            ctx.link().send_message(Msg::Refresh);
        }
        true
    }
}

/// The first diagnostic of a refused import, with its position.
fn import_error(e: ApiError) -> ApiError {
    let Some(d) = e.body["diagnostics"].as_array().and_then(|d| d.first()) else {
        return e;
    };
    let mut m = String::from("The file was not imported: ");
    if let (Some(l), Some(c)) = (
        d["location"]["line"].as_u64(),
        d["location"]["column"].as_u64(),
    ) {
        m.push_str(&format!("line {l}, column {c}: "));
    }
    m.push_str(d["message"].as_str().unwrap_or(&e.message));
    ApiError::local(m)
}

impl Manage {
    fn sign_in(&self, ctx: &Context<Self>) -> Html {
        let token_ref = self.token_ref.clone();
        let onsubmit = ctx.link().callback(move |e: SubmitEvent| {
            e.prevent_default();
            let v = token_ref
                .cast::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            Msg::SignIn(v)
        });
        html! {
            <section class="card sign-in" aria-labelledby="sign-in-title">
                <h1 id="sign-in-title">{ "Manufacturers" }</h1>
                <p>{ "Sign in with your API token to edit, publish and follow your catalogs." }</p>
                <form onsubmit={onsubmit} class="save">
                    <label for="token">{ "Manufacturer token" }</label>
                    <input id="token" ref={self.token_ref.clone()} type="password" autocomplete="off" required=true />
                    <button type="submit" class="primary" disabled={self.signing_in}>
                        { if self.signing_in { "Checking…" } else { "Sign in" } }
                    </button>
                </form>
                <p class="hint">{ "Create a token with " }<code>{ "configurator token create --manufacturer NAME" }</code>{ " while the server is stopped." }</p>
            </section>
        }
    }

    fn list(&self, ctx: &Context<Self>) -> Html {
        let on_import = ctx.link().batch_callback(|e: Event| {
            e.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
                .map(Msg::Import)
        });
        html! {
            <section class="manage" aria-labelledby="manage-title">
                <div class="row spread">
                    <h1 id="manage-title">{ "Your catalogs" }</h1>
                    <button id="sign-out" onclick={ctx.link().callback(|_| Msg::SignOut)}>{ "Sign out" }</button>
                </div>
                { match &self.catalogs {
                    None => html! { <p class="loading" aria-live="polite">{ "Loading your catalogs…" }</p> },
                    Some(list) if list.is_empty() => html! { <p>{ "You have no catalog yet: import one below." }</p> },
                    Some(list) => html! {
                        <ul class="cards">
                            { for list.iter().map(|c| {
                                let id = c.id.clone();
                                html! {
                                    <li class="card" data-own-catalog={c.id.clone()}>
                                        <h2>{ &c.name }</h2>
                                        <p class="hint">
                                            { format!("{} · ", c.id) }
                                            { match c.latest { Some(v) => format!("published version {v}"), None => "draft, not published".into() } }
                                        </p>
                                        <Link to={Route::Manage { open: Some(id), view: View::Edit }} class="button primary">
                                            { "Edit" }<span class="sr-only">{ format!(" {}", c.name) }</span>
                                        </Link>
                                    </li>
                                }
                            }) }
                        </ul>
                    },
                } }
                <section class="card" aria-labelledby="import-title">
                    <h2 id="import-title">{ "Import a catalog" }</h2>
                    <label class="file" for="import-file">
                        <span>{ "A catalog file: TOML or JSON (docs/catalog-format.md) or a UVL feature model" }</span>
                    </label>
                    <input id="import-file" type="file" accept=".toml,.json,.uvl" disabled={self.busy} onchange={on_import} />
                    if self.busy { <p class="loading" aria-live="polite">{ "Importing…" }</p> }
                </section>
            </section>
        }
    }
}
