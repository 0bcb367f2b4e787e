//! End-to-end tests of the briefing pack: `urbsim brief` writes a page whose every image exists,
//! print-size PNGs, SVGs with Chinese (or English) labels, a workbook that opens, and refuses a
//! label the font cannot draw; `urbsim chart` re-draws the charts from the saved tables.

use std::path::Path;

use calamine::Reader;
use tempfile::TempDir;

use crate::common::{TARGETS, read, stderr, urbsim};

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn the_brief_writes_a_page_charts_tables_and_a_workbook_and_chart_redraws_them() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("brief");
    // A planner's own package: more affordable rental housing and easier settlement.
    let mine = dir.path().join("mine.toml");
    std::fs::write(
        &mine,
        "name = \"mine\"\ntitle = { zh = \"多建保租房并放宽落户\", en = \"More rental housing, easier settlement\" }\n\
         extends = \"baseline.toml\"\n[levers]\narh_new_units = 3000\nsettle_years_required = 0\nsettle_completion = 0.2\n",
    )
    .expect("write");
    std::fs::copy("scenarios/baseline.toml", dir.path().join("baseline.toml")).expect("copy");
    urbsim()
        .args(["brief", "scenarios/baseline.toml"])
        .arg(&mine)
        .args(["--draws", "200", "--out"])
        .arg(&out)
        .assert()
        .success();
    let page = read(&out.join("index.html"));
    // Its changes show without any flag: the table of what each package changes names it and
    // the housing and settlement indicators it moves, in words and units a reader uses.
    let changes = &page[page.find("<section id=\"changes\">").expect("a changes section")..];
    let changes = &changes[..changes.find("</section>").expect("closed")];
    assert!(changes.contains("多建保租房并放宽落户"), "{changes}");
    assert!(changes.contains("保障性租赁住房") && changes.contains("落户"), "{changes}");
    assert!(changes.contains("套") && !changes.contains("units"), "{changes}");
    assert!(read(&out.join("tables/changes.csv")).starts_with("scenario,reference,indicator,unit,measure,"));
    let images = urbsim::brief::html::referenced_images(&page);
    assert!(images.len() >= 20, "{} images", images.len());
    for img in &images {
        assert!(out.join(img).is_file(), "index.html refers to {img}, which is missing");
    }
    assert!(
        page.contains("新增城镇就业6.8万人") && page.contains("urbsim brief"),
        "summary table and reproduce command"
    );
    // Commitments and placeholders say so beside their row; the sensitivity ranking says what
    // distribution it comes from.
    assert!(page.contains("承诺事项") && page.contains("占位"), "judged_by notes in the summary");
    assert!(page.contains("只计参数的不确定性"), "the basis of the key-assumption ranking");
    let png = out.join("charts/fan_urbanisation_rate.png");
    let (w, h) = png_size(&png);
    assert!(w >= 2400 && h > 0, "{w}×{h}");
    assert!(std::fs::metadata(&png).expect("size").len() > 20_000, "a blank PNG compresses to almost nothing");
    let svg = read(&out.join("charts/fan_urbanisation_rate.svg"));
    assert!(svg.contains("常住人口城镇化率") && svg.contains("年份"), "Chinese labels in the SVG");
    let years = read(&out.join("charts/sobol_years_new_urban_jobs.svg"));
    assert!(years.contains("总效应指数") && years.contains("2028"), "year-by-parameter heatmap of total indices");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("tables/results.xlsx")).expect("the workbook opens");
    assert_eq!(book.sheet_names()[..4], ["说明", "targets", "summary", "paired"]);
    let targets = book.worksheet_range("targets").expect("targets sheet");
    // Chinese column names above the ids.
    assert_eq!(targets.get((0, 0)).map(|c| c.to_string()), Some("情景".to_string()));
    assert_eq!(targets.get((1, 0)).map(|c| c.to_string()), Some("scenario".to_string()));
    assert!(targets.height() > 10);
    assert!(read(&out.join("manifest.json")).contains("\"seed\": 20250618"));
    // The Word brief: a document with the title, real tables, a Chinese font name and the
    // key charts embedded.
    let docx = std::fs::File::open(out.join("brief.docx")).expect("brief.docx");
    let mut archive = zip::ZipArchive::new(docx).expect("brief.docx is a zip archive");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("the document"), &mut xml)
        .expect("UTF-8 XML");
    assert!(xml.contains("浏阳市新型城镇化试点方案") && xml.contains("各情景的变化一览"), "title and sections");
    assert!(xml.matches("<w:tbl>").count() >= 3, "summary, changes and assumptions as Word tables");
    assert!(xml.contains("w:eastAsia=\"SimSun\""), "a Chinese font name");
    let media = archive.file_names().filter(|n| n.starts_with("word/media/") && n.ends_with(".png")).count();
    assert!((4..=urbsim::brief::docx::MAX_CHARTS).contains(&media), "{media} charts embedded");

    // Re-draw in English from the saved tables alone.
    std::fs::remove_dir_all(out.join("charts")).expect("remove charts");
    urbsim().args(["chart", "--lang", "en"]).arg(&out).assert().success();
    for img in &images {
        assert!(out.join(img).is_file(), "`urbsim chart` did not re-draw {img}");
    }
    let svg = read(&out.join("charts/fan_urbanisation_rate.svg"));
    assert!(svg.contains("resident urbanisation rate"), "English labels after --lang en");
    // The page, the Word brief and the manifest follow the charts into English.
    let page = read(&out.join("index.html"));
    assert!(page.contains("<html lang=\"en\">") && page.contains("What each package changes"), "page in English");
    let m: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).expect("manifest");
    assert_eq!(m["lang"], "en");
    let hash = |file: &str| crate::common::hex_sha256(&std::fs::read(out.join(file)).expect("read"));
    for o in m["outputs"].as_array().expect("outputs") {
        let file = o["file"].as_str().expect("file");
        assert_eq!(o["sha256"], hash(file).as_str(), "manifest hash of {file} after the re-draw");
    }
}

