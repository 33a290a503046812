//! Statistics as CSV (one table per request) and as a printable HTML report with inline SVG bars.

use super::tables::{Cell, CrossTable, Table, ROUNDING_BASE};
use crate::text::escape_html as escape;

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
fn bars(table: &Table) -> String {
    let largest = table.rows.iter().map(|row| row.count).max().unwrap_or(0).max(1);
    let height = BAR_HEIGHT * table.rows.len().max(1) as u64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_WIDTH}" height="{height}" role="img" aria-label="{}">"#,
        escape(&table.title)
    );
    for (index, row) in table.rows.iter().enumerate() {
        let count = row.count;
        let width = count * BAR_WIDTH / largest;
        let y = index as u64 * BAR_HEIGHT + 2;
        svg.push_str(&format!(
            r##"<rect x="0" y="{y}" width="{width}" height="{}" fill="#2b6cb0"><title>{}: {count}</title></rect>"##,
            BAR_HEIGHT - 4,
            escape(&row.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn table_html(table: &Table) -> String {
    let mut html = format!(
        "<section><h2>{}</h2><table><thead><tr><th>luokka</th><th>lukumäärä</th><th>%</th></tr></thead><tbody>",
        escape(&table.title)
    );
    for row in &table.rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&row.label),
            row.count,
            percent_text(row.percent)
        ));
    }
    if let Some(total) = &table.total {
        html.push_str(&format!(
            "<tr class=\"total\"><td>yhteensä</td><td class=\"n\">{}</td><td></td></tr>",
            total.count
        ));
    }
    html.push_str("</tbody></table>");
    html.push_str(&format!("<figure>{}</figure></section>", bars(table)));
    html
}

fn cross_table_html(table: &CrossTable) -> String {
    let mut html = format!(
        "<section><h2>{}</h2><table><thead><tr><th>{}</th>",
        escape(&table.title),
        escape(&table.row_heading)
    );
    for column in &table.columns {
        html.push_str(&format!("<th>{}</th>", escape(&column.label)));
    }
    html.push_str("<th>yhteensä</th></tr></thead><tbody>");
    for row in &table.rows {
        html.push_str(&format!("<tr><td>{}</td>", escape(&row.label)));
        for cell in row.cells.iter().chain(std::iter::once(&row.total)) {
            html.push_str(&format!("<td class=\"n\">{}</td>", cell.count));
        }
        html.push_str("</tr>");
    }
    html.push_str("<tr class=\"total\"><td>yhteensä</td>");
    for cell in table.column_totals.iter().chain(std::iter::once(&table.total)) {
        html.push_str(&format!("<td class=\"n\">{}</td>", cell.count));
    }
    html.push_str("</tr></tbody></table></section>");
    html
}

/// What a report is about: its title and a few lines under it.
pub struct ReportHeading<'a> {
    pub title: &'a str,
    pub lines: Vec<String>,
    pub exact: bool,
}

/// The whole report as one printable HTML page.
pub fn report_html(heading: &ReportHeading<'_>, tables: &[Table], cross_tables: &[CrossTable]) -> String {
    let mut html = format!(
        r#"<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8"><title>{title}</title><style>
body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#1a202c}}
table{{border-collapse:collapse;margin:.5rem 0}}th,td{{border:1px solid #cbd5e0;padding:.2rem .5rem;text-align:left}}
td.n{{text-align:right}}tr.total td{{font-weight:bold}}section{{break-inside:avoid;margin-bottom:1.5rem}}
@media print{{body{{margin:0}}}}
</style></head><body><h1>{title}</h1>"#,
        title = escape(heading.title)
    );
    for line in &heading.lines {
        html.push_str(&format!("<p>{}</p>", escape(line)));
    }
    if !heading.exact {
        html.push_str(&format!(
            "<p>Henkilöiden lukumäärät on pyöristetty lähimpään {ROUNDING_BASE}:llä jaolliseen lukuun, ja rivit, joiden \
             pyöristetty luku on 0, on jätetty pois, jotta ketään ei voi tunnistaa. Siksi osat eivät aina täsmää \
             yhteensä-lukuun.</p>"
        ));
    }
    for table in tables {
        html.push_str(&table_html(table));
    }
    for table in cross_tables {
        html.push_str(&cross_table_html(table));
    }
    html.push_str("</body></html>");
    html
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
