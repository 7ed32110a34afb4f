//! Page layout and PDF output shared by the crate's documents.
//!
//! Text is set in DejaVu Sans, which the PDF embeds as a subset with a ToUnicode map, so every
//! character prints as written ("Peña", "Zoë Ångström") and text extraction gives it back.
//! Glyphs are placed one per character at the font's own advance widths, without shaping or
//! kerning: the width word wrap measures is then exactly the width printed, which is what keeps
//! every line inside the margins.
//!
//! A document is laid out first, as pages of positioned drawing operations ([`Op`]), and only
//! then written out, because the footer's "Page N of M" needs the page count.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use std::fmt;
use std::sync::LazyLock;

/// US Letter, the paper California licensees print on, in points.
pub const PAGE_WIDTH: f32 = 612.0;
pub const PAGE_HEIGHT: f32 = 792.0;
/// Left and right margin. Text never starts left of it nor ends right of `RIGHT`.
pub const LEFT: f32 = 48.0;
pub const RIGHT: f32 = PAGE_WIDTH - LEFT;
pub const WIDTH: f32 = RIGHT - LEFT;
/// Where content starts on a page and the lowest point it may reach; the footer sits below.
const TOP: f32 = 44.0;
const BOTTOM: f32 = PAGE_HEIGHT - 54.0;
const FOOTER_RULE: f32 = PAGE_HEIGHT - 40.0;
const FOOTER_SIZE: f32 = 7.5;

/// The character printed where the font has no glyph, so a gap is visible and extraction
/// returns a character that says so, rather than a blank box that extracts as nothing.
const REPLACEMENT: char = '\u{FFFD}';

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Parsed once per process: parsing is cheap, but the PDF fonts hash their data on creation.
static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    Some(Fonts {
        regular: Face::load(REGULAR_TTF)?,
        bold: Face::load(BOLD_TTF)?,
    })
});

/// A document could not be produced. With the embedded fonts this is a bug, not bad input: the
/// layout accepts any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError(String);

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not write the PDF: {}", self.0)
    }
}

impl std::error::Error for DocumentError {}

impl DocumentError {
    /// A document that cannot be drawn from what it was given (text a barcode cannot carry).
    pub(crate) fn new(message: impl Into<String>) -> Self {
        DocumentError(message.into())
    }
}

/// The two weights the documents use.
pub struct Fonts {
    regular: Face,
    bold: Face,
}

pub fn fonts() -> Result<&'static Fonts, DocumentError> {
    FONTS
        .as_ref()
        .ok_or_else(|| DocumentError("the embedded font cannot be read".into()))
}

impl Fonts {
    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// The printed width of `text` at `size` points.
    pub fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let face = self.face(bold);
        text.chars().map(|c| face.advance(c)).sum::<f32>() * size
    }

    /// Where the baseline of a line of `size` points sits below the top of a band `height`
    /// tall, with the glyphs' full extent centred in the band.
    pub fn baseline(&self, size: f32, height: f32) -> f32 {
        let f = &self.regular;
        (height - (f.ascent + f.descent) * size) / 2.0 + f.ascent * size
    }
}

struct Face {
    pdf: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    /// Per em, descent positive.
    ascent: f32,
    descent: f32,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let font = skrifa::FontRef::new(data).ok()?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(m.units_per_em);
        Some(Face {
            pdf: Font::new(data.into(), 0)?,
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            ascent: m.ascent / units_per_em,
            descent: -m.descent / units_per_em,
            units_per_em,
        })
    }

    /// The character this face prints for `c`: itself, or the replacement character.
    fn printable(&self, c: char) -> char {
        // Control characters (newlines, tabs) would print as boxes; a value's line breaks
        // become spaces and the layout decides where lines break.
        let c = if c.is_control() { ' ' } else { c };
        if self.charmap.map(c).is_some() {
            c
        } else {
            REPLACEMENT
        }
    }

    fn glyph(&self, c: char) -> GlyphId {
        let id = self
            .charmap
            .map(self.printable(c))
            .map_or(0, |g| g.to_u32());
        GlyphId::new(id)
    }

    /// Advance of `c` in ems.
    fn advance(&self, c: char) -> f32 {
        let id = self.charmap.map(self.printable(c)).unwrap_or_default();
        self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color(u8, u8, u8);

pub const BLACK: Color = Color(0, 0, 0);
/// Secondary text: captions, footers.
pub const GRAY: Color = Color(85, 85, 85);
/// Rules between rows.
pub const RULE: Color = Color(160, 160, 160);
/// Background of section headings.
pub const SHADE: Color = Color(230, 230, 230);
pub const RED: Color = Color(176, 0, 0);
/// Behind the void notice.
pub const PALE_RED: Color = Color(252, 236, 236);
pub const GREEN: Color = Color(0, 112, 48);

/// One drawing operation, in points from the top left of the page (or of its band, until the
/// band is placed).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        color: Color,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    },
}