#[test]
fn a_brief_from_few_draws_warns_and_keeps_every_uncertain_attainment_chart() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("brief");
    let a = urbsim()
        .args(["brief", "scenarios/baseline.toml", "--draws", "20", "--lang", "en", "--out"])
        .arg(&out)
        .assert()
        .success();
    let err = stderr(&a);
    assert!(err.contains("warning: with 20 draws each probability is known to within about ±22 points"), "{err}");
    // The rural-transfer target is met in nearly every future (about 99% in 1,000 draws); 20
    // draws cannot tell that from 84%, so its chart stays, with the interval.
    assert!(out.join("charts/attainment_rural_labour_transfer.png").is_file());
}

#[test]
fn a_label_the_font_cannot_draw_is_an_error_naming_it() {
    let dir = TempDir::new().expect("tempdir");
    let targets = dir.path().join("targets.toml");
    // U+20000 is outside GB2312, so the bundled subset has no glyph for it.
    std::fs::write(&targets, TARGETS.replacen("新增城镇就业6.8万人", "新增城镇𠀀就业6.8万人", 1)).expect("write");
    let a = urbsim()
        .args(["brief", "scenarios/baseline.toml", "scenarios/jobs-industry.toml", "--draws", "100", "--targets"])
        .arg(&targets)
        .arg("--out")
        .arg(dir.path().join("never"))
        .assert()
        .code(2);
    let err = stderr(&a);
    assert!(err.contains("'𠀀' (U+20000)") && err.contains("新增城镇𠀀就业"), "{err}");
    assert!(!dir.path().join("never").exists(), "nothing is written when a chart cannot be drawn");
}

