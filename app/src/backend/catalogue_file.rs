//! Catalogue files: the JSON and CSV forms of the import/export format
//! (`docs/catalogue-format.md`). Files are read row by row, so one unreadable row — a time limit
//! that is not a number, a form field of an unknown type, an unknown rule — is reported with its
//! row and column while every other row still loads.
//!
//! CSV has one line per item or bundle (column `record` = `item` | `bundle`); texts are split
//! into `_zh` / `_en` columns, code lists are `;`-separated, and the nested parts of an item
//! (`materials`, `form`, `licences`) are JSON arrays inside their cell, so a spreadsheet can edit
//! everything else directly.

use std::path::Path;

use serde_json::{Map, Value};

use crate::domain::catalogue::{
    BundleSpec, Catalogue, LocatedProblem, ServiceItemSpec, SpecProblem,
};

/// The two file forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// `.csv` files are CSV; anything else is JSON.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|extension| extension.to_str()) {
            Some(extension) if extension.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Json,
        }
    }
}

/// A file that cannot be read at all (not JSON, no header, …).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("not a catalogue JSON document: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the JSON document needs an \"items\" array")]
    NoItems,
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the CSV header lacks the column {0}")]
    MissingColumn(&'static str),
}

/// A catalogue read from a file: the readable rows, the unreadable ones (as problems located by
/// item code and column), and the row number of every code.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    pub catalogue: Catalogue,
    pub unreadable: Vec<LocatedProblem>,
    rows: Vec<(String, usize)>,
}

impl ParsedFile {
    /// The row a code stands in (JSON: 1-based position, items first; CSV: the line, header =
    /// line 1). Unknown codes give 0.
    pub fn row_of(&self, code: &str) -> usize {
        self.rows
            .iter()
            .find(|(known, _)| known == code)
            .map_or(0, |(_, row)| *row)
    }
}

/// The code a raw row claims, or `row N` when it has none (so the report still names it).
fn claimed_code(value: &Value, row: usize) -> String {
    value
        .get("code")
        .and_then(Value::as_str)
        .filter(|code| !code.trim().is_empty())
        .map_or_else(|| format!("row {row}"), str::to_owned)
}

/// Deserialises one row, or locates why it cannot be.
fn decode_row<T: serde::de::DeserializeOwned>(
    value: Value,
    code: &str,
    column_of: &dyn Fn(&str) -> String,
) -> Result<T, LocatedProblem> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let path = error.path().to_string();
        LocatedProblem {
            code: code.to_owned(),
            path: column_of(&path),
            problem: SpecProblem::Unreadable {
                reason: error.into_inner().to_string(),
            },
        }
    })
}

/// Reads the JSON form: `{ "items": [...], "bundles": [...] }`.
pub fn read_json(text: &str) -> Result<ParsedFile, FileError> {
    let document: Value = serde_json::from_str(text)?;
    let items = document
        .get("items")
        .and_then(Value::as_array)
        .ok_or(FileError::NoItems)?;
    let bundles = document
        .get("bundles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut parsed = ParsedFile::default();
    let same_path = |path: &str| path.to_owned();
    for (index, value) in items.iter().enumerate() {
        let row = index + 1;
        let code = claimed_code(value, row);
        parsed.rows.push((code.clone(), row));
        match decode_row::<ServiceItemSpec>(value.clone(), &code, &same_path) {
            Ok(item) => parsed.catalogue.items.push(item),
            Err(problem) => parsed.unreadable.push(problem),
        }
    }
    for (index, value) in bundles.into_iter().enumerate() {
        let row = items.len() + index + 1;
        let code = claimed_code(&value, row);
        parsed.rows.push((code.clone(), row));
        match decode_row::<BundleSpec>(value, &code, &same_path) {
            Ok(bundle) => parsed.catalogue.bundles.push(bundle),
            Err(problem) => parsed.unreadable.push(problem),
        }
    }
    Ok(parsed)
}

/// Writes the JSON form (pretty-printed).
pub fn write_json(catalogue: &Catalogue) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(catalogue)
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 31] = [
    "record",
    "code",
    "name_zh",
    "name_en",
    "kind",
    "responsible_department",
    "approving_departments",
    "legal_basis_zh",
    "legal_basis_en",
    "conditions_zh",
    "conditions_en",
    "fee_zh",
    "fee_en",
    "promised_days",
    "statutory_days",
    "online_level",
    "visit_reason_zh",
    "visit_reason_en",
    "delivery_modes",
    "commitment_letter_zh",
    "commitment_letter_en",
    "instant_approval",
    "identity_level",
    "accepting_centres",
    "licences",
    "materials",
    "form",
    "description_zh",
    "description_en",
    "items",
    "shared_fields",
];

