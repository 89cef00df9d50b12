//! Importing the files Brazilian teams actually upload, from `tests/fixtures/`.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tabular::{
    DealRow, Field, FileError, Kind, LeadRef, LeadRow, Mapping, Moment, ReadError, Reason,
    RowError, Separator, Target, TextEncoding, preview, read_deals, read_leads,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> Moment {
    Moment::Local(NaiveDate::from_ymd_opt(y, m, d).unwrap().into())
}

/// Reads every row with the guessed mapping: the good rows with their lines, and the errors.
fn import_leads(bytes: &[u8]) -> (Vec<(u64, LeadRow)>, Vec<RowError>) {
    let preview = preview(bytes, Kind::Lead, 5).unwrap();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for row in read_leads(bytes, &preview.mapping).unwrap() {
        match row {
            Ok(row) => good.push((row.line, row.row)),
            Err(error) => bad.push(error),
        }
    }
    (good, bad)
}

fn import_deals(bytes: &[u8]) -> (Vec<(u64, DealRow)>, Vec<RowError>) {
    let preview = preview(bytes, Kind::Deal, 5).unwrap();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for row in read_deals(bytes, &preview.mapping).unwrap() {
        match row {
            Ok(row) => good.push((row.line, row.row)),
            Err(error) => bad.push(error),
        }
    }
    (good, bad)
}

fn error(line: u64, field: Option<Field>, reason: Reason, value: &str) -> RowError {
    RowError {
        line,
        field,
        reason,
        value: value.to_owned(),
    }
}

#[test]
fn a_windows_1252_file_from_excel_reads_with_its_accents_intact() {
    let bytes = fixture("leads_windows1252.csv");
    let preview = preview(&bytes, Kind::Lead, 10).unwrap();
    assert_eq!(preview.encoding, TextEncoding::Windows1252);
    assert_eq!(preview.separator, Separator::Semicolon);
    assert_eq!(
        preview.headers,
        [
            "Nome",
            "E-mail",
            "Telefone",
            "Empresa",
            "Cidade",
            "Observação"
        ]
    );
    assert_eq!(preview.total_rows, 3);
    assert_eq!(preview.rows[0].cells[4], "São Paulo");

    let (good, bad) = import_leads(&bytes);
    assert_eq!(bad, vec![]);
    let lines: Vec<u64> = good.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3, 4]);
    let joao = &good[0].1;
    assert_eq!(joao.name, "João da Ação");
    assert_eq!(joao.company_name.as_deref(), Some("Ação Comercial Ltda"));
    assert_eq!(joao.phone.as_deref(), Some("(11) 98888-7777"));
    assert_eq!(joao.custom_fields["Cidade"], "São Paulo");
    assert_eq!(
        joao.custom_fields["Observação"],
        "Cliente desde 2019 – ótimo"
    );
    let maria = &good[1].1;
    assert_eq!(maria.email.as_deref(), Some("maria@exemplo.com.br"));
    assert_eq!(maria.phone.as_deref(), Some("+55 21 3333-4444"));
    assert_eq!(maria.custom_fields["Observação"], "“VIP”");
    let ze = &good[2].1;
    assert_eq!(ze.email, None);
    assert_eq!(ze.custom_fields.len(), 1);
}

#[test]
fn a_utf8_bom_file_with_semicolons_trailing_columns_and_blank_rows_reads_every_field() {
    let bytes = fixture("leads_utf8_bom.csv");
    let preview = preview(&bytes, Kind::Lead, 10).unwrap();
    assert_eq!(preview.encoding, TextEncoding::Utf8Bom);
    assert_eq!(preview.separator, Separator::Semicolon);
    assert_eq!(preview.headers.len(), 10, "trailing blank headers dropped");
    assert_eq!(preview.total_rows, 3, "blank and ;;; rows are not rows");
    assert_eq!(preview.mapping.validate(), Ok(()));
    assert_eq!(
        preview.mapping.columns[9].target,
        Target::Custom("Segmento".to_owned())
    );

    let (good, bad) = import_leads(&bytes);
    assert_eq!(bad, vec![]);
    let lines: Vec<u64> = good.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 5, 6]);
    let ana = &good[0].1;
    assert_eq!(
        ana,
        &LeadRow {
            external_id: Some("L-1".to_owned()),
            name: "Ana Souza".to_owned(),
            email: Some("ana@empresa.com.br".to_owned()),
            phone: Some("11 91234-5678".to_owned()),
            company_name: None,
            position: Some("Diretora Comercial".to_owned()),
            source: Some("Indicação".to_owned()),
            status: Some("Novo".to_owned()),
            lead_score: Some(85.5),
            owner_email: Some("vendedor@performancy.com.br".to_owned()),
            custom_fields: serde_json::json!({"Segmento": "Varejo"})
                .as_object()
                .unwrap()
                .clone(),
        }
    );
    assert_eq!(good[2].1.name, "Carla Dias");
    assert!(good[2].1.custom_fields.is_empty());
}

