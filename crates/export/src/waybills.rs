//! The waybill sheet: what a vendor's staff fill in to release many items at once — an
//! XLSX template of the items waiting for release, and the reader of a filled sheet (the
//! template saved again, or any CSV or XLSX with the same headings).

use std::io::Cursor;

/// The headings a sheet is read by, each with the names it may go by (Korean Excel users
/// write the Korean; tools the API's field names). Matched without spaces, case aside.
const ORDER: &[&str] = &["주문번호", "원주문번호", "ordno", "orordno"];
const SEQ: &[&str] = &["순번", "주문순번", "상품순번", "orditemseq", "seq"];
const CARRIER: &[&str] = &["택배사코드", "택배사", "delicovenid"];
const WAYBILL: &[&str] = &["운송장번호", "운송장", "wblno"];

/// The most rows a sheet may hold.
pub const MAX_ROWS: usize = 1_000;

/// One filled row of a sheet, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaybillLine {
    /// The sheet's line number (the heading is line 1).
    pub line: usize,
    pub ord_no: String,
    pub seq: String,
    /// Empty when the sheet has no carrier column or left it blank.
    pub carrier: String,
    pub waybill: String,
}

/// Why a sheet cannot be read at all (a row that is wrong is the caller's to report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither CSV (UTF-8) nor XLSX: {0}")]
    Unreadable(String),
    #[error("the heading row lacks the column {0}")]
    MissingColumn(&'static str),
    #[error("the sheet has {0} rows; at most {MAX_ROWS} are read at once")]
    TooManyRows(usize),
}

/// Reads a filled sheet: XLSX (its first worksheet) or CSV in UTF-8 (a byte-order mark or
/// not), the first row its headings. Rows with neither an order number nor a waybill are
/// passed over (a template's untouched rows count as not filled); cells are trimmed, and a
/// cell Excel was told to keep as text (`="0123"`) reads as its text.
pub fn read(bytes: &[u8]) -> Result<Vec<WaybillLine>, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)?
    } else {
        csv_rows(bytes)?
    };
    let mut rows = rows.into_iter();
    let headings = rows.next().ok_or(SheetError::Empty)?;
    let column = |names: &[&str]| {
        headings.iter().position(|heading| {
            let heading: String = heading
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase();
            names.contains(&heading.as_str())
        })
    };
    let order = column(ORDER).ok_or(SheetError::MissingColumn("주문번호 (ordNo)"))?;
    let seq = column(SEQ).ok_or(SheetError::MissingColumn("순번 (ordItemSeq)"))?;
    let waybill = column(WAYBILL).ok_or(SheetError::MissingColumn("운송장번호 (wblNo)"))?;
    let carrier = column(CARRIER);
    let cell = |row: &[String], index: usize| {
        row.get(index)
            .map(|cell| as_text(cell).to_owned())
            .unwrap_or_default()
    };
    let lines: Vec<WaybillLine> = rows
        .enumerate()
        .map(|(index, row)| WaybillLine {
            line: index + 2,
            ord_no: cell(&row, order),
            seq: cell(&row, seq),
            carrier: carrier.map(|at| cell(&row, at)).unwrap_or_default(),
            waybill: cell(&row, waybill),
        })
        .filter(|line| !line.waybill.is_empty())
        .collect();
    if lines.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows(lines.len()));
    }
    Ok(lines)
}

