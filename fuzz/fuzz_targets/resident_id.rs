//! `ResidentId::parse` on arbitrary text: never panics, and whatever it accepts is a
//! normalised 18-character number that parses to itself, with a real birth date, a mask of the
//! same length and a serde form that reads back identically.
#![no_main]

use app::domain::ResidentId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(id) = ResidentId::parse(text) else {
        return;
    };
    let normal = id.as_str();
    assert_eq!(normal.len(), 18, "{normal:?}");
    assert!(normal[..17].bytes().all(|byte| byte.is_ascii_digit()));
    assert_eq!(ResidentId::parse(normal).as_ref(), Ok(&id));
    assert_eq!(id.to_string(), normal);
    let (year, month, day) = id.birth_date();
    assert!(year >= 1900 && (1..=12).contains(&month) && (1..=31).contains(&day));
    assert_eq!(id.region_code().len(), 6);
    let _ = id.is_male();
    assert_eq!(id.masked().chars().count(), 18);
    let json = serde_json::to_string(&id).expect("a resident ID serialises");
    assert_eq!(
        serde_json::from_str::<ResidentId>(&json).ok().as_ref(),
        Some(&id)
    );
});
