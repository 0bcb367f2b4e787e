//! Renders the briefing pack's spreadsheet: one `.xlsx` worksheet per CSV table, as bytes.
//!
//! The CSVs are the pack's source of truth; the workbook is a convenience copy for readers who
//! live in Excel or WPS. So this module only re-types cells (a cell that reads as a finite number
//! becomes a number, so it can be summed and charted; anything else stays text, character for
//! character), bolds and freezes the header row and sizes the columns. It never rounds or
//! relabels. Pure: bytes in, bytes out; the caller decides where the file goes.

use std::collections::{BTreeMap, HashSet};

use rust_xlsxwriter::{ColNum, DocProperties, ExcelDateTime, Format, RowNum, Workbook, Worksheet};

/// Excel's hard limit on a worksheet name, in characters.
const MAX_SHEET_NAME: usize = 31;

/// Widest a column is sized to, in character widths; longer text wraps off-screen rather than
/// pushing every other column out of view.
const MAX_COLUMN_WIDTH: usize = 60;

/// Narrowest a column is sized to, so short headers still leave room to click a cell.
const MIN_COLUMN_WIDTH: usize = 6;

/// Builds an `.xlsx` workbook with one worksheet per `(name, csv)` pair, in the order given.
///
/// The first CSV record is the header: written as bold text and frozen so it stays visible while
/// scrolling. Later cells that parse as a finite `f64` are written as numbers, empty cells are
/// left blank, and everything else is written as text unchanged. Sheet names are made valid for
/// Excel (forbidden characters replaced, at most 31 characters) and unique, ignoring case as
/// Excel does. Rows may have differing lengths.
///
/// # Errors
///
/// A CSV that cannot be parsed (including invalid UTF-8), or a table beyond Excel's limits
/// (too many rows or columns, or a cell over 32,767 characters), with the sheet named.
pub fn workbook(sheets: &[(&str, &[u8])]) -> Result<Vec<u8>, String> {
    workbook_for_readers(sheets, &Readers::default())
}

/// Who the workbook is for: the language of its headers and the notes of its first sheet.
#[derive(Clone, Debug, Default)]
pub struct Readers {
    /// Chinese column headers above the machine ids (which stay in the second header row).
    pub chinese: bool,
    /// Lines of a notes sheet put first (seed, draws, units); none when empty.
    pub notes: Vec<String>,
    /// Names readers use for ids, in the readers' language, by kind of id (`scenario`,
    /// `indicator`, `target`, `parameter`, `outcome`) and id: each id column of
    /// [`NAMED_COLUMNS`] gets a column of names beside it. Empty: no name columns.
    pub names: BTreeMap<&'static str, BTreeMap<String, String>>,
}

/// Columns of ids that get a column of names beside them (`scenario` → `scenario_name`), with
/// the kind of id each holds.
pub const NAMED_COLUMNS: [(&str, &str); 7] = [
    ("scenario", "scenario"),
    ("reference", "scenario"),
    ("indicator", "indicator"),
    ("target", "target"),
    ("parameter", "parameter"),
    ("factor", "parameter"),
    ("outcome", "outcome"),
];

/// Column headers in Chinese, by id; an id without one keeps its id.
const ZH_HEADERS: [(&str, &str); 46] = [
    ("scenario", "情景"),
    ("reference", "对照情景"),
    ("year", "年份"),
    ("indicator", "指标"),
    ("unit", "单位"),
    ("draws", "模拟次数"),
    ("mean", "均值"),
    ("sd", "标准差"),
    ("mcse", "蒙特卡洛误差"),
    ("p5", "5% 分位"),
    ("p10", "10% 分位"),
    ("p25", "25% 分位"),
    ("p50", "中位数"),
    ("p75", "75% 分位"),
    ("p90", "90% 分位"),
    ("p95", "95% 分位"),
    ("target", "目标"),
    ("clause", "条款"),
    ("text_zh", "目标内容"),
    ("direction", "方向"),
    ("quantity", "目标值"),
    ("period", "期间"),
    ("met", "达标次数"),
    ("probability", "达成概率"),
    ("ci95_low", "95% 区间下限"),
    ("ci95_high", "95% 区间上限"),
    ("value_p50", "目标值中位数"),
    ("p_better_than_reference", "优于对照的概率"),
    ("p_worse_than_reference", "劣于对照的概率"),
    ("judged_by", "判定方式"),
    ("measure", "口径"),
    ("reference_median", "对照中位数"),
    ("diff_p5", "变化 5% 分位"),
    ("diff_p50", "变化中位数"),
    ("diff_p95", "变化 95% 分位"),
    ("parameter", "参数"),
    ("from", "起始年"),
    ("to", "截止年"),
    ("listed", "列入变化一览"),
    ("scenario_name", "情景名称"),
    ("reference_name", "对照情景名称"),
    ("indicator_name", "指标名称"),
    ("target_name", "目标名称"),
    ("parameter_name", "参数名称"),
    ("factor_name", "因素名称"),
    ("outcome_name", "结果名称"),
];

