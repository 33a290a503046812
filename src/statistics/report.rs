//! The report people read: every table of an answer as one HTML page (with labelled bars and a
//! print style sheet) or as a tagged PDF, in Finnish, Swedish or English.

use maud::{html as maud, Markup};

use super::tables::{tenths, CrossTable, Row, Table, ROUNDING_BASE};
use crate::{
    html,
    locale::Language,
    pdf::{Column, Document, Role, Style},
};

/// What a report is about: its title and a few lines under it, in its language.
pub struct ReportHeading {
    pub title: String,
    pub lines: Vec<String>,
    pub exact: bool,
    pub language: Language,
}

/// A percentage as the report's language writes it: `42,9 %`, `42.9%`.
fn percent_text(language: Language, percent: Option<f64>) -> String {
    let Some(percent) = percent else {
        return String::new();
    };
    let written = language.tenths(tenths(percent));
    match language {
        Language::En => format!("{written}%"),
        _ => format!("{written}\u{a0}%"),
    }
}

fn total_word(language: Language) -> &'static str {
    language.pick("yhteensä", "totalt", "total")
}

/// The notes under the heading: how percentages are rounded, derived rows, and public rounding.
fn notes(heading: &ReportHeading) -> Vec<String> {
    let say = |fi, sv, en| heading.language.pick(fi, sv, en).to_owned();
    let mut notes = vec![
        say(
            "Jokainen prosenttiosuus on laskettu omasta luvustaan ja pyöristetty yhteen desimaaliin \
             (puolikkaat ylöspäin), joten osuudet eivät aina ole yhteensä tasan 100 %.",
            "Varje andel är beräknad från sitt eget tal och avrundad till en decimal (halvor uppåt), \
             så andelarna blir inte alltid exakt 100 % tillsammans.",
            "Each percentage is computed from its own count and rounded to one decimal (halves up), \
             so the parts may not add up to exactly 100%.",
        ),
        say(
            "Yhteensä-rivit (esimerkiksi työssä yhteensä) ovat taulukon muiden rivien summia, eikä \
             niitä lasketa taulukon kokonaismäärään toista kertaa.",
            "Rader med summor (till exempel i arbete sammanlagt) är summor av tabellens andra rader \
             och räknas inte en gång till i tabellens totala antal.",
            "Rows of totals (such as employed in total) add up other rows of their table and are not \
             counted again in the table's total.",
        ),
    ];
    if !heading.exact {
        let base = ROUNDING_BASE;
        notes.push(match heading.language {
            Language::Fi => format!(
                "Henkilöiden lukumäärät on pyöristetty lähimpään {base}:llä jaolliseen lukuun, ja rivit, \
                 joiden pyöristetty luku on 0, on jätetty pois, jotta ketään ei voi tunnistaa. Siksi \
                 osat eivät aina täsmää yhteensä-lukuun."
            ),
            Language::Sv => format!(
                "Antal personer är avrundade till närmaste tal delbart med {base}, och rader vars \
                 avrundade tal är 0 är utelämnade, så att ingen kan identifieras. Därför stämmer \
                 delarna inte alltid med totalen."
            ),
            Language::En => format!(
                "Counts of people are rounded to the nearest multiple of {base}, and rows whose rounded \
                 count is 0 are left out, so that no one can be identified. The parts therefore do \
                 not always match the total."
            ),
        });
    }
    notes
}

/// What a full bar stands for: the table's total, or its largest row when it has none.
fn bar_scale(table: &Table) -> u64 {
    table
        .total
        .as_ref()
        .map(|total| total.count)
        .filter(|&total| total > 0)
        .unwrap_or_else(|| table.rows.iter().map(|row| row.count).max().unwrap_or(0))
        .max(1)
}

const BAR_AREA: u64 = 300;
const ROW_HEIGHT: u64 = 34;

