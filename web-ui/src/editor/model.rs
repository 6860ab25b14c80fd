//! Edits of the catalog model (`configurator_core::catalog`) as the editor's forms make them:
//! one field at a time, parts added and removed, renames carried to the places that name the
//! renamed part. Pure functions of the catalog: the page re-lints after each.

use configurator_core::catalog::{
    AttrType, AttributeDecl, Better, Catalog, Group, GroupKind, OptionDef, Preset, Profile, Rule,
    TableDef, Value, Vendor,
};
use configurator_core::Decimal;
use std::collections::BTreeMap;

/// A field of the catalog edited by one input (indices into the catalog's lists; attributes
/// into the editor's ordered list of declarations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    CatalogName,
    CatalogDescription,
    CatalogVersion,
    Currency,
    VendorId(usize),
    VendorName(usize),
    AttrName(usize),
    AttrType(usize),
    AttrUnit(usize),
    AttrBetter(usize),
    AttrDescription(usize),
    GroupId(usize),
    GroupName(usize),
    GroupKind(usize),
    GroupMin(usize),
    GroupMax(usize),
    GroupDefault(usize),
    GroupDescription(usize),
    OptionId(usize, usize),
    OptionName(usize, usize),
    OptionVendor(usize, usize),
    OptionPrice(usize, usize),
    OptionDescription(usize, usize),
    /// Group, option, attribute (index into the declarations): the option's value of a
    /// declared attribute (empty: the option does not carry it).
    OptionAttr(usize, usize, usize),
    /// The option's undeclared attributes, as the inside of a TOML inline table.
    OptionAttributes(usize, usize),
    RuleId(usize),
    RuleDescription(usize),
    RuleText(usize),
    /// `allowed` or `forbidden`.
    TableKind(usize),
    /// Rule, column: the column's group.
    TableGroup(usize, usize),
    /// Rule, row, column: a cell (an option id of the column's group, `*` or `-`).
    TableCell(usize, usize, usize),
    ProfileId(usize),
    ProfileName(usize),
    ProfileDescription(usize),
    ProfileBudget(usize),
    /// Profile, attribute (index into the declarations).
    ProfileWeight(usize, usize),
    PresetId(usize),
    PresetName(usize),
    PresetDescription(usize),
    PresetProfile(usize),
}

/// A part of the catalog that can be added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Vendor,
    Attribute,
    Group,
    /// An option of the group.
    Option(usize),
    Rule,
    /// A rule given as a compatibility table.
    Table,
    /// A row of the table rule.
    TableRow(usize),
    /// A column of the table rule.
    TableColumn(usize),
    Profile,
    Preset,
    /// A preferred option of the profile.
    Prefer(usize),
    /// A choice of the preset.
    Choice(usize),
}

/// The attribute declarations in the order the editor shows them (a map would reorder rows
/// while a name is being typed).
pub type Attributes = Vec<(String, AttributeDecl)>;

pub fn attributes_of(c: &Catalog) -> Attributes {
    c.attributes
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Problems only the editor's ordered list can have (the map would silently merge them).
pub fn attribute_problems(attrs: &Attributes) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (name, _)) in attrs.iter().enumerate() {
        if name.trim().is_empty() {
            out.push(format!("attribute {}: give it a name", i + 1));
        } else if attrs[..i].iter().any(|(n, _)| n == name) {
            out.push(format!("attribute {name} is declared twice"));
        }
    }
    out
}

fn sync_attributes(c: &mut Catalog, attrs: &Attributes) {
    c.attributes = attrs
        .iter()
        .filter(|(n, _)| !n.trim().is_empty())
        .map(|(n, d)| (n.clone(), d.clone()))
        .collect::<BTreeMap<_, _>>();
}

fn text(v: &str) -> Option<String> {
    (!v.trim().is_empty()).then(|| v.to_string())
}

/// The rows of a table (its `allowed` or `forbidden` list; an empty `allowed` when neither).
pub fn rows(t: &TableDef) -> &[Vec<String>] {
    t.allowed
        .as_deref()
        .or(t.forbidden.as_deref())
        .unwrap_or(&[])
}

fn rows_mut(t: &mut TableDef) -> &mut Vec<Vec<String>> {
    if t.allowed.is_none() && t.forbidden.is_none() {
        t.allowed = Some(Vec::new());
    }
    match (&mut t.allowed, &mut t.forbidden) {
        (Some(r), _) => r,
        (None, Some(r)) => r,
        (None, None) => unreachable!("set above"),
    }
}

/// Renames `old` to `new` in a list of `group.option` names.
fn rename_names(list: &mut [String], old: &str, new: &str) {
    for n in list.iter_mut() {
        if n == old {
            *n = new.to_string();
        }
    }
}

