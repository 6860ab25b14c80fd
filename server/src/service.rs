//! Catalog and configuration logic between the HTTP handlers and the core: authorization,
//! versions, choices, states, quotes, insights. Synchronous: handlers run it off the async
//! runtime's core threads (see `http::run`), because solver calls and flushes block.
//!
//! The only state kept here besides the [`Store`] is a cache of compiled catalogs (and idle
//! solver sessions) keyed by (catalog id, version): derived from immutable published versions,
//! so any number of servers can share one store.

use crate::http::error::ApiError;
use crate::ids;
use crate::store::{
    Cas, CatalogRecord, ConfigurationRecord, QuoteRecord, Store, StoredChoice, VersionRecord,
};
use axum::http::StatusCode;
use configurator_core::catalog::{Format, GroupKind};
use configurator_core::complete::parse_objective;
use configurator_core::guide::{Guide, GuideStep, History, Popularity, Question, DEFAULT_K};
use configurator_core::import::ModelFormat;
use configurator_core::presets::{learn_presets, LearnConfig, LearnedPreset};
use configurator_core::{
    Catalog, Choice, Compiled, CompleteError, CompleteRequest, CompletionReport, Decimal,
    Diagnostic, Effort, OptionState, RepairReport, Scope, Session,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Per-request solver limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Effort budget (conflicts) shared by all solver calls of one request.
    pub max_conflicts: u64,
    /// Wall-clock limit of one request's solver work.
    pub solve_timeout: Duration,
}

/// Idle sessions kept per compiled catalog version.
const POOL: usize = 8;
/// How often a compare-and-swap write is retried against concurrent writers.
const RETRIES: usize = 200;
/// Number of striped configuration locks.
const STRIPES: usize = 64;
/// Longest option name looked up (`group.option`).
const MAX_OPTION_NAME: usize = 512;
/// Solver calls after which a pooled session is dropped (its incremental solvers keep every
/// clause they learned, and its model pool the models of earlier customers).
const SESSION_USES: u32 = 500;
/// Longest configuration name.
const MAX_NAME: usize = 200;
/// How long the popularity of a catalog's shared configurations is reused before it is
/// counted again (a share in this process recounts at once).
const POPULARITY_TTL: Duration = Duration::from_secs(30);
/// A shared configuration counts half as much after this many days.
const POPULARITY_HALF_LIFE_DAYS: f64 = 90.0;

struct Entry {
    compiled: Arc<Compiled>,
    /// Idle sessions with how often each was used.
    sessions: Mutex<Vec<(Session, u32)>>,
    /// The default product's MILP ran out of time on this catalog once: the guide goes
    /// straight to its greedy completion (see `Guide::milp_too_slow`).
    milp_too_slow: AtomicBool,
    /// The catalog's shared configurations mapped to this version's options, with the count
    /// they were mapped from (remapped only when that count is renewed).
    history: FromShared<History>,
    /// Presets learned from the same count of shared configurations.
    presets: FromShared<Vec<LearnedPreset>>,
}

/// Something derived from one count of shared configurations, with that count.
type FromShared<T> = Mutex<Option<(Arc<SharedPopularity>, Arc<T>)>>;

impl Entry {
    /// The shared configurations as option indices of this version.
    fn history(&self, shared: &Arc<SharedPopularity>) -> Arc<History> {
        let mut cached = self.history.lock().expect("history lock");
        if let Some((from, history)) = cached.as_ref() {
            if Arc::ptr_eq(from, shared) {
                return history.clone();
            }
        }
        let mut history = History::default();
        for (names, p, weight) in &shared.configurations {
            let options = names
                .iter()
                .filter_map(|n| self.compiled.index.option(n))
                .collect();
            history.add(options, p.clone(), *weight);
        }
        let history = Arc::new(history);
        *cached = Some((shared.clone(), history.clone()));
        history
    }
}

/// A catalog's shared configurations: selected options by name (so they carry over between
/// versions), needs profile and decayed weight. Derived from the store, so dropping it loses
/// nothing; the guide reads it conditionally on each customer's profile and choices
/// (`guide::History`).
struct SharedPopularity {
    counted_at: Instant,
    configurations: Vec<(Vec<String>, Option<String>, f64)>,
}

pub struct Service {
    pub store: Arc<dyn Store>,
    pub limits: Limits,
    cache: Mutex<HashMap<(String, u32), Arc<Entry>>>,
    /// Popularity per catalog id, recounted after [`POPULARITY_TTL`].
    popularity: Mutex<HashMap<String, Arc<SharedPopularity>>>,
    /// Striped locks that make one process apply the choices of one configuration one after
    /// the other, so that parallel clients do not redo each other's solver work. Correctness
    /// does not depend on them (compare-and-swap does), so several servers may share a store.
    stripes: Vec<Mutex<()>>,
}

/// Shared between a request's async side and its blocking work: whoever moves it first from
/// `RUNNING` wins. The work claims `COMMITTING` before it writes; the async side claims
/// `CANCELLED` when the time limit passes. So a request that answers "timed out" never wrote.
#[derive(Default)]
pub struct Ticket(AtomicU8);

const RUNNING: u8 = 0;
const COMMITTING: u8 = 1;
const CANCELLED: u8 = 2;

impl Ticket {
    /// Called by the work before a write; `Err` when the request already timed out.
    pub fn commit(&self, limits: &Limits) -> Result<(), ApiError> {
        match self
            .0
            .compare_exchange(RUNNING, COMMITTING, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) | Err(COMMITTING) => Ok(()),
            Err(_) => Err(ApiError::timeout(limits.solve_timeout)),
        }
    }

    /// After a lost compare-and-swap: the work solves again, so it may be cancelled again.
    pub fn release(&self) {
        let _ = self
            .0
            .compare_exchange(COMMITTING, RUNNING, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Whether the request already answered "timed out" (the work may stop early).
    pub fn cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) == CANCELLED
    }

    /// Called by the async side at the time limit; `true` when the work will not write.
    pub fn cancel(&self) -> bool {
        matches!(
            self.0
                .compare_exchange(RUNNING, CANCELLED, Ordering::SeqCst, Ordering::SeqCst),
            Ok(_) | Err(CANCELLED)
        )
    }
}

