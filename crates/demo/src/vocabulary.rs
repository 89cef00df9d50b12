//! The Brazilian words the demo is made of: people, companies, cities, job titles, lead sources.
//!
//! Kept apart from the generators so the lists can grow without touching any logic, and so the
//! generators read as "pick a name, pick a city" rather than as walls of string literals. Every
//! list is a non-empty constant, which is what lets [`pick`] index without a fallible path.

use rand::Rng;

/// One item of a non-empty constant list, chosen by the company's generator.
pub fn pick<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

pub const FEMALE_FIRST_NAMES: &[&str] = &[
    "Ana",
    "Beatriz",
    "Camila",
    "Carolina",
    "Daniela",
    "Fernanda",
    "Gabriela",
    "Helena",
    "Isabela",
    "Juliana",
    "Larissa",
    "Letícia",
    "Luana",
    "Mariana",
    "Natália",
    "Patrícia",
    "Priscila",
    "Renata",
    "Sabrina",
    "Tatiane",
    "Vanessa",
    "Aline",
    "Bruna",
    "Cláudia",
    "Débora",
    "Elaine",
    "Flávia",
    "Giovana",
    "Jéssica",
    "Karina",
    "Lorena",
    "Márcia",
    "Paula",
    "Raquel",
    "Simone",
    "Thaís",
];

pub const MALE_FIRST_NAMES: &[&str] = &[
    "André",
    "Bruno",
    "Carlos",
    "Daniel",
    "Diego",
    "Eduardo",
    "Felipe",
    "Gabriel",
    "Gustavo",
    "Henrique",
    "Igor",
    "João",
    "José",
    "Leonardo",
    "Lucas",
    "Marcelo",
    "Marcos",
    "Mateus",
    "Paulo",
    "Pedro",
    "Rafael",
    "Ricardo",
    "Roberto",
    "Rodrigo",
    "Sérgio",
    "Thiago",
    "Vinícius",
    "Antônio",
    "Caio",
    "Fábio",
    "Guilherme",
    "Júlio",
    "Leandro",
    "Otávio",
    "Renato",
    "Wagner",
];

pub const SURNAMES: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Pinto",
    "Campos",
    "Correia",
    "Azevedo",
    "Monteiro",
    "Cavalcanti",
    "Barros",
    "Moura",
    "Nogueira",
    "Siqueira",
    "Tavares",
    "Brandão",
    "Pacheco",
    "Fonseca",
];

/// A kind of business, with the words its company names and custom fields use.
pub struct Sector {
    /// Shown in `custom_fields.segmento`.
    pub label: &'static str,
    /// Leading words of a company name ("Transportes" Ribeiro Ltda).
    pub name_prefixes: &'static [&'static str],
}

pub const SECTORS: &[Sector] = &[
    Sector {
        label: "Logística",
        name_prefixes: &["Transportes", "Logística", "Expresso", "Cargas"],
    },
    Sector {
        label: "Indústria",
        name_prefixes: &["Metalúrgica", "Indústria", "Plásticos", "Embalagens"],
    },
    Sector {
        label: "Varejo",
        name_prefixes: &["Supermercados", "Distribuidora", "Atacadão", "Magazine"],
    },
    Sector {
        label: "Agronegócio",
        name_prefixes: &["Agropecuária", "Sementes", "Grãos", "Agro"],
    },
    Sector {
        label: "Saúde",
        name_prefixes: &["Clínica", "Laboratório", "Hospital", "Farmácias"],
    },
    Sector {
        label: "Construção",
        name_prefixes: &["Construtora", "Engenharia", "Incorporadora", "Materiais"],
    },
    Sector {
        label: "Tecnologia",
        name_prefixes: &["Sistemas", "Tecnologia", "Software", "Digital"],
    },
    Sector {
        label: "Educação",
        name_prefixes: &["Colégio", "Faculdade", "Escola", "Instituto"],
    },
    Sector {
        label: "Alimentos",
        name_prefixes: &["Alimentos", "Laticínios", "Frigorífico", "Bebidas"],
    },
    Sector {
        label: "Serviços",
        name_prefixes: &["Consultoria", "Serviços", "Facilities", "Segurança"],
    },
];

pub const COMPANY_SUFFIXES: &[&str] = &[
    "Ltda",
    "Ltda",
    "Ltda",
    "S.A.",
    "& Filhos Ltda",
    "ME",
    "Comércio Ltda",
];

pub const COMPANY_SIZES: &[&str] = &["Pequena", "Média", "Média", "Grande", "Enterprise"];

/// A city with its area code (DDD) and state, for phones and custom fields.
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub area_code: u8,
}

