//! The XML request decoder: never panics, never expands an entity, and whatever it accepts
//! checks into a query or a result code without panicking.
#![no_main]

use claims_wire::{Format, decode_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match decode_request(Format::Xml, body) {
        Ok(request) => {
            let _ = request.to_query();
            // Values are plain text: nothing is left of markup or references.
            for value in [
                &request.perd_str_dts,
                &request.perd_end_dts,
                &request.oror_no,
                &request.oror_item_seqs,
            ]
            .into_iter()
            .flatten()
            {
                assert_eq!(value.trim(), value, "values are trimmed");
                assert!(!value.is_empty(), "empty values count as absent");
            }
        }
        Err(failure) => assert!(matches!(failure.code().as_str(), "10" | "11" | "14")),
    }
});
