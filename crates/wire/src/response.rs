//! The inquiry's answer, written in either format.
//!
//! An answer is written in three parts — head, rows, tail — so that a server can stream a
//! long answer row by row. The field names and their order are written once, in
//! [`write_row`], for both formats.

use claims_domain::{
    CancelRow, CancelRowRef, CostLine, CostLineRef, InvalidValue, KstDateTime, RowSink, codes,
};

use crate::{Failure, Format, Lang, ResultCode};

/// The fields of a row (`data`), in SSG's order, without `cstInfo`.
pub const ROW_FIELDS: [&str; 21] = [
    "ordpeNm",
    "ordRcpMediaCd",
    "ordRcpMediaNm",
    "orordNo",
    "orordItemSeq",
    "ordNo",
    "ordItemSeq",
    "ordItemStatCd",
    "ordItemStatNm",
    "itemNm",
    "itemId",
    "clmRsnCd",
    "clmRsnNm",
    "clmRsnCntt",
    "imptDivCd",
    "ordCnclDts",
    "cnclItemQty",
    "ordRcpDts",
    "dircItemQty",
    "uitemId",
    "uitemNm",
];

/// The fields of a cost line (`cstInfo`), in SSG's order.
pub const COST_FIELDS: [&str; 8] = [
    "ordNo",
    "ordItemSeq",
    "shpmtShppcst",
    "retShppcst",
    "exchShppcst",
    "splVenBdnDcAmt",
    "splVenId",
    "lrnkSplVenId",
];

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

pub(crate) fn success_desc(lang: Lang) -> &'static str {
    match lang {
        Lang::Ko => "성공",
        Lang::En => "Success",
    }
}

/// Writes everything of a successful answer that comes before the first row.
pub fn write_success_head(format: Format, lang: Lang, out: &mut Vec<u8>) {
    write_envelope_head(
        format,
        ResultCode::Success,
        "SUCCESS",
        success_desc(lang),
        out,
    );
    if format == Format::Json {
        out.extend_from_slice(b",\"data\":[");
    }
}

/// Writes what follows the last row.
pub fn write_success_tail(format: Format, out: &mut Vec<u8>) {
    match format {
        Format::Json => out.extend_from_slice(b"]}}"),
        Format::Xml => out.extend_from_slice(b"</result>"),
    }
}

/// A whole successful answer.
pub fn encode_success(format: Format, lang: Lang, rows: &[CancelRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 900);
    write_success_head(format, lang, &mut out);
    for (index, row) in rows.iter().enumerate() {
        write_row(format, row, index == 0, &mut out);
    }
    write_success_tail(format, &mut out);
    out
}

/// A whole error answer: the envelope without `data`.
pub fn encode_failure(format: Format, lang: Lang, failure: &Failure) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_envelope_head(
        format,
        failure.code(),
        failure.message(),
        &failure.describe(lang),
        &mut out,
    );
    match format {
        Format::Json => out.extend_from_slice(b"}}"),
        Format::Xml => out.extend_from_slice(b"</result>"),
    }
    out
}

pub(crate) fn write_envelope_head(
    format: Format,
    code: ResultCode,
    message: &str,
    desc: &str,
    out: &mut Vec<u8>,
) {
    match format {
        Format::Json => {
            out.extend_from_slice(b"{\"result\":{\"resultCode\":\"");
            out.extend_from_slice(code.as_str().as_bytes());
            out.extend_from_slice(b"\",\"resultMessage\":\"");
            out.extend_from_slice(message.as_bytes());
            out.extend_from_slice(b"\",\"resultDesc\":");
            write_json_string(desc, out);
        }
        Format::Xml => {
            out.extend_from_slice(XML_DECLARATION.as_bytes());
            out.extend_from_slice(b"<result><resultCode>");
            out.extend_from_slice(code.as_str().as_bytes());
            out.extend_from_slice(b"</resultCode><resultMessage>");
            out.extend_from_slice(message.as_bytes());
            out.extend_from_slice(b"</resultMessage><resultDesc>");
            let mut escaped = String::new();
            escape_xml_text(desc, &mut escaped);
            out.extend_from_slice(escaped.as_bytes());
            out.extend_from_slice(b"</resultDesc>");
        }
    }
}

