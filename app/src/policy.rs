//! What each role may do, decided in one place, default-deny.
//!
//! Plain functions of (role, action, resource, ownership): the server calls them before every
//! read and write (hiding a button is never the check), and pages call the same functions to
//! decide what to show. PRODUCT.md "Who uses it": DIRECTOR — all of the company; MANAGER — the
//! squads they lead and those squads' members; AGENT — their own records plus the ranking; staff
//! (ADMIN) inside a tenant — a director's rights.

use domain::UserRole;

use crate::shell::Area;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
}

/// Kinds of things a tenant holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The company's own settings, stages, feature flags.
    Company,
    User,
    Squad,
    AuditLog,
    Integration,
    Lead,
    Deal,
    Conversation,
    Playbook,
    Objective,
    Bot,
    Alert,
    AiUsage,
}

/// How a record relates to the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Theirs (owner, author, or themselves).
    Own,
    /// Owned by a member of a squad they lead.
    LedSquad,
    /// Owned by nobody.
    Unowned,
    /// Anyone else's.
    Other,
}

/// Records that belong to one person (an owner), as opposed to company-wide configuration.
fn is_owned_record(resource: Resource) -> bool {
    matches!(resource, Resource::Lead | Resource::Deal | Resource::Conversation | Resource::Objective)
}

pub fn allows(role: UserRole, action: Action, resource: Resource, ownership: Ownership) -> bool {
    use Action::*;
    use Ownership::*;
    use Resource::*;
    match role {
        UserRole::Director | UserRole::Admin => true,
        UserRole::Manager => match resource {
            r if is_owned_record(r) => match ownership {
                Own | LedSquad => true,
                Unowned => action == Read || action == Update,
                Other => false,
            },
            // Their squads and those squads' people, read-only; their own profile is theirs.
            User => action == Read && matches!(ownership, Own | LedSquad) || (action == Update && ownership == Own),
            Squad => action == Read && matches!(ownership, Own | LedSquad),
            Playbook => action == Read || matches!(ownership, LedSquad),
            Alert => matches!(action, Read | Update) && matches!(ownership, Own | LedSquad),
            Bot => action == Read,
            Company | AuditLog | Integration | AiUsage => false,
            _ => false,
        },
        UserRole::Agent => match resource {
            r if is_owned_record(r) => ownership == Own && action != Delete,
            User => ownership == Own && matches!(action, Read | Update),
            Playbook => action == Read,
            Alert => ownership == Own && matches!(action, Read | Update),
            _ => false,
        },
    }
}

/// Whether a role may open an area at all: an AGENT on the users page is 403, not an empty page.
pub fn may_use_area(role: UserRole, area: Area) -> bool {
    match area {
        Area::Users => matches!(role, UserRole::Director | UserRole::Admin | UserRole::Manager),
        Area::Audit | Area::Integrations | Area::Settings | Area::AiUsage => matches!(role, UserRole::Director | UserRole::Admin),
        Area::Bots => role != UserRole::Agent,
        _ => true,
    }
}

/// Only staff reach the staff console.
pub fn may_use_staff_console(role: UserRole) -> bool {
    role == UserRole::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Ownership::*;
    use Resource::*;
    use UserRole::*;

    /// (role, action, resource, ownership) → allowed, as PRODUCT.md describes the roles.
    const TABLE: &[(UserRole, Action, Resource, Ownership, bool)] = &[
        (Director, Delete, Deal, Other, true),
        (Director, Update, Company, Other, true),
        (Director, Read, AuditLog, Other, true),
        (Admin, Update, Integration, Other, true),
        (Manager, Read, Deal, LedSquad, true),
        (Manager, Update, Deal, LedSquad, true),
        (Manager, Read, Deal, Unowned, true),
        (Manager, Delete, Deal, Unowned, false),
        (Manager, Read, Deal, Other, false),
        (Manager, Read, Lead, Other, false),
        (Manager, Read, User, LedSquad, true),
        (Manager, Update, User, LedSquad, false),
        (Manager, Create, User, Other, false),
        (Manager, Read, Squad, LedSquad, true),
        (Manager, Update, Squad, LedSquad, false),
        (Manager, Read, Squad, Other, false),
        (Manager, Read, AuditLog, Other, false),
        (Manager, Update, Company, Other, false),
        (Manager, Read, Integration, Other, false),
        (Agent, Read, Deal, Own, true),
        (Agent, Update, Deal, Own, true),
        (Agent, Delete, Deal, Own, false),
        (Agent, Read, Deal, Other, false),
        (Agent, Read, Deal, Unowned, false),
        (Agent, Read, Deal, LedSquad, false),
        (Agent, Read, Conversation, Other, false),
        (Agent, Read, User, Other, false),
        (Agent, Update, User, Own, true),
        (Agent, Read, Squad, Own, false),
        (Agent, Read, AuditLog, Own, false),
        (Agent, Create, Integration, Own, false),
        (Agent, Read, Playbook, Other, true),
        (Agent, Update, Playbook, Own, false),
    ];

    #[test]
    fn the_role_table_holds() {
        for (role, action, resource, ownership, expected) in TABLE {
            assert_eq!(allows(*role, *action, *resource, *ownership), *expected, "{role:?} {action:?} {resource:?} {ownership:?}");
        }
    }

    #[test]
    fn an_agent_may_never_touch_anyone_elses_record() {
        for resource in [Lead, Deal, Conversation, Objective, User, Squad, AuditLog, Integration, Company, Bot, AiUsage] {
            for action in [Read, Create, Update, Delete] {
                for ownership in [Other, LedSquad, Unowned] {
                    assert!(!allows(Agent, action, resource, ownership), "{action:?} {resource:?} {ownership:?}");
                }
            }
        }
    }

    #[test]
    fn agents_are_kept_out_of_administration_areas() {
        for area in [Area::Users, Area::Audit, Area::Integrations, Area::Settings, Area::AiUsage, Area::Bots] {
            assert!(!may_use_area(Agent, area), "{area:?}");
            assert!(may_use_area(Director, area) && may_use_area(Admin, area), "{area:?}");
        }
        assert!(may_use_area(Agent, Area::Ranking));
        assert!(may_use_area(Manager, Area::Users));
        assert!(!may_use_area(Manager, Area::Audit));
    }

    #[test]
    fn only_staff_reach_the_console() {
        assert!(may_use_staff_console(Admin));
        for role in [Director, Manager, Agent] {
            assert!(!may_use_staff_console(role));
        }
    }
}
