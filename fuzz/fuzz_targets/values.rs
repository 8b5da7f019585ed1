//! Every hand-written value parser: dates, date-times, sequence lists, order numbers and
//! vendor ids. None panics; what is accepted prints back as itself.
#![no_main]

use claims_domain::{ItemSeqs, KstDate, KstDateTime, OrderNo, VendorId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(date) = KstDate::parse_compact(text) {
        assert_eq!(date.compact(), text);
        assert_eq!(KstDate::of(date.start()), date);
    }
    if let Ok(instant) = KstDateTime::parse("t", text) {
        assert_eq!(instant.to_wire(), text.trim());
        assert_eq!(KstDateTime::parse("t", &instant.to_wire()), Ok(instant));
    }
    if let Ok(seqs) = ItemSeqs::parse("orordItemSeqs", text) {
        let _ = seqs;
    }
    if let Ok(no) = OrderNo::parse("ordNo", text) {
        assert_eq!(OrderNo::parse("ordNo", no.as_str()), Ok(no.clone()));
    }
    if let Ok(id) = VendorId::parse("splVenId", text) {
        assert_eq!(id.as_str().len(), 10);
    }
});
