//! The catalog a manufacturer writes: vendors, attribute declarations, choice groups with their
//! options, and rules. One serde model read from TOML (by hand) or JSON (by programs).
//!
//! Loading checks the structure (ids, duplicates, vendors, attribute types); the rules are
//! checked later by `resolve`, which needs the whole catalog to resolve names.

use crate::diagnostic::{did_you_mean, suggest, Diagnostic};
use crate::number::{Decimal, DecimalVisitor};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub version: String,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<Vendor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeDecl>,
    pub groups: Vec<Group>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// When true, every option is named by its `name` (the feature name of an imported
    /// variability model, which may contain spaces), unique across the catalog, instead of
    /// `group.option`: the CLI prints these names and accepts them besides `group.option`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub feature_names: bool,
    /// Kinds of customers and what matters to them (guided mode ranks and defaults by them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Profile>,
    /// Named starting points defined by the manufacturer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<Preset>,
}

/// A needs profile, such as "gaming" or "office": weights on the attributes that have a
/// `better` direction, an optional typical budget, and options this kind of customer prefers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attribute name → weight (>= 0). Direction comes from the attribute's `better`.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Decimal>,
    /// Options (`group.option`) this kind of customer tends to choose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefer: Vec<String>,
}

/// A named starting point: a set of choices, optionally with a needs profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Options (`group.option`) the preset selects.
    pub choices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttrType {
    Number,
    String,
    Bool,
}

impl AttrType {
    pub fn word(self) -> &'static str {
        match self {
            AttrType::Number => "number",
            AttrType::String => "string",
            AttrType::Bool => "boolean",
        }
    }
}

/// Which way an attribute is better for the customer (used by ranking and dominance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDecl {
    #[serde(rename = "type")]
    pub ty: AttrType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<Better>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    /// The customer decides.
    #[default]
    Visible,
    /// The solver completes it (power supply, cooler, brackets); never asked.
    Infrastructure,
}

impl GroupKind {
    /// `visible` or `infrastructure`, as in the catalog files.
    pub fn word(self) -> &'static str {
        match self {
            GroupKind::Visible => "visible",
            GroupKind::Infrastructure => "infrastructure",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: GroupKind,
    #[serde(default = "one")]
    pub min: u32,
    #[serde(default = "one")]
    pub max: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The manufacturer's default option (its id): the cold-start favourite before customers
    /// have shared configurations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    pub options: Vec<OptionDef>,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default)]
    pub price: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

/// An attribute value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Number(Decimal),
    Str(String),
    Bool(bool),
}

impl Value {
    pub fn ty(&self) -> AttrType {
        match self {
            Value::Number(_) => AttrType::Number,
            Value::Str(_) => AttrType::String,
            Value::Bool(_) => AttrType::Bool,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Number(n) => n.serialize(s),
            Value::Str(v) => s.serialize_str(v),
            Value::Bool(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a string or a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                DecimalVisitor.visit_i64(v).map(Value::Number)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                DecimalVisitor.visit_u64(v).map(Value::Number)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                DecimalVisitor.visit_f64(v).map(Value::Number)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Str(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// The rule in the rule language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A compatibility table written as TOML/JSON data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden: Option<Vec<Vec<String>>>,
}

/// The file formats a catalog is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// Picks the format from a file name's extension.
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".toml") {
            Some(Format::Toml)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// Largest catalog text accepted (a clear limit instead of exhausting memory).
pub const MAX_SOURCE_BYTES: usize = 64 * 1024 * 1024;

/// Parses a catalog and checks its structure. Rules are parsed later by `resolve`.
pub fn parse_catalog(source: &str, format: Format) -> Result<Catalog, Vec<Diagnostic>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![Diagnostic::error(
            "too-large",
            format!(
                "the catalog is {} bytes; the limit is {} bytes",
                source.len(),
                MAX_SOURCE_BYTES
            ),
        )]);
    }
    let catalog: Catalog = match format {
        Format::Toml => toml::from_str(source).map_err(|e| {
            let mut d = Diagnostic::error("malformed", toml_message(&e));
            if let Some(span) = e.span() {
                let (line, col) = crate::rules::line_col(source, span.start);
                d = d.at(line, col, true);
            }
            vec![d]
        })?,
        Format::Json => serde_json::from_str(source).map_err(|e| {
            vec![Diagnostic::error("malformed", json_message(&e)).at(e.line(), e.column(), true)]
        })?,
    };
    let diagnostics = validate_structure(&catalog);
    if diagnostics.is_empty() {
        Ok(catalog)
    } else {
        Err(diagnostics)
    }
}

fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string()
}

fn json_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line X column Y"; we report the position separately.
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Whether an id is acceptable for a group, option, vendor or rule.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id
            .chars()
            .any(|c| c == '.' || c == '`' || c.is_whitespace() || c.is_control())
}