/// A bar per row, scaled to the table's total (to the largest row when it has none), each
/// labelled with its category and its figure.
fn bars(table: &Table, language: Language) -> Markup {
    let scale = bar_scale(table);
    let height = ROW_HEIGHT * table.rows.len() as u64;
    let value = |row: &Row| match row.percent {
        Some(_) => format!("{} ({})", row.count, percent_text(language, row.percent)),
        None => row.count.to_string(),
    };
    let alt = table
        .rows
        .iter()
        .map(|row| format!("{}: {}", row.label, value(row)))
        .collect::<Vec<_>>()
        .join("; ");
    maud! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 480 " (height) } width="480" height=(height)
            role="img" aria-label={ (table.title) ": " (alt) } {
            @for (index, row) in table.rows.iter().enumerate() {
                @let top = index as u64 * ROW_HEIGHT;
                @let length = (row.count * BAR_AREA).div_ceil(scale).min(BAR_AREA);
                text x="0" y=(top + 12) font-size="12" fill="#1a202c" { (row.label) }
                rect x="0" y=(top + 16) width=(length.max(1)) height="12" fill="#2b6cb0" {}
                text x=(length + 6) y=(top + 26) font-size="12" fill="#1a202c" { (value(row)) }
            }
        }
    }
}

fn table_html(index: usize, table: &Table, language: Language) -> Markup {
    let say = |fi, sv, en| language.pick(fi, sv, en);
    let id = format!("t{index}");
    maud! {
        section aria-labelledby=(id) {
            h2 id=(id) { (table.title) }
            table {
                thead {
                    tr {
                        th scope="col" { (say("luokka", "kategori", "category")) }
                        th scope="col" class="n" { (say("lukumäärä", "antal", "count")) }
                        th scope="col" class="n" { (say("osuus", "andel", "share")) }
                    }
                }
                tbody {
                    @for row in &table.rows {
                        tr class=[(!row.sum_of.is_empty()).then_some("derived")] {
                            th scope="row" { (row.label) }
                            td class="n" { (row.count) }
                            td class="n" { (percent_text(language, row.percent)) }
                        }
                    }
                    @if let Some(total) = &table.total {
                        tr class="total" { th scope="row" { (total_word(language)) } td class="n" { (total.count) } td {} }
                    }
                }
            }
            @if !table.rows.is_empty() {
                figure { (bars(table, language)) }
            }
        }
    }
}

fn cross_table_html(index: usize, table: &CrossTable, language: Language) -> Markup {
    let id = format!("c{index}");
    maud! {
        section aria-labelledby=(id) {
            h2 id=(id) { (table.title) }
            div class="wide" {
                table {
                    thead {
                        tr {
                            th scope="col" { (table.row_heading) }
                            @for column in &table.columns { th scope="col" class="n" { (column.label) } }
                            th scope="col" class="n" { (total_word(language)) }
                        }
                    }
                    tbody {
                        @for row in &table.rows {
                            tr {
                                th scope="row" { (row.label) }
                                @for cell in row.cells.iter().chain(std::iter::once(&row.total)) { td class="n" { (cell.count) } }
                            }
                        }
                        tr class="total" {
                            th scope="row" { (total_word(language)) }
                            @for cell in table.column_totals.iter().chain(std::iter::once(&table.total)) {
                                td class="n" { (cell.count) }
                            }
                        }
                    }
                }
            }
        }
    }
}

