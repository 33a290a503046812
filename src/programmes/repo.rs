use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    dto::ProgrammeFilter,
    model::{
        FunderRow, MunicipalityLinkRow, NewProgramme, PartnerRow, ProgrammeContent, ProgrammeRow,
        RegionLinkRow,
    },
};
use crate::{
    db::DbConnection,
    one_of::one_of,
    pagination::PageRequest,
    per_backend,
    schema::{
        municipalities, programme_funders, programme_municipalities, programme_partners, programme_regions,
        programmes,
    },
    text::contains_pattern,
};

/// Everything a programme lists besides its own columns.
#[derive(Debug, Clone, Default)]
pub struct Children {
    pub funders: Vec<FunderRow>,
    pub regions: Vec<RegionLinkRow>,
    pub municipalities: Vec<MunicipalityLinkRow>,
    pub partners: Vec<PartnerRow>,
}

pub fn insert(conn: &mut DbConnection, programme: &NewProgramme) -> QueryResult<()> {
    diesel::insert_into(programmes::table)
        .values(programme)
        .execute(conn)
        .map(drop)
}

/// Applies `content` if the programme is still at `expected_version`; returns whether it was.
pub fn update_content(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i64,
    content: &ProgrammeContent,
) -> QueryResult<bool> {
    diesel::update(
        programmes::table
            .filter(programmes::id.eq(id))
            .filter(programmes::version.eq(expected_version)),
    )
    .set(content)
    .execute(conn)
    .map(|updated| updated == 1)
}

pub fn replace_children(conn: &mut DbConnection, id: &str, children: &Children) -> QueryResult<()> {
    diesel::delete(programme_funders::table.filter(programme_funders::programme_id.eq(id))).execute(conn)?;
    diesel::delete(programme_regions::table.filter(programme_regions::programme_id.eq(id))).execute(conn)?;
    diesel::delete(programme_municipalities::table.filter(programme_municipalities::programme_id.eq(id)))
        .execute(conn)?;
    diesel::delete(programme_partners::table.filter(programme_partners::programme_id.eq(id)))
        .execute(conn)?;
    per_backend!(conn, conn => {
        diesel::insert_into(programme_funders::table).values(&children.funders).execute(conn)?;
        if !children.regions.is_empty() {
            diesel::insert_into(programme_regions::table).values(&children.regions).execute(conn)?;
        }
        if !children.municipalities.is_empty() {
            diesel::insert_into(programme_municipalities::table).values(&children.municipalities).execute(conn)?;
        }
        if !children.partners.is_empty() {
            diesel::insert_into(programme_partners::table).values(&children.partners).execute(conn)?;
        }
    });
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ProgrammeRow>> {
    programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

pub fn children(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Children> {
    Ok(Children {
        funders: programme_funders::table
            .filter(one_of(conn, programme_funders::programme_id, ids))
            .order((programme_funders::programme_id, programme_funders::position))
            .select(FunderRow::as_select())
            .load(conn)?,
        regions: programme_regions::table
            .filter(one_of(conn, programme_regions::programme_id, ids))
            .order((programme_regions::programme_id, programme_regions::region_code))
            .select(RegionLinkRow::as_select())
            .load(conn)?,
        municipalities: programme_municipalities::table
            .filter(one_of(conn, programme_municipalities::programme_id, ids))
            .order((
                programme_municipalities::programme_id,
                programme_municipalities::municipality_code,
            ))
            .select(MunicipalityLinkRow::as_select())
            .load(conn)?,
        partners: programme_partners::table
            .filter(one_of(conn, programme_partners::programme_id, ids))
            .order((
                programme_partners::programme_id,
                programme_partners::organisation_id,
            ))
            .select(PartnerRow::as_select())
            .load(conn)?,
    })
}

/// Whether `organisation_id` is a partner of the programme that has accepted.
pub fn is_partner(conn: &mut DbConnection, programme_id: &str, organisation_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        programme_partners::table
            .filter(programme_partners::programme_id.eq(programme_id))
            .filter(programme_partners::organisation_id.eq(organisation_id))
            .filter(programme_partners::accepted_at.is_not_null()),
    ))
    .get_result(conn)
}

/// The partnership of `organisation_id` in the programme, accepted or only invited.
pub fn partner(
    conn: &mut DbConnection,
    programme_id: &str,
    organisation_id: &str,
) -> QueryResult<Option<PartnerRow>> {
    programme_partners::table
        .find((programme_id, organisation_id))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

pub fn accept_partner(
    conn: &mut DbConnection,
    programme_id: &str,
    organisation_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(programme_partners::table.find((programme_id, organisation_id)))
        .set(programme_partners::accepted_at.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

pub fn remove_partner(conn: &mut DbConnection, programme_id: &str, organisation_id: &str) -> QueryResult<()> {
    diesel::delete(programme_partners::table.find((programme_id, organisation_id)))
        .execute(conn)
        .map(drop)
}

/// A new version of the programme, for a change of what it shows that is not its own content.
pub fn touch(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(programmes::table.find(id))
        .set((
            programmes::version.eq(programmes::version + 1),
            programmes::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Programmes in creation order.
pub fn list(
    conn: &mut DbConnection,
    filter: &ProgrammeFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<ProgrammeRow>> {
    let mut query = programmes::table.select(ProgrammeRow::as_select()).into_boxed();
    if let Some(administrator) = &filter.administrator {
        query = query.filter(programmes::administrator_organisation_id.eq(administrator.clone()));
    }
    if let Some(organisation) = &filter.organisation {
        query = query.filter(
            programmes::administrator_organisation_id
                .eq(organisation.clone())
                .or(programmes::id.eq_any(
                    programme_partners::table
                        .filter(programme_partners::organisation_id.eq(organisation.clone()))
                        .filter(programme_partners::accepted_at.is_not_null())
                        .select(programme_partners::programme_id),
                )),
        );
    }
    if let Some(region) = &filter.region {
        query = query.filter(
            programmes::id
                .eq_any(
                    programme_regions::table
                        .filter(programme_regions::region_code.eq(region.clone()))
                        .select(programme_regions::programme_id),
                )
                .or(programmes::id.eq_any(
                    programme_municipalities::table
                        .inner_join(municipalities::table)
                        .filter(municipalities::region_code.eq(region.clone()))
                        .select(programme_municipalities::programme_id),
                )),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(programmes::status.eq(status));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(programmes::name_search.like(contains_pattern(q)).escape('\\'));
    }
    if let Some(after) = &page.after {
        query = query.filter(programmes::id.gt(after.clone()));
    }
    query.order(programmes::id).limit(page.fetch_limit()).load(conn)
}
