//! The configurator core running in the page: the published catalog compiled in wasm and one
//! solver session, so every click is answered without a round trip. The server re-checks every
//! choice (it holds the configuration) and computes prices, products and repairs.

use configurator_core::catalog::{Catalog, GroupKind, Value as AttrValue};
use configurator_core::{compile_catalog, Choice, Compiled, Effort, OptionState, Scope, Session};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Solver effort per click in the browser (conflicts); far above what the example catalogs
/// need, low enough that a pathological catalog cannot freeze the page for long.
const EFFORT: u64 = 2_000_000;

/// One option as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionView {
    /// `group.option`
    pub name: String,
    pub label: String,
    pub price: f64,
    pub description: Option<String>,
    pub vendor: Option<String>,
    /// `#RRGGBB` when the option has a `hex` attribute (colours).
    pub hex: Option<String>,
}

/// One group as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupView {
    pub id: String,
    pub label: String,
    pub description: Option<String>,
    pub visible: bool,
    pub min: u32,
    pub max: u32,
    pub options: Vec<OptionView>,
}

/// The local state of every option after a click.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalState {
    pub satisfiable: bool,
    /// `group.option` → `selected`, `rejected`, `forced`, `excluded` or `free`.
    pub states: BTreeMap<String, &'static str>,
    /// Why each excluded option is excluded (visible groups only).
    pub reasons: BTreeMap<String, String>,
    /// Milliseconds spent in the solver for this click.
    pub millis: f64,
}

pub struct Engine {
    pub compiled: Arc<Compiled>,
    session: Session,
    pub currency: String,
    pub name: String,
    pub groups: Vec<GroupView>,
    /// The catalog's needs profiles: (id, name).
    pub profiles: Vec<(String, String)>,
}

