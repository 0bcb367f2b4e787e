//! What readers see instead of ids: the Chinese and English names of every parameter, lever and
//! unit, and of the outcomes the analyses label. Ids (`g_fireworks`, `new_urban_jobs@2028`) are
//! for files and machines; charts, the page, the workbook's headers and the Word brief show these
//! names. The names are data (`src/names.toml`, compiled in), not code branches, so a translator
//! can correct one without touching Rust; a unit test holds the table to the registries (every
//! parameter, lever and unit named in both languages, nothing else). Indicators and targets carry
//! their names in their own registries (`model::indicators`, `seeds/plan-targets.toml`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::model::params::Block;
use crate::model::{IndicatorId, LeverId, ParamId};
use crate::targets::PlanTargets;

/// Language of what a reader sees (charts, page, tables, Word brief).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`), the default for the city's readers.
    #[default]
    Zh,
    /// English (`en`).
    En,
}

/// One name in both languages.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Name {
    zh: String,
    en: String,
}

impl Name {
    fn get(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.zh } else { &self.en }
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    units: BTreeMap<String, Name>,
    parameters: BTreeMap<String, Name>,
    levers: BTreeMap<String, Name>,
}

/// The table, parsed once. It is compiled in and checked by the tests below, so it cannot fail
/// to parse in a released binary; were it ever broken, every lookup falls back to the id.
fn table() -> Option<&'static Table> {
    static TABLE: OnceLock<Option<Table>> = OnceLock::new();
    TABLE.get_or_init(|| toml::from_str(include_str!("names.toml")).ok()).as_ref()
}

/// A parameter's name.
pub fn param(id: ParamId, lang: Lang) -> &'static str {
    table().and_then(|t| t.parameters.get(id.key())).map_or(id.key(), |n| n.get(lang))
}

/// A lever's name.
pub fn lever(id: LeverId, lang: Lang) -> &'static str {
    table().and_then(|t| t.levers.get(id.key())).map_or(id.key(), |n| n.get(lang))
}

/// A unit as a reader writes it (`persons/yr` → 人/年 or "persons a year"). A unit the table
/// lacks is shown as written, with 亿元 and 万元 spelt out in English.
pub fn unit(u: &str, lang: Lang) -> String {
    match table().and_then(|t| t.units.get(u)) {
        Some(n) => n.get(lang).to_string(),
        None if lang == Lang::En => u.replace("亿元", "100 million yuan").replace("万元", "10,000 yuan"),
        None => u.to_string(),
    }
}

/// An English name as it reads inside a sentence: the first letter in lower case unless the
/// first word is an acronym ("GDP", "ARH") or a proper name's capital is followed by another
/// capital. Chinese names are returned as they are.
pub fn in_sentence(name: &str, lang: Lang) -> String {
    let mut chars = name.chars();
    match (lang, chars.next(), chars.next()) {
        (Lang::En, Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            let first_word = name.split(' ').next().unwrap_or("");
            // Proper names keep their capital.
            const PROPER: [&str; 4] = ["Liuyang", "Changsha", "Hunan", "China"];
            if PROPER.contains(&first_word) {
                return name.to_string();
            }
            let mut out: String = first.to_lowercase().collect();
            out.push_str(&name[first.len_utf8()..]);
            out
        }
        _ => name.to_string(),
    }
}

/// A model block's name (grouped sensitivity analyses rank blocks, not parameters).
pub fn block(b: Block, lang: Lang) -> &'static str {
    let (zh, en) = match b {
        Block::Demography => ("人口", "Demography"),
        Block::Settlement => ("落户与迁移", "Settlement and migration"),
        Block::Employment => ("就业", "Employment"),
        Block::Housing => ("住房", "Housing"),
        Block::Services => ("公共服务", "Public services"),
        Block::Fiscal => ("财政", "Budget"),
    };
    if lang == Lang::Zh { zh } else { en }
}