/// The catalog body formats accepted, from the request's content type.
#[derive(Clone, Copy, Debug)]
pub enum BodyFormat {
    Json,
    Toml,
    Uvl,
}

/// What a customer does to one option.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Select,
    Deselect,
    Clear,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceRequest {
    pub option: String,
    pub action: Action,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConfiguration {
    pub catalog: String,
    #[serde(default)]
    pub version: Option<u32>,
    /// A needs profile of the catalog (ranking, default product, budget).
    #[serde(default)]
    pub profile: Option<String>,
    /// A preset of the catalog: its choices are applied, and its profile unless one is given.
    #[serde(default)]
    pub preset: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    pub option: String,
}

/// The body of `complete`; every field is optional (an empty body means the cheapest
/// complete product).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    /// `price` (default), `lead_time` or `preference`.
    #[serde(default)]
    pub objective: Option<String>,
    #[serde(default)]
    pub budget: Option<Decimal>,
    /// false: complete only the infrastructure, leaving open visible groups open.
    #[serde(default)]
    pub complete_visible: Option<bool>,
}

fn complete_error(e: CompleteError) -> ApiError {
    match e {
        CompleteError::Limit(m) => ApiError::unprocessable("solver-limit", m),
        CompleteError::Unsupported(m) => ApiError::unprocessable("unsupported", m),
        CompleteError::Solver(m) => ApiError::internal(m),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub shared: Option<bool>,
    /// A needs profile id of the catalog version; the empty string removes the profile.
    #[serde(default)]
    pub profile: Option<String>,
}

fn diagnostics_error(status: StatusCode, code: &'static str, diags: &[Diagnostic]) -> ApiError {
    let first = diags
        .iter()
        .find(|d| d.severity == configurator_core::Severity::Error)
        .or(diags.first());
    let mut detail = first.map_or_else(
        || "the catalog is not usable".to_string(),
        |d| d.render(Some("body")),
    );
    if diags.len() > 1 {
        detail.push_str(&format!(" (and {} more problems)", diags.len() - 1));
    }
    ApiError::new(status, code, detail).with("diagnostics", json!(diags))
}

fn unknown_catalog(id: &str) -> ApiError {
    ApiError::not_found("unknown-catalog", format!("there is no catalog {id:?}"))
}

fn unknown_configuration(id: &str) -> ApiError {
    ApiError::not_found(
        "unknown-configuration",
        format!("there is no configuration {id:?}"),
    )
}

impl Service {
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        Service {
            store,
            limits,
            cache: Mutex::new(HashMap::new()),
            popularity: Mutex::new(HashMap::new()),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    fn effort(&self) -> Effort {
        Effort::new(self.limits.max_conflicts)
    }

    // -------------------------------------------------------------------------------------
    // Manufacturers

    /// The manufacturer of a bearer token; 401 when missing or unknown.
    pub fn manufacturer(&self, token: Option<&str>) -> Result<String, ApiError> {
        let token = token.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing-token",
                "this request needs a manufacturer's token: Authorization: Bearer <token> \
                 (create one with `configurator token create --manufacturer NAME`)",
            )
        })?;
        self.store
            .token_owner(&ids::token_hash(token))?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid-token",
                    "the token is not valid",
                )
            })
    }

    /// Like [`manufacturer`](Self::manufacturer) but a missing token is no error.
    fn optional_manufacturer(&self, token: Option<&str>) -> Result<Option<String>, ApiError> {
        match token {
            None => Ok(None),
            Some(_) => self.manufacturer(token).map(Some),
        }
    }

    /// Creates a token for a manufacturer (the CLI's `token create`); returns the token.
    pub fn create_token(&self, manufacturer: &str) -> Result<String, ApiError> {
        let token = ids::new_token();
        self.store
            .add_token(&ids::token_hash(&token), manufacturer)?;
        Ok(token)
    }

    fn owned_catalog(&self, token: Option<&str>, id: &str) -> Result<CatalogRecord, ApiError> {
        let who = self.manufacturer(token)?;
        let record = self.store.catalog(id)?.ok_or_else(|| unknown_catalog(id))?;
        if record.manufacturer != who {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("catalog {id:?} belongs to another manufacturer"),
            ));
        }
        Ok(record)
    }

    // -------------------------------------------------------------------------------------
    // Catalogs

    /// Parses and compiles a catalog body; 422 with diagnostics (line/column) when it is not
    /// valid. A UVL feature model is imported (core `import`); `name` becomes its catalog id
    /// when the model does not name itself (on PUT, the path's id always wins).
    pub fn parse_catalog(
        &self,
        body: &str,
        format: BodyFormat,
        name: &str,
    ) -> Result<Catalog, ApiError> {
        let invalid = |d: Vec<Diagnostic>| {
            diagnostics_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid-catalog", &d)
        };
        let compiled = match format {
            BodyFormat::Json => configurator_core::load(body, Format::Json).map_err(invalid)?,
            BodyFormat::Toml => configurator_core::load(body, Format::Toml).map_err(invalid)?,
            BodyFormat::Uvl => {
                configurator_core::import::import(body, ModelFormat::Uvl, name, &mut |_, _, _| {})
                    .map_err(invalid)?
            }
        };
        Ok(compiled.catalog)
    }

    pub fn create_catalog(
        &self,
        token: Option<&str>,
        catalog: Catalog,
        ticket: &Ticket,
    ) -> Result<Value, ApiError> {
        let who = self.manufacturer(token)?;
        let now = ids::now();
        let record = CatalogRecord {
            id: catalog.id.clone(),
            manufacturer: who,
            draft: catalog,
            latest: 0,
            created_at: now,
            updated_at: now,
            revision: 0,
        };
        ticket.commit(&self.limits)?;
        if !self.store.create_catalog(&record)? {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "catalog-exists",
                format!(
                    "a catalog with id {:?} exists already; edit it with PUT /api/catalogs/{}",
                    record.id, record.id
                ),
            ));
        }
        Ok(self.catalog_json(&record, true))
    }

    pub fn update_catalog(
        &self,
        token: Option<&str>,
        id: &str,
        catalog: Catalog,
        ticket: &Ticket,
    ) -> Result<Value, ApiError> {
        if catalog.id != id {
            return Err(ApiError::bad_request(
                "id-mismatch",
                format!(
                    "the body is catalog {:?} but the path names {id:?}",
                    catalog.id
                ),
            ));
        }
        for _ in 0..RETRIES {
            let mut record = self.owned_catalog(token, id)?;
            let expected = record.revision;
            record.draft = catalog.clone();
            record.revision += 1;
            record.updated_at = ids::now();
            ticket.commit(&self.limits)?;
            match self.store.update_catalog(&record, expected)? {
                Cas::Done => return Ok(self.catalog_json(&record, true)),
                Cas::Missing => return Err(unknown_catalog(id)),
                Cas::Conflict => ticket.release(),
            }
        }
        Err(busy())
    }

    /// Lints the draft and, when usable, stores it as the next numbered version.
    pub fn publish(
        &self,
        token: Option<&str>,
        id: &str,
        ticket: &Ticket,
    ) -> Result<Value, ApiError> {
        for _ in 0..RETRIES {
            let mut record = self.owned_catalog(token, id)?;
            let expected = record.revision;
            let compiled =
                configurator_core::compile_catalog(record.draft.clone(), None).map_err(|d| {
                    diagnostics_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid-catalog", &d)
                })?;
            let report = compiled.lint(&mut self.effort()).map_err(ApiError::limit)?;
            if !report.usable() {
                return Err(diagnostics_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unusable-catalog",
                    &report.diagnostics,
                )
                .with("lint", json!(report)));
            }
            ticket.commit(&self.limits)?;
            let version = VersionRecord {
                catalog: id.to_string(),
                version: record.latest + 1,
                published_at: ids::now(),
                model: record.draft.clone(),
            };
            record.latest = version.version;
            record.revision += 1;
            record.updated_at = version.published_at;
            match self.store.publish(&record, expected, &version)? {
                Cas::Done => {
                    // Linted, so it carries the backbone without choices: cache it for the
                    // customers to come.
                    self.cache_entry((id.to_string(), version.version), compiled);
                    return Ok(json!({
                        "catalog": id,
                        "version": version.version,
                        "published_at": version.published_at,
                        "lint": report,
                    }));
                }
                Cas::Missing => return Err(unknown_catalog(id)),
                Cas::Conflict => ticket.release(),
            }
        }
        Err(busy())
    }

    fn catalog_json(&self, r: &CatalogRecord, with_draft: bool) -> Value {
        let mut v = json!({
            "id": r.id,
            "name": r.draft.name,
            "manufacturer": r.manufacturer,
            "latest": if r.latest == 0 { Value::Null } else { json!(r.latest) },
            "versions": (1..=r.latest).collect::<Vec<_>>(),
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        });
        if with_draft {
            v["draft"] = json!(r.draft);
        }
        v
    }

    pub fn list_catalogs(&self, token: Option<&str>) -> Result<Value, ApiError> {
        let who = self.optional_manufacturer(token)?;
        let mut out = Vec::new();
        for r in self.store.catalogs()? {
            let mine = who.as_deref() == Some(r.manufacturer.as_str());
            if r.latest == 0 && !mine {
                continue;
            }
            let mut v = self.catalog_json(&r, false);
            // Whether the caller (with a token) owns it: the manufacturer screens list these.
            v["mine"] = json!(mine);
            if r.latest > 0 {
                // The public name and description are those of the latest published version.
                if let Some(p) = self.store.version(&r.id, r.latest)? {
                    v["name"] = json!(p.model.name);
                    v["description"] = json!(p.model.description);
                }
            }
            out.push(v);
        }
        Ok(json!({ "catalogs": out }))
    }

    pub fn get_catalog(&self, token: Option<&str>, id: &str) -> Result<Value, ApiError> {
        let who = self.optional_manufacturer(token)?;
        let r = self.store.catalog(id)?.ok_or_else(|| unknown_catalog(id))?;
        let mine = who.as_deref() == Some(r.manufacturer.as_str());
        if r.latest == 0 && !mine {
            return Err(unknown_catalog(id));
        }
        let mut v = self.catalog_json(&r, mine);
        v["published"] = match self.store.version(id, r.latest)? {
            Some(p) => {
                v["name"] = json!(p.model.name);
                json!(p.model)
            }
            None => Value::Null,
        };
        Ok(v)
    }

    fn version_record(&self, id: &str, version: u32) -> Result<VersionRecord, ApiError> {
        if self.store.catalog(id)?.is_none() {
            return Err(unknown_catalog(id));
        }
        self.store.version(id, version)?.ok_or_else(|| {
            ApiError::not_found(
                "unknown-version",
                format!("catalog {id:?} has no published version {version}"),
            )
        })
    }

    pub fn get_version(&self, id: &str, version: u32) -> Result<Value, ApiError> {
        let v = self.version_record(id, version)?;
        Ok(json!({
            "catalog": v.catalog,
            "version": v.version,
            "published_at": v.published_at,
            "model": v.model,
        }))
    }

    /// The compiled form of a published version, from the cache or compiled now.
    fn entry(&self, id: &str, version: u32) -> Result<Arc<Entry>, ApiError> {
        let key = (id.to_string(), version);
        if let Some(e) = self.cache.lock().expect("cache lock").get(&key) {
            return Ok(e.clone());
        }
        let v = self.version_record(id, version)?;
        let compiled = configurator_core::compile_catalog(v.model, None).map_err(|d| {
            // Published versions compiled when they were published; this means the core changed.
            ApiError::internal(format!(
                "published version {version} of {id} no longer compiles: {}",
                d.first().map(|d| d.to_string()).unwrap_or_default()
            ))
        })?;
        // The backbone without choices, kept with the compiled catalog: every session starts
        // from it (a first customer gets the warm figures of BENCHMARKS.md). At the effort
        // limit, sessions simply start cold.
        let _ = compiled.lint(&mut self.effort());
        Ok(self.cache_entry(key, compiled))
    }

    /// Caches a compiled published version (the first one cached wins).
    fn cache_entry(&self, key: (String, u32), compiled: configurator_core::Compiled) -> Arc<Entry> {
        let entry = Arc::new(Entry {
            compiled: Arc::new(compiled),
            sessions: Mutex::new(Vec::new()),
            milp_too_slow: AtomicBool::new(false),
            history: Mutex::new(None),
            presets: Mutex::new(None),
        });
        self.cache
            .lock()
            .expect("cache lock")
            .entry(key)
            .or_insert_with(|| entry.clone())
            .clone()
    }

    /// Runs `f` with a solver session of the entry (reused from a small pool).
    fn with_session<T>(&self, entry: &Entry, f: impl FnOnce(&mut Session) -> T) -> T {
        let pooled = entry.sessions.lock().expect("pool lock").pop();
        let (mut session, uses) = pooled.unwrap_or_else(|| {
            // Customers decide visible options only; infrastructure is the solver's.
            let mut s = Session::new(entry.compiled.clone());
            s.set_scope(Scope::Visible);
            (s, 0)
        });
        let out = f(&mut session);
        let mut pool = entry.sessions.lock().expect("pool lock");
        if pool.len() < POOL && uses < SESSION_USES {
            pool.push((session, uses + 1));
        }
        out
    }

    // -------------------------------------------------------------------------------------
    // Configurations

    pub fn create_configuration(
        &self,
        req: NewConfiguration,
        ticket: &Ticket,
    ) -> Result<Value, ApiError> {
        let catalog = self
            .store
            .catalog(&req.catalog)?
            .ok_or_else(|| unknown_catalog(&req.catalog))?;
        if catalog.latest == 0 {
            return Err(unknown_catalog(&req.catalog));
        }
        let version = req.version.unwrap_or(catalog.latest);
        let entry = self.entry(&req.catalog, version)?;
        let compiled = &entry.compiled;
        let mut choices = Vec::new();
        let mut profile = req.profile;
        let learned;
        if let Some(id) = &req.preset {
            // The manufacturer's presets first: learning presets is only needed for the others.
            let preset = match compiled.catalog.preset(id) {
                Ok(p) => p,
                Err(e) => {
                    learned = self.learned_presets(&entry, &req.catalog)?;
                    match learned.iter().find(|p| p.preset.id == *id) {
                        Some(p) => &p.preset,
                        None => {
                            let ids: Vec<&str> =
                                learned.iter().map(|p| p.preset.id.as_str()).collect();
                            return Err(ApiError::unprocessable(
                                "unknown-preset",
                                format!(
                                    "catalog {} version {version} has {e}; learned presets: {}",
                                    req.catalog,
                                    if ids.is_empty() {
                                        "none".to_string()
                                    } else {
                                        ids.join(", ")
                                    }
                                ),
                            ));
                        }
                    }
                }
            };
            for name in &preset.choices {
                let option = compiled.option(name).map_err(|e| {
                    ApiError::internal(format!("preset {id:?} names an unknown option: {e}"))
                })?;
                apply(compiled, &mut choices, option, Action::Select);
            }
            if profile.is_none() {
                profile = preset.profile.clone();
            }
        }
        if let Some(p) = &profile {
            check_profile(compiled, &req.catalog, version, p)?;
        }
        let now = ids::now();
        let mut record = ConfigurationRecord {
            id: ids::random_id(),
            catalog: req.catalog,
            version,
            choices,
            name: None,
            shared: false,
            created_at: now,
            updated_at: now,
            revision: 0,
            last_question: None,
            rule_hits: BTreeMap::new(),
            quotes: Vec::new(),
            profile,
            default_options: Vec::new(),
        };
        let state = self.state(&entry, &record, true)?;
        record.last_question = state.question.as_ref().map(|q| q.group.clone());
        if let Some(Ok(p)) = &state.product {
            record.default_options = p.lines.iter().map(|l| l.option.clone()).collect();
        }
        ticket.commit(&self.limits)?;
        self.store.create_configuration(&record)?;
        Ok(state.to_json(&record))
    }

    /// The presets customers see for a published catalog: the manufacturer's, then those
    /// learned from shared configurations (`configurator_core::presets`), biggest first.
    pub fn presets(&self, id: &str) -> Result<Value, ApiError> {
        let catalog = self.store.catalog(id)?.ok_or_else(|| unknown_catalog(id))?;
        if catalog.latest == 0 {
            return Err(unknown_catalog(id));
        }
        let entry = self.entry(id, catalog.latest)?;
        let mut out: Vec<Value> = entry
            .compiled
            .catalog
            .presets
            .iter()
            .map(|p| {
                let mut v = json!(p);
                v["learned"] = json!(false);
                v
            })
            .collect();
        for p in self.learned_presets(&entry, id)?.iter() {
            let mut v = json!(p);
            v["learned"] = json!(true);
            out.push(v);
        }
        Ok(json!({ "catalog": id, "version": catalog.latest, "presets": out }))
    }

    /// Presets learned from the catalog's shared configurations, recomputed when they are
    /// counted again.
    fn learned_presets(
        &self,
        entry: &Entry,
        catalog: &str,
    ) -> Result<Arc<Vec<LearnedPreset>>, ApiError> {
        let shared = self.shared_popularity(catalog)?;
        if let Some((from, presets)) = entry.presets.lock().expect("presets lock").as_ref() {
            if Arc::ptr_eq(from, &shared) {
                return Ok(presets.clone());
            }
        }
        let history = entry.history(&shared);
        let mut effort = self.effort();
        let presets = self
            .with_session(entry, |s| {
                learn_presets(s, &history, &LearnConfig::default(), &mut effort)
            })
            .map_err(ApiError::limit)?;
        let presets = Arc::new(presets);
        *entry.presets.lock().expect("presets lock") = Some((shared, presets.clone()));
        Ok(presets)
    }

    fn configuration(&self, id: &str) -> Result<ConfigurationRecord, ApiError> {
        if !ids::is_id(id) {
            return Err(unknown_configuration(id));
        }
        self.store
            .configuration(id)?
            .ok_or_else(|| unknown_configuration(id))
    }

    pub fn get_configuration(&self, id: &str) -> Result<Value, ApiError> {
        let record = self.configuration(id)?;
        let entry = self.entry(&record.catalog, record.version)?;
        let state = self.state(&entry, &record, true)?;
        Ok(state.to_json(&record))
    }

    pub fn patch_configuration(
        &self,
        id: &str,
        patch: ConfigurationPatch,
        ticket: &Ticket,
    ) -> Result<Value, ApiError> {
        if let Some(name) = &patch.name {
            if name.chars().count() > MAX_NAME || name.chars().any(|c| c.is_control()) {
                return Err(ApiError::unprocessable(
                    "bad-name",
                    format!("a name has at most {MAX_NAME} characters and no control characters"),
                ));
            }
        }
        for _ in 0..RETRIES {
            let mut record = self.configuration(id)?;
            let expected = record.revision;
            if let Some(name) = &patch.name {
                record.name = Some(name.clone());
            }
            if let Some(profile) = &patch.profile {
                record.profile = if profile.is_empty() {
                    None
                } else {
                    let entry = self.entry(&record.catalog, record.version)?;
                    check_profile(&entry.compiled, &record.catalog, record.version, profile)?;
                    Some(profile.clone())
                };
            }
            let share_changed = patch.shared.is_some_and(|s| s != record.shared);
            if let Some(shared) = patch.shared {
                record.shared = shared;
            }
            record.revision += 1;
            record.updated_at = ids::now();
            ticket.commit(&self.limits)?;
            match self.store.update_configuration(&record, expected)? {
                Cas::Done => {
                    if share_changed {
                        // Popularity counts shared configurations: recount on next use.
                        self.popularity
                            .lock()
                            .expect("popularity lock")
                            .remove(&record.catalog);
                    }
                    return Ok(json!({
                        "id": record.id,
                        "name": record.name,
                        "shared": record.shared,
                        "profile": record.profile,
                        "revision": record.revision,
                    }));
                }
                Cas::Missing => return Err(unknown_configuration(id)),
                Cas::Conflict => ticket.release(),
            }
        }
        Err(busy())
    }

    /// Applies one choice (exactly once, whatever runs concurrently) and returns the new state.
    pub fn choose(&self, id: &str, req: ChoiceRequest, ticket: &Ticket) -> Result<Value, ApiError> {
        let _serial = self.stripe(id);
        if ticket.cancelled() {
            return Err(ApiError::timeout(self.limits.solve_timeout));
        }
        for _ in 0..RETRIES {
            let mut record = self.configuration(id)?;
            let expected = record.revision;
            let entry = self.entry(&record.catalog, record.version)?;
            let compiled = &entry.compiled;
            let option = self.option_of(compiled, &record, &req.option)?;
            apply(compiled, &mut record.choices, option, req.action);
            record.revision += 1;
            record.updated_at = ids::now();
            let state = self.state(&entry, &record, true)?;
            for rule in &state.rules_hit {
                *record.rule_hits.entry(rule.clone()).or_default() += 1;
            }
            record.last_question = state.question.as_ref().map(|q| q.group.clone());
            if let Some(Ok(p)) = &state.product {
                record.default_options = p.lines.iter().map(|l| l.option.clone()).collect();
            }
            if let Some(Ok(p)) = &state.product {
                record.default_options = p.lines.iter().map(|l| l.option.clone()).collect();
            }
            ticket.commit(&self.limits)?;
            match self.store.update_configuration(&record, expected)? {
                Cas::Done => return Ok(state.to_json(&record)),
                Cas::Missing => return Err(unknown_configuration(id)),
                Cas::Conflict => ticket.release(),
            }
        }
        Err(busy())
    }

    /// The lock of the stripe of a configuration id.
    fn stripe(&self, id: &str) -> std::sync::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        let m = &self.stripes[(h.finish() % STRIPES as u64) as usize];
        m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The stored choices as core choices (oldest first).
    fn core_choices(
        compiled: &Compiled,
        record: &ConfigurationRecord,
    ) -> Result<Vec<Choice>, ApiError> {
        record
            .choices
            .iter()
            .map(|c| {
                compiled
                    .option(&c.option)
                    .map(|option| Choice {
                        option,
                        selected: c.selected,
                    })
                    .map_err(|e| ApiError::internal(format!("stored choice: {e}")))
            })
            .collect()
    }

    /// Wall-clock bound of each MILP pass: within the request's time limit.
    fn milp_secs(&self) -> f64 {
        (self.limits.solve_timeout.as_secs_f64() / 2.0).clamp(0.05, 5.0)
    }

    /// The decayed popularity of the catalog's shared configurations (cached for
    /// [`POPULARITY_TTL`]).
    fn shared_popularity(&self, catalog: &str) -> Result<Arc<SharedPopularity>, ApiError> {
        if let Some(p) = self
            .popularity
            .lock()
            .expect("popularity lock")
            .get(catalog)
        {
            if p.counted_at.elapsed() < POPULARITY_TTL {
                return Ok(p.clone());
            }
        }
        let now = ids::now();
        let mut configurations = Vec::new();
        for c in self.store.configurations_of(catalog)? {
            if !c.shared {
                continue;
            }
            let age_days = now.saturating_sub(c.updated_at) as f64 / 86_400.0;
            let weight = Popularity::decay(age_days, POPULARITY_HALF_LIFE_DAYS);
            // What the customer ended with: the options chosen plus the default product they
            // kept for the rest (its options are stored with every answer). Counting only the
            // clicks would never count a default kept, so the guide could not learn how often
            // customers like this one keep it.
            let mut options: Vec<String> = c
                .choices
                .iter()
                .filter(|c| c.selected)
                .map(|c| c.option.clone())
                .chain(c.default_options.iter().cloned())
                .collect();
            options.sort_unstable();
            options.dedup();
            configurations.push((options, c.profile.clone(), weight));
        }
        let p = Arc::new(SharedPopularity {
            counted_at: Instant::now(),
            configurations,
        });
        self.popularity
            .lock()
            .expect("popularity lock")
            .insert(catalog.to_string(), p.clone());
        Ok(p)
    }

    /// Computes the state of a configuration: domains, the guided next question (ranked
    /// options with reasons, question order), the current default product (steered by the
    /// needs profile and the popularity of shared configurations) or, on conflict, the ranked
    /// repairs. `question: false` skips ranking the next question (a quote needs only the
    /// product).
    fn state(
        &self,
        entry: &Entry,
        record: &ConfigurationRecord,
        question: bool,
    ) -> Result<State, ApiError> {
        let compiled = &entry.compiled;
        let choices = Self::core_choices(compiled, record)?;
        let mut effort = self.effort();
        let secs = self.milp_secs();
        let profile = record
            .profile
            .as_deref()
            .and_then(|id| compiled.catalog.profile(id).ok());
        // Popularity among customers like this one: same needs profile, agreeing with the
        // choices so far (the others counting less).
        let history = entry.history(&self.shared_popularity(&record.catalog)?);
        let popularity = history.popularity(
            compiled.index.n_options(),
            record.profile.as_deref(),
            &choices,
        );
        let mut guide = Guide::new(compiled, profile, Some(&popularity));
        // The previous default product: the new one keeps what it can of it.
        let anchor: Vec<usize> = record
            .default_options
            .iter()
            .filter_map(|n| compiled.index.option(n))
            .collect();
        guide.set_anchor(&anchor);
        // What each answer would tell about the other questions, and how predictable each
        // group is, for their order.
        guide.set_history(&history, &choices);
        guide.popular_with = profile.map(|p| {
            if p.name.is_empty() {
                p.id.clone()
            } else {
                p.name.clone()
            }
        });
        guide.set_milp_too_slow(entry.milp_too_slow.load(Ordering::Relaxed));
        let (domains, step, repairs) = self.with_session(entry, |s| {
            let domains = s.domains(&choices, &mut effort).map_err(ApiError::limit)?;
            if domains.satisfiable {
                let step = if question {
                    guide.step_with(s, &choices, &domains, DEFAULT_K, secs, &mut effort)
                } else {
                    guide
                        .default_product(s, &choices, secs, &mut effort)
                        .map(|d| GuideStep {
                            satisfiable: true,
                            question: None,
                            order: Vec::new(),
                            default: Some(d),
                        })
                };
                let step = match step {
                    Ok(step) => Ok(step),
                    Err(CompleteError::Limit(m)) => {
                        return Err(ApiError::unprocessable(
                            "solver-limit",
                            format!("{m}; nothing was changed"),
                        ))
                    }
                    Err(e) => Err(e.to_string()),
                };
                Ok((domains, Some(step), None))
            } else {
                let repairs = s
                    .repairs(&choices, secs, &mut effort)
                    .map_err(ApiError::limit)?;
                Ok((domains, None, Some(repairs)))
            }
        })?;
        if guide.milp_too_slow() {
            entry.milp_too_slow.store(true, Ordering::Relaxed);
        }
        let (product, question, order) = match step {
            Some(Ok(step)) => (step.default.map(Ok), step.question, step.order),
            Some(Err(e)) => (Some(Err(e)), None, Vec::new()),
            None => (None, None, Vec::new()),
        };
        let groups: Vec<GroupState> = compiled
            .index
            .groups
            .iter()
            .zip(&compiled.catalog.groups)
            .map(|(g, def)| {
                let states: Vec<OptionState> = g.options().map(|o| domains.states[o]).collect();
                let decided = states
                    .iter()
                    .any(|s| matches!(s, OptionState::Selected | OptionState::Forced));
                let free = states.contains(&OptionState::Free);
                GroupState {
                    id: g.id.clone(),
                    name: if def.name.is_empty() {
                        g.id.clone()
                    } else {
                        def.name.clone()
                    },
                    kind: g.kind,
                    open: domains.satisfiable && g.kind == GroupKind::Visible && !decided && free,
                }
            })
            .collect();
        // The rules customers run into: those named by the conflict and its repairs.
        let mut rules_hit: Vec<String> = Vec::new();
        if let Some(r) = &repairs {
            let named = r
                .conflict
                .iter()
                .chain(r.repairs.iter().map(|x| &x.explanation))
                .flat_map(|c| c.rules.iter().map(|rule| rule.id.clone()));
            for id in named {
                if !rules_hit.contains(&id) {
                    rules_hit.push(id);
                }
            }
        }
        Ok(State {
            satisfiable: domains.satisfiable,
            options: domains
                .states
                .iter()
                .enumerate()
                .map(|(o, s)| (compiled.name(o).to_string(), *s))
                .collect(),
            groups,
            question,
            order,
            product,
            repairs,
            rules_hit,
            effort_used: effort.used,
        })
    }

    /// Why an option is excluded, forced or chosen under the configuration's choices.
    pub fn explain(&self, id: &str, req: ExplainRequest) -> Result<Value, ApiError> {
        let record = self.configuration(id)?;
        let entry = self.entry(&record.catalog, record.version)?;
        let option = self.option_of(&entry.compiled, &record, &req.option)?;
        let choices = Self::core_choices(&entry.compiled, &record)?;
        let mut effort = self.effort();
        let x = self
            .with_session(&entry, |s| s.explain(&choices, option, &mut effort))
            .map_err(ApiError::limit)?;
        Ok(json!(x))
    }

    /// The best product for the configuration's choices under an objective and budget.
    pub fn complete(&self, id: &str, req: CompleteBody) -> Result<Value, ApiError> {
        let objective = parse_objective(req.objective.as_deref().unwrap_or("price"))
            .map_err(|e| ApiError::unprocessable("bad-objective", e))?;
        let record = self.configuration(id)?;
        let entry = self.entry(&record.catalog, record.version)?;
        let choices = Self::core_choices(&entry.compiled, &record)?;
        let request = CompleteRequest {
            objective,
            budget: req.budget,
            budget_at_cheapest: Vec::new(),
            complete_visible: req.complete_visible.unwrap_or(true),
            time_limit_secs: self.milp_secs(),
        };
        let mut effort = self.effort();
        let report = self
            .with_session(&entry, |s| s.complete(&choices, &request, &mut effort))
            .map_err(complete_error)?;
        Ok(json!(report))
    }

    fn option_of(
        &self,
        compiled: &Compiled,
        record: &ConfigurationRecord,
        name: &str,
    ) -> Result<usize, ApiError> {
        if name.len() > MAX_OPTION_NAME {
            // No "did you mean" search over a huge string.
            return Err(ApiError::unprocessable(
                "unknown-option",
                format!("unknown option: the name is longer than {MAX_OPTION_NAME} bytes"),
            ));
        }
        compiled.option(name).map_err(|e| {
            ApiError::unprocessable(
                "unknown-option",
                format!(
                    "{e} (in catalog {} version {})",
                    record.catalog, record.version
                ),
            )
            .with("option", json!(name))
        })
    }

    pub fn quote(&self, id: &str, ticket: &Ticket) -> Result<Value, ApiError> {
        let record = self.configuration(id)?;
        let entry = self.entry(&record.catalog, record.version)?;
        let state = self.state(&entry, &record, false)?;
        let bill = match state.product {
            Some(Ok(report)) if report.satisfiable => report,
            Some(Err(e)) => {
                return Err(ApiError::unprocessable(
                    "no-completion",
                    format!("no product could be computed for a quote: {e}"),
                ))
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "conflicting-choices",
                    "the choices conflict: no product can be quoted; apply a repair first",
                ))
            }
        };
        let quote = QuoteRecord {
            id: ids::random_id(),
            configuration: record.id.clone(),
            catalog: record.catalog.clone(),
            version: record.version,
            created_at: ids::now(),
            bill: json!(bill),
        };
        ticket.commit(&self.limits)?;
        // Record the quote, then link it from the configuration (for insights).
        self.store.create_quote(&quote)?;
        for _ in 0..RETRIES {
            let mut record = self.configuration(id)?;
            let expected = record.revision;
            record.quotes.push(quote.id.clone());
            record.revision += 1;
            match self.store.update_configuration(&record, expected)? {
                Cas::Done => return Ok(quote_json(&quote)),
                Cas::Missing => return Err(unknown_configuration(id)),
                Cas::Conflict => continue,
            }
        }
        Err(busy())
    }

    pub fn get_quote(&self, id: &str) -> Result<Value, ApiError> {
        let missing = || ApiError::not_found("unknown-quote", format!("there is no quote {id:?}"));
        if !ids::is_id(id) {
            return Err(missing());
        }
        let q = self.store.quote(id)?.ok_or_else(missing)?;
        Ok(quote_json(&q))
    }

    // -------------------------------------------------------------------------------------
    // Insights

    pub fn insights(&self, token: Option<&str>, id: &str) -> Result<Value, ApiError> {
        let catalog = self.owned_catalog(token, id)?;
        let configs = self.store.configurations_of(id)?;
        let mut picks: BTreeMap<&str, u64> = BTreeMap::new();
        let mut shared_picks: BTreeMap<&str, u64> = BTreeMap::new();
        let mut rules: BTreeMap<&str, u64> = BTreeMap::new();
        let mut abandoned: BTreeMap<&str, u64> = BTreeMap::new();
        let (mut quoted, mut shared) = (0, 0);
        for c in &configs {
            for choice in c.choices.iter().filter(|c| c.selected) {
                *picks.entry(&choice.option).or_default() += 1;
                if c.shared {
                    *shared_picks.entry(&choice.option).or_default() += 1;
                }
            }
            for (rule, n) in &c.rule_hits {
                *rules.entry(rule).or_default() += u64::from(*n);
            }
            if c.shared {
                shared += 1;
            }
            if c.quotes.is_empty() {
                let at = c.last_question.as_deref().unwrap_or("(no open question)");
                *abandoned.entry(at).or_default() += 1;
            } else {
                quoted += 1;
            }
        }
        let ranked = |m: BTreeMap<&str, u64>, key: &str| -> Vec<Value> {
            let mut v: Vec<_> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            v.into_iter()
                .map(|(name, count)| json!({ key: name, "count": count }))
                .collect()
        };
        Ok(json!({
            "catalog": id,
            "latest": catalog.latest,
            "configurations": configs.len(),
            "quoted": quoted,
            "shared": shared,
            "picks": ranked(picks, "option"),
            "shared_picks": ranked(shared_picks, "option"),
            "rules": ranked(rules, "rule"),
            "abandoned_at": ranked(abandoned, "group"),
        }))
    }

    // -------------------------------------------------------------------------------------
    // First start

    /// Publishes the example catalogs (owned by manufacturer `examples`) on the first start.
    pub fn load_examples(&self, files: &[(String, String)]) -> Result<Vec<String>, ApiError> {
        const KEY: &str = "examples-loaded";
        if self.store.meta(KEY)?.is_some() {
            return Ok(Vec::new());
        }
        let mut loaded = Vec::new();
        for (name, text) in files {
            let format = if name.ends_with(".json") {
                BodyFormat::Json
            } else {
                BodyFormat::Toml
            };
            let catalog = match self.parse_catalog(text, format, "example") {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("example catalog {name} skipped: {}", e.detail);
                    continue;
                }
            };
            let id = catalog.id.clone();
            let now = ids::now();
            let record = CatalogRecord {
                id: id.clone(),
                manufacturer: "examples".into(),
                draft: catalog.clone(),
                latest: 0,
                created_at: now,
                updated_at: now,
                revision: 0,
            };
            if !self.store.create_catalog(&record)? {
                continue;
            }
            let compiled = configurator_core::compile_catalog(catalog.clone(), None)
                .map_err(|d| ApiError::internal(format!("{name}: {:?}", d.first())))?;
            match compiled.lint(&mut Effort::default()) {
                Ok(r) if r.usable() => {}
                _ => {
                    eprintln!("example catalog {name} is not usable; kept as a draft");
                    continue;
                }
            }
            let version = VersionRecord {
                catalog: id.clone(),
                version: 1,
                published_at: now,
                model: catalog,
            };
            let published = CatalogRecord {
                latest: 1,
                revision: 1,
                ..record
            };
            self.store.publish(&published, 0, &version)?;
            loaded.push(id);
        }
        self.store.set_meta(KEY, "1")?;
        Ok(loaded)
    }
}

