//! Reading an answer, as a client does: every value as the server wrote it (strings), in
//! either format, tolerant of what a real SSG server may do differently (numbers instead of
//! strings in JSON, missing fields, unknown ones).

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::{Deserialize, Deserializer, Serialize};

use crate::request::{BadReference, resolve_reference, xml_text};
use crate::{COST_FIELDS, Format, ROW_FIELDS};

/// A row of an answer (`data`), every value a string as on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireRow {
    #[serde(deserialize_with = "wire_text")]
    pub ordpe_nm: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_rcp_media_cd: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_rcp_media_nm: String,
    #[serde(rename = "orordNo", deserialize_with = "wire_text")]
    pub oror_no: String,
    #[serde(rename = "orordItemSeq", deserialize_with = "wire_text")]
    pub oror_item_seq: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_no: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_item_seq: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_item_stat_cd: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_item_stat_nm: String,
    #[serde(deserialize_with = "wire_text")]
    pub item_nm: String,
    #[serde(deserialize_with = "wire_text")]
    pub item_id: String,
    #[serde(deserialize_with = "wire_text")]
    pub clm_rsn_cd: String,
    #[serde(deserialize_with = "wire_text")]
    pub clm_rsn_nm: String,
    #[serde(deserialize_with = "wire_text")]
    pub clm_rsn_cntt: String,
    #[serde(deserialize_with = "wire_text")]
    pub impt_div_cd: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_cncl_dts: String,
    #[serde(deserialize_with = "wire_text")]
    pub cncl_item_qty: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_rcp_dts: String,
    #[serde(deserialize_with = "wire_text")]
    pub dirc_item_qty: String,
    #[serde(deserialize_with = "wire_text")]
    pub uitem_id: String,
    #[serde(deserialize_with = "wire_text")]
    pub uitem_nm: String,
    pub cst_info: Vec<WireCost>,
}

/// A cost line of a row (`cstInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireCost {
    #[serde(deserialize_with = "wire_text")]
    pub ord_no: String,
    #[serde(deserialize_with = "wire_text")]
    pub ord_item_seq: String,
    #[serde(deserialize_with = "wire_text")]
    pub shpmt_shppcst: String,
    #[serde(deserialize_with = "wire_text")]
    pub ret_shppcst: String,
    #[serde(deserialize_with = "wire_text")]
    pub exch_shppcst: String,
    #[serde(deserialize_with = "wire_text")]
    pub spl_ven_bdn_dc_amt: String,
    #[serde(deserialize_with = "wire_text")]
    pub spl_ven_id: String,
    #[serde(deserialize_with = "wire_text")]
    pub lrnk_spl_ven_id: String,
}

/// A string, or a number or boolean written as text, or null as the empty string.
fn wire_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// `fields` and `field_mut` of a struct of wire strings, from one list of its fields in the
/// order of `$names` (the wire crate's list of the element's field names), so that no name
/// is written twice here; a list of the wrong length does not compile.
macro_rules! wire_fields {
    ($type:ty, $names:expr, [$($field:ident),* $(,)?]) => {
        impl $type {
            /// `(name, value)` of each field, in SSG's order.
            pub fn fields(&self) -> [(&'static str, &str); { $names.len() }] {
                let values: [&String; { $names.len() }] = [$(&self.$field),*];
                std::array::from_fn(|i| ($names[i], values[i].as_str()))
            }

            fn field_mut(&mut self, name: &str) -> Option<&mut String> {
                let index = $names.iter().position(|known| *known == name)?;
                let slots: [&mut String; { $names.len() }] = [$(&mut self.$field),*];
                slots.into_iter().nth(index)
            }
        }
    };
}

wire_fields!(
    WireRow,
    ROW_FIELDS,
    [
        ordpe_nm,
        ord_rcp_media_cd,
        ord_rcp_media_nm,
        oror_no,
        oror_item_seq,
        ord_no,
        ord_item_seq,
        ord_item_stat_cd,
        ord_item_stat_nm,
        item_nm,
        item_id,
        clm_rsn_cd,
        clm_rsn_nm,
        clm_rsn_cntt,
        impt_div_cd,
        ord_cncl_dts,
        cncl_item_qty,
        ord_rcp_dts,
        dirc_item_qty,
        uitem_id,
        uitem_nm,
    ]
);

wire_fields!(
    WireCost,
    COST_FIELDS,
    [
        ord_no,
        ord_item_seq,
        shpmt_shppcst,
        ret_shppcst,
        exch_shppcst,
        spl_ven_bdn_dc_amt,
        spl_ven_id,
        lrnk_spl_ven_id,
    ]
);

impl WireRow {
    /// The row's identity: its claim's order number and line.
    pub fn key(&self) -> (String, String) {
        (self.ord_no.clone(), self.ord_item_seq.clone())
    }

    /// The answer's order: cancel time, then claim number, then line (as a number).
    pub fn sort_key(&self) -> (String, String, u64) {
        (
            self.ord_cncl_dts.clone(),
            self.ord_no.clone(),
            self.ord_item_seq.trim().parse().unwrap_or(u64::MAX),
        )
    }
}

/// A decoded answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub result_code: String,
    pub result_message: String,
    pub result_desc: String,
    pub rows: Vec<WireRow>,
}

