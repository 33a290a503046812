//! The printable certificate: an A4 PDF in the certificate's language, with the verification
//! code and a QR code that opens the public verification page.
//!
//! Text is set in the standard Helvetica fonts with WinAnsiEncoding, which every PDF reader has
//! and which covers Finnish and Swedish letters (ä, ö, å, š, ž), so no font is embedded.

use chrono::NaiveDate;
use pdf_writer::{
    types::{ActionType, AnnotationType},
    Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr,
};
use qrcodegen::{QrCode, QrCodeEcc};

use super::dto::{Certificate, CertificateLanguage, CertificateStatus};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
/// The side of one QR module, in points.
const QR_MODULE: f32 = 2.5;

/// The words printed around the certificate's own content, per language.
struct Labels {
    title: &'static str,
    issuer: &'static str,
    holder: &'static str,
    date_of_birth: &'static str,
    period: &'static str,
    hours: &'static str,
    environments: &'static str,
    programme: &'static str,
    units: &'static str,
    qualification: &'static str,
    skills: &'static str,
    other_competences: &'static str,
    coach: &'static str,
    issued: &'static str,
    verification: &'static str,
    verification_hint: &'static str,
    draft: &'static str,
    revoked: &'static str,
    superseded: &'static str,
}

const FINNISH: Labels = Labels {
    title: "Osaamistodistus",
    issuer: "Todistuksen antaja",
    holder: "Henkilö",
    date_of_birth: "syntymäaika",
    period: "Ajanjakso",
    hours: "tuntia",
    environments: "Oppimisympäristö",
    programme: "Hanke tai palvelu",
    units: "Osoitettu osaaminen tutkinnon osittain",
    qualification: "Tutkinto",
    skills: "Osoitetut taidot",
    other_competences: "Muu osaaminen",
    coach: "Työvalmentaja",
    issued: "Annettu",
    verification: "Tarkistuskoodi",
    verification_hint: "Todistuksen aitouden ja voimassaolon voi tarkistaa osoitteessa",
    draft: "LUONNOS - ei voimassa oleva todistus",
    revoked: "PERUUTETTU",
    superseded: "KORVATTU UUDELLA TODISTUKSELLA",
};

const SWEDISH: Labels = Labels {
    title: "Kompetensintyg",
    issuer: "Utfärdare",
    holder: "Person",
    date_of_birth: "födelsedatum",
    period: "Period",
    hours: "timmar",
    environments: "Lärmiljö",
    programme: "Projekt eller tjänst",
    units: "Visad kompetens per examensdel",
    qualification: "Examen",
    skills: "Visade färdigheter",
    other_competences: "Annan kompetens",
    coach: "Arbetshandledare",
    issued: "Utfärdat",
    verification: "Kontrollkod",
    verification_hint: "Intygets äkthet och giltighet kan kontrolleras på adressen",
    draft: "UTKAST - inte ett giltigt intyg",
    revoked: "ÅTERKALLAT",
    superseded: "ERSATT AV ETT NYTT INTYG",
};

const ENGLISH: Labels = Labels {
    title: "Certificate of competence",
    issuer: "Issued by",
    holder: "Holder",
    date_of_birth: "date of birth",
    period: "Period",
    hours: "hours",
    environments: "Learning environment",
    programme: "Programme or service",
    units: "Competence shown, by qualification unit",
    qualification: "Qualification",
    skills: "Skills shown",
    other_competences: "Other competences",
    coach: "Work coach",
    issued: "Issued",
    verification: "Verification code",
    verification_hint: "Check that this certificate is genuine and valid at",
    draft: "DRAFT - not a valid certificate",
    revoked: "REVOKED",
    superseded: "SUPERSEDED BY A NEW CERTIFICATE",
};

fn labels(language: CertificateLanguage) -> &'static Labels {
    match language {
        CertificateLanguage::Fi => &FINNISH,
        CertificateLanguage::Sv => &SWEDISH,
        CertificateLanguage::En => &ENGLISH,
    }
}

