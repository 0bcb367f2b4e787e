//! Department data: the values only a city department holds ([L] placeholders and [A]
//! assumptions), a workbook for each department to fill in, the checked reading of that workbook
//! back into a data overlay, and the application of overlays to the baseline text.
//!
//! The flow is `urbsim data template` → the departments fill column H (数值) with the year and the
//! source document → `urbsim data load` → `data/local.toml` (or `--data FILE`) → every command
//! that runs the model. A loaded value replaces the baseline's, becomes [S] with its department,
//! year and document as the source, and loses its uncertainty range: a department's figure is a
//! fact for the model, not a draw. Loading checks every cell and reports every problem at once,
//! with its workbook, sheet and cell; a workbook with any problem yields no overlay.
//!
//! Pure: workbooks and texts are bytes in and out; the command line reads and writes the files.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook,
};
use serde::{Deserialize, Serialize};

use crate::baseline::{Baseline, Setting};
use crate::model::ParamId;
use crate::model::levers::LeverKind;
use crate::model::params::Block;
use crate::uncertainty::Tag;

/// The departments that hold values, as (Chinese name, English name).
pub const DEPARTMENTS: [(&str, &str); 10] = [
    ("公安局", "Public Security Bureau"),
    ("人社局", "Human Resources and Social Security Bureau"),
    ("教育局", "Education Bureau"),
    ("卫健局", "Health Commission"),
    ("民政局", "Civil Affairs Bureau"),
    ("财政局", "Finance Bureau"),
    ("发改局", "Development and Reform Bureau"),
    ("住建局", "Housing and Urban-Rural Development Bureau"),
    ("工信局", "Industry and Information Technology Bureau"),
    ("统计局", "Statistics Bureau"),
];

/// The name of the notes sheet, per language.
const NOTES: [&str; 2] = ["说明", "About"];

/// Header of a department sheet in Chinese and in English; the loader accepts either.
const HEADER: [[&str; 12]; 2] = [
    [
        "键",
        "说明",
        "影响",
        "单位",
        "当前值",
        "标签",
        "可接受范围",
        "当前来源",
        "数值",
        "年份",
        "来源文件",
        "填报单位/联系人",
    ],
    [
        "key",
        "meaning",
        "what it drives",
        "unit",
        "current value",
        "tag",
        "accepted range",
        "current source",
        "value",
        "year",
        "source document",
        "department / contact",
    ],
];

/// Columns of a department sheet (0-based): where the department writes.
const COL_UNIT: usize = 3;
const COL_VALUE: usize = 8;
const COL_YEAR: usize = 9;
const COL_SOURCE: usize = 10;
const COL_CONTACT: usize = 11;

/// The name of the histories sheet, per language.
const SERIES_SHEET: [&str; 2] = ["历史数据", "Series"];

/// The histories a department can supply, one row each (indicator id, department): the
/// statistics the backcast and calibration compare with, and the counts the plan's targets and
/// the settlement block are judged on. Loaded points become `[[observed]]` rows of the baseline.
pub const SERIES: [(&str, &str); 17] = [
    ("resident_population", "统计局"),
    ("urban_population", "统计局"),
    ("gdp", "统计局"),
    ("hukou_population", "公安局"),
    ("urban_hukou_population", "公安局"),
    ("hukou_conversions", "公安局"),
    ("conversions_criteria", "公安局"),
    ("conversions_purchase", "公安局"),
    ("conversions_family", "公安局"),
    ("conversions_talent", "公安局"),
    ("permits_issued", "公安局"),
    ("births", "卫健局"),
    ("deaths", "卫健局"),
    ("new_urban_jobs", "人社局"),
    ("rural_labour_transfer", "人社局"),
    ("ch_starts", "住建局"),
    ("ch_completions", "住建局"),
];

/// First year of the histories sheet.
pub const SERIES_FIRST_YEAR: u16 = 2016;

/// What kind of baseline entry a wanted value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A model parameter (`[parameters]`).
    Parameter,
    /// A lever's status-quo default (`[levers]`), a number.
    Lever,
    /// A tagged base-year datum (`[base]` or `[census]`), keyed `base.KEY` or `census.KEY`.
    Datum,
}

/// One value the model wants from a department.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    /// Key as the workbook and the overlay name it.
    pub key: String,
    /// What it is in the baseline.
    pub kind: Kind,
    /// Index into [`DEPARTMENTS`].
    pub department: usize,
    /// Unit.
    pub unit: String,
    /// Current value.
    pub value: f64,
    /// Current tag.
    pub tag: Tag,
    /// Accepted range (inclusive; infinite ends are open).
    pub range: (f64, f64),
    /// What it means.
    pub meaning: String,
    /// Current source note.
    pub source: String,
    /// The plan targets it moves most: (target id, relative swing of the target's value when
    /// the value moves ±20%), largest first; empty where not measured.
    pub drives: Vec<(String, f64)>,
}

