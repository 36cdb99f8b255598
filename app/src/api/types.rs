//! Data that crosses between server and browser. Nothing here holds a secret or an internal
//! column: password hashes, TOTP secrets and session ids stay in the server's row types.

use serde::{Deserialize, Serialize};

use crate::domain::Role;

/// The signed-in person, as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub display_name: String,
    pub role: Role,
    /// Masked login (`138****5678`), enough to recognise one's own account.
    pub login_masked: String,
    pub department: Option<OrgUnitName>,
    pub service_centre: Option<OrgUnitName>,
    /// Unread notifications (applicants; 0 for staff): the badge beside 我的办件.
    pub unread_notifications: i64,
}

/// A department or service centre name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgUnitName {
    pub zh: String,
    pub en: String,
}

impl OrgUnitName {
    pub fn in_lang(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Zh => &self.zh,
            crate::i18n::Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name: OrgUnitName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCentre {
    pub id: i64,
    pub code: String,
    pub name: OrgUnitName,
    pub level: String,
}

/// What happens after a correct password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginOutcome {
    /// Signed in; go to this workspace.
    SignedIn { home: String },
    /// Staff with an authenticator: ask for the code.
    NeedTotp { challenge: String },
    /// Staff without an authenticator yet: show the secret and ask for the first code.
    EnrolTotp {
        challenge: String,
        secret: String,
        otpauth_uri: String,
        qr_svg: String,
    },
}

/// A demo login shown on the home page in demo mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogin {
    pub role: Role,
    pub login: String,
    pub password: String,
    pub display_name: String,
    pub totp_secret: Option<String>,
    pub totp_code: Option<String>,
}

/// A person of the demo population registry, for trying identity verification (demo mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPerson {
    pub name: String,
    pub resident_id: String,
    /// What the demo credit registry holds on them.
    pub credit: crate::domain::case::CreditLevel,
}

/// One staff account in the admin list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<OrgUnitName>,
    pub service_centre: Option<OrgUnitName>,
    pub totp_enrolled: bool,
    pub removed: bool,
}

/// Departments and service centres, for pickers and the admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Organisation {
    pub departments: Vec<Department>,
    pub service_centres: Vec<ServiceCentre>,
}