const REPORT_STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;\
color:#1a202c;line-height:1.4}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #a0aec0;padding:.25rem .5rem;text-align:left;vertical-align:top}\
thead th{background:#edf2f7}.n{text-align:right;white-space:nowrap}tr.total th,tr.total td{font-weight:bold}\
tr.derived th{font-style:italic}tbody th{font-weight:normal}section{margin-bottom:2rem}\
figure{margin:.5rem 0}figure svg{max-width:100%;height:auto}.wide{overflow-x:auto}.notes{font-size:.9rem}\
@media print{@page{size:A4;margin:15mm}body{margin:0;max-width:none;font-size:10pt}\
section{break-inside:avoid}h2{break-after:avoid}.wide{overflow:visible}\
thead th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// The whole report as one printable HTML page.
pub fn report_html(heading: &ReportHeading, tables: &[Table], cross_tables: &[CrossTable]) -> String {
    let language = heading.language;
    let body = maud! {
        main {
            h1 { (heading.title) }
            @for line in &heading.lines { p { (line) } }
            div class="notes" { @for note in notes(heading) { p { (note) } } }
            @for (index, table) in tables.iter().enumerate() { (table_html(index, table, language)) }
            @for (index, table) in cross_tables.iter().enumerate() { (cross_table_html(index, table, language)) }
        }
    };
    html::page(language.tag(), &heading.title, REPORT_STYLE, body)
}

const LABEL_WIDTH: f32 = 270.0;
const COUNT_X: f32 = 275.0;
const FIGURE_WIDTH: f32 = 60.0;
const BAR_X: f32 = 405.0;
const BAR_LENGTH: f32 = 78.0;

fn table_pdf(document: &mut Document, table: &Table, language: Language) {
    let say = |fi, sv, en| language.pick(fi, sv, en).to_owned();
    document.reserve(80.0);
    document.gap(12.0);
    document.text(Role::Heading, &table.title, Style::bold(12.0));
    let cell = |text: String, x: f32, width: f32, right: bool| Column {
        text,
        x,
        width,
        right,
    };
    let header = [
        cell(say("luokka", "kategori", "category"), 0.0, LABEL_WIDTH, false),
        cell(say("lukumäärä", "antal", "count"), COUNT_X, FIGURE_WIDTH, true),
        cell(
            say("osuus", "andel", "share"),
            COUNT_X + FIGURE_WIDTH,
            FIGURE_WIDTH,
            true,
        ),
    ];
    document.columns(&header, Style::bold(9.0));
    let scale = bar_scale(table) as f32;
    for row in &table.rows {
        let cells = [
            cell(row.label.clone(), 0.0, LABEL_WIDTH, false),
            cell(row.count.to_string(), COUNT_X, FIGURE_WIDTH, true),
            cell(
                percent_text(language, row.percent),
                COUNT_X + FIGURE_WIDTH,
                FIGURE_WIDTH,
                true,
            ),
        ];
        document.columns(&cells, Style::regular(9.5));
        document.bar(BAR_X, BAR_LENGTH * row.count as f32 / scale, 7.0);
    }
    if let Some(total) = &table.total {
        let cells = [
            cell(total_word(language).to_owned(), 0.0, LABEL_WIDTH, false),
            cell(total.count.to_string(), COUNT_X, FIGURE_WIDTH, true),
        ];
        document.columns(&cells, Style::bold(9.5));
    }
}

fn cross_table_pdf(document: &mut Document, table: &CrossTable, language: Language) {
    document.reserve(80.0);
    document.gap(12.0);
    document.text(Role::Heading, &table.title, Style::bold(12.0));
    let total = total_word(language);
    for row in &table.rows {
        let cells: Vec<String> = table
            .columns
            .iter()
            .zip(&row.cells)
            .filter(|(_, cell)| cell.count > 0)
            .map(|(column, cell)| format!("{} {}", column.label, cell.count))
            .collect();
        let text = format!("{}: {}; {total} {}", row.label, cells.join(", "), row.total.count);
        document.text(Role::Paragraph, &text, Style::regular(9.5));
    }
    let text = format!("{total}: {}", table.total.count);
    document.text(Role::Paragraph, &text, Style::bold(9.5));
}

/// The whole report as a tagged PDF, set like the certificates.
pub fn report_pdf(
    heading: &ReportHeading,
    tables: &[Table],
    cross_tables: &[CrossTable],
) -> Result<Vec<u8>, subsetter::Error> {
    let language = heading.language;
    let mut document = Document::new(language.tag());
    document.text(Role::Title, &heading.title, Style::bold(18.0));
    for line in &heading.lines {
        document.text(Role::Paragraph, line, Style::regular(10.5));
    }
    document.gap(4.0);
    for note in notes(heading) {
        document.text(Role::Paragraph, &note, Style::regular(8.5));
    }
    for table in tables {
        table_pdf(&mut document, table, language);
    }
    for table in cross_tables {
        cross_table_pdf(&mut document, table, language);
    }
    let page_word = language.pick("sivu", "sida", "page");
    document.finish(&heading.title, |page, pages| {
        format!("{} · {page_word} {page}/{pages}", heading.title)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_text_is_escaped() {
        let heading = ReportHeading {
            title: "<script>x</script>".to_owned(),
            lines: vec![],
            exact: true,
            language: Language::Fi,
        };
        let html = report_html(&heading, &[], &[]);
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn percentages_follow_the_language() {
        assert_eq!(percent_text(Language::Fi, Some(42.9)), "42,9\u{a0}%");
        assert_eq!(percent_text(Language::En, Some(42.9)), "42.9%");
        assert_eq!(percent_text(Language::Sv, None), "");
    }
}
