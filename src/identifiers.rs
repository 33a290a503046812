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
}
