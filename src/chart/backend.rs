//! A drawing-backend wrapper that measures text from the chart font and, for bitmaps, places glyphs
//! correctly.
//!
//! plotters 0.3.7's ab_glyph text path has two faults that show on Chinese labels:
//!
//! * **Left side bearings are dropped.** It draws each glyph's ink box at the pen position
//!   instead of at pen + left side bearing. Noto CJK's full-width punctuation keeps its ink in one
//!   side of the em box (the left bearing of '（' is 0.7 em) and some ideographs have wide
//!   bearings (目: 0.16 em), so "（万人）" and "目标" came out with gaps and collisions.
//! * **Sizes and anchors differ from SVG.** ab_glyph takes the size as the pixel height from
//!   descender to ascender (1.448 em in Noto CJK) while plotters' SVG backend writes
//!   `font-size = size / 1.24`, and the vertical anchor offsets differ too, so PNG text was 15%
//!   smaller than SVG text and sat at other heights.
//!
//! [`TextFix`] wraps either backend. It passes every shape through unchanged. Text measurement
//! ([`DrawingBackend::estimate_text_size`]) uses the chart font at the size the SVG viewer will
//! use, `em = size / 1.24`, on both backends, so layout decisions agree. On the bitmap backend it
//! also rasterises text itself with ab_glyph at that em size, placing each glyph outline at its
//! pen position (bearings included) and using plotters-svg's baseline offsets (`dy` of 0.76 em
//! for top, 0.5 ex for centre and −0.5 ex for bottom anchors) so the PNG matches the SVG.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};

/// plotters' text size is 1.24 em (its SVG backend divides by this).
const SIZE_PER_EM: f64 = 1.24;
/// Half an x-height in em, the `0.5ex` of plotters-svg; Noto Sans CJK's x-height is 0.543 em.
const HALF_EX: f32 = 0.27;

/// A backend wrapper that measures text with the chart font and, if `raster_text`, draws it.
pub(crate) struct TextFix<B> {
    inner: B,
    font: FontRef<'static>,
    raster_text: bool,
}

impl<B: DrawingBackend> TextFix<B> {
    /// Wraps `inner`; `raster_text` for bitmap backends, false for SVG (which writes `<text>`).
    pub(crate) fn new(inner: B, font: FontRef<'static>, raster_text: bool) -> Self {
        TextFix { inner, font, raster_text }
    }

    /// The font scaled so that one em is `style_size / 1.24` pixels.
    fn scaled(&self, style_size: f64) -> ab_glyph::PxScaleFont<&FontRef<'static>> {
        let em = (style_size / SIZE_PER_EM) as f32;
        let upem = self.font.units_per_em().unwrap_or(1000.0);
        // ab_glyph's PxScale is the ascender-to-descender height, not the em.
        self.font.as_scaled(PxScale::from(em * self.font.height_unscaled() / upem))
    }

    /// Advance width of `text` in pixels, kerning included.
    fn advance(&self, text: &str, style_size: f64) -> f32 {
        let font = self.scaled(style_size);
        let mut prev = None;
        let mut x = 0.0;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x += font.kern(p, id);
            }
            x += font.h_advance(id);
            prev = Some(id);
        }
        x
    }
}

impl<B: DrawingBackend> DrawingBackend for TextFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let w = self.advance(text, style.size()).ceil() as u32;
        // One em: the ideographic em box, which is what the layout needs to keep clear.
        let h = (style.size() / SIZE_PER_EM).ceil() as u32;
        Ok((w, h))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if !self.raster_text {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let em = (style.size() / SIZE_PER_EM) as f32;
        let width = self.advance(text, style.size());
        let anchor = style.anchor();
        let x0 = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let baseline = match anchor.v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => HALF_EX * em,
            VPos::Bottom => -HALF_EX * em,
        };
        let transform = style.transform();
        // Collect coverage first: the scaled font borrows `self`, drawing needs it mutably.
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        {
            let font = self.scaled(style.size());
            let mut pen = x0;
            let mut prev = None;
            for c in text.chars() {
                let id = font.glyph_id(c);
                if let Some(p) = prev {
                    pen += font.kern(p, id);
                }
                prev = Some(id);
                let glyph = id.with_scale_and_position(font.scale(), point(pen, baseline));
                pen += font.h_advance(id);
                if let Some(outline) = font.outline_glyph(glyph) {
                    let b = outline.px_bounds();
                    let (bx, by) = (b.min.x as i32, b.min.y as i32);
                    outline.draw(|x, y, cov| {
                        if cov > 0.0 {
                            pixels.push((bx + x as i32, by + y as i32, cov.min(1.0)));
                        }
                    });
                }
            }
        }
        for (x, y, cov) in pixels {
            let (tx, ty) = transform.transform(x, y);
            let c = BackendColor { alpha: color.alpha * f64::from(cov), rgb: color.rgb };
            self.inner.draw_pixel((pos.0 + tx, pos.1 + ty), c)?;
        }
        Ok(())
    }
}
