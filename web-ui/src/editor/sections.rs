//! The editor's forms for attribute declarations, vendors, needs profiles, presets and
//! compatibility tables (an editable grid of rows).

use super::model::{rows, Field, Part};
use super::{dom_id, input_value, Editor, Msg, Section};
use configurator_core::catalog::{AttrType, Better, Catalog, TableDef};
use yew::prelude::*;

/// Options (`group.option`) that can still be added to a list of options, in catalog order.
pub fn addable(c: &Catalog, list: &[String]) -> Vec<String> {
    c.option_names()
        .into_iter()
        .filter(|n| !list.contains(n))
        .collect()
}

/// "Question: Option" for `group.option`, or the name itself when it names nothing.
fn option_label(c: &Catalog, name: &str) -> String {
    name.split_once('.')
        .and_then(|(g, o)| {
            let group = c.groups.iter().find(|x| x.id == g)?;
            let option = group.options.iter().find(|x| x.id == o)?;
            let gname = if group.name.is_empty() {
                &group.id
            } else {
                &group.name
            };
            Some(format!("{gname}: {}", option.label()))
        })
        .unwrap_or_else(|| name.to_string())
}

fn type_word(t: AttrType) -> &'static str {
    match t {
        AttrType::Number => "number",
        AttrType::String => "string",
        AttrType::Bool => "bool",
    }
}

impl Editor {
    /// A section that opens and closes: its heading is the button.
    fn collapsible(
        &self,
        ctx: &Context<Self>,
        section: Section,
        id: &str,
        title: String,
        problems: usize,
        body: impl FnOnce() -> Html,
    ) -> Html {
        let open = self.open.contains(&section);
        let panel = format!("{id}-panel");
        html! {
            <section class="card collapsible" id={id.to_string()} aria-labelledby={format!("{id}-title")}>
                <h2 id={format!("{id}-title")}>
                    <button class="disclosure" id={format!("{id}-toggle")} aria-expanded={open.to_string()} aria-controls={panel.clone()}
                        onclick={ctx.link().callback(move |_| Msg::Toggle(section))}>
                        { format!("{} {title}", if open { "▾" } else { "▸" }) }
                        if problems > 0 { <span class="warn-badge">{ format!("{problems} problem(s)") }</span> }
                    </button>
                </h2>
                if open { <div id={panel}>{ body() }</div> }
            </section>
        }
    }