/// An answer that could not be read; the text says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError(pub String);

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AnswerError {}

/// Reads an answer of either format. XML is read without a DTD or any entity beyond XML's
/// five and character references, whoever sent it.
pub fn decode_answer(format: Format, body: &[u8]) -> Result<Answer, AnswerError> {
    let text =
        std::str::from_utf8(body).map_err(|_| AnswerError("the answer is not UTF-8".into()))?;
    match format {
        Format::Json => decode_json(text),
        Format::Xml => decode_xml(text),
    }
}

fn decode_json(text: &str) -> Result<Answer, AnswerError> {
    #[derive(Deserialize)]
    struct Envelope {
        result: Body,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        #[serde(default, deserialize_with = "wire_text")]
        result_code: String,
        #[serde(default, deserialize_with = "wire_text")]
        result_message: String,
        #[serde(default, deserialize_with = "wire_text")]
        result_desc: String,
        #[serde(default, deserialize_with = "rows")]
        data: Vec<WireRow>,
    }
    /// `data` as a list, a single object, or null.
    fn rows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<WireRow>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Rows {
            Many(Vec<WireRow>),
            One(Box<WireRow>),
            None,
        }
        Ok(match Option::<Rows>::deserialize(deserializer)? {
            Some(Rows::Many(rows)) => rows,
            Some(Rows::One(row)) => vec![*row],
            Some(Rows::None) | None => Vec::new(),
        })
    }
    let envelope: Envelope = serde_json::from_str(text)
        .map_err(|err| AnswerError(format!("the JSON answer could not be read: {err}")))?;
    let body = envelope.result;
    Ok(Answer {
        result_code: body.result_code,
        result_message: body.result_message,
        result_desc: body.result_desc,
        rows: body.data,
    })
}