/// Structural checks that need no rule parsing: ids, duplicates, cardinalities, vendors and
/// attribute types. Returns every problem found, not just the first.
pub fn validate_structure(c: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !valid_id(&c.id) {
        out.push(Diagnostic::error(
            "bad-id",
            format!(
                "catalog id {:?} is empty or contains '.', '`' or white space",
                c.id
            ),
        ));
    }
    let mut vendor_ids = HashSet::new();
    for v in &c.vendors {
        if !valid_id(&v.id) {
            out.push(Diagnostic::error(
                "bad-id",
                format!(
                    "vendor id {:?} is empty or contains '.', '`' or white space",
                    v.id
                ),
            ));
        }
        if !vendor_ids.insert(v.id.as_str()) {
            out.push(Diagnostic::error(
                "duplicate",
                format!("vendor {} is declared twice", v.id),
            ));
        }
    }
    for (name, decl) in &c.attributes {
        if name == "price" || name == "vendor" {
            out.push(Diagnostic::error(
                "reserved",
                format!("attribute {name} is built in and cannot be declared"),
            ));
        }
        if decl.ty != AttrType::Number && decl.unit.is_some() {
            out.push(Diagnostic::error(
                "bad-attribute",
                format!("attribute {name} has a unit but is not a number"),
            ));
        }
        if decl.ty == AttrType::String && decl.better.is_some() {
            out.push(Diagnostic::error(
                "bad-attribute",
                format!("attribute {name} is a string; only numbers and booleans can be better higher or lower"),
            ));
        }
    }
    if c.groups.is_empty() {
        out.push(Diagnostic::error("empty", "the catalog has no groups"));
    }
    let mut group_ids = HashSet::new();
    // Types of undeclared attributes, from the first option that has them.
    let mut inferred: BTreeMap<&str, (AttrType, String)> = BTreeMap::new();
    for g in &c.groups {
        if !valid_id(&g.id) {
            out.push(Diagnostic::error(
                "bad-id",
                format!(
                    "group id {:?} is empty or contains '.', '`' or white space",
                    g.id
                ),
            ));
        }
        if !group_ids.insert(g.id.as_str()) {
            out.push(Diagnostic::error(
                "duplicate",
                format!("group {} is declared twice", g.id),
            ));
        }
        if g.options.is_empty() {
            out.push(Diagnostic::error(
                "empty",
                format!("group {} has no options", g.id),
            ));
        }
        if g.min > g.max {
            out.push(Diagnostic::error(
                "bad-cardinality",
                format!(
                    "group {} has min {} greater than max {}",
                    g.id, g.min, g.max
                ),
            ));
        }
        if g.max == 0 {
            out.push(Diagnostic::error(
                "bad-cardinality",
                format!(
                    "group {} has max 0: none of its options could ever be chosen",
                    g.id
                ),
            ));
        }
        let mut option_ids = HashSet::new();
        for o in &g.options {
            let name = format!("{}.{}", g.id, o.id);
            if !valid_id(&o.id) {
                out.push(Diagnostic::error(
                    "bad-id",
                    format!(
                        "option id {:?} in group {} is empty or contains '.', '`' or white space",
                        o.id, g.id
                    ),
                ));
            }
            if !option_ids.insert(o.id.as_str()) {
                out.push(Diagnostic::error(
                    "duplicate",
                    format!("option {name} is declared twice"),
                ));
            }
            if let Some(v) = &o.vendor {
                if !vendor_ids.contains(v.as_str()) {
                    let hint = did_you_mean(&suggest(v, c.vendors.iter().map(|v| v.id.as_str())));
                    out.push(Diagnostic::error(
                        "unknown-vendor",
                        format!("option {name} names unknown vendor {v}{hint}"),
                    ));
                }
            }
            if o.price.raw() < 0 {
                out.push(Diagnostic::warning(
                    "negative-price",
                    format!("option {name} has a negative price {}", o.price),
                ));
            }
            for (attr, value) in &o.attributes {
                if attr == "price" || attr == "vendor" {
                    out.push(Diagnostic::error(
                        "reserved",
                        format!("option {name}: attribute {attr} is built in; use the option's {attr} field"),
                    ));
                    continue;
                }
                if let Some(decl) = c.attributes.get(attr) {
                    if decl.ty != value.ty() {
                        out.push(Diagnostic::error(
                            "type-mismatch",
                            format!(
                                "option {name}: attribute {attr} is declared as a {} but is {} here",
                                decl.ty.word(),
                                value
                            ),
                        ));
                    }
                } else {
                    match inferred.get(attr.as_str()) {
                        Some((ty, first)) if *ty != value.ty() => out.push(Diagnostic::error(
                            "type-mismatch",
                            format!(
                                "option {name}: attribute {attr} is a {} here but a {} on {first}; declare it under [attributes]",
                                value.ty().word(),
                                ty.word()
                            ),
                        )),
                        Some(_) => {}
                        None => {
                            inferred.insert(attr, (value.ty(), name.clone()));
                        }
                    }
                }
            }
        }
    }
    if c.feature_names {
        let mut seen = HashSet::new();
        for g in &c.groups {
            for o in &g.options {
                let label = o.label();
                if !seen.insert(label) {
                    out.push(Diagnostic::error(
                        "duplicate",
                        format!("option name {label:?} is used twice; with feature_names, option names must be unique"),
                    ));
                }
            }
        }
    }
    let mut rule_ids = HashSet::new();
    for r in &c.rules {
        if !valid_id(&r.id) {
            out.push(Diagnostic::error(
                "bad-id",
                format!(
                    "rule id {:?} is empty or contains '.', '`' or white space",
                    r.id
                ),
            ));
        }
        if !rule_ids.insert(r.id.as_str()) {
            out.push(Diagnostic::error(
                "duplicate",
                format!("rule {} is declared twice", r.id),
            ));
        }
        match (&r.rule, &r.table) {
            (None, None) => out.push(
                Diagnostic::error("empty", "the rule has neither `rule` nor `table`")
                    .in_rule(&r.id),
            ),
            (Some(_), Some(_)) => out.push(
                Diagnostic::error(
                    "ambiguous",
                    "the rule has both `rule` and `table`; give one per rule",
                )
                .in_rule(&r.id),
            ),
            _ => {}
        }
        if let Some(t) = &r.table {
            if t.allowed.is_some() == t.forbidden.is_some() {
                out.push(
                    Diagnostic::error(
                        "bad-table",
                        "a table needs exactly one of `allowed` or `forbidden`",
                    )
                    .in_rule(&r.id),
                );
            }
        }
    }
    validate_guidance(c, &mut out);
    out
}

