//! Checks of Finnish identifiers, as officially defined.

/// Validates a business ID (Y-tunnus) `NNNNNNN-C` and returns it in canonical form.
///
/// Weights 7, 9, 10, 5, 8, 4, 2; `r = sum mod 11`; `r = 0` gives 0, `r = 1` is never issued,
/// otherwise the check digit is `11 - r`.
pub fn business_id(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    let (number, check) = value
        .split_once('-')
        .ok_or("must be seven digits, a hyphen and a check digit, e.g. 0116297-6")?;
    if number.len() != 7
        || check.len() != 1
        || !number.bytes().chain(check.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err("must be seven digits, a hyphen and a check digit, e.g. 0116297-6");
    }
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = number
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    let expected = match sum % 11 {
        0 => 0,
        1 => return Err("is not a business ID that can be issued (remainder 1)"),
        remainder => 11 - remainder,
    };
    if u32::from(check.as_bytes()[0] - b'0') != expected {
        return Err("the check digit does not match");
    }
    Ok(value.to_owned())
}

/// Validates an OPH organisation OID: `1.2.246.562.(10|99|199).<11–24 digits>`.
///
/// The last digit is not verified as a check digit: KOSKI does not either, and well-known OIDs fail it.
pub fn oph_organisation_oid(value: &str) -> Result<String, &'static str> {
    const MESSAGE: &str = "must be an OPH organisation OID: 1.2.246.562.10. followed by 11 to 24 digits";
    let value = value.trim();
    let rest = value.strip_prefix("1.2.246.562.").ok_or(MESSAGE)?;
    let (node, digits) = rest.split_once('.').ok_or(MESSAGE)?;
    if !matches!(node, "10" | "99" | "199")
        || !(11..=24).contains(&digits.len())
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(MESSAGE);
    }
    Ok(value.to_owned())
}

/// A checked personal identity code (henkilötunnus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalIdentityCode {
    /// Upper case, as issued: `DDMMYYCZZZQ`.
    pub code: String,
    pub birth_date: chrono::NaiveDate,
    /// Individual numbers 900–999 are temporary codes.
    pub temporary: bool,
}

/// Validates a personal identity code `DDMMYYCZZZQ`: a real birth date, a century sign (`+`;
/// `-YXWVU`; `ABCDEF`), an individual number 002–999 and the check character of `DDMMYYZZZ mod 31`.
///
/// The messages never repeat the code: it must not reach a log or an error response.
pub fn personal_identity_code(value: &str) -> Result<PersonalIdentityCode, &'static str> {
    const FORMAT: &str = "must be a personal identity code DDMMYYCZZZQ, e.g. 131052-308T";
    const CHECK_CHARACTERS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let code = value.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    // Eleven bytes of other scripts are not eleven characters to slice.
    if bytes.len() != 11 || !code.is_ascii() {
        return Err(FORMAT);
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &code[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(day), Some(month), Some(year), Some(individual)) =
        (digits(0..2), digits(2..4), digits(4..6), digits(7..10))
    else {
        return Err(FORMAT);
    };
    let century = match bytes[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A' | b'B' | b'C' | b'D' | b'E' | b'F' => 2000,
        _ => return Err("the century sign must be one of + - Y X W V U A B C D E F"),
    };
    let year = i32::try_from(century + year).map_err(|_| FORMAT)?;
    let birth_date =
        chrono::NaiveDate::from_ymd_opt(year, month, day).ok_or("the date part is not a real date")?;
    if individual < 2 {
        return Err("the individual number must be 002–999");
    }
    let number = day * 10_000_000 + month * 100_000 + (year as u32 % 100) * 1000 + individual;
    if bytes[10] != CHECK_CHARACTERS[(number % 31) as usize] {
        return Err("the check character does not match");
    }
    Ok(PersonalIdentityCode {
        temporary: individual >= 900,
        code,
        birth_date,
    })
}

/// Validates a learner OID (oppijanumero): `1.2.246.562.(24|98|198).<11 digits>`.
pub fn learner_oid(value: &str) -> Result<String, &'static str> {
    const MESSAGE: &str = "must be a learner OID: 1.2.246.562.24. followed by 11 digits";
    let value = value.trim();
    let rest = value.strip_prefix("1.2.246.562.").ok_or(MESSAGE)?;
    let (node, digits) = rest.split_once('.').ok_or(MESSAGE)?;
    if !matches!(node, "24" | "98" | "198")
        || digits.len() != 11
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(MESSAGE);
    }
    Ok(value.to_owned())
}