pub const CITIES: &[City] = &[
    City {
        name: "São Paulo",
        state: "SP",
        area_code: 11,
    },
    City {
        name: "São Paulo",
        state: "SP",
        area_code: 11,
    },
    City {
        name: "Campinas",
        state: "SP",
        area_code: 19,
    },
    City {
        name: "Rio de Janeiro",
        state: "RJ",
        area_code: 21,
    },
    City {
        name: "Belo Horizonte",
        state: "MG",
        area_code: 31,
    },
    City {
        name: "Curitiba",
        state: "PR",
        area_code: 41,
    },
    City {
        name: "Porto Alegre",
        state: "RS",
        area_code: 51,
    },
    City {
        name: "Florianópolis",
        state: "SC",
        area_code: 48,
    },
    City {
        name: "Joinville",
        state: "SC",
        area_code: 47,
    },
    City {
        name: "Brasília",
        state: "DF",
        area_code: 61,
    },
    City {
        name: "Goiânia",
        state: "GO",
        area_code: 62,
    },
    City {
        name: "Salvador",
        state: "BA",
        area_code: 71,
    },
    City {
        name: "Recife",
        state: "PE",
        area_code: 81,
    },
    City {
        name: "Fortaleza",
        state: "CE",
        area_code: 85,
    },
    City {
        name: "Manaus",
        state: "AM",
        area_code: 92,
    },
    City {
        name: "Belém",
        state: "PA",
        area_code: 91,
    },
    City {
        name: "Ribeirão Preto",
        state: "SP",
        area_code: 16,
    },
    City {
        name: "Londrina",
        state: "PR",
        area_code: 43,
    },
];

pub const POSITIONS: &[&str] = &[
    "Diretor Comercial",
    "Diretora Comercial",
    "Gerente de Compras",
    "CEO",
    "Sócio-fundador",
    "Diretor Financeiro (CFO)",
    "Head de Operações",
    "Gerente de Logística",
    "Coordenador de TI",
    "Gerente Administrativo",
    "Diretora de Operações",
    "Supervisor de Frota",
    "Analista de Compras",
    "Gerente Comercial",
    "COO",
    "Gerente de Suprimentos",
    "Diretor Industrial",
    "Controller",
];

/// Where leads came from, as a CRM would label it.
pub const LEAD_SOURCES: &[&str] = &[
    "Inbound - Site",
    "Inbound - Site",
    "Indicação",
    "LinkedIn",
    "Evento",
    "Outbound",
    "Outbound",
    "Google Ads",
    "Parceiro",
    "Webinar",
];

/// Lead statuses, as stable lowercase keys (the interface translates them).
pub const LEAD_STATUSES: &[&str] = &[
    "new",
    "contacted",
    "contacted",
    "qualified",
    "qualified",
    "nurturing",
    "unqualified",
    "customer",
];

/// A person's full name, with one or two surnames.
pub fn person_name<R: Rng>(rng: &mut R) -> String {
    let first = if rng.random_bool(0.5) {
        *pick(rng, FEMALE_FIRST_NAMES)
    } else {
        *pick(rng, MALE_FIRST_NAMES)
    };
    let surname = *pick(rng, SURNAMES);
    if rng.random_bool(0.35) {
        let middle = *pick(rng, SURNAMES);
        if middle != surname {
            return format!("{first} {middle} {surname}");
        }
    }
    format!("{first} {surname}")
}

/// A Brazilian mobile number in the display format CRMs export: `+55 11 9xxxx-xxxx`.
pub fn mobile_phone<R: Rng>(rng: &mut R, area_code: u8) -> String {
    let head: u32 = rng.random_range(1000..10000);
    let tail: u32 = rng.random_range(0..10000);
    format!("+55 {area_code} 9{head:04}-{tail:04}")
}

/// Lowercase ASCII for e-mail local parts and domains: "João Araújo" becomes "joao.araujo".
pub fn ascii_slug(text: &str, separator: char) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let plain = match ch {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' => 'a',
            'é' | 'ê' | 'è' | 'É' | 'Ê' => 'e',
            'í' | 'î' | 'Í' => 'i',
            'ó' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ô' | 'Õ' => 'o',
            'ú' | 'ü' | 'Ú' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => separator,
        };
        if plain == separator && (out.is_empty() || out.ends_with(separator)) {
            continue;
        }
        out.push(plain);
    }
    while out.ends_with(separator) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn accents_and_punctuation_become_plain_ascii() {
        assert_eq!(ascii_slug("João Araújo", '.'), "joao.araujo");
        assert_eq!(
            ascii_slug("Transportes Ribeiro & Filhos Ltda", '-'),
            "transportes-ribeiro-filhos-ltda"
        );
        assert_eq!(ascii_slug("S.A.", '-'), "s-a");
    }

    #[test]
    fn phones_follow_the_brazilian_mobile_format() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let phone = mobile_phone(&mut rng, 11);
            assert_eq!(phone.len(), "+55 11 91234-5678".len(), "{phone}");
            assert!(phone.starts_with("+55 11 9"), "{phone}");
            assert_eq!(&phone[12..13], "-", "{phone}");
        }
    }
}