impl Op {
    fn shifted(mut self, dy: f32) -> Op {
        match &mut self {
            Op::Text { baseline, .. } => *baseline += dy,
            Op::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
            Op::Rect { y, .. } => *y += dy,
        }
        self
    }
}

/// A run of text in one weight and colour.
#[derive(Clone, Debug)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub color: Color,
}

pub fn regular(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        bold: false,
        color: BLACK,
    }
}

pub fn bold(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        bold: true,
        color: BLACK,
    }
}

/// A label and its value, printed "Label: value" with the label in bold. Label and value are
/// drawn edge to edge, so text extraction reads them back on one line exactly as written.
pub fn labelled(label: &str, value: &str) -> Vec<Span> {
    vec![bold(format!("{label}: ")), regular(value)]
}

/// A run placed on a line, `dx` from the line's start.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub dx: f32,
    pub text: String,
    pub bold: bool,
    pub color: Color,
}

/// One styled character, already mapped to what the font prints.
#[derive(Clone, Copy)]
struct Styled {
    c: char,
    bold: bool,
    color: Color,
}

/// Breaks `spans` into lines no wider than `width`: at spaces, and inside a word only when the
/// word alone is wider than a line (a long UID or an unbroken string of characters). Lines after
/// the first start `hang` points in, and are that much narrower. Runs of spaces print as one.
pub fn wrap(fonts: &Fonts, spans: &[Span], size: f32, width: f32, hang: f32) -> Vec<Vec<Placed>> {
    let mut words: Vec<(Vec<Styled>, Option<Styled>)> = Vec::new();
    let mut word: Vec<Styled> = Vec::new();
    for s in spans {
        let face = fonts.face(s.bold);
        for c in s.text.chars() {
            let c = face.printable(c);
            let st = Styled {
                c,
                bold: s.bold,
                color: s.color,
            };
            if c == ' ' {
                // The space after a word keeps its own style: a bold label's trailing space is
                // as wide as the bold font says.
                if !word.is_empty() {
                    words.push((std::mem::take(&mut word), Some(st)));
                }
            } else {
                word.push(st);
            }
        }
    }
    if !word.is_empty() {
        words.push((word, None));
    }

    let w = |cs: &[Styled]| -> f32 {
        cs.iter()
            .map(|s| fonts.face(s.bold).advance(s.c))
            .sum::<f32>()
            * size
    };
    let mut lines: Vec<Vec<Styled>> = Vec::new();
    let mut cur: Vec<Styled> = Vec::new();
    // Width of `cur`, and the space that would separate it from the next word.
    let mut cur_w = 0.0;
    let mut gap: Option<Styled> = None;
    let avail = |lines: &Vec<Vec<Styled>>| {
        if lines.is_empty() {
            width
        } else {
            width - hang
        }
    };
    for (word, space) in words {
        let ww = w(&word);
        if !cur.is_empty() {
            let gw = gap.map_or(0.0, |g| w(&[g]));
            if cur_w + gw + ww <= avail(&lines) {
                cur.extend(gap);
                cur.extend(word);
                cur_w += gw + ww;
                gap = space;
                continue;
            }
            lines.push(std::mem::take(&mut cur));
            cur_w = 0.0;
        }
        if ww <= avail(&lines) {
            cur = word;
            cur_w = ww;
        } else {
            // Too long for any line: cut it where the line is full. At least one character goes
            // on each line, so even a margin narrower than a glyph cannot loop forever.
            for st in word {
                let cw = w(&[st]);
                if !cur.is_empty() && cur_w + cw > avail(&lines) {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0.0;
                }
                cur.push(st);
                cur_w += cw;
            }
        }
        gap = space;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }

    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut x = if i == 0 { 0.0 } else { hang };
            let mut runs: Vec<Placed> = Vec::new();
            for st in line {
                let adv = fonts.face(st.bold).advance(st.c) * size;
                match runs.last_mut() {
                    Some(r) if r.bold == st.bold && r.color == st.color => r.text.push(st.c),
                    _ => runs.push(Placed {
                        dx: x,
                        text: st.c.to_string(),
                        bold: st.bold,
                        color: st.color,
                    }),
                }
                x += adv;
            }
            runs
        })
        .collect()
}