fn word(s: OptionState) -> &'static str {
    match s {
        OptionState::Selected => "selected",
        OptionState::Rejected => "rejected",
        OptionState::Forced => "forced",
        OptionState::Excluded => "excluded",
        OptionState::Free => "free",
        OptionState::Unsettled => "unsettled",
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

impl Engine {
    /// Compiles a published catalog model (the JSON of `GET /api/catalogs/{id}/versions/{v}`).
    pub fn new(model: serde_json::Value) -> Result<Engine, String> {
        let catalog: Catalog = serde_json::from_value(model)
            .map_err(|e| format!("the catalog could not be read: {e}"))?;
        let currency = catalog.currency.clone();
        let profiles = catalog
            .profiles
            .iter()
            .map(|p| {
                let name = if p.name.is_empty() { &p.id } else { &p.name };
                (p.id.clone(), name.clone())
            })
            .collect();
        let name = catalog.name.clone();
        let groups = catalog
            .groups
            .iter()
            .map(|g| GroupView {
                id: g.id.clone(),
                label: if g.name.is_empty() {
                    g.id.clone()
                } else {
                    g.name.clone()
                },
                description: g.description.clone(),
                visible: g.kind == GroupKind::Visible,
                min: g.min,
                max: g.max,
                options: g
                    .options
                    .iter()
                    .map(|o| OptionView {
                        name: format!("{}.{}", g.id, o.id),
                        label: if o.name.is_empty() {
                            o.id.clone()
                        } else {
                            o.name.clone()
                        },
                        price: o.price.to_f64(),
                        description: o.description.clone(),
                        vendor: o.vendor.clone(),
                        hex: match o.attributes.get("hex") {
                            Some(AttrValue::Str(h)) => Some(h.clone()),
                            _ => None,
                        },
                    })
                    .collect(),
            })
            .collect();
        let compiled = compile_catalog(catalog, None).map_err(|d| {
            format!(
                "the catalog does not compile in the browser: {}",
                d.first().map(|d| d.to_string()).unwrap_or_default()
            )
        })?;
        let compiled = Arc::new(compiled);
        // The customer decides visible options only; infrastructure is the solver's.
        let mut session = Session::new(compiled.clone());
        session.set_scope(Scope::Visible);
        Ok(Engine {
            session,
            compiled,
            currency,
            name,
            groups,
            profiles,
        })
    }

    /// Whether the catalog has colours to draw (a `hex` attribute on some option).
    pub fn has_preview(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g.options.iter().any(|o| o.hex.is_some()))
    }

    fn core_choices(&self, choices: &[(String, bool)]) -> Vec<Choice> {
        choices
            .iter()
            .filter_map(|(name, selected)| {
                self.compiled.option(name).ok().map(|option| Choice {
                    option,
                    selected: *selected,
                })
            })
            .collect()
    }

    /// Applies a choice to the ordered list exactly as the server does: a choice replaces any
    /// earlier choice of the same option; selecting in a group of at most one option replaces
    /// the earlier selection there.
    pub fn apply(&self, choices: &mut Vec<(String, bool)>, option: &str, action: &str) {
        choices.retain(|(c, _)| c != option);
        match action {
            "deselect" => choices.push((option.to_string(), false)),
            "select" => {
                if let Ok(o) = self.compiled.option(option) {
                    let idx = &self.compiled.index;
                    let g = idx.group_of[o];
                    if idx.groups[g].max == 1 {
                        choices.retain(|(c, selected)| {
                            !*selected || idx.option(c).is_none_or(|x| idx.group_of[x] != g)
                        });
                    }
                }
                choices.push((option.to_string(), true));
            }
            _ => {}
        }
    }

    /// Domains of every option under the choices, with the reasons of excluded visible options.
    ///
    /// In a question of at most one option that the customer answered, the other options are
    /// alternatives, not exclusions: choosing one replaces the answer (as `apply` does). Their
    /// state is therefore the state under the choices without that answer, so "not available"
    /// only ever means "conflicts with another question's answer".
    pub fn state(&mut self, choices: &[(String, bool)]) -> Result<LocalState, String> {
        let start = now();
        let core = self.core_choices(choices);
        let mut effort = Effort::new(EFFORT);
        let domains = self
            .session
            .domains(&core, &mut effort)
            .map_err(|e| format!("{e:?}"))?;
        let mut states: Vec<OptionState> = domains.states.clone();
        // Per option: the choices its reason is explained under.
        let mut context: Vec<Option<usize>> = vec![None; states.len()];
        let mut alternatives: Vec<Vec<Choice>> = Vec::new();
        if domains.satisfiable {
            let idx = &self.compiled.index;
            for (g, group) in idx.groups.iter().enumerate() {
                if group.kind != GroupKind::Visible || group.max != 1 {
                    continue;
                }
                let answered = core
                    .iter()
                    .any(|c| c.selected && idx.group_of[c.option] == g);
                if !answered {
                    continue;
                }
                let without: Vec<Choice> = core
                    .iter()
                    .filter(|c| !(c.selected && idx.group_of[c.option] == g))
                    .copied()
                    .collect();
                let mut effort = Effort::new(EFFORT);
                let alt = self
                    .session
                    .domains(&without, &mut effort)
                    .map_err(|e| format!("{e:?}"))?;
                alternatives.push(without);
                for o in group.options() {
                    if states[o] == OptionState::Excluded {
                        states[o] = alt.states[o];
                        context[o] = Some(alternatives.len() - 1);
                    }
                }
            }
        }
        let mut reasons = BTreeMap::new();
        if domains.satisfiable {
            for g in &self.compiled.index.groups {
                if g.kind != GroupKind::Visible {
                    continue;
                }
                for o in g.options() {
                    if states[o] != OptionState::Excluded {
                        continue;
                    }
                    let under = context[o].map_or(&core[..], |i| &alternatives[i][..]);
                    let mut effort = Effort::new(EFFORT);
                    if let Ok(x) = self.session.explain(under, o, &mut effort) {
                        reasons.insert(self.compiled.name(o).to_string(), x.message);
                    }
                }
            }
        }
        let states = states
            .iter()
            .enumerate()
            .map(|(o, s)| (self.compiled.name(o).to_string(), word(*s)))
            .collect();
        Ok(LocalState {
            satisfiable: domains.satisfiable,
            states,
            reasons,
            millis: now() - start,
        })
    }
}
