//! Storage of everything the server keeps: manufacturers' token hashes, catalogs (draft and
//! published versions), configurations and quotes.
//!
//! All of it sits behind the [`Store`] trait so that a networked database can replace sled
//! when one machine is outgrown; the server keeps no other state (the compiled-catalog cache in
//! `service.rs` is derived and can be dropped at any time). Every write method returns only
//! after the write is durable (flushed), so the HTTP layer may answer 2xx right after it.
//! Updates of records that many requests change at once (configurations, catalogs) are
//! compare-and-swap on a `revision` number: nothing is ever lost to a concurrent write.

pub mod sled_store;

use configurator_core::Catalog;
use serde::{Deserialize, Serialize};
use std::fmt;

pub use sled_store::SledStore;

/// A storage failure (I/O, corruption): the server answers 500/503, never 2xx.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// The outcome of a compare-and-swap update.
#[derive(Debug, PartialEq, Eq)]
pub enum Cas {
    /// Written (and flushed).
    Done,
    /// Someone else wrote first (the revision moved on): reload and try again.
    Conflict,
    /// The record does not exist.
    Missing,
}

/// A catalog: the manufacturer's editable draft plus the count of published versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CatalogRecord {
    pub id: String,
    pub manufacturer: String,
    pub draft: Catalog,
    /// Number of the latest published version; 0 when none is published yet.
    pub latest: u32,
    pub created_at: u64,
    pub updated_at: u64,
    /// Incremented on every write (compare-and-swap).
    pub revision: u64,
}

/// One published, immutable version of a catalog.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VersionRecord {
    pub catalog: String,
    pub version: u32,
    pub published_at: u64,
    pub model: Catalog,
}

/// One choice of a customer, by option name (`group.option`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChoice {
    pub option: String,
    /// true: selected; false: deselected (rejected).
    pub selected: bool,
}

/// An anonymous customer's configuration of one published catalog version.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConfigurationRecord {
    pub id: String,
    pub catalog: String,
    pub version: u32,
    /// In the order the customer made them.
    pub choices: Vec<StoredChoice>,
    pub name: Option<String>,
    /// The customer opted in to share it: counted in popularity.
    pub shared: bool,
    pub created_at: u64,
    pub updated_at: u64,
    pub revision: u64,
    /// The question that was open after the last choice (for "where customers abandon").
    pub last_question: Option<String>,
    /// Rules this configuration ran into (named in conflicts), with how often.
    #[serde(default)]
    pub rule_hits: std::collections::BTreeMap<String, u32>,
    /// Ids of the quotes asked for.
    #[serde(default)]
    pub quotes: Vec<String>,
    /// The needs profile (id in the catalog version) that steers ranking and the default.
    #[serde(default)]
    pub profile: Option<String>,
}

/// A frozen quote: bill of materials, price and the exact catalog version.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QuoteRecord {
    pub id: String,
    pub configuration: String,
    pub catalog: String,
    pub version: u32,
    pub created_at: u64,
    /// The bill of materials as returned to the customer (frozen JSON).
    pub bill: serde_json::Value,
}

/// Everything the server stores. Implementations must be safe to share between threads and
/// must make every write durable before returning `Ok`.
pub trait Store: Send + Sync + 'static {
    /// Records a token hash for a manufacturer.
    fn add_token(&self, token_hash: &str, manufacturer: &str) -> StoreResult<()>;
    /// The manufacturer a token hash belongs to.
    fn token_owner(&self, token_hash: &str) -> StoreResult<Option<String>>;

    /// Creates a catalog; `false` when the id is taken.
    fn create_catalog(&self, record: &CatalogRecord) -> StoreResult<bool>;
    fn catalog(&self, id: &str) -> StoreResult<Option<CatalogRecord>>;
    fn catalogs(&self) -> StoreResult<Vec<CatalogRecord>>;
    /// Replaces the catalog if its stored revision is still `expected`.
    fn update_catalog(&self, record: &CatalogRecord, expected: u64) -> StoreResult<Cas>;
    /// Atomically stores `version` and the catalog record (with `latest` already bumped) if the
    /// catalog's stored revision is still `expected`.
    fn publish(
        &self,
        record: &CatalogRecord,
        expected: u64,
        version: &VersionRecord,
    ) -> StoreResult<Cas>;
    fn version(&self, catalog: &str, version: u32) -> StoreResult<Option<VersionRecord>>;

    /// Creates a configuration (its id must be new).
    fn create_configuration(&self, record: &ConfigurationRecord) -> StoreResult<()>;
    fn configuration(&self, id: &str) -> StoreResult<Option<ConfigurationRecord>>;
    fn update_configuration(&self, record: &ConfigurationRecord, expected: u64)
        -> StoreResult<Cas>;
    /// Every configuration of a catalog (any version), for insights.
    fn configurations_of(&self, catalog: &str) -> StoreResult<Vec<ConfigurationRecord>>;

    fn create_quote(&self, quote: &QuoteRecord) -> StoreResult<()>;
    fn quote(&self, id: &str) -> StoreResult<Option<QuoteRecord>>;

    /// Small settings such as "example catalogs loaded".
    fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
}
