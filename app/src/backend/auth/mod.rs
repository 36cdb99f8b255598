//! Authentication building blocks: password hashing, session tokens (JWT) and their keys,
//! TOTP second factor, cookies, and the per-request session check.

pub mod cookies;
pub mod issuer;
pub mod keys;
pub mod password;
pub mod session;
pub mod totp;
