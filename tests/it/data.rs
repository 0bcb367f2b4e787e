//! Department data end to end: `urbsim data template` → a workbook filled by a program, as a
//! department would in Excel → `urbsim data load` → `--data` on the commands that run the model;
//! and a workbook with every kind of bad cell, all reported at once with sheet and cell.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_xlsxwriter::{Formula, Workbook};
use tempfile::TempDir;

use crate::common::{read, stderr, urbsim};

/// Every sheet of a workbook as rows of cells.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).expect("the template opens");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// Writes the sheets back as a new workbook, as a department's spreadsheet program would save
/// it, with `cells` edited (sheet, row, column).
fn write(path: &Path, sheets: &[(String, Vec<Vec<Data>>)], cells: &BTreeMap<(String, u32, u16), Cell>) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, d) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match d {
                    Data::String(s) => sheet.write_string(r, c, s).map(|_| ()),
                    Data::Float(x) => sheet.write_number(r, c, *x).map(|_| ()),
                    Data::Int(i) => sheet.write_number(r, c, *i as f64).map(|_| ()),
                    _ => Ok(()),
                }
                .expect("cell");
            }
        }
        for ((s, r, c), cell) in cells {
            if s != name {
                continue;
            }
            match cell {
                Cell::Num(x) => sheet.write_number(*r, *c, *x).map(|_| ()),
                Cell::Text(t) => sheet.write_string(*r, *c, t).map(|_| ()),
                Cell::DivZero => sheet.write_formula(*r, *c, Formula::new("=1/0").set_result("#DIV/0!")).map(|_| ()),
                Cell::Merge(to) => sheet.merge_range(*r, *c, *r, *to, "", &rust_xlsxwriter::Format::new()).map(|_| ()),
            }
            .expect("edit");
        }
    }
    book.save(path).expect("save");
}

/// An edit to one cell.
enum Cell {
    Num(f64),
    Text(String),
    DivZero,
    Merge(u16),
}

/// The row (0-based) of `key` on `sheet`.
fn row_of(sheets: &[(String, Vec<Vec<Data>>)], sheet: &str, key: &str) -> u32 {
    let rows = &sheets.iter().find(|(n, _)| n == sheet).unwrap_or_else(|| panic!("no sheet {sheet}")).1;
    rows.iter().position(|r| r.first() == Some(&Data::String(key.to_string()))).unwrap_or_else(|| panic!("no {key}"))
        as u32
}

/// Fills value, year and source of `key`.
fn fill(edits: &mut BTreeMap<(String, u32, u16), Cell>, sheet: &str, row: u32, value: f64, year: f64) {
    edits.insert((sheet.into(), row, 8), Cell::Num(value));
    edits.insert((sheet.into(), row, 9), Cell::Num(year));
    edits.insert((sheet.into(), row, 10), Cell::Text("浏阳市2024年统计公报".into()));
    edits.insert((sheet.into(), row, 11), Cell::Text("统计科".into()));
}

#[test]
fn a_filled_template_loads_and_every_command_uses_its_values() {
    let dir = TempDir::new().expect("tempdir");
    let template = dir.path().join("template.xlsx");
    let a = urbsim().args(["data", "template", "--out"]).arg(&template).assert().success();
    assert!(String::from_utf8_lossy(&a.get_output().stdout).contains("公安局"));
    let sheets = sheets(&template);
    assert_eq!(sheets[0].0, "说明");
    // A parameter, a lever default and a base-year datum, on two departments' sheets.
    let mut edits = BTreeMap::new();
    let debt = row_of(&sheets, "财政局", "debt_base");
    let cap = row_of(&sheets, "财政局", "debt_cap");
    let ext = row_of(&sheets, "公安局", "census.external_share");
    fill(&mut edits, "财政局", debt, 300.0, 2024.0);
    fill(&mut edits, "财政局", cap, 1.2, 2024.0);
    fill(&mut edits, "公安局", ext, 0.35, 2024.0);
    // A history: births 20% above the published ones in 2021-2023 (columns: 2016 is E).
    let births = row_of(&sheets, "历史数据", "births");
    for (k, published) in [9363.0, 8674.0, 8329.0].iter().enumerate() {
        edits.insert(("历史数据".into(), births, (4 + 5 + k) as u16), Cell::Num(published * 1.2));
    }
    let series_source = (4 + 2024 - 2016 + 1) as u16;
    edits.insert(("历史数据".into(), births, series_source), Cell::Text("浏阳市卫健局出生登记".into()));
    let filled = dir.path().join("filled.xlsx");
    write(&filled, &sheets, &edits);
    let overlay = dir.path().join("local.toml");
    urbsim().args(["data", "load"]).arg(&filled).arg("--out").arg(&overlay).assert().success();
    let text = read(&overlay);
    assert!(
        text.contains("key = \"debt_base\"") && text.contains("value = 300.0") && text.contains("cell = \"财政局!I")
    );

    // The run picks them up: results change, the manifest names the overlay and its hash.
    let (with, without) = (dir.path().join("with"), dir.path().join("without"));
    urbsim().args(["run", "scenarios/baseline.toml", "--draws", "0", "--out"]).arg(&without).assert().success();
    let a = urbsim()
        .args(["run", "scenarios/baseline.toml", "--draws", "0", "--data"])
        .arg(&overlay)
        .arg("--out")
        .arg(&with)
        .assert()
        .success();
    assert!(
        stderr(&a).contains("4 values from filled.xlsx") && stderr(&a).contains("births (3 years)"),
        "{}",
        stderr(&a)
    );
    assert_ne!(read(&with.join("results.csv")), read(&without.join("results.csv")));
    let m: serde_json::Value = serde_json::from_str(&read(&with.join("manifest.json"))).expect("manifest");
    assert_eq!(m["data_overlays"][0]["sha256"], crate::common::hex_sha256(text.as_bytes()).as_str());
    assert_eq!(m["data_overlays"][0]["workbook"], "filled.xlsx");
    // explain shows the loaded value with its source, and the baseline's beside it.
    let a = urbsim().args(["explain", "debt_base", "--data"]).arg(&overlay).assert().success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(out.contains("[S]") && out.contains("财政局 2024: 浏阳市2024年统计公报"), "{out}");
    assert!(out.contains("loaded 300 from") && out.contains("the baseline had 250 [L]"), "{out}");
    // Calibration refits on the loaded history: more births, a higher fertility.
    let fitted = |extra: &[&std::ffi::OsStr]| -> f64 {
        let a = urbsim().arg("calibrate").args(extra).assert().success();
        let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
        let line = out.lines().find(|l| l.starts_with("tfr = ")).unwrap_or_else(|| panic!("{out}")).to_string();
        line[6..].split_whitespace().next().and_then(|x| x.parse().ok()).expect("a number")
    };
    let shipped = fitted(&[]);
    let loaded = fitted(&["--data".as_ref(), overlay.as_os_str()]);
    assert!(loaded > shipped * 1.1, "tfr fitted {loaded} on loaded births, {shipped} on the shipped ones");
}

