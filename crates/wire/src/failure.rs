//! SSG's result codes and the failures that produce them, with their descriptions in
//! Korean and English.

use std::fmt::Write as _;

use crate::Lang;

/// Declares the result codes: the enum, its `ALL` list in the table's order, and the codes.
macro_rules! result_codes {
    ($($(#[$meta:meta])* $variant:ident = $code:literal,)+) => {
        /// A `resultCode` of the vendor API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ResultCode {
            $($(#[$meta])* $variant,)+
        }

        impl ResultCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ResultCode] = &[$(ResultCode::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ResultCode::$variant => $code,)+
                }
            }
        }
    };
}

result_codes! {
    Success = "00",
    /// A required value is missing.
    Missing = "10",
    /// A value has the wrong format.
    Malformed = "11",
    PeriodTooLong = "12",
    StartAfterEnd = "13",
    /// The body is unreadable: malformed, wrong root, DOCTYPE, too large.
    Unreadable = "14",
    /// Unsupported `Content-Type` or `Accept`.
    Unsupported = "15",
    TooManyRows = "16",
    AuthFailed = "20",
    RateLimited = "29",
    /// No such item of the caller's, or nothing pending for it (대상이 없습니다.).
    NotFound = "30",
    /// The item's state does not allow the call.
    Refused = "31",
    Unavailable = "90",
    Internal = "91",
    /// A path under `/api/` this service does not offer.
    UnknownCall = "99",
}

impl ResultCode {
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// Whether the request itself was refused (codes 10 to 16): asking again unchanged
    /// gets the same answer, so a client must not retry it.
    pub const fn is_refusal(self) -> bool {
        matches!(
            self,
            ResultCode::Missing
                | ResultCode::Malformed
                | ResultCode::PeriodTooLong
                | ResultCode::StartAfterEnd
                | ResultCode::Unreadable
                | ResultCode::Unsupported
                | ResultCode::TooManyRows
        )
    }
}

/// The request fields of the vendor API's calls, by their wire names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    PerdStrDts,
    PerdEndDts,
    OrordNo,
    OrordItemSeqs,
    PerdType,
    ShppNo,
    ShppSeq,
    WblNo,
    DelicoVenId,
    ShppTypeCd,
    ShppTypeDtlCd,
    ProcItemQty,
    OrdNo,
    OrdItemSeq,
    ItemId,
    ScEvnt,
    ShortgRsnCd,
    ShortgProcDtlc,
    WhinExpcDt,
    CommType,
    CommValue,
    ShppDivDtlCds,
    ShppProgStatDtlCds,
    RetProcStats,
    ResellPsblYn,
    RetImptMainCd,
    RetRefusRsnCd,
    RetProcMemoCntt,
    ShppStatCd,
    ShppDivDtlCd,
}

impl Field {
    pub const fn name(self) -> &'static str {
        match self {
            Field::PerdStrDts => "perdStrDts",
            Field::PerdEndDts => "perdEndDts",
            Field::OrordNo => "orordNo",
            Field::OrordItemSeqs => "orordItemSeqs",
            Field::PerdType => "perdType",
            Field::ShppNo => "shppNo",
            Field::ShppSeq => "shppSeq",
            Field::WblNo => "wblNo",
            Field::DelicoVenId => "delicoVenId",
            Field::ShppTypeCd => "shppTypeCd",
            Field::ShppTypeDtlCd => "shppTypeDtlCd",
            Field::ProcItemQty => "procItemQty",
            Field::OrdNo => "ordNo",
            Field::OrdItemSeq => "ordItemSeq",
            Field::ItemId => "itemId",
            Field::ScEvnt => "scEvnt",
            Field::ShortgRsnCd => "shortgRsnCd",
            Field::ShortgProcDtlc => "shortgProcDtlc",
            Field::WhinExpcDt => "whinExpcDt",
            Field::CommType => "commType",
            Field::CommValue => "commValue",
            Field::ShppDivDtlCds => "shppDivDtlCds",
            Field::ShppProgStatDtlCds => "shppProgStatDtlCds",
            Field::RetProcStats => "retProcStats",
            Field::ResellPsblYn => "resellPsblYn",
            Field::RetImptMainCd => "retImptMainCd",
            Field::RetRefusRsnCd => "retRefusRsnCd",
            Field::RetProcMemoCntt => "retProcMemoCntt",
            Field::ShppStatCd => "shppStatCd",
            Field::ShppDivDtlCd => "shppDivDtlCd",
        }
    }
}