/// How much each parameter moves the plan's targets: the median run of `scenario` with the
/// parameter at 80% and at 120% of its value (within its admissible range), one at a time, and
/// the change of each simulated target's value relative to the median run's. Returns, per
/// parameter key, the targets it moves by more than half a percent, largest first. Base-year
/// parameters act through the base state, so it is rebuilt for each run.
pub fn drives(
    baseline: &Baseline,
    targets: &crate::targets::PlanTargets,
    scenario: &crate::projection::Resolved,
) -> BTreeMap<String, Vec<(String, f64)>> {
    use crate::model::{self, IndicatorId, NoShocks};
    let sim = crate::exploration::simulated_targets(targets);
    let base = crate::projection::BaseState::new(baseline);
    let until = scenario.until;
    let n = usize::from(until - baseline.base_year);
    let first = baseline.base_year + 1;
    let values = |run: &crate::model::Params, at_base: &crate::model::Params| -> Vec<f64> {
        let mut state = base.city(baseline, at_base);
        model::start_run(&baseline.inputs, &mut state, &mut NoShocks);
        let mut rows = vec![[0.0; IndicatorId::COUNT]; n];
        model::simulate(&baseline.inputs, run, &scenario.levers, &mut state, until, &mut NoShocks, &mut rows);
        sim.iter()
            .map(|t| {
                crate::targets::evaluate(t, first, n, |y| &rows[y], scenario.target_period)
                    .map_or(f64::NAN, |e| e.value)
            })
            .collect()
    };
    let central = baseline.central_params();
    let centre = values(&scenario.params, &central);
    let mut out = BTreeMap::new();
    for def in &baseline.params {
        let x = scenario.params[def.id];
        if x == 0.0 || !x.is_finite() {
            continue;
        }
        let (lo_ok, hi_ok) = crate::projection::admissible(def);
        let at = |f: f64| {
            let v = (x * f).clamp(lo_ok.min(x), hi_ok.max(x));
            let (mut run, mut at_base) = (scenario.params.clone(), central.clone());
            run[def.id] = v;
            at_base[def.id] = v;
            values(&run, &at_base)
        };
        let (low, high) = (at(0.8), at(1.2));
        let mut moved: Vec<(String, f64)> = sim
            .iter()
            .enumerate()
            .filter_map(|(k, t)| {
                let scale = centre[k].abs();
                let swing = (high[k] - low[k]).abs() / 2.0;
                (scale > 0.0 && swing.is_finite() && swing / scale > 0.005).then(|| (t.id.clone(), swing / scale))
            })
            .collect();
        moved.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        moved.truncate(3);
        out.insert(def.id.key().to_string(), moved);
    }
    out
}

/// The department whose name a source note mentions first, if any (住保中心 is part of 住建局).
fn named_department(source: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut consider = |pos: Option<usize>, d: usize| {
        if let Some(p) = pos
            && best.is_none_or(|(q, _)| p < q)
        {
            best = Some((p, d));
        }
    };
    for (d, (zh, _)) in DEPARTMENTS.iter().enumerate() {
        consider(source.find(zh), d);
    }
    consider(source.find("住保中心"), 7);
    best.map(|(_, d)| d)
}

fn department(zh: &str) -> usize {
    DEPARTMENTS.iter().position(|(z, _)| *z == zh).unwrap_or(9)
}

/// Which department a parameter belongs to when its source names none: by model block, and
/// within services by what the key counts.
fn department_of_param(id: ParamId) -> usize {
    let key = id.key();
    match id.spec().block {
        Block::Demography if key.starts_with("tfr") || key.starts_with("e0") => department("卫健局"),
        Block::Demography => department("统计局"),
        Block::Settlement => department("公安局"),
        Block::Employment if key.starts_with("g_") || key.contains("productivity") => department("工信局"),
        Block::Employment => department("人社局"),
        Block::Housing => department("住建局"),
        Block::Services => {
            let any = |words: &[&str]| words.iter().any(|w| key.contains(w));
            if any(&["school", "teacher", "kg_", "kindergarten", "senior_high", "edu", "junior", "primary"]) {
                department("教育局")
            } else if any(&["tekun", "elderly", "nursing", "care"]) {
                department("民政局")
            } else {
                department("卫健局")
            }
        }
        Block::Fiscal => department("财政局"),
    }
}

/// [`wanted`] with what each value drives, ordered by importance: [L] first, then [A]; within
/// each, the values that move a target most first (then by key).
pub fn wanted_ranked(baseline: &Baseline, drives: &BTreeMap<String, Vec<(String, f64)>>) -> Vec<Wanted> {
    let mut out = wanted(baseline);
    for w in &mut out {
        if let Some(d) = drives.get(&w.key) {
            w.drives = d.clone();
        }
    }
    let weight = |w: &Wanted| w.drives.first().map_or(0.0, |d| d.1);
    out.sort_by(|a, b| {
        let rank = |t: Tag| if t == Tag::L { 0 } else { 1 };
        rank(a.tag).cmp(&rank(b.tag)).then(weight(b).total_cmp(&weight(a))).then(a.key.cmp(&b.key))
    });
    out
}

