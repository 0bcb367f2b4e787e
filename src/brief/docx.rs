//! The editable Word brief (`brief.docx`): the page's content as a document a planner can edit
//! and hand in: title, a summary sentence per target, the summary as a Word table, what each
//! package changes, the key charts at the text width, the assumptions that matter, reading
//! notes and the command that reproduces it. Chinese text carries an East Asian font name, so
//! Word and WPS pick a Chinese face. Pure: the page model and chart PNGs in, bytes out.
//!
//! The bytes depend only on the content: docx-rs stamps no clock (its core properties default
//! to 1970 and its zip entries to 1980), and pictures are numbered in the order they are added.

use docx_rs::{
    AlignmentType, Docx, Paragraph, Pic, Run, RunFonts, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

use super::html::{Lang, Page, SummaryCell};

/// Width of a chart on an A4 page with 2.5 cm margins: 16 cm in EMU (360,000 per cm).
const CHART_WIDTH_EMU: u32 = 16 * 360_000;

/// How many charts the Word brief carries (the page has them all).
pub const MAX_CHARTS: usize = 8;

fn fonts() -> RunFonts {
    // Latin text in a common sans face, Chinese in 宋体 (SimSun), which Word and WPS have on
    // every Chinese system; LibreOffice substitutes its CJK face.
    RunFonts::new().ascii("Arial").hi_ansi("Arial").east_asia("SimSun")
}

fn text(t: &str) -> Run {
    Run::new().add_text(t).fonts(fonts())
}

fn para(t: &str) -> Paragraph {
    Paragraph::new().add_run(text(t))
}

fn heading(t: &str, level: u8) -> Paragraph {
    Paragraph::new().add_run(text(t)).style(if level == 1 { "Heading1" } else { "Heading2" })
}

/// Table text size in half-points: 9 pt, so a package column of the summary fits its numbers.
const TABLE_TEXT: usize = 18;

/// The text width of an A4 page with 2.5 cm margins, 16 cm, in twentieths of a point.
const TEXT_WIDTH_TWIPS: usize = 9072;

/// A table cell; each line of `t` is a paragraph of its own.
fn cell(t: &str, bold: bool) -> TableCell {
    t.split('\n').fold(TableCell::new(), |c, line| {
        let run = text(line).size(TABLE_TEXT);
        c.add_paragraph(Paragraph::new().add_run(if bold { run.bold() } else { run }))
    })
}

/// A table across the text width whose first column takes `first` of it (a share) and the
/// others share the rest equally, with a fixed layout so that Word, WPS and LibreOffice agree.
fn table(header: &[String], rows: &[Vec<String>], first: f64) -> Table {
    let n = header.len().max(1);
    let first_w = if n == 1 { TEXT_WIDTH_TWIPS } else { (TEXT_WIDTH_TWIPS as f64 * first) as usize };
    let rest_w = if n == 1 { 0 } else { (TEXT_WIDTH_TWIPS - first_w) / (n - 1) };
    let grid: Vec<usize> = (0..n).map(|k| if k == 0 { first_w } else { rest_w }).collect();
    let mut out = vec![TableRow::new(header.iter().map(|h| cell(h, true)).collect())];
    out.extend(rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())));
    Table::new(out).set_grid(grid).layout(docx_rs::TableLayoutType::Fixed).width(TEXT_WIDTH_TWIPS, WidthType::Dxa)
}

/// A target's chance under one package, and what goes with it: its interval, or the median
/// where no chance is judged.
fn chance(c: &SummaryCell, zh: bool) -> (String, String) {
    if c.probability.is_finite() {
        (format!("{:.0}%", c.probability * 100.0), format!("{:.0}–{:.0}%", c.low * 100.0, c.high * 100.0))
    } else {
        ("—".to_string(), format!("{} {}", if zh { "中位" } else { "median" }, c.median))
    }
}