/// What was wrong with a value (code 11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformation {
    /// Not eight digits `yyyymmdd`.
    NotADate,
    /// Eight digits, but no such calendar day.
    NoSuchDay,
    /// Not a comma-separated list of positive integers.
    NotASequenceList,
    /// Not an order number.
    NotAnOrderNumber,
    /// A JSON value that is neither a string nor an integer.
    NotAString,
    /// Not a positive whole number (digits, or a JSON number).
    NotANumber,
    /// Not one of the codes the field takes.
    NotOneOf { allowed: &'static str },
    /// Text the field cannot hold (too long, a control or invisible character): the
    /// domain's words, in English.
    BadText(String),
    /// A date outside the days the field takes: after `today` and at most `max_days` ahead.
    DateOutOfRange { today: String, max_days: u32 },
    /// Not a carrier or waybill code: letters, digits and `-`.
    NotACode,
}

/// Why the body could not be read (code 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Empty,
    NotUtf8,
    /// The parser's own words, without any of the body.
    Syntax(String),
    WrongRoot(String),
    Doctype,
    UnknownEntity(String),
    TooDeep,
    TooLarge {
        limit: usize,
    },
}

/// Why an authentication failed (code 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    /// Unknown or revoked; the answer does not tell which.
    Invalid,
}

/// Everything that can go wrong with an inquiry, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Neither a period nor an original order number was given.
    NoSearch,
    /// One half of the period is missing.
    PeriodHalf {
        missing: Field,
    },
    /// `orordItemSeqs` without `orordNo`.
    SeqsWithoutOrder,
    /// A field the call needs is missing.
    Required {
        field: Field,
    },
    Malformed {
        field: Field,
        value: String,
        problem: Malformation,
    },
    PeriodTooLong {
        days: i32,
        /// The most days the call takes.
        max: i32,
    },
    StartAfterEnd {
        start: String,
        end: String,
    },
    Unreadable(Unreadable),
    /// The request's media type (`None`: no Content-Type header).
    UnsupportedContentType(Option<String>),
    UnsupportedCharset(String),
    /// Nothing in the Accept header can be produced.
    NotAcceptable(String),
    TooManyRows {
        max: usize,
    },
    Auth(AuthFailure),
    RateLimited {
        retry_after_secs: u64,
    },
    /// As many large answers as one key may receive at once are being sent to it.
    TooManyStreams {
        max: usize,
        retry_after_secs: u64,
    },
    /// A courier pickup (`shppTypeDtlCd` 22) confirmed without its carrier and waybill.
    PickupWaybillRequired,
    /// A pickup's waybill number with something other than digits.
    WaybillNotDigits {
        value: String,
    },
    /// No such item of the caller's (another vendor's looks the same), or no pending cancel
    /// request line for it.
    NotFound(Missing),
    /// The item's state does not allow the call.
    Refused(Refusal),
    /// A path under `/api/` this service does not offer.
    UnknownCall {
        path: String,
    },
    Unavailable,
    Internal,
}

/// What a call found nothing of (code 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An item, by `shppNo`/`shppSeq` or by `ordNo`/`ordItemSeq`.
    Item,
    /// A pending cancel request line for the item.
    PendingRequest,
    /// An order with items of the caller's.
    Order,
    /// An out-of-stock registration in force for the item (to withdraw).
    NoSellRegistration,
    /// A pickup of the caller's, not withdrawn.
    Pickup,
}

