//! The page: the screen of the address (`route.rs`: the catalog picker, a configuration, the
//! manufacturer's side), followed on back and forward; the catalog picker and the error banner.

use crate::api::{self, ApiError, CatalogSummary};
use crate::configurator::Configurator;
use crate::manage::Manage;
use crate::route::{navigate, Link, Route};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A needs profile or a preset of a catalog, as the picker offers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub id: String,
    pub name: String,
    pub description: String,
    /// A preset learned from the configurations customers shared (not the manufacturer's).
    pub learned: bool,
}

fn choices(model: &serde_json::Value, key: &str) -> Vec<Choice> {
    model[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| Choice {
                    id: p["id"].as_str().unwrap_or_default().to_string(),
                    name: p["name"]
                        .as_str()
                        .filter(|n| !n.is_empty())
                        .or(p["id"].as_str())
                        .unwrap_or_default()
                        .to_string(),
                    description: p["description"].as_str().unwrap_or_default().to_string(),
                    learned: p["learned"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub enum Msg {
    Catalogs(Result<api::CatalogList, ApiError>),
    /// Shows the needs profiles and presets of a catalog.
    Expand(String),
    /// The published model (for its profiles) and the presets (the manufacturer's and the
    /// learned ones).
    Expanded(
        String,
        Result<(serde_json::Value, serde_json::Value), ApiError>,
    ),
    /// Starts a configuration: catalog, profile, preset.
    Start(String, Option<String>, Option<String>),
    /// The new configuration's id.
    Started(Result<String, ApiError>),
    Retry,
    Dismiss,
    /// The address changed (a link, or the browser's back and forward buttons).
    Route(Route),
}

pub struct App {
    route: Route,
    /// The `popstate` listener (kept alive as long as the app).
    _popstate: Option<Closure<dyn Fn()>>,
    /// Focus goes to the new screen's content after a screen change.
    focus_main: bool,
    main_ref: NodeRef,
    catalogs: Option<Vec<CatalogSummary>>,
    /// The catalog whose profiles and presets are shown: (id, profiles, presets).
    expanded: Option<(String, Vec<Choice>, Vec<Choice>)>,
    profile_ref: NodeRef,
    starting: Option<String>,
    error: Option<ApiError>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let route = Route::current();
        if route == Route::Picker {
            ctx.link()
                .send_future(async { Msg::Catalogs(api::catalogs().await) });
        }
        let link = ctx.link().clone();
        let popstate =
            Closure::<dyn Fn()>::new(move || link.send_message(Msg::Route(Route::current())));
        let listening = web_sys::window().is_some_and(|w| {
            w.add_event_listener_with_callback("popstate", popstate.as_ref().unchecked_ref())
                .is_ok()
        });
        App {
            route,
            _popstate: listening.then_some(popstate),
            focus_main: false,
            main_ref: NodeRef::default(),
            catalogs: None,
            expanded: None,
            profile_ref: NodeRef::default(),
            starting: None,
            error: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Catalogs(Ok(list)) => {
                self.catalogs = Some(list.catalogs);
                self.error = None;
            }
            Msg::Catalogs(Err(e)) => self.error = Some(e),
            Msg::Retry => {
                self.error = None;
                ctx.link()
                    .send_future(async { Msg::Catalogs(api::catalogs().await) });
            }
            Msg::Dismiss => self.error = None,
            Msg::Route(route) => {
                if route == self.route {
                    // Only the fragment changed (an in-page link).
                    return false;
                }
                if route == Route::Picker {
                    ctx.link()
                        .send_future(async { Msg::Catalogs(api::catalogs().await) });
                }
                self.route = route;
                self.error = None;
                self.starting = None;
                self.focus_main = true;
            }
            Msg::Expand(id) => {
                self.expanded = Some((id.clone(), Vec::new(), Vec::new()));
                ctx.link().send_future(async move {
                    let both = async {
                        let model = api::published(&id).await?;
                        Ok((model, api::presets(&id).await?))
                    };
                    Msg::Expanded(id.clone(), both.await)
                });
            }
            Msg::Expanded(id, r) => match r {
                Ok((model, presets)) => {
                    self.expanded = Some((
                        id,
                        choices(&model, "profiles"),
                        choices(&presets, "presets"),
                    ))
                }
                Err(e) => self.error = Some(e),
            },
            Msg::Start(id, profile, preset) => {
                self.starting = Some(id.clone());
                self.error = None;
                ctx.link().send_future(async move {
                    Msg::Started(
                        api::new_configuration(&id, profile, preset)
                            .await
                            .map(|c| c.id),
                    )
                });
            }
            Msg::Started(Ok(id)) => {
                // The configuration id goes into the address: reloading or sharing it restores
                // the configuration, and back returns to the picker.
                self.starting = None;
                navigate(&Route::Configuration(id));
            }
            Msg::Started(Err(e)) => {
                self.starting = None;
                self.error = Some(e);
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let main = match &self.route {
            Route::Manage { open, view } => html! { <Manage open={open.clone()} view={*view} /> },
            Route::Configuration(id) => html! { <Configurator key={id.clone()} id={id.clone()} /> },
            Route::Picker => self.picker(ctx),
        };
        let manage = matches!(self.route, Route::Manage { .. });
        html! {
            <>
                <header class="top">
                    <Link to={Route::Picker} class="brand">{ "Configurator" }</Link>
                    <nav aria-label="Site">
                        <Link to={Route::Manage { open: None, view: Default::default() }} id="nav-manage"
                            current={manage}>{ "For manufacturers" }</Link>
                    </nav>
                </header>
                if let Some(e) = &self.error {
                    <ErrorBanner message={e.message.clone()}
                        on_retry={Some(ctx.link().callback(|_| Msg::Retry))}
                        on_dismiss={ctx.link().callback(|_| Msg::Dismiss)} />
                }
                <main id="main" ref={self.main_ref.clone()} tabindex="-1">{ main }</main>
            </>
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        // After a screen change, keyboard and screen-reader users continue in the new screen.
        if std::mem::take(&mut self.focus_main) {
            if let Some(m) = self.main_ref.cast::<web_sys::HtmlElement>() {
                let _ = m.focus();
            }
        }
    }
}

impl App {
    fn picker(&self, ctx: &Context<Self>) -> Html {
        let Some(catalogs) = &self.catalogs else {
            return html! { <p class="loading" aria-live="polite">{ "Loading products…" }</p> };
        };
        html! {
            <section class="picker" aria-labelledby="picker-title">
                <h1 id="picker-title">{ "Choose a product to configure" }</h1>
                if catalogs.is_empty() {
                    <p>{ "No product is published yet." }</p>
                }
                <ul class="cards">
                    { for catalogs.iter().filter(|c| c.latest.is_some()).map(|c| {
                        let id = c.id.clone();
                        let id2 = c.id.clone();
                        let busy = self.starting.as_deref() == Some(c.id.as_str());
                        let label_id = format!("cat-{}", c.id);
                        let expanded = self.expanded.as_ref().filter(|(e, _, _)| *e == c.id);
                        html! {
                            <li class="card" data-catalog={c.id.clone()}>
                                <h2 id={label_id.clone()}>{ &c.name }</h2>
                                if let Some(d) = &c.description { <p>{ d }</p> }
                                <div class="row">
                                    <button class="primary start" disabled={self.starting.is_some()}
                                        aria-describedby={label_id.clone()}
                                        onclick={ctx.link().callback(move |_| Msg::Start(id.clone(), None, None))}>
                                        { if busy { "Starting…" } else { "Configure" } }
                                    </button>
                                    if expanded.is_none() {
                                        <button class="link needs" aria-describedby={label_id}
                                            onclick={ctx.link().callback(move |_| Msg::Expand(id2.clone()))}>
                                            { "Start from your needs or a preset" }
                                        </button>
                                    }
                                </div>
                                if let Some((cid, profiles, presets)) = expanded {
                                    { self.needs(ctx, cid, profiles, presets) }
                                }
                            </li>
                        }
                    }) }
                </ul>
            </section>
        }
    }
}

impl App {
    /// The needs profiles (a choice for the whole configuration) and presets (a ready
    /// starting point) of the catalog being expanded.
    fn needs(
        &self,
        ctx: &Context<Self>,
        id: &str,
        profiles: &[Choice],
        presets: &[Choice],
    ) -> Html {
        if profiles.is_empty() && presets.is_empty() {
            return html! { <p class="hint" aria-live="polite">{ "Loading…" }</p> };
        }
        let select_id = format!("profile-{id}");
        let profile_ref = self.profile_ref.clone();
        let cid = id.to_string();
        let start = ctx.link().callback(move |_| {
            let p = profile_ref
                .cast::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .filter(|v| !v.is_empty());
            Msg::Start(cid.clone(), p, None)
        });
        html! {
            <div class="needs-panel">
                if !profiles.is_empty() {
                    <label class="field" for={select_id.clone()}>
                        <span>{ "What is it for? (ranks the options and picks the suggested product)" }</span>
                        <select id={select_id} ref={self.profile_ref.clone()}>
                            <option value="">{ "No preference" }</option>
                            { for profiles.iter().map(|p| html! {
                                <option value={p.id.clone()} title={p.description.clone()}>{ format!("{} — {}", p.name, p.description) }</option>
                            }) }
                        </select>
                    </label>
                    <button class="primary start-profile" disabled={self.starting.is_some()} onclick={start}>{ "Configure for this need" }</button>
                }
                if !presets.is_empty() {
                    <p class="presets-title">{ "Or start from a preset:" }</p>
                    <ul class="presets">
                        { for presets.iter().map(|p| {
                            let (cid, pid) = (id.to_string(), p.id.clone());
                            html! {
                                <li class={classes!(p.learned.then_some("learned"))}>
                                    <button data-preset={p.id.clone()} disabled={self.starting.is_some()}
                                        onclick={ctx.link().callback(move |_| Msg::Start(cid.clone(), None, Some(pid.clone())))}>
                                        if p.learned { <span class="badge learned-badge">{ "Customers' choice" }</span>{ " " } }
                                        <strong>{ &p.name }</strong>
                                        if !p.description.is_empty() { <span class="hint">{ format!(" — {}", p.description) }</span> }
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                }
            </div>
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    pub message: String,
    #[prop_or_default]
    pub on_retry: Option<Callback<MouseEvent>>,
    pub on_dismiss: Callback<MouseEvent>,
}

/// A visible, announced message for a failed request.
#[function_component(ErrorBanner)]
pub fn error_banner(p: &ErrorProps) -> Html {
    html! {
        <div class="error-banner" role="alert" id="error-banner">
            <span>{ &p.message }</span>
            if let Some(r) = &p.on_retry {
                <button onclick={r.clone()}>{ "Try again" }</button>
            }
            <button onclick={p.on_dismiss.clone()} aria-label="Dismiss the error">{ "×" }</button>
        </div>
    }
}
