//! The five roles of the portal (DESIGN.md §2) and what each one is bound to.

use serde::{Deserialize, Serialize};

use super::Problem;

/// Who a signed-in account acts as. Applicants register themselves; every other role is staff,
/// created by an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Applicant,
    FrontDesk,
    Approver,
    Inspector,
    Admin,
}

/// What a staff role must be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Front-desk workers belong to one service centre.
    ServiceCentre,
    /// Approvers belong to one department.
    Department,
    None,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Applicant,
        Role::FrontDesk,
        Role::Approver,
        Role::Inspector,
        Role::Admin,
    ];
    pub const STAFF: [Role; 4] = [
        Role::FrontDesk,
        Role::Approver,
        Role::Inspector,
        Role::Admin,
    ];

    /// The code stored in the database and used in URLs and the CLI.
    pub const fn code(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::FrontDesk => "front_desk",
            Role::Approver => "approver",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Result<Self, Problem> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == code.trim())
            .ok_or(Problem::UnknownChoice)
    }

    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Applicant)
    }

    pub const fn binding(self) -> Binding {
        match self {
            Role::FrontDesk => Binding::ServiceCentre,
            Role::Approver => Binding::Department,
            _ => Binding::None,
        }
    }

    /// The workspace page each role lands on after signing in.
    pub const fn home_path(self) -> &'static str {
        match self {
            Role::Applicant => "/my/cases",
            Role::FrontDesk => "/desk",
            Role::Approver => "/approvals",
            Role::Inspector => "/inspections",
            Role::Admin => "/admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_code() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
    }

    #[test]
    fn unknown_role_code_is_rejected() {
        assert_eq!(Role::parse("superuser"), Err(Problem::UnknownChoice));
    }

    #[test]
    fn only_front_desk_and_approver_need_a_binding() {
        assert_eq!(Role::FrontDesk.binding(), Binding::ServiceCentre);
        assert_eq!(Role::Approver.binding(), Binding::Department);
        assert_eq!(Role::Admin.binding(), Binding::None);
        assert!(!Role::Applicant.is_staff());
        assert!(Role::Inspector.is_staff());
    }
}