/// Applies the text of one input. `Err` is a message for a text that does not parse (the
/// catalog is left as it was).
pub fn edit(
    c: &mut Catalog,
    attrs: &mut Attributes,
    field: Field,
    v: String,
) -> Result<(), String> {
    let count = |s: &str, what: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("{what}: write a whole number ≥ 0, not “{s}”"))
    };
    let decimal = |s: &str, what: &str| {
        Decimal::parse(s.trim())
            .ok_or_else(|| format!("{what}: write a number such as 12.50, not “{s}”"))
    };
    match field {
        Field::CatalogName => c.name = v,
        Field::CatalogDescription => c.description = text(&v),
        Field::CatalogVersion => c.version = v.trim().to_string(),
        Field::Currency => c.currency = v.trim().to_string(),
        Field::VendorId(i) => {
            let old = std::mem::replace(&mut c.vendors[i].id, v.clone());
            // Options sold by this vendor follow the rename (unless the new id is taken).
            let taken = c
                .vendors
                .iter()
                .enumerate()
                .any(|(j, x)| j != i && (x.id == v || x.id == old));
            if !taken {
                for o in c.groups.iter_mut().flat_map(|g| g.options.iter_mut()) {
                    if o.vendor.as_deref() == Some(old.as_str()) {
                        o.vendor = Some(v.clone());
                    }
                }
            }
        }
        Field::VendorName(i) => c.vendors[i].name = v,
        Field::AttrName(a) => {
            let new = v.trim().to_string();
            let old = std::mem::replace(&mut attrs[a].0, new.clone());
            // Options' values and profiles' weights follow the rename (unless the name is taken).
            let taken = attrs
                .iter()
                .enumerate()
                .any(|(j, (n, _))| j != a && (*n == new || *n == old));
            if !taken && !old.is_empty() && !new.is_empty() {
                for o in c.groups.iter_mut().flat_map(|g| g.options.iter_mut()) {
                    if let Some(x) = o.attributes.remove(&old) {
                        o.attributes.insert(new.clone(), x);
                    }
                }
                for p in &mut c.profiles {
                    if let Some(w) = p.weights.remove(&old) {
                        p.weights.insert(new.clone(), w);
                    }
                }
            }
            sync_attributes(c, attrs);
        }
        Field::AttrType(a) => {
            attrs[a].1.ty = match v.as_str() {
                "string" => AttrType::String,
                "bool" => AttrType::Bool,
                _ => AttrType::Number,
            };
            sync_attributes(c, attrs);
        }
        Field::AttrUnit(a) => {
            attrs[a].1.unit = text(&v);
            sync_attributes(c, attrs);
        }
        Field::AttrBetter(a) => {
            attrs[a].1.better = match v.as_str() {
                "higher" => Some(Better::Higher),
                "lower" => Some(Better::Lower),
                _ => None,
            };
            sync_attributes(c, attrs);
        }
        Field::AttrDescription(a) => {
            attrs[a].1.description = text(&v);
            sync_attributes(c, attrs);
        }
        Field::GroupId(g) => {
            let old = std::mem::replace(&mut c.groups[g].id, v.clone());
            let taken = c
                .groups
                .iter()
                .enumerate()
                .any(|(j, x)| j != g && (x.id == v || x.id == old));
            if !taken {
                let options: Vec<String> =
                    c.groups[g].options.iter().map(|o| o.id.clone()).collect();
                for o in &options {
                    rename_everywhere(c, &format!("{old}.{o}"), &format!("{v}.{o}"));
                }
                for r in &mut c.rules {
                    if let Some(t) = &mut r.table {
                        for col in &mut t.groups {
                            if *col == old {
                                *col = v.clone();
                            }
                        }
                    }
                }
            }
        }
        Field::GroupName(g) => c.groups[g].name = v,
        Field::GroupKind(g) => {
            c.groups[g].kind = if v == "infrastructure" {
                GroupKind::Infrastructure
            } else {
                GroupKind::Visible
            }
        }
        Field::GroupMin(g) => c.groups[g].min = count(&v, "at least")?,
        Field::GroupMax(g) => c.groups[g].max = count(&v, "at most")?,
        Field::GroupDefault(g) => c.groups[g].default = text(&v),
        Field::GroupDescription(g) => c.groups[g].description = text(&v),
        Field::OptionId(g, o) => {
            let group = &mut c.groups[g];
            let old = std::mem::replace(&mut group.options[o].id, v.clone());
            let taken = group
                .options
                .iter()
                .enumerate()
                .any(|(j, x)| j != o && (x.id == v || x.id == old));
            if !taken {
                if group.default.as_deref() == Some(old.as_str()) {
                    group.default = Some(v.clone());
                }
                let gid = group.id.clone();
                rename_everywhere(c, &format!("{gid}.{old}"), &format!("{gid}.{v}"));
                for r in &mut c.rules {
                    if let Some(t) = &mut r.table {
                        if let Some(col) = t.groups.iter().position(|x| *x == gid) {
                            for row in rows_mut(t) {
                                if row.get(col) == Some(&old) {
                                    row[col] = v.clone();
                                }
                            }
                        }
                    }
                }
            }
        }
        Field::OptionName(g, o) => c.groups[g].options[o].name = v,
        Field::OptionVendor(g, o) => c.groups[g].options[o].vendor = text(&v),
        Field::OptionPrice(g, o) => c.groups[g].options[o].price = decimal(&v, "price")?,
        Field::OptionDescription(g, o) => c.groups[g].options[o].description = text(&v),
        Field::OptionAttr(g, o, a) => {
            let (name, decl) = &attrs[a];
            if name.trim().is_empty() {
                return Err("give the attribute a name first".into());
            }
            let value = match decl.ty {
                _ if v.trim().is_empty() => None,
                AttrType::Number => Some(Value::Number(
                    Decimal::parse(v.trim())
                        .ok_or_else(|| format!("{name}: write a number such as 12.5, not “{v}”"))?,
                )),
                AttrType::String => Some(Value::Str(v.clone())),
                AttrType::Bool => Some(Value::Bool(v.trim() == "true")),
            };
            let values = &mut c.groups[g].options[o].attributes;
            match value {
                Some(x) => values.insert(name.clone(), x),
                None => values.remove(name),
            };
        }
        Field::OptionAttributes(g, o) => {
            let other = parse_attributes(&v)?;
            let values = &mut c.groups[g].options[o].attributes;
            // This text holds the undeclared attributes only: the declared ones have fields.
            values.retain(|k, _| attrs.iter().any(|(n, _)| n == k));
            values.extend(other);
        }
        Field::RuleId(r) => c.rules[r].id = v,
        Field::RuleDescription(r) => c.rules[r].description = v,
        Field::RuleText(r) => c.rules[r].rule = Some(v),
        Field::TableKind(r) => {
            if let Some(t) = &mut c.rules[r].table {
                let rows = std::mem::take(rows_mut(t));
                (t.allowed, t.forbidden) = if v == "forbidden" {
                    (None, Some(rows))
                } else {
                    (Some(rows), None)
                };
            }
        }
        Field::TableGroup(r, col) => {
            if let Some(t) = &mut c.rules[r].table {
                if t.groups[col] != v {
                    t.groups[col] = v;
                    // The old group's options mean nothing in the new column.
                    for row in rows_mut(t) {
                        if let Some(cell) = row.get_mut(col) {
                            *cell = "*".into();
                        }
                    }
                }
            }
        }
        Field::TableCell(r, row, col) => {
            if let Some(t) = &mut c.rules[r].table {
                if let Some(cell) = rows_mut(t).get_mut(row).and_then(|x| x.get_mut(col)) {
                    *cell = v;
                }
            }
        }
        Field::ProfileId(p) => {
            let old = std::mem::replace(&mut c.profiles[p].id, v.clone());
            let taken = c
                .profiles
                .iter()
                .enumerate()
                .any(|(j, x)| j != p && (x.id == v || x.id == old));
            if !taken {
                for preset in &mut c.presets {
                    if preset.profile.as_deref() == Some(old.as_str()) {
                        preset.profile = Some(v.clone());
                    }
                }
            }
        }
        Field::ProfileName(p) => c.profiles[p].name = v,
        Field::ProfileDescription(p) => c.profiles[p].description = text(&v),
        Field::ProfileBudget(p) => {
            c.profiles[p].budget = if v.trim().is_empty() {
                None
            } else {
                Some(decimal(&v, "budget")?)
            }
        }
        Field::ProfileWeight(p, a) => {
            let attr = attrs[a].0.clone();
            if v.trim().is_empty() {
                c.profiles[p].weights.remove(&attr);
            } else {
                let w: f64 = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("weight of {attr}: write a number ≥ 0, not “{v}”"))?;
                c.profiles[p].weights.insert(attr, w);
            }
        }
        Field::PresetId(p) => c.presets[p].id = v,
        Field::PresetName(p) => c.presets[p].name = v,
        Field::PresetDescription(p) => c.presets[p].description = text(&v),
        Field::PresetProfile(p) => c.presets[p].profile = text(&v),
    }
    Ok(())
}

