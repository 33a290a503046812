//! Statistical tables: counts, percentages, and public figures of people rounded so that no one
//! can be singled out.
//!
//! Public answers round every count of people (participants, ended participations, completed
//! units and qualifications, certificates) to the nearest multiple of [`ROUNDING_BASE`]: 1 and 2
//! show as 0, 3 to 7 as 5. Every figure shown is then a multiple of five, and so is every sum or
//! difference of them, so no arithmetic over one answer gives a count of 1 or 2. A row whose
//! rounded count is 0 is left out, so that which rows are present says no more than the figures
//! do. Percentages are computed from the rounded figures. Counts of organisations, learning
//! environments and recognitions are public facts and stay exact.

use serde::Serialize;
use utoipa::ToSchema;

/// Public counts of people are rounded to the nearest multiple of this.
pub const ROUNDING_BASE: u64 = 5;

/// What a table counts that is a count of people, or of what people did: rounded in public.
const PEOPLE: [&str; 5] = [
    "participants",
    "ended_participations",
    "completed_units",
    "completed_qualifications",
    "certificates",
];

/// The nearest multiple of [`ROUNDING_BASE`], halves up: 1 and 2 become 0, 3 to 7 become 5.
pub fn rounded(count: u64) -> u64 {
    (count + ROUNDING_BASE / 2) / ROUNDING_BASE * ROUNDING_BASE
}

/// One figure of a table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"count": 12, "percent": 15.6}))]
pub struct Cell {
    pub count: u64,
    /// Of the table's total, to one decimal, rounded half up; `null` when the table has no total.
    pub percent: Option<f64>,
}

/// A row of a table: one category and its figure.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"key": "female", "label": "nainen", "count": 40, "percent": 51.9, "sum_of": []}))]
pub struct Row {
    /// The category's code: a code of the API's enumerations, a municipality or qualification code, a year.
    pub key: String,
    /// The category's name in the language asked for (`lang`, Finnish by default).
    pub label: String,
    pub count: u64,
    pub percent: Option<f64>,
    /// For a derived row, a subtotal such as `employed_total`: the keys of the rows it adds up.
    /// It adds up their figures as shown (rounded in a public answer), so it tells nothing they
    /// do not. A derived row is not a category of its own, so it is not counted again in the
    /// table's total. Empty for the table's categories.
    pub sum_of: Vec<String>,
}

/// A table of counts by one category.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"name": "participants_by_gender", "title": "Osallistujat sukupuolen mukaan", "counts": "participants", "partition": true, "rounded": true,
    "total": {"count": 75, "percent": null},
    "rows": [{"key": "female", "label": "nainen", "count": 40, "percent": 53.3, "sum_of": []},
             {"key": "male", "label": "mies", "count": 35, "percent": 46.7, "sum_of": []}]}))]
pub struct Table {
    /// The table's stable name: the value of `table=` for its CSV.
    pub name: String,
    /// The table's title in the language asked for (`lang`, Finnish by default).
    pub title: String,
    /// What is counted, e.g. `participants`, `completed_units`, `environments`.
    pub counts: String,
    /// Whether each counted item is in exactly one row: then the exact rows add up to the total
    /// (rounded ones and percentages need not, exactly).
    pub partition: bool,
    /// Whether the counts are rounded to the nearest multiple of five, and rows whose rounded
    /// count is 0 left out.
    pub rounded: bool,
    /// The total the percentages are of; `null` for a table of separate figures.
    pub total: Option<Cell>,
    pub rows: Vec<Row>,
}

/// A column or row heading of a cross table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"key": "684", "label": "Rauma"}))]
pub struct Heading {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"key": "381141", "label": "Puhtaus- ja kiinteistöpalvelualan perustutkinto",
    "cells": [{"count": 10, "percent": null}, {"count": 0, "percent": null}],
    "total": {"count": 15, "percent": null}}))]
pub struct CrossRow {
    pub key: String,
    pub label: String,
    /// One per column, in the order of `columns`.
    pub cells: Vec<Cell>,
    pub total: Cell,
}

/// Counts by two categories, with row and column totals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"name": "units_by_qualification_and_municipality", "title": "Suoritetut tutkinnon osat tutkinnoittain ja kunnittain",
    "counts": "completed_units", "rounded": true, "row_heading": "tutkinto",
    "columns": [{"key": "609", "label": "Pori"}, {"key": "684", "label": "Rauma"}],
    "rows": [{"key": "381141", "label": "Puhtaus- ja kiinteistöpalvelualan perustutkinto",
              "cells": [{"count": 40, "percent": null}, {"count": 25, "percent": null}],
              "total": {"count": 65, "percent": null}}],
    "column_totals": [{"count": 40, "percent": null}, {"count": 25, "percent": null}],
    "total": {"count": 65, "percent": null}}))]
