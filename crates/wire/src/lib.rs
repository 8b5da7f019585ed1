//! SSG's canceled-order inquiry (`POST /api/clm/cncl/ord/inquiry.ssg`) on the wire, and
//! its shipping and cancel-request calls ([`calls`]).
//!
//! The request and answer shapes of both formats, the result codes with their Korean and
//! English descriptions, and content negotiation. Shared by the server, which decodes
//! requests and encodes answers, and by clients, which do the reverse, so that every field
//! name is written once.
//!
//! Invariant: this crate does no I/O and knows nothing of HTTP servers or storage; it turns
//! bytes into values and values into bytes. Decoding never expands an XML entity other
//! than XML's own five and character references, and never reads a DTD.

mod answer;
pub mod calls;
mod failure;
mod negotiate;
pub mod pickups;
mod request;
mod response;
pub mod sheet;
pub mod webhook;

pub use answer::{Answer, AnswerError, WireCost, WireRow, decode_answer, encode_wire_rows};
pub use failure::{
    AuthFailure, Failure, Field, Malformation, Missing, Refusal, ResultCode, Unreadable,
};
pub use negotiate::{language, preferred_language, request_format, response_format};
pub use request::{
    Fields, InquiryRequest, MAX_BODY_BYTES, MAX_XML_DEPTH, decode_request, encode_request,
};
pub use response::{
    COST_FIELDS, ROW_FIELDS, RowEncoder, encode_failure, encode_success, write_row, write_row_ref,
    write_success_head, write_success_tail,
};

/// The two formats of the vendor API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The media type of an answer in this format, as sent in `Content-Type`.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json;charset=UTF-8",
            Format::Xml => "application/xml;charset=UTF-8",
        }
    }

    /// The bare media type, as a client sends it in `Content-Type` and `Accept`.
    pub const fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// The language of `resultDesc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ko,
    En,
}
