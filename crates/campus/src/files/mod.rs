//! File storage behind one interface (object_store): a local folder by default, under
//! the data folder. Keys are chosen by Campus (`<college>/<kind>/<uuid>`), never by users,
//! and files are served only through handlers that authorize the reader first.

pub mod uploads;

use std::sync::Arc;

use anyhow::Context;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use uuid::Uuid;

use crate::db::CollegeId;

/// Creates `folder` (when missing) readable by Campus's own account only (mode 0700),
/// and narrows an existing one: uploaded documents and mail are nobody else's to read.
pub fn private_folder(folder: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(folder)?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// Files in a folder (created when missing).
    pub fn local(folder: &std::path::Path) -> anyhow::Result<Storage> {
        private_folder(folder)
            .with_context(|| format!("cannot create the files folder {}", folder.display()))?;
        let store = LocalFileSystem::new_with_prefix(folder)
            .with_context(|| format!("cannot use the files folder {}", folder.display()))?;
        Ok(Storage {
            store: Arc::new(store),
        })
    }

    /// A new key for a college's file of a kind (`assignment`, `material`, `job`...).
    pub fn new_key(college: CollegeId, kind: &str) -> String {
        format!("{college}/{kind}/{}", Uuid::now_v7())
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .with_context(|| format!("cannot store file {key}"))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let found = self
            .store
            .get(&Path::from(key))
            .await
            .with_context(|| format!("cannot read file {key}"))?;
        Ok(found.bytes().await?.to_vec())
    }

    /// Removes a file; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("cannot delete file {key}")),
        }
    }
}