/// The name of a sensitivity factor: a parameter, or a group of them (a model block's key as
/// `sensitivity --groups block` writes it). Anything else is shown as given.
pub fn factor(key: &str, lang: Lang) -> String {
    if let Some(id) = ParamId::from_key(key) {
        return param(id, lang).to_string();
    }
    let b = [Block::Demography, Block::Settlement, Block::Employment, Block::Housing, Block::Services, Block::Fiscal]
        .into_iter()
        .find(|b| format!("{b:?}").eq_ignore_ascii_case(key));
    b.map_or_else(|| key.to_string(), |b| block(b, lang).to_string())
}

/// An indicator's name.
pub fn indicator(id: IndicatorId, lang: Lang) -> &'static str {
    let s = id.spec();
    if lang == Lang::Zh { s.zh } else { s.en }
}

/// The name of an analysis outcome as the exploration tables label it: `INDICATOR@YEAR` is the
/// indicator in that year, `target:ID` whether the plan target is met. A label of another shape
/// (a user's own) is shown as given.
pub fn outcome(label: &str, targets: &PlanTargets, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    if let Some((key, year)) = label.split_once('@')
        && let Some(id) = IndicatorId::from_key(key)
    {
        return if zh {
            format!("{}（{year}年）", indicator(id, lang))
        } else {
            format!("{} ({year})", indicator(id, lang))
        };
    }
    if let Some(id) = label.strip_prefix("target:")
        && let Some(t) = targets.target.iter().find(|t| t.id == id)
    {
        return if zh { format!("是否达成：{}", t.text_zh) } else { format!("Target met: {}", t.text_en) };
    }
    if let Some(id) = IndicatorId::from_key(label) {
        return indicator(id, lang).to_string();
    }
    label.to_string()
}

/// The unit of an analysis outcome's values (`INDICATOR@YEAR` in the indicator's unit; a
/// target's met/missed as a share of futures), in the reader's words; empty when unknown.
pub fn outcome_unit(label: &str, lang: Lang) -> String {
    let key = label.split_once('@').map_or(label, |(k, _)| k);
    IndicatorId::from_key(key).map_or_else(String::new, |id| unit(id.spec().unit, lang))
}

/// A number as a reader writes it: thousands separators, no trailing zeros, a real minus sign.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let digits = if x.fract() == 0.0 || x.abs() >= 100.0 { 0 } else { 3 };
    let text = crate::chart::fmt_number(x, digits);
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// One value of a lever in words, with its unit: `3 个月`, `80%`, `是`, `2029年`, `缴纳个人所得税`.
pub fn lever_value(id: LeverId, x: f64, lang: Lang) -> String {
    use crate::model::levers::LeverKind;
    let zh = lang == Lang::Zh;
    let spec = id.spec();
    match spec.kind {
        LeverKind::Bool => (if x > 0.5 {
            if zh { "是" } else { "yes" }
        } else if zh {
            "否"
        } else {
            "no"
        })
        .to_string(),
        LeverKind::Choice(options) => {
            let option = options.get(x as usize).copied().unwrap_or("");
            let (z, e) = match option {
                "off" => ("不设此条件", "not required"),
                "any_record" => ("有任一纳税或社保记录", "any tax or social-insurance record"),
                "iit_paid" => ("缴纳个人所得税", "individual income tax paid"),
                other => (other, other),
            };
            (if zh { z } else { e }).to_string()
        }
        LeverKind::Year { .. } if x.is_infinite() => (if zh { "不开通" } else { "never" }).to_string(),
        LeverKind::Year { .. } => {
            if zh {
                format!("{x}年")
            } else {
                format!("{x}")
            }
        }
        LeverKind::Number { .. } if spec.unit.starts_with("share") => {
            let pct = format!("{}%", number(x * 100.0));
            let u = unit(spec.unit, lang);
            match (spec.unit, zh) {
                ("share", _) => pct,
                // "占市场租金比例" → 市场租金的 80%; "share of market rent" → 80% of market rent.
                (_, true) => match u.strip_prefix('占').and_then(|r| r.strip_suffix("比例")) {
                    Some(base) => format!("{base}的{pct}"),
                    None => format!("{pct}（{u}）"),
                },
                (_, false) => match u.strip_prefix("share of ") {
                    Some(base) => format!("{pct} of {base}"),
                    None => format!("{pct} ({u})"),
                },
            }
        }
        // A 0–1 intensity or a priority weight is a plain number.
        LeverKind::Number { .. } if matches!(spec.unit, "intensity" | "weight") => number(x),
        // English counts money in millions and billions, never in 亿.
        LeverKind::Number { .. } if !zh && spec.unit.starts_with("亿元") => {
            let per = if spec.unit.ends_with("/yr") { " a year" } else { "" };
            if x.abs() >= 10.0 {
                format!("{} billion yuan{per}", number(x / 10.0))
            } else {
                format!("{} million yuan{per}", number(x * 100.0))
            }
        }
        LeverKind::Number { .. } => {
            let mut u = unit(spec.unit, lang);
            // One month, not "1 months".
            if !zh && x == 1.0 && matches!(spec.unit, "months" | "years" | "days") {
                u.pop();
            }
            // Chinese writes a unit of one character straight after the number.
            let gap = if zh && !u.is_ascii() { "" } else { " " };
            format!("{}{gap}{u}", number(x))
        }
    }
}