/// Texts split into `_zh` / `_en` columns.
const TEXT_KEYS: [&str; 6] = [
    "name",
    "legal_basis",
    "conditions",
    "fee",
    "visit_reason",
    "description",
];
/// Code lists written `A;B;C`.
const LIST_KEYS: [&str; 5] = [
    "approving_departments",
    "delivery_modes",
    "accepting_centres",
    "items",
    "shared_fields",
];
/// Nested parts kept as JSON inside their cell.
const JSON_KEYS: [&str; 3] = ["licences", "materials", "form"];
/// Whole numbers.
const NUMBER_KEYS: [&str; 2] = ["promised_days", "statutory_days"];

/// The CSV column a path of the item or bundle structure comes from (`name.zh` → `name_zh`,
/// `materials[2].name` → `materials`, `commitment.letter.en` → `commitment_letter_en`).
pub fn csv_column_of(path: &str) -> String {
    let first = path.split(['.', '[']).next().unwrap_or_default().to_owned();
    let rest = &path[first.len()..];
    if first == "commitment" {
        return match rest {
            ".letter.zh" => "commitment_letter_zh".into(),
            ".letter.en" => "commitment_letter_en".into(),
            _ => "commitment_letter_zh, commitment_letter_en".into(),
        };
    }
    if TEXT_KEYS.contains(&first.as_str()) {
        return match rest {
            ".zh" => format!("{first}_zh"),
            ".en" => format!("{first}_en"),
            _ => format!("{first}_zh, {first}_en"),
        };
    }
    first
}

fn split_list(cell: &str) -> Value {
    Value::Array(
        cell.split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| Value::String(part.to_owned()))
            .collect(),
    )
}

/// Builds the JSON object of one CSV row (only the columns the record kind uses), leaving
/// unreadable cells as strings so that deserialising names the column and the reason.
fn csv_row_value(record: &csv::StringRecord, index_of: &dyn Fn(&str) -> Option<usize>) -> Value {
    let cell = |column: &str| {
        index_of(column)
            .and_then(|index| record.get(index))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let is_bundle = cell("record") == "bundle";
    let keys: &[&str] = if is_bundle {
        &["code", "name", "description", "items", "shared_fields"]
    } else {
        &[
            "code",
            "name",
            "kind",
            "responsible_department",
            "approving_departments",
            "legal_basis",
            "conditions",
            "fee",
            "promised_days",
            "statutory_days",
            "online_level",
            "visit_reason",
            "delivery_modes",
            "commitment",
            "instant_approval",
            "identity_level",
            "accepting_centres",
            "licences",
            "materials",
            "form",
        ]
    };
    let mut object = Map::new();
    for key in keys {
        let key = *key;
        let value = if key == "commitment" {
            let (zh, en) = (cell("commitment_letter_zh"), cell("commitment_letter_en"));
            if zh.is_empty() && en.is_empty() {
                continue;
            }
            serde_json::json!({ "letter": { "zh": zh, "en": en } })
        } else if TEXT_KEYS.contains(&key) {
            let (zh, en) = (cell(&format!("{key}_zh")), cell(&format!("{key}_en")));
            if key == "visit_reason" && zh.is_empty() && en.is_empty() {
                continue;
            }
            serde_json::json!({ "zh": zh, "en": en })
        } else if LIST_KEYS.contains(&key) {
            split_list(&cell(key))
        } else if JSON_KEYS.contains(&key) {
            let text = cell(key);
            if text.is_empty() {
                Value::Array(Vec::new())
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            }
        } else if NUMBER_KEYS.contains(&key) {
            let text = cell(key);
            text.parse::<u64>()
                .map_or(Value::String(text), |number| Value::Number(number.into()))
        } else if key == "instant_approval" {
            match cell(key).to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Value::Bool(true),
                "false" | "0" | "no" | "" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            }
        } else {
            Value::String(cell(key))
        };
        object.insert(key.to_owned(), value);
    }
    Value::Object(object)
}

