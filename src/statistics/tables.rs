//! Statistical tables: counts, percentages that add up, and small-number suppression.

use serde::Serialize;
use utoipa::ToSchema;

/// Counts under this are suppressed in public statistics, so that nobody can be identified.
pub const SUPPRESSION_THRESHOLD: u64 = 3;

/// One figure of a table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"count": 12, "percent": 15.6, "suppressed": false}))]
pub struct Cell {
    /// `null` when suppressed.
    pub count: Option<u64>,
    /// Of the table's total, to one decimal; `null` when suppressed or when the table has no total.
    pub percent: Option<f64>,
    /// Withheld because the count, or a count it would reveal, is under the threshold.
    pub suppressed: bool,
}

/// A row of a table: one category and its figure.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"key": "female", "label": "nainen", "count": 40, "percent": 51.9, "suppressed": false}))]
pub struct Row {
    /// The category's code: a code of the API's enumerations, a municipality or qualification code, a year.
    pub key: String,
    /// The category's name in Finnish.
    pub label: String,
    pub count: Option<u64>,
    pub percent: Option<f64>,
    pub suppressed: bool,
}

/// A table of counts by one category.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"name": "participants_by_gender", "title": "Osallistujat sukupuolen mukaan", "counts": "participants", "partition": true,
    "total": {"count": 77, "percent": null, "suppressed": false},
    "rows": [{"key": "female", "label": "nainen", "count": 40, "percent": 51.9, "suppressed": false},
             {"key": "male", "label": "mies", "count": 35, "percent": 45.5, "suppressed": false},
             {"key": "other", "label": "muu", "count": null, "percent": null, "suppressed": true},
             {"key": "unknown", "label": "ei tiedossa", "count": null, "percent": null, "suppressed": true}]}))]
pub struct Table {
    /// The table's stable name: the value of `table=` for its CSV.
    pub name: String,
    /// The table's title in Finnish.
    pub title: String,
    /// What is counted, e.g. `participants`, `completed_units`, `environments`.
    pub counts: String,
    /// Whether each counted item is in exactly one row: then the rows add up to the total and
    /// their percentages to 100.
    pub partition: bool,
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
    "cells": [{"count": 12, "percent": null, "suppressed": false}, {"count": null, "percent": null, "suppressed": true}],
    "total": {"count": 14, "percent": null, "suppressed": false}}))]
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
    "counts": "completed_units", "row_heading": "tutkinto",
    "columns": [{"key": "609", "label": "Pori"}, {"key": "684", "label": "Rauma"}],
    "rows": [{"key": "381141", "label": "Puhtaus- ja kiinteistöpalvelualan perustutkinto",
              "cells": [{"count": 40, "percent": null, "suppressed": false}, {"count": 25, "percent": null, "suppressed": false}],
              "total": {"count": 65, "percent": null, "suppressed": false}}],
    "column_totals": [{"count": 40, "percent": null, "suppressed": false}, {"count": 25, "percent": null, "suppressed": false}],
    "total": {"count": 65, "percent": null, "suppressed": false}}))]
pub struct CrossTable {
    pub name: String,
    pub title: String,
    pub counts: String,
    pub row_heading: String,
    pub columns: Vec<Heading>,
    pub rows: Vec<CrossRow>,
    /// One per column.
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// Percentages in tenths of a percent that add up to exactly 1000 (largest remainders), so a
/// partition's rows always add up to 100 %.
pub fn shares_adding_up(counts: &[u64], total: u64) -> Vec<u64> {
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<u64> = counts.iter().map(|count| count * 1000 / total).collect();
    let missing = 1000u64.saturating_sub(shares.iter().sum());
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    // Stable: equal remainders go to the earlier row.
    by_remainder.sort_by_key(|&index| std::cmp::Reverse(counts[index] * 1000 % total));
    for &index in by_remainder.iter().take(missing as usize) {
        shares[index] += 1;
    }
    shares
}

/// Rounded tenths of a percent of one figure.
fn share(count: u64, total: u64) -> u64 {
    (count * 2000 + total) / (2 * total)
}

/// Marks counts under the threshold, then, line by line, one more cell wherever a line's total is
/// shown and exactly one of its members is withheld (it could be computed back from the total).
/// `lines` are (members, total) indexes into `counts`.
pub fn suppress(counts: &[u64], lines: &[(Vec<usize>, usize)]) -> Vec<bool> {
    let mut suppressed: Vec<bool> = counts
        .iter()
        .map(|&count| count < SUPPRESSION_THRESHOLD)
        .collect();
    loop {
        let mut changed = false;
        for (members, total) in lines {
            if suppressed[*total] || members.iter().filter(|&&m| suppressed[m]).count() != 1 {
                continue;
            }
            if let Some(&smallest) = members
                .iter()
                .filter(|&&m| !suppressed[m])
                .min_by_key(|&&m| counts[m])
            {
                suppressed[smallest] = true;
                changed = true;
            }
        }
        if !changed {
            return suppressed;
        }
    }
}

/// A table under construction: categories and their exact counts.
pub struct TableBuilder {
    name: &'static str,
    title: &'static str,
    counts: &'static str,
    partition: bool,
    total: Option<u64>,
    rows: Vec<(String, String, u64)>,
}

impl TableBuilder {
    /// A partition of `total` items by one category.
    pub fn partition(name: &'static str, title: &'static str, counts: &'static str, total: u64) -> Self {
        Self {
            name,
            title,
            counts,
            partition: true,
            total: Some(total),
            rows: Vec::new(),
        }
    }