/// A lever setting in words: one value, or the values of a schedule by year.
pub fn lever_setting(id: LeverId, s: &crate::baseline::Setting, lang: Lang) -> String {
    use crate::baseline::Setting;
    match s {
        Setting::Constant(x) => lever_value(id, *x, lang),
        Setting::Schedule(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(y, v)| {
                    let v = lever_value(id, *v, lang);
                    if lang == Lang::Zh { format!("{y}年起{v}") } else { format!("{v} from {y}") }
                })
                .collect();
            parts.join(if lang == Lang::Zh { "，" } else { ", " })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units_in_use() -> Vec<&'static str> {
        let mut u: Vec<&str> = ParamId::ALL.iter().map(|p| p.spec().unit).collect();
        u.extend(LeverId::ALL.iter().map(|l| l.spec().unit));
        u.extend(IndicatorId::ALL.iter().map(|i| i.spec().unit));
        u.sort_unstable();
        u.dedup();
        u
    }

    #[test]
    fn every_parameter_lever_and_unit_is_named_in_both_languages_and_nothing_else() {
        let t: Table = toml::from_str(include_str!("names.toml")).expect("src/names.toml parses");
        let params: Vec<&str> = ParamId::ALL.iter().map(|p| p.key()).collect();
        let levers: Vec<&str> = LeverId::ALL.iter().map(|l| l.key()).collect();
        let units = units_in_use();
        for (what, have, want) in
            [("parameters", &t.parameters, &params), ("levers", &t.levers, &levers), ("units", &t.units, &units)]
        {
            let missing: Vec<&&str> = want.iter().filter(|k| !have.contains_key(**k)).collect();
            let extra: Vec<&String> = have.keys().filter(|k| !want.contains(&k.as_str())).collect();
            assert!(missing.is_empty(), "src/names.toml [{what}] lacks {missing:?}");
            assert!(extra.is_empty(), "src/names.toml [{what}] names what the model does not have: {extra:?}");
            for (k, n) in have {
                assert!(!n.zh.trim().is_empty() && !n.en.trim().is_empty(), "[{what}] {k}: a name is empty");
            }
        }
    }

    #[test]
    fn names_read_as_words_not_ids() {
        let t: Table = toml::from_str(include_str!("names.toml")).expect("src/names.toml parses");
        for (k, n) in t.parameters.iter().chain(&t.levers) {
            assert!(!n.en.contains('_') && !n.zh.contains('_'), "{k}: a name with an underscore");
            assert!(n.en.chars().next().is_some_and(char::is_uppercase), "{k}: English names start with a capital");
            // Chinese names use full-width punctuation.
            assert!(!n.zh.contains([':', '(', ')', ',', ';']), "{k}: `{}` has ASCII punctuation", n.zh);
            assert!(!n.en.contains(['万', '亿']), "{k}: `{}` counts in 万 or 亿", n.en);
        }
        for (k, n) in &t.units {
            assert!(!n.en.contains(['万', '亿']), "unit {k}: `{}` counts in 万 or 亿", n.en);
        }
    }

    #[test]
    fn outcomes_and_factors_are_named() {
        let targets =
            PlanTargets::parse("plan-targets.toml", include_str!("../seeds/plan-targets.toml")).expect("targets parse");
        assert_eq!(outcome("new_urban_jobs@2028", &targets, Lang::Zh), "城镇新增就业（2028年）");
        assert_eq!(outcome("new_urban_jobs@2028", &targets, Lang::En), "new urban jobs (2028)");
        assert!(outcome("target:new_urban_jobs", &targets, Lang::Zh).starts_with("是否达成："));
        assert_eq!(outcome("my_own", &targets, Lang::En), "my_own");
        assert_eq!(factor("tfr", Lang::Zh), param(ParamId::Tfr, Lang::Zh));
        assert_eq!(factor("housing", Lang::Zh), "住房");
        assert_eq!(factor("unknown", Lang::En), "unknown");
        assert_eq!(unit("亿元/yr", Lang::En), "100 million yuan a year");
        assert_eq!(in_sentence("Service jobs per industrial job", Lang::En), "service jobs per industrial job");
        assert_eq!(in_sentence("GDP growth", Lang::En), "GDP growth");
        assert_eq!(in_sentence("Liuyang wages", Lang::En), "Liuyang wages");
        assert_eq!(in_sentence("总和生育率", Lang::Zh), "总和生育率");
    }

    #[test]
    fn lever_values_read_as_words() {
        use crate::baseline::Setting;
        assert_eq!(number(1500.0), "1,500");
        assert_eq!(number(-0.25), "−0.25");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(lever_value(LeverId::SettleSiMonths, 3.0, Lang::Zh), format!("3{}", unit("months", Lang::Zh)));
        assert_eq!(lever_value(LeverId::SettleSiMonths, 3.0, Lang::En), format!("3 {}", unit("months", Lang::En)));
        assert_eq!(lever_value(LeverId::IncomeProof, 0.0, Lang::Zh), "否");
        assert_eq!(lever_value(LeverId::TaxRecord, 2.0, Lang::En), "individual income tax paid");
        assert_eq!(lever_value(LeverId::MaglevYear, f64::INFINITY, Lang::Zh), "不开通");
        assert_eq!(lever_value(LeverId::MaglevYear, 2027.0, Lang::Zh), "2027年");
        assert_eq!(lever_value(LeverId::Decoupling, 0.5, Lang::En), "50%");
        assert_eq!(lever_value(LeverId::ArhRent, 0.8, Lang::En), "80% of market rent");
        assert_eq!(lever_value(LeverId::ArhRent, 0.8, Lang::Zh), "市场租金的80%");
        assert_eq!(lever_value(LeverId::PermitMonths, 1.0, Lang::En), "1 month");
        assert_eq!(lever_value(LeverId::SettleYears, 0.0, Lang::En), "0 years");
        assert_eq!(lever_value(LeverId::GuaranteeLoans, 0.25, Lang::En), "25 million yuan a year");
        assert_eq!(lever_value(LeverId::SpecialBonds, 10.0, Lang::En), "1 billion yuan a year");
        assert_eq!(lever_value(LeverId::SpecialBonds, 10.0, Lang::Zh), "10亿元/年");
        assert_eq!(lever_value(LeverId::IndustrialPolicy, 0.7, Lang::Zh), "0.7");
        let schedule = Setting::Schedule([(2025, 1500.0), (2026, 2000.0)].into_iter().collect());
        let u = unit("units/yr", Lang::Zh);
        assert_eq!(lever_setting(LeverId::ArhNew, &schedule, Lang::Zh), format!("2025年起1,500{u}，2026年起2,000{u}"));
    }
}
