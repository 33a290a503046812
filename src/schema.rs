//! The one schema both backends share. Column types are chosen so that the same diesel
//! expressions compile and mean the same on SQLite and PostgreSQL.

diesel::table! {
    regions (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        in_force -> Bool,
        placeholder -> Bool,
    }
}

diesel::table! {
    municipalities (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        region_code -> Nullable<Text>,
        in_force -> Bool,
        valid_to -> Nullable<Date>,
        placeholder -> Bool,
    }
}

diesel::table! {
    qualifications (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        name_search -> Text,
        qualification_type -> Text,
        competence_points -> Nullable<Integer>,
        replaced_by -> Nullable<Text>,
        sample -> Bool,
    }
}

diesel::table! {
    qualification_units (code) {
        code -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        competence_points -> Nullable<Integer>,
        sample -> Bool,
    }
}

diesel::table! {
    qualification_unit_links (qualification_code, unit_code) {
        qualification_code -> Text,
        unit_code -> Text,
        position -> Integer,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        kind -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        name_search -> Text,
        business_id -> Nullable<Text>,
        oph_oid -> Nullable<Text>,
        municipality_code -> Text,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (principal, idempotency_key) {
        principal -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(municipalities -> regions (region_code));
diesel::joinable!(organisations -> municipalities (municipality_code));
diesel::joinable!(qualification_unit_links -> qualifications (qualification_code));
diesel::joinable!(qualification_unit_links -> qualification_units (unit_code));

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    municipalities,
    qualifications,
    qualification_units,
    qualification_unit_links,
    organisations,
    idempotency_keys,
);