/// Reads the CSV form (UTF-8, optional byte-order mark, header line first).
pub fn read_csv(bytes: &[u8]) -> Result<ParsedFile, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader.headers()?.clone();
    for required in ["record", "code"] {
        if !header.iter().any(|column| column.trim() == required) {
            return Err(FileError::MissingColumn(required));
        }
    }
    let index_of = |column: &str| header.iter().position(|name| name.trim() == column);
    let mut parsed = ParsedFile::default();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record?;
        let value = csv_row_value(&record, &index_of);
        let code = claimed_code(&value, line);
        parsed.rows.push((code.clone(), line));
        let kind = index_of("record")
            .and_then(|column| record.get(column))
            .unwrap_or_default()
            .trim();
        match kind {
            "item" => match decode_row::<ServiceItemSpec>(value, &code, &csv_column_of) {
                Ok(item) => parsed.catalogue.items.push(item),
                Err(problem) => parsed.unreadable.push(problem),
            },
            "bundle" => match decode_row::<BundleSpec>(value, &code, &csv_column_of) {
                Ok(bundle) => parsed.catalogue.bundles.push(bundle),
                Err(problem) => parsed.unreadable.push(problem),
            },
            other => parsed.unreadable.push(LocatedProblem {
                code,
                path: "record".into(),
                problem: SpecProblem::Unreadable {
                    reason: format!("record must be \"item\" or \"bundle\", not {other:?}"),
                },
            }),
        }
    }
    Ok(parsed)
}

/// A serialised enum (`"fully_online"`) without its quotes.
fn enum_code<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(code)) => code,
        _ => String::new(),
    }
}

fn codes<T: serde::Serialize>(values: &[T]) -> String {
    values.iter().map(enum_code).collect::<Vec<_>>().join(";")
}

/// Writes the CSV form: items first, then bundles; reading it back gives the same catalogue.
pub fn write_csv(catalogue: &Catalogue) -> Result<Vec<u8>, FileError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS)?;
    for item in &catalogue.items {
        let (letter_zh, letter_en) = item
            .commitment
            .as_ref()
            .map(|commitment| (commitment.letter.zh.clone(), commitment.letter.en.clone()))
            .unwrap_or_default();
        let (visit_zh, visit_en) = item
            .visit_reason
            .as_ref()
            .map(|reason| (reason.zh.clone(), reason.en.clone()))
            .unwrap_or_default();
        let row: [String; 31] = [
            "item".into(),
            item.code.clone(),
            item.name.zh.clone(),
            item.name.en.clone(),
            enum_code(&item.kind),
            item.responsible_department.clone(),
            item.approving_departments.join(";"),
            item.legal_basis.zh.clone(),
            item.legal_basis.en.clone(),
            item.conditions.zh.clone(),
            item.conditions.en.clone(),
            item.fee.zh.clone(),
            item.fee.en.clone(),
            item.promised_days.to_string(),
            item.statutory_days.to_string(),
            enum_code(&item.online_level),
            visit_zh,
            visit_en,
            codes(&item.delivery_modes),
            letter_zh,
            letter_en,
            item.instant_approval.to_string(),
            enum_code(&item.identity_level),
            item.accepting_centres.join(";"),
            json_cell(&item.licences),
            json_cell(&item.materials),
            json_cell(&item.form),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        writer.write_record(row)?;
    }
    for bundle in &catalogue.bundles {
        let mut row: [String; 31] = Default::default();
        row[0] = "bundle".into();
        row[1] = bundle.code.clone();
        row[2] = bundle.name.zh.clone();
        row[3] = bundle.name.en.clone();
        row[27] = bundle.description.zh.clone();
        row[28] = bundle.description.en.clone();
        row[29] = bundle.items.join(";");
        row[30] = bundle.shared_fields.join(";");
        writer.write_record(row)?;
    }
    writer
        .into_inner()
        .map_err(|error| FileError::Csv(error.into_error().into()))
}

