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
        eperusteet_id -> Nullable<BigInt>,
        diary_number -> Nullable<Text>,
        requirements_valid_from -> Nullable<Date>,
        requirements_valid_until -> Nullable<Date>,
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
        compulsory -> Nullable<Bool>,
        competence_area -> Nullable<Text>,
    }
}

diesel::table! {
    competence_areas (qualification_code, code) {
        qualification_code -> Text,
        code -> Text,
        position -> Integer,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
    }
}

diesel::table! {
    unit_requirements (unit_code, position) {
        unit_code -> Text,
        position -> Integer,
        text_fi -> Text,
        text_sv -> Nullable<Text>,
        text_en -> Nullable<Text>,
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
        street_address -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        post_office -> Nullable<Text>,
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

diesel::table! {
    api_clients (id) {
        id -> Text,
        name -> Text,
        organisation_id -> Nullable<Text>,
        is_admin -> Bool,
        scopes -> Text,
        secret_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        occurred_at -> Timestamp,
        client_id -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        owner_organisation_id -> Nullable<Text>,
        request_id -> Text,
        outcome -> Text,
    }
}

diesel::table! {
    auth_failures (subject) {
        subject -> Text,
        window_start -> Timestamp,
        failures -> Integer,
    }
}

diesel::table! {
    guidelines (id) {
        id -> Text,
        title_fi -> Text,
        title_sv -> Nullable<Text>,
        title_en -> Nullable<Text>,
        title_search -> Text,
        version_label -> Text,
        summary -> Nullable<Text>,
        adopted_on -> Nullable<Date>,
        adopting_body -> Nullable<Text>,
        national -> Bool,
        full_text_url -> Nullable<Text>,
        status -> Text,
        superseded_by -> Nullable<Text>,
        owner_organisation_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    guideline_regions (guideline_id, region_code) {
        guideline_id -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    guideline_signatures (id) {
        id -> Text,
        guideline_id -> Text,
        organisation_id -> Text,
        region_code -> Text,
        signer_name -> Text,
        signer_title -> Nullable<Text>,
        signed_on -> Date,
        commitments -> Nullable<Text>,
        recorded_on_behalf -> Bool,
        withdrawn_on -> Nullable<Date>,
        withdrawal_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        issuer_organisation_id -> Text,
        reference_number -> Text,
        title -> Text,
        guideline_id -> Nullable<Text>,
        valid_from -> Date,
        valid_until -> Nullable<Date>,
        terms -> Nullable<Text>,
        status -> Text,
        activated_at -> Nullable<Timestamp>,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        terminated_by_organisation_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_parties (agreement_id, organisation_id) {
        agreement_id -> Text,
        organisation_id -> Text,
        role -> Text,
        confirmed_at -> Nullable<Timestamp>,
        confirmed_by_client_id -> Nullable<Text>,
    }
}

diesel::table! {
    agreement_contacts (agreement_id, position) {
        agreement_id -> Text,
        position -> Integer,
        organisation_id -> Text,
        name -> Text,
        role -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    agreement_qualifications (agreement_id, qualification_code) {
        agreement_id -> Text,
        qualification_code -> Text,
    }
}

diesel::table! {
    agreement_environments (agreement_id, environment_id) {
        agreement_id -> Text,
        environment_id -> Text,
    }
}

diesel::table! {
    agreement_attachments (agreement_id, position) {
        agreement_id -> Text,
        position -> Integer,
        title -> Text,
        url -> Text,
    }
}

diesel::table! {
    learning_environments (id) {
        id -> Text,
        organisation_id -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        description -> Nullable<Text>,
        sector -> Text,
        street_address -> Text,
        postal_code -> Text,
        post_office -> Nullable<Text>,
        municipality_code -> Text,
        region_code -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        capacity -> Nullable<Integer>,
        accessibility -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_title -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        contact_private -> Bool,
        search_text -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    learning_environment_tasks (environment_id, position) {
        environment_id -> Text,
        position -> Integer,
        task -> Text,
    }
}

diesel::table! {
    learning_environment_languages (environment_id, language) {
        environment_id -> Text,
        language -> Text,
    }
}

diesel::table! {
    recognitions (id) {
        id -> Text,
        environment_id -> Text,
        provider_organisation_id -> Text,
        qualification_code -> Text,
        unit_code -> Text,
        valid_from -> Date,
        valid_until -> Nullable<Date>,
        in_force_until -> Nullable<Date>,
        agreement_id -> Nullable<Text>,
        note -> Nullable<Text>,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        region_code -> Nullable<Text>,
        owner_consent -> Text,
    }
}

diesel::table! {
    certificates (id) {
        id -> Text,
        issuer_organisation_id -> Text,
        status -> Text,
        holder_given_names -> Text,
        holder_family_name -> Text,
        holder_hetu_encrypted -> Nullable<Text>,
        holder_hetu_index -> Nullable<Text>,
        holder_learner_oid -> Nullable<Text>,
        programme_reference -> Nullable<Text>,
        start_date -> Date,
        end_date -> Date,
        hours -> Nullable<Integer>,
        coach_name -> Text,
        coach_title -> Nullable<Text>,
        language -> Text,
        other_competences -> Text,
        supersedes_id -> Nullable<Text>,
        superseded_by_id -> Nullable<Text>,
        verification_code -> Nullable<Text>,
        credential -> Nullable<Text>,
        issued_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revocation_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        status_list -> Nullable<Integer>,
        status_list_index -> Nullable<Integer>,
        holder_birth_date_encrypted -> Nullable<Text>,
        holder_subject_id -> Nullable<Text>,
        holder_learner_oid_index -> Nullable<Text>,
        imported -> Bool,
    }
}

diesel::table! {
    certificate_units (certificate_id, position) {
        certificate_id -> Text,
        position -> Integer,
        qualification_code -> Text,
        unit_code -> Text,
        description -> Text,
        skills -> Text,
        hours -> Nullable<Integer>,
    }
}

diesel::table! {
    certificate_environments (certificate_id, environment_id) {
        certificate_id -> Text,
        environment_id -> Text,
    }
}

diesel::table! {
    certificate_shares (id) {
        id -> Text,
        certificate_id -> Text,
        organisation_id -> Text,
        consent_given_on -> Date,
        consent_method -> Text,
        shared_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        study_right_oid -> Nullable<Text>,
    }
}

diesel::table! {
    certificate_events (position) {
        position -> BigInt,
        organisation_id -> Text,
        certificate_id -> Text,
        event -> Text,
        shared_with_id -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    programmes (id) {
        id -> Text,
        administrator_organisation_id -> Text,
        name_fi -> Text,
        name_sv -> Nullable<Text>,
        name_en -> Nullable<Text>,
        name_search -> Text,
        description -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Date,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programme_funders (programme_id, position) {
        programme_id -> Text,
        position -> Integer,
        name -> Text,
        instrument -> Text,
        decision_reference -> Nullable<Text>,
    }
}

diesel::table! {
    programme_regions (programme_id, region_code) {
        programme_id -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    programme_municipalities (programme_id, municipality_code) {
        programme_id -> Text,
        municipality_code -> Text,
    }
}

diesel::table! {
    programme_partners (programme_id, organisation_id) {
        programme_id -> Text,
        organisation_id -> Text,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    participations (id) {
        id -> Text,
        programme_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        municipality_code -> Text,
        coach_organisation_id -> Text,
        gender -> Text,
        age_band -> Text,
        unemployment_duration -> Text,
        education_level -> Text,
        immigrant_background -> Text,
        next_step -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    participation_environments (participation_id, environment_id) {
        participation_id -> Text,
        environment_id -> Text,
    }
}

diesel::table! {
    participation_certificates (participation_id, certificate_id) {
        participation_id -> Text,
        certificate_id -> Text,
    }
}

diesel::table! {
    unit_completions (id) {
        id -> Text,
        programme_id -> Text,
        participation_id -> Text,
        provider_organisation_id -> Text,
        qualification_code -> Text,
        unit_code -> Text,
        completed_on -> Date,
        environment_id -> Nullable<Text>,
        municipality_code -> Text,
        qualification_completed -> Bool,
        recorded_by_organisation_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registry_events (position) {
        position -> BigInt,
        organisation_id -> Text,
        event -> Text,
        resource_id -> Text,
        path -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    holder_links (id) {
        id -> Text,
        certificate_id -> Text,
        issuer_organisation_id -> Text,
        holder_subject_id -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        client_id -> Text,
        organisation_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Nullable<Text>,
        secret_sealed -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failure_run -> Integer,
        feed_cursor -> BigInt,
        retry_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        lease_token -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        position -> BigInt,
        event_type -> Text,
        payload -> Text,
        state -> Text,
        attempts -> Integer,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::joinable!(municipalities -> regions (region_code));
diesel::joinable!(organisations -> municipalities (municipality_code));
diesel::joinable!(qualification_unit_links -> qualifications (qualification_code));
diesel::joinable!(qualification_unit_links -> qualification_units (unit_code));
diesel::joinable!(api_clients -> organisations (organisation_id));
diesel::joinable!(guideline_regions -> guidelines (guideline_id));
diesel::joinable!(agreement_parties -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> organisations (organisation_id));
diesel::joinable!(agreement_qualifications -> agreements (agreement_id));
diesel::joinable!(guideline_signatures -> guidelines (guideline_id));
diesel::joinable!(guideline_signatures -> organisations (organisation_id));
diesel::joinable!(learning_environments -> organisations (organisation_id));
diesel::joinable!(learning_environments -> municipalities (municipality_code));
diesel::joinable!(learning_environment_tasks -> learning_environments (environment_id));
diesel::joinable!(learning_environment_languages -> learning_environments (environment_id));
diesel::joinable!(recognitions -> learning_environments (environment_id));
diesel::joinable!(recognitions -> qualification_units (unit_code));
diesel::joinable!(competence_areas -> qualifications (qualification_code));
diesel::joinable!(unit_requirements -> qualification_units (unit_code));
diesel::joinable!(certificate_units -> certificates (certificate_id));
diesel::joinable!(certificate_environments -> certificates (certificate_id));
diesel::table! {
    wallet_offers (id) {
        id -> Text,
        certificate_id -> Text,
        code_hash -> Text,
        pin_hash -> Text,
        failed_pins -> Integer,
        state -> Text,
        expires_at -> Timestamp,
        access_token_hash -> Nullable<Text>,
        access_expires_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        redeemed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    wallet_nonces (nonce_hash) {
        nonce_hash -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    wallet_deliveries (id) {
        id -> Text,
        certificate_id -> Text,
        offer_id -> Text,
        credential_configuration_id -> Text,
        holder_key_thumbprint -> Text,
        delivered_at -> Timestamp,
    }
}

diesel::joinable!(certificate_shares -> certificates (certificate_id));
diesel::joinable!(wallet_offers -> certificates (certificate_id));
diesel::joinable!(wallet_deliveries -> certificates (certificate_id));
diesel::joinable!(holder_links -> certificates (certificate_id));
diesel::joinable!(programme_funders -> programmes (programme_id));
diesel::joinable!(programme_regions -> programmes (programme_id));
diesel::joinable!(programme_municipalities -> programmes (programme_id));
diesel::joinable!(programme_partners -> programmes (programme_id));
diesel::joinable!(programme_municipalities -> municipalities (municipality_code));
diesel::joinable!(participations -> programmes (programme_id));
diesel::joinable!(participations -> municipalities (municipality_code));
diesel::joinable!(participation_environments -> participations (participation_id));
diesel::joinable!(participation_certificates -> participations (participation_id));
diesel::joinable!(unit_completions -> participations (participation_id));

diesel::allow_tables_to_appear_in_same_query!(
    wallet_offers,
    wallet_nonces,
    wallet_deliveries,
    holder_links,
    registry_events,
    regions,
    municipalities,
    qualifications,
    qualification_units,
    qualification_unit_links,
    competence_areas,
    unit_requirements,
    organisations,
    idempotency_keys,
    api_clients,
    audit_log,
    auth_failures,
    guidelines,
    guideline_regions,
    guideline_signatures,
    agreements,
    agreement_parties,
    agreement_contacts,
    agreement_qualifications,
    agreement_environments,
    agreement_attachments,
    learning_environments,
    learning_environment_tasks,
    learning_environment_languages,
    recognitions,
    certificates,
    certificate_units,
    certificate_environments,
    certificate_shares,
    certificate_events,
    counters,
    programmes,
    programme_funders,
    programme_regions,
    programme_municipalities,
    programme_partners,
    participations,
    participation_environments,
    participation_certificates,
    unit_completions,
);