pub struct CrossTable {
    pub name: String,
    pub title: String,
    pub counts: String,
    /// As in a table: counts rounded, and rows and columns whose rounded total is 0 left out.
    pub rounded: bool,
    pub row_heading: String,
    pub columns: Vec<Heading>,
    pub rows: Vec<CrossRow>,
    /// One per column.
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// Rounded tenths of a percent of one figure, halves up: the same count of the same total is the
/// same percentage in every table.
pub fn share(count: u64, total: u64) -> u64 {
    (count * 2000 + total) / (2 * total)
}

/// The tenths of a percent a row's `percent` holds (it is made from whole tenths by [`share`]).
pub fn tenths(percent: f64) -> u64 {
    (percent * 10.0).round() as u64
}

/// Whether figures counting `what` are rounded in an answer that is not `exact`.
fn rounds(what: &str, exact: bool) -> bool {
    !exact && PEOPLE.contains(&what)
}

/// A table under construction: categories and their exact counts.
pub struct TableBuilder {
    name: &'static str,
    title: String,
    counts: &'static str,
    partition: bool,
    total: Option<u64>,
    rows: Vec<(String, String, u64)>,
    /// Derived rows: key, label and the keys of the rows they add up.
    subtotals: Vec<(String, String, Vec<String>)>,
}

impl TableBuilder {
    /// A partition of `total` items by one category.
    pub fn partition(name: &'static str, title: &str, counts: &'static str, total: u64) -> Self {
        Self {
            name,
            title: title.to_owned(),
            counts,
            partition: true,
            total: Some(total),
            rows: Vec::new(),
            subtotals: Vec::new(),
        }
    }

    /// Separate figures, each a share of `total`.
    pub fn shares_of(name: &'static str, title: &str, counts: &'static str, total: u64) -> Self {
        Self {
            partition: false,
            ..Self::partition(name, title, counts, total)
        }
    }

    /// Separate figures without a common total, of organisations' records (never rounded).
    pub fn figures(name: &'static str, title: &str) -> Self {
        Self {
            name,
            title: title.to_owned(),
            counts: "items",
            partition: false,
            total: None,
            rows: Vec::new(),
            subtotals: Vec::new(),
        }
    }

    pub fn row(mut self, key: impl Into<String>, label: impl Into<String>, count: u64) -> Self {
        self.rows.push((key.into(), label.into(), count));
        self
    }

    /// A derived row after the categories: the sum of the rows keyed `of`.
    pub fn subtotal(mut self, key: &str, label: &str, of: &[&str]) -> Self {
        let of = of.iter().map(|key| key.to_string()).collect();
        self.subtotals.push((key.to_owned(), label.to_owned(), of));
        self
    }

    pub fn rows(self, rows: impl IntoIterator<Item = (String, String, u64)>) -> Self {
        rows.into_iter()
            .fold(self, |table, (key, label, count)| table.row(key, label, count))
    }

