//! The manufacturer's catalog editor: groups, options (with price and attributes) and rules of
//! the draft, with a live lint computed in the page by the core (`lint.rs`) after every edit;
//! save (`PUT`), publish (`PUT` then `POST .../publish`; the server's lint report on refusal),
//! replace the draft from a file, and the insights charts.

use crate::api::{self, ApiError, Insights};
use crate::app::ErrorBanner;
use crate::charts::bars;
use crate::lint::{describe, lint, LintView};
use crate::manage::{read_file, FileImport};
use configurator_core::catalog::{Catalog, Group, GroupKind, OptionDef, Rule, TableDef, Value};
use configurator_core::{Decimal, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub token: String,
    pub id: String,
    pub on_back: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Tab {
    Edit,
    Insights,
}

/// A field of the catalog edited by an input.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    CatalogName,
    CatalogDescription,
    GroupId(usize),
    GroupName(usize),
    GroupKind(usize),
    GroupMin(usize),
    GroupMax(usize),
    OptionId(usize, usize),
    OptionName(usize, usize),
    OptionPrice(usize, usize),
    OptionAttributes(usize, usize),
    RuleId(usize),
    RuleDescription(usize),
    RuleText(usize),
    RuleTable(usize),
}

pub enum Msg {
    Loaded(Result<api::CatalogDoc, ApiError>),
    Edit(Field, String),
    AddGroup,
    RemoveGroup(usize),
    ToggleGroup(usize),
    AddOption(usize),
    RemoveOption(usize, usize),
    AddRule,
    RemoveRule(usize),
    Save,
    Saved(Result<serde_json::Value, ApiError>),
    Publish,
    Published(Result<serde_json::Value, ApiError>),
    Replace(web_sys::File),
    Replaced(Result<serde_json::Value, ApiError>),
    ShowTab(Tab),
    Insights(Result<Insights, ApiError>),
    Dismiss,
}

pub struct Editor {
    catalog: Option<Catalog>,
    latest: Option<u32>,
    lint: Option<LintView>,
    /// Texts being typed that do not parse yet (attributes, tables), with their error.
    raw: BTreeMap<Field, (String, Option<String>)>,
    open_groups: BTreeSet<usize>,
    dirty: bool,
    busy: bool,
    /// The server refused to publish: its lint report (diagnostics).
    refused: Option<Vec<serde_json::Value>>,
    message: Option<String>,
    error: Option<ApiError>,
    tab: Tab,
    insights: Option<Insights>,
}