    /// Separate figures, each a share of `total`.
    pub fn shares_of(name: &'static str, title: &'static str, counts: &'static str, total: u64) -> Self {
        Self {
            name,
            title,
            counts,
            partition: false,
            total: Some(total),
            rows: Vec::new(),
        }
    }

    /// Separate figures without a common total.
    pub fn figures(name: &'static str, title: &'static str) -> Self {
        Self {
            name,
            title,
            counts: "items",
            partition: false,
            total: None,
            rows: Vec::new(),
        }
    }

    pub fn row(mut self, key: impl Into<String>, label: impl Into<String>, count: u64) -> Self {
        self.rows.push((key.into(), label.into(), count));
        self
    }

    pub fn rows(self, rows: impl IntoIterator<Item = (String, String, u64)>) -> Self {
        rows.into_iter()
            .fold(self, |table, (key, label, count)| table.row(key, label, count))
    }

    /// The table as a caller sees it: exact, or with small numbers suppressed.
    pub fn build(self, exact: bool) -> Table {
        let counts: Vec<u64> = self.rows.iter().map(|row| row.2).collect();
        let total = self.total;
        let percents: Vec<Option<u64>> = match total {
            Some(total) if total > 0 && self.partition => {
                shares_adding_up(&counts, total).into_iter().map(Some).collect()
            }
            Some(total) if total > 0 => counts.iter().map(|&count| Some(share(count, total))).collect(),
            _ => vec![None; counts.len()],
        };
        let suppressed = if exact {
            vec![false; counts.len() + 1]
        } else {
            // The total sits after the rows; only a partition's rows can be computed back from it.
            let mut all = counts.clone();
            all.push(total.unwrap_or(SUPPRESSION_THRESHOLD));
            let lines = if self.partition {
                vec![((0..counts.len()).collect(), counts.len())]
            } else {
                Vec::new()
            };
            suppress(&all, &lines)
        };
        let cell = |count: u64, percent: Option<u64>, withheld: bool| Cell {
            count: (!withheld).then_some(count),
            percent: percent.filter(|_| !withheld).map(|tenths| tenths as f64 / 10.0),
            suppressed: withheld,
        };
        Table {
            name: self.name.to_owned(),
            title: self.title.to_owned(),
            counts: self.counts.to_owned(),
            partition: self.partition,
            total: total.map(|total| cell(total, None, suppressed[counts.len()])),
            rows: self
                .rows
                .into_iter()
                .zip(percents)
                .zip(&suppressed)
                .map(|(((key, label, count), percent), &withheld)| {
                    let cell = cell(count, percent, withheld);
                    Row {
                        key,
                        label,
                        count: cell.count,
                        percent: cell.percent,
                        suppressed: cell.suppressed,
                    }
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
    let (height, width) = (rows.len(), columns.len());
    // A grid with the row totals as its last column and the column totals as its last row.
    let mut grid = vec![vec![0u64; width + 1]; height + 1];
    for (r, line) in counts.iter().enumerate() {
        for (c, &count) in line.iter().enumerate() {
            grid[r][c] = count;
            grid[r][width] += count;
            grid[height][c] += count;
            grid[height][width] += count;
        }
    }
    let at = |r: usize, c: usize| r * (width + 1) + c;
    let flat: Vec<u64> = grid.iter().flatten().copied().collect();
    let suppressed = if exact {
        vec![false; flat.len()]
    } else {
        let mut lines: Vec<(Vec<usize>, usize)> = (0..=height)
            .map(|r| ((0..width).map(|c| at(r, c)).collect(), at(r, width)))
            .collect();
        lines.extend((0..=width).map(|c| ((0..height).map(|r| at(r, c)).collect(), at(height, c))));
        suppress(&flat, &lines)
    };
    let cell = |r: usize, c: usize| Cell {
        count: (!suppressed[at(r, c)]).then_some(grid[r][c]),
        percent: None,
        suppressed: suppressed[at(r, c)],
    };
    CrossTable {
        name: name.to_owned(),
        title: title.to_owned(),
        counts: counts_what.to_owned(),
        row_heading: row_heading.to_owned(),
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(r, heading)| CrossRow {
                key: heading.key,
                label: heading.label,
                cells: (0..width).map(|c| cell(r, c)).collect(),
                total: cell(r, width),
            })
            .collect(),
        column_totals: (0..width).map(|c| cell(height, c)).collect(),
        total: cell(height, width),
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_a_partition_add_up_to_a_hundred_percent() {
        let shares = shares_adding_up(&[1, 1, 1], 3);
        assert_eq!(shares, vec![334, 333, 333]);
        let shares = shares_adding_up(&[2, 5, 0, 70], 77);
        assert_eq!(shares.iter().sum::<u64>(), 1000);
        assert_eq!(shares, vec![26, 65, 0, 909]);
        assert_eq!(shares_adding_up(&[0, 0], 0), vec![0, 0]);
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        // 1 alone would follow from the total 20 and the other rows.
        let suppressed = suppress(&[10, 5, 1, 4, 20], &[(vec![0, 1, 2, 3], 4)]);
        assert_eq!(suppressed, vec![false, false, true, true, false]);
        // Two small cells hide each other.
        let suppressed = suppress(&[10, 2, 1, 13], &[(vec![0, 1, 2], 3)]);
        assert_eq!(suppressed, vec![false, true, true, false]);
    }

    #[test]
    fn cross_tables_protect_rows_and_columns() {
        let rows = vec![
            Heading {
                key: "a".into(),
                label: "A".into(),
            },
            Heading {
                key: "b".into(),
                label: "B".into(),
            },
        ];
        let columns = vec![
            Heading {
                key: "x".into(),
                label: "X".into(),
            },
            Heading {
                key: "y".into(),
                label: "Y".into(),
            },
            Heading {
                key: "z".into(),
                label: "Z".into(),
            },
        ];
        let table = cross_table(
            ("t", "T", "units", "R"),
            rows,
            columns,
            &[vec![10, 1, 6], vec![7, 8, 9]],
            false,
        );
        // Row a: 1 is small; its row then needs a second withheld cell, which makes its column
        // need one too, and so on until no line has a single withheld cell.
        let withheld = |row: &CrossRow| row.cells.iter().filter(|cell| cell.suppressed).count();
        assert!(table.rows.iter().all(|row| withheld(row) != 1));
        for c in 0..3 {
            let in_column = table.rows.iter().filter(|row| row.cells[c].suppressed).count();
            assert_ne!(in_column, 1, "column {c}");
        }
        assert_eq!(table.total.count, Some(41));
        let exact = cross_table(
            ("t", "T", "units", "R"),
            table
                .rows
                .iter()
                .map(|r| Heading {
                    key: r.key.clone(),
                    label: r.label.clone(),
                })
                .collect(),
            table.columns.clone(),
            &[vec![10, 1, 6], vec![7, 8, 9]],
            true,
        );
        assert_eq!(exact.rows[0].cells[1].count, Some(1));
        assert_eq!(exact.column_totals[1].count, Some(9));
        assert_eq!(exact.rows[1].total.count, Some(24));
    }

    #[test]
    fn suppressed_figures_lose_their_percentages_too() {
        let table = TableBuilder::partition("t", "T", "participants", 12)
            .row("a", "A", 10)
            .row("b", "B", 2)
            .build(false);
        assert_eq!(table.total.as_ref().and_then(|total| total.count), Some(12));
        assert!(table
            .rows
            .iter()
            .all(|row| row.suppressed && row.count.is_none() && row.percent.is_none()));
        let exact = TableBuilder::partition("t", "T", "participants", 12)
            .row("a", "A", 10)
            .row("b", "B", 2)
            .build(true);
        assert_eq!(exact.rows[0].percent, Some(83.3));
        assert_eq!(exact.rows[1].percent, Some(16.7));
    }
}
