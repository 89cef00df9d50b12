//! Export: what a spreadsheet opens right, safe from formula injection, and read back unchanged.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use tabular::{
    CsvFormat, DealRow, Kind, LeadRef, LeadRow, Locale, Moment, Separator, TextEncoding, preview,
    read_deals, read_leads, write_deals, write_leads,
};

fn custom(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn leads() -> Vec<LeadRow> {
    vec![
        LeadRow {
            external_id: Some("L-1".to_owned()),
            name: "João da Ação".to_owned(),
            email: Some("joao@acao.com.br".to_owned()),
            phone: Some("+55 11 98888-7777".to_owned()),
            company_name: Some("Ação; Comércio \"Ltda\"".to_owned()),
            position: Some("Diretor\nComercial".to_owned()),
            source: Some("Indicação".to_owned()),
            status: Some("Novo".to_owned()),
            lead_score: Some(85.5),
            owner_email: Some("dono@performancy.com.br".to_owned()),
            custom_fields: custom(json!({"Segmento": "Varejo", "Cidade": "São Paulo"})),
        },
        LeadRow {
            external_id: None,
            name: "=HYPERLINK(\"http://mal.example\",\"clique\")".to_owned(),
            email: None,
            phone: None,
            company_name: Some("@empresa".to_owned()),
            position: None,
            source: Some("-".to_owned()),
            status: None,
            lead_score: Some(-3.0),
            owner_email: None,
            custom_fields: custom(json!({"Segmento": "'=já guardado"})),
        },
    ]
}

fn deals() -> Vec<DealRow> {
    let local = |y, m, d, h, min| {
        Moment::Local(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
    };
    vec![
        DealRow {
            external_id: Some("D-1".to_owned()),
            title: "Contrato anual, 2026".to_owned(),
            stage: Some("Proposta".to_owned()),
            value: Decimal::from_str("1234567.89").unwrap(),
            currency: Some("BRL".to_owned()),
            probability: Some(Decimal::from_str("0.5").unwrap()),
            expected_close_at: Some(local(2026, 3, 31, 0, 0)),
            closed_at: Some(local(2026, 4, 2, 16, 45)),
            owner_email: Some("vendas@performancy.com.br".to_owned()),
            lead_ref: Some(LeadRef::Email("ana@x.com.br".to_owned())),
            custom_fields: custom(json!({"Origem do negócio": "Evento"})),
        },
        DealRow {
            external_id: None,
            title: "+1 upsell".to_owned(),
            stage: None,
            value: Decimal::from_str("0.5").unwrap(),
            currency: None,
            probability: Some(Decimal::from_str("100").unwrap()),
            expected_close_at: None,
            closed_at: Some(Moment::Offset(
                DateTime::parse_from_rfc3339("2026-05-01T09:00:00-03:00").unwrap(),
            )),
            owner_email: None,
            lead_ref: Some(LeadRef::ExternalId("L-9".to_owned())),
            custom_fields: Map::new(),
        },
    ]
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

fn read_back_leads(bytes: &[u8]) -> Vec<LeadRow> {
    let preview = preview(bytes, Kind::Lead, 0).unwrap();
    read_leads(bytes, &preview.mapping)
        .unwrap()
        .map(|row| row.unwrap().row)
        .collect()
}

fn read_back_deals(bytes: &[u8]) -> Vec<DealRow> {
    let preview = preview(bytes, Kind::Deal, 0).unwrap();
    read_deals(bytes, &preview.mapping)
        .unwrap()
        .map(|row| row.unwrap().row)
        .collect()
}

#[test]
fn leads_written_then_read_are_the_same_leads_in_both_languages() {
    for locale in Locale::ALL {
        let format = CsvFormat::for_locale(locale);
        let bytes = write_leads(
            Vec::new(),
            &format,
            &keys(&["Segmento", "Cidade"]),
            &leads(),
        )
        .unwrap();
        assert_eq!(read_back_leads(&bytes), leads(), "{locale:?}");
    }
}

#[test]
fn deals_written_then_read_are_the_same_deals_in_both_languages() {
    for locale in Locale::ALL {
        let format = CsvFormat::for_locale(locale);
        let bytes =
            write_deals(Vec::new(), &format, &keys(&["Origem do negócio"]), &deals()).unwrap();
        assert_eq!(read_back_deals(&bytes), deals(), "{locale:?}");
    }
}

#[test]
fn a_portuguese_export_is_what_excel_in_brazil_opens_right() {
    let bytes = write_deals(
        Vec::new(),
        &CsvFormat::for_locale(Locale::PtBr),
        &[],
        &deals()[..1],
    )
    .unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "ID externo;Título;Etapa;Valor;Moeda;Probabilidade;Previsão de fechamento;\
         Data de fechamento;E-mail do responsável;Lead\r\n\
         D-1;Contrato anual, 2026;Proposta;1234567,89;BRL;0,5%;31/03/2026;02/04/2026 16:45;\
         vendas@performancy.com.br;ana@x.com.br\r\n"
    );
    let preview = preview(text.as_bytes(), Kind::Deal, 1).unwrap();
    assert_eq!(preview.separator, Separator::Semicolon);
}

#[test]
fn an_english_export_has_commas_decimal_points_iso_dates_and_no_bom() {
    let bytes = write_deals(
        Vec::new(),
        &CsvFormat::for_locale(Locale::En),
        &[],
        &deals()[..1],
    )
    .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "External ID,Title,Stage,Amount,Currency,Probability,Expected close date,Closed at,\
         Owner e-mail,Lead reference\r\n\
         D-1,\"Contrato anual, 2026\",Proposta,1234567.89,BRL,0.5%,2026-03-31,2026-04-02 16:45,\
         vendas@performancy.com.br,ana@x.com.br\r\n"
    );
    assert_eq!(
        preview(text.as_bytes(), Kind::Deal, 1).unwrap().encoding,
        TextEncoding::Utf8
    );
}

#[test]
fn cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
    let bytes = write_leads(
        Vec::new(),
        &CsvFormat::for_locale(Locale::En),
        &keys(&["Segmento", "=cmd|' /C calc'!A0"]),
        &leads()[1..],
    )
    .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(",Segmento,'=cmd|' /C calc'!A0"),
        "{header}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(",\"'=HYPERLINK(\"\"http://mal.example\"\",\"\"clique\"\")\""),
        "{row}"
    );
    assert!(row.contains(",'@empresa,"), "{row}");
    assert!(row.contains(",'-,"), "a lone dash is guarded: {row}");
    assert!(
        row.contains(",-3,"),
        "a negative score stays a number: {row}"
    );
    assert!(row.contains(",''=já guardado,"), "{row}");
    for line in text.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "unguarded cell {cell:?} in {line:?}"
            );
        }
    }
}

#[test]
fn export_streams_into_any_writer() {
    let mut file = Vec::new();
    {
        let mut writer = tabular::LeadWriter::new(
            &mut file,
            &CsvFormat::for_locale(Locale::PtBr),
            &keys(&["Segmento"]),
        )
        .unwrap();
        for lead in leads() {
            writer.write(&lead).unwrap();
        }
        writer.finish().unwrap();
    }
    assert_eq!(read_back_leads(&file).len(), 2);
}
