//! `CreditCode::parse` and `CreditCode::generate`: parsing arbitrary text never panics, and a
//! parsed code re-serialises identically (text, `Display`, serde) and parses to itself;
//! generating from in-range parts always succeeds, gives a code that parses to itself, keeps
//! the division, and distinct serials give distinct codes.
#![no_main]

use app::domain::CreditCode;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    text: &'a str,
    authority: char,
    category: char,
    division: &'a str,
    /// Six digits, so that generation is exercised with valid divisions too.
    digits: [u8; 6],
    serial: u64,
}

/// The characters of the code (digits and capitals without I, O, Z, S, V).
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 31⁸: the serials an 8-character organisation code can hold.
const SERIALS: u64 = 852_891_037_441;

fn round_trips(code: &CreditCode) {
    let text = code.as_str();
    assert_eq!(text.len(), 18, "{text:?}");
    assert!(text.chars().all(|c| ALPHABET.contains(c)), "{text:?}");
    assert_eq!(CreditCode::parse(text).as_ref(), Ok(code));
    assert_eq!(code.to_string(), text);
    assert_eq!(String::from(code.clone()), text);
    assert!(code.division().bytes().all(|byte| byte.is_ascii_digit()));
    let json = serde_json::to_string(code).expect("a credit code serialises");
    assert_eq!(
        serde_json::from_str::<CreditCode>(&json).ok().as_ref(),
        Some(code)
    );
}

fuzz_target!(|input: Input<'_>| {
    if let Ok(code) = CreditCode::parse(input.text) {
        round_trips(&code);
    }
    if let Some(code) = CreditCode::generate(
        input.authority,
        input.category,
        input.division,
        input.serial,
    ) {
        round_trips(&code);
        assert_eq!(code.division(), input.division);
    }
    let division: String = input
        .digits
        .iter()
        .map(|byte| char::from(b'0' + byte % 10))
        .collect();
    let in_range = ALPHABET.contains(input.authority)
        && ALPHABET.contains(input.category)
        && input.serial < SERIALS;
    let generated = CreditCode::generate(input.authority, input.category, &division, input.serial);
    assert_eq!(generated.is_some(), in_range, "{input:?}");
    if let Some(code) = generated {
        round_trips(&code);
        assert_eq!(code.division(), division);
        let next = (input.serial + 1) % SERIALS;
        let other = CreditCode::generate(input.authority, input.category, &division, next);
        assert_ne!(
            other.as_ref(),
            Some(&code),
            "serials {} and {next}",
            input.serial
        );
    }
});