/// Every [L] and [A] value of the baseline a department could supply, [L] first, then [A], each
/// group by department and key.
pub fn wanted(baseline: &Baseline) -> Vec<Wanted> {
    let mut out = Vec::new();
    for def in &baseline.params {
        if !matches!(def.tag, Tag::L | Tag::A) {
            continue;
        }
        out.push(Wanted {
            key: def.id.key().to_string(),
            kind: Kind::Parameter,
            department: named_department(&def.source).unwrap_or_else(|| department_of_param(def.id)),
            unit: def.unit.clone(),
            value: def.value,
            tag: def.tag,
            range: crate::projection::admissible(def),
            meaning: def.id.spec().doc.to_string(),
            source: def.source.clone(),
            drives: Vec::new(),
        });
    }
    for def in &baseline.levers {
        let (LeverKind::Number { min, max }, Setting::Constant(x)) = (def.id.spec().kind, &def.default) else {
            continue;
        };
        if !matches!(def.tag, Tag::L | Tag::A) {
            continue;
        }
        out.push(Wanted {
            key: def.id.key().to_string(),
            kind: Kind::Lever,
            department: named_department(&def.source).unwrap_or(department("财政局")),
            unit: def.id.spec().unit.to_string(),
            value: *x,
            tag: def.tag,
            range: (min, max),
            meaning: def.id.spec().doc.to_string(),
            source: def.source.clone(),
            drives: Vec::new(),
        });
    }
    for (key, t) in &baseline.tagged {
        if !matches!(t.tag, Tag::L | Tag::A) || !t.value.is_finite() {
            continue;
        }
        if !(key.starts_with("base.") || key.starts_with("census.")) {
            continue;
        }
        let share = key.contains("share");
        out.push(Wanted {
            key: key.clone(),
            kind: Kind::Datum,
            department: named_department(&t.source).unwrap_or(department("统计局")),
            unit: if share { "share".to_string() } else { String::new() },
            value: t.value,
            tag: t.tag,
            range: if share { (0.0, 1.0) } else { (0.0, f64::INFINITY) },
            meaning: format!("base-year datum {key}"),
            source: t.source.clone(),
            drives: Vec::new(),
        });
    }
    out.sort_by(|a, b| {
        let rank = |t: Tag| if t == Tag::L { 0 } else { 1 };
        rank(a.tag).cmp(&rank(b.tag)).then(a.department.cmp(&b.department)).then(a.key.cmp(&b.key))
    });
    out
}

fn range_text(r: (f64, f64)) -> String {
    match (r.0.is_finite(), r.1.is_finite()) {
        (true, true) => format!("{} – {}", r.0, r.1),
        (true, false) => format!("≥ {}", r.0),
        (false, true) => format!("≤ {}", r.1),
        (false, false) => "any".to_string(),
    }
}

/// Years a loaded value may be for.
pub fn year_window(baseline: &Baseline) -> (u16, u16) {
    (2010, baseline.base_year + 3)
}

