//! Content negotiation, hand-written: `Content-Type`, `Accept` and `Accept-Language` of
//! any shape never panic, and an answer format is always one the caller can take.
#![no_main]

use claims_wire::{language, request_format, response_format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|headers: (&str, &str, &str)| {
    let (content_type, accept, accept_language) = headers;
    let sent = request_format(Some(content_type)).ok();
    let _ = response_format(Some(accept), sent);
    if response_format(None, sent).is_err() {
        panic!("no Accept always has an answer");
    }
    let _ = language(Some(accept_language));
});