/// An option's attributes as the inside of a TOML inline table: `socket = "AM5", tdp_w = 65`.
fn attributes_text(a: &BTreeMap<String, Value>) -> String {
    a.iter()
        .map(|(k, v)| {
            let key = if !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                k.clone()
            } else {
                serde_json::to_string(k).unwrap_or_default()
            };
            let value = match v {
                Value::Number(d) => d.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Str(s) => serde_json::to_string(s).unwrap_or_default(),
            };
            format!("{key} = {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_attributes(text: &str) -> Result<BTreeMap<String, Value>, String> {
    #[derive(serde::Deserialize)]
    struct Wrap {
        a: BTreeMap<String, Value>,
    }
    if text.contains('\n') {
        return Err("write the attributes on one line".into());
    }
    toml::from_str::<Wrap>(&format!("a = {{ {text} }}"))
        .map(|w| w.a)
        .map_err(|e| format!("attributes: {}", e.message()))
}

fn table_text(t: &TableDef) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

fn dom_id(prefix: &str, parts: &[usize]) -> String {
    let mut s = prefix.to_string();
    for p in parts {
        s.push_str(&format!("-{p}"));
    }
    s
}

fn input_value(e: &InputEvent) -> String {
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

impl Component for Editor {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
        ctx.link()
            .send_future(async move { Msg::Loaded(api::catalog_as(&token, &id).await) });
        Editor {
            catalog: None,
            latest: None,
            lint: None,
            raw: BTreeMap::new(),
            open_groups: BTreeSet::new(),
            dirty: false,
            busy: false,
            refused: None,
            message: None,
            error: None,
            tab: Tab::Edit,
            insights: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Loaded(Ok(doc)) => {
                self.latest = doc.latest;
                match doc.draft.map(serde_json::from_value::<Catalog>).transpose() {
                    Ok(Some(c)) => {
                        self.catalog = Some(c);
                        self.raw.clear();
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
                self.edit(field, value);
                self.dirty = true;
                self.message = None;
                self.relint();
            }
            Msg::AddGroup => {
                if let Some(c) = &mut self.catalog {
                    let n = c.groups.len() + 1;
                    c.groups.push(Group {
                        id: format!("group{n}"),
                        name: format!("New question {n}"),
                        kind: GroupKind::Visible,
                        min: 1,
                        max: 1,
                        description: None,
                        default: None,
                        options: vec![new_option(1)],
                    });
                    self.open_groups.insert(c.groups.len() - 1);
                }
                self.structural();
            }
            Msg::RemoveGroup(g) => {
                if let Some(c) = &mut self.catalog {
                    if g < c.groups.len() {
                        c.groups.remove(g);
                    }
                }
                self.open_groups.clear();
                self.structural();
            }
            Msg::ToggleGroup(g) => {
                if !self.open_groups.remove(&g) {
                    self.open_groups.insert(g);
                }
            }
            Msg::AddOption(g) => {
                if let Some(group) = self.catalog.as_mut().and_then(|c| c.groups.get_mut(g)) {
                    let n = group.options.len() + 1;
                    group.options.push(new_option(n));
                }
                self.structural();
            }
            Msg::RemoveOption(g, o) => {
                if let Some(group) = self.catalog.as_mut().and_then(|c| c.groups.get_mut(g)) {
                    if o < group.options.len() {
                        group.options.remove(o);
                    }
                }
                self.structural();
            }
            Msg::AddRule => {
                if let Some(c) = &mut self.catalog {
                    let n = c.rules.len() + 1;
                    c.rules.push(Rule {
                        id: format!("rule{n}"),
                        description: String::new(),
                        rule: Some(String::new()),
                        table: None,
                    });
                }
                self.structural();
            }
            Msg::RemoveRule(r) => {
                if let Some(c) = &mut self.catalog {
                    if r < c.rules.len() {
                        c.rules.remove(r);
                    }
                }
                self.structural();
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
                        self.message = Some("The draft was replaced by the file.".into());
                        ctx.link()
                            .send_message(Msg::Loaded(serde_json::from_value(v).map_err(|e| {
                                ApiError::local(format!(
                                    "The server's answer could not be read: {e}"
                                ))
                            })));
                        self.dirty = false;
                    }
                    Err(e) => self.refuse(e),
                }
            }
            Msg::ShowTab(tab) => {
                self.tab = tab;
                if tab == Tab::Insights {
                    let (token, id) = (ctx.props().token.clone(), ctx.props().id.clone());
                    ctx.link().send_future(async move {
                        Msg::Insights(api::insights(&token, &id).await)
                    });
                }
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
        let back = ctx.props().on_back.reform(|_: MouseEvent| ());
        let Some(c) = &self.catalog else {
            return html! {
                <>
                    { for banner }
                    <button class="link" onclick={back}>{ "← Your catalogs" }</button>
                    <p class="loading" aria-live="polite">{ "Loading the catalog…" }</p>
                </>
            };
        };
        let tab = |t: Tab, label: &str, id: &str| {
            html! {
                <button role="tab" id={id.to_string()} aria-selected={(self.tab == t).to_string()}
                    class={classes!("tab", (self.tab == t).then_some("active"))}
                    onclick={ctx.link().callback(move |_| Msg::ShowTab(t))}>{ label }</button>
            }
        };
        html! {
            <>
                { for banner }
                <div class="editor" data-catalog={c.id.clone()} data-busy={self.busy.to_string()}>
                    <button class="link" onclick={back}>{ "← Your catalogs" }</button>
                    <h1>{ format!("{} ({})", c.name, c.id) }</h1>
                    <p class="hint">
                        { match self.latest { Some(v) => format!("Published version {v}. "), None => "Not published yet. ".into() } }
                        { if self.dirty { "Unsaved changes." } else { "" } }
                    </p>
                    <div role="tablist" aria-label="Catalog" class="tabs">
                        { tab(Tab::Edit, "Edit", "tab-edit") }
                        { tab(Tab::Insights, "Insights", "tab-insights") }
                    </div>
                    if self.tab == Tab::Edit {
                        <div class="edit-layout">
                            <div class="edit-main">{ self.form(ctx, c) }</div>
                            <aside class="lint-panel" aria-labelledby="lint-title">{ self.lint_panel(ctx) }</aside>
                        </div>
                    } else {
                        { self.insights_view() }
                    }
                </div>
            </>
        }
    }
}

fn new_option(n: usize) -> OptionDef {
    OptionDef {
        id: format!("option{n}"),
        name: format!("Option {n}"),
        vendor: None,
        price: Decimal::from_raw(0),
        description: None,
        attributes: BTreeMap::new(),
    }
}

impl Editor {
    fn relint(&mut self) {
        let raw_errors = self.raw.values().any(|(_, e)| e.is_some());
        self.lint = self.catalog.as_ref().map(lint);
        if raw_errors {
            if let Some(l) = &mut self.lint {
                for (text, e) in self.raw.values() {
                    if let Some(e) = e {
                        l.errors.push(configurator_core::Diagnostic::error(
                            "malformed",
                            format!("{e} (in “{text}”)"),
                        ));
                    }
                }
            }
        }
    }

    /// After adding or removing parts, indices move: forget texts still being typed.
    fn structural(&mut self) {
        self.raw.clear();
        self.dirty = true;
        self.message = None;
        self.relint();
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

    fn edit(&mut self, field: Field, v: String) {
        let Some(c) = &mut self.catalog else { return };
        let num = |s: &str| s.trim().parse::<u32>().ok();
        match field {
            Field::CatalogName => c.name = v,
            Field::CatalogDescription => c.description = (!v.is_empty()).then_some(v),
            Field::GroupId(g) => c.groups[g].id = v,
            Field::GroupName(g) => c.groups[g].name = v,
            Field::GroupKind(g) => {
                c.groups[g].kind = if v == "infrastructure" {
                    GroupKind::Infrastructure
                } else {
                    GroupKind::Visible
                }
            }
            Field::GroupMin(g) => {
                if let Some(n) = num(&v) {
                    c.groups[g].min = n
                }
            }
            Field::GroupMax(g) => {
                if let Some(n) = num(&v) {
                    c.groups[g].max = n
                }
            }
            Field::OptionId(g, o) => c.groups[g].options[o].id = v,
            Field::OptionName(g, o) => c.groups[g].options[o].name = v,
            Field::OptionPrice(g, o) => {
                if let Some(d) = Decimal::parse(v.trim()) {
                    c.groups[g].options[o].price = d;
                }
            }
            Field::OptionAttributes(g, o) => match parse_attributes(&v) {
                Ok(a) => {
                    c.groups[g].options[o].attributes = a;
                    self.raw.insert(field, (v, None));
                }
                Err(e) => {
                    self.raw.insert(field, (v, Some(e)));
                }
            },
            Field::RuleId(r) => c.rules[r].id = v,
            Field::RuleDescription(r) => c.rules[r].description = v,
            Field::RuleText(r) => c.rules[r].rule = Some(v),
            Field::RuleTable(r) => match serde_json::from_str::<TableDef>(&v) {
                Ok(t) => {
                    c.rules[r].table = Some(t);
                    self.raw.insert(field, (v, None));
                }
                Err(e) => {
                    self.raw.insert(field, (v, Some(format!("table: {e}"))));
                }
            },
        }
    }

    fn text_input(
        &self,
        ctx: &Context<Self>,
        field: Field,
        id: String,
        label: &str,
        value: String,
    ) -> Html {
        html! {
            <label class="field" for={id.clone()}>
                <span>{ label }</span>
                <input id={id} type="text" value={value}
                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))} />
            </label>
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
                    { self.text_input(ctx, Field::CatalogName, "catalog-name".into(), "Name", c.name.clone()) }
                    { self.text_input(ctx, Field::CatalogDescription, "catalog-description".into(), "Description", c.description.clone().unwrap_or_default()) }
                    <div class="row actions-row">
                        <button id="save-draft" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Save)}>{ "Save draft" }</button>
                        <button id="publish" class="primary" disabled={self.busy} onclick={ctx.link().callback(|_| Msg::Publish)}>{ "Publish" }</button>
                        <label class="file">
                            <span>{ "Replace the draft from a file (TOML, JSON or UVL)" }</span>
                            <input id="replace-file" type="file" accept=".toml,.json,.uvl" onchange={on_replace} disabled={self.busy} />
                        </label>
                    </div>
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
                    { for c.groups.iter().enumerate().map(|(gi, g)| self.group(ctx, gi, g, &dead, &forced)) }
                    <button onclick={ctx.link().callback(|_| Msg::AddGroup)}>{ "Add a question" }</button>
                </section>
                <section class="card" aria-labelledby="rules-title">
                    <h2 id="rules-title">{ format!("Rules ({})", c.rules.len()) }</h2>
                    <p class="hint">{ "In the rule language of docs/catalog-format.md, e.g. " }<code>{ "gpu.length_mm <= case.max_gpu_mm" }</code></p>
                    { for c.rules.iter().enumerate().map(|(ri, r)| self.rule(ctx, ri, r)) }
                    <button id="add-rule" onclick={ctx.link().callback(|_| Msg::AddRule)}>{ "Add a rule" }</button>
                </section>
            </>
        }
    }

    fn group(
        &self,
        ctx: &Context<Self>,
        gi: usize,
        g: &Group,
        dead: &BTreeSet<String>,
        forced: &BTreeSet<String>,
    ) -> Html {
        let open = self.open_groups.contains(&gi);
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
        html! {
            <div class="edit-group" data-group={g.id.clone()}>
                <button class="disclosure" aria-expanded={open.to_string()} aria-controls={panel.clone()}
                    onclick={ctx.link().callback(move |_| Msg::ToggleGroup(gi))}>
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
                        </div>
                        <table class="options-table">
                            <caption class="sr-only">{ format!("Options of {}", g.id) }</caption>
                            <thead><tr><th scope="col">{ "Id" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Price" }</th><th scope="col">{ "Attributes" }</th><th scope="col">{ "Lint" }</th><th></th></tr></thead>
                            <tbody>
                                { for g.options.iter().enumerate().map(|(oi, o)| {
                                    let name = format!("{}.{}", g.id, o.id);
                                    let flag = if dead.contains(&name) { Some("dead") } else if forced.contains(&name) { Some("forced") } else { None };
                                    let attr_field = Field::OptionAttributes(gi, oi);
                                    let (attrs, attr_error) = self.raw.get(&attr_field).cloned()
                                        .unwrap_or_else(|| (attributes_text(&o.attributes), None));
                                    let cell = |field: Field, value: String, label: String| html! {
                                        <input type="text" aria-label={label} value={value}
                                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))} />
                                    };
                                    html! {
                                        <tr data-option={name.clone()} class={classes!(flag)}>
                                            <td>{ cell(Field::OptionId(gi, oi), o.id.clone(), format!("Id of option {name}")) }</td>
                                            <td>{ cell(Field::OptionName(gi, oi), o.name.clone(), format!("Name of option {name}")) }</td>
                                            <td>{ cell(Field::OptionPrice(gi, oi), o.price.to_string(), format!("Price of option {name}")) }</td>
                                            <td>
                                                { cell(attr_field, attrs, format!("Attributes of option {name}")) }
                                                if let Some(e) = attr_error { <span class="error-text">{ e }</span> }
                                            </td>
                                            <td>{ match flag { Some("dead") => html!{ <span class="warn-badge" title="In no valid product">{ "dead" }</span> }, Some(_) => html!{ <span class="warn-badge" title="In every valid product">{ "forced" }</span> }, None => html!{} } }</td>
                                            <td><button class="link" aria-label={format!("Remove option {name}")}
                                                onclick={ctx.link().callback(move |_| Msg::RemoveOption(gi, oi))}>{ "Remove" }</button></td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                        <div class="row">
                            <button onclick={ctx.link().callback(move |_| Msg::AddOption(gi))}>{ "Add an option" }</button>
                            <button class="link" onclick={ctx.link().callback(move |_| Msg::RemoveGroup(gi))}>{ format!("Remove question {}", g.id) }</button>
                        </div>
                    </div>
                }
            </div>
        }
    }

    fn rule(&self, ctx: &Context<Self>, ri: usize, r: &Rule) -> Html {
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
        let table_field = Field::RuleTable(ri);
        html! {
            <div class={classes!("edit-rule", (!errors.is_empty()).then_some("has-error"), in_conflict.then_some("conflict"))}
                data-rule={r.id.clone()}>
                <div class="fields">
                    { self.text_input(ctx, Field::RuleId(ri), dom_id("rule-id", &[ri]), "Id", r.id.clone()) }
                    { self.text_input(ctx, Field::RuleDescription(ri), dom_id("rule-desc", &[ri]), "Description", r.description.clone()) }
                </div>
                if let Some(t) = &r.table {
                    <label class="field" for={text_id.clone()}>
                        <span>{ "Compatibility table (JSON: groups, allowed or forbidden rows)" }</span>
                        <textarea id={text_id} rows="3" class="code"
                            value={self.raw.get(&table_field).map(|(t, _)| t.clone()).unwrap_or_else(|| table_text(t))}
                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(table_field, input_value(&e)))} />
                    </label>
                    if let Some((_, Some(e))) = self.raw.get(&table_field) { <p class="error-text">{ e }</p> }
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
                    onclick={ctx.link().callback(move |_| Msg::RemoveRule(ri))}>{ "Remove" }</button>
            </div>
        }
    }

    fn lint_panel(&self, _ctx: &Context<Self>) -> Html {
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
                    <ul class="diagnostics">
                        { for l.errors.iter().map(|d| html! {
                            <li class="error" data-rule={d.rule.clone().unwrap_or_default()}>
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

    fn insights_view(&self) -> Html {
        let Some(i) = &self.insights else {
            return html! { <p class="loading" aria-live="polite">{ "Loading insights…" }</p> };
        };
        html! {
            <section class="insights" id="insights" aria-label="Insights">
                <p>{ format!("{} configurations, {} quoted, {} shared.", i.configurations, i.quoted, i.shared) }</p>
                <div class="charts">
                    { bars("chart-picks", "Pick rates (times chosen)", &i.picks) }
                    { bars("chart-rules", "Conflict hot spots (rules customers ran into)", &i.rules) }
                    { bars("chart-abandoned", "Abandonment by question (where unquoted configurations stopped)", &i.abandoned_at) }
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
