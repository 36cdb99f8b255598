//! PDF documents (printpdf) with a Chinese font embedded as a subset: the signed commitment
//! letter, the notices (受理, 不予受理, 补正) as flowing text on A4 pages, and licences
//! ([`LicenceSheet`]) on a landscape certificate page with a border, the fields, the issuing
//! authority, the seal area and the verification QR code drawn as vector squares. A CJK character
//! is one em wide, an ASCII character about half an em, which is how the WenQuanYi Micro Hei
//! font (Apache-2.0, Debian's `fonts-wqy-microhei`) draws them.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Context as _;
use printpdf::{
    Color, FontId, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, WindingOrder,
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
        save(document.with_pages(pages))
    }
}

/// Serialises a document with its font subset embedded and its streams compressed.
///
/// printpdf's own `save` compresses every stream at zlib's best level, which took two thirds of
/// a licence's render time; the default level makes the file a few per cent larger and the
/// render about three times faster (docs/benchmarks.md, "Issuance").
fn save(document: &PdfDocument) -> anyhow::Result<Vec<u8>> {
    use std::io::Write as _;

    let options = PdfSaveOptions {
        optimize: false,
        ..PdfSaveOptions::default()
    };
    let mut pdf = document.to_lopdf_document(&options, &mut Vec::new());
    for object in pdf.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let mut encoder =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            encoder
                .write_all(&stream.content)
                .context("compressing a PDF stream")?;
            let compressed = encoder.finish().context("compressing a PDF stream")?;
            if compressed.len() < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes).context("writing the PDF")?;
    Ok(bytes)
}

/// A licence to draw: everything printed on it, already in words.
pub struct LicenceSheet {
    /// 营业执照, 食品经营许可证 …
    pub title: String,
    /// The number line above the fields (`统一社会信用代码 92320113…`).
    pub number_line: String,
    /// Label and value, in print order.
    pub fields: Vec<(String, String)>,
    /// 登记机关 / 发证机关 and its name.
    pub authority_label: String,
    pub authority: String,
    /// `2026年11月25日`.
    pub issued_on: String,
    /// What the QR code encodes (the verification URL with the token).
    pub qr_payload: String,
    /// Printed under the QR code and in the footer.
    pub verify_hint: String,
    pub footer: String,
    /// Creation date in the document information (seconds), so a re-render is identical.
    pub issued_at_s: i64,
}

const LICENCE_WIDTH_MM: f32 = 297.0;
const LICENCE_HEIGHT_MM: f32 = 210.0;

fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

fn point(x_mm: f32, y_mm: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Mm(x_mm).into_pt(),
            y: Mm(y_mm).into_pt(),
        },
        bezier: false,
    }
}

fn rectangle_ring(x: f32, y: f32, width: f32, height: f32) -> PolygonRing {
    PolygonRing {
        points: vec![
            point(x, y),
            point(x + width, y),
            point(x + width, y + height),
            point(x, y + height),
        ],
    }
}

/// A closed circle outline approximated by a polygon (72 sides: smooth at seal size).
fn circle_ring(centre_x: f32, centre_y: f32, radius: f32) -> PolygonRing {
    PolygonRing {
        points: (0..72)
            .map(|step| {
                let angle = std::f32::consts::TAU * step as f32 / 72.0;
                point(
                    centre_x + radius * angle.cos(),
                    centre_y + radius * angle.sin(),
                )
            })
            .collect(),
    }
}

fn text_width_mm(text: &str, size_pt: f32) -> f32 {
    text.chars().map(ems).sum::<f32>() * size_pt * MM_PER_PT
}

fn text_op(ops: &mut Vec<Op>, font: &FontId, size_pt: f32, x_mm: f32, y_mm: f32, text: &str) {
    ops.extend([
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(font.clone()),
            size: Pt(size_pt),
        },
        Op::SetTextCursor {
            pos: Point {
                x: Mm(x_mm).into_pt(),
                y: Mm(y_mm).into_pt(),
            },
        },
        Op::ShowText {
            items: vec![TextItem::Text(text.to_owned())],
        },
        Op::EndTextSection,
    ]);
}

/// Splits text into lines of at most `width_mm` at `size_pt`.
fn wrap_to(text: &str, size_pt: f32, width_mm: f32) -> Vec<String> {
    let width_ems = width_mm / (size_pt * MM_PER_PT);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        if c == '\n' || (used + ems(c) > width_ems && !line.is_empty()) {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
            if c == '\n' {
                continue;
            }
        }
        line.push(c);
        used += ems(c);
    }
    lines.push(line);
    lines
}

