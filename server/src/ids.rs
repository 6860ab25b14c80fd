//! Unguessable ids and API tokens (random bytes from the operating system), token hashes, and
//! the clock. Only hashes of tokens are stored.

use sha2::{Digest, Sha256};

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system has no random number source");
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 128-bit random id in hex: configurations and quotes (it is also their share link).
pub fn random_id() -> String {
    random_hex(16)
}

/// A new API token: `cfg_` and 256 random bits in hex.
pub fn new_token() -> String {
    format!("cfg_{}", random_hex(32))
}

/// The SHA-256 of a token, in hex: what the store keeps. Tokens are random 256-bit values, so
/// a fast hash suffices (no password stretching needed).
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether a string looks like an id made by [`random_id`] (32 lowercase hex digits).
pub fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex_and_tokens_hash_stably() {
        let a = random_id();
        assert!(is_id(&a), "{a}");
        assert_ne!(a, random_id());
        let t = new_token();
        assert!(t.starts_with("cfg_") && t.len() == 68);
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), token_hash(&new_token()));
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