/// The workbook the departments fill in: a notes sheet, then one sheet per department that owns
/// values, one row per value, with data validation on the value and year cells, frozen headers
/// and sized columns. `lang` 0 is Chinese, 1 English.
///
/// # Errors
///
/// A failure of the spreadsheet writer.
pub fn template(
    baseline: &Baseline,
    drives: &BTreeMap<String, Vec<(String, f64)>>,
    english: bool,
    version: &str,
    baseline_sha256: &str,
) -> Result<Vec<u8>, String> {
    let l = usize::from(english);
    let e = |e: rust_xlsxwriter::XlsxError| format!("writing the template: {e}");
    let wanted = wanted_ranked(baseline, drives);
    let mut book = Workbook::new();
    // A fixed creation date keeps the template's bytes a function of the baseline alone.
    let created = ExcelDateTime::from_ymd(2025, 6, 18).map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let fill = Format::new().set_background_color("#FFF2CC").set_border(rust_xlsxwriter::FormatBorder::Thin);

    let notes = book.add_worksheet();
    notes.set_name(NOTES[l]).map_err(e)?;
    notes.set_column_width(0, 110).map_err(e)?;
    let (y0, y1) = year_window(baseline);
    let lines: Vec<String> = if english {
        vec![
            "urbsim: values for the Liuyang urbanisation model".to_string(),
            "Each sheet after this one belongs to one department and lists the values the model now takes from placeholders [L] or assumptions [A].".to_string(),
            "Fill the yellow columns: value (in the unit shown, within the accepted range), year, source document (title and number), department and contact. Leave a row blank to keep the current value.".to_string(),
            "Rows are ordered by importance: placeholders [L] first, then assumptions [A]; within each, the values that move a plan target most. 'What it drives' gives the targets a value moves and by how much when it is 20% lower or higher (status quo, median run).".to_string(),
            format!("Years from {y0} to {y1}. Do not move, insert or merge columns or rows; do not change keys or units."),
            "Return the workbook to whoever sent it; they load it with `urbsim data load FILE.xlsx`, which checks every cell and lists every problem.".to_string(),
            format!("urbsim {version}; baseline SHA-256 {baseline_sha256}"),
        ]
    } else {
        vec![
            "urbsim：浏阳市新型城镇化模型的部门数据填报表".to_string(),
            "本表之后每个工作表对应一个部门，列出模型目前使用占位值 [L] 或假设值 [A] 的参数。".to_string(),
            "请填写黄色各列：数值（按所示单位，且在可接受范围内）、年份、来源文件（名称与文号）、填报单位与联系人。不填的行保持现值。".to_string(),
            "行按重要性排列：先占位值 [L]，后假设值 [A]；同类中对规划目标影响最大的在前。“影响”列给出该值上下浮动 20% 时各目标变动的幅度（现行政策，中位情形）。".to_string(),
            format!("年份范围 {y0}–{y1}。请勿移动、插入或合并行列，勿修改键与单位。"),
            "填好后交回发出本表的同事；其用 `urbsim data load 文件.xlsx` 载入，程序会逐格检查并一次列出所有问题。".to_string(),
            format!("urbsim {version}；基准数据 SHA-256 {baseline_sha256}"),
        ]
    };
    for (r, line) in lines.iter().enumerate() {
        let f = if r == 0 { &bold } else { &wrap };
        notes.write_string_with_format(r as u32, 0, line, f).map_err(e)?;
    }

    for (d, names) in DEPARTMENTS.iter().enumerate() {
        let rows: Vec<&Wanted> = wanted.iter().filter(|w| w.department == d).collect();
        if rows.is_empty() {
            continue;
        }
        let sheet = book.add_worksheet();
        sheet.set_name(if english { d_short_en(d) } else { names.0 }).map_err(e)?;
        for (c, h) in HEADER[l].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(e)?;
        }
        sheet.set_freeze_panes(1, 1).map_err(e)?;
        // Printed: landscape, every column on one page wide, the header on every page.
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(0, 0).map_err(e)?;
        for (c, w) in [28.0, 48.0, 30.0, 14.0, 12.0, 6.0, 16.0, 48.0, 12.0, 8.0, 36.0, 24.0].iter().enumerate() {
            sheet.set_column_width(c as u16, *w).map_err(e)?;
        }
        for (i, w) in rows.iter().enumerate() {
            let r = (i + 1) as u32;
            sheet.write_string(r, 0, &w.key).map_err(e)?;
            sheet.write_string_with_format(r, 1, &w.meaning, &wrap).map_err(e)?;
            let drives: Vec<String> = w.drives.iter().map(|(t, x)| format!("{t} ±{:.1}%", x * 100.0)).collect();
            sheet.write_string_with_format(r, 2, drives.join("; "), &wrap).map_err(e)?;
            sheet.write_string(r, COL_UNIT as u16, &w.unit).map_err(e)?;
            sheet.write_number(r, 4, w.value).map_err(e)?;
            sheet.write_string(r, 5, w.tag.to_string()).map_err(e)?;
            sheet.write_string(r, 6, range_text(w.range)).map_err(e)?;
            sheet.write_string_with_format(r, 7, &w.source, &wrap).map_err(e)?;
            for c in COL_VALUE..=COL_CONTACT {
                sheet.write_blank(r, c as u16, &fill).map_err(e)?;
            }
            let rule = match (w.range.0.is_finite(), w.range.1.is_finite()) {
                (true, true) => Some(DataValidationRule::Between(w.range.0, w.range.1)),
                (true, false) => Some(DataValidationRule::GreaterThanOrEqualTo(w.range.0)),
                (false, true) => Some(DataValidationRule::LessThanOrEqualTo(w.range.1)),
                (false, false) => None,
            };
            let number = match rule {
                Some(rule) => DataValidation::new().allow_decimal_number(rule),
                None => DataValidation::new().allow_decimal_number(DataValidationRule::Between(-1e300, 1e300)),
            };
            let number = number
                .set_error_title(if english { "Out of range" } else { "超出范围" })
                .map_err(e)?
                .set_error_message(if english {
                    format!("A number in {} {}", range_text(w.range), w.unit)
                } else {
                    format!("请填写 {} 内的数值，单位 {}", range_text(w.range), w.unit)
                })
                .map_err(e)?;
            sheet.add_data_validation(r, COL_VALUE as u16, r, COL_VALUE as u16, &number).map_err(e)?;
        }
        let last = rows.len() as u32;
        let year = DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(i32::from(y0), i32::from(y1)))
            .set_error_message(if english {
                format!("A year from {y0} to {y1}")
            } else {
                format!("请填写 {y0}–{y1} 的年份")
            })
            .map_err(e)?;
        sheet.add_data_validation(1, COL_YEAR as u16, last, COL_YEAR as u16, &year).map_err(e)?;
    }
    // The histories: one row per series, one column per year.
    let years: Vec<u16> = (SERIES_FIRST_YEAR..=baseline.base_year + 1).collect();
    let sheet = book.add_worksheet();
    sheet.set_name(SERIES_SHEET[l]).map_err(e)?;
    for (c, h) in series_header(&years, english).iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold).map_err(e)?;
    }
    sheet.set_freeze_panes(1, 2).map_err(e)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_column_width(0, 24).map_err(e)?;
    sheet.set_column_width(1, 30).map_err(e)?;
    for (r, (key, dept)) in SERIES.iter().enumerate() {
        let r = (r + 1) as u32;
        let spec = crate::model::IndicatorId::from_key(key).map(|id| id.spec());
        sheet.write_string(r, 0, *key).map_err(e)?;
        sheet.write_string(r, 1, spec.map_or("", |s| if english { s.en } else { s.zh })).map_err(e)?;
        sheet.write_string(r, 2, spec.map_or("", |s| s.unit)).map_err(e)?;
        let d = department(dept);
        sheet.write_string(r, 3, if english { DEPARTMENTS[d].1 } else { DEPARTMENTS[d].0 }).map_err(e)?;
        for c in 4..4 + years.len() + 2 {
            sheet.write_blank(r, c as u16, &fill).map_err(e)?;
        }
    }
    let last = SERIES.len() as u32;
    let numbers = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_message(if english { "A number of 0 or more" } else { "请填写不小于 0 的数值" })
        .map_err(e)?;
    sheet.add_data_validation(1, 4, last, (4 + years.len() - 1) as u16, &numbers).map_err(e)?;
    book.save_to_buffer().map_err(e)
}

