//! The JSON request decoder: never panics; accepted requests check into a query or a
//! result code.
#![no_main]

use claims_wire::{Format, decode_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match decode_request(Format::Json, body) {
        Ok(request) => {
            if let Err(failure) = request.to_query() {
                assert!(matches!(failure.code().as_str(), "10" | "11" | "12" | "13"));
            }
        }
        Err(failure) => assert!(matches!(failure.code().as_str(), "11" | "14")),
    }
});