/// Validates a study-right OID (opiskeluoikeus in KOSKI): `1.2.246.562.15.<11 digits>`.
pub fn study_right_oid(value: &str) -> Result<String, &'static str> {
    const MESSAGE: &str = "must be a study-right OID: 1.2.246.562.15. followed by 11 digits";
    let value = value.trim();
    let digits = value.strip_prefix("1.2.246.562.15.").ok_or(MESSAGE)?;
    if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MESSAGE);
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ids_with_correct_check_digits_pass() {
        // Check digits 0, 9, 8 and 0 by the weights 7, 9, 10, 5, 8, 4, 2.
        for valid in ["0246246-0", "0112038-9", "0245872-8", "1572860-0"] {
            assert_eq!(business_id(valid).as_deref(), Ok(valid), "{valid}");
        }
        assert_eq!(business_id(" 0112038-9 ").as_deref(), Ok("0112038-9"));
    }

    #[test]
    fn business_ids_with_wrong_check_digits_fail() {
        assert_eq!(business_id("0112038-8"), Err("the check digit does not match"));
        assert_eq!(business_id("0246246-1"), Err("the check digit does not match"));
    }

    #[test]
    fn malformed_business_ids_fail() {
        for invalid in ["", "01120389", "112038-9", "0112038-10", "O112038-9", "0112038 9"] {
            assert!(business_id(invalid).is_err(), "{invalid}");
        }
    }

    #[test]
    fn remainder_one_is_never_issued() {
        // 0000006: 6 * 2 = 12, 12 mod 11 = 1.
        assert_eq!(
            business_id("0000006-0"),
            Err("is not a business ID that can be issued (remainder 1)")
        );
    }

    #[test]
    fn oph_oids_follow_the_koski_pattern() {
        assert!(oph_organisation_oid("1.2.246.562.10.00000000001").is_ok());
        assert!(oph_organisation_oid("1.2.246.562.99.12345678901").is_ok());
        assert!(oph_organisation_oid("1.2.246.562.24.12345678901").is_err());
        assert!(oph_organisation_oid("1.2.246.562.10.123").is_err());
        assert!(oph_organisation_oid("1.2.246.562.10.1234567890a").is_err());
    }

    #[test]
    fn personal_identity_codes_follow_the_check_character() {
        let valid = personal_identity_code("131052-308t").expect("valid");
        assert_eq!(valid.code, "131052-308T");
        assert_eq!(
            valid.birth_date,
            chrono::NaiveDate::from_ymd_opt(1952, 10, 13).expect("date")
        );
        assert!(!valid.temporary);
        // The same person's number with the other 1900s and 2000s century signs.
        for sign in ["Y", "X", "W", "V", "U"] {
            assert!(
                personal_identity_code(&format!("131052{sign}308T")).is_ok(),
                "{sign}"
            );
        }
        let born_2010 = personal_identity_code("010110A9024").expect("valid");
        assert_eq!(born_2010.birth_date.to_string(), "2010-01-01");
        assert!(born_2010.temporary);
        assert_eq!(
            personal_identity_code("131052-308U"),
            Err("the check character does not match")
        );
        assert!(personal_identity_code("310252-308T").is_err(), "31 February");
        assert!(personal_identity_code("131052Z308T").is_err(), "century sign");
        assert!(personal_identity_code("131052-308").is_err(), "length");
        assert!(
            personal_identity_code("131052-001T").is_err(),
            "individual number"
        );
    }

    #[test]
    fn identity_codes_of_other_characters_are_refused_not_sliced() {
        assert!(personal_identity_code("ää1052-308T").is_err());
        assert!(personal_identity_code("1310ä2-308").is_err());
    }

    #[test]
    fn study_right_oids_are_koskis_node_15() {
        assert!(study_right_oid("1.2.246.562.15.00000000001").is_ok());
        assert!(study_right_oid("1.2.246.562.24.00000000001").is_err());
        assert!(study_right_oid("1.2.246.562.15.0000000001").is_err());
        assert!(study_right_oid("1.2.246.562.15.0000000000x").is_err());
    }

    #[test]
    fn learner_oids_have_eleven_digits() {
        assert!(learner_oid("1.2.246.562.24.10000000008").is_ok());
        assert!(learner_oid("1.2.246.562.98.10000000008").is_ok());
        assert!(learner_oid("1.2.246.562.10.10000000008").is_err());
        assert!(learner_oid("1.2.246.562.24.1000000000").is_err());
    }
}
