//! Statistics as CSV, one table per file: RFC 4180 for programs, or as Finnish Excel opens it.

use serde::Deserialize;
use utoipa::ToSchema;

use super::tables::{tenths, Cell, CrossTable, Table};
use crate::locale::Language;

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CsvLocale {
    /// As Excel opens it in Finland (and Sweden): a UTF-8 byte order mark, `;` between fields and
    /// a decimal comma.
    Fi,
    /// RFC 4180, for programs: UTF-8 without a byte order mark, `,` between fields and a decimal
    /// point.
    En,
}

/// A CSV file's conventions and the one language of its headers and labels.
#[derive(Debug, Clone, Copy)]
pub struct CsvStyle {
    pub locale: CsvLocale,
    pub language: Language,
}

impl CsvStyle {
    fn separator(self) -> char {
        match self.locale {
            CsvLocale::Fi => ';',
            CsvLocale::En => ',',
        }
    }

    fn decimal(self, tenths: u64) -> String {
        let language = match self.locale {
            CsvLocale::Fi => Language::Fi,
            CsvLocale::En => Language::En,
        };
        language.tenths(tenths)
    }

    fn say(self, fi: &'static str, sv: &'static str, en: &'static str) -> String {
        self.language.pick(fi, sv, en).to_owned()
    }

    /// The start of the file: Excel reads UTF-8 only after a byte order mark.
    fn start(self) -> String {
        match self.locale {
            CsvLocale::Fi => "\u{feff}".to_owned(),
            CsvLocale::En => String::new(),
        }
    }

    /// One field: quoted when needed, and defused when a spreadsheet would read it as a formula.
    fn field(self, text: &str) -> String {
        let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        if text.contains([self.separator(), '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    }

    fn line(self, fields: &[String]) -> String {
        let separator = self.separator().to_string();
        let mut line = fields
            .iter()
            .map(|text| self.field(text))
            .collect::<Vec<_>>()
            .join(&separator);
        line.push_str("\r\n");
        line
    }

    fn yes_no(self, value: bool) -> String {
        match (self.language, value) {
            (Language::Fi, true) => "kyllä",
            (Language::Fi, false) => "ei",
            (Language::Sv, true) => "ja",
            (Language::Sv, false) => "nej",
            (Language::En, true) => "true",
            (Language::En, false) => "false",
        }
        .to_owned()
    }

    fn total(self) -> String {
        self.say("yhteensä", "totalt", "total")
    }
}

/// A percentage as the file writes it: tenths from the figure itself, so equal figures print equal.
fn percent(style: CsvStyle, percent: Option<f64>) -> String {
    percent
        .map(|percent| style.decimal(tenths(percent)))
        .unwrap_or_default()
}

fn count_text(cell: &Cell) -> String {
    cell.count.to_string()
}

/// A table: `key, label, count, percent, rounded, sum_of` (headers in the file's language), the
/// total last.
pub fn table_csv(table: &Table, style: CsvStyle) -> String {
    let header = [
        style.say("koodi", "kod", "key"),
        style.say("luokka", "kategori", "label"),
        style.say("lukumäärä", "antal", "count"),
        style.say("prosenttia", "procent", "percent"),
        style.say("pyöristetty", "avrundat", "rounded"),
        style.say("osien summa", "summa av", "sum_of"),
    ];
    let mut csv = style.start() + &style.line(&header);
    for row in &table.rows {
        csv.push_str(&style.line(&[
            row.key.clone(),
            row.label.clone(),
            row.count.to_string(),
            percent(style, row.percent),
            style.yes_no(table.rounded),
            row.sum_of.join("+"),
        ]));
    }
    if let Some(total) = &table.total {
        let whole = (table.partition && total.count > 0).then_some(100.0);
        csv.push_str(&style.line(&[
            "total".to_owned(),
            style.total(),
            count_text(total),
            percent(style, whole),
            style.yes_no(table.rounded),
            String::new(),
        ]));
    }
    csv
}

/// A cross table: a row per row category, a column per column category, totals last.
pub fn cross_table_csv(table: &CrossTable, style: CsvStyle) -> String {
    let mut header = vec![style.say("koodi", "kod", "key"), table.row_heading.clone()];
    header.extend(
        table
            .columns
            .iter()
            .map(|column| format!("{} {}", column.key, column.label)),
    );
    header.push(style.total());
    let mut csv = style.start() + &style.line(&header);
    for row in &table.rows {
        let mut fields = vec![row.key.clone(), row.label.clone()];
        fields.extend(row.cells.iter().map(count_text));
        fields.push(count_text(&row.total));
        csv.push_str(&style.line(&fields));
    }
    let mut fields = vec!["total".to_owned(), style.total()];
    fields.extend(table.column_totals.iter().map(count_text));
    fields.push(count_text(&table.total));
    csv.push_str(&style.line(&fields));
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    const MACHINE: CsvStyle = CsvStyle {
        locale: CsvLocale::En,
        language: Language::En,
    };
    const EXCEL: CsvStyle = CsvStyle {
        locale: CsvLocale::Fi,
        language: Language::Fi,
    };

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(MACHINE.field("Pori, keskusta"), "\"Pori, keskusta\"");
        assert_eq!(EXCEL.field("Pori, keskusta"), "Pori, keskusta");
        assert_eq!(EXCEL.field("a;b"), "\"a;b\"");
        assert_eq!(MACHINE.field("sanoi \"hei\""), "\"sanoi \"\"hei\"\"\"");
        assert_eq!(MACHINE.field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(MACHINE.field("Rauma"), "Rauma");
    }

    #[test]
    fn percentages_follow_the_locale() {
        assert_eq!(percent(EXCEL, Some(14.3)), "14,3");
        assert_eq!(percent(MACHINE, Some(14.3)), "14.3");
        assert_eq!(percent(EXCEL, None), "");
    }
}
