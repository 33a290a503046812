//! Printable documents (certificates, statistics reports): A4 pages laid out top to bottom in
//! Noto Sans, tagged so that assistive technology reads them in order and in their language.
//!
//! Every piece of text is a structure element (title, heading, paragraph, figure) whose content is
//! marked on its page; running footers and rules are marked as artifacts, which readers skip.

pub mod font;

use std::io::Write;

use pdf_writer::{
    types::{ActionType, AnnotationType, ArtifactType, StructRole},
    writers::StructTreeRoot,
    Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr,
};

use font::{FontRefs, FontUse, Weight};

pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
pub const MARGIN: f32 = 56.0;
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Room kept under the text for the running footer.
const FOOTER_HEIGHT: f32 = 24.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Deflated bytes, for streams.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: f32,
    pub weight: Weight,
    /// From the left margin, in points.
    pub indent: f32,
}

impl Style {
    pub const fn regular(size: f32) -> Self {
        Self {
            size,
            weight: Weight::Regular,
            indent: 0.0,
        }
    }

    pub const fn bold(size: f32) -> Self {
        Self {
            size,
            weight: Weight::Bold,
            indent: 0.0,
        }
    }

    pub const fn indented(self, indent: f32) -> Self {
        Self { indent, ..self }
    }
}

/// What a piece of the document is, for assistive technology.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    Heading,
    Subheading,
    Paragraph,
    Figure,
}

impl Role {
    fn structure(self) -> StructRole {
        match self {
            Role::Title => StructRole::H1,
            Role::Heading => StructRole::H2,
            Role::Subheading => StructRole::H3,
            Role::Paragraph => StructRole::P,
            Role::Figure => StructRole::Figure,
        }
    }

    fn tag(self) -> Name<'static> {
        match self {
            Role::Title => Name(b"H1"),
            Role::Heading => Name(b"H2"),
            Role::Subheading => Name(b"H3"),
            Role::Paragraph => Name(b"P"),
            Role::Figure => Name(b"Figure"),
        }
    }
}

/// One cell of a row set in columns.
#[derive(Debug, Clone)]
pub struct Column {
    pub text: String,
    /// From the left margin, in points.
    pub x: f32,
    pub width: f32,
    /// Numbers are set flush right.
    pub right: bool,
}

/// A structure element and where its content is: (page, marked-content id) pairs.
struct Element {
    role: Role,
    alt: Option<String>,
    marks: Vec<(usize, i32)>,
}

/// An area of a page that opens a URL.
struct Link {
    page: usize,
    rect: Rect,
    url: String,
    description: String,
}