    /// The table as a caller sees it: exact, or with counts of people rounded.
    pub fn build(self, exact: bool) -> Table {
        let rounded_table = rounds(self.counts, exact);
        let shown = |count: u64| if rounded_table { rounded(count) } else { count };
        let total = self.total.map(shown);
        let percent = |count: u64| {
            total
                .filter(|&total| total > 0)
                .map(|total| share(count, total) as f64 / 10.0)
        };
        let derived: Vec<(String, String, u64, Vec<String>)> = self
            .subtotals
            .into_iter()
            .map(|(key, label, of)| {
                // Of the figures as shown: a subtotal tells nothing its rows do not.
                let sum = self
                    .rows
                    .iter()
                    .filter(|(row, _, _)| of.contains(row))
                    .map(|(_, _, count)| shown(*count))
                    .sum();
                (key, label, sum, of)
            })
            .collect();
        let categories = self
            .rows
            .into_iter()
            .map(|(key, label, count)| (key, label, count, Vec::new()));
        Table {
            name: self.name.to_owned(),
            title: self.title,
            counts: self.counts.to_owned(),
            partition: self.partition,
            rounded: rounded_table,
            total: total.map(|count| Cell { count, percent: None }),
            rows: categories
                .chain(derived)
                .map(|(key, label, count, sum_of)| (key, label, shown(count), sum_of))
                .filter(|(_, _, count, _)| !rounded_table || *count > 0)
                .map(|(key, label, count, sum_of)| Row {
                    key,
                    label,
                    count,
                    percent: percent(count),
                    sum_of,
                })
                .collect(),
        }
    }
}

/// Builds a cross table from exact counts `counts[row][column]`.
pub fn cross_table(
    (name, title, counts_what, row_heading): (&str, &str, &str, &str),
    rows: Vec<Heading>,
    columns: Vec<Heading>,
    counts: &[Vec<u64>],
    exact: bool,
) -> CrossTable {
    let rounded_table = rounds(counts_what, exact);
    let shown = |count: u64| if rounded_table { rounded(count) } else { count };
    let cell = |count: u64| Cell {
        count: shown(count),
        percent: None,
    };
    let column_sums: Vec<u64> = (0..columns.len())
        .map(|c| counts.iter().map(|line| line[c]).sum())
        .collect();
    let kept_columns: Vec<usize> = (0..columns.len())
        .filter(|&c| !rounded_table || shown(column_sums[c]) > 0)
        .collect();
    CrossTable {
        name: name.to_owned(),
        title: title.to_owned(),
        counts: counts_what.to_owned(),
        rounded: rounded_table,
        row_heading: row_heading.to_owned(),
        rows: rows
            .into_iter()
            .zip(counts)
            .filter(|(_, line)| !rounded_table || shown(line.iter().sum()) > 0)
            .map(|(heading, line)| CrossRow {
                key: heading.key,
                label: heading.label,
                cells: kept_columns.iter().map(|&c| cell(line[c])).collect(),
                total: cell(line.iter().sum()),
            })
            .collect(),
        column_totals: kept_columns.iter().map(|&c| cell(column_sums[c])).collect(),
        total: cell(column_sums.iter().sum()),
        columns: kept_columns.iter().map(|&c| columns[c].clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_to_the_nearest_five() {
        let shown: Vec<u64> = (0..=13).map(rounded).collect();
        assert_eq!(shown, vec![0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 15]);
    }

    #[test]
    fn equal_counts_of_equal_totals_print_equal_percentages() {
        assert_eq!(share(3, 7), 429);
        assert_eq!(share(29, 77), 377);
        assert_eq!(share(1, 8), 125, "halves up");
    }

    #[test]
    fn public_tables_of_people_are_rounded_and_lose_their_empty_rows() {
        let build = |exact| {
            TableBuilder::partition("t", "T", "participants", 12)
                .row("a", "A", 10)
                .row("b", "B", 2)
                .build(exact)
        };
        let public = build(false);
        assert!(public.rounded);
        assert_eq!(
            public.total,
            Some(Cell {
                count: 10,
                percent: None
            })
        );
        assert_eq!(
            public.rows,
            vec![Row {
                key: "a".into(),
                label: "A".into(),
                count: 10,
                percent: Some(100.0),
                sum_of: vec![],
            }],
            "the small row is neither shown nor listed"
        );
        let exact = build(true);
        assert!(!exact.rounded);
        assert_eq!(exact.rows[0].percent, Some(83.3));
        assert_eq!(exact.rows[1].count, 2);
        let environments = TableBuilder::partition("e", "E", "environments", 2)
            .row("a", "A", 2)
            .build(false);
        assert_eq!(environments.rows[0].count, 2, "organisations' records stay exact");
    }

    #[test]
    fn public_cross_tables_round_cells_and_drop_empty_lines() {
        let heading = |key: &str| Heading {
            key: key.into(),
            label: key.to_uppercase(),
        };
        let table = cross_table(
            ("t", "T", "completed_units", "R"),
            vec![heading("a"), heading("b")],
            vec![heading("x"), heading("y"), heading("z")],
            &[vec![10, 1, 6], vec![1, 1, 0]],
            false,
        );
        assert_eq!(table.rows.len(), 1, "b's 2 units are not listed");
        assert_eq!(
            table.columns.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            vec!["x", "z"],
            "y's 2 units are not listed"
        );
        let counts: Vec<u64> = table.rows[0].cells.iter().map(|cell| cell.count).collect();
        assert_eq!(counts, vec![10, 5]);
        assert_eq!(table.total.count, 20);
        let exact = cross_table(
            ("t", "T", "completed_units", "R"),
            vec![heading("a"), heading("b")],
            vec![heading("x"), heading("y"), heading("z")],
            &[vec![10, 1, 6], vec![1, 1, 0]],
            true,
        );
        assert_eq!(exact.rows[1].cells[1].count, 1);
        assert_eq!(exact.total.count, 19);
    }
}
