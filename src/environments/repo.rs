//! Queries over learning environments.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    dto::EnvironmentFilter,
    model::{EnvironmentChanges, EnvironmentRow, LanguageRow, NewEnvironment, TaskRow},
};
use crate::{
    db::DbConnection,
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    schema::{
        agreement_environments, certificate_environments, learning_environment_languages,
        learning_environment_tasks, learning_environments, recognitions,
    },
    text::contains_pattern,
};

/// The work tasks and languages of some environments, by environment id.
#[derive(Debug, Default)]
pub struct Lists {
    pub tasks: HashMap<String, Vec<String>>,
    pub languages: HashMap<String, Vec<String>>,
}

pub fn insert(conn: &mut DbConnection, row: &NewEnvironment) -> QueryResult<()> {
    diesel::insert_into(learning_environments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Applies `changes` if the row is still at `expected_version`; returns whether it was.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    changes: &EnvironmentChanges,
) -> QueryResult<bool> {
    diesel::update(
        learning_environments::table
            .filter(learning_environments::id.eq(id))
            .filter(learning_environments::version.eq(expected_version)),
    )
    .set(changes)
    .execute(conn)
    .map(|updated| updated == 1)
}

pub fn replace_lists(
    conn: &mut DbConnection,
    id: &str,
    tasks: &[TaskRow],
    languages: &[LanguageRow],
) -> QueryResult<()> {
    diesel::delete(
        learning_environment_tasks::table.filter(learning_environment_tasks::environment_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        learning_environment_languages::table.filter(learning_environment_languages::environment_id.eq(id)),
    )
    .execute(conn)?;
    per_backend!(conn, conn => {
        if !tasks.is_empty() {
            diesel::insert_into(learning_environment_tasks::table).values(tasks).execute(conn)?;
        }
        if !languages.is_empty() {
            diesel::insert_into(learning_environment_languages::table).values(languages).execute(conn)?;
        }
    });
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EnvironmentRow>> {
    learning_environments::table
        .find(id)
        .select(EnvironmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<EnvironmentRow>> {
    learning_environments::table
        .filter(one_of(conn, learning_environments::id, ids))
        .select(EnvironmentRow::as_select())
        .load(conn)
}

pub fn lists(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Lists> {
    let mut lists = Lists::default();
    let tasks: Vec<TaskRow> = learning_environment_tasks::table
        .filter(one_of(conn, learning_environment_tasks::environment_id, ids))
        .order((
            learning_environment_tasks::environment_id,
            learning_environment_tasks::position,
        ))
        .select(TaskRow::as_select())
        .load(conn)?;
    for task in tasks {
        lists
            .tasks
            .entry(task.environment_id)
            .or_default()
            .push(task.task);
    }
    let languages: Vec<LanguageRow> = learning_environment_languages::table
        .filter(one_of(conn, learning_environment_languages::environment_id, ids))
        .order((
            learning_environment_languages::environment_id,
            learning_environment_languages::language,
        ))
        .select(LanguageRow::as_select())
        .load(conn)?;
    for language in languages {
        lists
            .languages
            .entry(language.environment_id)
            .or_default()
            .push(language.language);
    }
    Ok(lists)
}

/// Ordered by id, which is time-ordered (UUIDv7): new environments come last.
pub fn list(
    conn: &mut DbConnection,
    filter: &EnvironmentFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<EnvironmentRow>> {
    let mut query = learning_environments::table
        .select(EnvironmentRow::as_select())
        .into_boxed();
    if let Some(organisation) = &filter.organisation {
        query = query.filter(learning_environments::organisation_id.eq(organisation.clone()));
    }
    if let Some(municipality) = &filter.municipality {
        query = query.filter(learning_environments::municipality_code.eq(municipality.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(learning_environments::region_code.eq(region.clone()));
    }
    if let Some(sector) = filter.sector {
        query = query.filter(learning_environments::sector.eq(sector));
    }
    if let Some(active) = filter.active {
        query = query.filter(learning_environments::active.eq(active));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            learning_environments::search_text
                .like(contains_pattern(q))
                .escape('\\'),
        );
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(learning_environments::updated_at.ge(since.naive_utc()));
    }
    if let Some(after) = &page.after {
        query = query.filter(learning_environments::id.gt(after.clone()));
    }
    query
        .order(learning_environments::id)
        .limit(page.fetch_limit())
        .load(conn)
}

/// Whether a recognition, an agreement or a certificate refers to the environment, so that it
/// cannot be deleted.
pub fn is_referenced(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    let recognised: bool = diesel::select(diesel::dsl::exists(
        recognitions::table.filter(recognitions::environment_id.eq(id)),
    ))
    .get_result(conn)?;
    let in_agreement: bool = diesel::select(diesel::dsl::exists(
        agreement_environments::table.filter(agreement_environments::environment_id.eq(id)),
    ))
    .get_result(conn)?;
    if recognised || in_agreement {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        certificate_environments::table.filter(certificate_environments::environment_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn delete(conn: &mut DbConnection, id: &str, expected_version: i64) -> QueryResult<bool> {
    diesel::delete(
        learning_environments::table
            .filter(learning_environments::id.eq(id))
            .filter(learning_environments::version.eq(expected_version)),
    )
    .execute(conn)
    .map(|deleted| deleted == 1)
}
