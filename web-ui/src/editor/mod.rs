//! The manufacturer's catalog editor over the draft: the catalog's questions (groups) with
//! their options (price, vendor, attributes, default), rules as text or compatibility tables
//! (an editable grid), attribute declarations (type, unit, `better` direction), vendors, needs
//! profiles and presets. After every edit the page lints the draft with the core (`lint.rs`).
//! Save (`PUT`), publish (`PUT` then `POST .../publish`; the server's lint report on refusal),
//! replace the draft from a file, and the insights charts (`view=insights`).
//!
//! `model.rs` applies the edits to the catalog model; `sections.rs` draws the forms of the
//! attributes, vendors, profiles, presets and tables.

mod model;
mod sections;

use crate::api::{self, ApiError, Insights};
use crate::app::ErrorBanner;
use crate::charts::{bars, Bar};
use crate::lint::{describe, lint, LintView};
use crate::manage::{read_file, FileImport};
use crate::route::{Link, Route, View};
use configurator_core::catalog::{AttrType, Catalog, Group, OptionDef, Rule, Value};
use configurator_core::Diagnostic;
use model::{
    attributes_of, group_attributes, other_attributes_text, value_text, Attributes, Field, Part,
};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use yew::prelude::*;

thread_local! {
    /// Drafts with unsaved changes whose editor was left (another screen, back button): they
    /// come back when the editor of the catalog opens again in this page.
    static UNSAVED: RefCell<HashMap<String, Catalog>> = RefCell::new(HashMap::new());
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub token: String,
    pub id: String,
    #[prop_or_default]
    pub view: View,
}

/// A part of the form that opens and closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Group(usize),
    Attributes,
    Vendors,
    Profiles,
    Presets,
}

pub enum Msg {
    Loaded(Result<api::CatalogDoc, ApiError>),
    Edit(Field, String),
    Add(Part),
    Remove(Part, usize),
    /// The option chosen in the "add" list of a profile's preferences or a preset's choices.
    Pick(Part, String),
    /// A profile's weight on an attribute that cannot be weighted.
    RemoveWeight(usize, String),
    Toggle(Section),
    /// Show a field for a declared attribute (index) in the option rows of a group.
    ShowAttr(usize, usize),
    Save,
    Saved(Result<serde_json::Value, ApiError>),
    Publish,
    Published(Result<serde_json::Value, ApiError>),
    Replace(web_sys::File),
    Replaced(Result<serde_json::Value, ApiError>),
    /// Forget the unsaved changes kept from an earlier visit: the server's draft again.
    Discard,
    Insights(Result<Insights, ApiError>),
    Dismiss,
}

pub struct Editor {
    catalog: Option<Catalog>,
    /// The attribute declarations in the order shown (see `model::Attributes`).
    attrs: Attributes,
    latest: Option<u32>,
    lint: Option<LintView>,
    /// Texts being typed that do not parse yet (numbers, attributes), with their error.
    raw: BTreeMap<Field, (String, Option<String>)>,
    picks: BTreeMap<Part, String>,
    /// Per group, declared attributes (indices) given a field though no option carries them.
    shown_attrs: BTreeMap<usize, BTreeSet<usize>>,
    open: BTreeSet<Section>,
    dirty: bool,
    busy: bool,
    /// The server refused to publish: its lint report (diagnostics).
    refused: Option<Vec<serde_json::Value>>,
    message: Option<String>,
    error: Option<ApiError>,
    insights: Option<Insights>,
    /// The element to focus after the next render (a part just added, or the add button of
    /// the list a part was removed from), so keyboard users keep their place.
    focus: Option<String>,
}

pub fn dom_id(prefix: &str, parts: &[usize]) -> String {
    let mut s = prefix.to_string();
    for p in parts {
        s.push_str(&format!("-{p}"));
    }
    s
}

pub fn input_value(e: &InputEvent) -> String {
    use wasm_bindgen::JsCast;
    let t = e.target();
    if let Some(i) = t
        .clone()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        return i.value();
    }
    if let Some(i) = t
        .clone()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    {
        return i.value();
    }
    t.and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The error of a rule's diagnostic shown under its text: the line and a caret at the column.
fn caret(text: &str, d: &Diagnostic) -> Html {
    let Some(loc) = d.location.filter(|l| !l.in_file) else {
        return html! {};
    };
    let line = text.lines().nth(loc.line.saturating_sub(1)).unwrap_or("");
    let pad: String = " ".repeat(loc.column.saturating_sub(1));
    html! { <pre class="caret" aria-hidden="true">{ format!("{line}\n{pad}^") }</pre> }
}

/// Fields whose text is kept as typed (numbers and attribute tables print differently from
/// how they are typed, and may not parse yet).
fn keeps_text(f: Field) -> bool {
    matches!(
        f,
        Field::GroupMin(_)
            | Field::GroupMax(_)
            | Field::OptionPrice(..)
            | Field::OptionAttr(..)
            | Field::OptionAttributes(..)
            | Field::ProfileBudget(_)
            | Field::ProfileWeight(..)
    )
}

