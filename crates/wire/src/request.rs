//! The inquiry request: decoding both formats safely, checking the fields, encoding them.

use std::collections::{BTreeMap, BTreeSet};

use claims_domain::{
    DateError, InquiryQuery, ItemSeqs, KstDate, OrderNo, OriginalOrder, Period, PeriodError,
};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::failure::{Field, Malformation, Unreadable};
use crate::{Failure, Format};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How deep XML elements may nest. A request needs two levels; the margin admits wrappers
/// some clients add inside unknown elements.
pub const MAX_XML_DEPTH: usize = 16;

/// The fields of an inquiry as the caller sent them, before any check. Values are trimmed;
/// empty values count as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiryRequest {
    pub perd_str_dts: Option<String>,
    pub perd_end_dts: Option<String>,
    pub oror_no: Option<String>,
    pub oror_item_seqs: Option<String>,
}

impl InquiryRequest {
    /// A period search.
    pub fn period(start: &str, end: &str) -> Self {
        Self {
            perd_str_dts: Some(start.to_owned()),
            perd_end_dts: Some(end.to_owned()),
            ..Self::default()
        }
    }

    /// A search by original order number, optionally for some of its items (`"1,2"`).
    pub fn original_order(ord_no: &str, item_seqs: Option<&str>) -> Self {
        Self {
            oror_no: Some(ord_no.to_owned()),
            oror_item_seqs: item_seqs.map(str::to_owned),
            ..Self::default()
        }
    }

    /// The inquiry's fields, read from a decoded body.
    fn from_fields(mut fields: Fields) -> Self {
        Self {
            perd_str_dts: fields.take(Field::PerdStrDts),
            perd_end_dts: fields.take(Field::PerdEndDts),
            oror_no: fields.take(Field::OrordNo),
            oror_item_seqs: fields.take(Field::OrordItemSeqs),
        }
    }

    /// Checks the fields and turns them into a query. Missing values (code 10) are
    /// reported before malformed ones (11), then a reversed period (13), then one too long
    /// (12).
    pub fn to_query(&self) -> Result<InquiryQuery, Failure> {
        let start = self.perd_str_dts.as_deref();
        let end = self.perd_end_dts.as_deref();
        let oror_no = self.oror_no.as_deref();
        let seqs = self.oror_item_seqs.as_deref();

        if start.is_none() && end.is_none() && oror_no.is_none() {
            return Err(if seqs.is_some() {
                Failure::SeqsWithoutOrder
            } else {
                Failure::NoSearch
            });
        }
        match (start, end) {
            (Some(_), None) => {
                return Err(Failure::PeriodHalf {
                    missing: Field::PerdEndDts,
                });
            }
            (None, Some(_)) => {
                return Err(Failure::PeriodHalf {
                    missing: Field::PerdStrDts,
                });
            }
            _ => {}
        }
        if seqs.is_some() && oror_no.is_none() {
            return Err(Failure::SeqsWithoutOrder);
        }

        let dates = match (start, end) {
            (Some(start), Some(end)) => Some((
                parse_date(Field::PerdStrDts, start)?,
                parse_date(Field::PerdEndDts, end)?,
            )),
            _ => None,
        };
        let original = match oror_no {
            None => None,
            Some(ord_no) => Some(OriginalOrder {
                ord_no: OrderNo::parse(Field::OrordNo.name(), ord_no).map_err(|_| {
                    Failure::Malformed {
                        field: Field::OrordNo,
                        value: ord_no.to_owned(),
                        problem: Malformation::NotAnOrderNumber,
                    }
                })?,
                item_seqs: seqs
                    .map(|seqs| {
                        ItemSeqs::parse(Field::OrordItemSeqs.name(), seqs).map_err(|_| {
                            Failure::Malformed {
                                field: Field::OrordItemSeqs,
                                value: seqs.to_owned(),
                                problem: Malformation::NotASequenceList,
                            }
                        })
                    })
                    .transpose()?,
            }),
        };
        let period = match dates {
            None => None,
            Some((from, to)) => Some(Period::new(from, to).map_err(|err| match err {
                PeriodError::StartAfterEnd => Failure::StartAfterEnd {
                    start: start.unwrap_or_default().to_owned(),
                    end: end.unwrap_or_default().to_owned(),
                },
                PeriodError::TooLong { days, max } => Failure::PeriodTooLong { days, max },
            })?),
        };
        Ok(InquiryQuery::new(period, original).expect("a filter was checked to be present"))
    }
}

