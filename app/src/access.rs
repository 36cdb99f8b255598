//! Authorization rules in one place: which roles may use each page and each server function.
//! Pages and navigation read [`PAGES`]; server functions call `authz::require` with the same
//! [`Access`] values, so the browser never offers what the server would refuse. The server also
//! checks [`SERVER_FNS`] before a call's arguments are read: a caller who may not use a function
//! learns 401 or 403, never whether their input would have been valid. Ownership (an applicant's
//! own drafts and cases, an approver's own department, an inspector's own streets) is checked by
//! the services.

use crate::domain::Role;
use crate::i18n::Msg;

/// Who may use something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Signed-in accounts with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
        }
    }
}

pub const APPLICANTS: Access = Access::Roles(&[Role::Applicant]);
pub const FRONT_DESK: Access = Access::Roles(&[Role::FrontDesk]);
pub const APPROVERS: Access = Access::Roles(&[Role::Approver]);
pub const INSPECTORS: Access = Access::Roles(&[Role::Inspector]);
pub const ADMINS: Access = Access::Roles(&[Role::Admin]);
/// Who may fill in a draft: its applicant, and the front-desk worker filing it for them (代办).
pub const DRAFT_EDITORS: Access = Access::Roles(&[Role::Applicant, Role::FrontDesk]);
/// Who reviews person–ID checks: the front desk, and the service office.
pub const IDENTITY_REVIEWERS: Access = Access::Roles(&[Role::FrontDesk, Role::Admin]);

/// A workspace page and who may open it.
pub struct Page {
    pub path: &'static str,
    pub access: Access,
    pub nav_label: Msg,
}

/// The role workspaces, in navigation order.
pub const PAGES: &[Page] = &[
    Page {
        path: "/catalogue",
        access: Access::Public,
        nav_label: Msg::NavCatalogue,
    },
    Page {
        path: "/statistics",
        access: Access::Public,
        nav_label: Msg::NavStatistics,
    },
    Page {
        path: "/my/cases",
        access: APPLICANTS,
        nav_label: Msg::NavMyCases,
    },
    Page {
        path: "/desk",
        access: FRONT_DESK,
        nav_label: Msg::NavDesk,
    },
    Page {
        path: "/approvals",
        access: APPROVERS,
        nav_label: Msg::NavApprovals,
    },
    Page {
        path: "/inspections",
        access: INSPECTORS,
        nav_label: Msg::NavInspections,
    },
    Page {
        path: "/admin",
        access: ADMINS,
        nav_label: Msg::NavAdmin,
    },
    Page {
        path: "/account",
        access: Access::SignedIn,
        nav_label: Msg::NavAccount,
    },
];

