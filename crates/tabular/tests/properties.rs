//! Properties over arbitrary input: no upload can make the reader panic, and whatever text a cell
//! holds comes back from an export unchanged.

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use tabular::{
    CsvFormat, DealRow, Kind, LeadRow, Locale, Mapping, TableWriter, Target, preview, read_deals,
    read_leads, values, write_deals, write_leads,
};

/// Bytes that look enough like CSV to get past decoding and into the parser, with some invalid
/// UTF-8 and control bytes among them.
fn csvish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> =
        b";,\t|\"'\r\n =+-@/:.%$R0123456789aAzZ\xe7\xe3\xc3\xa7\xff\x00\x01".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..600)
}

/// Reads everything a file offers, with the guessed mapping and with one forced valid, so that
/// every value parser sees the cells.
fn read_everything(bytes: &[u8]) {
    for kind in [Kind::Lead, Kind::Deal] {
        let Ok(preview) = preview(bytes, kind, 50) else {
            continue;
        };
        let mut mappings = vec![preview.mapping.clone()];
        let mut forced = preview.mapping.clone();
        for (i, column) in forced.columns.iter_mut().enumerate() {
            let fields = kind.fields();
            column.target = Target::Field(fields[i % fields.len()]);
        }
        forced.columns.truncate(kind.fields().len());
        mappings.push(forced);
        for mapping in mappings {
            match kind {
                Kind::Lead => {
                    if let Ok(rows) = read_leads(bytes, &mapping) {
                        rows.for_each(drop);
                    }
                }
                Kind::Deal => {
                    if let Ok(rows) = read_deals(bytes, &mapping) {
                        rows.for_each(drop);
                    }
                }
            }
        }
    }
}

/// Cell text with everything CSV and spreadsheets find hard: separators, quotes, line breaks,
/// formula starts, apostrophes, accents, leading and trailing spaces.
fn cell() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9;,|\t\r\n\"'=+@\\-.%$/:çãéÇÃÉ€“”😀]{0,12}"
}

fn table() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec(cell(), 3), 1..20).prop_map(|rows| {
        rows.into_iter()
            // A row of blank cells is not a row, on import.
            .filter(|row| row.iter().any(|cell| !cell.trim().is_empty()))
            .collect()
    })
}

fn trimmed_text() -> impl Strategy<Value = String> {
    cell().prop_filter_map("needs text", |text| {
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        read_everything(&bytes);
    }

    #[test]
    fn csv_like_bytes_never_panic(bytes in csvish_bytes()) {
        read_everything(&bytes);
    }

    #[test]
    fn the_value_parsers_never_panic(text in "\\PC{0,30}") {
        let _ = values::parse_money(&text);
        let _ = values::parse_percent(&text);
        let _ = values::parse_score(&text);
        let _ = values::parse_moment(&text);
        let _ = values::parse_email(&text);
        let _ = values::parse_currency(&text);
    }

    #[test]
    fn any_cell_text_survives_write_then_read(rows in table(), portuguese in any::<bool>()) {
        prop_assume!(!rows.is_empty());
        let locale = if portuguese { Locale::PtBr } else { Locale::En };
        let mut writer = TableWriter::new(Vec::new(), &CsvFormat::for_locale(locale)).unwrap();
        writer.write_row(["Nome", "Obs", "Extra"]).unwrap();
        for row in &rows {
            writer.write_row(row).unwrap();
        }
        let bytes = writer.finish().unwrap();
        let preview = preview(&bytes, Kind::Lead, usize::MAX).unwrap();
        let read: Vec<Vec<String>> = preview.rows.into_iter().map(|row| row.cells).collect();
        prop_assert_eq!(read, rows);
    }

    #[test]
    fn any_lead_text_survives_export_then_import(
        names in prop::collection::vec(trimmed_text(), 1..10),
        notes in prop::collection::vec(proptest::option::of(trimmed_text()), 10),
        portuguese in any::<bool>(),
    ) {
        let locale = if portuguese { Locale::PtBr } else { Locale::En };
        let leads: Vec<LeadRow> = names
            .iter()
            .zip(&notes)
            .map(|(name, note)| LeadRow {
                name: name.clone(),
                company_name: note.clone(),
                custom_fields: note
                    .iter()
                    .map(|n| ("Anotação".to_owned(), Value::String(n.clone())))
                    .collect::<Map<_, _>>(),
                ..LeadRow::default()
            })
            .collect();
        let bytes = write_leads(
            Vec::new(),
            &CsvFormat::for_locale(locale),
            &["Anotação".to_owned()],
            &leads,
        )
        .unwrap();
        let mapping = preview(&bytes, Kind::Lead, 0).unwrap().mapping;
        let read: Vec<LeadRow> = read_leads(&bytes, &mapping)
            .unwrap()
            .map(|row| row.map(|row| row.row))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(read, leads);
    }

    #[test]
    fn any_amount_and_probability_survive_export_then_import(
        cents in 0u64..10_000_000_000_000_000,
        hundredths in 0u32..=10_000,
        portuguese in any::<bool>(),
    ) {
        let locale = if portuguese { Locale::PtBr } else { Locale::En };
        let deal = DealRow {
            external_id: None,
            title: "Negócio".to_owned(),
            stage: None,
            value: Decimal::new(i64::try_from(cents).unwrap(), 2),
            currency: None,
            probability: Some(Decimal::new(i64::from(hundredths), 2)),
            expected_close_at: None,
            closed_at: None,
            owner_email: None,
            lead_ref: None,
            custom_fields: Map::new(),
        };
        let bytes = write_deals(Vec::new(), &CsvFormat::for_locale(locale), &[], [&deal]).unwrap();
        let mapping = Mapping::guess(Kind::Deal, &preview(&bytes, Kind::Deal, 0).unwrap().headers);
        let read = read_deals(&bytes, &mapping).unwrap().next().unwrap().unwrap().row;
        prop_assert_eq!(read.value, deal.value);
        prop_assert_eq!(read.probability, deal.probability);
    }
}

#[test]
fn the_amount_property_covers_the_largest_stored_amount() {
    // numeric(18,2): sixteen integer digits.
    let largest = Decimal::from_str("9999999999999999.99").unwrap();
    assert_eq!(values::parse_money("9999999999999999,99"), Ok(largest));
}