/// Header of the histories sheet: key, name, unit, department, one column per year, source, contact.
fn series_header(years: &[u16], english: bool) -> Vec<String> {
    let mut h: Vec<String> = if english {
        ["key", "name", "unit", "department"].map(String::from).to_vec()
    } else {
        ["键", "名称", "单位", "填报部门"].map(String::from).to_vec()
    };
    h.extend(years.iter().map(u16::to_string));
    h.extend(if english {
        ["source document", "department / contact"].map(String::from)
    } else {
        ["来源文件", "填报单位/联系人"].map(String::from)
    });
    h
}

/// Short English sheet names (Excel allows 31 characters).
fn d_short_en(d: usize) -> &'static str {
    [
        "Public Security",
        "HR and Social Security",
        "Education",
        "Health",
        "Civil Affairs",
        "Finance",
        "Development and Reform",
        "Housing",
        "Industry and IT",
        "Statistics",
    ][d]
}

/// One value loaded from a department's workbook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loaded {
    /// Key (as in the template).
    pub key: String,
    /// What it is in the baseline.
    pub kind: Kind,
    /// The value, in the template's unit.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Year the value is for.
    pub year: u16,
    /// The department's sheet.
    pub department: String,
    /// Source document.
    pub source: String,
    /// Department or contact, as written.
    #[serde(default)]
    pub contact: String,
    /// Where it was read: `Sheet!H12`.
    pub cell: String,
}

/// A data overlay: values loaded from one workbook, with where they came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overlay {
    /// The workbook's file name.
    pub workbook: String,
    /// Its SHA-256.
    pub workbook_sha256: String,
    /// The tool that loaded it.
    pub tool: String,
    /// The values.
    #[serde(default, rename = "value")]
    pub values: Vec<Loaded>,
    /// The histories.
    #[serde(default)]
    pub series: Vec<LoadedSeries>,
}

/// One history loaded from the workbook's histories sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadedSeries {
    /// Indicator id.
    pub key: String,
    /// Unit.
    pub unit: String,
    /// The department named on the row.
    pub department: String,
    /// Source document.
    pub source: String,
    /// Department or contact, as written.
    #[serde(default)]
    pub contact: String,
    /// (year, value) points.
    pub points: Vec<(u16, f64)>,
    /// Where it was read: `Sheet!A5`.
    pub cell: String,
}

impl Overlay {
    /// Parses an overlay file.
    ///
    /// # Errors
    ///
    /// TOML that is not an overlay, or a value that is not finite.
    pub fn parse(name: &str, text: &str) -> Result<Overlay, String> {
        let o: Overlay = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        if let Some(v) = o.values.iter().find(|v| !v.value.is_finite()) {
            return Err(format!("{name}: {} is not a finite number", v.key));
        }
        if let Some(v) = o.series.iter().find(|v| v.points.iter().any(|(_, x)| !x.is_finite())) {
            return Err(format!("{name}: series {} has a value that is not a finite number", v.key));
        }
        Ok(o)
    }

    /// The overlay as TOML.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# A data overlay written by `urbsim data load`: values supplied by city departments. Every\n\
             # command that runs the model applies data/local.toml and each --data FILE (later ones win).\n\n{body}"
        ))
    }
}

/// A problem with one cell of a workbook.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// `Sheet!C12`.
    pub cell: String,
    /// The row's key, when known.
    pub key: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub hint: String,
}

/// Excel's name of a cell from 0-based row and column.
pub fn cell_name(row: usize, col: usize) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

impl Problem {
    fn new(cell: String, key: &str, problem: String, hint: &str) -> Problem {
        Problem { cell, key: key.to_string(), problem, hint: hint.to_string() }
    }
}

/// A worksheet being read, addressed in the sheet's own rows and columns whatever cell its used
/// range starts at.
struct SheetCells<'a> {
    name: &'a str,
    range: &'a calamine::Range<Data>,
    origin: (usize, usize),
}

impl<'a> SheetCells<'a> {
    fn new(name: &'a str, range: &'a calamine::Range<Data>) -> SheetCells<'a> {
        let origin = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        SheetCells { name, range, origin }
    }

    /// `Sheet!C12`.
    fn at(&self, r: usize, c: usize) -> String {
        format!("{}!{}", self.name, cell_name(r, c))
    }

    fn get(&self, r: usize, c: usize) -> Data {
        let (r0, c0) = self.origin;
        if r < r0 || c < c0 {
            return Data::Empty;
        }
        self.range.get((r - r0, c - c0)).cloned().unwrap_or(Data::Empty)
    }

    /// Rows up to the last used one.
    fn rows(&self) -> usize {
        self.range.end().map_or(0, |(r, _)| r as usize + 1)
    }

    /// One problem per merged region.
    fn merged(&self, merged: &[calamine::Dimensions], out: &mut Vec<Problem>) {
        for dims in merged {
            let start = self.at(dims.start.0 as usize, dims.start.1 as usize);
            out.push(Problem::new(
                start.clone(),
                "",
                format!("cells {start}:{} are merged", cell_name(dims.end.0 as usize, dims.end.1 as usize)),
                "unmerge them (Home > Merge & Center) so each value has its own cell",
            ));
        }
    }

    /// Whether the first row reads `want`; a problem for each cell that does not. The header
    /// fixes the columns: a moved or renamed column would put values in the wrong place.
    fn header_matches<S: AsRef<str>>(&self, want: &[S], out: &mut Vec<Problem>) -> bool {
        let mut ok = true;
        for (c, want) in want.iter().enumerate() {
            let (got, want) = (cell_text(&self.get(0, c)), want.as_ref());
            if got != want {
                ok = false;
                out.push(Problem::new(
                    self.at(0, c),
                    "",
                    format!("the header reads \"{got}\" where the template has \"{want}\""),
                    "a column was moved, inserted or renamed; start again from `urbsim data template`",
                ));
            }
        }
        ok
    }
}

