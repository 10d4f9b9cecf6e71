//! The change feed's cursors, sealed: a cursor names a place in the change
//! log and the time of the entry there, which may be a write the caller may
//! not read, so it is encrypted and authenticated. Nothing in it can be read
//! (not the position, not the time, not whether it moved since the last page:
//! each cursor has a fresh random nonce), and a cursor changed in any way is
//! refused.
//!
//! The AEAD is XChaCha20-Poly1305 (the `chacha20poly1305` crate): its 24-byte
//! nonces are random. The key is a random secret in `server_secrets`, so
//! every node opens every node's cursors. The cursor is
//! `hex(nonce ‖ sealed body ‖ tag)`: 112 characters, safe in a URL.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::store::change_log::Position;
use crate::store::{secrets, AnyConnection, StoreError};

/// The name of the secret in `server_secrets`.
const SECRET: &str = "feed_cursor_key";
/// Bytes of the random nonce.
const NONCE: usize = 24;
/// Bytes of the body: transaction, sequence and time, 8 each.
const BODY: usize = 24;
/// Bytes of the authentication tag.
const TAG: usize = 16;
/// The layout's version, authenticated with the body.
const VERSION: &[u8] = b"feed-cursor-v1";

/// The key sealing cursors.
pub(super) struct CursorKey {
    cipher: XChaCha20Poly1305,
}

impl CursorKey {
    /// Reads the key from `server_secrets`, creating it on first use.
    pub(super) fn load(conn: &mut AnyConnection) -> Result<Self, StoreError> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        Self::from_secret(&secrets::get_or_create(conn, SECRET, &fresh)?)
    }

    /// The key stored as `secret` (64 hex digits).
    fn from_secret(secret: &str) -> Result<Self, StoreError> {
        let bytes = hex::decode(secret)
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| StoreError::Corrupt(format!("{SECRET}: not 32 bytes of hex")))?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("{SECRET}: {e}")))?;
        Ok(Self { cipher })
    }

    /// The cursor of `position`, whose entry was written at `at`.
    pub(super) fn seal(&self, position: Position, at: i64) -> String {
        let nonce: [u8; NONCE] = rand::random();
        let mut body = Vec::with_capacity(BODY);
        for word in [position.xid, position.seq, at] {
            body.extend_from_slice(&word.to_be_bytes());
        }
        let payload = Payload {
            msg: &body,
            aad: VERSION,
        };
        // Encrypting a 24-byte message cannot fail; an empty cursor would
        // only be refused when it comes back.
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE + BODY + TAG);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        hex::encode(out)
    }

    /// The position and time a cursor this key sealed stands for; `None`
    /// for anything else (another key's, changed, cut or made up).
    pub(super) fn open(&self, cursor: &str) -> Option<(Position, i64)> {
        let bytes = hex::decode(cursor).ok()?;
        if bytes.len() != NONCE + BODY + TAG {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE);
        let payload = Payload {
            msg: sealed,
            aad: VERSION,
        };
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .ok()?;
        let mut words = plain
            .chunks_exact(8)
            .map(|c| <[u8; 8]>::try_from(c).ok().map(i64::from_be_bytes));
        let (xid, seq, at) = (words.next()??, words.next()??, words.next()??);
        Some((Position { xid, seq }, at))
    }
}

#[cfg(test)]
#[path = "feed_cursor_test.rs"]
mod tests;