/// Checks profiles, presets and group defaults: every name they use must exist.
fn validate_guidance(c: &Catalog, out: &mut Vec<Diagnostic>) {
    let names = c.option_names();
    let known = |n: &str| names.iter().any(|x| x == n);
    let unknown = |what: String, n: &str| {
        let hint = did_you_mean(&suggest(n, names.iter().map(|s| s.as_str())));
        Diagnostic::error(
            "unknown-option",
            format!("{what}: unknown option {n}{hint}"),
        )
    };
    for g in &c.groups {
        if let Some(d) = &g.default {
            if !g.options.iter().any(|o| &o.id == d) {
                out.push(unknown(
                    format!("group {} default", g.id),
                    &format!("{}.{d}", g.id),
                ));
            }
        }
    }
    let mut ids = HashSet::new();
    for p in &c.profiles {
        if !valid_id(&p.id) || !ids.insert(p.id.as_str()) {
            out.push(Diagnostic::error(
                "bad-id",
                format!("profile id {:?} is empty, malformed or used twice", p.id),
            ));
        }
        for (attr, w) in &p.weights {
            if !w.is_finite() || *w < 0.0 {
                out.push(Diagnostic::error(
                    "bad-weight",
                    format!("profile {}: weight of {attr} must be a number >= 0", p.id),
                ));
            }
            match c.attributes.get(attr) {
                Some(d) if d.better.is_some() => {}
                Some(_) => out.push(Diagnostic::error(
                    "no-direction",
                    format!(
                        "profile {}: attribute {attr} has no `better` direction (higher or lower), so it cannot be weighted",
                        p.id
                    ),
                )),
                None => {
                    let hint = did_you_mean(&suggest(attr, c.attributes.keys().map(|k| k.as_str())));
                    out.push(Diagnostic::error(
                        "unknown-attribute",
                        format!("profile {}: unknown attribute {attr}{hint}", p.id),
                    ))
                }
            }
        }
        for n in &p.prefer {
            if !known(n) {
                out.push(unknown(format!("profile {}", p.id), n));
            }
        }
    }
    let mut ids = HashSet::new();
    for p in &c.presets {
        if !valid_id(&p.id) || !ids.insert(p.id.as_str()) {
            out.push(Diagnostic::error(
                "bad-id",
                format!("preset id {:?} is empty, malformed or used twice", p.id),
            ));
        }
        if let Some(pr) = &p.profile {
            if !c.profiles.iter().any(|x| &x.id == pr) {
                out.push(Diagnostic::error(
                    "unknown-profile",
                    format!("preset {}: unknown profile {pr}", p.id),
                ));
            }
        }
        for n in &p.choices {
            if !known(n) {
                out.push(unknown(format!("preset {}", p.id), n));
            }
        }
    }
}

