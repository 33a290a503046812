//! Catalogue answers kept in memory. The catalogue is public, the same for every caller, read far
//! more often than written. Whole answers are kept under the catalogue version they were built
//! at, and so is each environment's own part of an entry (what does not depend on the day asked
//! for), so that an answer not kept costs the search and the recognitions in force, not a load of
//! every environment on the page. Every write to what the catalogue shows moves the version on in
//! the writer's transaction (database triggers).

use std::sync::Arc;

use super::page::EnvironmentPart;
use crate::{
    lookups::CATALOGUE_VERSION,
    versioned_cache::{KeptRecords, VersionedCache},
};

/// Environments' own parts kept at most (about 1.5 KiB each).
const KEPT_ENVIRONMENTS: usize = 5_000;

pub struct CatalogueCache {
    /// Whole answers by request.
    pub pages: VersionedCache,
    /// Entries by environment id as JSON, without their recognised units and distance.
    pub environments: KeptRecords<String, Arc<EnvironmentPart>>,
}

impl Default for CatalogueCache {
    fn default() -> Self {
        Self {
            pages: VersionedCache::new(CATALOGUE_VERSION),
            environments: KeptRecords::new(KEPT_ENVIRONMENTS),
        }
    }
}