pub(crate) fn parse_date(field: Field, value: &str) -> Result<KstDate, Failure> {
    KstDate::parse_compact(value).map_err(|err| Failure::Malformed {
        field,
        value: value.to_owned(),
        problem: match err {
            DateError::NotEightDigits => Malformation::NotADate,
            DateError::NoSuchDay => Malformation::NoSuchDay,
        },
    })
}

/// The fields of the inquiry's body.
const INQUIRY_FIELDS: &[Field] = &[
    Field::PerdStrDts,
    Field::PerdEndDts,
    Field::OrordNo,
    Field::OrordItemSeqs,
];

/// The fields of a request body as the caller sent them, before any check: trimmed, and
/// empty ones absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(BTreeMap<Field, String>);

impl Fields {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn take(&mut self, field: Field) -> Option<String> {
        self.0.remove(&field)
    }

    /// Sets `field` to `value`, trimmed; an empty value leaves it absent.
    pub fn set(&mut self, field: Field, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            self.0.remove(&field);
        } else {
            self.0.insert(field, value.to_owned());
        }
    }
}

/// Where a body's fields sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// Inside one element (JSON: one member) of this name: `{"request": {…}}`,
    /// `<request>…</request>`.
    Named(&'static str),
    /// Directly in the body's object, or in an XML root element of any name.
    Any,
}

impl Root {
    fn admits(self, name: &str) -> bool {
        match self {
            Root::Named(root) => root == name,
            Root::Any => true,
        }
    }
}

/// Decodes a request body. The caller has already refused bodies over
/// [`MAX_BODY_BYTES`]. XML is read without a DTD and without expanding any entity other
/// than XML's five and character references, so entity bombs and external entities have
/// nothing to act on.
pub fn decode_request(format: Format, body: &[u8]) -> Result<InquiryRequest, Failure> {
    decode_fields(format, body, Root::Named("request"), INQUIRY_FIELDS)
        .map(InquiryRequest::from_fields)
}

/// Decodes a flat request body into the values of `fields`, with the same care as
/// [`decode_request`]: unknown elements ignored, a field given twice refused, numbers taken
/// as their digits.
pub fn decode_fields(
    format: Format,
    body: &[u8],
    root: Root,
    fields: &[Field],
) -> Result<Fields, Failure> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Failure::Unreadable(Unreadable::TooLarge {
            limit: MAX_BODY_BYTES,
        }));
    }
    let text = std::str::from_utf8(body).map_err(|_| Failure::Unreadable(Unreadable::NotUtf8))?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Failure::Unreadable(Unreadable::Empty));
    }
    match format {
        Format::Json => decode_json(text, root, fields),
        Format::Xml => decode_xml(text, root, fields),
    }
}

fn syntax(detail: impl std::fmt::Display) -> Failure {
    let mut detail = detail.to_string();
    if let Some((cut, _)) = detail.char_indices().nth(120) {
        detail.truncate(cut);
        detail.push('…');
    }
    Failure::Unreadable(Unreadable::Syntax(detail))
}

