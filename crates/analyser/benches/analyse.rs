//! Throughput of the built-in analyser on one core: generated ten-minute calls (about 1 500 words,
//! timestamped, two speakers, Portuguese and English) against a playbook with questions and
//! objections. The target is 500 conversations per second per core; the last line printed is
//! `analyse: <N> conversations/s/core, p99 <T> ms`.
//!
//! Calls are generated from a fixed seed so every run measures the same work, and built before the
//! clock starts so only analysis is timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use analyser::{
    Analyser, BuiltinAnalyser, ConversationChannel, ConversationInput, Methodology, Playbook,
    PlaybookObjection, PlaybookSection,
};
use chrono::NaiveDate;
use cpu_time::ThreadTime;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CALLS: usize = 400;
const ROUNDS: usize = 5;
const WORDS_PER_CALL: usize = 1_500;
const CALL_SECONDS: u32 = 600;

const AGENT_PT: &[&str] = &[
    "Me conta um pouco como funciona hoje o processo comercial de vocês?",
    "Quantos vendedores vocês têm no time hoje e como está dividido entre inbound e outbound?",
    "E qual é o maior desafio do time nesse momento, o que mais atrapalha o resultado?",
    "Quanto isso custa pra vocês por mês, em receita ou em horas do time?",
    "Tem alguma data que torna esse projeto urgente, tipo uma renovação ou um lançamento?",
    "Quem participa da decisão e quem assina o contrato do lado de vocês?",
    "Faz sentido. Nossa plataforma grava as ligações, transcreve e dá nota para cada conversa com base no playbook.",
    "Os gestores conseguem ver em um painel quais vendedores seguem o roteiro e onde cada negócio travou.",
    "O investimento fica em torno de R$ 150 por usuário por mês, com implantação inclusa.",
    "Podemos marcar uma demonstração com o diretor na quinta-feira às 10h?",
    "Entendo perfeitamente, muitos clientes tinham a mesma preocupação antes de começar.",
    "Deixa eu compartilhar a tela e mostrar como fica o relatório de uma ligação real.",
];
const CUSTOMER_PT: &[&str] = &[
    "Hoje a gente tem uns 25 vendedores e usamos o Pipedrive, mas cada um registra de um jeito diferente.",
    "O maior problema é que não temos visibilidade do que acontece nas ligações e o ramp up demora quatro meses.",
    "No último trimestre a gente não bateu a meta por uns 15%, perdemos umas 20 oportunidades no fim do funil.",
    "Nosso contrato com o fornecedor atual vence em junho, então precisamos decidir antes disso.",
    "Quem assina é o Roberto, nosso diretor financeiro, mas eu faço a avaliação técnica.",
    "Achei o preço um pouco alto, o concorrente passou um valor menor.",
    "Interessante, isso resolveria boa parte do nosso problema de treinamento.",
    "Sim, faz sentido, pode continuar.",
    "A gente já tentou usar planilha para acompanhar isso, mas ninguém atualiza.",
    "Precisa integrar com o nosso CRM, isso é fundamental pra gente.",
    "Quinta às 10h funciona, pode mandar o convite.",
    "Uhum, entendi.",
];
const AGENT_EN: &[&str] = &[
    "Walk me through how your sales process works today, from first call to signature.",
    "How many reps do you have right now, and how are they split between new business and renewals?",
    "What is the biggest challenge your team is dealing with at the moment?",
    "What does that problem cost you every quarter, in revenue or in hours?",
    "Is there a date driving this, like a renewal or a sales kickoff?",
    "Who else is involved in the decision, and who signs off on the budget?",
    "Our platform records every call, transcribes it and scores it against your playbook automatically.",
    "Managers see in one dashboard which reps follow the talk track and where each deal stalls.",
    "Pricing is 95 dollars per seat per month, and onboarding is included.",
    "Could we book a follow-up with your VP next Tuesday at 2pm?",
    "That makes sense, a lot of our customers had the same concern before they started.",
];
const CUSTOMER_EN: &[&str] = &[
    "We have about thirty reps and we use Salesforce, but everyone logs things differently.",
    "The main problem is we have no visibility into calls, and ramp time is close to six months.",
    "Last quarter we missed quota by about 12 percent, we lost around 15 deals late in the funnel.",
    "Our contract with the current vendor expires in June, so we need to decide before then.",
    "Our CFO signs off on anything above fifty thousand dollars, I run the evaluation.",
    "Honestly it looks a bit expensive, we are also looking at Gong.",
    "That would be great, it would save my managers hours every week.",
    "Sure, go ahead.",
    "It has to integrate with Salesforce, that is a must-have for us.",
    "Tuesday at 2pm works for me, send the invite.",
    "Got it, thanks.",
];