/// Renders the Word brief from the page model and the charts' PNGs (file stem, bytes); the
/// first [`MAX_CHARTS`] charts of the page that have a PNG are embedded at the text width.
///
/// # Errors
///
/// A failure of the document writer.
pub fn render(page: &Page, pngs: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let zh = page.lang == Lang::Zh;
    let mut doc = Docx::new()
        .default_fonts(fonts())
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("Heading 1").size(32).bold().fonts(fonts()))
        .add_style(Style::new("Heading2", StyleType::Paragraph).name("Heading 2").size(26).bold().fonts(fonts()))
        .add_paragraph(Paragraph::new().add_run(text(&page.title).size(36).bold()).align(AlignmentType::Center))
        .add_paragraph(para(&page.subtitle).align(AlignmentType::Center));

    // Summary: one sentence per target, then the table.
    doc = doc.add_paragraph(heading(if zh { "概要" } else { "Summary" }, 1));
    let scenarios: Vec<&String> = page.summary_header.iter().skip(1).collect();
    for row in &page.summary_rows {
        let parts: Vec<String> = scenarios
            .iter()
            .zip(&row.cells)
            .map(|(s, c)| {
                let (head, detail) = chance(c, zh);
                if zh { format!("{s} {head}（{detail}）") } else { format!("{s} {head} ({detail})") }
            })
            .collect();
        let mut sentence = if zh {
            format!("{}：{}。", row.target, parts.join("；"))
        } else {
            format!("{}: {}.", row.target, parts.join("; "))
        };
        if !row.basis.is_empty() {
            sentence.push_str(&if zh { format!("（{}）", row.basis) } else { format!(" ({})", row.basis) });
        }
        doc = doc.add_paragraph(para(&sentence));
    }
    let rows: Vec<Vec<String>> = page
        .summary_rows
        .iter()
        .map(|r| {
            let mut v = vec![r.target.clone()];
            // In the table the chance and its interval take a line each.
            v.extend(r.cells.iter().map(|c| {
                let (head, detail) = chance(c, zh);
                format!("{head}\n{detail}")
            }));
            v
        })
        .collect();
    doc = doc.add_table(table(&page.summary_header, &rows, 0.28));
    for note in &page.notes {
        doc = doc.add_paragraph(para(note));
    }

    // What each package changes.
    if !page.changes.is_empty() {
        doc = doc.add_paragraph(heading(if zh { "各情景的变化一览" } else { "What each package changes" }, 1));
        let header: Vec<String> = if zh {
            ["指标", "口径", "现行政策（中位数）", "变化（中位数）", "90% 区间"].map(String::from).to_vec()
        } else {
            ["Indicator", "Measure", "Status quo (median)", "Change (median)", "90% interval"]
                .map(String::from)
                .to_vec()
        };
        for block in &page.changes {
            doc = doc.add_paragraph(heading(&block.title, 2));
            let rows: Vec<Vec<String>> = block
                .lines
                .iter()
                .map(|l| {
                    vec![
                        l.indicator.clone(),
                        l.measure.clone(),
                        l.reference.clone(),
                        l.median.clone(),
                        l.interval.clone(),
                    ]
                })
                .collect();
            doc = doc.add_table(table(&header, &rows, 0.3));
        }
    }

    // Key charts at the text width.
    let charts: Vec<(&str, &Vec<u8>)> = page
        .charts
        .iter()
        .filter_map(|c| {
            pngs.iter().find(|(stem, _)| *stem == c.file_stem).map(|(_, bytes)| (c.caption.as_str(), bytes))
        })
        .take(MAX_CHARTS)
        .collect();
    if !charts.is_empty() {
        doc = doc.add_paragraph(heading(if zh { "主要图表" } else { "Key charts" }, 1));
        for (caption, png) in charts {
            let pic = Pic::new(png);
            // Scale to the text width, keeping the aspect ratio of the PNG.
            let (w, h) = png_size(png).unwrap_or((2400, 1500));
            let height = (u64::from(CHART_WIDTH_EMU) * u64::from(h) / u64::from(w.max(1))) as u32;
            doc = doc
                .add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic.size(CHART_WIDTH_EMU, height))))
                .add_paragraph(para(caption));
        }
    }

    // The assumptions that matter.
    if !page.assumptions.is_empty() {
        doc =
            doc.add_paragraph(heading(if zh { "关键假设与待补充数据" } else { "Key assumptions and placeholders" }, 1));
        let header: Vec<String> = if zh {
            ["参数", "标签", "取值", "为何重要"].map(String::from).to_vec()
        } else {
            ["Parameter", "Tag", "Value", "Why it matters"].map(String::from).to_vec()
        };
        let rows: Vec<Vec<String>> = page
            .assumptions
            .iter()
            .map(|a| vec![a.name.clone(), a.tag.clone(), a.value.clone(), a.why.clone()])
            .collect();
        doc = doc.add_table(table(&header, &rows, 0.25));
        for (key, what, address) in &page.sources {
            doc = doc.add_paragraph(para(&format!("{key} {what}: {address}")).size(TABLE_TEXT));
        }
    }

    // Method and reproduction.
    doc = doc
        .add_paragraph(heading(if zh { "方法与复现" } else { "Method and reproduction" }, 1))
        .add_paragraph(para(if zh {
            "结果来自 urbsim 的蒙特卡洛模拟：各情景在同一组未来情形下逐年推演至 2028 年；达成概率为满足目标的未来情形所占比例及其 95% 区间。"
        } else {
            "Results come from urbsim's Monte Carlo simulation: every package runs year by year to 2028 on the same simulated futures; a probability is the share of futures meeting the target, with its 95% interval."
        }))
        .add_paragraph(para(&page.reproduce));

    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| format!("writing brief.docx: {e}"))?;
    Ok(out.into_inner())
}

/// Width and height of a PNG from its header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[1..4] != b"PNG" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}