/// Breaks text into lines no wider than `width`, at spaces where it can, cutting a word wider
/// than a line where it must.
pub fn wrap(text: &str, style: Style, width: f32) -> Vec<String> {
    let fits = |line: &str| font::width(style.weight, line, style.size) <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
        while !fits(&line) && line.chars().count() > 1 {
            let first = line.chars().next().map_or(1, char::len_utf8);
            let cut = line
                .char_indices()
                .map(|(index, _)| index)
                .skip(1)
                .take_while(|&index| fits(&line[..index]))
                .last()
                .unwrap_or(first);
            let rest = line.split_off(cut);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Opens content that assistive technology skips: decoration, running footers.
fn begin_artifact(page: &mut Content, kind: ArtifactType) -> &mut Content {
    page.begin_marked_content_with_properties(Name(b"Artifact"))
        .properties()
        .artifact()
        .kind(kind);
    page
}

/// A document being laid out, top to bottom, over as many pages as it needs.
pub struct Document {
    lang: String,
    fonts: [FontUse; 2],
    pages: Vec<Content>,
    page: Content,
    /// The next marked-content id on the current page.
    next_mark: i32,
    /// The baseline of the last line set.
    y: f32,
    elements: Vec<Element>,
    links: Vec<Link>,
}

impl Document {
    /// An empty document in `lang` (a BCP 47 tag such as `fi`).
    pub fn new(lang: &str) -> Self {
        Self {
            lang: lang.to_owned(),
            fonts: [FontUse::new(Weight::Regular), FontUse::new(Weight::Bold)],
            pages: Vec::new(),
            page: Content::new(),
            next_mark: 0,
            y: PAGE_HEIGHT - MARGIN,
            elements: Vec::new(),
            links: Vec::new(),
        }
    }

    fn page_index(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn reserve(&mut self, height: f32) {
        if self.y - height < MARGIN + FOOTER_HEIGHT {
            let full = std::mem::replace(&mut self.page, Content::new());
            self.pages.push(full);
            self.next_mark = 0;
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    /// Opens a marked-content sequence for `role` on the current page and returns its id.
    fn mark(&mut self, role: Role) -> i32 {
        let id = self.next_mark;
        self.next_mark += 1;
        self.page
            .begin_marked_content_with_properties(role.tag())
            .properties()
            .identify(id);
        id
    }

    /// Sets one line at `x` on the current baseline.
    fn show(&mut self, line: &str, x: f32, style: Style) {
        let (resource, font) = match style.weight {
            Weight::Regular => (REGULAR, &mut self.fonts[0]),
            Weight::Bold => (BOLD, &mut self.fonts[1]),
        };
        let glyphs = font.encode(line);
        self.page
            .begin_text()
            .set_font(resource, style.size)
            .next_line(x, self.y)
            .show(Str(&glyphs))
            .end_text();
    }

    /// Sets `text` as one structure element of `role`, wrapped to the text width.
    pub fn text(&mut self, role: Role, text: &str, style: Style) {
        let leading = style.size * 1.35;
        let mut element = Element {
            role,
            alt: None,
            marks: Vec::new(),
        };
        for line in wrap(text, style, TEXT_WIDTH - style.indent) {
            self.reserve(leading);
            self.y -= leading;
            let id = self.mark(role);
            self.show(&line, MARGIN + style.indent, style);
            self.page.end_marked_content();
            element.marks.push((self.page_index(), id));
        }
        if !element.marks.is_empty() {
            self.elements.push(element);
        }
    }

    /// Sets a row of columns as one paragraph, each cell wrapped to its width, read left to right.
    pub fn columns(&mut self, cells: &[Column], style: Style) {
        let leading = style.size * 1.35;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|cell| wrap(&cell.text, style, cell.width))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        if lines == 0 {
            return;
        }
        self.reserve(leading * lines as f32);
        let id = self.mark(Role::Paragraph);
        let top = self.y;
        for (cell, lines) in cells.iter().zip(&wrapped) {
            self.y = top;
            for line in lines {
                self.y -= leading;
                let offset = if cell.right {
                    cell.width - font::width(style.weight, line, style.size)
                } else {
                    0.0
                };
                self.show(line, MARGIN + cell.x + offset, style);
            }
        }
        self.page.end_marked_content();
        self.elements.push(Element {
            role: Role::Paragraph,
            alt: None,
            marks: vec![(self.page_index(), id)],
        });
        self.y = top - leading * lines as f32;
    }

    /// A filled bar `length` points long from `x` (from the margin) on the current line, `height`
    /// points tall: decoration beside figures that are printed as text.
    pub fn bar(&mut self, x: f32, length: f32, height: f32) {
        begin_artifact(&mut self.page, ArtifactType::Layout)
            .set_fill_rgb(0.17, 0.42, 0.69)
            .rect(MARGIN + x, self.y, length.max(0.5), height)
            .fill_nonzero()
            .set_fill_gray(0.0)
            .end_marked_content();
    }

    /// A horizontal line from `x` (from the margin) to `x + length` at the current baseline:
    /// decoration only.
    pub fn rule(&mut self, x: f32, length: f32) {
        begin_artifact(&mut self.page, ArtifactType::Layout)
            .set_line_width(0.6)
            .move_to(MARGIN + x, self.y)
            .line_to(MARGIN + x + length, self.y)
            .stroke()
            .end_marked_content();
    }

    /// A figure `height` points tall, drawn by `draw` from its top left corner, with `alt` as its
    /// text alternative; returns its area.
    pub fn figure(
        &mut self,
        alt: &str,
        (width, height): (f32, f32),
        draw: impl FnOnce(&mut Content, f32, f32),
    ) -> Rect {
        self.reserve(height);
        let id = self.mark(Role::Figure);
        draw(&mut self.page, MARGIN, self.y);
        self.page.end_marked_content();
        self.elements.push(Element {
            role: Role::Figure,
            alt: Some(alt.to_owned()),
            marks: vec![(self.page_index(), id)],
        });
        self.y -= height;
        Rect::new(MARGIN, self.y, MARGIN + width, self.y + height)
    }

    /// Makes `rect` of the current page open `url`.
    pub fn link(&mut self, rect: Rect, url: &str, description: &str) {
        self.links.push(Link {
            page: self.page_index(),
            rect,
            url: url.to_owned(),
            description: description.to_owned(),
        });
    }

    /// The finished document, titled `title`, with `footer(page, pages)` at the foot of every page.
    pub fn finish(
        mut self,
        title: &str,
        footer: impl Fn(usize, usize) -> String,
    ) -> Result<Vec<u8>, subsetter::Error> {
        let full = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(full);
        let count = self.pages.len();
        let style = Style::regular(8.0);
        let mut pages = std::mem::take(&mut self.pages);
        for (index, page) in pages.iter_mut().enumerate() {
            let text = footer(index + 1, count);
            let glyphs = self.fonts[0].encode(&text);
            begin_artifact(page, ArtifactType::Pagination)
                .begin_text()
                .set_font(REGULAR, style.size)
                .next_line(MARGIN, MARGIN)
                .show(Str(&glyphs))
                .end_text()
                .end_marked_content();
        }
        self.pages = pages;
        assemble(self, title)
    }
}

/// The objects of a document, numbered.
struct Refs {
    catalog: Ref,
    tree: Ref,
    info: Ref,
    structure: Ref,
    root_element: Ref,
    fonts: [FontRefs; 2],
    pages: Vec<(Ref, Ref, Ref)>,
    elements: Vec<Ref>,
    links: Vec<(Ref, Ref)>,
}

impl Refs {
    fn allocate(document: &Document) -> Self {
        let mut next = Ref::new(1);
        Self {
            catalog: next.bump(),
            tree: next.bump(),
            info: next.bump(),
            structure: next.bump(),
            root_element: next.bump(),
            fonts: [FontRefs::allocate(&mut next), FontRefs::allocate(&mut next)],
            pages: (0..document.pages.len())
                .map(|_| (next.bump(), next.bump(), next.bump()))
                .collect(),
            elements: document.elements.iter().map(|_| next.bump()).collect(),
            links: document
                .links
                .iter()
                .map(|_| (next.bump(), next.bump()))
                .collect(),
        }
    }
}

fn assemble(mut document: Document, title: &str) -> Result<Vec<u8>, subsetter::Error> {
    let refs = Refs::allocate(&document);
    let pages = std::mem::take(&mut document.pages);
    let mut pdf = Pdf::new();
    let mut catalog = pdf.catalog(refs.catalog);
    catalog
        .pages(refs.tree)
        .lang(TextStr(&document.lang))
        .mark_info()
        .marked(true);
    catalog.viewer_preferences().display_doc_title(true);
    catalog.pair(Name(b"StructTreeRoot"), refs.structure);
    catalog.finish();
    pdf.document_info(refs.info).title(TextStr(title));
    pdf.pages(refs.tree)
        .kids(refs.pages.iter().map(|(page, _, _)| *page))
        .count(refs.pages.len() as i32);
    for (weight, font) in document.fonts.iter().enumerate() {
        font.write(&mut pdf, &refs.fonts[weight])?;
    }
    write_structure(&mut pdf, &document, &refs);
    write_pages(&mut pdf, pages, &document, &refs);
    Ok(pdf.finish())
}

fn write_pages(pdf: &mut Pdf, pages: Vec<Content>, document: &Document, refs: &Refs) {
    let count = pages.len() as i32;
    for (index, content) in pages.into_iter().enumerate() {
        let (page_id, content_id, _) = refs.pages[index];
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(refs.tree)
            .contents(content_id)
            .struct_parents(index as i32)
            .tab_order(pdf_writer::types::TabOrder::StructureOrder);
        let links: Vec<Ref> = document
            .links
            .iter()
            .zip(&refs.links)
            .filter(|(link, _)| link.page == index)
            .map(|(_, (annotation, _))| *annotation)
            .collect();
        if !links.is_empty() {
            page.annotations(links);
        }
        page.resources()
            .fonts()
            .pair(REGULAR, refs.fonts[0].type0)
            .pair(BOLD, refs.fonts[1].type0);
        page.finish();
        pdf.stream(content_id, &deflate(&content.finish()))
            .filter(pdf_writer::Filter::FlateDecode);
    }
    for (number, (link, (annotation_id, _))) in document.links.iter().zip(&refs.links).enumerate() {
        let mut annotation = pdf.annotation(*annotation_id);
        annotation
            .subtype(AnnotationType::Link)
            .rect(link.rect)
            .contents(TextStr(&link.description))
            .struct_parent(count + number as i32);
        annotation
            .action()
            .action_type(ActionType::Uri)
            .uri(Str(link.url.as_bytes()));
        annotation.finish();
    }
}

/// The structure tree: the document, its elements in reading order, and the parent tree that
/// leads from marked content and annotations back to their elements.
fn write_structure(pdf: &mut Pdf, document: &Document, refs: &Refs) {
    let pages = refs.pages.len();
    let mut root = pdf.indirect(refs.structure).start::<StructTreeRoot>();
    root.child(refs.root_element);
    {
        let mut tree = root.parent_tree();
        let mut numbers = tree.nums();
        for (index, (_, _, marks)) in refs.pages.iter().enumerate() {
            numbers.insert(index as i32, *marks);
        }
        for (number, (_, element)) in refs.links.iter().enumerate() {
            numbers.insert((pages + number) as i32, *element);
        }
    }
    root.parent_tree_next_key((pages + document.links.len()) as i32);
    root.finish();

    let mut top = pdf.struct_element(refs.root_element);
    top.kind(StructRole::Document)
        .parent(refs.structure)
        .lang(TextStr(&document.lang));
    top.children().items(
        refs.elements
            .iter()
            .chain(refs.links.iter().map(|(_, element)| element)),
    );
    top.finish();

    for (element, &id) in document.elements.iter().zip(&refs.elements) {
        let mut written = pdf.struct_element(id);
        written.kind(element.role.structure()).parent(refs.root_element);
        if let Some(alt) = &element.alt {
            written.alt(TextStr(alt));
        }
        if let Some(&(page, _)) = element.marks.first() {
            written.page(refs.pages[page].0);
        }
        let mut children = written.children();
        for &(page, mark) in &element.marks {
            children
                .marked_content_ref()
                .marked_content_id(mark)
                .page(refs.pages[page].0);
        }
        children.finish();
        written.finish();
    }
    for (link, (annotation, element)) in document.links.iter().zip(&refs.links) {
        let mut written = pdf.struct_element(*element);
        written
            .kind(StructRole::Link)
            .parent(refs.root_element)
            .alt(TextStr(&link.description));
        written
            .object_child()
            .object(*annotation)
            .page(refs.pages[link.page].0);
        written.finish();
    }
    // Each page's marks, in id order, point back at their elements.
    for (index, (_, _, marks_id)) in refs.pages.iter().enumerate() {
        let mut owners: Vec<(i32, Ref)> = document
            .elements
            .iter()
            .zip(&refs.elements)
            .flat_map(|(element, &id)| {
                element
                    .marks
                    .iter()
                    .filter(|(page, _)| *page == index)
                    .map(move |&(_, mark)| (mark, id))
            })
            .collect();
        owners.sort_by_key(|(mark, _)| *mark);
        pdf.indirect(*marks_id)
            .array()
            .items(owners.into_iter().map(|(_, id)| id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_width() {
        let text = "Valmisti päivittäin lounasta noin 80 ruokailijalle ja huolehti astiahuollosta \
                    sekä keittiön siisteydestä omavalvontasuunnitelman mukaan.";
        let style = Style::regular(10.0);
        let lines = wrap(text, style, 200.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(font::width(Weight::Regular, line, 10.0) <= 200.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
        let long = wrap(&"ä".repeat(200), style, 100.0);
        assert!(long.len() > 1);
        assert!(long
            .iter()
            .all(|line| font::width(Weight::Regular, line, 10.0) <= 100.0));
        assert_eq!(long.concat(), "ä".repeat(200));
    }
}