fn date(language: CertificateLanguage, day: NaiveDate) -> String {
    match language {
        CertificateLanguage::En => day.format("%Y-%m-%d").to_string(),
        _ => day.format("%-d.%-m.%Y").to_string(),
    }
}

/// Text as WinAnsiEncoding bytes; a character the encoding lacks prints as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            'Š' => 0x8a,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'š' => 0x9a,
            'ž' => 0x9e,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance widths (thousandths of the font size) for the printable ASCII characters.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
    500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The printed width of WinAnsi bytes at `size`; bold runs about a tenth wider than regular.
fn text_width(bytes: &[u8], size: f32, bold: bool) -> f32 {
    let thousandths: u32 = bytes
        .iter()
        .map(|&byte| match byte {
            32..=126 => u32::from(HELVETICA_WIDTHS[usize::from(byte - 32)]),
            // Capitals with diacritics are as wide as the widest base capitals; the rest as digits.
            0xc0..=0xde => 722,
            _ => 556,
        })
        .sum();
    let width = thousandths as f32 * size / 1000.0;
    if bold {
        width * 1.1
    } else {
        width
    }
}

/// Breaks text into lines no wider than `width`, at spaces where it can.
fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in win_ansi(text)
        .split(|&byte| byte == b' ')
        .filter(|word| !word.is_empty())
    {
        let mut candidate = line.clone();
        if !candidate.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(word);
        if text_width(&candidate, size, bold) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_vec()));
        }
        // A single word wider than the line is cut where it must be.
        while text_width(&line, size, bold) > width && line.len() > 1 {
            let mut cut = line.len() - 1;
            while cut > 1 && text_width(&line[..cut], size, bold) > width {
                cut -= 1;
            }
            let rest = line.split_off(cut);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays text out top to bottom over as many pages as it needs.
struct Layout {
    pages: Vec<Content>,
    page: Content,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn reserve(&mut self, height: f32) {
        if self.y - height < MARGIN {
            let full = std::mem::replace(&mut self.page, Content::new());
            self.pages.push(full);
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        let leading = size * 1.3;
        for line in wrap(text, size, bold, TEXT_WIDTH - indent) {
            self.reserve(leading);
            self.y -= leading;
            self.page
                .begin_text()
                .set_font(if bold { BOLD } else { REGULAR }, size)
                .next_line(MARGIN + indent, self.y)
                .show(Str(&line))
                .end_text();
        }
    }

    fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    fn heading(&mut self, text: &str) {
        self.reserve(40.0);
        self.gap(10.0);
        self.text(text, 12.0, true, 0.0);
        self.gap(2.0);
    }

    /// Draws the QR code with its top left corner at `x` and the current line, and moves below it.
    fn qr(&mut self, code: &QrCode, x: f32) {
        let side = code.size() as f32 * QR_MODULE;
        self.reserve(side);
        let top = self.y;
        self.page.set_fill_gray(0.0);
        for row in 0..code.size() {
            for column in 0..code.size() {
                if code.get_module(column, row) {
                    self.page.rect(
                        x + column as f32 * QR_MODULE,
                        top - (row + 1) as f32 * QR_MODULE,
                        QR_MODULE,
                        QR_MODULE,
                    );
                }
            }
        }
        self.page.fill_nonzero();
        self.y = top - side;
    }

    fn finish(mut self) -> Vec<Content> {
        self.pages.push(self.page);
        self.pages
    }
}

/// What every section of the printed certificate needs: the layout so far, the certificate's
/// language and its words.
struct Page<'a> {
    layout: Layout,
    certificate: &'a Certificate,
    language: CertificateLanguage,
    words: &'a Labels,
}

impl Page<'_> {
    fn name_of(&self, name: &crate::text::LocalizedText) -> String {
        name.get(self.language.as_str()).to_owned()
    }

    fn date(&self, day: NaiveDate) -> String {
        date(self.language, day)
    }

    fn title_and_status(&mut self) {
        let words = self.words;
        self.layout.text(words.title, 24.0, true, 0.0);
        let status_line = match self.certificate.status {
            CertificateStatus::Draft => Some(words.draft),
            CertificateStatus::Revoked => Some(words.revoked),
            CertificateStatus::Superseded => Some(words.superseded),
            CertificateStatus::Issued => None,
        };
        if let Some(status_line) = status_line {
            self.layout.gap(4.0);
            self.layout.text(status_line, 14.0, true, 0.0);
        }
    }

    fn holder_issuer_and_period(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        let holder = &certificate.holder;
        self.layout.heading(words.holder);
        self.layout.text(
            &format!("{} {}", holder.given_names, holder.family_name),
            11.0,
            false,
            0.0,
        );
        let born = format!("{} {}", words.date_of_birth, self.date(holder.date_of_birth));
        self.layout.text(&born, 10.0, false, 0.0);
        self.layout.heading(words.issuer);
        let issuer = self.name_of(&certificate.issuer.name);
        self.layout.text(&issuer, 11.0, false, 0.0);
        self.layout.heading(words.period);
        let mut period = format!(
            "{} – {}",
            self.date(certificate.start_date),
            self.date(certificate.end_date)
        );
        if let Some(hours) = certificate.hours {
            period.push_str(&format!(", {hours} {}", words.hours));
        }
        self.layout.text(&period, 11.0, false, 0.0);
    }

    fn environments_and_programme(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        if !certificate.learning_environments.is_empty() {
            self.layout.heading(words.environments);
            for environment in &certificate.learning_environments {
                let name = self.name_of(&environment.name);
                self.layout.text(&name, 11.0, false, 0.0);
            }
        }
        if let Some(programme) = &certificate.programme_reference {
            self.layout.heading(words.programme);
            self.layout.text(programme, 11.0, false, 0.0);
        }
    }

    fn units(&mut self) {
        let words = self.words;
        if self.certificate.units.is_empty() {
            return;
        }
        self.layout.heading(words.units);
        for unit in &self.certificate.units {
            self.layout.reserve(60.0);
            self.layout.gap(6.0);
            let name = format!("{} ({})", self.name_of(&unit.unit.name), unit.unit.code);
            self.layout.text(&name, 11.0, true, 0.0);
            let qualification = format!(
                "{}: {} ({})",
                words.qualification,
                self.name_of(&unit.qualification.name),
                unit.qualification.code
            );
            self.layout.text(&qualification, 10.0, false, 0.0);
            if let Some(hours) = unit.hours {
                self.layout
                    .text(&format!("{hours} {}", words.hours), 10.0, false, 0.0);
            }
            self.layout.text(&unit.description, 10.0, false, 0.0);
            if !unit.skills.is_empty() {
                self.layout.text(words.skills, 10.0, true, 0.0);
                for skill in &unit.skills {
                    let text = match &skill.requirement_code {
                        Some(code) => format!("• {} ({code})", skill.text),
                        None => format!("• {}", skill.text),
                    };
                    self.layout.text(&text, 10.0, false, 10.0);
                }
            }
        }
    }

    fn other_competences(&mut self) {
        if self.certificate.other_competences.is_empty() {
            return;
        }
        self.layout.heading(self.words.other_competences);
        for competence in &self.certificate.other_competences {
            let mut title = competence.name.clone();
            let source: Vec<&str> = [competence.framework.as_deref(), competence.code.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !source.is_empty() {
                title.push_str(&format!(" ({})", source.join(", ")));
            }
            self.layout.text(&title, 10.0, true, 0.0);
            if let Some(description) = &competence.description {
                self.layout.text(description, 10.0, false, 0.0);
            }
        }
    }

    fn coach_and_issue_date(&mut self) {
        let (words, certificate) = (self.words, self.certificate);
        self.layout.heading(words.coach);
        let coach = match &certificate.coach.title {
            Some(title) => format!("{}, {title}", certificate.coach.name),
            None => certificate.coach.name.clone(),
        };
        self.layout.text(&coach, 11.0, false, 0.0);
        if let Some(issued_at) = certificate.issued_at {
            let issued = format!("{} {}", words.issued, self.date(issued_at.date_naive()));
            self.layout.text(&issued, 10.0, false, 0.0);
        }
    }

    /// The verification code, the page's address and its QR code; the QR code's area, to link.
    fn verification(&mut self, verify_url: &str) -> Option<Rect> {
        let code = self.certificate.verification_code.as_ref()?;
        self.layout
            .heading(&format!("{}: {code}", self.words.verification));
        self.layout.text(self.words.verification_hint, 10.0, false, 0.0);
        self.layout.text(verify_url, 10.0, false, 0.0);
        let qr = QrCode::encode_text(verify_url, QrCodeEcc::Medium).ok()?;
        self.layout.gap(8.0);
        self.layout.qr(&qr, MARGIN);
        let side = qr.size() as f32 * QR_MODULE;
        let y = self.layout.y;
        Some(Rect::new(MARGIN, y, MARGIN + side, y + side))
    }
}

/// The printable certificate. `verify_url` is the public verification page of its code.
pub fn render(certificate: &Certificate, verify_url: &str) -> Vec<u8> {
    let language = certificate.language;
    let mut page = Page {
        layout: Layout::new(),
        certificate,
        language,
        words: labels(language),
    };
    page.title_and_status();
    page.holder_issuer_and_period();
    page.environments_and_programme();
    page.units();
    page.other_competences();
    page.coach_and_issue_date();
    let link = page.verification(verify_url);
    let holder = &certificate.holder;
    let title = format!(
        "{} – {} {}",
        page.words.title, holder.given_names, holder.family_name
    );
    assemble(page.layout.finish(), &title, link.map(|rect| (rect, verify_url)))
}

/// Writes the pages into one document; `link` makes an area of the last page open a URL.
fn assemble(pages: Vec<Content>, title: &str, link: Option<(Rect, &str)>) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let link_id = Ref::new(6);
    let first_page = 7;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|index| Ref::new(first_page + 2 * index as i32))
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info_id).title(TextStr(title));
    let last = pages.len().saturating_sub(1);
    for (index, content) in pages.into_iter().enumerate() {
        let page_id = page_ids[index];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree_id)
            .contents(content_id);
        if index == last && link.is_some() {
            page.annotations([link_id]);
        }
        page.resources()
            .fonts()
            .pair(REGULAR, regular_id)
            .pair(BOLD, bold_id);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    if let Some((rect, url)) = link {
        let mut annotation = pdf.annotation(link_id);
        annotation.subtype(AnnotationType::Link).rect(rect);
        annotation
            .action()
            .action_type(ActionType::Uri)
            .uri(Str(url.as_bytes()));
        annotation.finish();
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_letters_are_win_ansi() {
        assert_eq!(win_ansi("Hämeenlinna Åbo öljy"), b"H\xe4meenlinna \xc5bo \xf6ljy");
        assert_eq!(win_ansi("Šiškin – “x” 漢"), b"\x8ai\x9akin \x96 \x93x\x94 ?");
    }

    #[test]
    fn lines_fit_their_width() {
        let text = "Valmisti päivittäin lounasta noin 80 ruokailijalle ja huolehti astiahuollosta \
                    sekä keittiön siisteydestä omavalvontasuunnitelman mukaan.";
        let lines = wrap(text, 10.0, false, 200.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(text_width(line, 10.0, false) <= 200.0);
        }
        let joined: Vec<u8> = lines.join(&b' ');
        assert_eq!(joined, win_ansi(text));
        let long = wrap(&"x".repeat(200), 10.0, false, 100.0);
        assert!(long.len() > 1 && long.iter().all(|line| text_width(line, 10.0, false) <= 100.0));
    }
}
