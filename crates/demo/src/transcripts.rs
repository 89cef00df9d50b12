//! Sales conversations in Portuguese, composed from fragments so that no two read alike.
//!
//! A conversation is first a dialogue (who said what), then rendered in the shape its channel
//! arrives in: a timestamped call or video transcript (`[00:00:05] Vendedor (Ana): ...`), a WhatsApp
//! export (`27/11/2026 14:05 - Ana Souza: ...`) or an e-mail thread with headers. The analyser reads
//! these exact shapes, so the demo exercises it as real uploads would.
//!
//! What a dialogue covers depends on the seller's skill: a skilled seller asks about situation,
//! pain, impact, critical event and decision (SPICED) and ends with a dated next step; a weaker one
//! skips elements, gets vague answers and hangs up with "qualquer coisa me chama". That spread is
//! what gives the ranking, the coaching page and the playbook scores something to show.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use domain::ConversationChannel;
use domain::Locale;
use domain::format::format_decimal;
use rand::Rng;
use rust_decimal::Decimal;

use crate::offering::Offering;
use crate::vocabulary::{FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, ascii_slug, pick};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Speaker {
    Seller,
    Client,
}

struct Turn {
    speaker: Speaker,
    text: String,
}

/// The people of one conversation, as the transcript names them.
pub struct Participants<'a> {
    pub seller_name: &'a str,
    pub seller_email: &'a str,
    pub client_name: &'a str,
    pub client_email: &'a str,
    pub client_company: &'a str,
}

/// How a conversation should go.
#[derive(Debug, Clone, Copy)]
pub struct DialogueStyle {
    /// 0.0–1.0: how much of the methodology the seller covers, and how well.
    pub skill: f64,
    /// Fewer turns (the scale tenant): no small talk, no follow-up questions.
    pub brief: bool,
}

/// A rendered conversation.
pub struct Transcript {
    pub text: String,
    /// For calls and video meetings: from the first word to the last.
    pub duration_seconds: Option<i32>,
}

/// Writes one conversation on `channel`, starting at `start` (the company's local time).
pub fn write_conversation<R: Rng>(
    rng: &mut R,
    channel: ConversationChannel,
    offering: &Offering,
    people: &Participants<'_>,
    start: NaiveDateTime,
    style: DialogueStyle,
) -> Transcript {
    let slots = Slots::draw(rng, offering, people, start.date());
    let turns = compose_dialogue(rng, channel, offering, &slots, style);
    match channel {
        ConversationChannel::Call | ConversationChannel::Video => {
            let (text, seconds) = render_spoken(rng, &turns, &slots);
            Transcript {
                text,
                duration_seconds: Some(seconds),
            }
        }
        ConversationChannel::Whatsapp => Transcript {
            text: render_whatsapp(rng, &turns, people, start),
            duration_seconds: None,
        },
        ConversationChannel::Email => Transcript {
            text: render_email(rng, &turns, people, offering, start),
            duration_seconds: None,
        },
    }
}

/// The values a conversation's placeholders take, drawn once so the client quotes the same
/// numbers and names throughout.
struct Slots {
    client: String,
    seller: String,
    org: &'static str,
    product: &'static str,
    company: String,
    competitor: &'static str,
    percent: String,
    money: String,
    /// A monthly bill, larger than any of the `money` amounts quoted beside it.
    bill: String,
    price: String,
    unit: &'static str,
    month: &'static str,
    next_date: String,
    next_weekday: &'static str,
    hour: &'static str,
    decider: String,
    quantity: String,
}

const MONTHS_PT: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];

const DECIDER_ROLES: &[&str] = &[
    "diretor financeiro",
    "CEO",
    "sócio",
    "diretor de operações",
    "presidente",
];
const DECIDER_ROLES_F: &[&str] = &[
    "diretora financeira",
    "CEO",
    "sócia",
    "diretora de operações",
    "presidente",
];
const MEETING_HOURS: &[&str] = &[
    "9h", "10h", "10h30", "11h", "14h", "14h30", "15h", "16h", "17h",
];

