//! The [`Store`] on sled: one tree per kind of record, records as JSON, every write flushed
//! before it returns. sled locks its directory: one server process per data directory.

use super::{
    Cas, CatalogRecord, ConfigurationRecord, QuoteRecord, Store, StoreError, StoreResult,
    VersionRecord,
};
use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Transactional, Tree};
use std::path::Path;

pub struct SledStore {
    db: sled::Db,
    tokens: Tree,
    catalogs: Tree,
    versions: Tree,
    configurations: Tree,
    /// Key `catalog \0 configuration id`, empty value: configurations of a catalog.
    config_index: Tree,
    quotes: Tree,
    meta: Tree,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn encode<T: Serialize>(v: &T) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(v).map_err(err)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError(format!("corrupt record: {e}")))
}

fn version_key(catalog: &str, version: u32) -> Vec<u8> {
    // Ids never contain control characters (core's `valid_id`), so \0 separates.
    let mut k = catalog.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

fn index_key(catalog: &str, id: &str) -> Vec<u8> {
    let mut k = catalog.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

/// Attempts (50 ms apart) to take a database's file lock that this process just released.
const LOCK_RETRIES: usize = 40;

impl SledStore {
    /// Opens (or creates) the database in `dir`. Fails with a clear message when another
    /// process has it open.
    pub fn open(dir: &Path) -> StoreResult<SledStore> {
        // sled releases its file lock from a background thread shortly after the last handle
        // of a database is dropped, so reopening in the same process (a restart, a test) may
        // find it still held for a moment: retry briefly before calling it "in use".
        let is_lock = |e: &sled::Error| {
            let text = e.to_string();
            text.contains("lock") || text.contains("WouldBlock")
        };
        let mut attempt = sled::Config::new().path(dir).open();
        for _ in 0..LOCK_RETRIES {
            match &attempt {
                Err(e) if is_lock(e) => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    attempt = sled::Config::new().path(dir).open();
                }
                _ => break,
            }
        }
        let db = attempt.map_err(|e| {
            let text = e.to_string();
            if is_lock(&e) {
                StoreError(format!(
                    "the database in {} is in use by another process (a running server?): {text}",
                    dir.display()
                ))
            } else {
                StoreError(format!(
                    "cannot open the database in {}: {text}",
                    dir.display()
                ))
            }
        })?;
        let tree = |name: &str| db.open_tree(name).map_err(err);
        Ok(SledStore {
            tokens: tree("tokens")?,
            catalogs: tree("catalogs")?,
            versions: tree("versions")?,
            configurations: tree("configurations")?,
            config_index: tree("config_index")?,
            quotes: tree("quotes")?,
            meta: tree("meta")?,
            db,
        })
    }

    fn flush(&self) -> StoreResult<()> {
        self.db.flush().map(|_| ()).map_err(err)
    }

    fn get<T: DeserializeOwned>(tree: &Tree, key: &[u8]) -> StoreResult<Option<T>> {
        match tree.get(key).map_err(err)? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Compare-and-swap on a record with a `revision` read by `revision_of`.
    fn cas<T: Serialize + DeserializeOwned>(
        &self,
        tree: &Tree,
        key: &[u8],
        record: &T,
        expected: u64,
        revision_of: impl Fn(&T) -> u64,
    ) -> StoreResult<Cas> {
        let Some(current) = tree.get(key).map_err(err)? else {
            return Ok(Cas::Missing);
        };
        let stored: T = decode(&current)?;
        if revision_of(&stored) != expected {
            return Ok(Cas::Conflict);
        }
        let new = encode(record)?;
        match tree
            .compare_and_swap(key, Some(current), Some(new))
            .map_err(err)?
        {
            Ok(()) => {
                self.flush()?;
                Ok(Cas::Done)
            }
            Err(_) => Ok(Cas::Conflict),
        }
    }
}

impl Store for SledStore {
    fn add_token(&self, token_hash: &str, manufacturer: &str) -> StoreResult<()> {
        self.tokens
            .insert(token_hash.as_bytes(), manufacturer.as_bytes())
            .map_err(err)?;
        self.flush()
    }

    fn token_owner(&self, token_hash: &str) -> StoreResult<Option<String>> {
        Ok(self
            .tokens
            .get(token_hash.as_bytes())
            .map_err(err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn create_catalog(&self, record: &CatalogRecord) -> StoreResult<bool> {
        let bytes = encode(record)?;
        let created = self
            .catalogs
            .compare_and_swap(record.id.as_bytes(), None as Option<&[u8]>, Some(bytes))
            .map_err(err)?
            .is_ok();
        if created {
            self.flush()?;
        }
        Ok(created)
    }

    fn catalog(&self, id: &str) -> StoreResult<Option<CatalogRecord>> {
        Self::get(&self.catalogs, id.as_bytes())
    }

    fn catalogs(&self) -> StoreResult<Vec<CatalogRecord>> {
        self.catalogs
            .iter()
            .values()
            .map(|v| decode(&v.map_err(err)?))
            .collect()
    }

    fn update_catalog(&self, record: &CatalogRecord, expected: u64) -> StoreResult<Cas> {
        self.cas(
            &self.catalogs,
            record.id.as_bytes(),
            record,
            expected,
            |r: &CatalogRecord| r.revision,
        )
    }

    fn publish(
        &self,
        record: &CatalogRecord,
        expected: u64,
        version: &VersionRecord,
    ) -> StoreResult<Cas> {
        let rec_bytes = encode(record)?;
        let ver_bytes = encode(version)?;
        let vkey = version_key(&version.catalog, version.version);
        let result = (&self.catalogs, &self.versions).transaction(|(catalogs, versions)| {
            let Some(current) = catalogs.get(record.id.as_bytes())? else {
                return Err(ConflictableTransactionError::Abort(Abort::Cas(
                    Cas::Missing,
                )));
            };
            let stored: CatalogRecord = serde_json::from_slice(&current)
                .map_err(|e| ConflictableTransactionError::Abort(Abort::Corrupt(e.to_string())))?;
            if stored.revision != expected || versions.get(&vkey)?.is_some() {
                return Err(ConflictableTransactionError::Abort(Abort::Cas(
                    Cas::Conflict,
                )));
            }
            catalogs.insert(record.id.as_bytes(), rec_bytes.clone())?;
            versions.insert(vkey.clone(), ver_bytes.clone())?;
            Ok(())
        });
        match result {
            Ok(()) => {
                self.flush()?;
                Ok(Cas::Done)
            }
            Err(TransactionError::Abort(Abort::Cas(cas))) => Ok(cas),
            Err(TransactionError::Abort(Abort::Corrupt(e))) => {
                Err(StoreError(format!("corrupt catalog record: {e}")))
            }
            Err(TransactionError::Storage(e)) => Err(err(e)),
        }
    }

    fn version(&self, catalog: &str, version: u32) -> StoreResult<Option<VersionRecord>> {
        Self::get(&self.versions, &version_key(catalog, version))
    }

    fn create_configuration(&self, record: &ConfigurationRecord) -> StoreResult<()> {
        let bytes = encode(record)?;
        let ikey = index_key(&record.catalog, &record.id);
        (&self.configurations, &self.config_index)
            .transaction(|(configs, index)| {
                configs.insert(record.id.as_bytes(), bytes.clone())?;
                index.insert(ikey.clone(), &[][..])?;
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| err(format!("{e:?}")))?;
        self.flush()
    }

    fn configuration(&self, id: &str) -> StoreResult<Option<ConfigurationRecord>> {
        Self::get(&self.configurations, id.as_bytes())
    }

    fn update_configuration(
        &self,
        record: &ConfigurationRecord,
        expected: u64,
    ) -> StoreResult<Cas> {
        self.cas(
            &self.configurations,
            record.id.as_bytes(),
            record,
            expected,
            |r: &ConfigurationRecord| r.revision,
        )
    }

    fn configurations_of(&self, catalog: &str) -> StoreResult<Vec<ConfigurationRecord>> {
        let mut prefix = catalog.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for key in self.config_index.scan_prefix(&prefix).keys() {
            let key = key.map_err(err)?;
            let id = &key[prefix.len()..];
            if let Some(r) = Self::get(&self.configurations, id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn create_quote(&self, quote: &QuoteRecord) -> StoreResult<()> {
        self.quotes
            .insert(quote.id.as_bytes(), encode(quote)?)
            .map_err(err)?;
        self.flush()
    }

    fn quote(&self, id: &str) -> StoreResult<Option<QuoteRecord>> {
        Self::get(&self.quotes, id.as_bytes())
    }

    fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .meta
            .get(key.as_bytes())
            .map_err(err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        self.meta
            .insert(key.as_bytes(), value.as_bytes())
            .map_err(err)?;
        self.flush()
    }
}

/// Why the publish transaction stopped.
enum Abort {
    Cas(Cas),
    Corrupt(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let mut p = std::env::temp_dir();
        p.push(format!(
            "configurator-store-{name}-{}-{}",
            std::process::id(),
            crate::ids::random_id()
        ));
        p
    }

    fn config(id: &str) -> ConfigurationRecord {
        ConfigurationRecord {
            id: id.into(),
            catalog: "c".into(),
            version: 1,
            choices: vec![],
            name: None,
            shared: false,
            created_at: 0,
            updated_at: 0,
            revision: 0,
            last_question: None,
            rule_hits: Default::default(),
            quotes: vec![],
            profile: None,
        }
    }

    #[test]
    fn compare_and_swap_refuses_stale_revisions_and_survives_reopen() {
        let dir = temp_dir("cas");
        {
            let s = SledStore::open(&dir).unwrap();
            let mut c = config("a");
            s.create_configuration(&c).unwrap();
            c.revision = 1;
            assert_eq!(s.update_configuration(&c, 0).unwrap(), Cas::Done);
            // A writer that still believes revision 0 loses.
            assert_eq!(s.update_configuration(&c, 0).unwrap(), Cas::Conflict);
            assert_eq!(
                s.update_configuration(&config("missing"), 0).unwrap(),
                Cas::Missing
            );
            assert_eq!(s.configurations_of("c").unwrap().len(), 1);
            assert!(s.configurations_of("other").unwrap().is_empty());
        }
        let s = SledStore::open(&dir).unwrap();
        assert_eq!(s.configuration("a").unwrap().unwrap().revision, 1);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