/// Where the XML reader is.
#[derive(Default)]
enum At {
    #[default]
    Nothing,
    Envelope(&'static str),
    RowField(String),
    CostField(String),
}

fn decode_xml(text: &str) -> Result<Answer, AnswerError> {
    let fail = |what: String| AnswerError(format!("the XML answer could not be read: {what}"));
    let mut reader = Reader::from_str(text);
    let mut read = XmlAnswer::default();
    loop {
        let event = reader.read_event().map_err(|err| fail(err.to_string()))?;
        match event {
            Event::DocType(_) => return Err(fail("it has a DOCTYPE".into())),
            Event::Start(ref element) | Event::Empty(ref element) => {
                let name = element.local_name().into_inner().to_owned();
                read.open(name).map_err(fail)?;
                if matches!(event, Event::Empty(_)) {
                    read.close();
                }
            }
            Event::End(_) => read.close(),
            Event::Text(content) => read
                .value
                .push_str(&xml_text(content.xml10_content()).map_err(fail)?),
            Event::CData(content) => read
                .value
                .push_str(&xml_text(content.xml10_content()).map_err(fail)?),
            Event::GeneralRef(reference) => {
                let c = match resolve_reference(&reference) {
                    Ok(c) => c,
                    Err(BadReference::NotACharacter(name)) => {
                        return Err(fail(format!("&{name}; is not a valid character reference")));
                    }
                    Err(BadReference::UnknownEntity(name)) => {
                        return Err(fail(format!("it uses the unknown entity &{name};")));
                    }
                };
                read.value.push(c);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if read.answer.result_code.is_empty() {
        return Err(fail("it has no resultCode".into()));
    }
    Ok(read.answer)
}

/// The XML answer reader's state: the open elements, the field whose text is being
/// collected, and the row and cost line being filled.
#[derive(Default)]
struct XmlAnswer {
    path: Vec<String>,
    at: At,
    value: String,
    row: Option<WireRow>,
    cost: Option<WireCost>,
    answer: Answer,
}

impl XmlAnswer {
    /// An element opens: note what its text will fill.
    fn open(&mut self, name: String) -> Result<(), String> {
        if self.path.len() >= 8 {
            return Err("it nests too deeply".into());
        }
        let parent = self.path.last().map(String::as_str);
        match (self.path.len(), parent, name.as_str()) {
            (0, _, "result") => {}
            (0, _, other) => return Err(format!("its root is {other:?}, not result")),
            (1, _, "data") => self.row = Some(WireRow::default()),
            (1, _, "resultCode") => self.at = At::Envelope("resultCode"),
            (1, _, "resultMessage") => self.at = At::Envelope("resultMessage"),
            (1, _, "resultDesc") => self.at = At::Envelope("resultDesc"),
            (2, Some("data"), "cstInfo") => self.cost = Some(WireCost::default()),
            (2, Some("data"), field) => self.at = At::RowField(field.to_owned()),
            (3, Some("cstInfo"), field) => self.at = At::CostField(field.to_owned()),
            _ => {}
        }
        self.value.clear();
        self.path.push(name);
        Ok(())
    }

    /// An element closes: its text goes where it belongs, and a finished cost line or row
    /// joins its row or the answer.
    fn close(&mut self) {
        let name = self.path.pop().unwrap_or_default();
        match std::mem::take(&mut self.at) {
            At::Envelope(field) if self.path.len() == 1 => {
                let slot = match field {
                    "resultCode" => &mut self.answer.result_code,
                    "resultMessage" => &mut self.answer.result_message,
                    _ => &mut self.answer.result_desc,
                };
                *slot = std::mem::take(&mut self.value);
            }
            At::RowField(field) if field == name => {
                if let Some(slot) = self.row.as_mut().and_then(|row| row.field_mut(&field)) {
                    *slot = std::mem::take(&mut self.value);
                }
            }
            At::CostField(field) if field == name => {
                if let Some(slot) = self.cost.as_mut().and_then(|cost| cost.field_mut(&field)) {
                    *slot = std::mem::take(&mut self.value);
                }
            }
            other => self.at = other,
        }
        match (self.path.len(), name.as_str()) {
            (2, "cstInfo") => {
                if let (Some(row), Some(cost)) = (self.row.as_mut(), self.cost.take()) {
                    row.cst_info.push(cost);
                }
            }
            (1, "data") => {
                if let Some(row) = self.row.take() {
                    self.answer.rows.push(row);
                }
            }
            _ => {}
        }
    }
}

/// Writes rows as a complete successful answer in `format`, as the API would answer them
/// (for tools that read SSG's answers).
pub fn encode_wire_rows(format: Format, rows: &[WireRow]) -> Vec<u8> {
    match format {
        Format::Json => {
            // Written in parts, so that the envelope keeps SSG's order of members.
            let mut out = r#"{"result":{"resultCode":"00","resultMessage":"SUCCESS","resultDesc":"성공","data":["#
                .as_bytes()
                .to_vec();
            for (index, row) in rows.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, row).expect("rows serialize");
            }
            out.extend_from_slice(b"]}}");
            out
        }
        Format::Xml => {
            let mut out = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<result><resultCode>00</resultCode><resultMessage>SUCCESS</resultMessage><resultDesc>성공</resultDesc>",
            );
            let element = |out: &mut String, name: &str, value: &str| {
                out.push('<');
                out.push_str(name);
                out.push('>');
                crate::response::escape_xml_text(value, out);
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            };
            for row in rows {
                out.push_str("<data>");
                for (name, value) in row.fields() {
                    element(&mut out, name, value);
                }
                for cost in &row.cst_info {
                    out.push_str("<cstInfo>");
                    for (name, value) in cost.fields() {
                        element(&mut out, name, value);
                    }
                    out.push_str("</cstInfo>");
                }
                out.push_str("</data>");
            }
            out.push_str("</result>");
            out.into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_json_reads_numbers_missing_fields_and_a_single_row() {
        let answer = decode_answer(
            Format::Json,
            br#"{"result": {"resultCode": "00", "resultMessage": "SUCCESS", "resultDesc": "ok",
                 "data": {"ordNo": "X1", "ordItemSeq": 2, "cnclItemQty": 1, "unknown": [1],
                          "cstInfo": [{"splVenBdnDcAmt": 500}]}}}"#,
        )
        .unwrap();
        assert_eq!(answer.rows.len(), 1);
        assert_eq!(answer.rows[0].ord_item_seq, "2");
        assert_eq!(answer.rows[0].item_nm, "");
        assert_eq!(answer.rows[0].cst_info[0].spl_ven_bdn_dc_amt, "500");
        let failure = decode_answer(
            Format::Json,
            br#"{"result": {"resultCode": "12", "resultMessage": "FAIL", "resultDesc": "too long"}}"#,
        )
        .unwrap();
        assert_eq!(
            (failure.result_code.as_str(), failure.rows.len()),
            ("12", 0)
        );
    }

    #[test]
    fn xml_with_references_and_no_data() {
        let answer = decode_answer(
            Format::Xml,
            "<?xml version=\"1.0\"?><result><resultCode>00</resultCode><resultMessage>SUCCESS</resultMessage><resultDesc>성공</resultDesc><data><ordNo>X1</ordNo><itemNm>M&amp;M&apos;s &lt;1&gt;</itemNm><extra><ordNo>no</ordNo></extra><cstInfo><splVenId>0000012345</splVenId></cstInfo><cstInfo/></data></result>".as_bytes(),
        )
        .unwrap();
        assert_eq!(answer.rows.len(), 1);
        assert_eq!(answer.rows[0].ord_no, "X1");
        assert_eq!(answer.rows[0].item_nm, "M&M's <1>");
        assert_eq!(answer.rows[0].cst_info.len(), 2);
        assert_eq!(answer.rows[0].cst_info[0].spl_ven_id, "0000012345");
        let empty =
            decode_answer(Format::Xml, b"<result><resultCode>00</resultCode></result>").unwrap();
        assert!(empty.rows.is_empty());
        assert!(decode_answer(Format::Xml, b"<!DOCTYPE x><result/>").is_err());
        assert!(decode_answer(Format::Xml, b"<other/>").is_err());
    }
}