    pub(super) fn attributes_section(&self, ctx: &Context<Self>) -> Html {
        let problems: usize = self
            .attrs
            .iter()
            .map(|(n, _)| self.errors_about(&format!("attribute {n}")).len())
            .sum();
        let title = format!("Attributes ({})", self.attrs.len());
        self.collapsible(ctx, Section::Attributes, "attributes", title, problems, || {
            let types = [("number", "number"), ("string", "text"), ("bool", "yes/no")]
                .map(|(v, l)| (v.to_string(), l.to_string()));
            let better = [("", "not ranked"), ("higher", "higher is better"), ("lower", "lower is better")]
                .map(|(v, l)| (v.to_string(), l.to_string()));
            html! {
                <>
                    <p class="hint">{ "Declared attributes are type-checked on every option and carry their unit. \
                        Attributes with a direction (higher or lower is better) matter to customers: \
                        needs profiles weight them, and the guided mode ranks options by them." }</p>
                    <table class="grid-table attributes-table">
                        <caption class="sr-only">{ "Attribute declarations" }</caption>
                        <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Unit" }</th><th scope="col">{ "Better" }</th><th scope="col">{ "Description" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                        <tbody>
                            { for self.attrs.iter().enumerate().map(|(ai, (name, d))| {
                                let errors = self.errors_about(&format!("attribute {name}"));
                                let label = if name.is_empty() { format!("attribute {}", ai + 1) } else { name.clone() };
                                let b = match d.better { Some(Better::Higher) => "higher", Some(Better::Lower) => "lower", None => "" };
                                html! {
                                    <>
                                        <tr data-attribute={name.clone()} class={classes!((!errors.is_empty()).then_some("has-error"))}>
                                            <td data-label="Name"><input type="text" id={dom_id("aname", &[ai])} aria-label={format!("Name of {label}")} value={name.clone()}
                                                oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::AttrName(ai), input_value(&e)))} /></td>
                                            <td data-label="Type">{ self.bare_select(ctx, Field::AttrType(ai), dom_id("atype", &[ai]), Some(format!("Type of {label}")), type_word(d.ty), &types, false) }</td>
                                            <td data-label="Unit"><input type="text" id={dom_id("aunit", &[ai])} aria-label={format!("Unit of {label}")} value={d.unit.clone().unwrap_or_default()}
                                                oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::AttrUnit(ai), input_value(&e)))} /></td>
                                            <td data-label="Better">{ self.bare_select(ctx, Field::AttrBetter(ai), dom_id("abetter", &[ai]), Some(format!("Which way {label} is better")), b, &better, false) }</td>
                                            <td data-label="Description" class="wide"><input type="text" id={dom_id("adesc", &[ai])} aria-label={format!("Description of {label}")} value={d.description.clone().unwrap_or_default()}
                                                oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::AttrDescription(ai), input_value(&e)))} /></td>
                                            <td><button class="link" aria-label={format!("Remove {label}")}
                                                onclick={ctx.link().callback(move |_| Msg::Remove(Part::Attribute, ai))}>{ "Remove" }</button></td>
                                        </tr>
                                        if !errors.is_empty() {
                                            <tr class="row-errors"><td colspan="6">{ for errors.iter().map(|e| html! { <p class="error-text">{ e }</p> }) }</td></tr>
                                        }
                                    </>
                                }
                            }) }
                        </tbody>
                    </table>
                    <button id="add-attribute" onclick={ctx.link().callback(|_| Msg::Add(Part::Attribute))}>{ "Add an attribute" }</button>
                </>
            }
        })
    }

    pub(super) fn vendors_section(&self, ctx: &Context<Self>, c: &Catalog) -> Html {
        let problems: usize = c
            .vendors
            .iter()
            .map(|v| self.errors_about(&format!("vendor {}", v.id)).len())
            .sum::<usize>()
            + self.errors_about("vendor id").len();
        let title = format!("Vendors ({})", c.vendors.len());
        self.collapsible(ctx, Section::Vendors, "vendors", title, problems, || {
            html! {
                <>
                    <p class="hint">{ "Who supplies an option (its bill-of-materials line names the vendor). Renaming a vendor's id renames it on its options." }</p>
                    <table class="grid-table vendors-table">
                        <caption class="sr-only">{ "Vendors" }</caption>
                        <thead><tr><th scope="col">{ "Id" }</th><th scope="col">{ "Name" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                        <tbody>
                            { for c.vendors.iter().enumerate().map(|(vi, v)| {
                                let used = c.groups.iter().flat_map(|g| &g.options).filter(|o| o.vendor.as_deref() == Some(v.id.as_str())).count();
                                html! {
                                    <tr data-vendor={v.id.clone()}>
                                        <td data-label="Id"><input type="text" id={dom_id("vid", &[vi])} aria-label={format!("Id of vendor {}", v.id)} value={v.id.clone()}
                                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::VendorId(vi), input_value(&e)))} /></td>
                                        <td data-label="Name"><input type="text" id={dom_id("vname", &[vi])} aria-label={format!("Name of vendor {}", v.id)} value={v.name.clone()}
                                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(Field::VendorName(vi), input_value(&e)))} />
                                            <span class="hint">{ format!("{used} option(s)") }</span></td>
                                        <td><button class="link" aria-label={format!("Remove vendor {}", v.id)}
                                            onclick={ctx.link().callback(move |_| Msg::Remove(Part::Vendor, vi))}>{ "Remove" }</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                    { for c.vendors.iter().flat_map(|v| self.errors_about(&format!("vendor {}", v.id))).chain(self.errors_about("vendor id")).map(|e| html! { <p class="error-text">{ e }</p> }) }
                    <button id="add-vendor" onclick={ctx.link().callback(|_| Msg::Add(Part::Vendor))}>{ "Add a vendor" }</button>
                </>
            }
        })
    }

    /// A list of options (a profile's preferences, a preset's choices) with a remove button
    /// each, and a select plus "Add" for one more.
    fn option_list(
        &self,
        ctx: &Context<Self>,
        c: &Catalog,
        part: Part,
        items: &[String],
        what: &str,
        dom: String,
    ) -> Html {
        let addable = addable(c, items);
        let pick = self
            .picks
            .get(&part)
            .cloned()
            .filter(|p| addable.contains(p))
            .unwrap_or_else(|| addable.first().cloned().unwrap_or_default());
        let select_id = format!("{dom}-add");
        html! {
            <div class="option-list" id={dom.clone()}>
                <ul>
                    { for items.iter().enumerate().map(|(i, n)| html! {
                        <li data-name={n.clone()}>
                            <span>{ option_label(c, n) }<span class="hint">{ format!(" ({n})") }</span></span>
                            <button class="link" aria-label={format!("Remove {} from {what}", option_label(c, n))}
                                onclick={ctx.link().callback(move |_| Msg::Remove(part, i))}>{ "Remove" }</button>
                        </li>
                    }) }
                    if items.is_empty() { <li class="hint">{ "none" }</li> }
                </ul>
                if !addable.is_empty() {
                    <div class="row add-option">
                        <label class="sr-only" for={select_id.clone()}>{ format!("Option to add to {what}") }</label>
                        <select id={select_id}
                            oninput={ctx.link().callback(move |e: InputEvent| Msg::Pick(part, input_value(&e)))}>
                            { for c.groups.iter().map(|g| {
                                let gname = if g.name.is_empty() { g.id.clone() } else { g.name.clone() };
                                html! {
                                    <optgroup label={gname}>
                                        { for g.options.iter().map(|o| format!("{}.{}", g.id, o.id)).filter(|n| addable.contains(n)).map(|n| {
                                            let label = option_label(c, &n);
                                            html! { <option value={n.clone()} selected={n == pick}>{ label }</option> }
                                        }) }
                                    </optgroup>
                                }
                            }) }
                        </select>
                        <button class="add" onclick={ctx.link().callback(move |_| Msg::Add(part))}>{ "Add" }</button>
                    </div>
                }
            </div>
        }
    }

    pub(super) fn profiles_section(&self, ctx: &Context<Self>, c: &Catalog) -> Html {
        let problems: usize = c
            .profiles
            .iter()
            .map(|p| self.errors_about(&format!("profile {}", p.id)).len())
            .sum::<usize>()
            + self.errors_about("profile id").len();
        let title = format!("Needs profiles ({})", c.profiles.len());
        self.collapsible(ctx, Section::Profiles, "profiles", title, problems, || {
            // The attributes a profile can weight: those with a direction.
            let ranked: Vec<(usize, &String, Better)> = self
                .attrs
                .iter()
                .enumerate()
                .filter_map(|(ai, (n, d))| Some((ai, n, d.better?)))
                .filter(|(_, n, _)| !n.is_empty())
                .collect();
            html! {
                <>
                    <p class="hint">{ "Kinds of customers and what matters to them: the guided mode ranks options and picks the suggested product by a profile's weights, within its budget, and leans to its preferred options. Customers pick a profile when they start." }</p>
                    { for c.profiles.iter().enumerate().map(|(pi, p)| {
                        let errors = self.errors_about(&format!("profile {}", p.id));
                        let others: Vec<(&String, f64)> = p.weights.iter()
                            .filter(|(a, _)| !ranked.iter().any(|(_, n, _)| n == a))
                            .map(|(a, w)| (a, *w)).collect();
                        html! {
                            <fieldset class={classes!("profile-form", (!errors.is_empty()).then_some("has-error"))} data-profile={p.id.clone()}>
                                <legend>{ if p.name.is_empty() { p.id.clone() } else { format!("{} ({})", p.name, p.id) } }</legend>
                                <div class="fields">
                                    { self.text_input(ctx, Field::ProfileId(pi), dom_id("pid", &[pi]), "Id", p.id.clone()) }
                                    { self.text_input(ctx, Field::ProfileName(pi), dom_id("pname", &[pi]), "Name", p.name.clone()) }
                                    { self.text_input(ctx, Field::ProfileBudget(pi), dom_id("pbudget", &[pi]), &format!("Typical budget ({}, optional)", c.currency), p.budget.map(|b| b.to_string()).unwrap_or_default()) }
                                </div>
                                { self.text_input(ctx, Field::ProfileDescription(pi), dom_id("pdesc", &[pi]), "Description (shown to customers)", p.description.clone().unwrap_or_default()) }
                                <p class="subhead">{ "Weights (empty: does not matter to this profile)" }</p>
                                if ranked.is_empty() {
                                    <p class="hint">{ "No attribute has a direction yet: set “Better” of an attribute to weight it." }</p>
                                }
                                <div class="fields weights">
                                    { for ranked.iter().map(|(ai, n, b)| {
                                        let label = format!("{n} ({} is better)", if *b == Better::Higher { "higher" } else { "lower" });
                                        self.text_input(ctx, Field::ProfileWeight(pi, *ai), dom_id("pweight", &[pi, *ai]), &label,
                                            p.weights.get(*n).map(|w| w.to_string()).unwrap_or_default())
                                    }) }
                                </div>
                                { for others.iter().map(|(a, w)| {
                                    let attr = a.to_string();
                                    html! {
                                        <p class="error-text">{ format!("Weight {w} on {a}, which has no direction. ") }
                                            <button class="link" onclick={ctx.link().callback(move |_| Msg::RemoveWeight(pi, attr.clone()))}>{ format!("Remove the weight on {a}") }</button></p>
                                    }
                                }) }
                                <p class="subhead">{ "Preferred options" }</p>
                                { self.option_list(ctx, c, Part::Prefer(pi), &p.prefer, &format!("the preferred options of {}", p.id), dom_id("prefer", &[pi])) }
                                { for errors.iter().map(|e| html! { <p class="error-text">{ e }</p> }) }
                                <button class="link" aria-label={format!("Remove profile {}", p.id)}
                                    onclick={ctx.link().callback(move |_| Msg::Remove(Part::Profile, pi))}>{ "Remove this profile" }</button>
                            </fieldset>
                        }
                    }) }
                    { for self.errors_about("profile id").iter().map(|e| html! { <p class="error-text">{ e }</p> }) }
                    <button id="add-profile" onclick={ctx.link().callback(|_| Msg::Add(Part::Profile))}>{ "Add a needs profile" }</button>
                </>
            }
        })
    }

    pub(super) fn presets_section(&self, ctx: &Context<Self>, c: &Catalog) -> Html {
        let problems: usize = c
            .presets
            .iter()
            .map(|p| self.errors_about(&format!("preset {}", p.id)).len())
            .sum::<usize>()
            + self.errors_about("preset id").len();
        let title = format!("Presets ({})", c.presets.len());
        self.collapsible(ctx, Section::Presets, "presets", title, problems, || {
            let mut profiles = vec![(String::new(), "none".to_string())];
            profiles.extend(c.profiles.iter().map(|p| {
                let label = if p.name.is_empty() { p.id.clone() } else { format!("{} ({})", p.name, p.id) };
                (p.id.clone(), label)
            }));
            html! {
                <>
                    <p class="hint">{ "Ready starting points customers can pick: their choices are made for them, and the profile (if any) ranks what is left." }</p>
                    { for c.presets.iter().enumerate().map(|(pi, p)| {
                        let errors = self.errors_about(&format!("preset {}", p.id));
                        html! {
                            <fieldset class={classes!("preset-form", (!errors.is_empty()).then_some("has-error"))} data-preset={p.id.clone()}>
                                <legend>{ if p.name.is_empty() { p.id.clone() } else { format!("{} ({})", p.name, p.id) } }</legend>
                                <div class="fields">
                                    { self.text_input(ctx, Field::PresetId(pi), dom_id("sid", &[pi]), "Id", p.id.clone()) }
                                    { self.text_input(ctx, Field::PresetName(pi), dom_id("sname", &[pi]), "Name", p.name.clone()) }
                                    { self.select(ctx, Field::PresetProfile(pi), dom_id("sprofile", &[pi]), html! { "Needs profile" },
                                        p.profile.as_deref().unwrap_or(""), &profiles) }
                                </div>
                                { self.text_input(ctx, Field::PresetDescription(pi), dom_id("sdesc", &[pi]), "Description (shown to customers)", p.description.clone().unwrap_or_default()) }
                                <p class="subhead">{ "Choices" }</p>
                                { self.option_list(ctx, c, Part::Choice(pi), &p.choices, &format!("the choices of preset {}", p.id), dom_id("choices", &[pi])) }
                                { for errors.iter().map(|e| html! { <p class="error-text">{ e }</p> }) }
                                <button class="link" aria-label={format!("Remove preset {}", p.id)}
                                    onclick={ctx.link().callback(move |_| Msg::Remove(Part::Preset, pi))}>{ "Remove this preset" }</button>
                            </fieldset>
                        }
                    }) }
                    { for self.errors_about("preset id").iter().map(|e| html! { <p class="error-text">{ e }</p> }) }
                    <button id="add-preset" onclick={ctx.link().callback(|_| Msg::Add(Part::Preset))}>{ "Add a preset" }</button>
                </>
            }
        })
    }

    /// A compatibility table as a grid: a group per column, a select per cell (an option of
    /// the column's group, `*` anything, `-` nothing chosen), rows and columns added and
    /// removed with buttons.
    pub(super) fn table_grid(
        &self,
        ctx: &Context<Self>,
        c: &Catalog,
        ri: usize,
        t: &TableDef,
    ) -> Html {
        let kind = if t.forbidden.is_some() && t.allowed.is_none() {
            "forbidden"
        } else {
            "allowed"
        };
        let kinds = [
            ("allowed", "allowed: the chosen options must match a row"),
            (
                "forbidden",
                "forbidden: the chosen options must match no row",
            ),
        ]
        .map(|(v, l)| (v.to_string(), l.to_string()));
        let groups: Vec<(String, String)> = c
            .groups
            .iter()
            .map(|g| {
                let name = if g.name.is_empty() {
                    g.id.clone()
                } else {
                    format!("{} ({})", g.name, g.id)
                };
                (g.id.clone(), name)
            })
            .collect();
        let cells: Vec<Vec<(String, String)>> = t
            .groups
            .iter()
            .map(|gid| {
                let mut v = vec![
                    ("*".to_string(), "* anything".to_string()),
                    ("-".to_string(), "- nothing chosen".to_string()),
                ];
                if let Some(g) = c.groups.iter().find(|g| g.id == *gid) {
                    v.extend(
                        g.options
                            .iter()
                            .map(|o| (o.id.clone(), o.label().to_string())),
                    );
                }
                v
            })
            .collect();
        let rid = r_id(c, ri);
        html! {
            <div class="table-rule">
                { self.select(ctx, Field::TableKind(ri), dom_id("tkind", &[ri]), html! { "Compatibility table" }, kind, &kinds) }
                <div class="grid-scroll">
                    <table class="grid-table compat-table" data-table={rid.clone()}>
                        <caption class="sr-only">{ format!("Rows of table {rid}") }</caption>
                        <thead>
                            <tr>
                                { for t.groups.iter().enumerate().map(|(col, gid)| {
                                    let unknown = !groups.iter().any(|(v, _)| v == gid);
                                    html! {
                                        <th scope="col">
                                            { self.bare_select(ctx, Field::TableGroup(ri, col), dom_id("tgroup", &[ri, col]),
                                                Some(format!("Question of column {} of table {rid}", col + 1)), gid, &groups, unknown) }
                                            if t.groups.len() > 1 {
                                                <button class="link" aria-label={format!("Remove column {} ({gid}) of table {rid}", col + 1)}
                                                    onclick={ctx.link().callback(move |_| Msg::Remove(Part::TableColumn(ri), col))}>{ "Remove column" }</button>
                                            }
                                        </th>
                                    }
                                }) }
                                <th><span class="sr-only">{ "Remove" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for rows(t).iter().enumerate().map(|(row, values)| html! {
                                <tr data-row={row.to_string()}>
                                    { for values.iter().enumerate().map(|(col, v)| {
                                        let choices = cells.get(col).cloned().unwrap_or_default();
                                        let unknown = !choices.iter().any(|(x, _)| x == v);
                                        let gid = t.groups.get(col).cloned().unwrap_or_default();
                                        html! {
                                            <td data-label={gid.clone()}>
                                                { self.bare_select(ctx, Field::TableCell(ri, row, col), dom_id("tcell", &[ri, row, col]),
                                                    Some(format!("Row {} of table {rid}: {gid}", row + 1)), v, &choices, unknown) }
                                            </td>
                                        }
                                    }) }
                                    <td><button class="link" aria-label={format!("Remove row {} of table {rid}", row + 1)}
                                        onclick={ctx.link().callback(move |_| Msg::Remove(Part::TableRow(ri), row))}>{ "Remove row" }</button></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <div class="row">
                    <button class="add-row" id={dom_id("add-row", &[ri])} onclick={ctx.link().callback(move |_| Msg::Add(Part::TableRow(ri)))}>{ "Add a row" }</button>
                    <button class="add-column" onclick={ctx.link().callback(move |_| Msg::Add(Part::TableColumn(ri)))}>{ "Add a column" }</button>
                </div>
            </div>
        }
    }
}

fn r_id(c: &Catalog, ri: usize) -> String {
    c.rules.get(ri).map(|r| r.id.clone()).unwrap_or_default()
}