#[test]
fn a_comma_file_with_quoted_separators_quotes_and_line_breaks_reads_right() {
    let bytes = fixture("deals_comma_quoted.csv");
    let preview = preview(&bytes, Kind::Deal, 10).unwrap();
    assert_eq!(preview.encoding, TextEncoding::Utf8);
    assert_eq!(preview.separator, Separator::Comma);
    assert_eq!(preview.total_rows, 3);
    assert_eq!(preview.rows[0].cells[8], "Call back:\nMonday, 10am");
    assert_eq!(
        preview.mapping.columns[8].target,
        Target::Custom("Notes".to_owned())
    );

    let (good, bad) = import_deals(&bytes);
    assert_eq!(bad, vec![]);
    let lines: Vec<u64> = good.iter().map(|(line, _)| *line).collect();
    assert_eq!(
        lines,
        [2, 4, 5],
        "a quoted line break moves the next row down"
    );
    let acme = &good[0].1;
    assert_eq!(acme.title, "Acme, Inc. renewal");
    assert_eq!(acme.stage.as_deref(), Some("Negotiation"));
    assert_eq!(acme.value, dec("1234.56"));
    assert_eq!(acme.currency.as_deref(), Some("USD"));
    assert_eq!(acme.probability, Some(dec("25")));
    assert_eq!(acme.expected_close_at, Some(day(2026, 3, 31)));
    assert_eq!(acme.closed_at, None);
    assert_eq!(
        acme.lead_ref,
        Some(LeadRef::Email("buyer@acme.com".to_owned()))
    );
    let globex = &good[1].1;
    assert_eq!(globex.value, dec("15000"));
    assert_eq!(
        globex.closed_at,
        Some(Moment::Local(
            NaiveDate::from_ymd_opt(2026, 1, 20)
                .unwrap()
                .and_hms_opt(14, 30, 0)
                .unwrap()
        ))
    );
    assert_eq!(
        globex.lead_ref,
        Some(LeadRef::ExternalId("L-77".to_owned()))
    );
    assert_eq!(globex.custom_fields["Notes"], "He said \"yes\"");
    let initech = &good[2].1;
    assert_eq!(initech.title, "Initech\n(pilot)");
    assert_eq!(initech.value, dec("2500"));
    assert_eq!(initech.probability, Some(dec("40")));
    assert_eq!(initech.currency, None);
}

#[test]
fn bad_leads_are_reported_by_line_and_reason_and_the_good_ones_all_come_through() {
    let (good, bad) = import_leads(&fixture("leads_bad_rows.csv"));
    let names: Vec<(u64, &str)> = good
        .iter()
        .map(|(line, row)| (*line, row.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [(2, "Ana"), (3, "Bia"), (6, "Cid"), (11, "Gil"), (13, "Ivo")]
    );
    assert_eq!(
        good[1].1.custom_fields["Obs"],
        "primeira linha\nsegunda linha"
    );
    assert_eq!(good[3].1.lead_score, Some(30.5));
    assert_eq!(
        bad,
        vec![
            error(5, Some(Field::Name), Reason::Missing, ""),
            error(7, Some(Field::Email), Reason::InvalidEmail, "dan@@x.com"),
            error(
                9,
                Some(Field::OwnerEmail),
                Reason::InvalidEmail,
                "gerente sem email"
            ),
            error(10, Some(Field::LeadScore), Reason::InvalidNumber, "muito"),
            error(12, None, Reason::ExtraColumns, "Rua A"),
        ]
    );
}

#[test]
fn bad_deals_are_reported_by_line_and_reason_and_the_good_ones_all_come_through() {
    let (good, bad) = import_deals(&fixture("deals_bad_rows.csv"));
    let titles: Vec<(u64, &str)> = good
        .iter()
        .map(|(line, row)| (*line, row.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        [(2, "Contrato anual"), (6, "Piloto"), (11, "Consultoria")]
    );
    let contrato = &good[0].1;
    assert_eq!(contrato.value, dec("1234.56"));
    assert_eq!(contrato.probability, Some(dec("25")));
    assert_eq!(
        contrato.owner_email.as_deref(),
        Some("vendas@performancy.com.br")
    );
    let piloto = &good[1].1;
    assert_eq!(piloto.value, dec("1500"));
    assert_eq!(piloto.expected_close_at, Some(day(2026, 2, 1)));
    assert_eq!(piloto.lead_ref, Some(LeadRef::ExternalId("L-9".to_owned())));
    let consultoria = &good[2].1;
    assert_eq!(consultoria.value, dec("0.5"));
    assert_eq!(consultoria.currency.as_deref(), Some("USD"));
    assert_eq!(consultoria.probability, Some(dec("30")));
    assert_eq!(
        bad,
        vec![
            error(3, Some(Field::Value), Reason::InvalidAmount, "12,34,56"),
            error(
                4,
                Some(Field::ExpectedCloseAt),
                Reason::NonexistentDate,
                "31/02/2026"
            ),
            error(5, Some(Field::Title), Reason::Missing, ""),
            error(7, Some(Field::Value), Reason::Missing, ""),
            error(
                8,
                Some(Field::Probability),
                Reason::PercentOutOfRange,
                "150%"
            ),
            error(9, Some(Field::Currency), Reason::InvalidCurrency, "GBX"),
            error(
                10,
                Some(Field::ExternalId),
                Reason::DuplicateExternalId,
                "D-1"
            ),
            error(12, Some(Field::LeadRef), Reason::InvalidEmail, "ana@"),
            error(13, Some(Field::Value), Reason::NegativeAmount, "-10"),
        ]
    );
}

#[test]
fn row_errors_serialise_with_codes_a_page_can_translate() {
    let json = serde_json::to_value(error(
        4,
        Some(Field::ExpectedCloseAt),
        Reason::NonexistentDate,
        "31/02/2026",
    ))
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "line": 4,
            "field": "expected_close_at",
            "reason": "nonexistent_date",
            "value": "31/02/2026",
        })
    );
    assert_eq!(Reason::NonexistentDate.code(), "nonexistent_date");
}