/// A horizontal strip of a page: one line of text, a rule, a box. Pages break between bands.
#[derive(Clone, Debug, Default)]
pub struct Band {
    pub height: f32,
    pub ops: Vec<Op>,
}

impl Band {
    pub fn empty(height: f32) -> Band {
        Band {
            height,
            ops: Vec::new(),
        }
    }

    /// Several bands as one, which never breaks across pages (a repeated table heading).
    pub fn stack(bands: Vec<Band>) -> Band {
        let mut out = Band::empty(0.0);
        for b in bands {
            let dy = out.height;
            out.ops.extend(b.ops.into_iter().map(|op| op.shifted(dy)));
            out.height += b.height;
        }
        out
    }

    /// Adds a line of placed runs starting at `x`.
    pub fn text(&mut self, fonts: &Fonts, x: f32, size: f32, runs: Vec<Placed>) {
        let baseline = fonts.baseline(size, self.height);
        for r in runs {
            if r.text.trim().is_empty() {
                continue;
            }
            self.ops.push(Op::Text {
                x: x + r.dx,
                baseline,
                size,
                bold: r.bold,
                color: r.color,
                text: r.text,
            });
        }
    }
}

/// One column of a row: spans wrapped in `width` from `x`, continuation lines `hang` in.
#[derive(Clone, Debug)]
pub struct Cell {
    pub x: f32,
    pub width: f32,
    pub spans: Vec<Span>,
    pub hang: f32,
}

/// Lays cells out side by side, each wrapped in its own column; the row is as many bands as its
/// tallest cell.
pub fn columns(fonts: &Fonts, cells: Vec<Cell>, size: f32, leading: f32) -> Vec<Band> {
    let wrapped: Vec<(f32, Vec<Vec<Placed>>)> = cells
        .into_iter()
        .map(|c| (c.x, wrap(fonts, &c.spans, size, c.width, c.hang)))
        .collect();
    lines_to_bands(fonts, wrapped, size, leading)
}

/// Bands for columns of already broken lines, `(x, lines)` each.
pub fn lines_to_bands(
    fonts: &Fonts,
    cols: Vec<(f32, Vec<Vec<Placed>>)>,
    size: f32,
    leading: f32,
) -> Vec<Band> {
    let n = cols.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    (0..n)
        .map(|i| {
            let mut band = Band::empty(leading);
            for (x, lines) in &cols {
                if let Some(l) = lines.get(i) {
                    band.text(fonts, *x, size, l.clone());
                }
            }
            band
        })
        .collect()
}

/// A paragraph from `x`, `width` wide.
pub fn paragraph(
    fonts: &Fonts,
    spans: Vec<Span>,
    x: f32,
    width: f32,
    size: f32,
    leading: f32,
    hang: f32,
) -> Vec<Band> {
    let cell = Cell {
        x,
        width,
        spans,
        hang,
    };
    columns(fonts, vec![cell], size, leading)
}

/// Where a line of placed runs ends.
pub fn line_end(fonts: &Fonts, line: &[Placed], size: f32) -> f32 {
    line.last()
        .map_or(0.0, |r| r.dx + fonts.width(&r.text, r.bold, size))
}

