//! Turns the `<text>` elements of a chart's SVG into glyph outlines (`<path>`), so the SVG shows
//! the same letters on every machine, with or without a Chinese font: SVG cannot carry a font
//! subset that browsers accept without a subsetter that keeps the `cmap`, and the bundled font
//! (3.4 MB) is too large to embed in every chart.
//!
//! plotters' SVG backend writes each label as
//! `<text x=".." y=".." dy=".." text-anchor=".." font-family=".." font-size=".." opacity=".." fill=".." [transform=".."]>TEXT</text>`,
//! with `font-size` the em in pixels and `dy` one of `0.76em` (top), `0.5ex` (centre) or
//! `-0.5ex` (bottom). Each becomes a `<g>` with the same fill, opacity and transform, an
//! `aria-label` holding the text (so it can still be found and read aloud), and one path of all
//! its glyphs, placed as the bitmap backend places them (`backend.rs`: pen advance and kerning
//! from the font, half an x-height for centred anchors).

use std::fmt::Write as _;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve, Point};

/// Half an x-height in em (as in `backend.rs`).
const HALF_EX: f32 = 0.27;

/// The value of attribute `name` in the attribute text of an element.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = attrs.find(&key)? + key.len();
    let end = attrs[start..].find('"')? + start;
    Some(&attrs[start..end])
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The glyphs of `text` with the pen position of each, in font units (advances and kerning
/// from the font), and the whole advance.
fn layout(font: &FontRef, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
    let mut pen = 0.0;
    let mut prev = None;
    let mut glyphs = Vec::new();
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            pen += font.kern_unscaled(p, id);
        }
        prev = Some(id);
        glyphs.push((id, pen));
        pen += font.h_advance_unscaled(id);
    }
    (glyphs, pen)
}

/// The path data of `text` set in `font` at `em` pixels, with its left end of the baseline at
/// (`x`, `y`).
fn glyphs(font: &FontRef, text: &str, em: f32, x: f32, y: f32) -> String {
    let upem = font.units_per_em().unwrap_or(1000.0);
    let k = em / upem;
    let mut d = String::new();
    for (id, pen) in layout(font, text).0 {
        if let Some(outline) = font.outline(id) {
            let at = |p: Point| (x + (pen + p.x) * k, y - p.y * k);
            let mut last: Option<Point> = None;
            for curve in &outline.curves {
                let (start, end) = match curve {
                    OutlineCurve::Line(a, b) => (*a, *b),
                    OutlineCurve::Quad(a, _, b) => (*a, *b),
                    OutlineCurve::Cubic(a, _, _, b) => (*a, *b),
                };
                if last != Some(start) {
                    if last.is_some() {
                        d.push('Z');
                    }
                    let (px, py) = at(start);
                    let _ = write!(d, "M{px:.2} {py:.2}");
                }
                match curve {
                    OutlineCurve::Line(_, b) => {
                        let (bx, by) = at(*b);
                        let _ = write!(d, "L{bx:.2} {by:.2}");
                    }
                    OutlineCurve::Quad(_, c, b) => {
                        let ((cx, cy), (bx, by)) = (at(*c), at(*b));
                        let _ = write!(d, "Q{cx:.2} {cy:.2} {bx:.2} {by:.2}");
                    }
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        let ((ax, ay), (cx, cy), (bx, by)) = (at(*c1), at(*c2), at(*b));
                        let _ = write!(d, "C{ax:.2} {ay:.2} {cx:.2} {cy:.2} {bx:.2} {by:.2}");
                    }
                }
                last = Some(end);
            }
            if last.is_some() {
                d.push('Z');
            }
        }
    }
    d
}

/// Advance width of `text` at `em` pixels, kerning included.
fn width(font: &FontRef, text: &str, em: f32) -> f32 {
    let upem = font.units_per_em().unwrap_or(1000.0);
    layout(font, text).1 * em / upem
}

/// `svg` with every `<text>` element replaced by its glyph outlines in `font`. An element this
/// does not recognise is left as it was.
pub(crate) fn text_to_paths(svg: &str, font: &FontRef) -> String {
    let mut out = String::with_capacity(svg.len() * 2);
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        out.push_str(&rest[..start]);
        let element = &rest[start..];
        let (Some(open_end), Some(close)) = (element.find('>'), element.find("</text>")) else {
            out.push_str(element);
            return out;
        };
        let attrs = &element[5..open_end];
        let content = unescape(element[open_end + 1..close].trim());
        rest = &element[close + "</text>".len()..];
        let number = |name: &str| attr(attrs, name).and_then(|v| v.parse::<f32>().ok());
        let (Some(x), Some(y), Some(em)) = (number("x"), number("y"), number("font-size")) else {
            out.push_str(&element[..close + "</text>".len()]);
            continue;
        };
        let baseline = match attr(attrs, "dy") {
            Some("0.76em") => y + 0.76 * em,
            Some("0.5ex") => y + HALF_EX * em,
            Some("-0.5ex") => y - HALF_EX * em,
            _ => y,
        };
        let w = width(font, &content, em);
        let left = match attr(attrs, "text-anchor") {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        let d = glyphs(font, &content, em, left, baseline);
        let _ = write!(out, "<g aria-label=\"{}\" role=\"img\"", escape(&content));
        for name in ["fill", "opacity", "transform"] {
            if let Some(v) = attr(attrs, name) {
                let _ = write!(out, " {name}=\"{v}\"");
            }
        }
        let _ = write!(out, "><path d=\"{d}\"/></g>");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> FontRef<'static> {
        FontRef::try_from_slice(crate::chart::BUNDLED_FONT).expect("the bundled font parses")
    }

    #[test]
    fn every_text_becomes_an_outline_with_its_words_kept_as_a_label() {
        let svg = "<svg><text x=\"10\" y=\"20\" dy=\"0.76em\" text-anchor=\"middle\" font-family=\"x\" font-size=\"18\" opacity=\"1\" fill=\"#222222\" transform=\"rotate(270, 10, 20)\">\n城镇化率 &amp; 2028\n</text><line/></svg>";
        let out = text_to_paths(svg, &font());
        assert!(!out.contains("<text"), "{out}");
        assert!(out.contains("aria-label=\"城镇化率 &amp; 2028\""), "{out}");
        assert!(out.contains("fill=\"#222222\"") && out.contains("transform=\"rotate(270, 10, 20)\""));
        assert!(out.contains("<path d=\"M") && out.ends_with("<line/></svg>"));
    }

    #[test]
    fn anchors_place_the_same_word_left_centred_and_right() {
        let f = font();
        let first_x = |anchor: &str| -> f32 {
            let svg =
                format!("<text x=\"100\" y=\"50\" text-anchor=\"{anchor}\" font-size=\"20\" fill=\"#000\">年</text>");
            let out = text_to_paths(&svg, &f);
            let m = out.find("d=\"M").expect("a path") + 4;
            out[m..].split(' ').next().and_then(|v| v.parse().ok()).expect("a number")
        };
        let w = width(&f, "年", 20.0);
        let (start, middle, end) = (first_x("start"), first_x("middle"), first_x("end"));
        assert!(((start - middle) - w / 2.0).abs() < 0.02, "{start} {middle} {w}");
        assert!(((start - end) - w).abs() < 0.02, "{start} {end} {w}");
    }
}
