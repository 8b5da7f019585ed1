//! Golden tests: the exact bytes of answers in both formats. A changed byte on the wire
//! shows up as a snapshot diff (`cargo insta review` to accept an intended change).

use claims_domain::{
    CancelRow, CancelRowRef, ClaimNo, CostLine, Fault, ItemSeq, KstDateTime, MediaCode, OrderNo,
    Quantity, ReasonCode, RowSink, Text, VendorId, Won,
};
use claims_wire::{
    AuthFailure, COST_FIELDS, Failure, Field, Format, Lang, Malformation, ROW_FIELDS, ResultCode,
    RowEncoder, Unreadable, encode_failure, encode_success,
};

fn text(value: &str) -> Text {
    Text::from_stored(value.to_owned())
}

fn won(amount: i64) -> Won {
    Won::new("amount", amount).unwrap()
}

fn vendor(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).unwrap()
}

fn cost(shipping: i64, discount: i64, lower_rank: Option<&str>) -> CostLine {
    CostLine {
        shpmt_shppcst: won(shipping),
        ret_shppcst: won(0),
        exch_shppcst: won(0),
        spl_ven_bdn_dc_amt: won(discount),
        vendor: vendor("0000012345"),
        lower_rank: lower_rank.map(vendor),
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    ordpe_nm: &str,
    oror_no: &str,
    oror_item_seq: i64,
    clm_no: &str,
    clm_item_seq: i64,
    item_nm: &str,
    canceled_at: &str,
    qty: i64,
    ordered: i64,
    cost: Vec<CostLine>,
) -> CancelRow {
    CancelRow {
        ordpe_nm: text(ordpe_nm),
        media: MediaCode::MobileAppIos,
        oror_no: OrderNo::parse("orordNo", oror_no).unwrap(),
        oror_item_seq: ItemSeq::new("orordItemSeq", oror_item_seq).unwrap(),
        clm_no: ClaimNo::parse("ordNo", clm_no).unwrap(),
        clm_item_seq: ItemSeq::new("ordItemSeq", clm_item_seq).unwrap(),
        item_nm: text(item_nm),
        item_id: text("1000028463390"),
        reason: ReasonCode::SimpleCancel,
        reason_text: text(""),
        fault: Fault::Customer,
        canceled_at: KstDateTime::parse("ordCnclDts", canceled_at).unwrap(),
        qty: Quantity::new("cnclItemQty", qty).unwrap(),
        received_at: KstDateTime::parse("ordRcpDts", "2026-11-20 09:50:17").unwrap(),
        ordered_qty: Quantity::new("dircItemQty", ordered).unwrap(),
        uitem_id: text("00001"),
        uitem_nm: text(""),
        cost,
    }
}

fn several_rows() -> Vec<CancelRow> {
    let mut second = row(
        "김철수",
        "20261121000C11",
        2,
        "20261122000B08",
        1,
        "M&M's 초콜릿 <대용량> 1kg",
        "2026-11-22 23:59:59",
        3,
        3,
        // A multi-line cost list: one line of the vendor and one of its lower-rank vendor.
        vec![cost(3000, 1200, None), cost(0, 300, Some("0000012346"))],
    );
    second.media = MediaCode::CallCenter;
    second.reason = ReasonCode::OptionChange;
    second.reason_text = text("색상을 잘못 골랐어요\r\n다시 주문할게요");
    second.fault = Fault::Vendor;
    second.uitem_nm = text("화이트 / 260mm");
    vec![
        row(
            "홍길동",
            "20261120000A3F",
            1,
            "20261122000B07",
            1,
            "유기농 우유 1L",
            "2026-11-22 00:00:00",
            1,
            2,
            vec![cost(0, 500, None)],
        ),
        second,
    ]
}

fn as_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("answers are UTF-8")
}

#[test]
fn several_rows_json() {
    insta::assert_snapshot!(as_text(encode_success(
        Format::Json,
        Lang::Ko,
        &several_rows()
    )));
}

#[test]
fn several_rows_xml() {
    insta::assert_snapshot!(as_text(encode_success(
        Format::Xml,
        Lang::Ko,
        &several_rows()
    )));
}

#[test]
fn empty_result_json() {
    insta::assert_snapshot!(as_text(encode_success(Format::Json, Lang::Ko, &[])));
}

#[test]
fn empty_result_xml() {
    insta::assert_snapshot!(as_text(encode_success(Format::Xml, Lang::Ko, &[])));
}

#[test]
fn empty_result_english() {
    insta::assert_snapshot!(as_text(encode_success(Format::Json, Lang::En, &[])));
}