#[test]
fn files_that_are_not_tables_are_refused_with_the_reason() {
    let cases = [
        ("header_only.csv", FileError::NoDataRows),
        ("workbook.xlsx", FileError::Workbook),
        ("image.png", FileError::NotText),
        ("unclosed_quote.csv", FileError::UnclosedQuote { line: 3 }),
        ("no_header.csv", FileError::NoHeader),
    ];
    for (name, expected) in cases {
        assert_eq!(
            preview(&fixture(name), Kind::Lead, 10).err(),
            Some(expected),
            "{name}"
        );
    }
    assert_eq!(preview(b"", Kind::Lead, 10).err(), Some(FileError::Empty));
}

#[test]
fn reading_refuses_a_mapping_that_is_invalid_for_another_kind_or_for_other_columns() {
    let bytes = fixture("leads_bad_rows.csv");
    let mut mapping = preview(&bytes, Kind::Lead, 1).unwrap().mapping;

    let error = read_deals(&bytes, &mapping).err();
    assert_eq!(
        error,
        Some(ReadError::WrongKind {
            expected: Kind::Deal,
            found: Kind::Lead
        })
    );

    let mut renamed = mapping.clone();
    renamed.columns[5].header = "Observações".to_owned();
    assert_eq!(
        read_leads(&bytes, &renamed).err(),
        Some(ReadError::HeadersChanged)
    );

    mapping.columns[0].target = Target::Ignore;
    let Some(ReadError::InvalidMapping(problems)) = read_leads(&bytes, &mapping).err() else {
        panic!("a mapping without the name is refused");
    };
    assert_eq!(problems[0].code(), "missing_required");

    assert_eq!(
        read_leads(
            &fixture("header_only.csv"),
            &Mapping::guess(Kind::Lead, &["Nome".to_owned(), "E-mail".to_owned()])
        )
        .err(),
        Some(ReadError::File(FileError::NoDataRows))
    );
}

#[test]
fn an_edited_mapping_is_what_reading_follows() {
    let bytes = fixture("leads_windows1252.csv");
    let mut mapping = preview(&bytes, Kind::Lead, 1).unwrap().mapping;
    mapping.columns[4].target = Target::Ignore; // Cidade
    mapping.columns[5].target = Target::Custom("Notas".to_owned()); // Observação
    let rows: Vec<LeadRow> = read_leads(&bytes, &mapping)
        .unwrap()
        .map(|row| row.unwrap().row)
        .collect();
    assert_eq!(
        rows[0].custom_fields,
        *serde_json::json!({"Notas": "Cliente desde 2019 – ótimo"})
            .as_object()
            .unwrap()
    );
}

#[test]
fn rows_taken_in_batches_are_the_rows_read_at_once() {
    let bytes = fixture("deals_bad_rows.csv");
    let mapping = preview(&bytes, Kind::Deal, 0).unwrap().mapping;
    let all: Vec<_> = read_deals(&bytes, &mapping).unwrap().collect();
    let mut rows = read_deals(&bytes, &mapping).unwrap();
    let mut batches = Vec::new();
    loop {
        let batch: Vec<_> = rows.by_ref().take(5).collect();
        if batch.is_empty() {
            break;
        }
        batches.push(batch);
    }
    assert_eq!(batches.len(), 3, "12 rows in batches of 5");
    assert_eq!(batches.concat(), all);
}