/// The table with a column of names after each id column of [`NAMED_COLUMNS`]; an id without
/// a name leaves its cell empty.
fn with_names(csv_bytes: &[u8], names: &BTreeMap<&'static str, BTreeMap<String, String>>) -> Result<Vec<u8>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_bytes);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    // Column index → the kind of id it holds.
    let mut named: Vec<(usize, &str)> = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("reading the CSV: {e}"))?;
        if row == 0 {
            named = record
                .iter()
                .enumerate()
                .filter_map(|(k, h)| NAMED_COLUMNS.iter().find(|(c, _)| *c == h).map(|(_, kind)| (k, *kind)))
                .collect();
        }
        let mut out: Vec<String> = Vec::with_capacity(record.len() + named.len());
        for (k, cell) in record.iter().enumerate() {
            out.push(cell.to_string());
            if let Some((_, kind)) = named.iter().find(|(c, _)| *c == k) {
                out.push(if row == 0 {
                    format!("{cell}_name")
                } else {
                    names.get(kind).and_then(|m| m.get(cell)).cloned().unwrap_or_default()
                });
            }
        }
        writer.write_record(&out).map_err(|e| format!("writing the CSV: {e}"))?;
    }
    writer.into_inner().map_err(|e| format!("writing the CSV: {e}"))
}

/// Columns that hold probabilities (shown as percentages whatever the row's unit): a target's
/// chance and its interval, and a lever grid's `p_TARGET` columns.
fn is_probability(id: &str) -> bool {
    matches!(id, "probability" | "ci95_low" | "ci95_high") || id.starts_with("p_")
}

/// Columns that hold a statistic of the row's indicator, in the row's unit.
fn is_statistic(id: &str) -> bool {
    matches!(id, "mean" | "sd" | "mcse" | "reference_median")
        || (id.starts_with('p') && id[1..].chars().all(|c| c.is_ascii_digit()) && id.len() > 1)
        || id.starts_with("value_p")
        || id.starts_with("diff_p")
}

/// Builds the workbook for `readers`: [`workbook`]'s sheets, plus Chinese headers above the ids,
/// number formats (thousands separators, percentages for shares and probabilities, years plain),
/// an autofilter on the header, and print setup (landscape, one page wide, headers repeated).
///
/// # Errors
///
/// As [`workbook`].
pub fn workbook_for_readers(sheets: &[(&str, &[u8])], readers: &Readers) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    // rust_xlsxwriter stamps the file with the clock's time; a fixed creation date (the plan's
    // issue date) keeps the workbook's bytes a function of its tables alone.
    let created = ExcelDateTime::from_ymd(2025, 6, 18).map_err(|e| format!("creation date: {e}"))?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let header = Format::new().set_bold();
    let mut taken = HashSet::new();
    if !readers.notes.is_empty() {
        let name = unique_sheet_name(if readers.chinese { "说明" } else { "About" }, &mut taken);
        let sheet = book.add_worksheet();
        sheet.set_name(name.as_str()).map_err(|e| format!("sheet {name:?}: {e}"))?;
        sheet.set_column_width(0, 120).map_err(|e| e.to_string())?;
        for (r, line) in readers.notes.iter().enumerate() {
            let row = RowNum::try_from(r).map_err(|_| "too many notes".to_string())?;
            if r == 0 {
                sheet.write_string_with_format(row, 0, line, &header).map_err(|e| e.to_string())?;
            } else {
                sheet.write_string(row, 0, line).map_err(|e| e.to_string())?;
            }
        }
    }
    for (name, csv_bytes) in sheets {
        let sheet_name = unique_sheet_name(name, &mut taken);
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name.as_str()).map_err(|e| format!("sheet {name:?}: {e}"))?;
        let named = if readers.names.is_empty() { csv_bytes.to_vec() } else { with_names(csv_bytes, &readers.names)? };
        fill_sheet(sheet, &named, &header, readers).map_err(|e| format!("sheet {name:?}: {e}"))?;
    }
    book.save_to_buffer().map_err(|e| format!("writing the workbook: {e}"))
}