/// One failure for each result code, in the order of the code table.
fn one_failure_per_code() -> Vec<Failure> {
    vec![
        Failure::NoSearch,
        Failure::Malformed {
            field: Field::PerdStrDts,
            value: "20261131".into(),
            problem: Malformation::NoSuchDay,
        },
        Failure::PeriodTooLong { days: 8, max: 7 },
        Failure::StartAfterEnd {
            start: "20261128".into(),
            end: "20261122".into(),
        },
        Failure::Unreadable(Unreadable::Doctype),
        Failure::UnsupportedContentType(Some("text/plain".into())),
        Failure::TooManyRows { max: 100_000 },
        Failure::Auth(AuthFailure::Invalid),
        Failure::RateLimited {
            retry_after_secs: 2,
        },
        Failure::Unavailable,
        Failure::Internal,
    ]
}

/// The codes only the shipping and cancel-request calls answer (golden in `calls.rs`).
const CALL_CODES: [ResultCode; 3] = [
    ResultCode::NotFound,
    ResultCode::Refused,
    ResultCode::UnknownCall,
];

#[test]
fn every_error_code_has_a_golden_answer() {
    let failures = one_failure_per_code();
    let covered: Vec<ResultCode> = failures.iter().map(Failure::code).collect();
    let expected: Vec<ResultCode> = ResultCode::ALL
        .iter()
        .copied()
        .filter(|code| *code != ResultCode::Success && !CALL_CODES.contains(code))
        .collect();
    assert_eq!(
        covered, expected,
        "one failure for each error code of the inquiry"
    );

    let mut transcript = String::new();
    for failure in &failures {
        for (format, lang) in [
            (Format::Json, Lang::Ko),
            (Format::Xml, Lang::Ko),
            (Format::Json, Lang::En),
            (Format::Xml, Lang::En),
        ] {
            transcript.push_str(&format!(
                "--- {} HTTP {} {format:?} {lang:?}\n",
                failure.code().as_str(),
                failure.http_status()
            ));
            transcript.push_str(&as_text(encode_failure(format, lang, failure)));
            transcript.push('\n');
        }
    }
    insta::assert_snapshot!(transcript);
}