#[test]
fn chart_draws_a_heatmap_for_a_sweep_with_a_lever_grid() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("grid");
    urbsim()
        .args(["sweep", "scenarios/baseline.toml", "--draws", "64", "--quiet"])
        .args(["--lever", "public_welfare_jobs=0:500:3", "--lever", "vocational_training=0,5000", "--out"])
        .arg(&out)
        .assert()
        .success();
    urbsim().arg("chart").arg(&out).assert().success();
    let svg = read(&out.join("charts/grid_zero_employment_households.svg"));
    // The axes name the levers as readers do, not by their keys.
    let name = urbsim::names::lever(urbsim::model::LeverId::WelfareJobs, urbsim::names::Lang::Zh);
    assert!(
        svg.contains(name) && !svg.contains("public_welfare_jobs") && svg.contains("概率"),
        "heatmap axes and colour key"
    );
    assert!(out.join("charts/grid_zero_employment_households.png").is_file());
}

#[test]
fn any_indicator_can_be_charted_on_request() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("sweep");
    urbsim()
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "scenarios/open-settlement.toml",
            "--draws",
            "64",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    urbsim().arg("chart").arg(&out).args(["--indicator", "conversions_criteria"]).assert().success();
    for kind in ["fan", "compare", "paired"] {
        assert!(out.join(format!("charts/{kind}_conversions_criteria.svg")).is_file(), "{kind} chart");
    }
    let svg = read(&out.join("charts/compare_conversions_criteria.svg"));
    assert!(svg.contains("条件落户"), "the indicator's Chinese name");
    let a = urbsim().arg("chart").arg(&out).args(["--indicator", "conversions_criterion"]).assert().code(2);
    assert!(stderr(&a).contains("did you mean conversions_criteria?"), "{}", stderr(&a));
}

/// What a reader of a pack sees: the words of every chart (SVG text is drawn as outlines and
/// kept in `aria-label`s), the page's text outside the reproduce command, and the Word brief's
/// runs. The page's quotations of the data (the source notes of the key assumptions and the
/// sources they cite, written as the baseline and docs/MODEL.md write them) come as a text of
/// their own, `index.html (quoted sources)`.
fn reader_texts(out: &Path) -> Vec<(String, String)> {
    let between = |text: &str, open: &str, close: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let Some(j) = rest.find(close) else { break };
            found.push(rest[..j].to_string());
            rest = &rest[j + close.len()..];
        }
        found
    };
    let unescape = |s: &str| s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(out.join("charts")).expect("charts") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "svg") {
            let words = between(&read(&path), "aria-label=\"", "\"").iter().map(|w| unescape(w)).collect::<Vec<_>>();
            texts.push((path.display().to_string(), words.join(" | ")));
        }
    }
    let page = read(&out.join("index.html"));
    let body = &page[page.find("<body>").expect("body")..];
    // The reproduce command is for machines; everything else on the page is for readers.
    // Splits `text` into what lies outside the elements from `open` to `close` and what inside.
    let cut = |text: &str, open: &str, close: &str| -> (String, String) {
        let (mut outside, mut inside) = (String::new(), String::new());
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            outside.push_str(&rest[..i]);
            let j = rest[i..].find(close).expect("closed") + i + close.len();
            inside.push_str(&rest[i..j]);
            rest = &rest[j..];
        }
        outside.push_str(rest);
        (outside, inside)
    };
    let (visible, _) = cut(body, "<pre", "</pre>");
    let (visible, notes) = cut(&visible, "<td class=\"source\">", "</td>");
    let (visible, cited) = cut(&visible, "<ul class=\"sources\">", "</ul>");
    let words = |html: &str| {
        let mut words = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    words.push('\n');
                }
                c if !in_tag => words.push(c),
                _ => {}
            }
        }
        unescape(&words)
    };
    texts.push(("index.html".to_string(), words(&visible)));
    texts.push(("index.html (quoted sources)".to_string(), words(&(notes + &cited))));
    let docx = std::fs::File::open(out.join("brief.docx")).expect("brief.docx");
    let mut archive = zip::ZipArchive::new(docx).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document"), &mut xml).expect("xml");
    let runs: Vec<String> = between(&xml, "<w:t xml:space=\"preserve\">", "</w:t>");
    // The Word brief lists the cited sources as paragraphs "S39 …: address".
    let cited =
        |r: &String| r.strip_prefix('S').is_some_and(|k| k.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok()));
    let (quoted, runs): (Vec<String>, Vec<String>) = runs.into_iter().partition(cited);
    texts.push(("brief.docx".to_string(), unescape(&runs.join(" | "))));
    texts.push(("brief.docx (quoted sources)".to_string(), unescape(&quoted.join(" | "))));
    texts
}