fn generate_call(rng: &mut ChaCha8Rng, portuguese: bool) -> String {
    let (agent_lines, customer_lines, agent, customer) = if portuguese {
        (AGENT_PT, CUSTOMER_PT, "Ana Souza", "Carlos Lima")
    } else {
        (AGENT_EN, CUSTOMER_EN, "Ana Souza", "Mark Chen")
    };
    let mut text = String::with_capacity(WORDS_PER_CALL * 7);
    let mut words = 0;
    let mut second = 0u32;
    let mut turn = 0usize;
    while words < WORDS_PER_CALL {
        let (speaker, lines) = if turn.is_multiple_of(2) {
            (agent, agent_lines)
        } else {
            (customer, customer_lines)
        };
        let sentences = rng.random_range(1..=3);
        let mut utterance = String::new();
        for _ in 0..sentences {
            let line = lines[rng.random_range(0..lines.len())];
            if !utterance.is_empty() {
                utterance.push(' ');
            }
            utterance.push_str(line);
            words += line.split_whitespace().count();
        }
        text.push_str(&format!(
            "[{:02}:{:02}:{:02}] {speaker}: {utterance}\n",
            second / 3600,
            (second / 60) % 60,
            second % 60
        ));
        // Spread the words over ten minutes.
        second = (second + rng.random_range(4..12)).min(CALL_SECONDS);
        turn += 1;
    }
    text
}

fn playbook() -> Playbook {
    Playbook {
        methodology: Methodology::Spiced,
        sections: vec![PlaybookSection {
            title: "Descoberta".to_owned(),
            questions: [
                "Como funciona hoje o processo comercial de vocês?",
                "Qual o principal desafio do time hoje?",
                "Quanto esse problema custa para a empresa?",
                "Existe alguma data que torna isso urgente?",
                "Quem participa da decisão e quem assina?",
                "What is your biggest challenge right now?",
            ]
            .map(str::to_owned)
            .to_vec(),
        }],
        objections: vec![
            PlaybookObjection {
                objection: "Muito caro".to_owned(),
                response: "Mostre o retorno sobre o investimento.".to_owned(),
            },
            PlaybookObjection {
                objection: "Já temos um fornecedor".to_owned(),
                response: "Pergunte o que falta no atual.".to_owned(),
            },
            PlaybookObjection {
                objection: "Too expensive".to_owned(),
                response: "Tie the price to ramp time saved.".to_owned(),
            },
        ],
        competitors: vec!["Chorus.ai".to_owned()],
    }
}

/// CPU time this thread has used. Throughput "per core" is conversations per CPU-second: wall-clock
/// time on a shared machine would also count the time other processes held the core.
fn thread_cpu_time() -> Duration {
    match ThreadTime::try_now() {
        Ok(now) => now.as_duration(),
        Err(e) => {
            eprintln!("analyse bench: the thread CPU clock cannot be read: {e}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let analyser = match BuiltinAnalyser::new() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("analyse bench: {e}");
            std::process::exit(1);
        }
    };
    let playbook = playbook();
    let mut rng = ChaCha8Rng::seed_from_u64(20_240_312);
    let inputs: Vec<ConversationInput> = (0..CALLS)
        .map(|i| ConversationInput {
            channel: ConversationChannel::Call,
            agent_name: Some("Ana Souza".to_owned()),
            transcript: generate_call(&mut rng, i % 3 != 2),
            conversation_date: NaiveDate::from_ymd_opt(2024, 3, 12),
            language: None,
        })
        .collect();
    let average_words = inputs
        .iter()
        .map(|c| c.transcript.split_whitespace().count())
        .sum::<usize>()
        / CALLS;

    // Warm-up: caches, allocator, lazy statics.
    for input in inputs.iter().take(50) {
        black_box(analyser.analyse(input, &playbook));
    }

    let mut cpu_times: Vec<Duration> = Vec::with_capacity(CALLS * ROUNDS);
    let wall_started = Instant::now();
    let cpu_started = thread_cpu_time();
    for _ in 0..ROUNDS {
        for input in &inputs {
            let before = thread_cpu_time();
            black_box(analyser.analyse(black_box(input), &playbook));
            cpu_times.push(thread_cpu_time().saturating_sub(before));
        }
    }
    let cpu_total = thread_cpu_time().saturating_sub(cpu_started);
    let wall_total = wall_started.elapsed();
    cpu_times.sort_unstable();
    let count = cpu_times.len();
    let p99 = cpu_times[(count * 99).div_ceil(100).saturating_sub(1)];
    let p50 = cpu_times[count / 2];
    let per_cpu_second = count as f64 / cpu_total.as_secs_f64().max(f64::EPSILON);
    let per_wall_second = count as f64 / wall_total.as_secs_f64().max(f64::EPSILON);
    println!(
        "calls: {CALLS} distinct, {count} analysed, {average_words} words on average, one thread"
    );
    println!(
        "cpu per call: p50 {:.3} ms, max {:.3} ms; wall clock: {per_wall_second:.0} conversations/s (includes time other processes held the core)",
        p50.as_secs_f64() * 1e3,
        cpu_times[count - 1].as_secs_f64() * 1e3
    );
    println!(
        "analyse: {per_cpu_second:.0} conversations/s/core, p99 {:.2} ms",
        p99.as_secs_f64() * 1e3
    );
}
