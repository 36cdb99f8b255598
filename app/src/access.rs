//! Authorization rules in one place: which roles may use each page and each server function.
//! Pages and navigation read [`PAGES`]; server functions call `authz::require` with the same
//! [`Access`] values, so the browser never offers what the server would refuse.

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
}
