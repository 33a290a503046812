//! The words of the holder's page in Finnish, Swedish and English.

use crate::{
    certificates::dto::{ConsentMethod, ReadPurpose},
    locale::Language,
};

pub struct Words {
    pub title: &'static str,
    pub languages: &'static str,
    pub intro_issuer: &'static str,
    pub intro: &'static str,
    pub certificate: &'static str,
    pub download_pdf: &'static str,
    pub download_credential: &'static str,
    pub verification_page: &'static str,
    pub reads: &'static str,
    pub no_reads: &'static str,
    pub shares: &'static str,
    pub no_shares: &'static str,
    /// Between a date and a time: "6.12.2026 klo 10.15".
    pub at_clock: &'static str,
    pub reader_holder: &'static str,
    pub reader_administrator: &'static str,
    pub purpose: fn(ReadPurpose) -> &'static str,
    pub consent_given: &'static str,
    pub consent_method: fn(ConsentMethod) -> &'static str,
    pub shared_on: &'static str,
    pub share_ended: &'static str,
    pub withdraw: &'static str,
    pub privacy: &'static str,
}

const FINNISH: Words = Words {
    title: "Omat todistukseni",
    languages: "Kieli",
    intro_issuer: "Todistukset antoi",
    intro: "Tällä sivulla näet, kuka on lukenut tietojasi ja kenelle todistuksesi on jaettu. Voit perua \
            suostumuksesi jakamiseen, jolloin jakaminen päättyy heti.",
    certificate: "Todistus",
    download_pdf: "Lataa todistus (PDF)",
    download_credential: "Lataa sähköinen todistus (Open Badges)",
    verification_page: "Todistuksen tarkistussivu",
    reads: "Kuka on lukenut tietojasi",
    no_reads: "Kukaan ei ole lukenut tätä todistusta.",
    shares: "Kenelle todistus on jaettu",
    no_shares: "Todistusta ei ole jaettu kenellekään.",
    at_clock: "klo",
    reader_holder: "Sinä (tämän linkin tai lompakkosovelluksen kautta)",
    reader_administrator: "Rekisterin ylläpitäjä",
    purpose: |purpose| match purpose {
        ReadPurpose::Read => "luki todistuksen",
        ReadPurpose::Pdf => "tulosti todistuksen (PDF)",
        ReadPurpose::Credential => "haki sähköisen todistuksen",
        ReadPurpose::Ehoks => "siirsi todistuksen opintosuunnitelmaan (eHOKS)",
        ReadPurpose::SearchHit => "löysi todistuksen henkilötunnuksella tai oppijanumerolla hakiessaan",
        ReadPurpose::WalletDelivery => "toimitti todistuksen digitaaliseen lompakkoon",
    },
    consent_given: "Suostumus annettu",
    consent_method: |method| match method {
        ConsentMethod::Written => "kirjallisesti",
        ConsentMethod::Electronic => "sähköisesti",
        ConsentMethod::Oral => "suullisesti",
    },
    shared_on: "jaettu",
    share_ended: "Jakaminen päättyi",
    withdraw: "Peru suostumus",
    privacy: "Tämä sivu ei lähetä tietojasi muualle. Älä jaa sivun osoitetta: se avaa tietosi ilman \
              tunnistautumista. Jos osoite on joutunut vääriin käsiin, pyydä todistuksen antajalta uusi.",
};

const SWEDISH: Words = Words {
    title: "Mina intyg",
    languages: "Språk",
    intro_issuer: "Intygen utfärdades av",
    intro: "På denna sida ser du vem som har läst dina uppgifter och med vem dina intyg har delats. Du kan \
            återkalla ditt samtycke till delning, och delningen upphör genast.",
    certificate: "Intyg",
    download_pdf: "Ladda ner intyget (PDF)",
    download_credential: "Ladda ner det elektroniska intyget (Open Badges)",
    verification_page: "Intygets kontrollsida",
    reads: "Vem har läst dina uppgifter",
    no_reads: "Ingen har läst detta intyg.",
    shares: "Med vem intyget har delats",
    no_shares: "Intyget har inte delats med någon.",
    at_clock: "kl.",
    reader_holder: "Du (via denna länk eller plånboksappen)",
    reader_administrator: "Registrets administratör",
    purpose: |purpose| match purpose {
        ReadPurpose::Read => "läste intyget",
        ReadPurpose::Pdf => "skrev ut intyget (PDF)",
        ReadPurpose::Credential => "hämtade det elektroniska intyget",
        ReadPurpose::Ehoks => "överförde intyget till studieplanen (eHOKS)",
        ReadPurpose::SearchHit => "hittade intyget vid sökning med personbeteckning eller studentnummer",
        ReadPurpose::WalletDelivery => "levererade intyget till en digital plånbok",
    },
    consent_given: "Samtycke givet",
    consent_method: |method| match method {
        ConsentMethod::Written => "skriftligt",
        ConsentMethod::Electronic => "elektroniskt",
        ConsentMethod::Oral => "muntligt",
    },
    shared_on: "delat",
    share_ended: "Delningen upphörde",
    withdraw: "Återkalla samtycket",
    privacy:
        "Denna sida skickar inte dina uppgifter någon annanstans. Dela inte sidans adress: den öppnar \
              dina uppgifter utan identifiering. Om adressen har hamnat i fel händer, be utfärdaren om en ny.",
};

const ENGLISH: Words = Words {
    title: "My certificates",
    languages: "Language",
    intro_issuer: "Issued by",
    intro: "This page shows who has read your records and with whom your certificates are shared. You can \
            withdraw your consent to sharing, which ends the sharing at once.",
    certificate: "Certificate",
    download_pdf: "Download the certificate (PDF)",
    download_credential: "Download the digital certificate (Open Badges)",
    verification_page: "The certificate's verification page",
    reads: "Who has read your records",
    no_reads: "Nobody has read this certificate.",
    shares: "Shared with",
    no_shares: "The certificate is not shared with anyone.",
    at_clock: "at",
    reader_holder: "You (through this link or your wallet app)",
    reader_administrator: "The registry's administrator",
    purpose: |purpose| match purpose {
        ReadPurpose::Read => "read the certificate",
        ReadPurpose::Pdf => "printed the certificate (PDF)",
        ReadPurpose::Credential => "fetched the digital certificate",
        ReadPurpose::Ehoks => "added the certificate to a study plan (eHOKS)",
        ReadPurpose::SearchHit => {
            "found the certificate by searching for your identity code or learner number"
        }
        ReadPurpose::WalletDelivery => "delivered the certificate to a digital wallet",
    },
    consent_given: "Consent given",
    consent_method: |method| match method {
        ConsentMethod::Written => "in writing",
        ConsentMethod::Electronic => "electronically",
        ConsentMethod::Oral => "orally",
    },
    shared_on: "shared",
    share_ended: "Sharing ended",
    withdraw: "Withdraw consent",
    privacy: "This page sends your records nowhere else. Do not share its address: it opens your records \
              without signing in. If the address has reached the wrong hands, ask the issuer for a new one.",
};

pub fn words(language: Language) -> &'static Words {
    match language {
        Language::Fi => &FINNISH,
        Language::Sv => &SWEDISH,
        Language::En => &ENGLISH,
    }
}