/// An option renamed (`group.option`): profiles' preferences and presets' choices follow.
fn rename_everywhere(c: &mut Catalog, old: &str, new: &str) {
    for p in &mut c.profiles {
        rename_names(&mut p.prefer, old, new);
    }
    for p in &mut c.presets {
        rename_names(&mut p.choices, old, new);
    }
}

/// Adds a part; `pick` is the option chosen in the "add" list of a profile or preset.
pub fn add(c: &mut Catalog, attrs: &mut Attributes, part: Part, pick: Option<String>) {
    let fresh = |prefix: &str, taken: &dyn Fn(&str) -> bool| {
        (1..)
            .map(|n| format!("{prefix}{n}"))
            .find(|id| !taken(id))
            .unwrap_or_default()
    };
    match part {
        Part::Vendor => {
            let id = fresh("vendor", &|id| c.vendors.iter().any(|v| v.id == id));
            c.vendors.push(Vendor {
                id,
                name: String::new(),
            });
        }
        Part::Attribute => {
            let name = fresh("attribute", &|id| attrs.iter().any(|(n, _)| n == id));
            attrs.push((
                name,
                AttributeDecl {
                    ty: AttrType::Number,
                    unit: None,
                    description: None,
                    better: None,
                },
            ));
            sync_attributes(c, attrs);
        }
        Part::Group => {
            let id = fresh("group", &|id| c.groups.iter().any(|g| g.id == id));
            let n = c.groups.len() + 1;
            c.groups.push(Group {
                id,
                name: format!("New question {n}"),
                kind: GroupKind::Visible,
                min: 1,
                max: 1,
                description: None,
                default: None,
                options: vec![new_option("option1", 1)],
            });
        }
        Part::Option(g) => {
            let group = &mut c.groups[g];
            let id = fresh("option", &|id| group.options.iter().any(|o| o.id == id));
            let n = group.options.len() + 1;
            group.options.push(new_option(&id, n));
        }
        Part::Rule => {
            let id = fresh("rule", &|id| c.rules.iter().any(|r| r.id == id));
            c.rules.push(Rule {
                id,
                description: String::new(),
                rule: Some(String::new()),
                table: None,
            });
        }
        Part::Table => {
            let id = fresh("table", &|id| c.rules.iter().any(|r| r.id == id));
            // The first two groups a table can take (at most one option each).
            let groups: Vec<String> = c
                .groups
                .iter()
                .filter(|g| g.max <= 1)
                .take(2)
                .map(|g| g.id.clone())
                .collect();
            let row = vec!["*".to_string(); groups.len()];
            c.rules.push(Rule {
                id,
                description: String::new(),
                rule: None,
                table: Some(TableDef {
                    groups,
                    allowed: Some(vec![row]),
                    forbidden: None,
                }),
            });
        }
        Part::TableRow(r) => {
            if let Some(t) = &mut c.rules[r].table {
                let n = t.groups.len();
                rows_mut(t).push(vec!["*".to_string(); n]);
            }
        }
        Part::TableColumn(r) => {
            let used: Vec<String> = c.rules[r]
                .table
                .iter()
                .flat_map(|t| t.groups.clone())
                .collect();
            let next = c
                .groups
                .iter()
                .find(|g| g.max <= 1 && !used.contains(&g.id))
                .or(c.groups.first())
                .map(|g| g.id.clone())
                .unwrap_or_default();
            if let Some(t) = &mut c.rules[r].table {
                t.groups.push(next);
                for row in rows_mut(t) {
                    row.push("*".into());
                }
            }
        }
        Part::Profile => {
            let id = fresh("profile", &|id| c.profiles.iter().any(|p| p.id == id));
            c.profiles.push(Profile {
                name: String::new(),
                id,
                description: None,
                weights: BTreeMap::new(),
                budget: None,
                prefer: Vec::new(),
            });
        }
        Part::Preset => {
            let id = fresh("preset", &|id| c.presets.iter().any(|p| p.id == id));
            c.presets.push(Preset {
                id,
                name: String::new(),
                description: None,
                profile: None,
                choices: Vec::new(),
            });
        }
        Part::Prefer(p) => {
            if let Some(n) = pick.filter(|n| !c.profiles[p].prefer.contains(n)) {
                c.profiles[p].prefer.push(n);
            }
        }
        Part::Choice(p) => {
            if let Some(n) = pick.filter(|n| !c.presets[p].choices.contains(n)) {
                c.presets[p].choices.push(n);
            }
        }
    }
}