/// Why an item's state does not allow a call (code 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Still 배송지시: it must be confirmed first.
    NotConfirmed,
    /// Already 출고완료.
    AlreadyReleased,
    /// No waybill recorded yet.
    NoWaybill,
    /// `procItemQty` is not the item's open quantity.
    WrongQuantity { asked: u32, open: u32 },
    /// Every unit was canceled.
    FullyCanceled,
    /// The item's state (its `shppProgStatDtlCd`) does not allow the call.
    NotInState(claims_domain::ShippingStatus),
    /// Registered as out of stock (판매불가): it cannot ship.
    NoSellRegistered,
    /// Registered as out of stock already.
    AlreadyNoSell,
    /// Not released: nothing to deliver.
    NotReleased,
    /// Released today (KST): delivery from tomorrow on.
    DeliveredOnReleaseDay,
    /// Delivered already.
    AlreadyDelivered,
    /// An exchange's replacement waiting for its pickup (대기).
    AwaitingPickup,
    /// The pickup's state does not allow the call.
    PickupNotInState(claims_domain::PickupStatus),
    /// `procItemQty` is not the pickup's units.
    PickupQuantity { asked: u32, qty: u32 },
    /// An exchange cannot be refused.
    ExchangeNotRefusable,
}

/// How many characters of a caller's value an error message repeats.
const ECHO_CHARS: usize = 40;