impl Component for Editor {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
        ctx.link()
            .send_future(async move { Msg::Loaded(api::catalog_as(&token, &id).await) });
        if ctx.props().view == View::Insights {
            load_insights(ctx);
        }
        Editor {
            catalog: None,
            attrs: Vec::new(),
            latest: None,
            lint: None,
            raw: BTreeMap::new(),
            picks: BTreeMap::new(),
            shown_attrs: BTreeMap::new(),
            open: BTreeSet::new(),
            dirty: false,
            busy: false,
            refused: None,
            message: None,
            error: None,
            insights: None,
            focus: None,
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if let Some(id) = self.focus.take() {
            use wasm_bindgen::JsCast;
            if let Some(e) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = e.focus();
            }
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Props) -> bool {
        if ctx.props().view == View::Insights && old.view != View::Insights {
            load_insights(ctx);
        }
        true
    }

    fn destroy(&mut self, ctx: &Context<Self>) {
        if let (true, Some(c)) = (self.dirty, self.catalog.take()) {
            UNSAVED.with(|u| u.borrow_mut().insert(ctx.props().id.clone(), c));
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Loaded(Ok(doc)) => {
                self.latest = doc.latest;
                let kept = UNSAVED.with(|u| u.borrow_mut().remove(&ctx.props().id));
                match doc.draft.map(serde_json::from_value::<Catalog>).transpose() {
                    Ok(Some(c)) => {
                        if kept.is_some() {
                            self.dirty = true;
                            self.message = Some(
                                "Your unsaved changes from before are back: save or publish them, or discard them."
                                    .into(),
                            );
                        }
                        let c = kept.unwrap_or(c);
                        self.attrs = attributes_of(&c);
                        self.catalog = Some(c);
                        self.raw.clear();
                        self.picks.clear();
                        self.shown_attrs.clear();
                        self.relint();
                    }
                    Ok(None) => self.error = Some(ApiError::local(
                        "This catalog belongs to another manufacturer: there is no draft to edit.",
                    )),
                    Err(e) => {
                        self.error =
                            Some(ApiError::local(format!("The draft could not be read: {e}")))
                    }
                }
            }
            Msg::Loaded(Err(e)) => self.error = Some(e),
            Msg::Edit(field, value) => {
                let Some(c) = &mut self.catalog else {
                    return false;
                };
                match model::edit(c, &mut self.attrs, field, value.clone()) {
                    Ok(()) if keeps_text(field) => {
                        self.raw.insert(field, (value, None));
                    }
                    Ok(()) => {
                        self.raw.remove(&field);
                    }
                    Err(e) => {
                        self.raw.insert(field, (value, Some(e)));
                    }
                }
                self.changed_draft();
            }
            Msg::Add(part) => {
                let Some(c) = &mut self.catalog else {
                    return false;
                };
                let pick = match part {
                    Part::Prefer(p) => self.picks.remove(&part).or_else(|| {
                        sections::addable(c, &c.profiles[p].prefer)
                            .into_iter()
                            .next()
                    }),
                    Part::Choice(p) => self.picks.remove(&part).or_else(|| {
                        sections::addable(c, &c.presets[p].choices)
                            .into_iter()
                            .next()
                    }),
                    _ => None,
                };
                model::add(c, &mut self.attrs, part, pick);
                self.focus = focus_after_add(c, &self.attrs, part);
                match part {
                    Part::Group => {
                        self.open.insert(Section::Group(c.groups.len() - 1));
                    }
                    Part::Profile => {
                        self.open.insert(Section::Profiles);
                    }
                    Part::Preset => {
                        self.open.insert(Section::Presets);
                    }
                    _ => {}
                }
                self.structural();
            }
            Msg::Remove(part, i) => {
                let Some(c) = &mut self.catalog else {
                    return false;
                };
                model::remove(c, &mut self.attrs, part, i);
                self.focus = Some(focus_after_remove(part));
                if part == Part::Group {
                    self.open.retain(|s| !matches!(s, Section::Group(_)));
                }
                if matches!(part, Part::Group | Part::Attribute) {
                    self.shown_attrs.clear();
                }
                self.structural();
            }
            Msg::Pick(part, v) => {
                self.picks.insert(part, v);
                return false;
            }
            Msg::RemoveWeight(p, attr) => {
                if let Some(profile) = self.catalog.as_mut().and_then(|c| c.profiles.get_mut(p)) {
                    profile.weights.remove(&attr);
                }
                self.focus = Some(dom_id("pid", &[p]));
                self.structural();
            }
            Msg::ShowAttr(g, a) => {
                self.shown_attrs.entry(g).or_default().insert(a);
                self.focus = Some(dom_id("oattr", &[g, 0, a]));
            }
            Msg::Toggle(s) => {
                if !self.open.remove(&s) {
                    self.open.insert(s);
                }
            }
            Msg::Save | Msg::Publish => {
                let publish = matches!(msg, Msg::Publish);
                let Some(c) = &self.catalog else { return false };
                let body = serde_json::to_string(c).unwrap_or_default();
                let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
                self.busy = true;
                self.refused = None;
                self.message = None;
                ctx.link().send_future(async move {
                    let saved =
                        api::send_catalog(&token, Some(&id), body, "application/json").await;
                    match (saved, publish) {
                        (Err(e), _) => Msg::Saved(Err(e)),
                        (Ok(v), false) => Msg::Saved(Ok(v)),
                        (Ok(_), true) => Msg::Published(api::publish(&token, &id).await),
                    }
                });
            }
            Msg::Saved(r) => {
                self.busy = false;
                match r {
                    Ok(_) => {
                        self.dirty = false;
                        self.message = Some("Draft saved.".into());
                    }
                    Err(e) => self.refuse(e),
                }
            }
            Msg::Published(r) => {
                // Publishing saved the draft first, whether it was published or refused.
                self.busy = false;
                self.dirty = false;
                match r {
                    Ok(v) => {
                        let version = v["version"].as_u64().unwrap_or(0) as u32;
                        self.latest = Some(version);
                        self.message = Some(format!(
                            "Published as version {version}: customers get it from now on."
                        ));
                    }
                    Err(e) => self.refuse(e),
                }
            }
            Msg::Replace(file) => {
                let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
                self.busy = true;
                ctx.link().send_future(async move {
                    let r = match read_file(&file).await {
                        Ok(FileImport { text, content_type }) => {
                            api::send_catalog(&token, Some(&id), text, content_type).await
                        }
                        Err(e) => Err(e),
                    };
                    Msg::Replaced(r)
                });
            }
            Msg::Replaced(r) => {
                self.busy = false;
                match r {
                    Ok(v) => {
                        self.dirty = false;
                        ctx.link()
                            .send_message(Msg::Loaded(serde_json::from_value(v).map_err(|e| {
                                ApiError::local(format!(
                                    "The server's answer could not be read: {e}"
                                ))
                            })));
                        self.message = Some("The draft was replaced by the file.".into());
                    }
                    Err(e) => self.refuse(e),
                }
            }
            Msg::Discard => {
                let sure = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message("Discard every change not saved yet?")
                            .ok()
                    })
                    .unwrap_or(false);
                if !sure {
                    return false;
                }
                self.dirty = false;
                self.message = None;
                self.catalog = None;
                let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
                ctx.link()
                    .send_future(async move { Msg::Loaded(api::catalog_as(&token, &id).await) });
            }
            Msg::Insights(r) => match r {
                Ok(i) => self.insights = Some(i),
                Err(e) => self.error = Some(e),
            },
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
        let back = html! {
            <Link to={Route::Manage { open: None, view: View::Edit }} class="back">{ "← Your catalogs" }</Link>
        };
        let Some(c) = &self.catalog else {
            return html! {
                <>
                    { for banner }
                    { back }
                    <p class="loading" aria-live="polite">{ "Loading the catalog…" }</p>
                </>
            };
        };
        let view = ctx.props().view;
        let tab = |v: View, label: &str, id: &str| {
            let to = Route::Manage {
                open: Some(ctx.props().id.clone()),
                view: v,
            };
            html! {
                <Link to={to} id={AttrValue::from(id.to_string())} current={view == v}
                    class={classes!("tab", (view == v).then_some("active"))}>{ label }</Link>
            }
        };
        html! {
            <>
                { for banner }
                <div class="editor" data-catalog={c.id.clone()} data-busy={self.busy.to_string()}
                    data-dirty={self.dirty.to_string()}>
                    { back }
                    <h1>{ format!("{} ({})", c.name, c.id) }</h1>
                    <p class="hint">
                        { match self.latest { Some(v) => format!("Published version {v}. "), None => "Not published yet. ".into() } }
                        { if self.dirty { "Unsaved changes." } else { "" } }
                    </p>
                    <nav aria-label="Catalog views" class="tabs">
                        { tab(View::Edit, "Edit", "tab-edit") }
                        { tab(View::Insights, "Insights", "tab-insights") }
                    </nav>
                    if view == View::Edit {
                        <div class="edit-layout">
                            <div class="edit-main">{ self.form(ctx, c) }</div>
                            <aside class="lint-panel" aria-labelledby="lint-title">{ self.lint_panel() }</aside>
                        </div>
                    } else {
                        { self.insights_view(c) }
                    }
                </div>
            </>
        }
    }
}

