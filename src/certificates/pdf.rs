//! The printable certificate: an A4 PDF in the certificate's language, with the issuer's
//! letterhead, a signature block, the verification code and page number on every page, and a QR
//! code that opens the public verification page.

use qrcodegen::{QrCode, QrCodeEcc};

use super::{
    dto::{Certificate, CertificateLanguage},
    wording,
};
use crate::{
    locale::Language,
    pdf::{Document, Role, Style, TEXT_WIDTH},
};

/// The side of one QR module, in points.
const QR_MODULE: f32 = 2.5;

/// The words printed around the certificate's own content, per language.
struct Labels {
    title: &'static str,
    holder: &'static str,
    date_of_birth: &'static str,
    period: &'static str,
    hours: &'static str,
    environments: &'static str,
    programme: &'static str,
    units: &'static str,
    qualification: &'static str,
    skills: &'static str,
    /// Before an imported requirement's position: "vaatimus 3".
    requirement: &'static str,
    other_competences: &'static str,
    coach: &'static str,
    issued: &'static str,
    business_id: &'static str,
    page: &'static str,
    verification: &'static str,
    verification_hint: &'static str,
    qr_alt: &'static str,
    wallet: &'static str,
    wallet_hint: &'static str,
    wallet_alt: &'static str,
    /// Before the time an offer ends: "voimassa 6.12.2026 klo".
    wallet_until: &'static str,
    own_records: &'static str,
    own_records_hint: &'static str,
    own_records_alt: &'static str,
}

const FINNISH: Labels = Labels {
    title: "Osaamistodistus",
    holder: "Henkilö",
    date_of_birth: "syntymäaika",
    period: "Ajanjakso",
    hours: "tuntia",
    environments: "Oppimisympäristö",
    programme: "Hanke tai palvelu",
    units: "Osoitettu osaaminen tutkinnon osittain",
    qualification: "Tutkinto",
    skills: "Osoitetut taidot",
    requirement: "ammattitaitovaatimus",
    other_competences: "Muu osaaminen",
    coach: "Työvalmentaja",
    issued: "Annettu",
    business_id: "Y-tunnus",
    page: "sivu",
    verification: "Tarkistuskoodi",
    verification_hint: "Todistuksen aitouden ja voimassaolon voi tarkistaa osoitteessa",
    qr_alt: "QR-koodi, joka avaa todistuksen tarkistussivun",
    wallet: "Tallenna todistus digitaaliseen lompakkoon",
    wallet_hint: "Skannaa koodi lompakkosovelluksella ja anna työvalmentajalta erikseen saamasi PIN-koodi.",
    wallet_alt: "QR-koodi, joka tarjoaa todistuksen digitaaliseen lompakkoon",
    wallet_until: "Koodi on voimassa",
    own_records: "Omat tietosi",
    own_records_hint: "Tästä osoitteesta näet todistuksesi, kuka niitä on lukenut ja kenelle ne on jaettu, \
ja voit perua suostumuksesi jakamiseen. Pidä osoite itselläsi: se avaa tietosi ilman tunnistautumista.",
    own_records_alt: "QR-koodi, joka avaa omat tietosi",
};

const SWEDISH: Labels = Labels {
    title: "Kompetensintyg",
    holder: "Person",
    date_of_birth: "födelsedatum",
    period: "Period",
    hours: "timmar",
    environments: "Lärmiljö",
    programme: "Projekt eller tjänst",
    units: "Visad kompetens per examensdel",
    qualification: "Examen",
    skills: "Visade färdigheter",
    requirement: "yrkeskunnighetskrav",
    other_competences: "Annan kompetens",
    coach: "Arbetshandledare",
    issued: "Utfärdat",
    business_id: "FO-nummer",
    page: "sida",
    verification: "Kontrollkod",
    verification_hint: "Intygets äkthet och giltighet kan kontrolleras på adressen",
    qr_alt: "QR-kod som öppnar intygets kontrollsida",
    wallet: "Spara intyget i en digital plånbok",
    wallet_hint:
        "Skanna koden med plånboksappen och ange PIN-koden som du fått separat av arbetshandledaren.",
    wallet_alt: "QR-kod som erbjuder intyget till en digital plånbok",
    wallet_until: "Koden gäller till",
    own_records: "Dina uppgifter",
    own_records_hint: "På denna adress ser du dina intyg, vem som har läst dem och med vem de delats, \
och du kan återkalla ditt samtycke till delning. Håll adressen för dig själv: den öppnar dina uppgifter utan identifiering.",
    own_records_alt: "QR-kod som öppnar dina uppgifter",
};