/// A cell's text: trimmed, and `="…"` (text kept from Excel's number guessing) unwrapped.
fn as_text(cell: &str) -> &str {
    let cell = cell.trim();
    cell.strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(cell)
        .trim()
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| SheetError::Unreadable("the CSV is not UTF-8".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            record
                .map(|record| record.iter().map(str::to_owned).collect())
                .map_err(|error| SheetError::Unreadable(error.to_string()))
        })
        .collect()
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook =
        Xlsx::new(Cursor::new(bytes)).map_err(|error| SheetError::Unreadable(error.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|error| SheetError::Unreadable(error.to_string()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    // Numbers Excel made of digits: whole ones as their digits.
                    Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
                        format!("{}", *number as i64)
                    }
                    Data::Int(number) => number.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// An item waiting for release, as the template lists it.
#[derive(Debug, Clone)]
pub struct TemplateRow<'a> {
    pub ord_no: &'a str,
    pub seq: u32,
    pub item_nm: &'a str,
    pub qty: u32,
    pub recipient: &'a str,
    pub carrier: &'a str,
}

/// The template: one row per item waiting for release, its order number and sequence as
/// text (so that Excel keeps every digit), the carrier filled in and the waybill column
/// empty for staff to fill.
pub fn template(rows: &[TemplateRow<'_>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("운송장")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let headings = [
        "주문번호",
        "순번",
        "상품명",
        "수량",
        "수취인",
        "택배사코드",
        "운송장번호",
    ];
    for (column, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *heading, &bold)?;
    }
    for (index, item) in rows.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string_with_format(row, 0, item.ord_no, &text)?;
        sheet.write_number(row, 1, item.seq)?;
        sheet.write_string(row, 2, item.item_nm)?;
        sheet.write_number(row, 3, item.qty)?;
        sheet.write_string(row, 4, item.recipient)?;
        sheet.write_string_with_format(row, 5, item.carrier, &text)?;
        sheet.write_blank(row, 6, &text)?;
    }
    // Waybill numbers typed later stay text too (a long one would lose digits as a number).
    sheet.set_column_format(6, &text)?;
    sheet.set_column_format(5, &text)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    sheet.set_column_width(6, 20)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_is_read_by_its_headings_in_either_language() {
        let sheet = "\u{feff}주문번호,순번,상품명,택배사코드,운송장번호\n\
                     20261207000012,1,초콜릿,0000033011,6012345678901\n\
                     =\"20261207000013\",2,\"사탕, 큰 것\",,=\"0012\"\n\
                     20261207000014,1,,,\n";
        let lines = read(sheet.as_bytes()).unwrap();
        assert_eq!(lines.len(), 2, "a row without a waybill is not filled");
        assert_eq!(
            lines[0],
            WaybillLine {
                line: 2,
                ord_no: "20261207000012".into(),
                seq: "1".into(),
                carrier: "0000033011".into(),
                waybill: "6012345678901".into(),
            }
        );
        assert_eq!(
            (lines[1].ord_no.as_str(), lines[1].waybill.as_str()),
            ("20261207000013", "0012")
        );
        let api = "ordNo,ordItemSeq,wblNo\nA-1,3,77\n";
        let lines = read(api.as_bytes()).unwrap();
        assert_eq!(
            (lines[0].seq.as_str(), lines[0].carrier.as_str()),
            ("3", "")
        );
    }

    #[test]
    fn a_sheet_that_cannot_be_read_says_why() {
        assert_eq!(read(b""), Err(SheetError::Empty));
        assert_eq!(
            read("주문번호,운송장번호\n1,2\n".as_bytes()),
            Err(SheetError::MissingColumn("순번 (ordItemSeq)"))
        );
        assert!(matches!(
            read(b"\xff\xfe\x00a"),
            Err(SheetError::Unreadable(_))
        ));
        let mut many = String::from("ordNo,seq,wblNo\n");
        for n in 0..=MAX_ROWS {
            many.push_str(&format!("A-{n},1,{n}\n"));
        }
        assert_eq!(
            read(many.as_bytes()),
            Err(SheetError::TooManyRows(MAX_ROWS + 1))
        );
    }

    #[test]
    fn the_template_reads_back_as_a_sheet_once_filled() {
        let rows = [TemplateRow {
            ord_no: "20261207000012",
            seq: 1,
            item_nm: "초콜릿",
            qty: 2,
            recipient: "김민준",
            carrier: "0000033011",
        }];
        let workbook = template(&rows).unwrap();
        assert_eq!(read(&workbook).unwrap(), [], "nothing is filled yet");
        // Filled as staff fill it (a waybill number typed as a number).
        let rows = xlsx_rows(&workbook).unwrap();
        assert_eq!(rows[1][0], "20261207000012", "the order number stays text");
        assert_eq!(rows[1][5], "0000033011", "the carrier keeps its zeros");
    }

    #[test]
    fn a_workbook_filled_in_excel_reads_its_numbers_as_digits() {
        use rust_xlsxwriter::Workbook;
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, heading) in ["주문번호", "순번", "운송장번호"].iter().enumerate() {
            sheet.write_string(0, column as u16, *heading).unwrap();
        }
        // As Excel stores what staff type: numbers, where the cell was not text.
        sheet.write_number(1, 0, 20261207000012.0).unwrap();
        sheet.write_number(1, 1, 2.0).unwrap();
        sheet.write_number(1, 2, 601234567890.0).unwrap();
        sheet.write_string(2, 0, "A-7").unwrap();
        sheet.write_string(2, 1, "1").unwrap();
        sheet.write_string(2, 2, "0012").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let lines = read(&bytes).unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|l| (
                    l.line,
                    l.ord_no.as_str(),
                    l.seq.as_str(),
                    l.waybill.as_str()
                ))
                .collect::<Vec<_>>(),
            [
                (2, "20261207000012", "2", "601234567890"),
                (3, "A-7", "1", "0012")
            ]
        );
    }
}