/// Removes the `i`th of a part.
pub fn remove(c: &mut Catalog, attrs: &mut Attributes, part: Part, i: usize) {
    fn take<T>(v: &mut Vec<T>, i: usize) {
        if i < v.len() {
            v.remove(i);
        }
    }
    match part {
        Part::Vendor => take(&mut c.vendors, i),
        Part::Attribute => {
            take(attrs, i);
            sync_attributes(c, attrs);
        }
        Part::Group => take(&mut c.groups, i),
        Part::Option(g) => take(&mut c.groups[g].options, i),
        Part::Rule | Part::Table => take(&mut c.rules, i),
        Part::TableRow(r) => {
            if let Some(t) = &mut c.rules[r].table {
                take(rows_mut(t), i);
            }
        }
        Part::TableColumn(r) => {
            if let Some(t) = &mut c.rules[r].table {
                take(&mut t.groups, i);
                for row in rows_mut(t) {
                    take(row, i);
                }
            }
        }
        Part::Profile => take(&mut c.profiles, i),
        Part::Preset => take(&mut c.presets, i),
        Part::Prefer(p) => take(&mut c.profiles[p].prefer, i),
        Part::Choice(p) => take(&mut c.presets[p].choices, i),
    }
}

pub fn new_option(id: &str, n: usize) -> OptionDef {
    OptionDef {
        id: id.to_string(),
        name: format!("Option {n}"),
        vendor: None,
        price: Decimal::from_raw(0),
        description: None,
        attributes: BTreeMap::new(),
    }
}