/// Writes one row; `first` is whether it is the answer's first row.
pub fn write_row(format: Format, row: &CancelRow, first: bool, out: &mut Vec<u8>) {
    write_fields(
        format,
        &row.view(),
        row.cost.iter().map(CostLine::view),
        first,
        out,
    );
}

/// Writes one row as a store read it (with its one cost line).
pub fn write_row_ref(format: Format, row: &CancelRowRef<'_>, first: bool, out: &mut Vec<u8>) {
    write_fields(format, row, std::iter::once(row.cost), first, out);
}

fn write_fields<'a>(
    format: Format,
    row: &CancelRowRef<'_>,
    costs: impl Iterator<Item = CostLineRef<'a>>,
    first: bool,
    out: &mut Vec<u8>,
) {
    match format {
        Format::Json => {
            if !first {
                out.push(b',');
            }
            row_fields(&mut JsonSink::new(out), row, costs);
        }
        Format::Xml => row_fields(&mut XmlSink { out }, row, costs),
    }
}

/// The one place that knows which fields a row has and in what order.
fn row_fields<'a>(
    sink: &mut impl Sink,
    row: &CancelRowRef<'_>,
    costs: impl Iterator<Item = CostLineRef<'a>>,
) {
    let mut number = itoa::Buffer::new();
    let mut time = [0u8; KstDateTime::WIRE_LEN];

    sink.begin("data");
    sink.field("ordpeNm", row.ordpe_nm);
    sink.field("ordRcpMediaCd", row.media.code());
    sink.field("ordRcpMediaNm", row.media.name());
    sink.field("orordNo", row.oror_no);
    sink.field("orordItemSeq", number.format(row.oror_item_seq));
    sink.field("ordNo", row.clm_no);
    sink.field("ordItemSeq", number.format(row.clm_item_seq));
    sink.field("ordItemStatCd", codes::CANCELED_STATUS_CODE);
    sink.field("ordItemStatNm", codes::CANCELED_STATUS_NAME);
    sink.field("itemNm", row.item_nm);
    sink.field("itemId", row.item_id);
    sink.field("clmRsnCd", row.reason.code());
    sink.field("clmRsnNm", row.reason.name());
    sink.field("clmRsnCntt", row.reason_text);
    sink.field("imptDivCd", row.fault.code());
    row.canceled_at.write_wire(&mut time);
    sink.field("ordCnclDts", ascii(&time));
    sink.field("cnclItemQty", number.format(row.qty));
    row.received_at.write_wire(&mut time);
    sink.field("ordRcpDts", ascii(&time));
    sink.field("dircItemQty", number.format(row.ordered_qty));
    sink.field("uitemId", row.uitem_id);
    sink.field("uitemNm", row.uitem_nm);
    sink.begin_list("cstInfo");
    for cost in costs {
        sink.begin("cstInfo");
        sink.field("ordNo", row.clm_no);
        sink.field("ordItemSeq", number.format(row.clm_item_seq));
        sink.field("shpmtShppcst", number.format(cost.shpmt_shppcst));
        sink.field("retShppcst", number.format(cost.ret_shppcst));
        sink.field("exchShppcst", number.format(cost.exch_shppcst));
        sink.field("splVenBdnDcAmt", number.format(cost.spl_ven_bdn_dc_amt));
        sink.field("splVenId", cost.vendor);
        sink.field("lrnkSplVenId", cost.lower_rank);
        sink.end("cstInfo");
    }
    sink.end_list();
    sink.end("data");
}

/// Encodes rows as a store hands them over, into a buffer that becomes (part of) an answer.
/// Implements the store's [`RowSink`], so rows go from the database's buffers to the answer's
/// bytes without being copied into values first.
#[derive(Debug)]
pub struct RowEncoder {
    format: Format,
    out: Vec<u8>,
    /// Whether the next row is the answer's first (JSON separates rows with commas).
    first: bool,
    rows: usize,
}

impl RowEncoder {
    /// An encoder for the start of an answer: the head is written at once.
    pub fn with_head(format: Format, lang: Lang, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        write_success_head(format, lang, &mut out);
        Self {
            format,
            out,
            first: true,
            rows: 0,
        }
    }

