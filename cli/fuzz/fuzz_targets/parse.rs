//! Fuzz every parser of the ioband target's text (table lines, messages,
//! status): no input may panic, and what parses must round-trip exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        ioband_textlang::fuzz_one(s);
    }
});