impl OptionDef {
    /// The option's display name: `name`, or the id when it has none.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

impl Catalog {
    /// The needs profile `id`, or a message naming the profiles there are.
    pub fn profile(&self, id: &str) -> Result<&Profile, String> {
        self.profiles.iter().find(|p| p.id == id).ok_or_else(|| {
            let ids: Vec<&str> = self.profiles.iter().map(|p| p.id.as_str()).collect();
            format!("no needs profile {id:?} (profiles: {})", list_or_none(&ids))
        })
    }

    /// The preset `id`, or a message naming the presets there are.
    pub fn preset(&self, id: &str) -> Result<&Preset, String> {
        self.presets.iter().find(|p| p.id == id).ok_or_else(|| {
            let ids: Vec<&str> = self.presets.iter().map(|p| p.id.as_str()).collect();
            format!("no preset {id:?} (presets: {})", list_or_none(&ids))
        })
    }

    /// Every option's full name, `group.option`, in catalog order.
    pub fn option_names(&self) -> Vec<String> {
        self.groups
            .iter()
            .flat_map(|g| g.options.iter().map(move |o| format!("{}.{}", g.id, o.id)))
            .collect()
    }
}

fn list_or_none(ids: &[&str]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
id = "t"
name = "Test"
currency = "EUR"
[[vendors]]
id = "acme"
[[groups]]
id = "cpu"
[[groups.options]]
id = "a"
vendor = "acme"
price = 10.5
attributes = { socket = "x", tdp_w = 65 }
[[groups.options]]
id = "b"
attributes = { socket = "y", tdp_w = 125 }
"#;

    #[test]
    fn parses_a_small_catalog() {
        let c = parse_catalog(SMALL, Format::Toml).unwrap();
        assert_eq!(c.groups[0].min, 1);
        assert_eq!(
            c.groups[0].options[0].price,
            Decimal::parse("10.5").unwrap()
        );
        assert_eq!(c.option_names(), vec!["cpu.a", "cpu.b"]);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(parse_catalog(&json, Format::Json).unwrap(), c);
    }

    #[test]
    fn reports_malformed_toml_with_position() {
        let err = parse_catalog("id = \"t\"\nname = [", Format::Toml).unwrap_err();
        assert_eq!(err[0].code, "malformed");
        assert_eq!(err[0].location.unwrap().line, 2);
    }

    #[test]
    fn reports_unknown_fields() {
        let src = SMALL.replace("price = 10.5", "prise = 10.5");
        let err = parse_catalog(&src, Format::Toml).unwrap_err();
        assert!(err[0].message.contains("prise"), "{}", err[0].message);
    }

    #[test]
    fn reports_structural_problems() {
        let src = SMALL
            .replace("vendor = \"acme\"", "vendor = \"acmee\"")
            .replace("id = \"b\"", "id = \"a\"")
            .replace("tdp_w = 125", "tdp_w = \"hot\"");
        let err = parse_catalog(&src, Format::Toml).unwrap_err();
        let codes: Vec<_> = err.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"unknown-vendor"), "{err:?}");
        assert!(codes.contains(&"duplicate"), "{err:?}");
        assert!(codes.contains(&"type-mismatch"), "{err:?}");
        let vendor = err.iter().find(|d| d.code == "unknown-vendor").unwrap();
        assert!(
            vendor.message.contains("did you mean acme?"),
            "{}",
            vendor.message
        );
    }
}