    /// An encoder for rows that continue an answer already started with `rows_before` rows.
    pub fn continuing(format: Format, rows_before: usize, capacity: usize) -> Self {
        Self {
            format,
            out: Vec::with_capacity(capacity),
            first: rows_before == 0,
            rows: 0,
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.out
    }

    /// Writes `row` as the next row and gives back its own bytes (without the comma that
    /// separates JSON rows): what [`RowEncoder::encoded_row`] takes to write it again.
    pub fn row_bytes(&mut self, row: &CancelRowRef<'_>) -> &[u8] {
        self.separate();
        let start = self.out.len();
        write_row_ref(self.format, row, true, &mut self.out);
        &self.out[start..]
    }

    /// Writes a row given as the bytes [`RowEncoder::row_bytes`] gave for it, in this
    /// encoder's format.
    pub fn encoded_row(&mut self, bytes: &[u8]) {
        self.separate();
        self.out.extend_from_slice(bytes);
    }

    /// Counts the next row, and separates it from the last one in JSON.
    fn separate(&mut self) {
        if self.format == Format::Json && !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.rows += 1;
    }

    /// The bytes written; with `complete`, the answer's tail is added.
    pub fn finish(mut self, complete: bool) -> Vec<u8> {
        if complete {
            write_success_tail(self.format, &mut self.out);
        }
        self.out
    }
}

impl RowSink for RowEncoder {
    fn row(&mut self, row: &CancelRowRef<'_>) -> Result<(), InvalidValue> {
        self.row_bytes(row);
        Ok(())
    }
}

fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("date-times are written in ASCII")
}

/// A format's way of writing objects, fields and lists.
trait Sink {
    fn begin(&mut self, element: &str);
    fn field(&mut self, name: &str, value: &str);
    fn begin_list(&mut self, name: &str);
    fn end_list(&mut self);
    fn end(&mut self, element: &str);
}

struct JsonSink<'a> {
    out: &'a mut Vec<u8>,
    /// Whether the next member of the current object or list is its first.
    first: bool,
}

impl<'a> JsonSink<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out, first: true }
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }
}

impl Sink for JsonSink<'_> {
    fn begin(&mut self, _element: &str) {
        self.separate();
        self.out.push(b'{');
        self.first = true;
    }

    fn field(&mut self, name: &str, value: &str) {
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        write_json_string(value, self.out);
    }

    fn begin_list(&mut self, name: &str) {
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":[");
        self.first = true;
    }

    fn end_list(&mut self) {
        self.out.push(b']');
        self.first = false;
    }

    fn end(&mut self, _element: &str) {
        self.out.push(b'}');
        self.first = false;
    }
}

struct XmlSink<'a> {
    out: &'a mut Vec<u8>,
}

impl Sink for XmlSink<'_> {
    fn begin(&mut self, element: &str) {
        self.out.push(b'<');
        self.out.extend_from_slice(element.as_bytes());
        self.out.push(b'>');
    }

    fn field(&mut self, name: &str, value: &str) {
        self.begin(name);
        escape_xml_bytes(value, self.out);
        self.end(name);
    }

    /// XML repeats the list's element directly; there is no wrapper.
    fn begin_list(&mut self, _name: &str) {}

    fn end_list(&mut self) {}

    fn end(&mut self, element: &str) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(element.as_bytes());
        self.out.push(b'>');
    }
}