/// Where `id` occurs in `text` as a word of its own (not inside a longer id or word).
fn occurs_as_word(text: &str, id: &str) -> Option<usize> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(id)
        .find(|(i, _)| !word(text[..*i].chars().next_back()) && !word(text[i + id.len()..].chars().next()))
        .map(|(i, _)| i)
}

#[test]
fn no_id_reaches_a_reader_and_chinese_text_uses_full_width_punctuation() {
    use urbsim::model::{IndicatorId, LeverId, ParamId};
    let dir = TempDir::new().expect("tempdir");
    let targets = urbsim::targets::PlanTargets::parse("plan-targets.toml", TARGETS).expect("targets");
    let scenarios: Vec<String> = crate::common::shipped_files()
        .iter()
        .filter_map(|f| {
            let text = read(f);
            text.lines().find_map(|l| l.strip_prefix("name = \"").and_then(|r| r.strip_suffix('"')).map(String::from))
        })
        .collect();
    assert!(scenarios.len() >= 8, "{scenarios:?}");
    let mut ids: Vec<String> = scenarios;
    ids.extend(ParamId::ALL.iter().map(|p| p.key().to_string()));
    ids.extend(LeverId::ALL.iter().map(|p| p.key().to_string()));
    ids.extend(IndicatorId::ALL.iter().map(|p| p.key().to_string()));
    ids.extend(targets.target.iter().map(|t| t.id.clone()));
    for lang in ["zh", "en"] {
        let out = dir.path().join(lang);
        urbsim().args(["brief", "--draws", "100", "--lang", lang, "--out"]).arg(&out).assert().success();
        for (file, text) in reader_texts(&out) {
            for id in &ids {
                // English prose may use a plain word that is also an id ("births"); an id
                // with `_`, `-` or a digit, or any id in Chinese text, is a machine's word.
                let machine_shaped = id.contains(['_', '-']) || id.chars().any(|c| c.is_ascii_digit());
                if lang == "en" && !machine_shaped {
                    continue;
                }
                if let Some(i) = occurs_as_word(&text, id) {
                    let from = text[..i].char_indices().rev().nth(40).map_or(0, |(k, _)| k);
                    let to = (i + id.len() + 40).min(text.len());
                    let to = (to..=text.len()).find(|k| text.is_char_boundary(*k)).unwrap_or(text.len());
                    panic!("{lang} {file} shows the id `{id}`: …{}…", &text[from..to]);
                }
            }
            if lang == "zh" && !file.ends_with("(quoted sources)") {
                // Chinese punctuation is full-width: no ASCII colon, semicolon, comma or bracket
                // beside a Chinese character (the plan's own clause numbers, 二(一)2, excepted).
                let chars: Vec<char> = text.chars().collect();
                let cjk = |c: char| ('\u{3400}'..='\u{9fff}').contains(&c);
                for (k, &c) in chars.iter().enumerate() {
                    if !matches!(c, ':' | ';' | ',' | '(' | ')') {
                        continue;
                    }
                    let before = chars[..k].iter().rev().find(|c| **c != ' ').copied();
                    let after = chars[k + 1..].iter().find(|c| **c != ' ').copied();
                    let numeral = |x: Option<char>| x.is_some_and(|x| "一二三四五六七八九十".contains(x));
                    let clause = (c == '(' && numeral(before) && numeral(after)) || (c == ')' && numeral(before));
                    if !clause && (before.is_some_and(cjk) || after.is_some_and(cjk)) {
                        let context: String = chars[k.saturating_sub(20)..(k + 20).min(chars.len())].iter().collect();
                        panic!("zh {file}: ASCII `{c}` in Chinese text: …{context:?}…");
                    }
                }
            }
        }
    }
}