/// The first field of a part just added (a profile's preferences and a preset's choices keep
/// the focus on their "Add" button).
fn focus_after_add(c: &Catalog, attrs: &Attributes, part: Part) -> Option<String> {
    let last = |n: usize| n.saturating_sub(1);
    Some(match part {
        Part::Vendor => dom_id("vid", &[last(c.vendors.len())]),
        Part::Attribute => dom_id("aname", &[last(attrs.len())]),
        Part::Group => dom_id("gid", &[last(c.groups.len())]),
        Part::Option(g) => dom_id("oid", &[g, last(c.groups[g].options.len())]),
        Part::Rule | Part::Table => dom_id("rule-id", &[last(c.rules.len())]),
        Part::TableRow(r) => {
            let rows = c.rules[r]
                .table
                .as_ref()
                .map_or(0, |t| model::rows(t).len());
            dom_id("tcell", &[r, last(rows), 0])
        }
        Part::TableColumn(r) => {
            let cols = c.rules[r].table.as_ref().map_or(0, |t| t.groups.len());
            dom_id("tgroup", &[r, last(cols)])
        }
        Part::Profile => dom_id("pid", &[last(c.profiles.len())]),
        Part::Preset => dom_id("sid", &[last(c.presets.len())]),
        Part::Prefer(_) | Part::Choice(_) => return None,
    })
}

/// The "add" control of the list a part was removed from.
fn focus_after_remove(part: Part) -> String {
    match part {
        Part::Vendor => "add-vendor".into(),
        Part::Attribute => "add-attribute".into(),
        Part::Group => "add-group".into(),
        Part::Option(g) => dom_id("add-option", &[g]),
        Part::Rule | Part::Table => "add-rule".into(),
        Part::TableRow(r) | Part::TableColumn(r) => dom_id("add-row", &[r]),
        Part::Profile => "add-profile".into(),
        Part::Preset => "add-preset".into(),
        Part::Prefer(p) => format!("{}-add", dom_id("prefer", &[p])),
        Part::Choice(p) => format!("{}-add", dom_id("choices", &[p])),
    }
}