/// Writes one CSV table into `sheet`: the header (in Chinese above the ids for Chinese
/// readers), then the rows with number formats, then freezes the header, fits the column widths,
/// adds an autofilter and sets up printing.
fn fill_sheet(sheet: &mut Worksheet, csv_bytes: &[u8], header: &Format, readers: &Readers) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_bytes);
    let ids_format = Format::new().set_italic().set_font_color("#666666");
    let percent = Format::new().set_num_format("0.0%");
    let whole = Format::new().set_num_format("#,##0");
    let one = Format::new().set_num_format("#,##0.0");
    let fine = Format::new().set_num_format("0.000");
    let year = Format::new().set_num_format("0");
    // Widest text seen per column, in display widths; sizes the columns afterwards.
    let mut widths: Vec<usize> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut unit_col = None;
    let mut last_row = 0;
    // The data start one row lower when a Chinese header sits above the ids.
    let mut offset = 0;
    for (row_index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("reading the CSV: {e}"))?;
        if row_index == 0 {
            ids = record.iter().map(String::from).collect();
            unit_col = ids.iter().position(|h| h == "unit");
            let translated = readers.chinese && ids.iter().any(|h| ZH_HEADERS.iter().any(|(id, _)| id == h));
            if translated {
                offset = 1;
            }
        }
        let row = RowNum::try_from(row_index + offset).map_err(|_| "too many rows for a worksheet".to_string())?;
        last_row = row;
        let share_row = unit_col.and_then(|c| record.get(c)).is_some_and(|u| u.starts_with("share"));
        for (col_index, text) in record.iter().enumerate() {
            let col = ColNum::try_from(col_index).map_err(|_| "too many columns for a worksheet".to_string())?;
            if widths.len() <= col_index {
                widths.resize(col_index + 1, 0);
            }
            widths[col_index] = widths[col_index].max(display_width(text));
            if row_index == 0 {
                if offset == 1 {
                    let zh = ZH_HEADERS.iter().find(|(id, _)| *id == text).map_or(text, |(_, zh)| *zh);
                    widths[col_index] = widths[col_index].max(display_width(zh));
                    sheet.write_string_with_format(0, col, zh, header).map_err(|e| e.to_string())?;
                    sheet.write_string_with_format(1, col, text, &ids_format).map_err(|e| e.to_string())?;
                } else {
                    sheet.write_string_with_format(row, col, text, header).map_err(|e| e.to_string())?;
                }
            } else if text.is_empty() {
                // Leaving the cell unwritten keeps it truly blank, so Excel's blanks-aware
                // functions (COUNTA, AVERAGE) treat it as missing rather than as "".
            } else if let Some(number) = as_number(text) {
                let id = ids.get(col_index).map_or("", String::as_str);
                let format = if is_probability(id) || (share_row && is_statistic(id)) {
                    &percent
                } else if matches!(id, "year" | "from" | "to") {
                    &year
                } else if number.abs() >= 1000.0 || number.fract() == 0.0 {
                    &whole
                } else if number.abs() >= 10.0 {
                    &one
                } else {
                    &fine
                };
                sheet.write_number_with_format(row, col, number, format).map_err(|e| e.to_string())?;
            } else {
                sheet.write_string(row, col, text).map_err(|e| e.to_string())?;
            }
        }
    }
    if !widths.is_empty() {
        let header_rows = RowNum::try_from(1 + offset).map_err(|e| e.to_string())?;
        sheet.set_freeze_panes(header_rows, 0).map_err(|e| e.to_string())?;
        let last_col = ColNum::try_from(widths.len() - 1).map_err(|e| e.to_string())?;
        sheet.autofilter(header_rows - 1, 0, last_row.max(header_rows - 1), last_col).map_err(|e| e.to_string())?;
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(0, header_rows - 1).map_err(|e| e.to_string())?;
    }
    for (col_index, width) in widths.into_iter().enumerate() {
        // Two characters of padding: Excel's width unit is a digit's width, and a column sized
        // exactly to its text clips it in most fonts.
        let fitted = (width + 2).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
        let col = ColNum::try_from(col_index).map_err(|_| "too many columns for a worksheet".to_string())?;
        // Widths are small whole numbers, so the conversion to f64 is exact.
        sheet.set_column_width(col, fitted as f64).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The cell as a number, when its text is one. Surrounding spaces are allowed; `inf` and `NaN`
/// are not numbers here because Excel has no cell value for them.
fn as_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|value| value.is_finite())
}

