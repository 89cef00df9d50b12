//! What each role may do, decided in one place, default-deny.
//!
//! Plain functions of (role, action, resource, ownership): the server calls them before every
//! read and write (hiding a button is never the check), and pages call the same functions to
//! decide what to show. PRODUCT.md "Who uses it": DIRECTOR — all of the company; MANAGER — the
//! squads they lead and those squads' members; AGENT — their own records plus the ranking; staff
//! (ADMIN) inside a tenant — a director's rights.

use domain::UserRole;

use crate::company::Feature;
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
    matches!(
        resource,
        Resource::Lead | Resource::Deal | Resource::Conversation | Resource::Objective
    )
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
            User => {
                action == Read && matches!(ownership, Own | LedSquad)
                    || (action == Update && ownership == Own)
            }
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
        Area::Users => matches!(
            role,
            UserRole::Director | UserRole::Admin | UserRole::Manager
        ),
        Area::Audit | Area::Integrations | Area::Settings | Area::AiUsage => {
            matches!(role, UserRole::Director | UserRole::Admin)
        }
        Area::Bots => role != UserRole::Agent,
        _ => true,
    }
}

/// Only staff reach the staff console.
pub fn may_use_staff_console(role: UserRole) -> bool {
    role == UserRole::Admin
}

/// Who administers a company's people and squads (invite, change role, area and LinkedIn,
/// deactivate, shape squads): whoever may change another person's record — DIRECTOR and staff.
/// A MANAGER's own record is theirs to edit on their profile, never here.
pub fn may_manage_people(role: UserRole) -> bool {
    allows(role, Action::Update, Resource::User, Ownership::Other)
        && allows(role, Action::Update, Resource::Squad, Ownership::Other)
}

/// The roles a person may give someone of a company (inviting, or changing a role): directors and
/// staff give DIRECTOR, MANAGER or AGENT. Nobody gives ADMIN inside a company: staff users exist
/// outside every company and are created only in the staff console.
pub fn may_assign_role(actor: UserRole, role: UserRole) -> bool {
    matches!(actor, UserRole::Director | UserRole::Admin) && role != UserRole::Admin
}

/// Which feature flags a role may switch. Staff switch every flag (they decide what a company's
/// contract includes); a DIRECTOR switches only `ranking_visibility`, a choice about their own
/// team, and sees the others read-only.
pub fn may_set_feature(role: UserRole, feature: Feature) -> bool {
    match role {
        UserRole::Admin => true,
        UserRole::Director => feature == Feature::RankingVisibility,
        UserRole::Manager | UserRole::Agent => false,
    }
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
        // Administration (users, squads, the company, its audit log).
        (Director, Create, User, Other, true),
        (Director, Update, User, Other, true),
        (Director, Create, Squad, Other, true),
        (Director, Delete, Squad, Other, true),
        (Admin, Create, User, Other, true),
        (Admin, Update, Company, Other, true),
        (Admin, Read, AuditLog, Other, true),
        (Manager, Read, User, Other, false),
        (Manager, Update, User, Own, true),
        (Manager, Delete, User, LedSquad, false),
        (Manager, Read, Squad, Own, true),
        (Manager, Create, Squad, Other, false),
        (Manager, Delete, Squad, LedSquad, false),
        (Agent, Create, User, Other, false),
        (Agent, Update, Company, Other, false),
    ];

    #[test]
    fn the_role_table_holds() {
        for (role, action, resource, ownership, expected) in TABLE {
            assert_eq!(
                allows(*role, *action, *resource, *ownership),
                *expected,
                "{role:?} {action:?} {resource:?} {ownership:?}"
            );
        }
    }

    #[test]
    fn an_agent_may_never_touch_anyone_elses_record() {
        for resource in [
            Lead,
            Deal,
            Conversation,
            Objective,
            User,
            Squad,
            AuditLog,
            Integration,
            Company,
            Bot,
            AiUsage,
        ] {
            for action in [Read, Create, Update, Delete] {
                for ownership in [Other, LedSquad, Unowned] {
                    assert!(
                        !allows(Agent, action, resource, ownership),
                        "{action:?} {resource:?} {ownership:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn agents_are_kept_out_of_administration_areas() {
        for area in [
            Area::Users,
            Area::Audit,
            Area::Integrations,
            Area::Settings,
            Area::AiUsage,
            Area::Bots,
        ] {
            assert!(!may_use_area(Agent, area), "{area:?}");
            assert!(
                may_use_area(Director, area) && may_use_area(Admin, area),
                "{area:?}"
            );
        }
        assert!(may_use_area(Agent, Area::Ranking));
        assert!(may_use_area(Manager, Area::Users));
        assert!(!may_use_area(Manager, Area::Audit));
    }

    /// (acting role, role given) → allowed: every pair.
    const ROLE_GRANTS: &[(UserRole, UserRole, bool)] = &[
        (Admin, Admin, false),
        (Admin, Director, true),
        (Admin, Manager, true),
        (Admin, Agent, true),
        (Director, Admin, false),
        (Director, Director, true),
        (Director, Manager, true),
        (Director, Agent, true),
        (Manager, Admin, false),
        (Manager, Director, false),
        (Manager, Manager, false),
        (Manager, Agent, false),
        (Agent, Admin, false),
        (Agent, Director, false),
        (Agent, Manager, false),
        (Agent, Agent, false),
    ];

    #[test]
    fn only_directors_and_staff_manage_people() {
        for role in UserRole::ALL {
            assert_eq!(
                may_manage_people(*role),
                matches!(role, Director | Admin),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_directors_and_staff_give_roles_and_nobody_gives_admin() {
        assert_eq!(ROLE_GRANTS.len(), UserRole::ALL.len() * UserRole::ALL.len());
        for (actor, role, expected) in ROLE_GRANTS {
            assert_eq!(
                may_assign_role(*actor, *role),
                *expected,
                "{actor:?} gives {role:?}"
            );
        }
    }

    #[test]
    fn staff_switch_every_flag_and_a_director_only_the_ranking() {
        use crate::company::Feature;
        for feature in Feature::ALL {
            assert!(may_set_feature(Admin, feature), "{feature:?}");
            assert_eq!(
                may_set_feature(Director, feature),
                feature == Feature::RankingVisibility,
                "{feature:?}"
            );
            assert!(
                !may_set_feature(Manager, feature) && !may_set_feature(Agent, feature),
                "{feature:?}"
            );
        }
    }

    #[test]
    fn only_staff_reach_the_console() {
        assert!(may_use_staff_console(Admin));
        for role in [Director, Manager, Agent] {
            assert!(!may_use_staff_console(role));
        }
    }
}