/// Writes a JSON string literal: serde_json's escaping (quotes, backslashes, control
/// characters), with non-ASCII text kept as UTF-8.
///
/// Written here because serde_json keeps its escaper private and going through its
/// serializer for every field costs more than the escaping itself on the inquiry's hot path;
/// the tests hold it to serde_json's exact output.
pub(crate) fn write_json_string(value: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(value.len() + 2);
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut start = 0;
    for i in escapes(bytes, |w| {
        has_less_than(w, 0x20) || has_byte(w, b'"') || has_byte(w, b'\\')
    }) {
        let b = bytes[i];
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0x00..=0x1F => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(short);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Escapes text for XML element content: `&`, `<` and `>`, and carriage returns as `&#13;`
/// so that parsers, which turn a raw CR into LF, give the text back unchanged. Characters
/// XML 1.0 cannot carry at all (other C0 controls, U+FFFE, U+FFFF), which the domain never
/// stores, become U+FFFD rather than making the document ill-formed.
/// (quick-xml's escapers leave CR alone, which would lose it.)
pub(crate) fn escape_xml_bytes(value: &str, out: &mut Vec<u8>) {
    out.reserve(value.len());
    let bytes = value.as_bytes();
    let mut start = 0;
    let special = |w: u64| {
        has_less_than(w, 0x20)
            || has_byte(w, b'&')
            || has_byte(w, b'<')
            || has_byte(w, b'>')
            || has_byte(w, 0xBF)
    };
    for i in escapes(bytes, special) {
        let b = bytes[i];
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'\t' | b'\n' => continue,
            0x00..=0x1F => "\u{FFFD}".as_bytes(),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF: the first two bytes are written
            // through, and the last becomes BD, which makes U+FFFD.
            0xBF if i + 1 < bytes.len()
                && i >= 1
                && bytes[i - 1] == 0xEF
                && matches!(bytes[i + 1], 0xBE | 0xBF) =>
            {
                out.extend_from_slice(&bytes[start..=i]);
                out.push(0xBD);
                start = i + 2;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        start = i + 1;
    }
    if start < bytes.len() {
        out.extend_from_slice(&bytes[start..]);
    }
}

/// Positions of the bytes that may need escaping: whole 8-byte words are skipped when
/// `word_special` says none of their bytes can (a word-at-a-time scan, since nearly every
/// value needs no escaping at all); the bytes of the other words are all offered.
fn escapes(bytes: &[u8], word_special: impl Fn(u64) -> bool) -> impl Iterator<Item = usize> {
    let words = bytes.len() / 8;
    let flagged = (0..words).filter(move |&w| {
        let chunk: [u8; 8] = bytes[w * 8..w * 8 + 8].try_into().expect("eight bytes");
        word_special(u64::from_le_bytes(chunk))
    });
    flagged
        .flat_map(|w| w * 8..w * 8 + 8)
        .chain(words * 8..bytes.len())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is below `n` (n ≤ 0x80). Exact for the question "any?": a
/// borrow can only flag a byte above one that is truly below `n`.
fn has_less_than(word: u64, n: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0
}

/// Whether any byte of `word` equals `b`.
fn has_byte(word: u64, b: u8) -> bool {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// [`escape_xml_bytes`] into a `String`.
pub(crate) fn escape_xml_text(value: &str, out: &mut String) {
    let mut bytes = std::mem::take(out).into_bytes();
    escape_xml_bytes(value, &mut bytes);
    *out = String::from_utf8(bytes).expect("escaping keeps UTF-8 valid");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_keeps_text_recoverable() {
        let mut out = Vec::new();
        escape_xml_bytes("M&M's <대용량> \"x\"\r\n", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "M&amp;M's &lt;대용량&gt; \"x\"&#13;\n"
        );
    }

    #[test]
    fn xml_escaping_replaces_what_xml_cannot_carry() {
        let mut out = Vec::new();
        escape_xml_bytes("a\u{1}b\u{1F}c\u{FFFE}d\u{FFFF}e\u{FFFD}\tf\ng", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}\tf\ng"
        );
    }

    proptest::proptest! {
        #[test]
        fn json_strings_match_serde_json(value in "\\PC*|[\\x00-\\x7f]*") {
            let mut out = Vec::new();
            write_json_string(&value, &mut out);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&value).unwrap());
        }

        #[test]
        fn escaped_xml_text_reads_back(value in "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\u{FFFE}\\u{FFFF}]*") {
            let mut out = String::new();
            escape_xml_text(&value, &mut out);
            let document = format!("<v>{out}</v>");
            let parsed = roxmltree::Document::parse(&document).unwrap();
            proptest::prop_assert_eq!(parsed.root_element().text().unwrap_or(""), value.as_str());
        }
    }

    #[test]
    fn json_strings_escape_control_characters_only() {
        let mut out = Vec::new();
        write_json_string("홍\"길\\동\n\u{1}", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#""홍\"길\\동\n\u0001""#);
    }
}