/// Who may call each server function, by endpoint (`/api/<endpoint>`). A function missing here
/// cannot be called at all (the gate fails closed); a unit test keeps this list and the
/// registered functions in step.
pub const SERVER_FNS: &[(&str, Access)] = &[
    // Sessions and accounts.
    ("session/current", Access::Public),
    ("session/whoami", Access::SignedIn),
    ("auth/register", Access::Public),
    ("auth/login", Access::Public),
    ("auth/totp", Access::Public),
    ("auth/logout", Access::SignedIn),
    ("account/password", Access::SignedIn),
    ("demo/logins", Access::Public),
    ("demo/people", Access::Public),
    // The published catalogue and licence verification.
    ("catalogue/search", Access::Public),
    ("catalogue/item", Access::Public),
    ("catalogue/bundle", Access::Public),
    ("catalogue/departments", Access::Public),
    ("verify", Access::Public),
    // Statistics: the public figures, and the service office's dashboard.
    ("statistics/public", Access::Public),
    ("statistics/dashboard", ADMINS),
    // The applicant: identity, applications, cases, notifications, commitments, licences.
    ("identity/status", APPLICANTS),
    ("identity/send-code", APPLICANTS),
    ("identity/confirm-contact", APPLICANTS),
    ("identity/verify-resident", APPLICANTS),
    ("identity/request-person-check", APPLICANTS),
    ("applications/start", APPLICANTS),
    ("applications/draft", DRAFT_EDITORS),
    ("applications/save", DRAFT_EDITORS),
    ("applications/discard", APPLICANTS),
    ("applications/file/remove", DRAFT_EDITORS),
    ("applications/submit", APPLICANTS),
    ("applications/mine", APPLICANTS),
    ("applications/case", APPLICANTS),
    ("applications/withdraw", APPLICANTS),
    ("applications/answer-notice", APPLICANTS),
    ("applications/answer-supplement", APPLICANTS),
    ("notifications/list", APPLICANTS),
    ("notifications/read", APPLICANTS),
    ("commitments/letter", APPLICANTS),
    ("commitments/send-code", APPLICANTS),
    ("commitments/sign", APPLICANTS),
    ("licences/of-case", APPLICANTS),
    ("licences/delivery", APPLICANTS),
    // The front desk.
    ("desk/person-checks", IDENTITY_REVIEWERS),
    ("desk/person-check/decide", IDENTITY_REVIEWERS),
    ("desk/queue", FRONT_DESK),
    ("desk/case", FRONT_DESK),
    ("desk/claim", FRONT_DESK),
    ("desk/release", FRONT_DESK),
    ("desk/accept", FRONT_DESK),
    ("desk/return", FRONT_DESK),
    ("desk/refuse", FRONT_DESK),
    ("desk/filing/find", FRONT_DESK),
    ("desk/filing/start", FRONT_DESK),
    ("desk/filings", FRONT_DESK),
    ("desk/paper", FRONT_DESK),
    ("desk/dispatch", FRONT_DESK),
    ("desk/courier-outcome", FRONT_DESK),
    ("desk/pickup", FRONT_DESK),
    // Approvers and inspectors.
    ("approvals/queue", APPROVERS),
    ("approvals/task", APPROVERS),
    ("approvals/decide", APPROVERS),
    ("approvals/extend", APPROVERS),
    ("inspections/queue", INSPECTORS),
    ("inspections/task", INSPECTORS),
    ("inspections/record", INSPECTORS),
    // The service office.
    ("admin/organisation", ADMINS),
    ("admin/staff/list", ADMINS),
    ("admin/staff/create", ADMINS),
    ("admin/staff/role", ADMINS),
    ("admin/staff/remove", ADMINS),
    ("admin/calendar", ADMINS),
    ("admin/calendar/set", ADMINS),
    ("admin/calendar/remove", ADMINS),
    ("admin/audit/verify", ADMINS),
    ("admin/revoke-licence", ADMINS),
    ("admin/feed-token", ADMINS),
    ("admin/catalogue/list", ADMINS),
    ("admin/catalogue/item", ADMINS),
    ("admin/catalogue/item/save", ADMINS),
    ("admin/catalogue/item/publish", ADMINS),
    ("admin/catalogue/item/unpublish", ADMINS),
    ("admin/catalogue/bundle", ADMINS),
    ("admin/catalogue/bundle/save", ADMINS),
    ("admin/catalogue/bundle/publish", ADMINS),
    ("admin/catalogue/bundle/unpublish", ADMINS),
    ("admin/catalogue/shared-fields", ADMINS),
];

/// The rule of the server function at `endpoint` (without the `/api/` prefix), if it has one.
pub fn server_fn_access(endpoint: &str) -> Option<Access> {
    SERVER_FNS
        .iter()
        .find(|(known, _)| *known == endpoint)
        .map(|(_, access)| *access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_reaches_exactly_its_own_workspace() {
        for role in Role::ALL {
            let workspaces: Vec<&str> = PAGES
                .iter()
                .filter(|page| {
                    matches!(page.access, Access::Roles(_)) && page.access.allows(Some(role))
                })
                .map(|page| page.path)
                .collect();
            assert_eq!(workspaces, vec![role.home_path()], "{role:?}");
        }
    }

    #[test]
    fn signed_out_visitors_reach_only_public_things() {
        assert!(Access::Public.allows(None));
        assert!(!Access::SignedIn.allows(None));
        assert!(!ADMINS.allows(None));
        assert!(!ADMINS.allows(Some(Role::Applicant)));
    }

    #[test]
    fn each_server_function_has_one_rule() {
        let mut endpoints: Vec<&str> = SERVER_FNS.iter().map(|(endpoint, _)| *endpoint).collect();
        endpoints.sort_unstable();
        let count = endpoints.len();
        endpoints.dedup();
        assert_eq!(endpoints.len(), count, "an endpoint listed twice");
    }

    /// Every registered server function has a rule and every rule a function: a new function
    /// without a rule would be unreachable, a stale rule would hide a typo.
    #[cfg(feature = "ssr")]
    #[test]
    fn the_rules_name_exactly_the_registered_server_functions() {
        let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.strip_prefix("/api/").unwrap_or(path).to_owned())
            .collect();
        registered.sort_unstable();
        let mut ruled: Vec<String> = SERVER_FNS
            .iter()
            .map(|(endpoint, _)| (*endpoint).to_owned())
            .collect();
        ruled.sort_unstable();
        assert_eq!(registered, ruled);
    }
}
