//! PDF documents (printpdf) with a Chinese font embedded as a subset: the signed commitment
//! letter now; notices and licences later use the same renderer. Text is laid out line by line
//! on A4 pages: a CJK character is one em wide, an ASCII character half an em, which is how
//! the WenQuanYi Micro Hei font (Apache-2.0, Debian's `fonts-wqy-microhei`) draws them.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Context as _;
use printpdf::{
    Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

/// Where Debian installs WenQuanYi Micro Hei (`apt-get install fonts-wqy-microhei`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
const MARGIN_MM: f32 = 20.0;
const MM_PER_PT: f32 = 0.352_778;

/// One block of text: a size and its lines (wrapped to the page width when laid out).
pub struct Block {
    pub size_pt: f32,
    pub text: String,
}

/// The renderer: the font file, parsed once on first use.
pub struct PdfRenderer {
    font_path: PathBuf,
    font: OnceLock<Result<ParsedFont, String>>,
}

impl PdfRenderer {
    pub fn new(font_path: PathBuf) -> Self {
        Self {
            font_path,
            font: OnceLock::new(),
        }
    }

    fn font(&self) -> anyhow::Result<&ParsedFont> {
        self.font
            .get_or_init(|| {
                let bytes = std::fs::read(&self.font_path)
                    .map_err(|error| format!("reading {}: {error}", self.font_path.display()))?;
                ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
                    .ok_or_else(|| format!("{} is not a usable font", self.font_path.display()))
            })
            .as_ref()
            .map_err(|error| anyhow::anyhow!("PDF font: {error} (install fonts-wqy-microhei)"))
    }

    /// Lays `blocks` out on as many A4 pages as they need; `title` goes into the document
    /// information.
    pub fn render(&self, title: &str, blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
        let font = self.font().context("loading the PDF font")?;
        let mut document = PdfDocument::new(title);
        let font_id = document.add_font(font);
        let usable_height = PAGE_HEIGHT_MM - 2.0 * MARGIN_MM;
        let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
        let mut used = 0.0_f32;
        for block in blocks {
            let line_mm = block.size_pt * 1.6 * MM_PER_PT;
            for line in wrap(&block.text, block.size_pt) {
                if used + line_mm > usable_height {
                    pages.push(Vec::new());
                    used = 0.0;
                }
                used += line_mm;
                let y = PAGE_HEIGHT_MM - MARGIN_MM - used;
                if let Some(ops) = pages.last_mut() {
                    ops.extend([
                        Op::StartTextSection,
                        Op::SetFont {
                            font: PdfFontHandle::External(font_id.clone()),
                            size: Pt(block.size_pt),
                        },
                        Op::SetTextCursor {
                            pos: Point {
                                x: Mm(MARGIN_MM).into_pt(),
                                y: Mm(y).into_pt(),
                            },
                        },
                        Op::ShowText {
                            items: vec![TextItem::Text(line)],
                        },
                        Op::EndTextSection,
                    ]);
                }
            }
        }
        let pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM), ops))
            .collect();
        Ok(document
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new()))
    }
}

/// Width of a character in ems: CJK and other wide characters 1, ASCII 0.5.
fn ems(c: char) -> f32 {
    if c.is_ascii() { 0.55 } else { 1.0 }
}

/// Splits text into lines that fit the page width at `size_pt` (explicit newlines kept, empty
/// lines kept as spacing).
fn wrap(text: &str, size_pt: f32) -> Vec<String> {
    let width_ems = (PAGE_WIDTH_MM - 2.0 * MARGIN_MM) / (size_pt * MM_PER_PT);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for c in paragraph.chars() {
            if used + ems(c) > width_ems && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            line.push(c);
            used += ems(c);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_renders_with_a_small_embedded_font_subset() {
        let renderer = PdfRenderer::new(PathBuf::from(DEFAULT_FONT));
        let bytes = renderer
            .render(
                "Commitment test",
                &[
                    Block {
                        size_pt: 16.0,
                        text: "告知承诺书（电子签署件）".into(),
                    },
                    Block {
                        size_pt: 11.0,
                        text: "本人申请办理食品经营许可，现郑重承诺：……\n承诺人：王开店 2026-11-24"
                            .repeat(40),
                    },
                ],
            )
            .unwrap_or_else(|error| {
                panic!("rendering (is fonts-wqy-microhei installed?): {error:#}")
            });
        assert!(bytes.starts_with(b"%PDF-"));
        // A subset: the whole font is about 5 MB.
        assert!(bytes.len() < 300_000, "{} bytes", bytes.len());
        if let Ok(path) = std::env::var("BJM_KEEP_TEST_PDF") {
            let _ = std::fs::write(path, &bytes);
        }
    }

    #[test]
    fn long_chinese_lines_wrap_to_the_page_and_newlines_are_kept() {
        let text = format!("{}\n\n短", "承".repeat(100));
        let lines = wrap(&text, 11.0);
        // 170 mm at 11 pt is 43 full-width characters.
        assert_eq!(lines[0].chars().count(), 43);
        assert_eq!(lines.iter().filter(|line| line.is_empty()).count(), 1);
        assert_eq!(lines.last().map(String::as_str), Some("短"));
    }
}