fn decode_json(text: &str, root: Root, wanted: &[Field]) -> Result<Fields, Failure> {
    use serde_json::Value;

    // serde_json refuses nesting deeper than 128 levels, so a deep body cannot exhaust the
    // stack; the body is at most 64 KiB, which bounds the tree.
    let value: Value = serde_json::from_str(text).map_err(syntax)?;
    let Value::Object(mut top) = value else {
        return Err(Failure::Unreadable(Unreadable::WrongRoot(
            json_kind(&value).to_owned(),
        )));
    };
    let fields = match root {
        Root::Any => top,
        Root::Named(name) => {
            let Some(request) = top.remove(name) else {
                let found = top
                    .keys()
                    .next()
                    .cloned()
                    .unwrap_or_else(|| "{}".to_owned());
                return Err(Failure::Unreadable(Unreadable::WrongRoot(found)));
            };
            let Value::Object(fields) = request else {
                return Err(syntax(format!(
                    "{name} must be an object, found {}",
                    json_kind(&request)
                )));
            };
            fields
        }
    };
    let mut out = Fields::default();
    for (name, value) in &fields {
        let Some(field) = wanted.iter().copied().find(|field| field.name() == name) else {
            continue;
        };
        match value {
            Value::Null => out.set(field, ""),
            Value::String(s) => out.set(field, s),
            Value::Number(n) if n.is_u64() => out.set(field, &n.to_string()),
            other => {
                return Err(Failure::Malformed {
                    field,
                    value: other.to_string(),
                    problem: Malformation::NotAString,
                });
            }
        }
    }
    Ok(out)
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The element whose text is being collected.
enum Collecting {
    Nothing,
    Field(Field, String),
}

fn decode_xml(text: &str, root: Root, wanted: &[Field]) -> Result<Fields, Failure> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_comments = true;

    let mut out = Fields::default();
    let mut depth = 0usize;
    let mut root_closed = false;
    let mut collecting = Collecting::Nothing;
    let mut seen = BTreeSet::new();

    loop {
        let event = reader.read_event().map_err(syntax)?;
        match event {
            Event::DocType(_) => return Err(Failure::Unreadable(Unreadable::Doctype)),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Start(ref element) | Event::Empty(ref element) => {
                let empty = matches!(event, Event::Empty(_));
                let name = element.local_name();
                let name = name.into_inner();
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(Failure::Unreadable(Unreadable::TooDeep));
                }
                match depth {
                    1 if root_closed => return Err(syntax("more than one root element")),
                    1 if !root.admits(name) => {
                        return Err(Failure::Unreadable(Unreadable::WrongRoot(name.to_owned())));
                    }
                    1 => {}
                    2 => {
                        let named = wanted.iter().copied().find(|field| field.name() == name);
                        collecting = match named {
                            // One value per field: which of two would count is a guess
                            // this decoder does not make.
                            Some(field) if !seen.insert(field) => {
                                return Err(syntax(format!(
                                    "{} is given more than once",
                                    field.name()
                                )));
                            }
                            Some(field) => Collecting::Field(field, String::new()),
                            None => Collecting::Nothing,
                        };
                    }
                    _ => {
                        if let Collecting::Field(field, _) = collecting {
                            return Err(syntax(format!(
                                "{} must hold text, not elements",
                                field.name()
                            )));
                        }
                    }
                }
                if empty {
                    close(&mut depth, &mut collecting, &mut out, &mut root_closed);
                }
            }
            Event::End(_) => close(&mut depth, &mut collecting, &mut out, &mut root_closed),
            Event::Text(content) => {
                let content = xml_text(content.xml10_content()).map_err(syntax)?;
                if depth == 0 {
                    if !content.trim().is_empty() {
                        return Err(syntax("text outside the request element"));
                    }
                } else if let Collecting::Field(_, value) = &mut collecting {
                    value.push_str(&content);
                }
            }
            Event::CData(content) => {
                if depth == 0 {
                    return Err(syntax("CDATA outside the request element"));
                }
                let content = xml_text(content.xml10_content()).map_err(syntax)?;
                if let Collecting::Field(_, value) = &mut collecting {
                    value.push_str(&content);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match resolve_reference(&reference) {
                    Ok(c) => c,
                    Err(BadReference::NotACharacter(name)) => {
                        return Err(syntax(format!(
                            "&{name}; is not a valid character reference"
                        )));
                    }
                    Err(BadReference::UnknownEntity(name)) => {
                        return Err(Failure::Unreadable(Unreadable::UnknownEntity(
                            name.chars().take(40).collect(),
                        )));
                    }
                };
                if depth == 0 {
                    return Err(syntax("a reference outside the request element"));
                }
                if let Collecting::Field(_, value) = &mut collecting {
                    value.push(resolved);
                }
            }
            Event::Eof => {
                if !root_closed {
                    return Err(if depth == 0 {
                        Failure::Unreadable(Unreadable::WrongRoot(String::new()))
                    } else {
                        syntax("the request element is not closed")
                    });
                }
                return Ok(out);
            }
        }
    }
}