/// The text of a declared attribute's field: a number as written in the catalog, a string as
/// is, `true`/`false`; empty when the option does not carry the attribute.
pub fn value_text(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::Number(d)) => d.to_string(),
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
    }
}

/// The declared attributes (indices into the editor's list of declarations, in its order) that
/// the options of a group carry: the fields its option rows show.
pub fn group_attributes(g: &Group, attrs: &Attributes) -> Vec<usize> {
    attrs
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| {
            !n.is_empty() && g.options.iter().any(|o| o.attributes.contains_key(n))
        })
        .map(|(a, _)| a)
        .collect()
}

/// An option's undeclared attributes as the inside of a TOML inline table.
pub fn other_attributes_text(a: &BTreeMap<String, Value>, attrs: &Attributes) -> String {
    let other: BTreeMap<String, Value> = a
        .iter()
        .filter(|(k, _)| !attrs.iter().any(|(n, _)| n == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    attributes_text(&other)
}

/// An option's attributes as the inside of a TOML inline table: `socket = "AM5", tdp_w = 65`.
pub fn attributes_text(a: &BTreeMap<String, Value>) -> String {
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

#[cfg(test)]
mod tests {
    //! Native unit tests (`cargo test -p web-ui`): the model edits need no browser.
    use super::*;
    use configurator_core::catalog::{parse_catalog, validate_structure, Format};
    use configurator_core::{compile_catalog, Effort};

    fn pc() -> (Catalog, Attributes) {
        let c = parse_catalog(include_str!("../../../catalogs/pc.toml"), Format::Toml).unwrap();
        let a = attributes_of(&c);
        (c, a)
    }

    fn group(c: &Catalog, id: &str) -> usize {
        c.groups.iter().position(|g| g.id == id).unwrap()
    }

    fn rule(c: &Catalog, id: &str) -> usize {
        c.rules.iter().position(|r| r.id == id).unwrap()
    }

    fn usable(c: &Catalog) -> bool {
        let errors: Vec<_> = validate_structure(c)
            .into_iter()
            .filter(|d| d.severity == configurator_core::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        compile_catalog(c.clone(), None)
            .unwrap()
            .lint(&mut Effort::new(5_000_000))
            .unwrap()
            .usable()
    }

    #[test]
    fn renamed_option_is_followed_by_default_preferences_choices_and_tables() {
        let (mut c, mut a) = pc();
        let os = group(&c, "os");
        let o = c.groups[os]
            .options
            .iter()
            .position(|o| o.id == "win11_pro")
            .unwrap();
        edit(&mut c, &mut a, Field::OptionId(os, o), "windows_pro".into()).unwrap();
        let text = serde_json::to_string(&c).unwrap();
        assert!(
            !text.contains("win11_pro\""),
            "every reference follows: {text}"
        );
        assert!(c
            .profiles
            .iter()
            .any(|p| p.prefer.contains(&"os.windows_pro".to_string())));
        assert!(c
            .presets
            .iter()
            .any(|p| p.choices.contains(&"os.windows_pro".to_string())));
        let t = c.rules[rule(&c, "os-warranty")].table.as_ref().unwrap();
        assert!(rows(t).iter().any(|r| r[0] == "windows_pro"));
        // The rule texts still name the old id: the lint says so, nothing is rewritten there.
        assert_eq!(
            serde_json::from_str::<Catalog>(&text).unwrap(),
            c,
            "the draft round-trips through the core's serde model"
        );
    }

    #[test]
    fn a_rename_onto_a_taken_id_does_not_merge_references() {
        let (mut c, mut a) = pc();
        let v = c.vendors.iter().position(|v| v.id == "intel").unwrap();
        let amd_before: Vec<_> = c
            .groups
            .iter()
            .flat_map(|g| &g.options)
            .filter(|o| o.vendor.as_deref() == Some("amd"))
            .map(|o| o.id.clone())
            .collect();
        edit(&mut c, &mut a, Field::VendorId(v), "amd".into()).unwrap();
        edit(&mut c, &mut a, Field::VendorId(v), "intel-corp".into()).unwrap();
        let amd_after: Vec<_> = c
            .groups
            .iter()
            .flat_map(|g| &g.options)
            .filter(|o| o.vendor.as_deref() == Some("amd"))
            .map(|o| o.id.clone())
            .collect();
        assert_eq!(amd_before, amd_after, "amd's options stay amd's");
    }

    #[test]
    fn renamed_vendor_group_and_attribute_keep_the_catalog_usable() {
        let (mut c, mut a) = pc();
        let v = c.vendors.iter().position(|v| v.id == "intel").unwrap();
        edit(&mut c, &mut a, Field::VendorId(v), "intel-corp".into()).unwrap();
        let os = group(&c, "os");
        edit(&mut c, &mut a, Field::GroupId(os), "system".into()).unwrap();
        assert_eq!(
            c.rules[rule(&c, "os-warranty")]
                .table
                .as_ref()
                .unwrap()
                .groups[0],
            "system"
        );
        let vram = a.iter().position(|(n, _)| n == "vram_gb").unwrap();
        edit(&mut c, &mut a, Field::AttrName(vram), "memory_gb".into()).unwrap();
        assert!(c.attributes.contains_key("memory_gb") && !c.attributes.contains_key("vram_gb"));
        assert!(c
            .profiles
            .iter()
            .any(|p| p.weights.contains_key("memory_gb")));
        // No rule text names `os` or `vram_gb`: everything that named them followed.
        assert!(usable(&c));
        // A rule's text names `tdp_w`: it is not rewritten, the compiler reports it.
        let tdp = a.iter().position(|(n, _)| n == "tdp_w").unwrap();
        edit(&mut c, &mut a, Field::AttrName(tdp), "cpu_tdp_w".into()).unwrap();
        let err = compile_catalog(c.clone(), None).unwrap_err();
        assert!(err.iter().any(|d| d.message.contains("tdp_w")), "{err:?}");
        // Back to the old names: the same catalog.
        edit(&mut c, &mut a, Field::AttrName(tdp), "tdp_w".into()).unwrap();
        edit(&mut c, &mut a, Field::AttrName(vram), "vram_gb".into()).unwrap();
        edit(&mut c, &mut a, Field::GroupId(os), "os".into()).unwrap();
        assert!(usable(&c));
        assert_eq!(c, {
            let (mut p, _) = pc();
            p.vendors[v].id = "intel-corp".into();
            for o in p.groups.iter_mut().flat_map(|g| g.options.iter_mut()) {
                if o.vendor.as_deref() == Some("intel") {
                    o.vendor = Some("intel-corp".into());
                }
            }
            p
        });
    }

    #[test]
    fn attribute_declarations_edit_type_unit_direction_and_report_duplicates() {
        let (mut c, mut a) = pc();
        let tdp = a.iter().position(|(n, _)| n == "tdp_w").unwrap();
        edit(&mut c, &mut a, Field::AttrBetter(tdp), "lower".into()).unwrap();
        assert_eq!(c.attributes["tdp_w"].better, Some(Better::Lower));
        edit(&mut c, &mut a, Field::AttrType(tdp), "string".into()).unwrap();
        assert_eq!(c.attributes["tdp_w"].ty, AttrType::String);
        // A string cannot be better higher or lower, and options carry numbers.
        assert!(!validate_structure(&c).is_empty());
        edit(&mut c, &mut a, Field::AttrType(tdp), "number".into()).unwrap();
        add(&mut c, &mut a, Part::Attribute, None);
        let new = a.len() - 1;
        edit(&mut c, &mut a, Field::AttrName(new), "tdp_w".into()).unwrap();
        assert_eq!(
            attribute_problems(&a),
            vec!["attribute tdp_w is declared twice"]
        );
        remove(&mut c, &mut a, Part::Attribute, new);
        assert!(attribute_problems(&a).is_empty());
        assert_eq!(c.attributes["tdp_w"].better, Some(Better::Lower));
        assert!(usable(&c));
    }

    #[test]
    fn table_rows_and_columns_stay_rectangular() {
        let (mut c, mut a) = pc();
        let r = rule(&c, "os-warranty");
        let n = rows(c.rules[r].table.as_ref().unwrap()).len();
        add(&mut c, &mut a, Part::TableRow(r), None);
        add(&mut c, &mut a, Part::TableColumn(r), None);
        let t = c.rules[r].table.as_ref().unwrap();
        assert_eq!(rows(t).len(), n + 1);
        assert_eq!(t.groups.len(), 3);
        assert!(rows(t).iter().all(|row| row.len() == 3));
        assert_eq!(rows(t)[n], vec!["*", "*", "*"]);
        edit(&mut c, &mut a, Field::TableCell(r, 1, 2), "x".into()).unwrap();
        // Another group in the column: its cells start over as "anything".
        edit(&mut c, &mut a, Field::TableGroup(r, 2), "colour".into()).unwrap();
        assert!(rows(c.rules[r].table.as_ref().unwrap())
            .iter()
            .all(|row| row[2] == "*"));
        remove(&mut c, &mut a, Part::TableColumn(r), 2);
        remove(&mut c, &mut a, Part::TableRow(r), n);
        edit(&mut c, &mut a, Field::TableKind(r), "forbidden".into()).unwrap();
        let t = c.rules[r].table.as_ref().unwrap();
        assert!(t.allowed.is_none() && t.forbidden.as_ref().unwrap().len() == n);
        edit(&mut c, &mut a, Field::TableKind(r), "allowed".into()).unwrap();
        assert_eq!(c, pc().0);
    }

    #[test]
    fn numbers_that_do_not_parse_leave_the_catalog_as_it_was() {
        let (mut c, mut a) = pc();
        let before = c.clone();
        assert!(edit(&mut c, &mut a, Field::OptionPrice(0, 0), "12,5".into()).is_err());
        assert!(edit(&mut c, &mut a, Field::GroupMax(0), "two".into()).is_err());
        assert!(edit(&mut c, &mut a, Field::ProfileBudget(0), "lots".into()).is_err());
        assert!(edit(
            &mut c,
            &mut a,
            Field::OptionAttributes(0, 0),
            "cores = ".into()
        )
        .is_err());
        assert_eq!(c, before);
        edit(&mut c, &mut a, Field::ProfileBudget(0), "".into()).unwrap();
        assert_eq!(c.profiles[0].budget, None);
    }

    fn option(c: &Catalog, name: &str) -> (usize, usize) {
        let (g, o) = name.split_once('.').unwrap();
        let gi = group(c, g);
        (
            gi,
            c.groups[gi].options.iter().position(|x| x.id == o).unwrap(),
        )
    }

    fn attr(a: &Attributes, name: &str) -> usize {
        a.iter().position(|(n, _)| n == name).unwrap()
    }

    fn dead(c: &Catalog) -> Vec<String> {
        compile_catalog(c.clone(), None)
            .unwrap()
            .lint(&mut Effort::new(5_000_000))
            .unwrap()
            .dead
    }

    #[test]
    fn declared_attribute_fields_edit_numbers_texts_and_booleans() {
        let (mut c, mut a) = pc();
        let (g, o) = option(&c, "gpu.rx7600");
        // The gpu group's fields: the attributes its options carry, in the order of the list
        // of declarations (by name, as the catalog's map gives them).
        let fields: Vec<&str> = group_attributes(&c.groups[g], &a)
            .into_iter()
            .map(|i| a[i].0.as_str())
            .collect();
        assert_eq!(
            fields,
            [
                "connector",
                "lead_time_days",
                "length_mm",
                "power_w",
                "slot_width",
                "vram_gb",
                "weight_g"
            ]
        );
        let length = attr(&a, "length_mm");
        let shown = |c: &Catalog| value_text(c.groups[g].options[o].attributes.get("length_mm"));
        assert_eq!(shown(&c), "240");
        // Longer than every case: the lint finds the card dead through the rule gpu-length.
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, length),
            " 999 ".into(),
        )
        .unwrap();
        assert_eq!(
            c.groups[g].options[o].attributes["length_mm"],
            Value::Number(Decimal::parse("999").unwrap())
        );
        assert!(dead(&c).contains(&"gpu.rx7600".to_string()));
        // A number that does not parse leaves the value as it was.
        let err = edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, length),
            "24o".into(),
        )
        .unwrap_err();
        assert!(err.contains("length_mm") && err.contains("24o"), "{err}");
        assert_eq!(shown(&c), "999");
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, length),
            "240.5".into(),
        )
        .unwrap();
        assert_eq!(shown(&c), "240.5");
        assert!(!dead(&c).contains(&"gpu.rx7600".to_string()));
        // Empty: the option no longer carries the attribute.
        edit(&mut c, &mut a, Field::OptionAttr(g, o, length), "".into()).unwrap();
        assert!(!c.groups[g].options[o].attributes.contains_key("length_mm"));
        // Texts as typed, booleans from the yes / no / not set list.
        let connector = attr(&a, "connector");
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, connector),
            "12V-2x6".into(),
        )
        .unwrap();
        assert_eq!(
            c.groups[g].options[o].attributes["connector"],
            Value::Str("12V-2x6".into())
        );
        let (cg, co) = option(&c, "cpu.i5_14400f");
        let igpu = attr(&a, "igpu");
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(cg, co, igpu),
            "true".into(),
        )
        .unwrap();
        assert_eq!(
            c.groups[cg].options[co].attributes["igpu"],
            Value::Bool(true)
        );
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(cg, co, igpu),
            "false".into(),
        )
        .unwrap();
        assert_eq!(
            c.groups[cg].options[co].attributes["igpu"],
            Value::Bool(false)
        );
        // "Not set": the option no longer carries it (rules on it do not constrain it).
        edit(&mut c, &mut a, Field::OptionAttr(cg, co, igpu), "".into()).unwrap();
        assert!(!c.groups[cg].options[co].attributes.contains_key("igpu"));
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(cg, co, igpu),
            "false".into(),
        )
        .unwrap();
        // Back to the catalog's values: the same catalog, through the core's serde model too.
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, length),
            "240".into(),
        )
        .unwrap();
        edit(
            &mut c,
            &mut a,
            Field::OptionAttr(g, o, connector),
            "8-pin".into(),
        )
        .unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Catalog>(&json).unwrap(), c);
        assert_eq!(c, pc().0);
        assert!(usable(&c));
    }

    #[test]
    fn other_attributes_hold_only_the_undeclared_ones() {
        let (mut c, mut a) = pc();
        let (g, o) = option(&c, "gpu.rx7600");
        let before = c.groups[g].options[o].attributes.clone();
        assert_eq!(other_attributes_text(&before, &a), "");
        edit(
            &mut c,
            &mut a,
            Field::OptionAttributes(g, o),
            r#"fans = 2, "rgb lighting" = false"#.into(),
        )
        .unwrap();
        let values = &c.groups[g].options[o].attributes;
        assert_eq!(values.len(), before.len() + 2, "the declared values stay");
        assert_eq!(
            other_attributes_text(values, &a),
            r#"fans = 2, "rgb lighting" = false"#
        );
        assert!(edit(
            &mut c,
            &mut a,
            Field::OptionAttributes(g, o),
            "fans = ".into()
        )
        .is_err());
        // Declaring `fans` moves it from the line to its own field.
        add(&mut c, &mut a, Part::Attribute, None);
        let n = a.len() - 1;
        edit(&mut c, &mut a, Field::AttrName(n), "fans".into()).unwrap();
        assert_eq!(
            other_attributes_text(&c.groups[g].options[o].attributes, &a),
            r#""rgb lighting" = false"#
        );
        assert!(group_attributes(&c.groups[g], &a).contains(&n));
        remove(&mut c, &mut a, Part::Attribute, n);
        edit(&mut c, &mut a, Field::OptionAttributes(g, o), " ".into()).unwrap();
        assert_eq!(c.groups[g].options[o].attributes, before);
    }

    #[test]
    fn descriptions_and_version_are_edited_and_cleared() {
        let (mut c, mut a) = pc();
        let (g, o) = option(&c, "gpu.rx7600");
        edit(&mut c, &mut a, Field::CatalogVersion, " 2026.2 ".into()).unwrap();
        edit(
            &mut c,
            &mut a,
            Field::GroupDescription(g),
            "The card.".into(),
        )
        .unwrap();
        edit(
            &mut c,
            &mut a,
            Field::OptionDescription(g, o),
            "Quiet.".into(),
        )
        .unwrap();
        assert_eq!(c.version, "2026.2");
        assert_eq!(c.groups[g].description.as_deref(), Some("The card."));
        assert_eq!(
            c.groups[g].options[o].description.as_deref(),
            Some("Quiet.")
        );
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Catalog>(&json).unwrap(), c);
        edit(&mut c, &mut a, Field::OptionDescription(g, o), "  ".into()).unwrap();
        assert_eq!(c.groups[g].options[o].description, None);
    }

    #[test]
    fn profiles_and_presets_are_added_filled_and_removed() {
        let (mut c, mut a) = pc();
        add(&mut c, &mut a, Part::Profile, None);
        let p = c.profiles.len() - 1;
        edit(&mut c, &mut a, Field::ProfileId(p), "quiet".into()).unwrap();
        let power = a.iter().position(|(n, _)| n == "power_w").unwrap();
        edit(&mut c, &mut a, Field::ProfileWeight(p, power), "2.5".into()).unwrap();
        add(
            &mut c,
            &mut a,
            Part::Prefer(p),
            Some("gpu.integrated".into()),
        );
        add(
            &mut c,
            &mut a,
            Part::Prefer(p),
            Some("gpu.integrated".into()),
        );
        assert_eq!(
            c.profiles[p].prefer,
            vec!["gpu.integrated"],
            "no duplicates"
        );
        add(&mut c, &mut a, Part::Preset, None);
        let s = c.presets.len() - 1;
        edit(&mut c, &mut a, Field::PresetId(s), "quiet-pc".into()).unwrap();
        edit(&mut c, &mut a, Field::PresetProfile(s), "quiet".into()).unwrap();
        add(&mut c, &mut a, Part::Choice(s), Some("cpu.r5_7600".into()));
        assert!(usable(&c));
        // The profile renamed: the preset follows.
        edit(&mut c, &mut a, Field::ProfileId(p), "silent".into()).unwrap();
        assert_eq!(c.presets[s].profile.as_deref(), Some("silent"));
        // An empty weight takes the attribute out of the profile.
        edit(&mut c, &mut a, Field::ProfileWeight(p, power), " ".into()).unwrap();
        assert!(c.profiles[p].weights.is_empty());
        remove(&mut c, &mut a, Part::Choice(s), 0);
        remove(&mut c, &mut a, Part::Preset, s);
        remove(&mut c, &mut a, Part::Profile, p);
        assert_eq!(c, pc().0);
    }
}
