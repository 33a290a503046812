//! Noto Sans, regular and bold, embedded in each document as a subset of the glyphs it uses.
//!
//! Noto Sans covers Latin (Finnish, Swedish, Sámi, Polish, Vietnamese and the rest of Europe),
//! Greek and Cyrillic. Text is written as glyph ids of a CID font with a `ToUnicode` map, so a
//! reader copies and searches it as written, and widths come from the font itself.

use std::{collections::BTreeMap, sync::LazyLock};

use pdf_writer::{
    types::{CidFontType, FontFlags, SystemInfo},
    Filter, Finish, Name, Pdf, Rect, Ref, Str,
};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// The two faces, parsed once; [`load`] parses them at start-up so that a broken font is found there.
static FACES: LazyLock<[Face<'static>; 2]> = LazyLock::new(|| {
    [REGULAR, BOLD].map(|data| Face::parse(data, 0).expect("the embedded Noto Sans parses"))
});

/// Parses the embedded fonts.
pub fn load() {
    LazyLock::force(&FACES);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn face(self) -> &'static Face<'static> {
        &FACES[self as usize]
    }

    fn data(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Weight::Regular => "NotoSans-Regular",
            Weight::Bold => "NotoSans-Bold",
        }
    }
}

/// Line breaks and tabs print as spaces.
fn printed(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

fn glyph(face: &Face<'_>, c: char) -> GlyphId {
    face.glyph_index(printed(c)).unwrap_or(GlyphId(0))
}

/// The printed width of `text` at `size` points.
pub fn width(weight: Weight, text: &str, size: f32) -> f32 {
    let face = weight.face();
    let units: u32 = text
        .chars()
        .map(|c| u32::from(face.glyph_hor_advance(glyph(face, c)).unwrap_or(0)))
        .sum();
    units as f32 * size / f32::from(face.units_per_em())
}

/// The characters of `text` that neither face can print (they would print as an empty box).
pub fn unprintable(text: &str) -> Vec<char> {
    let mut missing: Vec<char> = text
        .chars()
        .filter(|&c| {
            !c.is_control()
                && [Weight::Regular, Weight::Bold]
                    .iter()
                    .any(|weight| weight.face().glyph_index(c).is_none())
        })
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// One face as one document uses it: the glyphs used so far, renumbered for the subset.
pub struct FontUse {
    weight: Weight,
    remapper: GlyphRemapper,
    /// What each glyph of the subset stands for, for the `ToUnicode` map.
    text_of: BTreeMap<u16, char>,
}

/// The objects of one embedded font.
pub struct FontRefs {
    pub type0: Ref,
    cid: Ref,
    descriptor: Ref,
    file: Ref,
    to_unicode: Ref,
}

impl FontRefs {
    pub fn allocate(next: &mut Ref) -> Self {
        Self {
            type0: next.bump(),
            cid: next.bump(),
            descriptor: next.bump(),
            file: next.bump(),
            to_unicode: next.bump(),
        }
    }
}

impl FontUse {
    pub fn new(weight: Weight) -> Self {
        Self {
            weight,
            remapper: GlyphRemapper::new(),
            text_of: BTreeMap::new(),
        }
    }

    /// `text` as two-byte glyph ids of the subset, for a `Tj` operator.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let face = self.weight.face();
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let id = self.remapper.remap(glyph(face, c).0);
            if id != 0 {
                self.text_of.entry(id).or_insert(printed(c));
            }
            bytes.extend_from_slice(&id.to_be_bytes());
        }
        bytes
    }

    /// Writes the font's objects: a Type 0 font over a CID font with the subset embedded.
    pub fn write(&self, pdf: &mut Pdf, refs: &FontRefs) -> Result<(), subsetter::Error> {
        let face = self.weight.face();
        let subset = subsetter::subset(self.weight.data(), 0, &self.remapper)?;
        let name = format!("{}+{}", self.tag(), self.weight.postscript_name());
        let name = Name(name.as_bytes());
        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(refs.type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid)
            .to_unicode(refs.to_unicode);
        let scale = 1000.0 / f32::from(face.units_per_em());
        let widths = self
            .remapper
            .remapped_gids()
            .map(|old| f32::from(face.glyph_hor_advance(GlyphId(old)).unwrap_or(0)) * scale);
        let mut cid = pdf.cid_font(refs.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(info)
            .font_descriptor(refs.descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();
        self.write_descriptor(pdf, refs, name, scale);
        let compressed = super::deflate(&subset);
        pdf.stream(refs.file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), info);
        for (&id, &c) in &self.text_of {
            cmap.pair(id, c);
        }
        pdf.stream(refs.to_unicode, cmap.finish().as_slice());
        Ok(())
    }

    fn write_descriptor(&self, pdf: &mut Pdf, refs: &FontRefs, name: Name<'_>, scale: f32) {
        let face = self.weight.face();
        let bbox = face.global_bounding_box();
        let mut descriptor = pdf.font_descriptor(refs.descriptor);
        descriptor
            .name(name)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(face.ascender()) * scale)
            .descent(f32::from(face.descender()) * scale)
            .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
            .stem_v(if self.weight == Weight::Bold { 140.0 } else { 80.0 })
            .font_file2(refs.file);
        descriptor.finish();
    }

    /// A subset's six-letter tag, from the glyphs it holds, as PDF asks of subset fonts' names.
    fn tag(&self) -> String {
        let mut hash: u32 = 2_166_136_261;
        for id in self.remapper.remapped_gids() {
            for byte in id.to_be_bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(16_777_619);
            }
        }
        (0..6)
            .map(|index| char::from(b'A' + ((hash >> (index * 5)) % 26) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_many_languages_print_with_real_widths() {
        let name = "Łukasz Đức Nguyễn-Čuđe Áŋgir Šiljá Олександр";
        assert_eq!(unprintable(name), Vec::<char>::new());
        assert_eq!(unprintable("漢字 ok"), vec!['字', '漢']);
        let regular = width(Weight::Regular, "Osaamistodistus", 10.0);
        let bold = width(Weight::Bold, "Osaamistodistus", 10.0);
        assert!(regular > 50.0 && bold > regular, "{regular} {bold}");
    }

    #[test]
    fn encoding_renumbers_glyphs_and_remembers_their_text() {
        let mut font = FontUse::new(Weight::Regular);
        let bytes = font.encode("aä a");
        assert_eq!(bytes, vec![0, 1, 0, 2, 0, 3, 0, 1]);
        assert_eq!(font.text_of.values().collect::<String>(), "aä ");
    }
}