fn close(depth: &mut usize, collecting: &mut Collecting, out: &mut Fields, root_closed: &mut bool) {
    if *depth == 2
        && let Collecting::Field(field, value) = std::mem::replace(collecting, Collecting::Nothing)
    {
        out.set(field, &value);
    }
    *depth -= 1;
    if *depth == 0 {
        *root_closed = true;
    }
}

/// Characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text as XML 1.0 allows it: no control characters other than tab, line feed and
/// carriage return, no noncharacters U+FFFE and U+FFFF.
pub(crate) fn xml_text(
    text: std::borrow::Cow<'_, str>,
) -> Result<std::borrow::Cow<'_, str>, String> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        None => Ok(text),
        Some(bad) => Err(format!(
            "the text holds U+{:04X}, a character XML does not allow",
            u32::from(bad)
        )),
    }
}

/// A reference in XML text that stands for no character this crate accepts.
pub(crate) enum BadReference {
    /// `&#…;` naming no character, or one XML 1.0 does not allow.
    NotACharacter(String),
    /// A named entity other than XML's five: there is no DTD to declare one.
    UnknownEntity(String),
}

/// The character `&name;` stands for: a character reference, or one of XML's five
/// predefined entities. Nothing else is ever expanded, for requests and answers alike.
pub(crate) fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
) -> Result<char, BadReference> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) if is_xml_char(c) => Ok(c),
        Ok(Some(_)) | Err(_) => Err(BadReference::NotACharacter(reference.to_string())),
        Ok(None) => match &**reference {
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "amp" => Ok('&'),
            "quot" => Ok('"'),
            "apos" => Ok('\''),
            other => Err(BadReference::UnknownEntity(other.to_owned())),
        },
    }
}

