//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of clock drift).
//! A verified code returns its time step so the caller can refuse a replay of the same code.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECS: u64 = 30;
const ISSUER: &str = "不见面审批";

/// A new random 160-bit secret, base32 encoded (what authenticator apps accept).
pub fn generate_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> anyhow::Result<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|error| anyhow::anyhow!("TOTP secret is not base32: {error:?}"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|error| anyhow::anyhow!("TOTP parameters: {error}"))
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret_base32: &str, account: &str) -> anyhow::Result<String> {
    Ok(totp(secret_base32, account)?.get_url())
}

/// The provisioning URI as an SVG QR code.
pub fn provisioning_qr_svg(uri: &str) -> anyhow::Result<String> {
    let code = fast_qr::QRBuilder::new(uri)
        .build()
        .map_err(|error| anyhow::anyhow!("QR code: {error:?}"))?;
    // Sized by the page's style sheet (`.qr svg`).
    Ok(fast_qr::convert::svg::SvgBuilder::default().to_str(&code))
}

/// The code for `unix_secs` (demo page and CLI show it; tests type it).
pub fn code_at(secret_base32: &str, unix_secs: u64) -> anyhow::Result<String> {
    Ok(totp(secret_base32, "")?.generate(unix_secs))
}

/// The time step of `unix_secs`.
pub fn step_of(unix_secs: u64) -> i64 {
    i64::try_from(unix_secs / STEP_SECS).unwrap_or(i64::MAX)
}

/// The step whose code equals `code`, looking one step back and ahead for clock drift.
pub fn matching_step(
    secret_base32: &str,
    code: &str,
    unix_secs: u64,
) -> anyhow::Result<Option<i64>> {
    let totp = totp(secret_base32, "")?;
    let current = unix_secs / STEP_SECS;
    for step in [current.saturating_sub(1), current, current + 1] {
        if totp.check(code, step * STEP_SECS) {
            return Ok(Some(i64::try_from(step).unwrap_or(i64::MAX)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_test_vector() {
        // RFC 6238 appendix B, secret "12345678901234567890", T = 59 s → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).expect("code"), "287082");
    }

    #[test]
    fn the_current_and_neighbouring_codes_match_and_report_their_step() {
        let secret = generate_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).expect("code");
        assert_eq!(
            matching_step(&secret, &code, now).expect("check"),
            Some(step_of(now))
        );
        let previous = code_at(&secret, now - 30).expect("code");
        assert_eq!(
            matching_step(&secret, &previous, now).expect("check"),
            Some(step_of(now) - 1)
        );
        let old = code_at(&secret, now - 120).expect("code");
        assert_eq!(matching_step(&secret, &old, now).expect("check"), None);
    }

    #[test]
    fn provisioning_uri_names_the_issuer_and_account() {
        let uri = provisioning_uri(&generate_secret(), "desk@example.cn").expect("uri");
        assert!(uri.starts_with("otpauth://totp/"));
        assert!(uri.contains("desk%40example.cn") || uri.contains("desk@example.cn"));
    }
}