fn load_insights(ctx: &Context<Editor>) {
    let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
    ctx.link()
        .send_future(async move { Msg::Insights(api::insights(&token, &id).await) });
}

impl Editor {
    fn relint(&mut self) {
        self.lint = self.catalog.as_ref().map(lint);
        if let Some(l) = &mut self.lint {
            for (text, e) in self.raw.values() {
                if let Some(e) = e {
                    l.errors
                        .push(Diagnostic::error("malformed", format!("{e} (in “{text}”)")));
                }
            }
            for p in model::attribute_problems(&self.attrs) {
                l.errors.push(Diagnostic::error("bad-attribute", p));
            }
        }
    }

    fn changed_draft(&mut self) {
        self.dirty = true;
        self.message = None;
        self.relint();
    }

    /// After adding or removing parts, indices move: forget texts still being typed.
    fn structural(&mut self) {
        self.raw.clear();
        self.picks.clear();
        self.changed_draft();
    }

    fn refuse(&mut self, e: ApiError) {
        let diags = e.body["lint"]["diagnostics"]
            .as_array()
            .or_else(|| e.body["diagnostics"].as_array())
            .cloned();
        match diags {
            Some(d) => self.refused = Some(d),
            None => self.error = Some(e),
        }
    }

    /// The text an input shows: as typed when it is being typed, else the catalog's value.
    fn shown(&self, field: Field, value: String) -> String {
        self.raw
            .get(&field)
            .map(|(t, _)| t.clone())
            .unwrap_or(value)
    }

    /// The problem of a text that does not parse, if any.
    fn raw_error(&self, field: Field) -> Option<String> {
        self.raw.get(&field).and_then(|(_, e)| e.clone())
    }

