//! 100 000 rows must import in well under a second. Ignored by default (a debug build is ten times
//! slower); run with `cargo test --release -p tabular --test speed -- --ignored --nocapture`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use tabular::{Kind, preview, read_deals, read_leads};

const ROWS: usize = 100_000;

fn lead_file() -> Vec<u8> {
    let mut text = String::from(
        "\u{feff}ID externo;Nome;E-mail;Telefone;Empresa;Cargo;Origem;Status;Pontuação;\
         Responsável;Segmento;Cidade\r\n",
    );
    for i in 0..ROWS {
        writeln!(
            text,
            "L-{i};Pessoa Número {i};pessoa{i}@empresa{}.com.br;(11) 9{i:08};Empresa {} Ltda;\
             Gerente de Compras;Indicação;Novo;{},5;vendedor{}@performancy.com.br;Varejo;\
             \"São Paulo; SP\"\r",
            i % 97,
            i % 1013,
            i % 100,
            i % 7,
        )
        .unwrap();
    }
    text.into_bytes()
}

fn deal_file() -> Vec<u8> {
    let mut text = String::from(
        "ID;Título;Etapa;Valor;Moeda;Probabilidade;Previsão de fechamento;Data de fechamento;\
         E-mail do lead;Responsável;Observação\n",
    );
    for i in 0..ROWS {
        writeln!(
            text,
            "D-{i};Contrato {i};Proposta;R$ {}.{:03},{:02};BRL;{}%;{:02}/{:02}/2026;\
             {:02}/{:02}/2026 14:30;pessoa{i}@empresa.com.br;vendas@performancy.com.br;\
             \"linha 1\nlinha 2\"",
            1 + i % 900,
            i % 1000,
            i % 100,
            i % 101,
            1 + i % 28,
            1 + i % 12,
            1 + i % 28,
            1 + i % 12,
        )
        .unwrap();
    }
    text.into_bytes()
}

fn timed<T>(label: &str, run: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = run();
    let elapsed = started.elapsed();
    println!("{label}: {elapsed:?}");
    (out, elapsed)
}

#[test]
#[ignore = "a timing, meaningful only in release"]
fn a_hundred_thousand_rows_import_in_well_under_a_second() {
    let leads = lead_file();
    let (shown, preview_time) = timed("leads: preview", || {
        preview(&leads, Kind::Lead, 20).unwrap()
    });
    assert_eq!(shown.total_rows, ROWS as u64);
    let (good, read_time) = timed("leads: read 100 000 rows", || {
        read_leads(&leads, &shown.mapping)
            .unwrap()
            .filter(Result::is_ok)
            .count()
    });
    assert_eq!(good, ROWS);
    assert!(preview_time + read_time < Duration::from_secs(1));

    let deals = deal_file();
    let (shown, preview_time) = timed("deals: preview", || {
        preview(&deals, Kind::Deal, 20).unwrap()
    });
    assert_eq!(shown.total_rows, ROWS as u64);
    let (good, read_time) = timed("deals: read 100 000 rows", || {
        read_deals(&deals, &shown.mapping)
            .unwrap()
            .filter(Result::is_ok)
            .count()
    });
    assert_eq!(good, ROWS);
    assert!(preview_time + read_time < Duration::from_secs(1));
}