/// Reads a filled workbook. Every cell of every department sheet is checked; all problems are
/// returned together, and no overlay when there is any. Blank rows keep the baseline's value.
///
/// # Errors
///
/// Every problem found, each with its sheet and cell.
pub fn load(file_name: &str, bytes: &[u8], baseline: &Baseline, tool: &str) -> Result<Overlay, Vec<Problem>> {
    let problem = Problem::new;
    let mut book: Xlsx<_> = match open_workbook_from_rs(Cursor::new(bytes.to_vec())) {
        Ok(b) => b,
        Err(e) => {
            return Err(vec![problem(
                String::new(),
                "",
                format!("not a workbook urbsim can read: {e}"),
                "save it as .xlsx (Excel 2007 or later) and try again",
            )]);
        }
    };
    let wanted: BTreeMap<String, Wanted> = wanted(baseline).into_iter().map(|w| (w.key.clone(), w)).collect();
    let (y0, y1) = year_window(baseline);
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut values = Vec::new();
    let mut value_sheets = 0;
    let mut series = Vec::new();
    let series_years: Vec<u16> = (SERIES_FIRST_YEAR..=baseline.base_year + 1).collect();
    for sheet in book.sheet_names() {
        if NOTES.contains(&sheet.as_str()) {
            continue;
        }
        if SERIES_SHEET.contains(&sheet.as_str()) {
            match book.worksheet_range(&sheet) {
                Ok(range) => {
                    let merged = book.merge_cells_by_sheet_name(&sheet).unwrap_or_default();
                    load_series(&sheet, &range, &merged, &series_years, &mut seen, &mut series, &mut problems);
                }
                Err(err) => problems.push(problem(
                    format!("{sheet}!A1"),
                    "",
                    format!("cannot read the sheet: {err}"),
                    "re-save the workbook",
                )),
            }
            continue;
        }
        let range = match book.worksheet_range(&sheet) {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(
                    format!("{sheet}!A1"),
                    "",
                    format!("cannot read the sheet: {e}"),
                    "re-save the workbook",
                ));
                continue;
            }
        };
        value_sheets += 1;
        let cells = SheetCells::new(&sheet, &range);
        cells.merged(&book.merge_cells_by_sheet_name(&sheet).unwrap_or_default(), &mut problems);
        let (at, get) = (|r: usize, c: usize| cells.at(r, c), |r: usize, c: usize| cells.get(r, c));
        let lang = if cell_text(&get(0, 0)) == HEADER[1][0] { 1 } else { 0 };
        if !cells.header_matches(&HEADER[lang], &mut problems) {
            continue;
        }
        for r in 1..cells.rows() {
            let key = cell_text(&get(r, 0));
            let fill: Vec<Data> = (COL_VALUE..=COL_CONTACT).map(|c| get(r, c)).collect();
            if key.is_empty() {
                if fill.iter().any(|d| *d != Data::Empty) {
                    problems.push(problem(
                        at(r, 0),
                        "",
                        "a value without a key".into(),
                        "fill values only on the template's rows",
                    ));
                }
                continue;
            }
            let Some(w) = wanted.get(&key) else {
                let names: Vec<&str> = wanted.keys().map(String::as_str).collect();
                let close = crate::scenario::suggestions(&key, names, 3);
                let hint = if close.is_empty() {
                    "keys come from the template; do not edit column A".to_string()
                } else {
                    format!("did you mean {}?", close.join(", "))
                };
                problems.push(problem(at(r, 0), &key, "not a value the model takes from departments".into(), &hint));
                continue;
            };
            if let Some(first) = seen.get(&key) {
                problems.push(problem(
                    at(r, 0),
                    &key,
                    format!("appears again (first at {first})"),
                    "keep one row per key",
                ));
                continue;
            }
            seen.insert(key.clone(), at(r, 0));
            let unit = cell_text(&get(r, COL_UNIT));
            if unit != w.unit {
                problems.push(problem(
                    at(r, COL_UNIT),
                    &key,
                    format!("the unit reads \"{unit}\", the model's is \"{}\"", w.unit),
                    "restore the unit and convert the value to it",
                ));
            }
            if fill[0] == Data::Empty {
                continue; // blank: the baseline value stays
            }
            let value = match &fill[0] {
                Data::Float(x) => Some(*x),
                Data::Int(i) => Some(*i as f64),
                Data::Error(err) => {
                    problems.push(problem(
                        at(r, COL_VALUE),
                        &key,
                        format!("the cell holds a formula error ({err})"),
                        "type the number itself",
                    ));
                    None
                }
                other => {
                    problems.push(problem(
                        at(r, COL_VALUE),
                        &key,
                        format!("\"{}\" is not a number", cell_text(other)),
                        &format!(
                            "type a plain number in {}, without units or text",
                            if w.unit.is_empty() { "the model's unit" } else { &w.unit }
                        ),
                    ));
                    None
                }
            };
            if let Some(x) = value
                && !(x.is_finite() && x >= w.range.0 && x <= w.range.1)
            {
                problems.push(problem(
                    at(r, COL_VALUE),
                    &key,
                    format!("{x} is outside the accepted range {}", range_text(w.range)),
                    "check the unit and the figure",
                ));
            }
            let year = match &fill[1] {
                Data::Float(y) if y.fract() == 0.0 && (f64::from(y0)..=f64::from(y1)).contains(y) => Some(*y as u16),
                Data::Int(y) if (i64::from(y0)..=i64::from(y1)).contains(y) => Some(*y as u16),
                Data::Empty => {
                    problems.push(problem(
                        at(r, COL_YEAR),
                        &key,
                        "a value without a year".into(),
                        "give the year the value is for",
                    ));
                    None
                }
                other => {
                    problems.push(problem(
                        at(r, COL_YEAR),
                        &key,
                        format!("\"{}\" is not a year from {y0} to {y1}", cell_text(other)),
                        "give the year the value is for, such as 2024",
                    ));
                    None
                }
            };
            let source = cell_text(&fill[2]);
            if source.is_empty() {
                problems.push(problem(
                    at(r, COL_SOURCE),
                    &key,
                    "a value without a source document".into(),
                    "name the document (title, number) the value comes from",
                ));
            }
            if let (Some(value), Some(year), false) = (value, year, source.is_empty())
                && value.is_finite()
                && value >= w.range.0
                && value <= w.range.1
            {
                values.push(Loaded {
                    key: key.clone(),
                    kind: w.kind,
                    value,
                    unit: w.unit.clone(),
                    year,
                    department: sheet.clone(),
                    source,
                    contact: cell_text(&fill[3]),
                    cell: at(r, COL_VALUE),
                });
            }
        }
    }
    if value_sheets == 0 && series.is_empty() {
        problems.push(problem(String::new(), "", "no department sheet".into(), "start from `urbsim data template`"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    use sha2::Digest as _;
    let hash: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Overlay { workbook: file_name.to_string(), workbook_sha256: hash, tool: tool.to_string(), values, series })
}

/// Reads the histories sheet: the header must be the template's; each row's key a known series,
/// once; each year cell blank or a number of 0 or more; a row with values needs its source.
fn load_series(
    sheet: &str,
    range: &calamine::Range<Data>,
    merged: &[calamine::Dimensions],
    years: &[u16],
    seen: &mut BTreeMap<String, String>,
    out: &mut Vec<LoadedSeries>,
    problems: &mut Vec<Problem>,
) {
    let problem = Problem::new;
    let cells = SheetCells::new(sheet, range);
    cells.merged(merged, problems);
    let (at, get) = (|r: usize, c: usize| cells.at(r, c), |r: usize, c: usize| cells.get(r, c));
    let english = cell_text(&get(0, 0)) == "key";
    if !cells.header_matches(&series_header(years, english), problems) {
        return;
    }
    let (col_source, col_contact) = (4 + years.len(), 5 + years.len());
    for r in 1..cells.rows() {
        let key = cell_text(&get(r, 0));
        if key.is_empty() {
            continue;
        }
        let Some((_, dept)) = SERIES.iter().find(|(k, _)| *k == key) else {
            let close = crate::scenario::suggestions(&key, SERIES.iter().map(|(k, _)| *k), 3);
            let hint = if close.is_empty() {
                "keys come from the template".to_string()
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            problems.push(problem(at(r, 0), &key, "not a series the model takes".into(), &hint));
            continue;
        };
        if let Some(first) = seen.get(&format!("series:{key}")) {
            problems.push(problem(
                at(r, 0),
                &key,
                format!("appears again (first at {first})"),
                "keep one row per series",
            ));
            continue;
        }
        seen.insert(format!("series:{key}"), at(r, 0));
        let mut points = Vec::new();
        for (k, year) in years.iter().enumerate() {
            let c = 4 + k;
            match get(r, c) {
                Data::Empty => {}
                Data::Float(x) if x.is_finite() && x >= 0.0 => points.push((*year, x)),
                Data::Int(i) if i >= 0 => points.push((*year, i as f64)),
                Data::Error(err) => problems.push(problem(
                    at(r, c),
                    &key,
                    format!("the cell holds a formula error ({err})"),
                    "type the number itself",
                )),
                other => problems.push(problem(
                    at(r, c),
                    &key,
                    format!("\"{}\" is not a number of 0 or more", cell_text(&other)),
                    "type a plain number in the row's unit, or leave the year blank",
                )),
            }
        }
        let source = cell_text(&get(r, col_source));
        let has_values = (4..4 + years.len()).any(|c| get(r, c) != Data::Empty);
        if has_values && source.is_empty() {
            problems.push(problem(
                at(r, col_source),
                &key,
                "a series without a source document".into(),
                "name the document (title, number) the values come from",
            ));
        }
        if !points.is_empty() && !source.is_empty() {
            let unit = crate::model::IndicatorId::from_key(&key).map_or("", |id| id.spec().unit).to_string();
            out.push(LoadedSeries {
                key: key.clone(),
                unit,
                department: (*dept).to_string(),
                source,
                contact: cell_text(&get(r, col_contact)),
                points,
                cell: at(r, 0),
            });
        }
    }
}

/// The baseline text with the overlays' values in place (later overlays win): each value set,
/// tagged S, its source naming the department, year and document, its uncertainty range
/// removed. Comments of the baseline file are not kept.
///
/// # Errors
///
/// A key the baseline does not have where the overlay says it is.
pub fn apply(baseline_text: &str, overlays: &[(String, Overlay)]) -> Result<String, String> {
    let mut doc: toml::Table = toml::from_str(baseline_text).map_err(|e| format!("baseline: {e}"))?;
    for (name, overlay) in overlays {
        for v in &overlay.values {
            let (table, key, field) = match v.kind {
                Kind::Parameter => ("parameters", v.key.as_str(), "value"),
                Kind::Lever => ("levers", v.key.as_str(), "default"),
                Kind::Datum => match v.key.split_once('.') {
                    Some((t, k)) if t == "base" || t == "census" => (t, k, "value"),
                    _ => return Err(format!("{name}: {} is not a base-year datum", v.key)),
                },
            };
            let entry = doc
                .get_mut(table)
                .and_then(|t| t.as_table_mut())
                .and_then(|t| t.get_mut(key))
                .and_then(|e| e.as_table_mut())
                .ok_or_else(|| format!("{name}: the baseline has no {table}.{key}"))?;
            entry.insert(field.to_string(), toml::Value::Float(v.value));
            entry.insert("tag".to_string(), toml::Value::String("S".to_string()));
            entry.insert(
                "source".to_string(),
                toml::Value::String(format!(
                    "{} {}: {} (loaded from {}, {})",
                    v.department, v.year, v.source, overlay.workbook, v.cell
                )),
            );
            entry.remove("dist");
        }
    }
    // A loaded value is known, so it takes part in no rank correlation any more.
    let known: Vec<&str> = overlays
        .iter()
        .flat_map(|(_, o)| o.values.iter().filter(|v| v.kind == Kind::Parameter).map(|v| v.key.as_str()))
        .collect();
    if let Some(pairs) = doc.get_mut("correlation").and_then(toml::Value::as_array_mut) {
        pairs.retain(|p| {
            let named = |k: &str| p.get(k).and_then(toml::Value::as_str).is_some_and(|x| known.contains(&x));
            !named("a") && !named("b")
        });
    }
    // Histories: each point replaces the published statistic of that year, or adds one.
    for (_, overlay) in overlays {
        for series in &overlay.series {
            let observed = doc
                .entry("observed")
                .or_insert_with(|| toml::Value::Array(Vec::new()))
                .as_array_mut()
                .ok_or("baseline: `observed` is not a list")?;
            for (year, value) in &series.points {
                let source = format!(
                    "{} {year}: {} (loaded from {}, {})",
                    series.department, series.source, overlay.workbook, series.cell
                );
                let mut row = toml::Table::new();
                row.insert("year".into(), toml::Value::Integer(i64::from(*year)));
                row.insert("indicator".into(), toml::Value::String(series.key.clone()));
                row.insert("value".into(), toml::Value::Float(*value));
                row.insert("tag".into(), toml::Value::String("S".into()));
                row.insert("source".into(), toml::Value::String(source));
                let same = |v: &toml::Value| {
                    v.get("year").and_then(toml::Value::as_integer) == Some(i64::from(*year))
                        && v.get("indicator").and_then(toml::Value::as_str) == Some(series.key.as_str())
                };
                match observed.iter_mut().find(|v| same(v)) {
                    Some(v) => *v = toml::Value::Table(row),
                    None => observed.push(toml::Value::Table(row)),
                }
            }
        }
    }
    toml::to_string(&doc).map_err(|e| format!("baseline with overlays: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_value_leaves_its_rank_correlations() {
        let text = include_str!("../seeds/liuyang-baseline.toml");
        let loaded = Loaded {
            key: "g_electronics".into(),
            kind: Kind::Parameter,
            value: 0.06,
            unit: "1/yr".into(),
            year: 2024,
            department: "工信局".into(),
            source: "统计公报".into(),
            contact: String::new(),
            cell: "工信局!I2".into(),
        };
        let overlay = Overlay {
            workbook: "x.xlsx".into(),
            workbook_sha256: String::new(),
            tool: "urbsim".into(),
            values: vec![loaded],
            series: Vec::new(),
        };
        let with = apply(text, &[("local.toml".into(), overlay)]).expect("applies");
        let b = Baseline::parse("with", &with).expect("a baseline with the loaded value parses");
        let def = b.params.iter().find(|p| p.id.key() == "g_electronics").expect("the parameter");
        assert_eq!((def.value, def.tag, def.dist.is_none()), (0.06, Tag::S, true));
        assert!(def.source.starts_with("工信局 2024: 统计公报"), "{}", def.source);
        assert!(!b.correlation_pairs.iter().any(|(a, c, ..)| a.key() == "g_electronics" || c.key() == "g_electronics"));
    }

    #[test]
    fn cell_names_follow_excel() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(11, 2), "C12");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
    }

    #[test]
    fn a_source_that_names_a_department_decides_it() {
        assert_eq!(named_department("placeholder until 财政局 data are loaded"), Some(5));
        assert_eq!(named_department("load from the 公安局 or the 统计局"), Some(0));
        assert_eq!(named_department("placeholder until 住保中心 data are loaded"), Some(7));
        assert_eq!(named_department("no Liuyang data"), None);
    }
}