/// 422 unless the catalog version defines the needs profile.
fn check_profile(
    compiled: &Compiled,
    catalog: &str,
    version: u32,
    profile: &str,
) -> Result<(), ApiError> {
    compiled.catalog.profile(profile).map(|_| ()).map_err(|e| {
        ApiError::unprocessable(
            "unknown-profile",
            format!("catalog {catalog} version {version} has {e}"),
        )
    })
}

fn busy() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "too many concurrent changes to the same record; try again",
    )
}

fn quote_json(q: &QuoteRecord) -> Value {
    json!({
        "id": q.id,
        "configuration": q.configuration,
        "catalog": q.catalog,
        "version": q.version,
        "created_at": q.created_at,
        "bill": q.bill,
    })
}

/// Applies a choice to the ordered list. A choice replaces any earlier choice of the same
/// option; selecting in a group that allows one option replaces the earlier selection there.
fn apply(compiled: &Compiled, choices: &mut Vec<StoredChoice>, option: usize, action: Action) {
    let name = compiled.name(option).to_string();
    choices.retain(|c| c.option != name);
    match action {
        Action::Clear => {}
        Action::Deselect => choices.push(StoredChoice {
            option: name,
            selected: false,
        }),
        Action::Select => {
            let g = &compiled.index.groups[compiled.index.group_of[option]];
            if g.max == 1 {
                choices.retain(|c| {
                    !c.selected
                        || compiled.index.option(&c.option).is_none_or(|o| {
                            compiled.index.group_of[o] != compiled.index.group_of[option]
                        })
                });
            }
            choices.push(StoredChoice {
                option: name,
                selected: true,
            });
        }
    }
}

