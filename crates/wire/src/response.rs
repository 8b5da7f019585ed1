//! The inquiry's answer, written in either format.
//!
//! An answer is written in three parts — head, rows, tail — so that a server can stream a
//! long answer row by row. The field names and their order are written once, in
//! [`write_row`], for both formats.

use claims_domain::{CancelRow, KstDateTime, codes};

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

fn success_desc(lang: Lang) -> &'static str {
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
        "FAIL",
        &failure.describe(lang),
        &mut out,
    );
    match format {
        Format::Json => out.extend_from_slice(b"}}"),
        Format::Xml => out.extend_from_slice(b"</result>"),
    }
    out
}

fn write_envelope_head(
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
    match format {
        Format::Json => {
            if !first {
                out.push(b',');
            }
            row_fields(&mut JsonSink::new(out), row);
        }
        Format::Xml => row_fields(&mut XmlSink { out }, row),
    }
}

/// The one place that knows which fields a row has and in what order.
fn row_fields(sink: &mut impl Sink, row: &CancelRow) {
    let mut number = itoa::Buffer::new();
    let mut time = [0u8; KstDateTime::WIRE_LEN];

    sink.begin("data");
    sink.field("ordpeNm", row.ordpe_nm.as_str());
    sink.field("ordRcpMediaCd", row.media.code());
    sink.field("ordRcpMediaNm", row.media.name());
    sink.field("orordNo", row.oror_no.as_str());
    sink.field("orordItemSeq", number.format(row.oror_item_seq.get()));
    sink.field("ordNo", row.clm_no.as_str());
    sink.field("ordItemSeq", number.format(row.clm_item_seq.get()));
    sink.field("ordItemStatCd", codes::CANCELED_STATUS_CODE);
    sink.field("ordItemStatNm", codes::CANCELED_STATUS_NAME);
    sink.field("itemNm", row.item_nm.as_str());
    sink.field("itemId", row.item_id.as_str());
    sink.field("clmRsnCd", row.reason.code());
    sink.field("clmRsnNm", row.reason.name());
    sink.field("clmRsnCntt", row.reason_text.as_str());
    sink.field("imptDivCd", row.fault.code());
    row.canceled_at.write_wire(&mut time);
    sink.field("ordCnclDts", ascii(&time));
    sink.field("cnclItemQty", number.format(row.qty.get()));
    row.received_at.write_wire(&mut time);
    sink.field("ordRcpDts", ascii(&time));
    sink.field("dircItemQty", number.format(row.ordered_qty.get()));
    sink.field("uitemId", row.uitem_id.as_str());
    sink.field("uitemNm", row.uitem_nm.as_str());
    sink.begin_list("cstInfo");
    for cost in &row.cost {
        sink.begin("cstInfo");
        sink.field("ordNo", row.clm_no.as_str());
        sink.field("ordItemSeq", number.format(row.clm_item_seq.get()));
        sink.field("shpmtShppcst", number.format(cost.shpmt_shppcst.get()));
        sink.field("retShppcst", number.format(cost.ret_shppcst.get()));
        sink.field("exchShppcst", number.format(cost.exch_shppcst.get()));
        sink.field(
            "splVenBdnDcAmt",
            number.format(cost.spl_ven_bdn_dc_amt.get()),
        );
        sink.field("splVenId", cost.vendor.as_str());
        sink.field(
            "lrnkSplVenId",
            cost.lower_rank.as_ref().map_or("", |v| v.as_str()),
        );
        sink.end("cstInfo");
    }
    sink.end_list();
    sink.end("data");
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
fn write_json_string(value: &str, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
}

/// Escapes text for XML element content: `&`, `<` and `>`, and carriage returns as `&#13;`
/// so that parsers, which turn a raw CR into LF, give the text back unchanged.
/// (quick-xml's escapers leave CR alone, which would lose it.)
fn escape_xml_bytes(value: &str, out: &mut Vec<u8>) {
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
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
    fn json_strings_escape_control_characters_only() {
        let mut out = Vec::new();
        write_json_string("홍\"길\\동\n\u{1}", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#""홍\"길\\동\n\u0001""#);
    }
}