const ENGLISH: Labels = Labels {
    title: "Certificate of competence",
    holder: "Holder",
    date_of_birth: "date of birth",
    period: "Period",
    hours: "hours",
    environments: "Learning environment",
    programme: "Programme or service",
    units: "Competence shown, by qualification unit",
    qualification: "Qualification",
    skills: "Skills shown",
    requirement: "requirement",
    other_competences: "Other competences",
    coach: "Work coach",
    issued: "Issued",
    business_id: "Business ID",
    page: "page",
    verification: "Verification code",
    verification_hint: "Check that this certificate is genuine and valid at",
    qr_alt: "QR code that opens the certificate's verification page",
    wallet: "Save the certificate in a digital wallet",
    wallet_hint: "Scan the code with your wallet app and enter the PIN your work coach gave you separately.",
    wallet_alt: "QR code that offers the certificate to a digital wallet",
    wallet_until: "The code is valid until",
    own_records: "Your records",
    own_records_hint: "At this address you see your certificates, who has read them and with whom they are shared, \
and you can withdraw your consent to sharing. Keep the address to yourself: it opens your records without signing in.",
    own_records_alt: "QR code that opens your records",
};

fn labels(language: CertificateLanguage) -> &'static Labels {
    match language {
        CertificateLanguage::Fi => &FINNISH,
        CertificateLanguage::Sv => &SWEDISH,
        CertificateLanguage::En => &ENGLISH,
    }
}

/// The issuer as its letterhead names it.
#[derive(Debug, Clone, Default)]
pub struct Letterhead {
    /// The full name in the certificate's language.
    pub name: String,
    pub business_id: Option<String>,
    /// The postal address on one line.
    pub address: Option<String>,
}

const BODY: Style = Style::regular(10.5);
const SMALL: Style = Style::regular(9.5);
const NAME: Style = Style::bold(11.0);
const HEADING: Style = Style::bold(12.0);

/// What every section of the printed certificate needs: the document so far, the certificate,
/// its language and its words.
struct Sheet<'a> {
    document: Document,
    certificate: &'a Certificate,
    language: CertificateLanguage,
    words: &'a Labels,
}