#[test]
fn json_values_are_all_strings_and_every_field_is_present() {
    let body = encode_success(Format::Json, Lang::Ko, &several_rows());
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let data = value["result"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for row in data {
        let object = row.as_object().unwrap();
        let names: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = ROW_FIELDS.to_vec();
        expected.push("cstInfo");
        assert_eq!(names, expected, "fields in SSG's order");
        for name in ROW_FIELDS {
            assert!(object[name].is_string(), "{name} is a string");
        }
        for cost in object["cstInfo"].as_array().unwrap() {
            let names: Vec<&str> = cost
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(names, COST_FIELDS);
            assert!(cost.as_object().unwrap().values().all(|v| v.is_string()));
        }
    }
    assert_eq!(data[1]["itemNm"], "M&M's 초콜릿 <대용량> 1kg");
    assert_eq!(
        data[1]["clmRsnCntt"],
        "색상을 잘못 골랐어요\r\n다시 주문할게요"
    );
}

#[test]
fn xml_reads_back_by_element_names() {
    let body = as_text(encode_success(Format::Xml, Lang::Ko, &several_rows()));
    let document = roxmltree::Document::parse(&body).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "result");
    let data: Vec<_> = root.children().filter(|n| n.has_tag_name("data")).collect();
    assert_eq!(data.len(), 2);
    let child = |node: roxmltree::Node, name: &str| -> String {
        node.children()
            .find(|n| n.has_tag_name(name))
            .unwrap_or_else(|| panic!("{name} is present"))
            .text()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(child(data[1], "itemNm"), "M&M's 초콜릿 <대용량> 1kg");
    assert_eq!(
        child(data[1], "clmRsnCntt"),
        "색상을 잘못 골랐어요\r\n다시 주문할게요"
    );
    assert_eq!(child(data[0], "ordCnclDts"), "2026-11-22 00:00:00");
    let costs: Vec<_> = data[1]
        .children()
        .filter(|n| n.has_tag_name("cstInfo"))
        .collect();
    assert_eq!(costs.len(), 2);
    assert_eq!(child(costs[1], "lrnkSplVenId"), "0000012346");
    let names: Vec<&str> = data[0]
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    let mut expected: Vec<&str> = ROW_FIELDS.to_vec();
    expected.push("cstInfo");
    assert_eq!(names, expected);
}

/// [`several_rows`] as a store holds them: one cost line each (the encoder writes a store's
/// rows).
fn stored_rows() -> Vec<CancelRow> {
    several_rows()
        .into_iter()
        .map(|mut row| {
            row.cost.truncate(1);
            row
        })
        .collect()
}

#[test]
fn an_answer_encoded_in_pages_equals_one_encoded_whole() {
    let rows = stored_rows();
    let views: Vec<CancelRowRef<'_>> = rows.iter().map(CancelRow::view).collect();
    for format in [Format::Json, Format::Xml] {
        let whole = encode_success(format, Lang::En, &rows);
        let mut head = RowEncoder::with_head(format, Lang::En, 0);
        head.row(&views[0]).unwrap();
        let mut rest = RowEncoder::continuing(format, 1, 0);
        rest.row(&views[1]).unwrap();
        assert_eq!(rest.rows(), 1);
        let mut paged = head.finish(false);
        paged.extend(rest.finish(true));
        assert_eq!(paged, whole, "{format:?}");
        let mut empty_then_rows = RowEncoder::with_head(format, Lang::En, 0).finish(false);
        let mut all = RowEncoder::continuing(format, 0, 0);
        for view in &views {
            all.row(view).unwrap();
        }
        empty_then_rows.extend(all.finish(true));
        assert_eq!(empty_then_rows, whole, "{format:?}");
    }
}

#[test]
fn rows_kept_as_bytes_write_the_same_answer() {
    let rows = stored_rows();
    let views: Vec<CancelRowRef<'_>> = rows.iter().map(CancelRow::view).collect();
    for format in [Format::Json, Format::Xml] {
        let whole = encode_success(format, Lang::En, &rows);
        // Each row's own bytes, as kept by the encoder that wrote it.
        let mut first = RowEncoder::with_head(format, Lang::En, 0);
        let kept: Vec<Vec<u8>> = views
            .iter()
            .map(|view| first.row_bytes(view).to_vec())
            .collect();
        assert_eq!(first.finish(true), whole, "{format:?}");
        assert!(kept.iter().all(|row| !row.starts_with(b",")));
        // Written again from the kept bytes, alone or mixed with rows encoded anew.
        let mut again = RowEncoder::with_head(format, Lang::En, 0);
        for row in &kept {
            again.encoded_row(row);
        }
        assert_eq!(again.rows(), 2);
        assert_eq!(again.finish(true), whole, "{format:?}");
        let mut mixed = RowEncoder::with_head(format, Lang::En, 0);
        mixed.row(&views[0]).unwrap();
        mixed.encoded_row(&kept[1]);
        assert_eq!(mixed.finish(true), whole, "{format:?}");
    }
}

#[test]
fn answers_read_back_and_write_again_byte_for_byte() {
    let rows = several_rows();
    for format in [Format::Json, Format::Xml] {
        let body = encode_success(format, Lang::Ko, &rows);
        let answer = claims_wire::decode_answer(format, &body).unwrap();
        assert_eq!(answer.result_code, "00");
        assert_eq!(answer.rows.len(), 2);
        assert_eq!(answer.rows[1].item_nm, "M&M's 초콜릿 <대용량> 1kg");
        assert_eq!(
            answer.rows[1].clm_rsn_cntt,
            "색상을 잘못 골랐어요\r\n다시 주문할게요"
        );
        assert_eq!(answer.rows[1].cst_info.len(), 2);
        assert_eq!(
            claims_wire::encode_wire_rows(format, &answer.rows),
            body,
            "{format:?}"
        );
    }
    let failure = encode_failure(
        Format::Xml,
        Lang::En,
        &Failure::PeriodTooLong { days: 8, max: 7 },
    );
    let answer = claims_wire::decode_answer(Format::Xml, &failure).unwrap();
    assert_eq!(
        (answer.result_code.as_str(), answer.result_message.as_str()),
        ("12", "FAIL")
    );
    assert!(answer.result_desc.contains("8 days"));
}

#[test]
fn too_many_large_answers_at_once_is_code_29_with_its_own_words() {
    let failure = Failure::TooManyStreams {
        max: 4,
        retry_after_secs: 5,
    };
    assert_eq!(failure.code(), ResultCode::RateLimited);
    assert_eq!(failure.retry_after_secs(), Some(5));
    let mut transcript = String::new();
    for (format, lang) in [
        (Format::Json, Lang::Ko),
        (Format::Xml, Lang::Ko),
        (Format::Json, Lang::En),
        (Format::Xml, Lang::En),
    ] {
        transcript.push_str(&format!(
            "--- HTTP {} {format:?} {lang:?}\n",
            failure.http_status()
        ));
        transcript.push_str(&as_text(encode_failure(format, lang, &failure)));
        transcript.push('\n');
    }
    insta::assert_snapshot!(transcript);
}
