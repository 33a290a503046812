//! Statistics as CSV (one table per request) and as a printable HTML report with inline SVG bars.

use maud::{html as maud, Markup};

use super::tables::{Cell, CrossTable, Table, ROUNDING_BASE};
use crate::html;

/// One CSV field: quoted when needed, and defused when a spreadsheet would read it as a formula.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|text| field(text))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn count_text(cell: &Cell) -> String {
    cell.count.to_string()
}

fn percent_text(percent: Option<f64>) -> String {
    percent.map(|percent| format!("{percent:.1}")).unwrap_or_default()
}

/// A table as RFC 4180 CSV: `key,label,count,percent,rounded`, the total last.
pub fn table_csv(table: &Table) -> String {
    let mut csv = line(&["key", "label", "count", "percent", "rounded"].map(str::to_owned));
    for row in &table.rows {
        csv.push_str(&line(&[
            row.key.clone(),
            row.label.clone(),
            row.count.to_string(),
            percent_text(row.percent),
            table.rounded.to_string(),
        ]));
    }
    if let Some(total) = &table.total {
        csv.push_str(&line(&[
            "total".to_owned(),
            "yhteensä".to_owned(),
            count_text(total),
            if table.partition && total.count > 0 {
                "100.0".to_owned()
            } else {
                String::new()
            },
            table.rounded.to_string(),
        ]));
    }
    csv
}

/// A cross table as CSV: a row per row category, a column per column category, totals last.
pub fn cross_table_csv(table: &CrossTable) -> String {
    let mut header = vec!["key".to_owned(), table.row_heading.clone()];
    header.extend(
        table
            .columns
            .iter()
            .map(|column| format!("{} {}", column.key, column.label)),
    );
    header.push("yhteensä".to_owned());
    let mut csv = line(&header);
    for row in &table.rows {
        let mut fields = vec![row.key.clone(), row.label.clone()];
        fields.extend(row.cells.iter().map(count_text));
        fields.push(count_text(&row.total));
        csv.push_str(&line(&fields));
    }
    let mut fields = vec!["total".to_owned(), "yhteensä".to_owned()];
    fields.extend(table.column_totals.iter().map(count_text));
    fields.push(count_text(&table.total));
    csv.push_str(&line(&fields));
    csv
}

const BAR_WIDTH: u64 = 240;
const BAR_HEIGHT: u64 = 14;

/// A horizontal bar per row, scaled to the largest shown count.
fn bars(table: &Table) -> Markup {
    let largest = table.rows.iter().map(|row| row.count).max().unwrap_or(0).max(1);
    let height = BAR_HEIGHT * table.rows.len().max(1) as u64;
    maud! {
        svg xmlns="http://www.w3.org/2000/svg" width=(BAR_WIDTH) height=(height) role="img" aria-label=(table.title) {
            @for (index, row) in table.rows.iter().enumerate() {
                rect x="0" y=(index as u64 * BAR_HEIGHT + 2) width=(row.count * BAR_WIDTH / largest)
                    height=(BAR_HEIGHT - 4) fill="#2b6cb0" {
                    title { (row.label) ": " (row.count) }
                }
            }
        }
    }
}

fn table_html(table: &Table) -> Markup {
    maud! {
        section {
            h2 { (table.title) }
            table {
                thead { tr { th { "luokka" } th { "lukumäärä" } th { "%" } } }
                tbody {
                    @for row in &table.rows {
                        tr { td { (row.label) } td.n { (row.count) } td.n { (percent_text(row.percent)) } }
                    }
                    @if let Some(total) = &table.total {
                        tr.total { td { "yhteensä" } td.n { (total.count) } td {} }
                    }
                }
            }
            figure { (bars(table)) }
        }
    }
}

fn cross_table_html(table: &CrossTable) -> Markup {
    maud! {
        section {
            h2 { (table.title) }
            table {
                thead {
                    tr {
                        th { (table.row_heading) }
                        @for column in &table.columns { th { (column.label) } }
                        th { "yhteensä" }
                    }
                }
                tbody {
                    @for row in &table.rows {
                        tr {
                            td { (row.label) }
                            @for cell in row.cells.iter().chain(std::iter::once(&row.total)) { td.n { (cell.count) } }
                        }
                    }
                    tr.total {
                        td { "yhteensä" }
                        @for cell in table.column_totals.iter().chain(std::iter::once(&table.total)) {
                            td.n { (cell.count) }
                        }
                    }
                }
            }
        }
    }
}

const REPORT_STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#1a202c}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #cbd5e0;padding:.2rem .5rem;text-align:left}
td.n{text-align:right}tr.total td{font-weight:bold}section{break-inside:avoid;margin-bottom:1.5rem}
@media print{body{margin:0}}";

/// What a report is about: its title and a few lines under it.
pub struct ReportHeading<'a> {
    pub title: &'a str,
    pub lines: Vec<String>,
    pub exact: bool,
}

/// The whole report as one printable HTML page.
pub fn report_html(heading: &ReportHeading<'_>, tables: &[Table], cross_tables: &[CrossTable]) -> String {
    let body = maud! {
        h1 { (heading.title) }
        @for line in &heading.lines { p { (line) } }
        @if !heading.exact {
            p {
                "Henkilöiden lukumäärät on pyöristetty lähimpään " (ROUNDING_BASE) ":llä jaolliseen lukuun, ja rivit, \
                 joiden pyöristetty luku on 0, on jätetty pois, jotta ketään ei voi tunnistaa. Siksi osat eivät aina \
                 täsmää yhteensä-lukuun."
            }
        }
        @for table in tables { (table_html(table)) }
        @for table in cross_tables { (cross_table_html(table)) }
    };
    html::page("fi", heading.title, REPORT_STYLE, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Pori, keskusta"), "\"Pori, keskusta\"");
        assert_eq!(field("sanoi \"hei\""), "\"sanoi \"\"hei\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("Rauma"), "Rauma");
    }

    #[test]
    fn report_text_is_escaped() {
        let heading = ReportHeading {
            title: "<script>x</script>",
            lines: vec![],
            exact: true,
        };
        let html = report_html(&heading, &[], &[]);
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
