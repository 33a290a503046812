//! Catalogue answers kept in memory. The catalogue is public, the same for every caller, read far
//! more often than written, and a page costs about ten SQL statements to build. An answer is kept
//! under the catalogue version it was built at: every write to what the catalogue shows moves the
//! version on in the writer's transaction (database triggers).

use std::ops::Deref;

use crate::versioned_cache::VersionedCache;

/// The counter row the triggers advance.
const VERSION_COUNTER: &str = "catalogue_version";

pub struct CatalogueCache(VersionedCache);

impl Default for CatalogueCache {
    fn default() -> Self {
        Self(VersionedCache::new(VERSION_COUNTER))
    }
}

impl Deref for CatalogueCache {
    type Target = VersionedCache;

    fn deref(&self) -> &VersionedCache {
        &self.0
    }
}
