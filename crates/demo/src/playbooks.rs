//! The demo playbooks: acme's SPICED playbook in two versions, globex's BANT playbook.
//!
//! Two versions of one playbook, the older INACTIVE and the newer ACTIVE with `parent_version_id`
//! pointing back, give the version history and the side-by-side diff something real to compare.
//! Content follows the seed's JSON shape (sections with questions, objections with responses,
//! automations); each section also names the methodology element it covers, so the analyser can
//! tie a question to `situation`, `pain` and so on.

use chrono::Duration;
use domain::{PlaybookFunction, PlaybookStatus};
use rand::Rng;
use serde_json::{Value, json};

use crate::calendar::{DemoCalendar, cuid};
use crate::rows::PlaybookRow;
use crate::tenants::Methodology;

pub struct Playbooks {
    pub rows: Vec<PlaybookRow>,
    /// The version conversations are scored against.
    pub active_id: String,
}

fn section(element: &str, title: &str, questions: &[&str]) -> Value {
    json!({ "element": element, "title": title, "questions": questions })
}

fn objection(objection: &str, response: &str) -> Value {
    json!({ "objection": objection, "response": response })
}

fn spiced_v1() -> Value {
    json!({
        "sections": [
            section("situation", "Situação", &["Como vocês fazem isso hoje?", "Quantas pessoas estão envolvidas no processo?"]),
            section("pain", "Dor", &["Qual é o principal problema que vocês enfrentam?"]),
            section("impact", "Impacto", &["Quanto isso custa por mês?"]),
            section("critical_event", "Evento crítico", &["Existe alguma data limite para resolver isso?"]),
            section("decision", "Decisão", &["Quem participa da decisão?"]),
        ],
        "objections": [
            objection("Está caro", "Vamos falar sobre ROI: quanto custa não resolver esse problema?"),
            objection("Já usamos um concorrente", "O que vocês mais gostam nele e o que sentem falta?"),
        ],
        "automations": { "auto_fill_crm": true }
    })
}

fn spiced_v2() -> Value {
    json!({
        "sections": [
            section("situation", "Situação", &[
                "Como vocês fazem isso hoje?",
                "Quantas pessoas estão envolvidas no processo?",
                "Vocês usam alguma ferramenta ou é na planilha?",
            ]),
            section("pain", "Dor", &[
                "Qual é o principal problema que vocês enfrentam?",
                "Se pudesse mudar uma coisa amanhã, o que seria?",
            ]),
            section("impact", "Impacto", &[
                "Quanto isso custa por mês, em dinheiro ou em horas?",
                "Qual o efeito disso no resultado do trimestre?",
            ]),
            section("critical_event", "Evento crítico", &[
                "Existe alguma data limite para resolver isso?",
                "O que acontece se nada mudar até lá?",
            ]),
            section("decision", "Decisão", &[
                "Além de você, quem participa da decisão?",
                "Como funciona a aprovação: compras, jurídico, conselho?",
                "Quem assina no final?",
            ]),
            section("next_steps", "Próximos passos", &["Qual é o próximo passo, com data e participantes?"]),
        ],
        "objections": [
            objection("Está caro", "Vamos falar sobre ROI: com a redução de custo que você citou, em quantos meses o investimento se paga?"),
            objection("Já usamos um concorrente", "O que vocês mais gostam nele e o que sentem falta? Posso enviar um comparativo lado a lado."),
            objection("Preciso falar com meu sócio", "Claro. Vamos marcar quinze minutos com ele? Eu ajudo a preparar o caso."),
            objection("Agora não é um bom momento", "Se começarmos agora, a implantação termina antes do pico de vocês. Quando seria o momento certo?"),
        ],
        "automations": {
            "auto_fill_crm": true,
            "follow_up_after_days": 2,
            "notify_manager_below_score": 60
        }
    })
}

fn bant_v1() -> Value {
    json!({
        "sections": [
            section("budget", "Orçamento (Budget)", &[
                "Vocês já têm um orçamento previsto para eficiência energética?",
                "O investimento seria à vista, financiado ou por assinatura?",
            ]),
            section("authority", "Autoridade (Authority)", &[
                "Quem aprova um investimento desse porte?",
                "O conselho ou o comitê de investimentos participa?",
            ]),
            section("need", "Necessidade (Need)", &[
                "Quanto vocês gastam de energia por mês?",
                "O que mais pesa hoje: custo, previsibilidade ou meta de sustentabilidade?",
            ]),
            section("timeline", "Prazo (Timeline)", &[
                "Para quando vocês querem o sistema gerando?",
                "Quando fecha o orçamento de investimentos?",
            ]),
        ],
        "objections": [
            objection("Está caro", "Com financiamento, a parcela fica abaixo da economia na conta desde o primeiro mês."),
            objection("O telhado não aguenta", "Fazemos a vistoria estrutural antes; se precisar de reforço, já entra no projeto."),
            objection("Preciso falar com meu sócio", "Vamos marcar uma apresentação curta para ele com o estudo de viabilidade."),
        ],
        "automations": { "auto_fill_crm": true, "follow_up_after_days": 3 }
    })
}

pub fn draw_playbooks<R: Rng>(
    rng: &mut R,
    calendar: &DemoCalendar,
    methodology: Methodology,
) -> Playbooks {
    match methodology {
        Methodology::Spiced => {
            let v1_at = calendar.moment_within(rng, 200..260);
            let v1 = PlaybookRow {
                id: cuid(rng),
                name: "Playbook de Vendas SPICED".into(),
                description: "Roteiro de descoberta e fechamento para closers.".into(),
                function: PlaybookFunction::Sales,
                methodology: "SPICED",
                version: 1,
                status: PlaybookStatus::Inactive,
                content_json: spiced_v1().to_string(),
                parent_version_id: None,
                created_at: v1_at,
            };
            let v2 = PlaybookRow {
                id: cuid(rng),
                name: "Playbook de Vendas SPICED".into(),
                description: "Roteiro de descoberta e fechamento para closers, com próximos passos e novas objeções.".into(),
                function: PlaybookFunction::Sales,
                methodology: "SPICED",
                version: 2,
                status: PlaybookStatus::Active,
                content_json: spiced_v2().to_string(),
                parent_version_id: Some(v1.id.clone()),
                created_at: v1_at + Duration::days(rng.random_range(60..120)),
            };
            let active_id = v2.id.clone();
            Playbooks {
                rows: vec![v1, v2],
                active_id,
            }
        }
        Methodology::Bant => {
            let v1 = PlaybookRow {
                id: cuid(rng),
                name: "Playbook BANT – Energia Solar Empresarial".into(),
                description: "Qualificação de projetos solares para empresas.".into(),
                function: PlaybookFunction::Sales,
                methodology: "BANT",
                version: 1,
                status: PlaybookStatus::Active,
                content_json: bant_v1().to_string(),
                parent_version_id: None,
                created_at: calendar.moment_within(rng, 90..200),
            };
            let active_id = v1.id.clone();
            Playbooks {
                rows: vec![v1],
                active_id,
            }
        }
    }
}
