//! The catalogue importer on arbitrary bytes: the first byte picks the form (even: JSON, odd:
//! CSV), the rest is the file. Reading never panics; whatever it reads can be checked
//! (`Catalogue::problems`), located (`row_of`) and written back; the JSON form reads back
//! identically, and the CSV form (which trims cells and splits `;` lists) is stable after one
//! write.
#![no_main]

use app::backend::catalogue_file::{self, Format};
use app::domain::catalogue::Catalogue;
use libfuzzer_sys::fuzz_target;

fn write_and_read(format: Format, catalogue: &Catalogue) -> Catalogue {
    let bytes = catalogue_file::write(format, catalogue).expect("a read catalogue writes");
    let parsed = catalogue_file::read(format, &bytes).expect("a written catalogue reads");
    assert!(
        parsed.unreadable.is_empty(),
        "{format:?} rows written but unreadable: {:?}\n{}",
        parsed.unreadable,
        String::from_utf8_lossy(&bytes)
    );
    parsed.catalogue
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, file)) = data.split_first() else {
        return;
    };
    let format = if selector % 2 == 0 {
        Format::Json
    } else {
        Format::Csv
    };
    let Ok(parsed) = catalogue_file::read(format, file) else {
        return;
    };
    let catalogue = &parsed.catalogue;
    let _ = catalogue.problems(&|_| true, &|_| true);
    let _ = catalogue.problems(&|code| code.len() % 2 == 0, &|_| false);
    for item in &catalogue.items {
        let _ = (parsed.row_of(&item.code), catalogue.row_of(&item.code));
    }
    for problem in &parsed.unreadable {
        let _ = (
            parsed.row_of(&problem.code),
            catalogue_file::csv_column_of(&problem.path),
        );
    }
    match format {
        Format::Json => assert_eq!(&write_and_read(Format::Json, catalogue), catalogue),
        Format::Csv => {
            let once = write_and_read(Format::Csv, catalogue);
            assert_eq!(write_and_read(Format::Csv, &once), once);
        }
    }
});