/// The QR code's dark modules as filled rectangles, one per horizontal run (a `re` operator
/// each: a fifth of the content a polygon ring per run needs).
fn qr_ops(
    ops: &mut Vec<Op>,
    payload: &str,
    x_mm: f32,
    y_mm: f32,
    size_mm: f32,
) -> anyhow::Result<()> {
    let code = fast_qr::QRBuilder::new(payload)
        .ecl(fast_qr::ECL::M)
        .build()
        .map_err(|error| anyhow::anyhow!("encoding the QR code: {error:?}"))?;
    let width = code.size;
    let dark = |row: usize, column: usize| code.data[row * width + column].value();
    // A quiet zone of four modules on each side.
    let module = size_mm / (width as f32 + 8.0);
    ops.push(Op::SetFillColor {
        col: rgb(0.0, 0.0, 0.0),
    });
    for row in 0..width {
        let mut column = 0;
        while column < width {
            if dark(row, column) {
                let start = column;
                while column < width && dark(row, column) {
                    column += 1;
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Mm(x_mm + (start as f32 + 4.0) * module).into_pt(),
                        y: Mm(y_mm + size_mm - (row as f32 + 5.0) * module).into_pt(),
                        width: Mm((column - start) as f32 * module).into_pt(),
                        height: Mm(module).into_pt(),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            } else {
                column += 1;
            }
        }
    }
    Ok(())
}

impl PdfRenderer {
    /// Draws a licence on one landscape A4 page.
    pub fn render_licence(&self, sheet: &LicenceSheet) -> anyhow::Result<Vec<u8>> {
        let font = self.font().context("loading the PDF font")?;
        let mut document = PdfDocument::new(&sheet.title);
        if let Ok(at) = printpdf::OffsetDateTime::from_unix_timestamp(sheet.issued_at_s) {
            document.metadata.info.creation_date = at;
            document.metadata.info.modification_date = at;
            document.metadata.info.metadata_date = at;
        }
        document.metadata.info.producer = "不见面审批 Online Approval Portal".into();
        let font_id = document.add_font(font);
        let mut ops = Vec::new();
        let (width, height) = (LICENCE_WIDTH_MM, LICENCE_HEIGHT_MM);
        // Border: an outer line and an inner line, in the dark red of printed licences.
        let red = rgb(0.72, 0.1, 0.1);
        ops.push(Op::SetOutlineColor { col: red.clone() });
        ops.push(Op::SetOutlineThickness { pt: Pt(2.0) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![rectangle_ring(8.0, 8.0, width - 16.0, height - 16.0)],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
        ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![rectangle_ring(11.0, 11.0, width - 22.0, height - 22.0)],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
        // Title, spaced like the printed ones.
        ops.push(Op::SetFillColor {
            col: rgb(0.0, 0.0, 0.0),
        });
        let spaced: String = sheet
            .title
            .chars()
            .flat_map(|c| [c, ' '])
            .collect::<String>()
            .trim_end()
            .to_owned();
        let title_pt = if sheet.title.chars().count() > 8 {
            22.0
        } else {
            30.0
        };
        let title_width = text_width_mm(&spaced, title_pt);
        text_op(
            &mut ops,
            &font_id,
            title_pt,
            (width - title_width) / 2.0,
            height - 38.0,
            &spaced,
        );
        text_op(
            &mut ops,
            &font_id,
            11.0,
            24.0,
            height - 52.0,
            &sheet.number_line,
        );
        // QR code, top right, with its hint.
        let qr_size = 38.0;
        let qr_x = width - 24.0 - qr_size;
        let qr_y = height - 24.0 - qr_size;
        qr_ops(&mut ops, &sheet.qr_payload, qr_x, qr_y, qr_size)?;
        for (index, line) in wrap_to(&sheet.verify_hint, 7.0, qr_size).iter().enumerate() {
            text_op(
                &mut ops,
                &font_id,
                7.0,
                qr_x,
                qr_y - 4.0 - index as f32 * 3.2,
                line,
            );
        }
        // Fields: label column and wrapped values.
        let label_x = 30.0;
        let value_x = 66.0;
        let value_width = width - value_x - 80.0;
        let mut y = height - 66.0;
        for (label, value) in &sheet.fields {
            text_op(&mut ops, &font_id, 11.5, label_x, y, label);
            for line in wrap_to(value, 11.5, value_width) {
                text_op(&mut ops, &font_id, 11.5, value_x, y, &line);
                y -= 6.8;
            }
            y -= 2.2;
        }
        // Authority, date and the seal area (bottom right).
        let seal_x = width - 62.0;
        let seal_y = 46.0;
        text_op(
            &mut ops,
            &font_id,
            12.0,
            seal_x - 42.0,
            50.0,
            &sheet.authority_label,
        );
        text_op(
            &mut ops,
            &font_id,
            12.0,
            seal_x - 42.0,
            42.0,
            &sheet.authority,
        );
        text_op(
            &mut ops,
            &font_id,
            12.0,
            seal_x - 42.0,
            34.0,
            &sheet.issued_on,
        );
        ops.push(Op::SetOutlineColor { col: red.clone() });
        ops.push(Op::SetOutlineThickness { pt: Pt(1.6) });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![circle_ring(seal_x + 20.0, seal_y, 19.0)],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
        ops.push(Op::SetFillColor { col: red });
        let star = "★";
        text_op(
            &mut ops,
            &font_id,
            18.0,
            seal_x + 20.0 - text_width_mm(star, 18.0) / 2.0,
            seal_y - 3.0,
            star,
        );
        let seal_text = "电子印章";
        text_op(
            &mut ops,
            &font_id,
            8.0,
            seal_x + 20.0 - text_width_mm(seal_text, 8.0) / 2.0,
            seal_y - 11.0,
            seal_text,
        );
        ops.push(Op::SetFillColor {
            col: rgb(0.25, 0.25, 0.25),
        });
        for (index, line) in wrap_to(&sheet.footer, 7.5, width - 48.0).iter().enumerate() {
            text_op(
                &mut ops,
                &font_id,
                7.5,
                24.0,
                20.0 - index as f32 * 3.4,
                line,
            );
        }
        let page = PdfPage::new(Mm(width), Mm(height), ops);
        save(document.with_pages(vec![page]))
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
