//! The client's answer decoder, both formats: never panics, and what it reads, written
//! again and read back, is the same rows.
#![no_main]

use claims_wire::{Format, decode_answer, encode_wire_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let (xml, body) = input;
    let format = if xml { Format::Xml } else { Format::Json };
    if let Ok(answer) = decode_answer(format, body)
        && answer.result_code == "00"
    {
        let again = encode_wire_rows(format, &answer.rows);
        let reread = decode_answer(format, &again).expect("our own encoding reads back");
        assert_eq!(reread.rows, answer.rows);
    }
});
