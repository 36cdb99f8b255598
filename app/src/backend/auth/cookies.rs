//! Session cookies: names, attributes and parsing. HttpOnly and SameSite=Lax always; `Secure`
//! and the `__Host-` prefix whenever the public URL is https.

use crate::backend::Config;

pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
}

pub fn names(config: &Config) -> CookieNames {
    if config.is_https() {
        CookieNames {
            access: "__Host-bjm_session",
            refresh: "__Host-bjm_refresh",
        }
    } else {
        CookieNames {
            access: "bjm_session",
            refresh: "bjm_refresh",
        }
    }
}

/// A `Set-Cookie` value. `max_age_secs = 0` deletes the cookie.
pub fn set_cookie(config: &Config, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
}

/// The value of cookie `name` in a `Cookie:` header.
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_sites_get_host_prefixed_secure_cookies() {
        let config = Config::new(
            "d".into(),
            "sqlite::memory:".into(),
            "https://a.example".into(),
        );
        let header = set_cookie(&config, names(&config).access, "t", 60);
        assert!(header.starts_with("__Host-bjm_session=t; Path=/;"));
        assert!(
            header.contains("HttpOnly")
                && header.contains("SameSite=Lax")
                && header.ends_with("Secure")
        );
    }

    #[test]
    fn plain_http_cookies_are_still_http_only_and_lax() {
        let config = Config::new(
            "d".into(),
            "sqlite::memory:".into(),
            "http://127.0.0.1:3000".into(),
        );
        let header = set_cookie(&config, names(&config).access, "t", 60);
        assert!(header.starts_with("bjm_session=t;"));
        assert!(
            header.contains("HttpOnly")
                && header.contains("SameSite=Lax")
                && !header.contains("Secure")
        );
    }

    #[test]
    fn find_reads_one_cookie_from_the_header() {
        assert_eq!(
            find("a=1; bjm_session=xyz; b=2", "bjm_session"),
            Some("xyz")
        );
        assert_eq!(find("a=1", "bjm_session"), None);
    }
}