impl Sheet<'_> {
    fn name_of(&self, name: &crate::text::LocalizedText) -> String {
        name.get(self.language.as_str()).to_owned()
    }

    fn date(&self, day: chrono::NaiveDate) -> String {
        Language::from(self.language).date(day)
    }

    fn heading(&mut self, text: &str) {
        self.document.reserve(44.0);
        self.document.gap(10.0);
        self.document.text(Role::Heading, text, HEADING);
        self.document.gap(2.0);
    }

    fn letterhead(&mut self, issuer: &Letterhead) {
        self.document
            .text(Role::Paragraph, &issuer.name, Style::bold(13.0));
        let details: Vec<String> = [
            issuer
                .business_id
                .as_ref()
                .map(|id| format!("{} {id}", self.words.business_id)),
            issuer.address.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !details.is_empty() {
            self.document.text(Role::Paragraph, &details.join(" · "), SMALL);
        }
        self.document.gap(8.0);
        self.document.rule(0.0, TEXT_WIDTH);
        self.document.gap(14.0);
    }

    fn title_and_status(&mut self) {
        self.document
            .text(Role::Title, self.words.title, Style::bold(24.0));
        if let Some(word) = wording::status_on_paper(self.certificate.status, self.language.into()) {
            self.document.gap(4.0);
            self.document.text(Role::Paragraph, &word, Style::bold(14.0));
        }
    }

    fn holder_and_period(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        let holder = &certificate.holder;
        self.heading(words.holder);
        let name = format!("{} {}", holder.given_names, holder.family_name);
        self.document.text(Role::Paragraph, &name, NAME);
        let born = format!("{} {}", words.date_of_birth, self.date(holder.date_of_birth));
        self.document.text(Role::Paragraph, &born, BODY);
        self.heading(words.period);
        let mut period = format!(
            "{} – {}",
            self.date(certificate.start_date),
            self.date(certificate.end_date)
        );
        if let Some(hours) = certificate.hours {
            period.push_str(&format!(", {hours} {}", words.hours));
        }
        self.document.text(Role::Paragraph, &period, BODY);
    }

    fn environments_and_programme(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        if !certificate.learning_environments.is_empty() {
            self.heading(words.environments);
            for environment in &certificate.learning_environments {
                let name = self.name_of(&environment.name);
                self.document.text(Role::Paragraph, &name, BODY);
            }
        }
        if let Some(programme) = &certificate.programme_reference {
            self.heading(words.programme);
            self.document.text(Role::Paragraph, programme, BODY);
        }
    }

    fn units(&mut self) {
        let words = self.words;
        if self.certificate.units.is_empty() {
            return;
        }
        self.heading(words.units);
        for unit in &self.certificate.units {
            self.document.reserve(60.0);
            self.document.gap(6.0);
            let name = format!("{} ({})", self.name_of(&unit.unit.name), unit.unit.code);
            self.document.text(Role::Subheading, &name, NAME);
            let qualification = format!(
                "{}: {} ({})",
                words.qualification,
                self.name_of(&unit.qualification.name),
                unit.qualification.code
            );
            self.document.text(Role::Paragraph, &qualification, SMALL);
            if let Some(hours) = unit.hours {
                let hours = format!("{hours} {}", words.hours);
                self.document.text(Role::Paragraph, &hours, SMALL);
            }
            self.document.text(Role::Paragraph, &unit.description, BODY);
            if !unit.skills.is_empty() {
                self.document
                    .text(Role::Paragraph, words.skills, Style::bold(10.0));
                for skill in &unit.skills {
                    let text = skill_line(skill, self.language.as_str(), words.requirement);
                    self.document.text(Role::Paragraph, &text, BODY.indented(10.0));
                }
            }
        }
    }

    fn other_competences(&mut self) {
        if self.certificate.other_competences.is_empty() {
            return;
        }
        self.heading(self.words.other_competences);
        for competence in &self.certificate.other_competences {
            let mut title = competence.name.clone();
            let source: Vec<&str> = [competence.framework.as_deref(), competence.code.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !source.is_empty() {
                title.push_str(&format!(" ({})", source.join(", ")));
            }
            self.document.text(Role::Subheading, &title, Style::bold(10.0));
            if let Some(description) = &competence.description {
                self.document.text(Role::Paragraph, description, BODY);
            }
        }
    }

    /// The date of issue, then a line to sign on with the coach's name and role under it.
    fn issue_date_and_signature(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        self.document.reserve(110.0);
        self.document.gap(22.0);
        if let Some(issued_at) = certificate.issued_at {
            let issued = format!("{} {}", words.issued, self.date(issued_at.date_naive()));
            self.document.text(Role::Paragraph, &issued, BODY);
        }
        self.document.gap(40.0);
        self.document.rule(0.0, 220.0);
        self.document.gap(2.0);
        self.document.text(Role::Paragraph, &certificate.coach.name, NAME);
        let role = certificate.coach.title.as_deref().unwrap_or(words.coach);
        self.document.text(Role::Paragraph, role, SMALL);
    }

    /// The verification code, the page's address and its QR code, which opens it.
    fn verification(&mut self, verify_url: &str) {
        let Some(code) = self.certificate.verification_code.as_ref() else {
            return;
        };
        self.heading(&format!("{}: {code}", self.words.verification));
        self.document
            .text(Role::Paragraph, self.words.verification_hint, SMALL);
        self.document.text(Role::Paragraph, verify_url, SMALL);
        let alt = format!("{}: {verify_url}", self.words.qr_alt);
        self.qr_code(verify_url, &alt);
    }

    /// A QR code of `url` as a figure with `alt` as its text, linked to `url`.
    fn qr_code(&mut self, url: &str, alt: &str) {
        let Ok(qr) = QrCode::encode_text(url, QrCodeEcc::Medium) else {
            return;
        };
        self.document.gap(8.0);
        let side = qr.size() as f32 * QR_MODULE;
        let area = self.document.figure(alt, (side, side), |page, x, top| {
            page.set_fill_gray(0.0);
            for row in 0..qr.size() {
                for column in 0..qr.size() {
                    if qr.get_module(column, row) {
                        page.rect(
                            x + column as f32 * QR_MODULE,
                            top - (row + 1) as f32 * QR_MODULE,
                            QR_MODULE,
                            QR_MODULE,
                        );
                    }
                }
            }
            page.fill_nonzero();
        });
        self.document.link(area, url, alt);
    }

    /// A wallet offer's QR code and until when it works; never its PIN, handed over apart.
    fn wallet_offer(&mut self, offer: &WalletHandout) {
        self.heading(self.words.wallet);
        self.document.text(Role::Paragraph, self.words.wallet_hint, SMALL);
        let clock = offer
            .valid_until
            .format(if self.language == CertificateLanguage::En {
                "%H:%M"
            } else {
                "%H.%M"
            });
        let until = format!(
            "{} {} {clock}.",
            self.words.wallet_until,
            self.date(offer.valid_until.date())
        );
        self.document.text(Role::Paragraph, &until, SMALL);
        self.qr_code(&offer.url, self.words.wallet_alt);
    }

    /// The holder's access link, as address and QR code.
    fn own_records(&mut self, url: &str) {
        self.heading(self.words.own_records);
        self.document
            .text(Role::Paragraph, self.words.own_records_hint, SMALL);
        self.document.text(Role::Paragraph, url, SMALL);
        self.qr_code(url, self.words.own_records_alt);
    }
}

/// What a handout for the trainee adds to the certificate: a wallet offer, the holder's access
/// link, or both.
#[derive(Default)]
pub struct Handout {
    pub wallet: Option<WalletHandout>,
    /// The holder's access link.
    pub holder_url: Option<String>,
}

/// A wallet offer printed on the handout: its `openid-credential-offer://` URL and when it ends,
/// in Finnish time.
pub struct WalletHandout {
    pub url: String,
    pub valid_until: chrono::NaiveDateTime,
}

/// The printable certificate. `verify_url` is the public verification page of its code; a
/// handout for the trainee carries a wallet offer or the holder's access link too.
pub fn render(
    certificate: &Certificate,
    issuer: &Letterhead,
    verify_url: &str,
    handout: &Handout,
) -> Result<Vec<u8>, subsetter::Error> {
    let language = certificate.language;
    let words = labels(language);
    let mut sheet = Sheet {
        document: Document::new(language.as_str()),
        certificate,
        language,
        words,
    };
    sheet.letterhead(issuer);
    sheet.title_and_status();
    sheet.holder_and_period();
    sheet.environments_and_programme();
    sheet.units();
    sheet.other_competences();
    sheet.issue_date_and_signature();
    sheet.verification(verify_url);
    if let Some(offer) = &handout.wallet {
        sheet.wallet_offer(offer);
    }
    if let Some(url) = &handout.holder_url {
        sheet.own_records(url);
    }
    let holder = &certificate.holder;
    let title = format!("{} – {} {}", words.title, holder.given_names, holder.family_name);
    let code = certificate.verification_code.as_deref();
    sheet.document.finish(&title, |page, pages| {
        let mut footer = format!("{} {}", holder.given_names, holder.family_name);
        if let Some(code) = code {
            footer.push_str(&format!(" · {} {code}", words.verification));
        }
        footer.push_str(&format!(" · {} {page}/{pages}", words.page));
        footer
    })
}

/// A skill as one line: the coach's words or the requirement's, then the requirement's wording
/// when both are given, and what names it: "(ammattitaitovaatimus 3, R1)".
fn skill_line(skill: &super::dto::Skill, language: &str, requirement_word: &str) -> String {
    let mut line = format!("• {}", skill.wording(language));
    if let (Some(_), Some(requirement)) = (&skill.text, &skill.requirement) {
        line.push_str(&format!(" — {}", requirement.text.get(language)));
    }
    let names: Vec<String> = skill
        .requirement
        .as_ref()
        .map(|requirement| format!("{requirement_word} {}", requirement.position))
        .into_iter()
        .chain(skill.requirement_code.clone())
        .collect();
    if !names.is_empty() {
        line.push_str(&format!(" ({})", names.join(", ")));
    }
    line
}