#[derive(Serialize)]
struct GroupState {
    id: String,
    name: String,
    kind: GroupKind,
    /// A visible group the customer still has to decide.
    open: bool,
}

struct State {
    satisfiable: bool,
    options: BTreeMap<String, OptionState>,
    groups: Vec<GroupState>,
    /// The guided next question: ranked options with reasons.
    question: Option<Question>,
    /// Open visible groups in the order they would be asked.
    order: Vec<String>,
    /// When satisfiable: the default product, or why it could not be computed.
    product: Option<Result<CompletionReport, String>>,
    /// When the choices conflict: ranked repairs.
    repairs: Option<RepairReport>,
    /// Rule ids named by the conflict and its repairs.
    rules_hit: Vec<String>,
    effort_used: u64,
}

impl State {
    fn to_json(&self, r: &ConfigurationRecord) -> Value {
        let choices: Vec<Value> = r
            .choices
            .iter()
            .map(|c| {
                json!({
                    "option": c.option,
                    "action": if c.selected { "select" } else { "deselect" },
                })
            })
            .collect();
        json!({
            "id": r.id,
            "catalog": r.catalog,
            "version": r.version,
            "name": r.name,
            "shared": r.shared,
            "revision": r.revision,
            "choices": choices,
            "satisfiable": self.satisfiable,
            "options": self.options,
            "groups": self.groups,
            "profile": r.profile,
            "next_question": self.question,
            "order": self.order,
            "product": match &self.product {
                Some(Ok(report)) => json!(report),
                _ => Value::Null,
            },
            "product_error": match &self.product {
                Some(Err(e)) => json!(e),
                _ => Value::Null,
            },
            "repairs": self.repairs,
            "quotes": r.quotes,
            "effort": { "conflicts": self.effort_used },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_conflicts: 10,
            solve_timeout: Duration::from_millis(5),
        }
    }

    #[test]
    fn a_cancelled_ticket_refuses_to_commit_and_a_committing_one_cannot_be_cancelled() {
        let t = Ticket::default();
        assert!(t.cancel(), "running work can be cancelled");
        assert!(t.cancelled());
        let e = t.commit(&limits()).unwrap_err();
        assert_eq!(e.code, "solver-timeout");

        let t = Ticket::default();
        t.commit(&limits()).unwrap();
        assert!(!t.cancel(), "a write in progress is waited for");
        t.release();
        assert!(
            t.cancel(),
            "after a lost compare-and-swap the work is cancellable again"
        );
    }
}