/// A caller's value quoted for an error message: shortened, with control characters
/// escaped, so the message stays one readable line and is valid in XML.
fn echo(value: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in value.chars().enumerate() {
        if i == ECHO_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || c == '"' || c == '\\' || c == '\u{FFFE}' || c == '\u{FFFF}' {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

impl Failure {
    pub fn code(&self) -> ResultCode {
        match self {
            Failure::NoSearch
            | Failure::PeriodHalf { .. }
            | Failure::SeqsWithoutOrder
            | Failure::Required { .. }
            | Failure::PickupWaybillRequired => ResultCode::Missing,
            Failure::Malformed { .. } | Failure::WaybillNotDigits { .. } => ResultCode::Malformed,
            Failure::PeriodTooLong { .. } => ResultCode::PeriodTooLong,
            Failure::StartAfterEnd { .. } => ResultCode::StartAfterEnd,
            Failure::Unreadable(_) => ResultCode::Unreadable,
            Failure::UnsupportedContentType(_)
            | Failure::UnsupportedCharset(_)
            | Failure::NotAcceptable(_) => ResultCode::Unsupported,
            Failure::TooManyRows { .. } => ResultCode::TooManyRows,
            Failure::Auth(_) => ResultCode::AuthFailed,
            Failure::RateLimited { .. } | Failure::TooManyStreams { .. } => ResultCode::RateLimited,
            Failure::NotFound(_) => ResultCode::NotFound,
            Failure::Refused(_) => ResultCode::Refused,
            Failure::UnknownCall { .. } => ResultCode::UnknownCall,
            Failure::Unavailable => ResultCode::Unavailable,
            Failure::Internal => ResultCode::Internal,
        }
    }

    /// Seconds the caller should wait before asking again (`Retry-After`), for the
    /// failures that say so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Failure::RateLimited { retry_after_secs }
            | Failure::TooManyStreams {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The HTTP status of the answer (when errors are not all answered with 500).
    pub fn http_status(&self) -> u16 {
        match self {
            Failure::Unreadable(Unreadable::TooLarge { .. }) => 413,
            Failure::UnsupportedContentType(_) | Failure::UnsupportedCharset(_) => 415,
            Failure::NotAcceptable(_) => 406,
            Failure::Auth(_) => 401,
            Failure::RateLimited { .. } | Failure::TooManyStreams { .. } => 429,
            Failure::NotFound(_) | Failure::UnknownCall { .. } => 404,
            Failure::Refused(_) => 409,
            Failure::Unavailable => 503,
            Failure::Internal => 500,
            _ => 400,
        }
    }

    /// `resultMessage`: `대상이 없습니다.` when nothing was found (the words integrations
    /// look for), `FAIL` otherwise.
    pub fn message(&self) -> &'static str {
        match self {
            Failure::NotFound(_) => "대상이 없습니다.",
            _ => "FAIL",
        }
    }

    /// `resultDesc`: one sentence saying what was wrong and how to fix it.
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::Ko => self.describe_ko(),
            Lang::En => self.describe_en(),
        }
    }

    fn describe_en(&self) -> String {
        match self {
            Failure::NoSearch => "No search condition: give a period (perdStrDts and perdEndDts) or an original order number (orordNo).".into(),
            Failure::PeriodHalf { missing } => format!(
                "{} is missing: a period search needs both perdStrDts and perdEndDts.",
                missing.name()
            ),
            Failure::SeqsWithoutOrder => "orordItemSeqs needs orordNo: give the original order number the item sequences belong to.".into(),
            Failure::Required { field } => format!("{} is missing: the call needs it.", field.name()),
            Failure::Malformed { field, value, problem } => {
                let name = field.name();
                let value = echo(value);
                match problem {
                    Malformation::NotADate => format!("{name} must be a date written yyyymmdd (like 20261122), got {value}."),
                    Malformation::NoSuchDay => format!("{name} is not a real calendar date: {value}."),
                    Malformation::NotASequenceList => format!("{name} must list item sequences as positive integers separated by commas (like 1,2,3), got {value}."),
                    Malformation::NotAnOrderNumber => format!("{name} must be an order number of 1 to 20 letters, digits, '-' or '_', got {value}."),
                    Malformation::NotAString => format!("{name} must be a string, got {value}."),
                    Malformation::NotANumber => format!("{name} must be a positive whole number, got {value}."),
                    Malformation::NotOneOf { allowed } => format!("{name} must be one of {allowed}, got {value}."),
                    Malformation::NotACode => format!("{name} must be 1 to 30 letters, digits or '-', got {value}."),
                    Malformation::BadText(problem) => format!("{name} {problem}."),
                    Malformation::DateOutOfRange { today, max_days } => format!("{name} must be a day after today ({today}) and at most {max_days} days ahead, got {value}."),
                }
            }
            Failure::PeriodTooLong { days, max } => format!(
                "The period covers {days} days but at most {max} are allowed: perdEndDts may be at most {} days after perdStrDts.",
                max - 1
            ),
            Failure::StartAfterEnd { start, end } => format!(
                "perdStrDts ({}) comes after perdEndDts ({}): the start date must not be later than the end date.",
                echo(start), echo(end)
            ),
            Failure::Unreadable(why) => match why {
                Unreadable::Empty => "The request body is empty: send a request element with the search fields.".into(),
                Unreadable::NotUtf8 => "The request body is not valid UTF-8: encode it as UTF-8.".into(),
                Unreadable::Syntax(detail) => format!("The request body could not be parsed ({detail}): send well-formed XML or JSON matching the Content-Type."),
                Unreadable::WrongRoot(found) => format!("The request body must have request as its root, found {}.", echo(found)),
                Unreadable::Doctype => "The XML body has a DOCTYPE declaration, which is not accepted: remove it.".into(),
                Unreadable::UnknownEntity(name) => format!("The XML body uses the entity &{name}; which is not defined: use only &lt; &gt; &amp; &quot; &apos; and character references."),
                Unreadable::TooDeep => "The request body nests too deeply: send the request element with its fields directly inside.".into(),
                Unreadable::TooLarge { limit } => format!("The request body is larger than {} KiB: send only the search fields.", limit / 1024),
            },
            Failure::UnsupportedContentType(None) => "The Content-Type header is missing: send application/json or application/xml.".into(),
            Failure::UnsupportedContentType(Some(found)) => format!(
                "Content-Type {} is not supported: send application/json or application/xml.",
                echo(found)
            ),
            Failure::UnsupportedCharset(found) => format!(
                "The charset {} is not supported: encode the body as UTF-8.",
                echo(found)
            ),
            Failure::NotAcceptable(found) => format!(
                "Accept {} names no format this API produces: accept application/json or application/xml.",
                echo(found)
            ),
            Failure::TooManyRows { max } => format!(
                "More than {max} rows match: narrow the period and ask again."
            ),
            Failure::Auth(AuthFailure::Missing) => "The Authorization header is missing: send your vendor API key.".into(),
            Failure::Auth(AuthFailure::Invalid) => "The API key in the Authorization header is not valid: it is unknown or was revoked.".into(),
            Failure::RateLimited { retry_after_secs } => format!(
                "Too many requests with this API key: retry after {retry_after_secs} seconds."
            ),
            Failure::TooManyStreams { max, retry_after_secs } => format!(
                "This API key is already receiving {max} large answers, as many as it may at once: read them to the end, then retry after {retry_after_secs} seconds."
            ),
            Failure::NotFound(Missing::Item) => "No such item of yours: check shppNo and shppSeq (or ordNo and ordItemSeq).".into(),
            Failure::NotFound(Missing::PendingRequest) => "The item has no pending cancel request: it was never filed, or it was already approved, withdrawn or rejected.".into(),
            Failure::NotFound(Missing::Order) => "No such order with items of yours: check the original order number.".into(),
            Failure::NotFound(Missing::NoSellRegistration) => "The item has no out-of-stock registration to withdraw: it was never registered, or it was withdrawn or executed already.".into(),
            Failure::NotFound(Missing::Pickup) => "No such pickup of yours (대상이 없습니다.): check shppNo and shppSeq; a withdrawn pickup is gone.".into(),
            Failure::PickupWaybillRequired => "택배사와 운송장 번호는 필수 입력값 입니다. (A courier pickup, shppTypeDtlCd 22, needs delicoVenId and wblNo; 14 is the vendor's own delivery.)".into(),
            Failure::WaybillNotDigits { value } => format!("운송장번호는 숫자만 입력하세요. (wblNo must be digits only, got {}.)", echo(value)),
            Failure::Refused(refusal) => match refusal {
                Refusal::NotConfirmed => "The item is in 배송지시 (instructed): confirm it (updateOrderSubjectManage) before this.".into(),
                Refusal::AlreadyReleased => "The item was already released (출고완료): only an item in 피킹완료 can be released, confirmed or given a waybill.".into(),
                Refusal::NoWaybill => "The item has no waybill yet: record one (saveWblNo) before releasing it.".into(),
                Refusal::WrongQuantity { asked, open } => format!("procItemQty {asked} is not the item's open quantity {open}: release all open units at once."),
                Refusal::FullyCanceled => "Every unit of the item was canceled: there is nothing to ship.".into(),
                Refusal::NotInState(status) => format!("The item is in {} {} ({}), which does not allow this call.", status.code(), status.name(), status.as_str()),
                Refusal::NoSellRegistered => "The item is registered as out of stock (판매불가 등록된 상품입니다): it cannot ship; withdraw the registration (scEvnt D) first.".into(),
                Refusal::AlreadyNoSell => "The item is already registered as out of stock (이미 판매불가로 등록된 상품입니다.).".into(),
                Refusal::NotReleased => "The item has not been released (출고완료) yet: only a released shipment is delivered.".into(),
                Refusal::DeliveredOnReleaseDay => "Delivery can be recorded from the day after release (배송완료는 출고일 익일부터 처리할 수 있습니다.).".into(),
                Refusal::AlreadyDelivered => "The shipment was already delivered (이미 배송완료 된 배송번호입니다.).".into(),
                Refusal::AwaitingPickup => "The exchange's replacement waits for its pickup (대기, shppStatCd 30): it ships once the pickup completes (saveCompleteRcov).".into(),
                Refusal::PickupNotInState(status) => format!("The pickup is {} {} ({}), which does not allow this call: confirm a pickup in 61, complete or refuse one in 63.", status.code(), status.name(), status.as_str()),
                Refusal::PickupQuantity { asked, qty } => format!("procItemQty {asked} is not the pickup's {qty} units (dircItemQty): a pickup is processed all at once."),
                Refusal::ExchangeNotRefusable => "An exchange's pickup cannot be refused: only a return (shppDivDtlCd 21) can.".into(),
            },
            Failure::UnknownCall { path } => format!(
                "There is no call {} here: see the documentation for the calls this service offers.",
                echo(path)
            ),
            Failure::Unavailable => "The service is temporarily unavailable: retry in a few seconds.".into(),
            Failure::Internal => "An unexpected error occurred on the server: retry, and report it if it persists.".into(),
        }
    }

    fn describe_ko(&self) -> String {
        match self {
            Failure::NoSearch => "조회 조건이 없습니다. 기간(perdStrDts, perdEndDts) 또는 원주문번호(orordNo)를 입력하세요.".into(),
            Failure::PeriodHalf { missing } => format!(
                "{} 값이 없습니다. 기간조회는 perdStrDts와 perdEndDts가 모두 필요합니다.",
                missing.name()
            ),
            Failure::SeqsWithoutOrder => "orordItemSeqs는 orordNo와 함께 보내야 합니다. 원주문번호를 입력하세요.".into(),
            Failure::Required { field } => format!("{} 값이 없습니다. 필수 항목입니다.", field.name()),
            Failure::Malformed { field, value, problem } => {
                let name = field.name();
                let value = echo(value);
                match problem {
                    Malformation::NotADate => format!("{name} 값은 yyyymmdd 형식의 날짜(예: 20261122)여야 합니다. 입력값: {value}"),
                    Malformation::NoSuchDay => format!("{name} 값이 존재하지 않는 날짜입니다. 입력값: {value}"),
                    Malformation::NotASequenceList => format!("{name} 값은 쉼표로 구분한 양의 정수(예: 1,2,3)여야 합니다. 입력값: {value}"),
                    Malformation::NotAnOrderNumber => format!("{name} 값은 영문, 숫자, '-', '_'로 된 20자 이내의 주문번호여야 합니다. 입력값: {value}"),
                    Malformation::NotAString => format!("{name} 값은 문자열이어야 합니다. 입력값: {value}"),
                    Malformation::NotANumber => format!("{name} 값은 양의 정수여야 합니다. 입력값: {value}"),
                    Malformation::NotOneOf { allowed } => format!("{name} 값은 {allowed} 중 하나여야 합니다. 입력값: {value}"),
                    Malformation::NotACode => format!("{name} 값은 영문, 숫자, '-'로 된 30자 이내여야 합니다. 입력값: {value}"),
                    Malformation::BadText(problem) => format!("{name} 값을 받을 수 없습니다({problem})."),
                    Malformation::DateOutOfRange { today, max_days } => format!("{name} 값은 오늘({today}) 이후 {max_days}일 이내의 날짜여야 합니다. 입력값: {value}"),
                }
            }
            Failure::PeriodTooLong { days, max } => format!(
                "조회 기간은 최대 {max}일입니다(요청 {days}일). perdEndDts는 perdStrDts로부터 {}일 이내여야 합니다.",
                max - 1
            ),
            Failure::StartAfterEnd { start, end } => format!(
                "perdStrDts({})가 perdEndDts({})보다 늦습니다. 시작일은 종료일보다 늦을 수 없습니다.",
                echo(start), echo(end)
            ),
            Failure::Unreadable(why) => match why {
                Unreadable::Empty => "요청 본문이 비어 있습니다. 조회 조건을 담은 request 요소를 보내세요.".into(),
                Unreadable::NotUtf8 => "요청 본문이 올바른 UTF-8이 아닙니다. UTF-8로 인코딩하세요.".into(),
                Unreadable::Syntax(detail) => format!("요청 본문을 해석할 수 없습니다({detail}). Content-Type에 맞는 올바른 XML 또는 JSON을 보내세요."),
                Unreadable::WrongRoot(found) => format!("요청 본문의 최상위 요소는 request여야 합니다. 받은 요소: {}", echo(found)),
                Unreadable::Doctype => "XML 본문에 DOCTYPE 선언이 있습니다. DOCTYPE은 허용되지 않으니 제거하세요.".into(),
                Unreadable::UnknownEntity(name) => format!("XML 본문에 정의되지 않은 엔티티 &{name};가 있습니다. &lt; &gt; &amp; &quot; &apos;와 문자 참조만 사용하세요."),
                Unreadable::TooDeep => "요청 본문의 중첩이 너무 깊습니다. request 요소 안에 조회 항목을 바로 넣으세요.".into(),
                Unreadable::TooLarge { limit } => format!("요청 본문이 {}KiB를 넘습니다. 조회 항목만 보내세요.", limit / 1024),
            },
            Failure::UnsupportedContentType(None) => "Content-Type 헤더가 없습니다. application/json 또는 application/xml을 보내세요.".into(),
            Failure::UnsupportedContentType(Some(found)) => format!(
                "지원하지 않는 Content-Type입니다: {}. application/json 또는 application/xml을 보내세요.",
                echo(found)
            ),
            Failure::UnsupportedCharset(found) => format!(
                "지원하지 않는 문자셋입니다: {}. 본문을 UTF-8로 인코딩하세요.",
                echo(found)
            ),
            Failure::NotAcceptable(found) => format!(
                "Accept {}에 응답 가능한 형식이 없습니다. application/json 또는 application/xml을 허용하세요.",
                echo(found)
            ),
            Failure::TooManyRows { max } => format!(
                "조회 결과가 {max}건을 넘습니다. 기간을 줄여 다시 조회하세요."
            ),
            Failure::Auth(AuthFailure::Missing) => "Authorization 헤더가 없습니다. 업체 인증키를 보내세요.".into(),
            Failure::Auth(AuthFailure::Invalid) => "Authorization 헤더의 인증키가 유효하지 않습니다. 등록되지 않았거나 폐기된 키입니다.".into(),
            Failure::RateLimited { retry_after_secs } => format!(
                "이 인증키의 요청이 너무 많습니다. {retry_after_secs}초 후에 다시 시도하세요."
            ),
            Failure::TooManyStreams { max, retry_after_secs } => format!(
                "이 인증키로 동시에 받을 수 있는 대용량 응답 {max}건을 이미 받고 있습니다. 받고 있는 응답을 끝까지 읽은 뒤 {retry_after_secs}초 후에 다시 시도하세요."
            ),
            Failure::NotFound(Missing::Item) => "대상이 없습니다. 배송번호(shppNo)와 배송순번(shppSeq), 또는 주문번호와 주문순번을 확인하세요.".into(),
            Failure::NotFound(Missing::PendingRequest) => "대상이 없습니다. 취소신청 중인 상품이 아닙니다(신청되지 않았거나 이미 승인, 철회 또는 거부되었습니다).".into(),
            Failure::NotFound(Missing::Order) => "대상이 없습니다. 원주문번호를 확인하세요.".into(),
            Failure::NotFound(Missing::NoSellRegistration) => "대상이 없습니다. 철회할 판매불가 등록이 없습니다(등록되지 않았거나 이미 철회 또는 처리되었습니다).".into(),
            Failure::NotFound(Missing::Pickup) => "대상이 없습니다.".into(),
            Failure::PickupWaybillRequired => "택배사와 운송장 번호는 필수 입력값 입니다.".into(),
            Failure::WaybillNotDigits { .. } => "운송장번호는 숫자만 입력하세요.".into(),
            Failure::Refused(refusal) => match refusal {
                Refusal::NotConfirmed => "배송지시 상태입니다. 주문확인(updateOrderSubjectManage) 후 처리하세요.".into(),
                Refusal::AlreadyReleased => "피킹완료 상태에서만 출고완료 처리할 수 있습니다. 이미 출고완료된 상품입니다.".into(),
                Refusal::NoWaybill => "운송장이 등록되지 않았습니다. 운송장(saveWblNo)을 먼저 등록하세요.".into(),
                Refusal::WrongQuantity { asked, open } => format!("출고수량(procItemQty) {asked}이 출고 가능 수량 {open}과 다릅니다. 남은 수량을 한 번에 출고하세요."),
                Refusal::FullyCanceled => "모든 수량이 취소된 상품입니다. 출고할 수량이 없습니다.".into(),
                Refusal::NotInState(status) => format!("{}({}) 상태의 상품입니다. 처리할 수 없는 상태입니다.", status.name(), status.code()),
                Refusal::NoSellRegistered => "판매불가 등록된 상품입니다. 출고하려면 판매불가 등록을 먼저 철회(scEvnt D)하세요.".into(),
                Refusal::AlreadyNoSell => "이미 판매불가로 등록된 상품입니다.".into(),
                Refusal::NotReleased => "출고완료되지 않은 배송번호입니다. 출고완료 후 배송완료 처리할 수 있습니다.".into(),
                Refusal::DeliveredOnReleaseDay => "배송완료는 출고일 익일부터 처리할 수 있습니다.".into(),
                Refusal::AlreadyDelivered => "이미 배송완료 된 배송번호입니다.".into(),
                Refusal::AwaitingPickup => "교환 회수를 기다리는 교환출고입니다(대기). 회수완료 후 처리할 수 있습니다.".into(),
                Refusal::PickupNotInState(status) => format!("{}({}) 상태의 회수입니다. 처리할 수 없는 상태입니다.", status.name(), status.code()),
                Refusal::PickupQuantity { asked, qty } => format!("처리수량(procItemQty) {asked}이 회수지시수량 {qty}과 다릅니다. 회수는 한 번에 처리합니다."),
                Refusal::ExchangeNotRefusable => "교환 회수는 반품거부할 수 없습니다.".into(),
            },
            Failure::UnknownCall { path } => format!(
                "제공하지 않는 API입니다: {}. 제공하는 API를 문서에서 확인하세요.",
                echo(path)
            ),
            Failure::Unavailable => "서비스를 일시적으로 사용할 수 없습니다. 잠시 후 다시 시도하세요.".into(),
            Failure::Internal => "서버에서 예기치 않은 오류가 발생했습니다. 다시 시도하고, 계속되면 문의하세요.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_digits_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for code in ResultCode::ALL {
            assert_eq!(code.as_str().len(), 2);
            assert!(seen.insert(code.as_str()));
            assert_eq!(ResultCode::from_code(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn echoed_values_are_short_and_safe() {
        assert_eq!(echo("2026-11-22"), "\"2026-11-22\"");
        assert_eq!(echo("a\u{1}b\"c"), "\"a\\u{1}b\\\"c\"");
        let long = "가".repeat(100);
        let echoed = echo(&long);
        assert_eq!(echoed.chars().count(), 40 + 3);
        assert!(echoed.ends_with("…\""));
    }

    #[test]
    fn every_failure_names_the_field_it_is_about() {
        let failure = Failure::Malformed {
            field: Field::PerdStrDts,
            value: "20261131".into(),
            problem: Malformation::NoSuchDay,
        };
        assert!(failure.describe(Lang::En).contains("perdStrDts"));
        assert!(failure.describe(Lang::Ko).contains("perdStrDts"));
        assert!(failure.describe(Lang::Ko).contains("20261131"));
        let half = Failure::PeriodHalf {
            missing: Field::PerdEndDts,
        };
        assert!(half.describe(Lang::En).starts_with("perdEndDts is missing"));
    }
}