/// Sets short items (label and value pairs) side by side, `gap` apart, as many to a line as fit;
/// an item is never split between lines unless it is longer than a line by itself.
pub fn pack(
    fonts: &Fonts,
    items: Vec<Vec<Span>>,
    size: f32,
    width: f32,
    gap: f32,
    hang: f32,
) -> Vec<Vec<Placed>> {
    let mut out: Vec<Vec<Placed>> = Vec::new();
    let mut cur: Vec<Placed> = Vec::new();
    let mut x = 0.0;
    for spans in items {
        let mut lines = wrap(fonts, &spans, size, width, hang);
        if lines.len() != 1 {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.extend(lines);
            continue;
        }
        let line = lines.remove(0);
        let w = line_end(fonts, &line, size);
        if !cur.is_empty() && x + gap + w <= width {
            let dx = x + gap;
            cur.extend(line.into_iter().map(|mut r| {
                r.dx += dx;
                r
            }));
            x = dx + w;
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur = line;
        x = w;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Pours bands onto pages, top to bottom.
pub struct Flow {
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    /// Printed at the top of every page after the first.
    running: Vec<Band>,
    /// Printed beneath the running header while a list runs onto a new page.
    continued: Option<Band>,
    /// Where this page's content starts, below any running header.
    content_top: f32,
}

impl Flow {
    pub fn new(running: Vec<Band>) -> Flow {
        Flow {
            pages: Vec::new(),
            ops: Vec::new(),
            y: TOP,
            running,
            continued: None,
            content_top: TOP,
        }
    }

    /// What a fresh continuation page can hold.
    fn capacity(&self) -> f32 {
        let head: f32 = self.running.iter().map(|b| b.height).sum::<f32>()
            + self.continued.as_ref().map_or(0.0, |b| b.height);
        BOTTOM - TOP - head
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Sets or clears the band repeated at the top of the next pages.
    pub fn set_continued(&mut self, band: Option<Band>) {
        self.continued = band;
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = TOP;
        let head: Vec<Band> = self
            .running
            .iter()
            .chain(self.continued.as_ref())
            .cloned()
            .collect();
        for b in head {
            self.put(b);
        }
        self.content_top = self.y;
    }

    fn at_page_top(&self) -> bool {
        self.y <= self.content_top + 0.01
    }

    fn put(&mut self, band: Band) {
        let y = self.y;
        self.ops
            .extend(band.ops.into_iter().map(|op| op.shifted(y)));
        self.y += band.height;
    }

    /// Vertical space, dropped at the top of a page where it would only push content down.
    pub fn space(&mut self, h: f32) {
        if self.at_page_top() {
            return;
        }
        if h >= self.room() {
            self.new_page();
        } else {
            self.y += h;
        }
    }

    /// Places `bands` in order. A block that fits on a page is kept on one page (moved to the
    /// next when it does not fit in what is left); a longer one breaks between bands.
    pub fn block(&mut self, bands: Vec<Band>) {
        let h: f32 = bands.iter().map(|b| b.height).sum();
        if h > self.room() && h <= self.capacity() && !self.at_page_top() {
            self.new_page();
        }
        for b in bands {
            if b.height > self.room() && !self.at_page_top() {
                self.new_page();
            }
            self.put(b);
        }
    }

    pub fn finish(mut self) -> Vec<Vec<Op>> {
        self.pages.push(self.ops);
        self.pages
    }
}

/// A thin rule across the text width, in a band `height` tall.
pub fn rule_band(height: f32, width: f32, color: Color) -> Band {
    Band {
        height,
        ops: vec![Op::Line {
            x1: LEFT,
            y1: height / 2.0,
            x2: RIGHT,
            y2: height / 2.0,
            width,
            color,
        }],
    }
}

/// Writes the pages out, with `footer` at the bottom left and "Page N of M" at the bottom right
/// of every page.
pub fn render(
    fonts: &Fonts,
    title: &str,
    footer: &str,
    pages: Vec<Vec<Op>>,
) -> Result<Vec<u8>, DocumentError> {
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .producer("tagtrail".into())
            .language("en-US".into()),
    );
    let total = pages.len();
    for (i, mut ops) in pages.into_iter().enumerate() {
        ops.extend(footer_ops(fonts, footer, i + 1, total));
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| DocumentError("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(fonts, &mut surface, op);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| DocumentError(e.to_string()))
}

/// Writes one page `width` × `height` points as drawn, without a footer: a label.
pub fn render_page(
    fonts: &Fonts,
    title: &str,
    width: f32,
    height: f32,
    ops: Vec<Op>,
) -> Result<Vec<u8>, DocumentError> {
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .producer("tagtrail".into())
            .language("en-US".into()),
    );
    let settings =
        PageSettings::from_wh(width, height).ok_or_else(|| DocumentError("page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    for op in ops {
        draw(fonts, &mut surface, op);
    }
    surface.finish();
    page.finish();
    doc.finish().map_err(|e| DocumentError(e.to_string()))
}

fn footer_ops(fonts: &Fonts, footer: &str, n: usize, total: usize) -> Vec<Op> {
    let page = format!("Page {n} of {total}");
    let page_w = fonts.width(&page, false, FOOTER_SIZE);
    let baseline = FOOTER_RULE + 12.0;
    let mut ops = vec![Op::Line {
        x1: LEFT,
        y1: FOOTER_RULE,
        x2: RIGHT,
        y2: FOOTER_RULE,
        width: 0.5,
        color: RULE,
    }];
    // The footer only identifies the document; the body carries the full text, so an overlong
    // footer keeps its first line rather than running into the page number.
    let room = WIDTH - page_w - 24.0;
    if let Some(line) = wrap(fonts, &[regular(footer)], FOOTER_SIZE, room, 0.0)
        .into_iter()
        .next()
    {
        for r in line {
            ops.push(Op::Text {
                x: LEFT + r.dx,
                baseline,
                size: FOOTER_SIZE,
                bold: r.bold,
                color: GRAY,
                text: r.text,
            });
        }
    }
    ops.push(Op::Text {
        x: RIGHT - page_w,
        baseline,
        size: FOOTER_SIZE,
        bold: false,
        color: GRAY,
        text: page,
    });
    ops
}

fn paint(c: Color) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn draw(fonts: &Fonts, surface: &mut Surface<'_>, op: Op) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            bold,
            color,
            text,
        } => {
            let face = fonts.face(bold);
            // Text from `wrap` is already mapped; fixed text placed directly may not be. Each
            // glyph must stand for one character for the ToUnicode map to read back right.
            let text: String = text.chars().map(|c| face.printable(c)).collect();
            let glyphs: Vec<KrillaGlyph> = text
                .char_indices()
                .map(|(i, c)| {
                    KrillaGlyph::new(
                        face.glyph(c),
                        face.advance(c),
                        0.0,
                        0.0,
                        0.0,
                        i..i + c.len_utf8(),
                        None,
                    )
                })
                .collect();
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: paint(color),
                opacity: NormalizedF32::ONE,
                rule: FillRule::NonZero,
            }));
            surface.draw_glyphs(
                Point::from_xy(x, baseline),
                &glyphs,
                face.pdf.clone(),
                &text,
                size,
                false,
            );
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(x1, y1);
            pb.line_to(x2, y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: paint(color),
                    width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let mut pb = PathBuilder::new();
            let Some(rect) = Rect::from_xywh(x, y, w, h) else {
                return;
            };
            pb.push_rect(rect);
            let Some(path) = pb.finish() else {
                return;
            };
            surface.set_fill(fill.map(|c| Fill {
                paint: paint(c),
                opacity: NormalizedF32::ONE,
                rule: FillRule::NonZero,
            }));
            surface.set_stroke(stroke.map(|(c, width)| Stroke {
                paint: paint(c),
                width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
    }
}

/// Test support: the text a page carries, read back the way a viewer or a parser would.
#[cfg(test)]
pub mod testing {
    /// The text of each page of `pdf`, extracted through the fonts' ToUnicode maps.
    pub fn page_texts(pdf: &[u8]) -> Vec<String> {
        pdf_extract::extract_text_from_mem_by_pages(pdf).unwrap()
    }

    /// The whole text with runs of whitespace collapsed to one space, so a wrapped value can be
    /// compared with what was written.
    pub fn flat(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text line by line, spaces within a line collapsed: the extractor puts a space of its
    /// own between separately drawn runs ("Label: " and "value"), which a reader does not see.
    /// Line breaks stay, so a needle found here was printed on one line.
    pub fn lines(text: &str) -> String {
        text.lines()
            .map(flat)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> &'static Fonts {
        fonts().unwrap()
    }

    #[test]
    fn widths_come_from_the_font() {
        let fonts = f();
        // DejaVu Sans: "i" is narrower than "W", bold wider than regular, and size scales.
        assert!(fonts.width("i", false, 10.0) < fonts.width("W", false, 10.0));
        assert!(fonts.width("Peña", true, 10.0) > fonts.width("Peña", false, 10.0));
        let w10 = fonts.width("Müller", false, 10.0);
        assert!((fonts.width("Müller", false, 20.0) - 2.0 * w10).abs() < 0.001);
        // A character the font lacks is as wide as the replacement it prints as.
        assert_eq!(
            fonts.width("\u{1F33F}", false, 10.0),
            fonts.width("\u{FFFD}", false, 10.0)
        );
    }

    #[test]
    fn wrap_keeps_short_text_whole_and_breaks_long_text_within_width() {
        let fonts = f();
        let spans = labelled("A", "1");
        let lines = wrap(fonts, &spans, 10.0, 200.0, 0.0);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0][0].text, "A: ");
        assert_eq!(lines[0][1].text, "1");
        // The value starts exactly where the label's advance ends.
        assert!((lines[0][1].dx - fonts.width("A: ", true, 10.0)).abs() < 0.001);

        let long = vec![regular("word ".repeat(50))];
        let lines = wrap(fonts, &long, 10.0, 200.0, 12.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| line_end(fonts, l, 10.0) <= 200.01));
        assert!((lines[1][0].dx - 12.0).abs() < 0.001, "hanging indent");

        let lines = wrap(fonts, &[regular("Z".repeat(500))], 9.0, 150.0, 10.0);
        assert!(lines.iter().all(|l| line_end(fonts, l, 9.0) <= 150.01));
        let kept: usize = lines.iter().flatten().map(|r| r.text.chars().count()).sum();
        assert_eq!(kept, 500, "a word cut across lines loses nothing");
    }

    /// Short label and value pairs share a line; one too long for the rest of a line starts a
    /// new one; one longer than a line wraps on lines of its own.
    #[test]
    fn pack_keeps_short_fields_together_and_wraps_long_ones() {
        let fonts = f();
        let short = vec![labelled("A", "1"), labelled("B", "2")];
        let lines = pack(fonts, short, 10.0, 300.0, 16.0, 10.0);
        assert_eq!(lines.len(), 1);
        let texts: Vec<&str> = lines[0].iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["A: ", "1", "B: ", "2"]);
        let b = &lines[0][2];
        assert!(
            (b.dx - (fonts.width("A: ", true, 10.0) + fonts.width("1", false, 10.0) + 16.0)).abs()
                < 0.01
        );

        let items = vec![
            labelled("A", "1"),
            labelled("Long", &"word ".repeat(50)),
            labelled("B", "2"),
        ];
        let lines = pack(fonts, items, 10.0, 300.0, 16.0, 10.0);
        assert!(lines.len() > 3);
        assert_eq!(lines[0].len(), 2, "A alone: Long does not fit beside it");
        assert!(lines.iter().all(|l| line_end(fonts, l, 10.0) <= 300.01));
        let z = pack(
            fonts,
            vec![vec![regular("Z".repeat(500))]],
            9.0,
            150.0,
            16.0,
            10.0,
        );
        assert!(z.iter().all(|l| line_end(fonts, l, 9.0) <= 150.01));
    }

    #[test]
    fn unprintable_characters_become_visible_replacements() {
        let fonts = f();
        let lines = wrap(fonts, &[regular("a\tb\nc \u{1F33F}")], 10.0, 500.0, 0.0);
        assert_eq!(lines[0][0].text, "a b c \u{FFFD}");
    }

    #[test]
    fn flow_breaks_pages_and_keeps_blocks_together() {
        let mut flow = Flow::new(vec![Band::empty(20.0)]);
        for _ in 0..100 {
            flow.block(vec![Band::empty(30.0), Band::empty(30.0)]);
        }
        let pages = flow.finish();
        // 698 pt per page; continuation pages lose 20 pt to the running header.
        let first = ((BOTTOM - TOP) / 60.0).floor();
        let rest = ((BOTTOM - TOP - 20.0) / 60.0).floor();
        let expected = 1 + ((100.0 - first) / rest).ceil() as usize;
        assert_eq!(pages.len(), expected);
    }

    #[test]
    fn render_writes_pages_with_page_numbers() {
        let fonts = f();
        let mut flow = Flow::new(Vec::new());
        for i in 0..120 {
            flow.block(paragraph(
                fonts,
                labelled("Line", &format!("{i} Zoë Ångström")),
                LEFT,
                WIDTH,
                10.0,
                14.0,
                0.0,
            ));
        }
        let pdf = render(fonts, "t", "Footer", flow.finish()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let pages = testing::page_texts(&pdf);
        assert_eq!(pages.len(), 3);
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains(&format!("Page {} of 3", i + 1)), "{p}");
        }
        assert!(testing::lines(&pages[0]).contains("Line: 0 Zoë Ångström"));
    }
}