/// One line of a fragment list.
fn one<'a, R: Rng>(rng: &mut R, lines: &[&'a str]) -> &'a str {
    let line: &&'a str = pick(rng, lines);
    line
}

fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

fn weekday_pt(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "segunda-feira",
        Weekday::Tue => "terça-feira",
        Weekday::Wed => "quarta-feira",
        Weekday::Thu => "quinta-feira",
        Weekday::Fri => "sexta-feira",
        Weekday::Sat => "sábado",
        Weekday::Sun => "domingo",
    }
}

/// A business day `days` ahead, skipping the weekend.
fn business_day_after(date: NaiveDate, days: i64) -> NaiveDate {
    let mut day = date + Duration::days(days);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

fn grouped(value: u32) -> String {
    format_decimal(Decimal::from(value), 0, Locale::PtBr)
}

impl Slots {
    fn draw<R: Rng>(
        rng: &mut R,
        offering: &Offering,
        people: &Participants<'_>,
        date: NaiveDate,
    ) -> Self {
        let next = business_day_after(date, rng.random_range(2..9));
        let month_index = (date.month0() + rng.random_range(1..5)) % 12;
        let female = rng.random_bool(0.4);
        let decider_first = if female {
            *pick(rng, FEMALE_FIRST_NAMES)
        } else {
            *pick(rng, MALE_FIRST_NAMES)
        };
        let decider = if female {
            format!("a {decider_first}, nossa {}", pick(rng, DECIDER_ROLES_F))
        } else {
            format!("o {decider_first}, nosso {}", pick(rng, DECIDER_ROLES))
        };
        let (price_min, price_max) = offering.unit_price;
        let (quantity_min, quantity_max) = offering.quantity;
        Self {
            client: first_name(people.client_name).to_owned(),
            seller: first_name(people.seller_name).to_owned(),
            org: offering.seller_company,
            product: offering.product,
            company: people.client_company.to_owned(),
            competitor: *pick(rng, offering.competitors),
            percent: rng.random_range(8..36).to_string(),
            money: format!("{} mil", rng.random_range(12..420)),
            bill: format!("{} mil", rng.random_range(450..1_800)),
            price: grouped(rng.random_range(price_min..=price_max)),
            unit: offering.price_unit,
            month: MONTHS_PT[month_index as usize],
            next_date: format!("{:02}/{:02}", next.day(), next.month()),
            next_weekday: weekday_pt(next.weekday()),
            hour: *pick(rng, MEETING_HOURS),
            decider,
            quantity: grouped(rng.random_range(quantity_min..=quantity_max)),
        }
    }

    fn value(&self, key: &str) -> Option<&str> {
        Some(match key {
            "cliente" => &self.client,
            "vendedor" => &self.seller,
            "org" => self.org,
            "produto" => self.product,
            "empresa" => &self.company,
            "concorrente" => self.competitor,
            "pct" => &self.percent,
            "valor" => &self.money,
            "conta" => &self.bill,
            "preco" => &self.price,
            "unidade" => self.unit,
            "mes" => self.month,
            "data" => &self.next_date,
            "dia" => self.next_weekday,
            "hora" => self.hour,
            "decisor" => &self.decider,
            "qtd" => &self.quantity,
            _ => return None,
        })
    }

    /// Replaces `{key}` by its value; an unknown key is left as written, so a typo in a fragment
    /// shows in the demo instead of silently vanishing.
    fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let key = &after[..close];
                    match self.value(key) {
                        Some(value) => out.push_str(value),
                        None => {
                            out.push('{');
                            out.push_str(key);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

// Fragments shared by every offering. The client's substance comes from the offering.
const OPENING_SPOKEN: &[(&str, &str)] = &[
    (
        "Oi, {cliente}, bom dia! Aqui é {vendedor}, da {org}. Tudo bem com você?",
        "Tudo ótimo, {vendedor}. Pode falar.",
    ),
    (
        "Boa tarde, {cliente}! {vendedor} falando, da {org}. Está me ouvindo bem?",
        "Oi, {vendedor}! Estou sim, tudo certo.",
    ),
    (
        "Olá, {cliente}, tudo certo? Obrigado por separar esse tempo hoje.",
        "Tudo bem. Só tenho uns trinta minutos, tá?",
    ),
    (
        "Bom dia, {cliente}! É {vendedor}, da {org}, conforme combinamos por e-mail.",
        "Bom dia! Correria de fim de mês, mas vamos lá.",
    ),
];
const OPENING_WRITTEN: &[(&str, &str)] = &[
    (
        "Oi, {cliente}, tudo bem? Aqui é {vendedor}, da {org}. Vi que você baixou nosso material sobre o {produto}.",
        "Oi, {vendedor}. Tudo bem, sim. Baixei, estava pesquisando.",
    ),
    (
        "Olá, {cliente}! {vendedor} da {org}. Posso te fazer umas perguntas rápidas sobre a {empresa}?",
        "Pode sim, mas estou entre reuniões.",
    ),
    (
        "Bom dia, {cliente}! Conforme conversamos, seguem algumas perguntas para eu entender melhor o cenário.",
        "Bom dia! Claro, vamos lá.",
    ),
];
const AGENDA: &[(&str, &str)] = &[
    (
        "A ideia de hoje é entender como funciona a operação de vocês e ver se o {produto} faz sentido. Pode ser?",
        "Pode ser, perfeito.",
    ),
    (
        "Pensei em dividir assim: você me conta o cenário atual, eu mostro rapidamente a solução e no final combinamos os próximos passos. Tudo bem?",
        "Combinado.",
    ),
    (
        "Antes de falar da solução, queria ouvir mais de você. Tudo bem?",
        "Fechado, vamos nessa.",
    ),
];
const SITUATION_QUESTIONS: &[&str] = &[
    "Me conta um pouco: como é o cenário hoje na {empresa}?",
    "Como vocês lidam com isso hoje? Quem cuida do assunto?",
    "O que vocês já tentaram até agora?",
];
const PAIN_QUESTIONS: &[&str] = &[
    "E o que mais incomoda nesse processo hoje?",
    "Qual é o principal problema que vocês enfrentam com isso?",
    "Se você pudesse mudar uma coisa amanhã, o que seria?",
];
const IMPACT_QUESTIONS: &[&str] = &[
    "E quanto isso custa para vocês, mais ou menos? Tem algum número?",
    "Qual o impacto disso no resultado do mês?",
    "Vocês já mediram quanto isso representa em dinheiro ou em horas da equipe?",
];
const CRITICAL_EVENT_QUESTIONS: &[&str] = &[
    "Existe alguma data limite para resolver isso?",
    "Por que resolver isso agora e não daqui a seis meses?",
    "Tem algum evento ou prazo que torna isso urgente?",
];
const DECISION_QUESTIONS: &[&str] = &[
    "Além de você, quem mais participa dessa decisão?",
    "Como funciona a aprovação de uma contratação como essa aí?",
    "Quem assina no final? Tem jurídico ou compras envolvido?",
];
const BUDGET_QUESTIONS: &[&str] = &[
    "Vocês já têm um orçamento previsto para isso?",
    "Tem alguma verba reservada para esse projeto este ano?",
];
const VAGUE_ANSWERS: &[&str] = &[
    "Olha, não sei te dizer de cabeça.",
    "Isso eu teria que ver com o pessoal.",
    "Hmm, não paramos para pensar nisso ainda.",
    "Depende, é difícil dizer agora.",
    "Não sei, sinceramente. Talvez.",
];
const ACKNOWLEDGEMENTS: &[&str] = &[
    "Entendi.",
    "Faz sentido.",
    "Certo, anotei aqui.",
    "Interessante, me conta mais sobre isso.",
    "Nossa, imagino.",
    "Isso é bem comum no setor de vocês.",
];
const CLIENT_ACKNOWLEDGEMENTS: &[&str] = &[
    "Entendi.",
    "Certo.",
    "Ok, faz sentido.",
    "Interessante.",
    "Hmm, legal.",
];
const COMPETITOR_MENTIONS: &[&str] = &[
    "A gente já usa o {concorrente} hoje, na verdade.",
    "Estamos conversando também com o {concorrente}.",
    "O {concorrente} me ofereceu algo parecido, e mais barato.",
];
const COMPETITOR_RESPONSES: &[&str] = &[
    "Entendo. O que vocês mais gostam no {concorrente} e o que sentem falta?",
    "Muitos clientes nossos vieram do {concorrente}. A diferença que mais citam é o suporte e a implantação acompanhada.",
    "Faz sentido comparar. Posso te mandar um comparativo lado a lado com o {concorrente}?",
];
const COMPETITOR_FOLLOW_UPS: &[&str] = &[
    "Manda sim, vou olhar com calma.",
    "O suporte deles é bem fraco, para ser sincero.",
    "O preço deles é bom, mas a equipe reclama bastante.",
];
const PRICE_QUESTIONS: &[&str] = &[
    "E quanto custa isso?",
    "Qual é o investimento?",
    "Me passa uma ideia de valores?",
];
const PRICE_ANSWERS: &[&str] = &[
    "Para o tamanho de vocês, fica em torno de R$ {preco} {unidade}, com implantação inclusa.",
    "O plano que eu recomendaria sai por R$ {preco} {unidade}, em contrato anual.",
    "Nossa tabela começa em R$ {preco} {unidade}; no volume de vocês dá para melhorar um pouco.",
];
const PRICE_OBJECTIONS: &[&str] = &[
    "Hmm, está caro. Nosso orçamento para isso é bem menor.",
    "Achei salgado, sinceramente.",
    "Está caro para o momento que a gente vive.",
];
const PRICE_OBJECTION_RESPONSES: &[&str] = &[
    "Entendo. Mas se a gente reduzir {pct}% daquele custo que você comentou, o investimento se paga em poucos meses.",
    "Posso montar um cálculo de retorno com os números de vocês? Normalmente o payback fica abaixo de seis meses.",
    "Consigo estudar uma condição no pagamento anual, mas antes queria garantir que o valor ficou claro.",
];
const PARTNER_OBJECTIONS: &[&str] = &[
    "Preciso falar com meu sócio antes de qualquer coisa.",
    "Isso eu não decido sozinho, preciso levar para o meu sócio.",
];
const PARTNER_RESPONSES: &[&str] = &[
    "Claro. Que tal marcarmos uma conversa rápida com ele também? Assim eu tiro as dúvidas direto.",
    "Perfeito. O que você acha que ele vai perguntar? Posso te ajudar a preparar o caso.",
];
const TIMING_OBJECTIONS: &[&str] = &[
    "Agora não é um bom momento, estamos no meio do fechamento do ano.",
    "Talvez no ano que vem. Agora a equipe está toda ocupada com outro projeto.",
];
const TIMING_RESPONSES: &[&str] = &[
    "Entendo. Se começarmos o projeto agora, a implantação termina antes do pico de vocês. Faz sentido avaliarmos?",
    "Tranquilo. Posso te procurar em {mes} então?",
];
const NEXT_STEPS: &[(&str, &str)] = &[
    (
        "Então fica assim: eu te mando a proposta até {dia}, {data}, e marcamos a apresentação com {decisor}?",
        "Fechado, pode mandar.",
    ),
    (
        "Proposta: agendo uma demonstração com a sua equipe na {dia}, {data}, às {hora}. Funciona?",
        "Funciona. Me manda o convite.",
    ),
    (
        "Vou te enviar o material hoje ainda e te ligo na {dia}, {data}, às {hora}, para alinharmos.",
        "Pode ser, combinado.",
    ),
    (
        "Próximo passo: reunião técnica na {dia}, {data}, às {hora}, com o pessoal de TI de vocês. Pode ser?",
        "Pode ser. Vou confirmar com eles e te aviso.",
    ),
];
const LOOSE_ENDINGS: &[(&str, &str)] = &[
    (
        "Bom, qualquer coisa você me chama então.",
        "Combinado, obrigado.",
    ),
    (
        "Então tá, fico à disposição.",
        "Beleza, qualquer coisa eu te procuro.",
    ),
    ("Vou deixar você pensar e a gente se fala.", "Ok."),
];
const CLOSINGS: &[(&str, &str)] = &[
    (
        "Obrigado pelo tempo, {cliente}! Ótimo dia para você.",
        "Obrigado, {vendedor}. Até mais.",
    ),
    ("Valeu, {cliente}. Até breve!", "Abraço!"),
    (
        "Muito obrigado pela conversa, {cliente}.",
        "Eu que agradeço. Até mais.",
    ),
];
const WARM_REMARKS: &[&str] = &[
    "Gostei bastante, viu? Acho que resolve nosso problema.",
    "Isso é exatamente o que a gente estava procurando.",
];
const COLD_REMARKS: &[&str] = &[
    "Sinceramente, não vejo muito valor nisso para nós.",
    "Já ouvi essa promessa de outros fornecedores.",
    "Não sei se a equipe vai querer mudar de novo.",
];

/// Which way the client leans, which decides a remark or two.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mood {
    Warm,
    Neutral,
    Cold,
}

struct Dialogue<'s> {
    slots: &'s Slots,
    turns: Vec<Turn>,
}

impl Dialogue<'_> {
    fn seller(&mut self, template: &str) {
        self.turns.push(Turn {
            speaker: Speaker::Seller,
            text: self.slots.fill(template),
        });
    }
    fn client(&mut self, template: &str) {
        self.turns.push(Turn {
            speaker: Speaker::Client,
            text: self.slots.fill(template),
        });
    }
    fn exchange(&mut self, pair: &(&str, &str)) {
        self.seller(pair.0);
        self.client(pair.1);
    }
}

fn compose_dialogue<R: Rng>(
    rng: &mut R,
    channel: ConversationChannel,
    offering: &Offering,
    slots: &Slots,
    style: DialogueStyle,
) -> Vec<Turn> {
    let skill = style.skill.clamp(0.0, 1.0);
    let chatty = !style.brief;
    let mood = match rng.random_range(0..100) {
        0..=14 => Mood::Cold,
        15..=49 => Mood::Warm,
        _ => Mood::Neutral,
    };
    let mut d = Dialogue {
        slots,
        turns: Vec::with_capacity(40),
    };
    let spoken = matches!(
        channel,
        ConversationChannel::Call | ConversationChannel::Video
    );

    if channel != ConversationChannel::Email {
        d.exchange(pick(
            rng,
            if spoken {
                OPENING_SPOKEN
            } else {
                OPENING_WRITTEN
            },
        ));
    }
    if spoken && chatty && rng.random_bool(0.3 + 0.6 * skill) {
        d.exchange(pick(rng, AGENDA));
    }

    // One methodology element: the seller asks, the client answers well or vaguely.
    let element =
        |d: &mut Dialogue<'_>, rng: &mut R, chance: f64, questions: &[&str], answers: &[&str]| {
            if !rng.random_bool(chance.clamp(0.0, 1.0)) {
                return;
            }
            d.seller(one(rng, questions));
            if rng.random_bool(0.1 + 0.25 * (1.0 - skill)) {
                d.client(one(rng, VAGUE_ANSWERS));
            } else {
                d.client(one(rng, answers));
                if chatty && rng.random_bool(0.35) {
                    d.seller(one(rng, ACKNOWLEDGEMENTS));
                    d.client(one(rng, offering.client_details));
                }
            }
        };
    element(
        &mut d,
        rng,
        0.65 + 0.35 * skill,
        SITUATION_QUESTIONS,
        offering.situations,
    );
    element(
        &mut d,
        rng,
        0.45 + 0.5 * skill,
        PAIN_QUESTIONS,
        offering.pains,
    );
    element(
        &mut d,
        rng,
        0.15 + 0.75 * skill,
        IMPACT_QUESTIONS,
        offering.impacts,
    );
    element(
        &mut d,
        rng,
        0.1 + 0.75 * skill,
        CRITICAL_EVENT_QUESTIONS,
        offering.critical_events,
    );
    element(
        &mut d,
        rng,
        0.15 + 0.75 * skill,
        DECISION_QUESTIONS,
        offering.decisions,
    );
    element(
        &mut d,
        rng,
        0.1 + 0.5 * skill,
        BUDGET_QUESTIONS,
        offering.budgets,
    );

    if rng.random_bool(0.75) {
        d.seller(one(rng, offering.pitches));
        if chatty && rng.random_bool(0.6) {
            let (question, answer) = pick(rng, offering.product_questions);
            d.client(question);
            d.seller(answer);
        }
        match mood {
            Mood::Warm => d.client(one(rng, WARM_REMARKS)),
            Mood::Cold => d.client(one(rng, COLD_REMARKS)),
            Mood::Neutral => d.client(one(rng, CLIENT_ACKNOWLEDGEMENTS)),
        }
    }
    if rng.random_bool(0.35) {
        d.client(one(rng, COMPETITOR_MENTIONS));
        d.seller(one(rng, COMPETITOR_RESPONSES));
        if chatty {
            d.client(one(rng, COMPETITOR_FOLLOW_UPS));
        }
    }
    if rng.random_bool(0.65) {
        d.client(one(rng, PRICE_QUESTIONS));
        d.seller(one(rng, PRICE_ANSWERS));
        if rng.random_bool(if mood == Mood::Warm { 0.3 } else { 0.6 }) {
            d.client(one(rng, PRICE_OBJECTIONS));
            d.seller(one(rng, PRICE_OBJECTION_RESPONSES));
        }
    }
    if rng.random_bool(0.25) {
        d.client(one(rng, PARTNER_OBJECTIONS));
        d.seller(one(rng, PARTNER_RESPONSES));
    }
    if mood == Mood::Cold && rng.random_bool(0.5) {
        d.client(one(rng, TIMING_OBJECTIONS));
        d.seller(one(rng, TIMING_RESPONSES));
    }
    if rng.random_bool(0.3 + 0.65 * skill) {
        d.exchange(pick(rng, NEXT_STEPS));
    } else {
        d.exchange(pick(rng, LOOSE_ENDINGS));
    }
    if channel != ConversationChannel::Email {
        d.exchange(pick(rng, CLOSINGS));
    }
    // Short exchanges get small talk so even the thinnest call reads as a conversation.
    while chatty && d.turns.len() < 10 {
        let at = d.turns.len().saturating_sub(2).max(1);
        let detail = Turn {
            speaker: Speaker::Client,
            text: slots.fill(one(rng, offering.client_details)),
        };
        let ack = Turn {
            speaker: Speaker::Seller,
            text: slots.fill(one(rng, ACKNOWLEDGEMENTS)),
        };
        d.turns.insert(at, detail);
        d.turns.insert(at, ack);
    }
    d.turns
}

