//! The guided configurator for one configuration: questions (groups) with their options, the
//! live price and bill of materials, the repair dialog, save, share and quote.
//!
//! Each click is answered at once by the core running in the page ([`Engine`]); the choice is
//! then sent to the server, which stores it and answers with the default product (price, bill
//! of materials) or, on conflict, the ranked repairs. Choices are sent one after the other, in
//! click order, so the server applies them in the same order as the page did.

use crate::api::{self, ApiError, Configuration, NextQuestion, Quote, RankedOption};
use crate::app::ErrorBanner;
use crate::engine::{Engine, GroupView, LocalState, OptionView};
use crate::preview::Preview;
use std::collections::VecDeque;
use yew::prelude::*;

/// Options shown per question before "show all".
const SHORT_LIST: usize = 6;

pub enum Msg {
    Loaded(Result<(Configuration, api::VersionDoc), ApiError>),
    Choose(String, &'static str),
    AskExcluded(String),
    CloseDialog,
    Answer(Result<Configuration, ApiError>),
    ApplyRepair(usize),
    UndoConflict,
    ShowAll(String),
    Share,
    Shared(Result<serde_json::Value, ApiError>),
    SaveName(String),
    Saved(Result<serde_json::Value, ApiError>),
    Quote,
    Quoted(Result<Quote, ApiError>),
    Reload,
    Dismiss,
    SetProfile(String),
    ProfileSet(Result<Configuration, ApiError>),
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

pub struct Configurator {
    engine: Option<Engine>,
    server: Option<Configuration>,
    /// The choices as the page knows them (oldest first): (`group.option`, selected).
    choices: Vec<(String, bool)>,
    local: Option<LocalState>,
    /// Choices not yet acknowledged by the server, in click order; the first is in flight.
    queue: VecDeque<(String, &'static str)>,
    error: Option<ApiError>,
    /// An excluded option the customer activated: asks before entering a conflict.
    asking: Option<String>,
    expanded: Vec<String>,
    share_url: Option<String>,
    saved: Option<String>,
    quote: Option<Quote>,
    busy: bool,
    dialog_ref: NodeRef,
    focus_dialog: bool,
    /// Server answers received (exposed as `data-answers` for the end-to-end tests).
    answers: u64,
}

fn dom_id(prefix: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{prefix}-{clean}")
}

pub fn money(x: f64, currency: &str) -> String {
    let sign = if x < 0.0 { "−" } else { "" };
    let x = x.abs();
    if (x - x.round()).abs() < 1e-9 {
        format!("{sign}{:.0} {currency}", x)
    } else {
        format!("{sign}{:.2} {currency}", x)
    }
}

fn choices_of(c: &Configuration) -> Vec<(String, bool)> {
    c.choices
        .iter()
        .map(|x| (x.option.clone(), x.action == "select"))
        .collect()
}

async fn load(id: String) -> Result<(Configuration, api::VersionDoc), ApiError> {
    let c = api::configuration(&id).await?;
    let v = api::version(&c.catalog, c.version).await?;
    Ok((c, v))
}

impl Component for Configurator {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let id = ctx.props().id.clone();
        ctx.link()
            .send_future(async move { Msg::Loaded(load(id).await) });
        Configurator {
            engine: None,
            server: None,
            choices: Vec::new(),
            local: None,
            queue: VecDeque::new(),
            error: None,
            asking: None,
            expanded: Vec::new(),
            share_url: None,
            saved: None,
            quote: None,
            busy: false,
            dialog_ref: NodeRef::default(),
            focus_dialog: false,
            answers: 0,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Loaded(Ok((c, v))) => match Engine::new(v.model) {
                Ok(engine) => {
                    self.engine = Some(engine);
                    self.choices = choices_of(&c);
                    self.server = Some(c);
                    self.error = None;
                    self.recompute();
                    self.focus_dialog = true;
                }
                Err(e) => self.error = Some(ApiError::local(e)),
            },
            Msg::Loaded(Err(e)) => self.error = Some(e),
            Msg::Reload => {
                self.error = None;
                let id = ctx.props().id.clone();
                ctx.link()
                    .send_future(async move { Msg::Loaded(load(id).await) });
            }
            Msg::Dismiss => self.error = None,
            Msg::SetProfile(profile) => {
                let id = ctx.props().id.clone();
                self.busy = true;
                ctx.link().send_future(async move {
                    let r = match api::set_profile(&id, &profile).await {
                        Ok(_) => api::configuration(&id).await,
                        Err(e) => Err(e),
                    };
                    Msg::ProfileSet(r)
                });
            }
            Msg::ProfileSet(r) => {
                self.busy = false;
                match r {
                    // Only the ranking and the default product change; the choices are the same.
                    Ok(c) if self.queue.is_empty() => self.server = Some(c),
                    Ok(_) => {}
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::AskExcluded(option) => {
                self.asking = Some(option);
                self.focus_dialog = true;
            }
            Msg::CloseDialog => self.asking = None,
            Msg::Choose(option, action) => {
                self.asking = None;
                self.quote = None;
                self.enqueue(ctx, option, action);
            }
            Msg::ApplyRepair(i) => {
                let drops = self
                    .server
                    .as_ref()
                    .and_then(|s| s.repairs.as_ref())
                    .and_then(|r| r.repairs.get(i))
                    .map(|r| r.drop.clone())
                    .unwrap_or_default();
                for option in drops {
                    self.enqueue(ctx, option, "clear");
                }
            }
            Msg::UndoConflict => {
                let keep = self
                    .server
                    .as_ref()
                    .and_then(|s| s.repairs.as_ref())
                    .and_then(|r| r.keep.as_ref())
                    .map(|k| k.choice.clone())
                    .or_else(|| self.choices.last().map(|c| c.0.clone()));
                if let Some(option) = keep {
                    self.enqueue(ctx, option, "clear");
                }
            }
            Msg::Answer(result) => {
                self.queue.pop_front();
                self.answers += 1;
                match result {
                    Ok(c) => {
                        if self.queue.is_empty() {
                            let theirs = choices_of(&c);
                            if theirs != self.choices {
                                self.choices = theirs;
                                self.recompute();
                            }
                            if !c.satisfiable {
                                self.focus_dialog = true;
                            }
                            self.server = Some(c);
                        } else {
                            self.server = Some(c);
                            self.send_next(ctx);
                        }
                    }
                    Err(e) => {
                        // Back to what the server holds: forget the unsent clicks and reload.
                        self.queue.clear();
                        self.error = Some(e);
                        if let Some(s) = &self.server {
                            self.choices = choices_of(s);
                            self.recompute();
                        }
                    }
                }
            }
            Msg::ShowAll(group) => {
                if !self.expanded.contains(&group) {
                    self.expanded.push(group);
                }
            }
            Msg::Share => {
                let id = ctx.props().id.clone();
                self.busy = true;
                ctx.link()
                    .send_future(async move { Msg::Shared(api::save(&id, None, true).await) });
            }
            Msg::Shared(r) => {
                self.busy = false;
                match r {
                    Ok(_) => {
                        let origin = web_sys::window()
                            .and_then(|w| w.location().origin().ok())
                            .unwrap_or_default();
                        let url = format!("{origin}/?c={}", api::encode(&ctx.props().id));
                        if let Some(w) = web_sys::window() {
                            // Best effort: the browser may refuse (no permission, not focused).
                            let copy = w.navigator().clipboard().write_text(&url);
                            wasm_bindgen_futures::spawn_local(async move {
                                let _ = wasm_bindgen_futures::JsFuture::from(copy).await;
                            });
                        }
                        self.share_url = Some(url);
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::SaveName(name) => {
                let id = ctx.props().id.clone();
                let shared = self.server.as_ref().is_some_and(|s| s.shared);
                self.busy = true;
                ctx.link().send_future(async move {
                    Msg::Saved(api::save(&id, Some(name), shared).await)
                });
            }
            Msg::Saved(r) => {
                self.busy = false;
                match r {
                    Ok(v) => {
                        let name = v["name"].as_str().unwrap_or_default().to_string();
                        if let Some(s) = &mut self.server {
                            s.name = Some(name.clone());
                        }
                        self.saved = Some(name);
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Quote => {
                let id = ctx.props().id.clone();
                self.busy = true;
                ctx.link()
                    .send_future(async move { Msg::Quoted(api::quote(&id).await) });
            }
            Msg::Quoted(r) => {
                self.busy = false;
                match r {
                    Ok(q) => self.quote = Some(q),
                    Err(e) => self.error = Some(e),
                }
            }
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if self.focus_dialog {
            if let Some(el) = self.dialog_ref.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
                self.focus_dialog = false;
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let banner = self.error.as_ref().map(|e| {
            html! {
                <ErrorBanner message={e.message.clone()}
                    on_retry={Some(ctx.link().callback(|_| Msg::Reload))}
                    on_dismiss={ctx.link().callback(|_| Msg::Dismiss)} />
            }
        });
        let (Some(engine), Some(local)) = (&self.engine, &self.local) else {
            return html! {
                <>
                    { for banner }
                    <p class="loading" aria-live="polite">{ "Loading the configurator…" }</p>
                </>
            };
        };
        let next = self
            .server
            .as_ref()
            .and_then(|s| s.next_question.as_ref())
            .filter(|_| self.queue.is_empty() && local.satisfiable);
        html! {
            <>
                { for banner }
                <div class="configurator" data-configuration={ctx.props().id.clone()}
                    data-answers={self.answers.to_string()}
                    data-busy={(self.busy || !self.queue.is_empty()).to_string()}>
                    <section class="questions" aria-labelledby="product-title">
                        <h1 id="product-title">{ &engine.name }</h1>
                        <p class="status" aria-live="polite">
                            { format!("Checked in your browser in {:.0} ms.", local.millis) }
                            if let Some(q) = next {
                                { " Next question: " }
                                <a href={format!("#{}", dom_id("group", &q.group))} id="next-question"
                                    data-group={q.group.clone()}>{ &q.name }</a>
                            } else if local.satisfiable && self.queue.is_empty() {
                                { " Every question is answered." }
                            }
                        </p>
                        if !engine.profiles.is_empty() {
                            { self.profile_picker(ctx, engine) }
                        }
                        if engine.has_preview() {
                            <Preview groups={engine.groups.clone()} states={local.states.clone()}
                                product={self.server.as_ref().and_then(|s| s.product.clone())} />
                        }
                        { for engine.groups.iter().filter(|g| g.visible).map(|g| self.group(ctx, g, local, next)) }
                    </section>
                    { self.summary(ctx, engine) }
                </div>
                { self.dialogs(ctx, local) }
            </>
        }
    }
}

impl Configurator {
    fn recompute(&mut self) {
        if let Some(engine) = &mut self.engine {
            match engine.state(&self.choices) {
                Ok(s) => self.local = Some(s),
                Err(e) => {
                    self.error = Some(ApiError::local(format!(
                        "The browser's solver gave up ({e}); the server decides."
                    )))
                }
            }
        }
    }

    /// Applies a click locally at once and queues it for the server.
    fn enqueue(&mut self, ctx: &Context<Self>, option: String, action: &'static str) {
        if let Some(engine) = &self.engine {
            engine.apply(&mut self.choices, &option, action);
        }
        self.recompute();
        self.queue.push_back((option, action));
        if self.queue.len() == 1 {
            self.send_next(ctx);
        }
    }

    fn send_next(&self, ctx: &Context<Self>) {
        if let Some((option, action)) = self.queue.front().cloned() {
            let id = ctx.props().id.clone();
            ctx.link()
                .send_future(async move { Msg::Answer(api::choose(&id, &option, action).await) });
        }
    }

    fn group(
        &self,
        ctx: &Context<Self>,
        g: &GroupView,
        local: &LocalState,
        next: Option<&NextQuestion>,
    ) -> Html {
        let single = g.max == 1;
        let state = |o: &OptionView| local.states.get(&o.name).copied().unwrap_or("free");
        // The guided question's ranking (from the server) when this is the next question;
        // the page's own solver still decides what is available.
        let ranking: &[RankedOption] = match next {
            Some(q) if q.group == g.id => &q.options,
            _ => &[],
        };
        let ranked = |o: &OptionView| ranking.iter().position(|r| r.option == o.name);
        // A short list: chosen options, then the ranked ones (best first), then the available
        // ones (catalog order), then the rest.
        let rank = |o: &OptionView| match (state(o), ranked(o)) {
            ("selected" | "forced", _) => (0, 0),
            ("free", Some(i)) => (1, i),
            ("free", None) => (2, 0),
            ("rejected", _) => (3, 0),
            _ => (4, 0),
        };
        let mut options: Vec<&OptionView> = g.options.iter().collect();
        options.sort_by_key(|o| rank(o));
        let short = if ranking.is_empty() {
            SHORT_LIST
        } else {
            options.iter().filter(|o| rank(o).0 <= 1).count().max(1)
        };
        let all = self.expanded.contains(&g.id) || options.len() <= short + 1;
        let hidden = if all { 0 } else { options.len() - short };
        let shown = if all { &options[..] } else { &options[..short] };
        let title_id = dom_id("title", &g.id);
        let is_next = next.is_some_and(|q| q.group == g.id);
        let gid = g.id.clone();
        html! {
            <fieldset id={dom_id("group", &g.id)} class={classes!("group", is_next.then_some("next"))}
                data-group={g.id.clone()}>
                <legend id={title_id.clone()}>
                    { &g.label }
                    if is_next { <span class="badge">{ "next" }</span> }
                    if g.min == 0 { <span class="hint">{ " (optional)" }</span> }
                    if g.max > 1 { <span class="hint">{ format!(" (up to {})", g.max) }</span> }
                </legend>
                if let Some(d) = &g.description { <p class="hint">{ d }</p> }
                <div class="options" role={if single { "radiogroup" } else { "group" }} aria-labelledby={title_id}>
                    { for shown.iter().map(|o| self.option(ctx, o, state(o), single, local, ranked(o).map(|i| &ranking[i]))) }
                </div>
                if hidden > 0 {
                    <button class="link show-all" onclick={ctx.link().callback(move |_| Msg::ShowAll(gid.clone()))}>
                        { format!("Show all {} options", options.len()) }
                    </button>
                }
            </fieldset>
        }
    }

    fn profile_picker(&self, ctx: &Context<Self>, engine: &Engine) -> Html {
        let current = self
            .server
            .as_ref()
            .and_then(|s| s.profile.clone())
            .unwrap_or_default();
        let onchange = ctx.link().batch_callback(|e: Event| {
            use wasm_bindgen::JsCast;
            e.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| Msg::SetProfile(s.value()))
        });
        html! {
            <label class="field profile" for="profile">
                <span>{ "Your needs (ranks the options and the suggested product)" }</span>
                <select id="profile" onchange={onchange} disabled={self.busy}>
                    <option value="" selected={current.is_empty()}>{ "No preference" }</option>
                    { for engine.profiles.iter().map(|(id, name)| html! {
                        <option value={id.clone()} selected={*id == current}>{ name }</option>
                    }) }
                </select>
            </label>
        }
    }

    fn option(
        &self,
        ctx: &Context<Self>,
        o: &OptionView,
        state: &'static str,
        single: bool,
        local: &LocalState,
        ranked: Option<&RankedOption>,
    ) -> Html {
        let currency = self
            .engine
            .as_ref()
            .map(|e| e.currency.as_str())
            .unwrap_or("");
        let checked = matches!(state, "selected" | "forced");
        let excluded = state == "excluded";
        let reason = local.reasons.get(&o.name).cloned();
        let why_id = dom_id("why", &o.name);
        let reasons_id = dom_id("reasons", &o.name);
        let has_reasons = !excluded && ranked.is_some_and(|r| !r.reasons.is_empty());
        let name = o.name.clone();
        let onclick = match state {
            "excluded" => ctx.link().callback(move |_| Msg::AskExcluded(name.clone())),
            "selected" | "rejected" => ctx
                .link()
                .callback(move |_| Msg::Choose(name.clone(), "clear")),
            _ => ctx
                .link()
                .callback(move |_| Msg::Choose(name.clone(), "select")),
        };
        let badge = match state {
            "selected" => Some("your choice"),
            "forced" => Some("required"),
            "rejected" => Some("rejected"),
            "excluded" => Some("not available"),
            _ => None,
        };
        let title = if excluded {
            Some(
                reason
                    .clone()
                    .unwrap_or_else(|| "Not available with your choices.".into()),
            )
        } else {
            o.description.clone()
        };
        html! {
            <div class={classes!("option", state)}>
                <button id={dom_id("opt", &o.name)} class="choice" role={if single { "radio" } else { "checkbox" }}
                    aria-checked={if checked { "true" } else { "false" }}
                    aria-disabled={excluded.then_some("true")}
                    aria-describedby={if excluded { Some(why_id.clone()) } else { has_reasons.then(|| reasons_id.clone()) }}
                    title={title}
                    data-option={o.name.clone()} data-state={state}
                    onclick={onclick}>
                    if let Some(h) = &o.hex {
                        <span class="swatch" style={format!("background:{h}")} aria-hidden="true"></span>
                    }
                    <span class="label">{ &o.label }</span>
                    if o.price != 0.0 {
                        <span class="price">{ format!("+{}", money(o.price, currency)) }</span>
                    }
                    if let Some(b) = badge { <span class="state">{ b }</span> }
                    if ranked.is_some_and(|r| r.default) && !checked && !excluded {
                        <span class="state suggested">{ "suggested" }</span>
                    }
                </button>
                if let Some(r) = ranked.filter(|_| has_reasons) {
                    <ul class="reasons" id={reasons_id} aria-label={format!("Why {}", o.label)}>
                        { for r.reasons.iter().map(|x| html! { <li>{ x }</li> }) }
                    </ul>
                }
                if excluded {
                    <span id={why_id} class="why" role="note">
                        { reason.unwrap_or_else(|| "Not available with your choices.".into()) }
                    </span>
                }
            </div>
        }
    }

    fn summary(&self, ctx: &Context<Self>, engine: &Engine) -> Html {
        let server = self.server.as_ref();
        let product = server.and_then(|s| s.product.as_ref());
        let pending = !self.queue.is_empty();
        let (yours, included): (Vec<_>, Vec<_>) = product
            .map(|p| p.lines.iter().partition(|l| l.kind != "infrastructure"))
            .unwrap_or_default();
        let line = |l: &&api::BomLine| {
            html! {
                <tr data-line={l.option.clone()}>
                    <td>
                        { &l.name }
                        if l.kind != "infrastructure" && l.chosen_by == "solver" {
                            <span class="hint">{ " (suggested)" }</span>
                        }
                    </td>
                    <td class="num">{ money(l.price, &engine.currency) }</td>
                </tr>
            }
        };
        let complete = server.is_some_and(|s| s.satisfiable) && product.is_some() && !pending;
        let name_ref = NodeRef::default();
        let name_ref2 = name_ref.clone();
        let on_save = ctx.link().callback(move |e: SubmitEvent| {
            e.prevent_default();
            let v = name_ref2
                .cast::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            Msg::SaveName(v)
        });
        html! {
            <aside class="summary" aria-labelledby="summary-title">
                <h2 id="summary-title">{ "Your product" }</h2>
                <p class="total" aria-live="polite" id="total">
                    if pending {
                        <span class="hint">{ "Updating the price…" }</span>
                    } else if let Some(p) = product {
                        { "Total " }<strong id="total-value">{ money(p.total, &p.currency) }</strong>
                        if let Some(d) = p.lead_time { <span class="hint">{ format!(" · lead time {d} days") }</span> }
                    } else if let Some(e) = server.and_then(|s| s.product_error.as_ref()) {
                        { format!("No price: {e}") }
                    } else {
                        { "No price while the choices conflict." }
                    }
                </p>
                if product.is_some() {
                    <table class="bom" aria-label="Bill of materials">
                        <tbody>{ for yours.iter().map(line) }</tbody>
                    </table>
                    if !included.is_empty() {
                        <details class="included" open=true>
                            <summary>{ "Included for you" }</summary>
                            <table class="bom" aria-label="Included for you">
                                <tbody>{ for included.iter().map(line) }</tbody>
                            </table>
                        </details>
                    }
                }
                <div class="actions">
                    <form onsubmit={on_save} class="save">
                        <label for="config-name">{ "Name" }</label>
                        <input id="config-name" ref={name_ref} type="text" maxlength="200"
                            value={server.and_then(|s| s.name.clone()).unwrap_or_default()} />
                        <button type="submit" disabled={self.busy}>{ "Save" }</button>
                    </form>
                    if let Some(n) = &self.saved {
                        <p class="ok" role="status">{ format!("Saved as “{n}”.") }</p>
                    }
                    <button id="share" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Share)}>{ "Share link" }</button>
                    if let Some(u) = &self.share_url {
                        <p class="ok" role="status">{ "Link (copied): " }<a id="share-url" href={u.clone()}>{ u }</a></p>
                    }
                    <button id="quote" class="primary" disabled={!complete || self.busy}
                        onclick={ctx.link().callback(|_| Msg::Quote)}>{ "Get a quote" }</button>
                    if let Some(q) = &self.quote {
                        <div class="quote" role="status" id="quote-result">
                            <p>{ format!("Quote {} : {}", q.id, money(q.bill.total, &q.bill.currency)) }</p>
                            <a href={format!("/api/quotes/{}", q.id)}>{ "Quote document (JSON)" }</a>
                        </div>
                    }
                </div>
            </aside>
        }
    }

    fn dialogs(&self, ctx: &Context<Self>, local: &LocalState) -> Html {
        let engine = self.engine.as_ref();
        let label = |name: &str| -> String {
            engine
                .and_then(|e| {
                    e.groups
                        .iter()
                        .flat_map(|g| g.options.iter().map(move |o| (g, o)))
                        .find(|(_, o)| o.name == name)
                        .map(|(g, o)| format!("{}: {}", g.label, o.label))
                })
                .unwrap_or_else(|| name.to_string())
        };
        let on_key = |msg: fn() -> Msg| {
            ctx.link()
                .batch_callback(move |e: KeyboardEvent| (e.key() == "Escape").then(msg))
        };
        if let Some(option) = &self.asking {
            let reason = local.reasons.get(option).cloned().unwrap_or_default();
            let o = option.clone();
            return html! {
                <div class="backdrop">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="ask-title"
                        aria-describedby="ask-why" onkeydown={on_key(|| Msg::CloseDialog)}>
                        <h2 id="ask-title">{ format!("{} is not available", label(option)) }</h2>
                        <p id="ask-why">{ reason }</p>
                        <p>{ "Choose it anyway? You will then pick which earlier choices to drop." }</p>
                        <div class="row">
                            <button ref={self.dialog_ref.clone()} id="ask-choose" class="primary"
                                onclick={ctx.link().callback(move |_| Msg::Choose(o.clone(), "select"))}>
                                { "Choose it anyway" }</button>
                            <button onclick={ctx.link().callback(|_| Msg::CloseDialog)}>{ "Keep my choices" }</button>
                        </div>
                    </div>
                </div>
            };
        }
        if local.satisfiable {
            return html! {};
        }
        let server = self.server.as_ref().filter(|_| self.queue.is_empty());
        let report = server.and_then(|s| s.repairs.as_ref());
        let currency = engine.map(|e| e.currency.as_str()).unwrap_or("");
        html! {
            <div class="backdrop">
                <div class="dialog" id="repair-dialog" role="dialog" aria-modal="true" aria-labelledby="repair-title"
                    onkeydown={on_key(|| Msg::UndoConflict)}>
                    <h2 id="repair-title">{ "Your choices conflict" }</h2>
                    if let Some(r) = report {
                        <p>{ &r.message }</p>
                        if let Some(c) = &r.conflict { <p>{ &c.message }</p> }
                        <ol class="repairs">
                            { for r.repairs.iter().enumerate().map(|(i, rep)| {
                                let drops: Vec<String> = rep.drop.iter().map(|d| label(d)).collect();
                                let delta = rep.price_delta.map(|d| {
                                    let s = money(d, currency);
                                    if d > 0.0 { format!("price +{s}") } else if d < 0.0 { format!("price {s}") } else { "same price".into() }
                                });
                                let node = if i == 0 { self.dialog_ref.clone() } else { NodeRef::default() };
                                html! {
                                    <li class="repair" data-repair={i.to_string()}>
                                        <button ref={node} class="primary" onclick={ctx.link().callback(move |_| Msg::ApplyRepair(i))}>
                                            { format!("Drop {}", drops.join(", ")) }
                                        </button>
                                        if let Some(d) = delta { <span class="hint">{ format!(" ({d})") }</span> }
                                        <p class="hint">{ &rep.explanation.message }</p>
                                    </li>
                                }
                            }) }
                        </ol>
                        <button id="repair-undo" onclick={ctx.link().callback(|_| Msg::UndoConflict)}>
                            { match &r.keep { Some(k) => format!("Undo: drop {} instead", label(&k.choice)), None => "Undo my last choice".into() } }
                        </button>
                    } else {
                        <p aria-live="polite">{ "Finding the smallest changes that fix it…" }</p>
                    }
                </div>
            </div>
        }
    }
}
