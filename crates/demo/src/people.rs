//! A company's users, squads and memberships, drawn from its [`CompanySpec`].
//!
//! Managers lead exactly the squad they manage (`is_leader`), agents belong to one squad each, and
//! each agent gets a skill that the conversation generator turns into methodology coverage — so
//! the ranking has a top and a bottom instead of eight identical agents.

use domain::{UserArea, UserRole};
use rand::Rng;

use crate::calendar::{DemoCalendar, cuid};
use crate::rows::{SquadMemberRow, SquadRow, UserRow};
use crate::tenants::{CompanySpec, PersonSpec};

/// An agent as the record generators see it: who owns leads and deals and talks to clients.
pub struct Seller {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// 0.0–1.0, how much of the playbook this agent covers in conversations.
    pub skill: f64,
}

pub struct People {
    pub users: Vec<UserRow>,
    pub squads: Vec<SquadRow>,
    pub members: Vec<SquadMemberRow>,
    pub sellers: Vec<Seller>,
    pub director_id: String,
    /// Each squad's id with its manager's user id, in the order of the spec.
    pub squad_leads: Vec<(String, String)>,
}

fn user<R: Rng>(
    rng: &mut R,
    calendar: &DemoCalendar,
    person: &PersonSpec,
    role: UserRole,
) -> UserRow {
    let created_at = calendar.moment_within(rng, 200..420);
    let last_login_at = Some(calendar.moment_within(rng, 0..6));
    UserRow {
        id: cuid(rng),
        email: person.email.clone(),
        name: person.name.clone(),
        linkedin: person.linkedin.clone(),
        role,
        area: person.area,
        last_login_at,
        created_at,
    }
}

pub fn draw_people<R: Rng>(rng: &mut R, calendar: &DemoCalendar, spec: &CompanySpec) -> People {
    let director = user(rng, calendar, &spec.director, UserRole::Director);
    let director_id = director.id.clone();
    let mut people = People {
        users: vec![director],
        squads: Vec::new(),
        members: Vec::new(),
        sellers: Vec::new(),
        director_id,
        squad_leads: Vec::new(),
    };
    for squad in &spec.squads {
        let squad_row = SquadRow {
            id: cuid(rng),
            name: squad.name.clone(),
            kind: squad.kind,
            target_monthly: squad.target_monthly,
            created_at: calendar.moment_within(rng, 380..430),
        };
        let manager = user(rng, calendar, &squad.manager, UserRole::Manager);
        people
            .squad_leads
            .push((squad_row.id.clone(), manager.id.clone()));
        people.members.push(SquadMemberRow {
            id: cuid(rng),
            user_id: manager.id.clone(),
            squad_id: squad_row.id.clone(),
            is_leader: true,
            joined_at: manager.created_at,
        });
        people.users.push(manager);
        for agent in &squad.agents {
            let mut row = user(rng, calendar, agent, UserRole::Agent);
            if squad.kind == "cs" {
                row.area = UserArea::CxCs;
            }
            people.members.push(SquadMemberRow {
                id: cuid(rng),
                user_id: row.id.clone(),
                squad_id: squad_row.id.clone(),
                is_leader: false,
                joined_at: row.created_at,
            });
            people.sellers.push(Seller {
                user_id: row.id.clone(),
                name: row.name.clone(),
                email: row.email.clone(),
                skill: rng.random_range(0.2..0.95),
            });
            people.users.push(row);
        }
        people.squads.push(squad_row);
    }
    people
}