fn clock(seconds: i32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

/// Call and video transcripts: `[hh:mm:ss] Vendedor (Ana): ...`, timed by how long each line takes
/// to say plus a pause.
fn render_spoken<R: Rng>(rng: &mut R, turns: &[Turn], slots: &Slots) -> (String, i32) {
    let mut text = String::with_capacity(turns.len() * 110);
    let mut at: i32 = rng.random_range(2..9);
    for turn in turns {
        let label = match turn.speaker {
            Speaker::Seller => format!("Vendedor ({})", slots.seller),
            Speaker::Client => format!("Cliente ({})", slots.client),
        };
        text.push_str(&format!("[{}] {label}: {}\n", clock(at), turn.text));
        let words = turn.text.split_whitespace().count() as i32;
        at += words * 2 / 5 + rng.random_range(2..12);
    }
    (text, at)
}

fn whatsapp_stamp(at: NaiveDateTime) -> String {
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        at.day(),
        at.month(),
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// Between 8:00 and 11:00 of the day after `at` (or of `at`'s own day, when it is before dawn).
fn next_morning<R: Rng>(rng: &mut R, at: NaiveDateTime) -> NaiveDateTime {
    let day = if at.hour() < 8 {
        at.date()
    } else {
        at.date() + Duration::days(1)
    };
    day.and_time(NaiveTime::MIN) + Duration::minutes(rng.random_range(8 * 60..11 * 60))
}

/// A WhatsApp chat export as Brazilian phones write it: `27/11/2026 14:05 - Ana Souza: ...`.
fn render_whatsapp<R: Rng>(
    rng: &mut R,
    turns: &[Turn],
    people: &Participants<'_>,
    start: NaiveDateTime,
) -> String {
    let mut text = String::with_capacity(turns.len() * 100);
    let mut at = start;
    for turn in turns {
        let name = match turn.speaker {
            Speaker::Seller => people.seller_name,
            Speaker::Client => people.client_name,
        };
        text.push_str(&format!("{} - {name}: {}\n", whatsapp_stamp(at), turn.text));
        at = if rng.random_bool(0.08) {
            // The thread picks up again the next morning.
            next_morning(rng, at)
        } else {
            at + Duration::minutes(rng.random_range(0..7))
        };
    }
    text
}

const SIGN_OFFS: &[&str] = &[
    "Abraços,",
    "Atenciosamente,",
    "Obrigado,",
    "Att.,",
    "Um abraço,",
];

/// An e-mail thread, oldest first, each message with its headers. Lines of the dialogue are
/// grouped into messages: the seller's questions of a few exchanges in one e-mail, the client's
/// answers in the reply.
fn render_email<R: Rng>(
    rng: &mut R,
    turns: &[Turn],
    people: &Participants<'_>,
    offering: &Offering,
    start: NaiveDateTime,
) -> String {
    let subject = format!("{} – {}", offering.product, people.client_company);
    let seller_first = first_name(people.seller_name);
    let client_first = first_name(people.client_name);
    let mut messages: Vec<(Speaker, Vec<&str>)> = Vec::new();
    let mut rest = turns;
    while !rest.is_empty() {
        let take = rest.len().min(rng.random_range(4..7));
        let (block, tail) = rest.split_at(take);
        for speaker in [Speaker::Seller, Speaker::Client] {
            let lines: Vec<&str> = block
                .iter()
                .filter(|t| t.speaker == speaker)
                .map(|t| t.text.as_str())
                .collect();
            if !lines.is_empty() {
                messages.push((speaker, lines));
            }
        }
        rest = tail;
    }
    let mut text = String::with_capacity(turns.len() * 140);
    let mut at = start;
    for (index, (speaker, lines)) in messages.iter().enumerate() {
        let (from_name, from_email, to_name, to_email, greeting_name, signature) = match speaker {
            Speaker::Seller => (
                people.seller_name,
                people.seller_email,
                people.client_name,
                people.client_email,
                client_first,
                format!("{}\n{}", people.seller_name, offering.seller_company),
            ),
            Speaker::Client => (
                people.client_name,
                people.client_email,
                people.seller_name,
                people.seller_email,
                seller_first,
                format!("{}\n{}", people.client_name, people.client_company),
            ),
        };
        if index > 0 {
            text.push_str("\n----------------------------------------\n\n");
        }
        let prefix = if index == 0 { "" } else { "Re: " };
        text.push_str(&format!(
            "De: {from_name} <{from_email}>\nPara: {to_name} <{to_email}>\nData: {}\nAssunto: {prefix}{subject}\n\n",
            whatsapp_stamp(at)
        ));
        text.push_str(&format!("Olá, {greeting_name},\n\n"));
        for line in lines {
            text.push_str(line);
            text.push_str("\n\n");
        }
        text.push_str(&format!("{}\n{signature}\n", pick(rng, SIGN_OFFS)));
        at += Duration::hours(rng.random_range(1..30)) + Duration::minutes(rng.random_range(0..60));
        if !(8..19).contains(&at.hour()) {
            // Nobody in the thread answers e-mail at night.
            at = next_morning(rng, at);
        }
    }
    text
}

/// A plausible e-mail for a person at a company: `roberto.ribeiro@transportesribeiro.com.br`.
pub fn business_email(person: &str, company: &str) -> String {
    let local = ascii_slug(person, '.');
    let domain: String = ascii_slug(company, '-')
        .split('-')
        .filter(|word| !matches!(*word, "ltda" | "s" | "a" | "me" | "filhos" | "comercio"))
        .take(2)
        .collect();
    format!("{local}@{domain}.com.br")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offering::{ACME_ROTAS, GLOBEX_SOLAR};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn people() -> Participants<'static> {
        Participants {
            seller_name: "Ana Souza",
            seller_email: "agente1@acme.com.br",
            client_name: "Roberto Ribeiro",
            client_email: "roberto.ribeiro@transportesribeiro.com.br",
            client_company: "Transportes Ribeiro Ltda",
        }
    }

    fn start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(14, 5, 0))
            .expect("valid date")
    }

    #[test]
    fn call_transcripts_are_timestamped_lines_of_seller_and_client() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..50 {
            let style = DialogueStyle {
                skill: rng.random_range(0.0..1.0),
                brief: false,
            };
            let t = write_conversation(
                &mut rng,
                ConversationChannel::Call,
                &ACME_ROTAS,
                &people(),
                start(),
                style,
            );
            let lines: Vec<&str> = t.text.lines().collect();
            assert!(
                (10..=40).contains(&lines.len()),
                "{} turns:\n{}",
                lines.len(),
                t.text
            );
            for line in &lines {
                assert!(line.starts_with('['), "{line}");
                assert!(
                    line.contains("] Vendedor (Ana): ") || line.contains("] Cliente (Roberto): "),
                    "{line}"
                );
                assert!(!line.contains('{'), "unfilled placeholder: {line}");
            }
            assert!(t.duration_seconds.is_some_and(|s| s > 30));
        }
    }

    #[test]
    fn whatsapp_threads_use_the_brazilian_export_format() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let t = write_conversation(
            &mut rng,
            ConversationChannel::Whatsapp,
            &GLOBEX_SOLAR,
            &people(),
            start(),
            DialogueStyle {
                skill: 0.8,
                brief: false,
            },
        );
        let first = t.text.lines().next().expect("a first message");
        assert!(
            first.starts_with("27/11/2026 14:05 - Ana Souza: "),
            "{first}"
        );
        assert!(t.duration_seconds.is_none());
        assert!(!t.text.contains('{'));
    }

    #[test]
    fn emails_carry_headers_and_replies() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let t = write_conversation(
            &mut rng,
            ConversationChannel::Email,
            &ACME_ROTAS,
            &people(),
            start(),
            DialogueStyle {
                skill: 0.9,
                brief: false,
            },
        );
        assert!(
            t.text
                .starts_with("De: Ana Souza <agente1@acme.com.br>\nPara: Roberto Ribeiro"),
            "{}",
            t.text
        );
        assert!(
            t.text
                .contains("Assunto: Re: Acme Rotas – Transportes Ribeiro Ltda"),
            "{}",
            t.text
        );
    }

    #[test]
    fn skilled_sellers_cover_more_of_the_methodology_than_weak_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let mut covered = |skill: f64| {
            (0..200)
                .filter(|_| {
                    let style = DialogueStyle {
                        skill,
                        brief: false,
                    };
                    let t = write_conversation(
                        &mut rng,
                        ConversationChannel::Call,
                        &ACME_ROTAS,
                        &people(),
                        start(),
                        style,
                    );
                    CRITICAL_EVENT_QUESTIONS.iter().any(|q| t.text.contains(q))
                })
                .count()
        };
        let weak = covered(0.1);
        let strong = covered(0.95);
        assert!(strong > weak * 2, "strong {strong} vs weak {weak}");
    }

    #[test]
    fn business_emails_are_plain_ascii() {
        assert_eq!(
            business_email("João Araújo", "Transportes Ribeiro & Filhos Ltda"),
            "joao.araujo@transportesribeiro.com.br"
        );
    }
}