/// Encodes a request as a client sends it: JSON compact, XML indented with tabs.
pub fn encode_request(format: Format, request: &InquiryRequest) -> Vec<u8> {
    let fields = [
        (Field::PerdStrDts, &request.perd_str_dts),
        (Field::PerdEndDts, &request.perd_end_dts),
        (Field::OrordNo, &request.oror_no),
        (Field::OrordItemSeqs, &request.oror_item_seqs),
    ];
    let present = fields
        .iter()
        .filter_map(|(field, value)| value.as_deref().map(|v| (field.name(), v)));
    match format {
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = present
                .map(|(name, value)| (name.to_owned(), serde_json::Value::from(value)))
                .collect();
            serde_json::to_vec(&serde_json::json!({ "request": map }))
                .expect("a map of strings serializes")
        }
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request>\n");
            for (name, value) in present {
                out.push('\t');
                out.push('<');
                out.push_str(name);
                out.push('>');
                crate::response::escape_xml_text(value, &mut out);
                out.push_str("</");
                out.push_str(name);
                out.push_str(">\n");
            }
            out.push_str("</request>\n");
            out.into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(body: &str) -> Result<InquiryRequest, Failure> {
        decode_request(Format::Xml, body.as_bytes())
    }

    fn json(body: &str) -> Result<InquiryRequest, Failure> {
        decode_request(Format::Json, body.as_bytes())
    }

    fn unreadable(result: Result<InquiryRequest, Failure>) -> Unreadable {
        match result {
            Err(Failure::Unreadable(why)) => why,
            other => panic!("expected code 14, got {other:?}"),
        }
    }

    #[test]
    fn tab_indented_xml_as_legacy_clients_send_it() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<request>\r\n\t<perdStrDts>20261122</perdStrDts>\r\n\t<perdEndDts>\r\n\t\t20261128\r\n\t</perdEndDts>\r\n</request>\r\n";
        assert_eq!(
            xml(body).unwrap(),
            InquiryRequest::period("20261122", "20261128")
        );
    }

    #[test]
    fn xml_values_may_use_references_and_cdata() {
        let body = "<request><orordNo>2026&#49;120<![CDATA[000A3F]]></orordNo><orordItemSeqs>1&#x2C;2</orordItemSeqs><note>&lt;x&gt;</note></request>";
        assert_eq!(
            xml(body).unwrap(),
            InquiryRequest::original_order("20261120000A3F", Some("1,2"))
        );
    }

    #[test]
    fn unknown_elements_and_namespaces_are_ignored() {
        let body = "<ns:request xmlns:ns=\"urn:x\"><extra><deep>1</deep></extra><ns:orordNo a=\"b\">A1</ns:orordNo><empty/></ns:request>";
        assert_eq!(
            xml(body).unwrap(),
            InquiryRequest::original_order("A1", None)
        );
        assert_eq!(xml("<request/>").unwrap(), InquiryRequest::default());
        assert_eq!(
            xml("<request><perdStrDts/></request>").unwrap(),
            InquiryRequest::default()
        );
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><request><orordNo>&lol2;</orordNo></request>";
        assert_eq!(unreadable(xml(bomb)), Unreadable::Doctype);
        let external = "<!DOCTYPE request SYSTEM \"file:///etc/passwd\"><request/>";
        assert_eq!(unreadable(xml(external)), Unreadable::Doctype);
        assert_eq!(
            unreadable(xml("<request><orordNo>&xxe;</orordNo></request>")),
            Unreadable::UnknownEntity("xxe".into())
        );
        assert!(matches!(
            unreadable(xml("<request><orordNo>&#0;</orordNo></request>")),
            Unreadable::Syntax(_)
        ));
        assert!(matches!(
            unreadable(xml("<request><orordNo>&#xD800;</orordNo></request>")),
            Unreadable::Syntax(_)
        ));
    }

    #[test]
    fn malformed_xml_is_code_14() {
        for body in [
            "<request>",
            "<request><orordNo>1</request>",
            "<request></request><request></request>",
            "<request></request>trailing",
            "just text",
            "<request><orordNo><b>1</b></orordNo></request>",
            "<request><!-- bad -- comment --></request>",
            "<request><orordNo>1</orordNo><orordNo>2</orordNo></request>",
            "<request><perdStrDts/><perdStrDts>20261122</perdStrDts></request>",
            "<request><orordNo>a\u{0}b</orordNo></request>",
            "<request><orordNo><![CDATA[\u{1b}]]></orordNo></request>",
        ] {
            assert!(
                matches!(xml(body), Err(Failure::Unreadable(_))),
                "{body}: {:?}",
                xml(body)
            );
        }
        assert_eq!(
            unreadable(xml("<query><orordNo>1</orordNo></query>")),
            Unreadable::WrongRoot("query".into())
        );
        assert_eq!(unreadable(xml("  \n ")), Unreadable::Empty);
        assert_eq!(
            unreadable(decode_request(Format::Xml, b"<request>\xff</request>")),
            Unreadable::NotUtf8
        );
    }

    #[test]
    fn deep_nesting_stops_early() {
        let body = format!("<request>{}", "<a>".repeat(20_000));
        assert_eq!(unreadable(xml(&body)), Unreadable::TooDeep);
    }

    #[test]
    fn json_requests() {
        assert_eq!(
            json(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": " 20261128 ", "other": [1]}}"#)
                .unwrap(),
            InquiryRequest::period("20261122", "20261128")
        );
        assert_eq!(
            json(r#"{"request": {"perdStrDts": 20261122, "perdEndDts": 20261128}}"#).unwrap(),
            InquiryRequest::period("20261122", "20261128")
        );
        assert_eq!(
            json(r#"{"request": {"orordNo": "A1", "orordItemSeqs": null}}"#).unwrap(),
            InquiryRequest::original_order("A1", None)
        );
        assert!(matches!(
            json(r#"{"request": {"perdStrDts": true}}"#),
            Err(Failure::Malformed {
                field: Field::PerdStrDts,
                problem: Malformation::NotAString,
                ..
            })
        ));
        assert_eq!(
            unreadable(json(r#"{"query": {}}"#)),
            Unreadable::WrongRoot("query".into())
        );
        assert_eq!(
            unreadable(json(r#"[1]"#)),
            Unreadable::WrongRoot("an array".into())
        );
        assert!(matches!(
            unreadable(json(r#"{"request": "x"}"#)),
            Unreadable::Syntax(_)
        ));
        assert!(matches!(
            unreadable(json(r#"{"request": {"#)),
            Unreadable::Syntax(_)
        ));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(unreadable(json(&deep)), Unreadable::Syntax(_)));
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let body = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            unreadable(decode_request(Format::Json, &body)),
            Unreadable::TooLarge {
                limit: MAX_BODY_BYTES
            }
        );
    }

    fn query(request: InquiryRequest) -> Result<InquiryQuery, Failure> {
        request.to_query()
    }

    #[test]
    fn period_rules() {
        assert!(query(InquiryRequest::period("20261122", "20261128")).is_ok());
        assert_eq!(
            query(InquiryRequest::period("20261122", "20261129")),
            Err(Failure::PeriodTooLong { days: 8, max: 7 })
        );
        assert_eq!(
            query(InquiryRequest::period("20261128", "20261122")),
            Err(Failure::StartAfterEnd {
                start: "20261128".into(),
                end: "20261122".into()
            })
        );
        assert!(matches!(
            query(InquiryRequest::period("20261131", "20261201")),
            Err(Failure::Malformed {
                field: Field::PerdStrDts,
                problem: Malformation::NoSuchDay,
                ..
            })
        ));
        assert!(matches!(
            query(InquiryRequest::period("20261122", "2026-11-28")),
            Err(Failure::Malformed {
                field: Field::PerdEndDts,
                problem: Malformation::NotADate,
                ..
            })
        ));
    }

    #[test]
    fn missing_values_come_first() {
        assert_eq!(query(InquiryRequest::default()), Err(Failure::NoSearch));
        let half = InquiryRequest {
            perd_str_dts: Some("garbage".into()),
            ..InquiryRequest::default()
        };
        assert_eq!(
            query(half),
            Err(Failure::PeriodHalf {
                missing: Field::PerdEndDts
            })
        );
        let seqs_only = InquiryRequest {
            oror_item_seqs: Some("1".into()),
            ..InquiryRequest::default()
        };
        assert_eq!(query(seqs_only), Err(Failure::SeqsWithoutOrder));
        let seqs_with_period = InquiryRequest {
            oror_item_seqs: Some("1".into()),
            ..InquiryRequest::period("20261122", "20261128")
        };
        assert_eq!(query(seqs_with_period), Err(Failure::SeqsWithoutOrder));
    }

    #[test]
    fn original_order_rules() {
        let q = query(InquiryRequest::original_order(
            "20261120000A3F",
            Some("2, 1,2"),
        ))
        .unwrap();
        let original = q.original().unwrap();
        assert_eq!(original.ord_no.as_str(), "20261120000A3F");
        let seqs: Vec<u32> = original
            .item_seqs
            .as_ref()
            .unwrap()
            .as_slice()
            .iter()
            .map(|s| s.get())
            .collect();
        assert_eq!(seqs, [1, 2]);
        assert!(matches!(
            query(InquiryRequest::original_order("2026112000 0A3F", None)),
            Err(Failure::Malformed {
                field: Field::OrordNo,
                ..
            })
        ));
        for bad in ["1,,2", "a", "0", "1;2"] {
            assert!(
                matches!(
                    query(InquiryRequest::original_order("A1", Some(bad))),
                    Err(Failure::Malformed {
                        field: Field::OrordItemSeqs,
                        problem: Malformation::NotASequenceList,
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn encoded_requests_decode_to_themselves() {
        let requests = [
            InquiryRequest::period("20261122", "20261128"),
            InquiryRequest::original_order("20261120000A3F", Some("1,2")),
            InquiryRequest {
                oror_no: Some("A&B<1>".into()),
                ..InquiryRequest::period("20261122", "20261128")
            },
        ];
        for request in requests {
            for format in [Format::Json, Format::Xml] {
                let body = encode_request(format, &request);
                assert_eq!(decode_request(format, &body).unwrap(), request);
            }
        }
    }
}