/// A valid worksheet name derived from `wanted`, different (ignoring case) from every name in
/// `taken`, which it is then added to.
fn unique_sheet_name(wanted: &str, taken: &mut HashSet<String>) -> String {
    // Excel refuses these characters in a sheet name, and a leading or trailing apostrophe
    // (which it uses to quote names in formulas).
    let cleaned: String =
        wanted.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    // "History" is reserved by Excel for its change-tracking sheet.
    let base = if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") { "Sheet" } else { cleaned };
    let mut candidate = truncate_name(base, MAX_SHEET_NAME);
    let mut counter = 2;
    while taken.contains(&candidate.to_lowercase()) {
        // Truncate before the suffix rather than after, so the suffix that makes it unique
        // survives the 31-character limit.
        let suffix = format!(" ({counter})");
        let keep = MAX_SHEET_NAME - suffix.chars().count();
        candidate = truncate_name(base, keep) + &suffix;
        counter += 1;
    }
    taken.insert(candidate.to_lowercase());
    candidate
}

/// The first `max` characters of `name`, without the trailing apostrophe Excel would refuse.
fn truncate_name(name: &str, max: usize) -> String {
    let cut: String = name.chars().take(max).collect();
    cut.trim_end_matches('\'').to_string()
}

/// How many character widths `text` takes in a spreadsheet cell: East Asian wide characters
/// (Chinese, Japanese, Korean, full-width forms) take two, everything else one.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Whether `c` is drawn double-width: the East Asian Wide and Fullwidth blocks that occur in
/// practice. An approximation of Unicode's East Asian Width property, which is plenty for sizing
/// columns.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F          // Hangul Jamo initials
        | 0x2E80..=0x303E        // CJK radicals, Kangxi, CJK symbols and punctuation
        | 0x3041..=0x33FF        // Kana, Bopomofo, CJK compatibility
        | 0x3400..=0x4DBF        // CJK Extension A
        | 0x4E00..=0x9FFF        // CJK Unified Ideographs
        | 0xA000..=0xA4CF        // Yi
        | 0xAC00..=0xD7A3        // Hangul syllables
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFE30..=0xFE4F        // CJK compatibility forms
        | 0xFF00..=0xFF60        // Full-width forms
        | 0xFFE0..=0xFFE6        // Full-width signs
        | 0x20000..=0x3FFFD      // CJK Extensions B onwards
    )
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::*;

    fn read_back(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).expect("the workbook opens")
    }

    #[test]
    fn reads_back_names_headers_numbers_and_chinese_text() {
        let summary = "目标,基准,强化\n常住人口城镇化率,0.712,0.735\n新增城镇就业,5.9万–7.6万,\n".as_bytes();
        let tidy = b"scenario,year,indicator,value,unit\nbaseline,2030,urban_rate,1e-3,share\n";
        let bytes = workbook(&[("概要", summary), ("tidy", tidy)]).unwrap();
        let mut book = read_back(bytes);
        assert_eq!(book.sheet_names(), vec!["概要".to_string(), "tidy".to_string()]);

        let range = book.worksheet_range("概要").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("目标".into())));
        assert_eq!(range.get((0, 2)), Some(&Data::String("强化".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(0.712)));
        assert_eq!(range.get((1, 0)), Some(&Data::String("常住人口城镇化率".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::String("5.9万–7.6万".into())));

        let range = book.worksheet_range("tidy").unwrap();
        assert_eq!(range.get((0, 3)), Some(&Data::String("value".into())));
        // The year is numeric data, so it becomes a number; the header "year" stays text.
        assert_eq!(range.get((1, 1)), Some(&Data::Float(2030.0)));
        assert_eq!(range.get((1, 3)), Some(&Data::Float(0.001)));
    }

    #[test]
    fn readers_get_chinese_headers_formats_and_notes() {
        let table = b"scenario,year,indicator,unit,p50,probability\nbaseline,2028,urbanisation_rate,share,0.7123,0.5\nbaseline,2028,resident_population,persons,1440161.55,0.25\n";
        let one = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
        let names = BTreeMap::from([
            ("scenario", one("baseline", "现状延续")),
            ("indicator", one("urbanisation_rate", "常住人口城镇化率")),
        ]);
        let readers = Readers { chinese: true, notes: vec!["说明".into(), "种子 20250618".into()], names };
        let bytes = workbook_for_readers(&[("summary", table)], &readers).unwrap();
        let mut book = read_back(bytes);
        assert_eq!(book.sheet_names(), vec!["说明".to_string(), "summary".to_string()]);
        let range = book.worksheet_range("summary").unwrap();
        // Chinese header, then the ids, then the data as numbers; each id column has its
        // names beside it (empty where an id has none).
        assert_eq!(range.get((0, 0)), Some(&Data::String("情景".into())));
        assert_eq!(range.get((0, 1)), Some(&Data::String("情景名称".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::String("现状延续".into())));
        assert_eq!(range.get((0, 4)), Some(&Data::String("指标名称".into())));
        assert_eq!(range.get((2, 4)), Some(&Data::String("常住人口城镇化率".into())));
        assert_eq!(range.get((3, 4)), Some(&Data::Empty));
        assert_eq!(range.get((0, 6)), Some(&Data::String("中位数".into())));
        assert_eq!(range.get((1, 6)), Some(&Data::String("p50".into())));
        assert_eq!(range.get((2, 6)), Some(&Data::Float(0.7123)));
        assert_eq!(range.get((3, 6)), Some(&Data::Float(1440161.55)));
    }

    #[test]
    fn the_bytes_do_not_depend_on_the_clock() {
        // The library stamps files with the current second unless told otherwise; two workbooks
        // of the same tables written in different seconds must still be identical.
        let tables: &[(&str, &[u8])] = &[("s", b"h\n1\n")];
        let first = workbook(tables).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(workbook(tables).unwrap(), first);
    }

    #[test]
    fn non_finite_and_padded_text_stay_text() {
        let bytes = workbook(&[("s", b"h1,h2,h3\nNaN,inf, 42 \n")]).unwrap();
        let range = read_back(bytes).worksheet_range("s").unwrap();
        assert_eq!(range.get((1, 0)), Some(&Data::String("NaN".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::String("inf".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(42.0)));
    }

    #[test]
    fn sheet_names_are_truncated_cleaned_and_unique() {
        let long = "a".repeat(40);
        let csv: &[u8] = b"h\n1\n";
        let bytes =
            workbook(&[(long.as_str(), csv), (long.as_str(), csv), ("x/y", csv), ("X_Y", csv), ("", csv)]).unwrap();
        let names = read_back(bytes).sheet_names();
        assert_eq!(names[0], "a".repeat(31));
        assert_eq!(names[1], format!("{} (2)", "a".repeat(27)));
        assert_eq!(names[2], "x_y");
        assert_eq!(names[3], "X_Y (2)");
        assert_eq!(names[4], "Sheet");
        assert!(names.iter().all(|n| n.chars().count() <= 31));
    }

    #[test]
    fn ragged_rows_and_empty_csv_are_accepted() {
        let bytes = workbook(&[("ragged", b"a,b\n1\n1,2,3\n"), ("empty", b"")]).unwrap();
        let mut book = read_back(bytes);
        let range = book.worksheet_range("ragged").unwrap();
        assert_eq!(range.get((2, 2)), Some(&Data::Float(3.0)));
        assert_eq!(book.sheet_names().len(), 2);
    }

    #[test]
    fn invalid_utf8_is_an_error_naming_the_sheet() {
        let err = workbook(&[("bad", b"h\n\xff\xfe\n")]).unwrap_err();
        assert!(err.contains("bad"), "{err}");
    }

    #[test]
    fn width_counts_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("浏阳市"), 6);
        assert_eq!(display_width("5.9万"), 5);
        assert_eq!(display_width("（全角）"), 8);
    }
}
