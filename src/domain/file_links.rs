//! Where stored files are served: every file's URL is
//! `<public_url>/files/<id>/<key>/<name>`, the key being the random part
//! that makes the URL unguessable. The files service hands these URLs out
//! after an upload and the records engine stores them in file fields, so
//! both build them here.

use std::sync::Arc;

/// Builds file URLs under the server's public URL; cheap to clone.
#[derive(Debug, Clone)]
pub struct FileLinks {
    base: Arc<str>,
}

impl FileLinks {
    /// Links under `public_url` (a trailing `/` is dropped).
    pub fn new(public_url: &str) -> Self {
        Self {
            base: Arc::from(public_url.trim_end_matches('/')),
        }
    }

    /// The URL of the file `id` stored under `key` as `name` (the name
    /// percent-encoded).
    pub fn url(&self, id: &str, key: &str, name: &str) -> String {
        let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        format!("{}/files/{id}/{key}/{name}", self.base)
    }

    /// Where the second step of an upload sends its bytes.
    pub fn upload_url(&self) -> String {
        format!("{}/files/upload/", self.base)
    }
}

#[cfg(test)]
#[path = "file_links_test.rs"]
mod tests;