    /// Lint errors whose message is about a part (`profile gaming`, `attribute vram_gb`, ...).
    fn errors_about(&self, prefix: &str) -> Vec<String> {
        self.lint
            .iter()
            .flat_map(|l| l.errors.iter())
            .filter(|d| {
                d.message
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with([' ', ':']))
            })
            .map(describe)
            .collect()
    }

    fn text_input(
        &self,
        ctx: &Context<Self>,
        field: Field,
        id: String,
        label: &str,
        value: String,
    ) -> Html {
        let error = self.raw_error(field);
        let err_id = format!("{id}-error");
        html! {
            <label class="field" for={id.clone()}>
                <span>{ label }</span>
                <input id={id} type="text" value={self.shown(field, value)}
                    aria-invalid={error.is_some().then_some("true")}
                    aria-describedby={error.is_some().then(|| err_id.clone())}
                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))} />
                if let Some(e) = error { <span class="error-text" id={err_id}>{ e }</span> }
            </label>
        }
    }

    /// A select of `(value, label)` choices; a current value not among them is kept (shown as
    /// unknown) so that nothing is lost before the manufacturer fixes it.
    fn select(
        &self,
        ctx: &Context<Self>,
        field: Field,
        id: String,
        label: Html,
        current: &str,
        choices: &[(String, String)],
    ) -> Html {
        let unknown = !choices.iter().any(|(v, _)| v == current);
        html! {
            <label class="field" for={id.clone()}>
                <span>{ label }</span>
                { self.bare_select(ctx, field, id, None, current, choices, unknown) }
            </label>
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bare_select(
        &self,
        ctx: &Context<Self>,
        field: Field,
        id: String,
        aria_label: Option<String>,
        current: &str,
        choices: &[(String, String)],
        unknown: bool,
    ) -> Html {
        html! {
            <select id={id} aria-label={aria_label}
                oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))}>
                if unknown {
                    <option value={current.to_string()} selected=true>{ format!("{current} (unknown)") }</option>
                }
                { for choices.iter().map(|(v, l)| html! {
                    <option value={v.clone()} selected={v == current}>{ l }</option>
                }) }
            </select>
        }
    }

    fn form(&self, ctx: &Context<Self>, c: &Catalog) -> Html {
        let (dead, forced): (BTreeSet<String>, BTreeSet<String>) = self
            .lint
            .as_ref()
            .and_then(|l| l.report.as_ref())
            .map(|r| {
                (
                    r.dead.iter().cloned().collect(),
                    r.forced.iter().cloned().collect(),
                )
            })
            .unwrap_or_default();
        let on_replace = ctx.link().batch_callback(|e: Event| {
            use wasm_bindgen::JsCast;
            e.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
                .map(Msg::Replace)
        });
        html! {
            <>
                <section class="card" aria-labelledby="catalog-title">
                    <h2 id="catalog-title">{ "Catalog" }</h2>
                    <div class="fields">
                        { self.text_input(ctx, Field::CatalogName, "catalog-name".into(), "Name", c.name.clone()) }
                        { self.text_input(ctx, Field::Currency, "catalog-currency".into(), "Currency", c.currency.clone()) }
                        { self.text_input(ctx, Field::CatalogVersion, "catalog-version".into(), "Version label (optional)", c.version.clone()) }
                    </div>
                    { self.text_input(ctx, Field::CatalogDescription, "catalog-description".into(), "Description", c.description.clone().unwrap_or_default()) }
                    <div class="row actions-row">
                        <button id="save-draft" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Save)}>{ "Save draft" }</button>
                        <button id="publish" class="primary" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Publish)}>{ "Publish" }</button>
                        if self.dirty {
                            <button id="discard" class="link" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Discard)}>{ "Discard the unsaved changes" }</button>
                        }
                    </div>
                    <label class="file" for="replace-file">
                        <span>{ "Replace the draft from a file (TOML, JSON or UVL)" }</span>
                    </label>
                    <input id="replace-file" type="file" accept=".toml,.json,.uvl" onchange={on_replace} disabled={self.busy} />
                    if let Some(m) = &self.message { <p class="ok" role="status" id="editor-message">{ m }</p> }
                    if let Some(d) = &self.refused {
                        <div class="refused" role="alert" id="publish-refused">
                            <p><strong>{ "The server refused: the catalog is not usable." }</strong></p>
                            <ul>{ for d.iter().map(|d| html! {
                                <li class={d["severity"].as_str().unwrap_or("error").to_string()}>
                                    { server_diagnostic(d) }
                                </li>
                            }) }</ul>
                        </div>
                    }
                </section>
                <section class="card" aria-labelledby="groups-title">
                    <h2 id="groups-title">{ format!("Questions and options ({})", c.groups.len()) }</h2>
                    { for c.groups.iter().enumerate().map(|(gi, g)| self.group(ctx, c, gi, g, &dead, &forced)) }
                    <button id="add-group" onclick={ctx.link().callback(|_| Msg::Add(Part::Group))}>{ "Add a question" }</button>
                </section>
                <section class="card" aria-labelledby="rules-title">
                    <h2 id="rules-title">{ format!("Rules ({})", c.rules.len()) }</h2>
                    <p class="hint">{ "In the rule language of docs/catalog-format.md, e.g. " }<code>{ "gpu.length_mm <= case.max_gpu_mm" }</code>{ ", or as a compatibility table." }</p>
                    { for c.rules.iter().enumerate().map(|(ri, r)| self.rule(ctx, c, ri, r)) }
                    <div class="row">
                        <button id="add-rule" onclick={ctx.link().callback(|_| Msg::Add(Part::Rule))}>{ "Add a rule" }</button>
                        <button id="add-table" onclick={ctx.link().callback(|_| Msg::Add(Part::Table))}>{ "Add a compatibility table" }</button>
                    </div>
                </section>
                { self.attributes_section(ctx) }
                { self.vendors_section(ctx, c) }
                { self.profiles_section(ctx, c) }
                { self.presets_section(ctx, c) }
            </>
        }
    }

    fn group(
        &self,
        ctx: &Context<Self>,
        c: &Catalog,
        gi: usize,
        g: &Group,
        dead: &BTreeSet<String>,
        forced: &BTreeSet<String>,
    ) -> Html {
        let open = self.open.contains(&Section::Group(gi));
        let panel = dom_id("group-panel", &[gi]);
        let flagged = g
            .options
            .iter()
            .filter(|o| {
                let n = format!("{}.{}", g.id, o.id);
                dead.contains(&n) || forced.contains(&n)
            })
            .count();
        let kind = g.kind.word();
        let errors = self.errors_about(&format!("group {} default", g.id));
        let mut defaults = vec![(String::new(), "none".to_string())];
        defaults.extend(
            g.options
                .iter()
                .map(|o| (o.id.clone(), format!("{} ({})", o.label(), o.id))),
        );
        // Fields for the declared attributes the group's options carry, those asked for, and
        // those being typed (a value just cleared keeps its field).
        let mut shown: BTreeSet<usize> = group_attributes(g, &self.attrs).into_iter().collect();
        shown.extend(self.shown_attrs.get(&gi).into_iter().flatten().copied());
        shown.extend(self.raw.keys().filter_map(|f| match f {
            Field::OptionAttr(x, _, a) if *x == gi => Some(*a),
            _ => None,
        }));
        shown.retain(|&a| a < self.attrs.len());
        let shown: Vec<usize> = shown.into_iter().collect();
        let hidden: Vec<usize> = (0..self.attrs.len())
            .filter(|a| !shown.contains(a) && !self.attrs[*a].0.is_empty())
            .collect();
        let mut vendors = vec![(String::new(), "none".to_string())];
        vendors.extend(c.vendors.iter().map(|v| {
            let label = if v.name.is_empty() {
                v.id.clone()
            } else {
                format!("{} ({})", v.name, v.id)
            };
            (v.id.clone(), label)
        }));
        html! {
            <div class="edit-group" data-group={g.id.clone()}>
                <button class="disclosure" aria-expanded={open.to_string()} aria-controls={panel.clone()}
                    onclick={ctx.link().callback(move |_| Msg::Toggle(Section::Group(gi)))}>
                    { format!("{} {} — {} options", if open { "▾" } else { "▸" }, if g.name.is_empty() { &g.id } else { &g.name }, g.options.len()) }
                    if kind == "infrastructure" { <span class="hint">{ " (infrastructure)" }</span> }
                    if flagged > 0 { <span class="warn-badge">{ format!("{flagged} dead/forced") }</span> }
                </button>
                if open {
                    <div id={panel} class="group-panel">
                        <div class="fields">
                            { self.text_input(ctx, Field::GroupId(gi), dom_id("gid", &[gi]), "Id", g.id.clone()) }
                            { self.text_input(ctx, Field::GroupName(gi), dom_id("gname", &[gi]), "Name", g.name.clone()) }
                            <label class="field" for={dom_id("gkind", &[gi])}>
                                <span>{ "Kind" }</span>
                                <select id={dom_id("gkind", &[gi])}
                                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::GroupKind(gi), input_value(&e)))}>
                                    <option value="visible" selected={kind == "visible"}>{ "asked (visible)" }</option>
                                    <option value="infrastructure" selected={kind == "infrastructure"}>{ "completed by the solver (infrastructure)" }</option>
                                </select>
                            </label>
                            { self.text_input(ctx, Field::GroupMin(gi), dom_id("gmin", &[gi]), "At least", g.min.to_string()) }
                            { self.text_input(ctx, Field::GroupMax(gi), dom_id("gmax", &[gi]), "At most", g.max.to_string()) }
                            { self.select(ctx, Field::GroupDefault(gi), dom_id("gdefault", &[gi]),
                                html! { "Default (recommended before customers share theirs)" },
                                g.default.as_deref().unwrap_or(""), &defaults) }
                        </div>
                        { self.text_input(ctx, Field::GroupDescription(gi), dom_id("gdesc", &[gi]), "Description (shown to customers)", g.description.clone().unwrap_or_default()) }
                        { for errors.iter().map(|e| html! { <p class="error-text">{ e }</p> }) }
                        <table class="grid-table options-table">
                            <caption class="sr-only">{ format!("Options of {}", g.id) }</caption>
                            <thead><tr><th scope="col">{ "Id" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Price" }</th><th scope="col">{ "Vendor" }</th><th scope="col">{ "Check" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                            <tbody>
                                { for g.options.iter().enumerate().map(|(oi, o)| {
                                    let name = format!("{}.{}", g.id, o.id);
                                    let flag = if dead.contains(&name) { Some("dead") } else if forced.contains(&name) { Some("forced") } else { None };
                                    let cell = |field: Field, id: &str, value: String, label: String| {
                                        let error = self.raw_error(field);
                                        html! {
                                            <>
                                                <input type="text" id={dom_id(id, &[gi, oi])} aria-label={label} value={self.shown(field, value)}
                                                    aria-invalid={error.is_some().then_some("true")}
                                                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))} />
                                                if let Some(e) = error { <span class="error-text">{ e }</span> }
                                            </>
                                        }
                                    };
                                    let vendor = o.vendor.clone().unwrap_or_default();
                                    let unknown_vendor = !vendors.iter().any(|(v, _)| *v == vendor);
                                    let desc_id = dom_id("odesc", &[gi, oi]);
                                    html! {
                                        <>
                                        <tr data-option={name.clone()} class={classes!("option-main", flag)}>
                                            <td data-label="Id">{ cell(Field::OptionId(gi, oi), "oid", o.id.clone(), format!("Id of option {name}")) }</td>
                                            <td data-label="Name">{ cell(Field::OptionName(gi, oi), "oname", o.name.clone(), format!("Name of option {name}")) }</td>
                                            <td data-label="Price">{ cell(Field::OptionPrice(gi, oi), "oprice", o.price.to_string(), format!("Price of option {name}")) }</td>
                                            <td data-label="Vendor">{ self.bare_select(ctx, Field::OptionVendor(gi, oi), dom_id("ovendor", &[gi, oi]),
                                                Some(format!("Vendor of option {name}")), &vendor, &vendors, unknown_vendor) }</td>
                                            <td data-label="Check">{ match flag { Some("dead") => html!{ <span class="warn-badge" title="In no valid product">{ "dead" }</span> }, Some(_) => html!{ <span class="warn-badge" title="In every valid product">{ "forced" }</span> }, None => html!{} } }</td>
                                            <td><button class="link" aria-label={format!("Remove option {name}")}
                                                onclick={ctx.link().callback(move |_| Msg::Remove(Part::Option(gi), oi))}>{ "Remove" }</button></td>
                                        </tr>
                                        // The option's description and attribute values: a second row across the table.
                                        <tr data-option-details={name.clone()} class={classes!("option-details", flag)}>
                                            <td colspan="6" class="wide">
                                                <label class="field" for={desc_id}>
                                                    <span>{ "Description (shown to customers)" }</span>
                                                    { cell(Field::OptionDescription(gi, oi), "odesc", o.description.clone().unwrap_or_default(), format!("Description of option {name} (shown to customers)")) }
                                                </label>
                                                { self.option_attributes(ctx, gi, oi, &name, o, &shown) }
                                            </td>
                                        </tr>
                                        </>
                                    }
                                }) }
                            </tbody>
                        </table>
                        <div class="row">
                            if !hidden.is_empty() {
                                <select id={dom_id("show-attr", &[gi])} aria-label={format!("Give the options of {} a field for another declared attribute", g.id)}
                                    oninput={ctx.link().batch_callback(move |e: InputEvent| input_value(&e).parse().ok().map(|a| Msg::ShowAttr(gi, a)))}>
                                    <option value="" selected=true>{ "Another attribute field…" }</option>
                                    { for hidden.iter().map(|&a| html! { <option value={a.to_string()}>{ &self.attrs[a].0 }</option> }) }
                                </select>
                            }
                            <button id={dom_id("add-option", &[gi])} onclick={ctx.link().callback(move |_| Msg::Add(Part::Option(gi)))}>{ "Add an option" }</button>
                            <button class="link" onclick={ctx.link().callback(move |_| Msg::Remove(Part::Group, gi))}>{ format!("Remove question {}", g.id) }</button>
                        </div>
                    </div>
                }
            </div>
        }
    }

    /// An option's attribute values: a field per declared attribute shown in its group (a
    /// number with its unit, a text, yes / no / not set) and the undeclared ones as one TOML line.
    fn option_attributes(
        &self,
        ctx: &Context<Self>,
        gi: usize,
        oi: usize,
        name: &str,
        o: &OptionDef,
        shown: &[usize],
    ) -> Html {
        let other = Field::OptionAttributes(gi, oi);
        let other_id = dom_id("oattrs", &[gi, oi]);
        let other_error = self.raw_error(other);
        html! {
            <div class="attr-fields">
                { for shown.iter().map(|&a| {
                    let (an, d) = &self.attrs[a];
                    let field = Field::OptionAttr(gi, oi, a);
                    let id = dom_id("oattr", &[gi, oi, a]);
                    let value = o.attributes.get(an);
                    let unit = d.unit.clone().filter(|u| !u.is_empty());
                    let aria = match &unit {
                        Some(u) => format!("{an} of option {name}, in {u}"),
                        None => format!("{an} of option {name}"),
                    };
                    if d.ty == AttrType::Bool {
                        // Three ways: an option without the attribute is not constrained by
                        // rules on it, which "no" would be.
                        let current = match value {
                            Some(Value::Bool(true)) => "true",
                            Some(Value::Bool(false)) => "false",
                            _ => "",
                        };
                        return html! {
                            <label class="field" for={id.clone()} title={d.description.clone()}>
                                <span>{ an }</span>
                                <select id={id} data-attribute={an.clone()} aria-label={aria}
                                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))}>
                                    <option value="" selected={current.is_empty()}>{ "not set" }</option>
                                    <option value="true" selected={current == "true"}>{ "yes" }</option>
                                    <option value="false" selected={current == "false"}>{ "no" }</option>
                                </select>
                            </label>
                        };
                    }
                    let error = self.raw_error(field);
                    let err_id = format!("{id}-error");
                    let number = d.ty == AttrType::Number;
                    html! {
                        <label class="field" for={id.clone()} title={d.description.clone()}>
                            <span>{ an }{ for unit.map(|u| html! { <span class="unit">{ format!(" ({u})") }</span> }) }</span>
                            <input type="text" id={id} data-attribute={an.clone()} inputmode={number.then_some("decimal")}
                                aria-label={aria} value={self.shown(field, value_text(value))}
                                aria-invalid={error.is_some().then_some("true")}
                                aria-describedby={error.is_some().then(|| err_id.clone())}
                                oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))} />
                            if let Some(e) = error { <span class="error-text" id={err_id}>{ e }</span> }
                        </label>
                    }
                }) }
                <label class="field other" for={other_id.clone()}>
                    <span>{ "Other attributes (undeclared, TOML)" }</span>
                    <input type="text" id={other_id} aria-label={format!("Other attributes of option {name} (undeclared, as TOML: key = value, ...)")}
                        value={self.shown(other, other_attributes_text(&o.attributes, &self.attrs))}
                        aria-invalid={other_error.is_some().then_some("true")}
                        oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(other, input_value(&e)))} />
                    if let Some(e) = other_error { <span class="error-text">{ e }</span> }
                </label>
            </div>
        }
    }

    fn rule(&self, ctx: &Context<Self>, c: &Catalog, ri: usize, r: &Rule) -> Html {
        let lint = self.lint.as_ref();
        let errors: Vec<&Diagnostic> = lint
            .map(|l| {
                l.errors
                    .iter()
                    .filter(|d| d.rule.as_deref() == Some(r.id.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let in_conflict = lint
            .and_then(|l| l.report.as_ref())
            .is_some_and(|rep| rep.conflict.iter().any(|c| c.id == r.id));
        let text_id = dom_id("rule-text", &[ri]);
        let err_id = dom_id("rule-errors", &[ri]);
        let text = r.rule.clone().unwrap_or_default();
        html! {
            <div class={classes!("edit-rule", (!errors.is_empty()).then_some("has-error"), in_conflict.then_some("conflict"))}
                data-rule={r.id.clone()}>
                <div class="fields">
                    { self.text_input(ctx, Field::RuleId(ri), dom_id("rule-id", &[ri]), "Id", r.id.clone()) }
                    { self.text_input(ctx, Field::RuleDescription(ri), dom_id("rule-desc", &[ri]), "Description", r.description.clone()) }
                </div>
                if let Some(t) = &r.table {
                    { self.table_grid(ctx, c, ri, t) }
                } else {
                    <label class="field" for={text_id.clone()}>
                        <span>{ "Rule" }</span>
                        <textarea id={text_id} rows={(text.lines().count().max(1) + 1).to_string()} class="code" spellcheck="false"
                            aria-invalid={(!errors.is_empty()).to_string()}
                            aria-describedby={(!errors.is_empty()).then(|| err_id.clone())}
                            value={text.clone()}
                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::RuleText(ri), input_value(&e)))} />
                    </label>
                }
                if !errors.is_empty() {
                    <div id={err_id} class="rule-errors">
                        { for errors.iter().map(|d| html! {
                            <div class="rule-error">
                                { caret(&text, d) }
                                <p class="error-text">{ describe(d) }</p>
                            </div>
                        }) }
                    </div>
                }
                if in_conflict { <p class="error-text">{ "Part of the conflict: no product satisfies this rule together with the other marked rules." }</p> }
                <button class="link" aria-label={format!("Remove rule {}", r.id)}
                    onclick={ctx.link().callback(move |_| Msg::Remove(Part::Rule, ri))}>{ "Remove" }</button>
            </div>
        }
    }

    fn lint_panel(&self) -> Html {
        let Some(l) = &self.lint else {
            return html! {};
        };
        let status = if !l.errors.is_empty() {
            format!("{} error(s)", l.errors.len())
        } else if l.gave_up {
            "The check ran out of effort".to_string()
        } else if l.report.as_ref().is_some_and(|r| !r.satisfiable) {
            "Unsatisfiable: no product exists".to_string()
        } else {
            "Usable".to_string()
        };
        html! {
            <div id="lint" data-errors={l.errors.len().to_string()}
                data-satisfiable={l.report.as_ref().map(|r| r.satisfiable.to_string()).unwrap_or_default()}>
                <h2 id="lint-title">{ "Check" }</h2>
                <p aria-live="polite" id="lint-status" class={classes!(if l.has_errors() { "bad" } else { "ok" })}>
                    { format!("{status} (checked in your browser in {:.0} ms)", l.millis) }
                </p>
                if !l.errors.is_empty() {
                    <ul class="diagnostics" id="lint-errors">
                        { for l.errors.iter().map(|d| html! {
                            <li class="error" data-rule={d.rule.clone().unwrap_or_default()} data-code={d.code}>
                                if let Some(r) = &d.rule { <strong>{ format!("rule {r}: ") }</strong> }
                                { describe(d) }
                            </li>
                        }) }
                    </ul>
                }
                if let Some(r) = &l.report {
                    if !r.satisfiable {
                        <p class="bad">{ "These rules conflict (a minimal set):" }</p>
                        <ul class="diagnostics" id="lint-conflict">
                            { for r.conflict.iter().map(|c| html! {
                                <li class="error" data-rule={c.id.clone()}><strong>{ &c.id }</strong>{ format!(" — {}", c.description) }</li>
                            }) }
                        </ul>
                    }
                    if !r.dead.is_empty() {
                        <p>{ "Dead options (in no valid product):" }</p>
                        <ul class="diagnostics" id="lint-dead">{ for r.dead.iter().map(|d| html! { <li class="warning" data-option={d.clone()}>{ d }</li> }) }</ul>
                    }
                    if !r.forced.is_empty() {
                        <p>{ "Forced options (in every valid product):" }</p>
                        <ul class="diagnostics" id="lint-forced">{ for r.forced.iter().map(|d| html! { <li class="warning" data-option={d.clone()}>{ d }</li> }) }</ul>
                    }
                    <p class="hint">{ format!("{} options, {} rules.", r.options, r.rules) }</p>
                }
            </div>
        }
    }

    fn insights_view(&self, c: &Catalog) -> Html {
        let Some(i) = &self.insights else {
            return html! { <p class="loading" aria-live="polite">{ "Loading insights…" }</p> };
        };
        let group_name = |id: &str| {
            c.groups.iter().find(|g| g.id == id).map(|g| {
                if g.name.is_empty() {
                    g.id.clone()
                } else {
                    g.name.clone()
                }
            })
        };
        let option = |key: &str| {
            let (g, o) = key.split_once('.')?;
            let group = c.groups.iter().find(|x| x.id == g)?;
            let option = group.options.iter().find(|x| x.id == o)?;
            let gname = if group.name.is_empty() {
                &group.id
            } else {
                &group.name
            };
            Some(format!("{gname}: {}", option.label()))
        };
        let rule = |id: &str| {
            c.rules
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.description.clone())
                .filter(|d| !d.is_empty())
        };
        let bars_of = |items: &[api::Count], name: &dyn Fn(&str) -> Option<String>| -> Vec<Bar> {
            items
                .iter()
                .map(|x| Bar {
                    key: x.key.clone(),
                    label: name(&x.key).unwrap_or_else(|| x.key.clone()),
                    count: x.count,
                })
                .collect()
        };
        html! {
            <section class="insights" id="insights" aria-label="Insights">
                <p>{ format!("{} configurations, {} quoted, {} shared.", i.configurations, i.quoted, i.shared) }</p>
                <div class="charts">
                    { bars("chart-picks", "Pick rates (times chosen)", &bars_of(&i.picks, &option)) }
                    { bars("chart-rules", "Conflict hot spots (rules customers ran into)", &bars_of(&i.rules, &rule)) }
                    { bars("chart-abandoned", "Abandonment by question (where unquoted configurations stopped)", &bars_of(&i.abandoned_at, &group_name)) }
                </div>
            </section>
        }
    }
}

/// A diagnostic of the server's JSON (`message`, `rule`, `location`).
fn server_diagnostic(d: &serde_json::Value) -> String {
    let mut s = String::new();
    if let Some(r) = d["rule"].as_str() {
        s.push_str(&format!("rule {r}: "));
    }
    if let (Some(l), Some(c)) = (
        d["location"]["line"].as_u64(),
        d["location"]["column"].as_u64(),
    ) {
        s.push_str(&format!("line {l}, column {c}: "));
    }
    s.push_str(d["message"].as_str().unwrap_or_default());
    s
}
