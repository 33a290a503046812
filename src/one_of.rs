//! `column IN (values)` that keeps one statement whatever the number of values, and
//! `column IN (query)` for queries boxed for the two-backend connection.
//!
//! diesel writes `IN (?, ?, …)` with one parameter per value and, since the text changes with the
//! count, never keeps such a statement prepared: SQLite then prepares it afresh on every call,
//! which took a sixth of a catalogue page built from the database. On SQLite the values are bound
//! as one JSON array instead (`IN (SELECT value FROM json_each(?))`), a statement prepared once.
//! PostgreSQL already binds one array (`= ANY($1)`). A single value is written `column = ?` on both:
//! PostgreSQL keeps no plan for `= ANY($1)` when the array given is short (it prices an array of
//! unknown length above the one it holds, so it plans every execution afresh), and planning took
//! a quarter of its time in a certificate read; an equality is planned once and kept.

use diesel::{
    dsl,
    expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping},
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::{Bool, Text},
    BoxableExpression,
};

use crate::db::{DbConnection, MultiBackend};

/// `column IN values`, as a condition for a boxed query over `QS`, written for `conn`'s backend.
pub fn one_of<QS, C>(
    conn: &DbConnection,
    column: C,
    values: &[String],
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>
where
    C: ExpressionMethods
        + Expression<SqlType = Text>
        + SelectableExpression<QS>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>
        + QueryFragment<MultiBackend>
        + Send
        + 'static,
    dsl::EqAny<C, Vec<String>>: BoxableExpression<QS, MultiBackend, SqlType = Bool> + 'static,
    dsl::Eq<C, String>: BoxableExpression<QS, MultiBackend, SqlType = Bool> + 'static,
{
    // One value is an equality: SQLite then reads an index on (column, id) in id order and stops
    // at the page's end, where a list, even of one, is sorted whole first.
    if let [only] = values {
        return Box::new(column.eq(only.clone()));
    }
    match conn {
        DbConnection::Sqlite(_) => Box::new(InJsonArray {
            column,
            // A list of strings always serializes.
            json: serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned()),
        }),
        DbConnection::Pg(_) => Box::new(column.eq_any(values.to_vec())),
    }
}

/// `column IN (SELECT value FROM json_each(?))`.
#[derive(Debug, Clone)]
struct InJsonArray<C> {
    column: C,
    json: String,
}

impl<C: Expression> Expression for InJsonArray<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for InJsonArray<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for InJsonArray<C> where C: SelectableExpression<QS> {}

impl<C: ValidGrouping<()>> ValidGrouping<()> for InJsonArray<C> {
    type IsAggregate = C::IsAggregate;
}

/// Kept prepared by its text, which is the same for any number of values.
impl<C> QueryId for InJsonArray<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for InJsonArray<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

/// `column IN (query)`, for a query over another table whose rows are the values.
///
/// diesel's own `eq_any` with a subquery renders through each backend in turn, which a query
/// boxed for the two-backend connection is not written for; this node writes it as it is.
pub fn in_query<C, Q>(column: C, query: Q) -> InQuery<C, Q>
where
    C: Expression,
    Q: Query<SqlType = C::SqlType>,
{
    InQuery { column, query }
}

#[derive(Debug, Clone)]
pub struct InQuery<C, Q> {
    column: C,
    query: Q,
}

impl<C: Expression, Q> Expression for InQuery<C, Q> {
    type SqlType = Bool;
}

impl<C, Q, QS> AppearsOnTable<QS> for InQuery<C, Q> where C: AppearsOnTable<QS> {}

impl<C, Q, QS> SelectableExpression<QS> for InQuery<C, Q> where C: SelectableExpression<QS> {}

impl<C: ValidGrouping<()>, Q> ValidGrouping<()> for InQuery<C, Q> {
    type IsAggregate = C::IsAggregate;
}

/// Kept prepared by its text, as the query inside is.
impl<C, Q> QueryId for InQuery<C, Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, Q> QueryFragment<MultiBackend> for InQuery<C, Q>
where
    C: QueryFragment<MultiBackend>,
    Q: QueryFragment<MultiBackend>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::StatementLog;

    diesel::table! {
        items (id) {
            id -> Text,
        }
    }

    fn matching(conn: &mut DbConnection, values: &[&str]) -> Vec<String> {
        let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
        let condition = one_of(conn, items::id, &values);
        items::table
            .into_boxed()
            .filter(condition)
            .select(items::id)
            .order(items::id)
            .load(conn)
            .expect("the query runs")
    }

    #[test]
    fn any_number_of_values_is_one_prepared_statement_on_sqlite() {
        let mut conn = DbConnection::Sqlite(
            diesel::SqliteConnection::establish(":memory:").expect("an in-memory database"),
        );
        diesel::sql_query("CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL)")
            .execute(&mut conn)
            .expect("a table");
        diesel::sql_query("INSERT INTO items (id) VALUES ('a'), ('b'), ('c'), ('d')")
            .execute(&mut conn)
            .expect("rows");
        let prepared = StatementLog::default();
        conn.set_instrumentation(prepared.clone());

        assert_eq!(matching(&mut conn, &["d", "a", "x"]), ["a", "d"]);
        assert_eq!(matching(&mut conn, &["c", "b", "a", "d"]), ["a", "b", "c", "d"]);
        assert!(matching(&mut conn, &[]).is_empty());
        assert_eq!(matching(&mut conn, &["it's", "\"quoted\""]), Vec::<String>::new());

        let kept = prepared.seen().kept;
        assert!(
            kept.len() == 1 && kept[0].contains("json_each"),
            "not one kept statement for every list: {kept:?}"
        );
        // One value is an equality, kept as a statement of its own.
        assert_eq!(matching(&mut conn, &["b"]), ["b"]);
        let kept = prepared.seen().kept;
        assert!(kept.len() == 2 && kept[1].contains("= ?"), "{kept:?}");
    }
}
