//! Who is in each demo company: its people, squads, what it sells and how much data it gets.
//!
//! The standard tenants have fixed, memorable sign-ins (`diretora@acme.com.br`, `agente1@...`) so a
//! demo script can name them; the scale tenant's people are generated because there are many.
//! Everything else about a company (leads, deals, conversations) is drawn from its generator.

use domain::UserArea;
use rand::Rng;
use rust_decimal::Decimal;

use crate::ScaleOptions;
use crate::offering::{ACME_ROTAS, GLOBEX_SOLAR, Offering};
use crate::vocabulary::{ascii_slug, person_name};

pub struct PersonSpec {
    pub name: String,
    pub email: String,
    pub linkedin: Option<String>,
    pub area: UserArea,
}

impl PersonSpec {
    fn new(name: &str, email: &str, area: UserArea, on_linkedin: bool) -> Self {
        let linkedin =
            on_linkedin.then(|| format!("https://www.linkedin.com/in/{}", ascii_slug(name, '-')));
        Self {
            name: name.to_owned(),
            email: email.to_owned(),
            linkedin,
            area,
        }
    }
}

pub struct SquadSpec {
    pub name: String,
    /// `sales`, `pre_sales` or `cs`.
    pub kind: &'static str,
    pub target_monthly: Decimal,
    pub manager: PersonSpec,
    pub agents: Vec<PersonSpec>,
}

/// The sales methodology of a company's playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methodology {
    Spiced,
    Bant,
}

pub struct CompanySpec {
    pub slug: &'static str,
    pub name: &'static str,
    pub domain: &'static str,
    /// The seed of the company's generator: fixed, so every run writes the same company.
    pub seed: u64,
    pub offering: &'static Offering,
    pub methodology: Methodology,
    /// Whether agents see the whole ranking; acme shows it, globex shows only one's own position.
    pub ranking_visibility: bool,
    pub director: PersonSpec,
    pub squads: Vec<SquadSpec>,
    pub leads: usize,
    pub deals: usize,
    pub conversations: usize,
    /// Short transcripts, for the scale tenant.
    pub brief_transcripts: bool,
    /// Three objectives (revenue, sales, CS) instead of one revenue objective.
    pub full_okrs: bool,
    /// A few open deals quoted in US dollars, so per-currency totals have something to show.
    pub usd_deals: usize,
}

fn agents(
    domain: &str,
    names: &[&str],
    first_number: usize,
    linkedin_every: usize,
) -> Vec<PersonSpec> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let number = first_number + i;
            PersonSpec::new(
                name,
                &format!("agente{number}@{domain}"),
                UserArea::Sales,
                !number.is_multiple_of(linkedin_every),
            )
        })
        .collect()
}

pub fn acme() -> CompanySpec {
    let domain = "acme.com.br";
    CompanySpec {
        slug: "acme",
        name: "Acme Vendas",
        domain,
        seed: 0xAC3E_2026,
        offering: &ACME_ROTAS,
        methodology: Methodology::Spiced,
        ranking_visibility: true,
        director: PersonSpec::new("Mariana Costa", "diretora@acme.com.br", UserArea::Gtm, true),
        squads: vec![
            SquadSpec {
                name: "Squad Sul".into(),
                kind: "sales",
                target_monthly: Decimal::from(450_000),
                manager: PersonSpec::new(
                    "Ricardo Almeida",
                    "gerente.sul@acme.com.br",
                    UserArea::Sales,
                    true,
                ),
                agents: agents(
                    domain,
                    &[
                        "Ana Souza",
                        "Bruno Carvalho",
                        "Camila Rocha",
                        "Diego Martins",
                    ],
                    1,
                    3,
                ),
            },
            SquadSpec {
                name: "Squad Norte".into(),
                kind: "pre_sales",
                target_monthly: Decimal::from(300_000),
                manager: PersonSpec::new(
                    "Fernanda Lima",
                    "gerente.norte@acme.com.br",
                    UserArea::Sales,
                    false,
                ),
                agents: agents(
                    domain,
                    &[
                        "Eduarda Nunes",
                        "Felipe Araújo",
                        "Gabriela Teixeira",
                        "Henrique Barros",
                    ],
                    5,
                    3,
                ),
            },
        ],
        leads: 300,
        deals: 200,
        conversations: 150,
        brief_transcripts: false,
        full_okrs: true,
        usd_deals: 2,
    }
}

pub fn globex() -> CompanySpec {
    let domain = "globex.com.br";
    CompanySpec {
        slug: "globex",
        name: "Globex Brasil",
        domain,
        seed: 0x610B_E202,
        offering: &GLOBEX_SOLAR,
        methodology: Methodology::Bant,
        ranking_visibility: false,
        director: PersonSpec::new("Paulo Mendes", "diretor@globex.com.br", UserArea::Gtm, true),
        squads: vec![SquadSpec {
            name: "Vendas Corporativas".into(),
            kind: "sales",
            target_monthly: Decimal::from(600_000),
            manager: PersonSpec::new(
                "Juliana Freitas",
                "gerente@globex.com.br",
                UserArea::Sales,
                true,
            ),
            agents: agents(
                domain,
                &["Lucas Pereira", "Renata Dias", "Thiago Moreira"],
                1,
                2,
            ),
        }],
        leads: 80,
        deals: 50,
        conversations: 30,
        brief_transcripts: false,
        full_okrs: false,
        usd_deals: 0,
    }
}

const SCALE_SQUADS: [(&str, &str); 5] = [
    ("Squad Sudeste", "sales"),
    ("Squad Sul", "sales"),
    ("Squad Nordeste", "sales"),
    ("Squad Centro-Oeste", "pre_sales"),
    ("Squad Norte", "cs"),
];

/// The seed of the scale tenant, which its people's names are drawn from too.
pub const ESCALA_SEED: u64 = 0xE5CA_1A00;

/// The load-test tenant: `options.agents` agents spread over five squads. `rng` is the tenant's
/// own generator (seeded with [`ESCALA_SEED`]), which goes on to draw the rest of its data.
pub fn escala<R: Rng>(rng: &mut R, options: &ScaleOptions) -> CompanySpec {
    let domain = "escala.com.br";
    let mut squads: Vec<SquadSpec> = SCALE_SQUADS
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| SquadSpec {
            name: (*name).to_owned(),
            kind,
            target_monthly: Decimal::ZERO,
            manager: PersonSpec::new(
                &person_name(rng),
                &format!("gerente{}@{domain}", i + 1),
                UserArea::Sales,
                true,
            ),
            agents: Vec::new(),
        })
        .collect();
    let squad_count = squads.len();
    for number in 1..=options.agents {
        let name = person_name(rng);
        let agent = PersonSpec::new(
            &name,
            &format!("agente{number}@{domain}"),
            UserArea::Sales,
            !number.is_multiple_of(4),
        );
        squads[(number - 1) % squad_count].agents.push(agent);
    }
    for squad in &mut squads {
        squad.target_monthly = Decimal::from(120_000_u64 * squad.agents.len() as u64);
    }
    CompanySpec {
        slug: "escala",
        name: "Escala Distribuidora",
        domain,
        seed: ESCALA_SEED,
        offering: &ACME_ROTAS,
        methodology: Methodology::Spiced,
        ranking_visibility: true,
        director: PersonSpec::new(
            "Roberta Sampaio",
            "diretor@escala.com.br",
            UserArea::Gtm,
            false,
        ),
        squads,
        leads: options.leads,
        deals: options.deals,
        conversations: options.conversations,
        brief_transcripts: true,
        full_okrs: true,
        usd_deals: 0,
    }
}