/// A nested list written as one JSON cell.
fn json_cell<T: serde::Serialize>(value: &[T]) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Reads a file of either form.
pub fn read(format: Format, bytes: &[u8]) -> Result<ParsedFile, FileError> {
    match format {
        Format::Json => read_json(&String::from_utf8_lossy(bytes)),
        Format::Csv => read_csv(bytes),
    }
}

/// Writes a catalogue in either form.
pub fn write(format: Format, catalogue: &Catalogue) -> Result<Vec<u8>, FileError> {
    match format {
        Format::Json => Ok(write_json(catalogue)?.into_bytes()),
        Format::Csv => write_csv(catalogue),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::seed_catalogue::demo_catalogue;

    #[test]
    fn the_demo_catalogue_round_trips_through_csv_unchanged() {
        let catalogue = demo_catalogue().expect("seed");
        let bytes = write_csv(&catalogue).expect("write");
        let parsed = read_csv(&bytes).expect("read");
        assert!(parsed.unreadable.is_empty(), "{:?}", parsed.unreadable);
        assert_eq!(parsed.catalogue, catalogue);
    }

    #[test]
    fn the_demo_catalogue_round_trips_through_json_row_by_row() {
        let catalogue = demo_catalogue().expect("seed");
        let parsed = read_json(&write_json(&catalogue).expect("write")).expect("read");
        assert!(parsed.unreadable.is_empty());
        assert_eq!(parsed.catalogue, catalogue);
        assert_eq!(parsed.row_of(&catalogue.items[1].code), 2);
    }

    #[test]
    fn an_unreadable_csv_row_names_its_line_and_column_and_the_others_load() {
        let mut catalogue = demo_catalogue().expect("seed");
        catalogue.bundles.clear();
        catalogue.items.truncate(3);
        let text = String::from_utf8(write_csv(&catalogue).expect("write")).expect("utf-8");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        // Line 3 (the second item): a time limit in words.
        let fields: Vec<String> = {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(lines[2].as_bytes());
            let record = reader.records().next().expect("row").expect("csv");
            record.iter().map(str::to_owned).collect()
        };
        let mut fields = fields;
        fields[13] = "十五".into();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&fields).expect("write");
        lines[2] = String::from_utf8(writer.into_inner().expect("inner"))
            .expect("utf-8")
            .trim_end()
            .to_owned();
        let parsed = read_csv(lines.join("\n").as_bytes()).expect("read");
        assert_eq!(parsed.catalogue.items.len(), 2);
        assert_eq!(parsed.unreadable.len(), 1);
        let problem = &parsed.unreadable[0];
        assert_eq!(problem.path, "promised_days");
        assert_eq!(parsed.row_of(&problem.code), 3);
    }

    #[test]
    fn a_json_row_with_an_unknown_field_type_is_located_and_skipped() {
        let mut catalogue = demo_catalogue().expect("seed");
        catalogue.bundles.clear();
        catalogue.items.truncate(2);
        let mut document = serde_json::to_value(&catalogue).expect("value");
        document["items"][1]["form"][0]["type"] = Value::String("colour".into());
        let parsed = read_json(&document.to_string()).expect("read");
        assert_eq!(parsed.catalogue.items.len(), 1);
        assert_eq!(parsed.unreadable[0].path, "form[0].type");
    }

    #[test]
    fn csv_columns_are_named_from_paths() {
        assert_eq!(csv_column_of("name.zh"), "name_zh");
        assert_eq!(csv_column_of("name"), "name_zh, name_en");
        assert_eq!(csv_column_of("materials[2].name"), "materials");
        assert_eq!(
            csv_column_of("commitment.letter.en"),
            "commitment_letter_en"
        );
        assert_eq!(csv_column_of("promised_days"), "promised_days");
    }
}