#[test]
fn every_bad_cell_is_reported_with_its_sheet_and_cell_and_nothing_is_written() {
    let dir = TempDir::new().expect("tempdir");
    let template = dir.path().join("template.xlsx");
    urbsim().args(["data", "template", "--out"]).arg(&template).assert().success();
    let mut sheets = sheets(&template);
    let f = "财政局";
    let rows: Vec<u32> = (1..=8).collect();
    let mut edits = BTreeMap::new();
    // 1 text in a number cell, 2 out of range, 3 a formula error, 4 a wrong year, 5 an empty
    // required cell (a value without a year), 6 a wrong unit.
    edits.insert((f.into(), rows[0], 8), Cell::Text("约300亿".into()));
    fill(&mut edits, f, rows[1], -5.0, 2024.0);
    edits.insert((f.into(), rows[2], 8), Cell::DivZero);
    fill(&mut edits, f, rows[3], 1.0, 1999.0);
    fill(&mut edits, f, rows[4], 1.0, 2024.0);
    edits.remove(&(f.to_string(), rows[4], 9));
    edits.insert((f.into(), rows[5], 3), Cell::Text("万元".into()));
    // 7 an unknown key, 8 a duplicated key (on another sheet), 9 a merged cell.
    let p = "公安局";
    edits.insert((p.into(), 1, 0), Cell::Text("debt_bse".into()));
    let first_key = match &sheets.iter().find(|(n, _)| n == f).expect("sheet").1[rows[6] as usize][0] {
        Data::String(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    edits.insert((p.into(), 2, 0), Cell::Text(first_key.clone()));
    edits.insert((p.into(), 3, 10), Cell::Merge(11));
    // 10 a moved column: the year and value headers swapped on a third sheet.
    let h = "住建局";
    let header = &mut sheets.iter_mut().find(|(n, _)| n == h).expect("sheet").1[0];
    header.swap(8, 9);
    // 11 an empty required cell in a series: values without their source document.
    let deaths = row_of(&sheets, "历史数据", "deaths");
    edits.insert(("历史数据".into(), deaths, 9), Cell::Num(9959.0));
    let bad = dir.path().join("bad.xlsx");
    write(&bad, &sheets, &edits);
    let out = dir.path().join("local.toml");
    let a = urbsim().args(["data", "load"]).arg(&bad).arg("--out").arg(&out).assert().code(2);
    let e = stderr(&a);
    let at = |sheet: &str, cell: String| format!("bad.xlsx!{sheet}!{cell}");
    let cell = |c: char, r: u32| format!("{c}{}", r + 1);
    for (what, expected) in [
        ("text in a number cell", at(f, cell('I', rows[0])) + ":"),
        ("out of range", "is outside the accepted range".to_string()),
        ("formula error", at(f, cell('I', rows[2])) + ":"),
        ("wrong year", "\"1999\" is not a year".to_string()),
        ("empty required cell", at(f, cell('J', rows[4])) + ":"),
        ("wrong unit", "the unit reads \"万元\"".to_string()),
        ("unknown key", at(p, "A2".to_string()) + ": debt_bse: not a value"),
        ("duplicated key", format!("{first_key}: appears again")),
        ("merged cell", at(p, "K4".to_string()) + ": cells"),
        ("moved column", at(h, "I1".to_string()) + ": the header reads"),
        (
            "series without its source",
            at("历史数据", cell('N', deaths)) + ": deaths: a series without a source document",
        ),
    ] {
        assert!(e.contains(&expected), "{what}: `{expected}` not in\n{e}");
    }
    assert!(e.contains("formula error"), "{e}");
    assert!(e.contains("did you mean debt_base"), "{e}");
    assert!(e.contains("nothing was written"), "{e}");
    assert!(!out.exists());
}
