//! Scenario files: this module owns reading a scenario TOML file, following its
//! `extends` chain, validating every key against a [`Schema`] and merging the chain
//! into one [`Scenario`]. It is pure: files are obtained through a caller-supplied
//! `read` function, so the CLI, `validate` and tests share exactly the same rules.
//! Validation never stops at the first mistake; every problem is collected with its
//! file, line, column, key path and a hint, because users fix scenario files in one
//! pass far more easily than in a loop of one-error-at-a-time runs.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// What one key accepts.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A number in [min, max]; when `schedule` is true a per-year table `{ 2025 = 500, 2026 = 800 }` is accepted as well.
    Number {
        /// Smallest accepted value (may be `f64::NEG_INFINITY` for no bound).
        min: f64,
        /// Largest accepted value (may be `f64::INFINITY` for no bound).
        max: f64,
        /// Whether a per-year table is accepted in place of a single number.
        schedule: bool,
    },
    /// `true` or `false`.
    Bool,
    /// One of the listed strings.
    Choice(&'static [&'static str]),
    /// A calendar year in [min, max], or the string "none" when `none_ok`.
    Year {
        /// Earliest accepted year.
        min: u16,
        /// Latest accepted year.
        max: u16,
        /// Whether the string `"none"` is accepted.
        none_ok: bool,
    },
    /// A parameter that only describes the base year (a stock or a base-year level): the base
    /// year is the past, the same for every scenario, so a scenario may not set it.
    BaseYear,
    /// An uncertain parameter: a number (fixes it) or a distribution table such as
    /// `{ kind = "uniform", low = 0.2, high = 0.5 }` whose support lies in [min, max].
    Uncertain {
        /// Lowest accepted value.
        min: f64,
        /// Highest accepted value.
        max: f64,
    },
}

/// One accepted key of the `[levers]` or `[parameters]` table.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// The key as written in scenario files.
    pub key: &'static str,
    /// Unit shown in messages (may be empty).
    pub unit: &'static str,
    /// What the key accepts.
    pub rule: Rule,
}

/// Everything the loader validates against.
pub struct Schema<'a> {
    /// Keys accepted in `[levers]`.
    pub levers: &'a [KeySpec],
    /// Keys accepted in `[parameters]`.
    pub parameters: &'a [KeySpec],
    /// First simulated year; bounds schedule years and `[options] until`.
    pub first_year: u16,
    /// Last simulated year; bounds schedule years and `[options] until`.
    pub last_year: u16,
}

/// A validated lever or parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A single number (integers are widened).
    Number(f64),
    /// A per-year table, keyed by year.
    Schedule(BTreeMap<u16, f64>),
    /// A boolean.
    Bool(bool),
    /// Index into the key's [`Rule::Choice`] list.
    Choice(usize),
    /// A year, or `None` for the string `"none"`.
    Year(Option<u16>),
    /// A distribution replacing a parameter's uncertainty.
    Dist(crate::uncertainty::Dist),
}

/// The period the plan's targets are measured over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPeriod {
    /// `"2025-2028"`.
    From2025,
    /// `"2024-2028"`.
    From2024,
}

/// A scenario after following `extends` and merging.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `name` of the leaf file, or its file stem.
    pub name: String,
    /// Chinese title of the leaf file; defaults to `name`.
    pub title_zh: String,
    /// English title of the leaf file; defaults to `name`.
    pub title_en: String,
    /// Leaf file's description (in English when the file gives both languages); defaults to empty.
    pub description: String,
    /// Leaf file's Chinese description; the plain description when the file gives one text.
    pub description_zh: String,
    /// Plan clauses the leaf file enacts.
    pub enacts: Vec<String>,
    /// Levers merged along the `extends` chain, child wins per key.
    pub levers: BTreeMap<String, Value>,
    /// Parameters merged along the `extends` chain, child wins per key.
    pub parameters: BTreeMap<String, Value>,
    /// `[options] target_period`, child wins.
    pub target_period: Option<TargetPeriod>,
    /// `[options] until`, child wins.
    pub until: Option<u16>,
    /// Every file read, leaf first, with its full text.
    pub files: Vec<(PathBuf, String)>,
}

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// File the problem is in.
    pub file: PathBuf,
    /// 1-based line; 0 when the file itself could not be read.
    pub line: usize,
    /// 1-based column, counted in characters; 0 when the file could not be read.
    pub column: usize,
    /// Full key path, e.g. `levers.arh_new_units.2031`; empty when no key applies.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it; may be empty.
    pub hint: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        // A file that could not be read has no position worth printing.
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// All problems of a load, in file order (leaf first, then by position).
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<Problem>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.0 {
            writeln!(f, "{problem}")?;
        }
        let n = self.0.len();
        let noun = if n == 1 { "problem" } else { "problems" };
        write!(f, "{n} {noun} in scenario files")
    }
}

/// Load `path`, follow `extends`, validate every key against `schema`, and return the merged scenario,
/// or every problem found (never just the first). `read` reads a file (the CLI passes std::fs::read_to_string);
/// this module itself never touches the filesystem.
///
/// # Errors
/// Every problem found in any file of the chain, including an unreadable `path`.
pub fn load(
    path: &Path,
    schema: &Schema,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<Scenario, ScenarioErrors> {
    match read(path) {
        Ok(text) => load_str(path, &text, schema, read),
        Err(err) => Err(ScenarioErrors(vec![Problem {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read `{}`: {err}", path.display()),
            hint: match err.kind() {
                std::io::ErrorKind::InvalidData => {
                    "save the file as UTF-8 text (in WPS or Notepad: 另存为, encoding UTF-8)"
                }
                std::io::ErrorKind::NotFound => {
                    "check the path; the shipped scenarios are in scenarios/, e.g. scenarios/baseline.toml"
                }
                std::io::ErrorKind::InvalidInput => "give a scenario file (a regular .toml file of at most 16 MB)",
                _ => "check that the path is right and the file is readable",
            }
            .to_owned(),
        }])),
    }
}

/// Same, from text already in memory (used by tests and `validate`); `path` is only for messages and for resolving `extends`.
///
/// # Errors
/// Every problem found in any file of the chain.
pub fn load_str(
    path: &Path,
    text: &str,
    schema: &Schema,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<Scenario, ScenarioErrors> {
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut chain: Vec<FileData> = Vec::new();
    // Lexical identities of the files read so far; the filesystem is off limits, so
    // cycles are detected on normalised paths rather than canonical ones.
    let mut identities: Vec<PathBuf> = Vec::new();
    let mut current = (path.to_path_buf(), text.to_owned());

    loop {
        let index = files.len();
        let (file, text) = current;
        identities.push(lexical(&file));

        let mut checker = Checker::new(&file, &text, schema);
        let data = checker.check_file(index == 0);
        let mut next = None;
        if let Some((target, span)) = &data.extends {
            next = checker.follow_extends(target, span.clone(), index, &files, &identities, read);
        }
        problems.extend(checker.problems.into_iter().map(|p| (index, p)));

        files.push((file, text));
        chain.push(data);
        match next {
            Some(parent) => current = parent,
            None => break,
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|(index, p)| (*index, p.line, p.column));
        return Err(ScenarioErrors(problems.into_iter().map(|(_, p)| p).collect()));
    }

    let leaf = &chain[0];
    let name = leaf.name.clone().unwrap_or_default();
    let mut levers = BTreeMap::new();
    let mut parameters = BTreeMap::new();
    for data in chain.iter().rev() {
        levers.extend(data.levers.clone());
        parameters.extend(data.parameters.clone());
    }
    Ok(Scenario {
        title_zh: leaf.title_zh.clone().unwrap_or_else(|| name.clone()),
        title_en: leaf.title_en.clone().unwrap_or_else(|| name.clone()),
        description: leaf.description.clone().unwrap_or_default(),
        description_zh: leaf.description_zh.clone().or_else(|| leaf.description.clone()).unwrap_or_default(),
        enacts: leaf.enacts.clone().unwrap_or_default(),
        levers,
        parameters,
        target_period: chain.iter().find_map(|d| d.target_period),
        until: chain.iter().find_map(|d| d.until),
        name,
        files,
    })
}

/// Longest `extends` chain followed: the leaf plus this many ancestors. Deep chains are
/// almost always a mistake and make "where does this value come from" hard to answer.
const MAX_EXTENDS_DEPTH: usize = 8;

const TOP_LEVEL_KEYS: &[&str] =
    &["name", "title", "description", "enacts", "extends", "options", "levers", "parameters"];
const TOP_LEVEL_LIST: &str =
    "valid top-level keys: name, title, description, enacts, extends, [options], [levers], [parameters]";
const OPTION_KEYS: &[&str] = &["target_period", "until"];
const TITLE_KEYS: &[&str] = &["zh", "en"];
const TARGET_PERIODS: &[&str] = &["2025-2028", "2024-2028"];
const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9_-]*$";

/// What one file of the chain contributes; inheritance is decided later in `load_str`.
#[derive(Default)]
struct FileData {
    name: Option<String>,
    title_zh: Option<String>,
    title_en: Option<String>,
    description: Option<String>,
    description_zh: Option<String>,
    enacts: Option<Vec<String>>,
    extends: Option<(String, Range<usize>)>,
    levers: BTreeMap<String, Value>,
    parameters: BTreeMap<String, Value>,
    target_period: Option<TargetPeriod>,
    until: Option<u16>,
}

/// Validates one file and records its problems with positions in that file.
struct Checker<'a, 's> {
    file: &'a Path,
    text: &'a str,
    line_starts: Vec<usize>,
    schema: &'a Schema<'s>,
    problems: Vec<Problem>,
}

impl<'a, 's> Checker<'a, 's> {
    fn new(file: &'a Path, text: &'a str, schema: &'a Schema<'s>) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { file, text, line_starts, schema, problems: Vec::new() }
    }

    /// 1-based line and character column of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line.max(1), column + 1)
    }

    fn report(
        &mut self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line,
            column,
            key: key.into(),
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// The value as the user wrote it, for echoing back in messages.
    fn source(&self, span: Range<usize>) -> String {
        shown(self.text.get(span).unwrap_or("").trim())
    }

    fn check_file(&mut self, is_leaf: bool) -> FileData {
        let mut data = FileData::default();
        let root = match DeTable::parse(self.text) {
            Ok(root) => root,
            Err(err) => {
                self.syntax_error(&err);
                return data;
            }
        };
        let mut saw_name = false;
        for (key, value) in root.get_ref().iter() {
            let span = key.span();
            match key.get_ref().as_ref() {
                "name" => {
                    saw_name = true;
                    data.name = self.check_name(value);
                }
                "title" => {
                    if let Some((zh, en)) = self.check_bilingual(value, "title") {
                        (data.title_zh, data.title_en) = (zh, en);
                    }
                }
                // One text for both languages, or { zh = "…", en = "…" } like the title.
                "description" if matches!(value.get_ref(), DeValue::Table(_)) => {
                    if let Some((zh, en)) = self.check_bilingual(value, "description") {
                        (data.description_zh, data.description) = (zh, en);
                    }
                }
                "description" => {
                    data.description =
                        self.check_string(value, "description", "write a quoted string, or { zh = \"…\", en = \"…\" }");
                }
                "enacts" => data.enacts = self.check_enacts(value),
                "extends" => data.extends = self.check_extends(value),
                "options" => self.check_options(value, &mut data),
                "levers" => {
                    data.levers = self.check_specs(value, "levers");
                }
                "parameters" => {
                    data.parameters = self.check_specs(value, "parameters");
                }
                other => {
                    let hint = if find_spec(self.schema.levers, other).is_some() {
                        format!("`{}` is a lever: put it under [levers]", shown(other))
                    } else if find_spec(self.schema.parameters, other).is_some() {
                        format!("`{}` is a parameter: put it under [parameters]", shown(other))
                    } else if let Some(close) = closest(other, TOP_LEVEL_KEYS.iter().copied()) {
                        format!("did you mean `{close}`?")
                    } else {
                        TOP_LEVEL_LIST.to_owned()
                    };
                    self.report(span, segment(other), format!("unknown top-level key `{}`", shown(other)), hint);
                }
            }
        }
        if is_leaf && !saw_name {
            data.name = self.name_from_stem();
        }
        data
    }

    fn syntax_error(&mut self, err: &toml::de::Error) {
        let span = err.span().unwrap_or(0..0);
        let mut message = err.message().lines().next().unwrap_or("").trim().trim_end_matches('.').to_owned();
        if message.is_empty() {
            message = "invalid TOML".to_owned();
        }
        let mut hint = "fix the TOML syntax at this position";
        if message == "duplicate key" {
            let dup = self.text.get(span.clone()).unwrap_or("").trim();
            if !dup.is_empty() {
                message = format!("duplicate key `{}`", shown(dup));
            }
            hint = "a key may appear only once per table: remove or rename the repeated one";
        }
        let key = nearest_key(self.text, span.start);
        self.report(span, key, message, hint);
    }

    fn check_string(&mut self, value: &Spanned<DeValue>, path: &str, hint: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.report(value.span(), path, format!("expected a string, got {}", type_phrase(other)), hint);
                None
            }
        }
    }

    fn check_name(&mut self, value: &Spanned<DeValue>) -> Option<String> {
        let name = self.check_string(value, "name", "write the name in quotes, like name = \"open-settlement\"")?;
        if valid_name(&name) {
            return Some(name);
        }
        self.report(
            value.span(),
            "name",
            format!("scenario name {} must match {NAME_PATTERN}", quoted(&name)),
            format!("use lower-case letters, digits, `-` and `_`, like name = \"{}\"", slug(&name)),
        );
        None
    }

    fn name_from_stem(&mut self) -> Option<String> {
        let stem = self.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if valid_name(&stem) {
            return Some(stem);
        }
        self.report(
            0..0,
            "name",
            format!("scenario name {} (taken from the file name) must match {NAME_PATTERN}", quoted(&stem)),
            format!("add name = \"{}\" at the top of the file, or rename the file", slug(&stem)),
        );
        None
    }

    /// A text given in both languages, `{ zh = "…", en = "…" }` (the title, or a description).
    fn check_bilingual(&mut self, value: &Spanned<DeValue>, what: &str) -> Option<(Option<String>, Option<String>)> {
        let DeValue::Table(table) = value.get_ref() else {
            self.report(
                value.span(),
                what,
                format!("expected a table like {{ zh = \"…\", en = \"…\" }}, got {}", type_phrase(value.get_ref())),
                format!("write {what} = {{ zh = \"…\", en = \"…\" }}"),
            );
            return None;
        };
        let (mut zh, mut en) = (None, None);
        for (key, item) in table.iter() {
            let hint = format!("write the {what} in quotes");
            match key.get_ref().as_ref() {
                "zh" => zh = self.check_string(item, &format!("{what}.zh"), &hint),
                "en" => en = self.check_string(item, &format!("{what}.en"), &hint),
                other => {
                    let hint = match closest(other, TITLE_KEYS.iter().copied()) {
                        Some(close) => {
                            format!("did you mean `{close}`? {what} accepts only zh and en")
                        }
                        None => format!("{what} accepts only zh and en"),
                    };
                    self.report(
                        key.span(),
                        format!("{what}.{}", segment(other)),
                        format!("unknown key `{}` in {what}", shown(other)),
                        hint,
                    );
                }
            }
        }
        Some((zh, en))
    }

    fn check_enacts(&mut self, value: &Spanned<DeValue>) -> Option<Vec<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                value.span(),
                "enacts",
                format!("expected an array of strings, got {}", type_phrase(value.get_ref())),
                "write enacts = [\"二(一)1\"], one quoted plan clause per entry",
            );
            return None;
        };
        let mut clauses = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let path = format!("enacts[{i}]");
            match item.get_ref() {
                DeValue::String(s) if s.trim().is_empty() => {
                    ok = false;
                    self.report(item.span(), path, "plan clause is empty", "remove the empty entry");
                }
                DeValue::String(s) => clauses.push(s.to_string()),
                other => {
                    ok = false;
                    self.report(
                        item.span(),
                        path,
                        format!("expected a string, got {}", type_phrase(other)),
                        "write each plan clause as a quoted string, like \"二(一)1\"",
                    );
                }
            }
        }
        ok.then_some(clauses)
    }

    fn check_extends(&mut self, value: &Spanned<DeValue>) -> Option<(String, Range<usize>)> {
        let hint = "write the parent file's path in quotes, like extends = \"baseline.toml\"";
        let target = self.check_string(value, "extends", hint)?;
        if target.trim().is_empty() {
            self.report(value.span(), "extends", "`extends` is empty", hint);
            return None;
        }
        Some((target, value.span()))
    }

    /// Decides whether the parent named by `extends` can be loaded, and reads it.
    fn follow_extends(
        &mut self,
        target: &str,
        span: Range<usize>,
        index: usize,
        files: &[(PathBuf, String)],
        identities: &[PathBuf],
        read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
    ) -> Option<(PathBuf, String)> {
        let dir = self.file.parent().unwrap_or(Path::new(""));
        // `.` segments are dropped but `..` is kept, so the OS resolves it (symlinks
        // included); lexical `..` folding is used only for identity.
        let resolved: PathBuf = dir.join(target).components().filter(|c| *c != Component::CurDir).collect();
        let identity = lexical(&resolved);
        if let Some(first) = identities.iter().position(|id| *id == identity) {
            let mut names: Vec<String> = files[first..].iter().map(|(p, _)| p.display().to_string()).collect();
            // `files` does not yet hold the current file.
            names.push(self.file.display().to_string());
            names.push(resolved.display().to_string());
            self.report(
                span,
                "extends",
                format!("extends cycle: {}", names.join(" -> ")),
                "a scenario cannot extend itself, directly or indirectly: remove `extends` from one of these files",
            );
            return None;
        }
        if index >= MAX_EXTENDS_DEPTH {
            self.report(
                span,
                "extends",
                format!("extends chain is deeper than {MAX_EXTENDS_DEPTH} levels"),
                "flatten the chain: copy the needed levers into a nearer parent",
            );
            return None;
        }
        match read(&resolved) {
            Ok(text) => Some((resolved, text)),
            Err(err) => {
                self.report(
                    span,
                    "extends",
                    format!("cannot read `{}`: {err}", shown(target)),
                    format!("`extends` is relative to this file's directory; looked for `{}`", resolved.display()),
                );
                None
            }
        }
    }

    /// The table behind a section key, or a problem when it is not a table.
    fn section<'v, 'i>(&mut self, value: &'v Spanned<DeValue<'i>>, name: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                self.report(
                    value.span(),
                    name,
                    format!("expected a table, got {}", type_phrase(other)),
                    format!("write [{name}] on its own line, followed by key = value lines"),
                );
                None
            }
        }
    }

    fn check_options(&mut self, value: &Spanned<DeValue>, data: &mut FileData) {
        let Some(table) = self.section(value, "options") else {
            return;
        };
        for (key, item) in table.iter() {
            match key.get_ref().as_ref() {
                "target_period" => {
                    data.target_period = self
                        .check_choice(TARGET_PERIODS, item, "options.target_period", "target_period")
                        .map(|i| if i == 0 { TargetPeriod::From2025 } else { TargetPeriod::From2024 });
                }
                "until" => {
                    let rule = (self.schema.first_year, self.schema.last_year, false);
                    data.until = self.check_year(rule, item, "options.until").flatten();
                }
                other => {
                    let hint = match closest(other, OPTION_KEYS.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => "valid options: target_period, until".to_owned(),
                    };
                    self.report(
                        key.span(),
                        format!("options.{}", segment(other)),
                        format!("unknown option `{}`", shown(other)),
                        hint,
                    );
                }
            }
        }
    }

    /// Validates `[levers]` or `[parameters]`.
    fn check_specs(&mut self, value: &Spanned<DeValue>, section: &str) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        let Some(table) = self.section(value, section) else {
            return out;
        };
        let (specs, others, kind, other_kind, other_section) = if section == "levers" {
            (self.schema.levers, self.schema.parameters, "lever", "parameter", "parameters")
        } else {
            (self.schema.parameters, self.schema.levers, "parameter", "lever", "levers")
        };
        for (key, item) in table.iter() {
            let name = key.get_ref().as_ref();
            let path = format!("{section}.{}", segment(name));
            match find_spec(specs, name) {
                Some(spec) => {
                    if let Some(v) = self.check_value(spec, item, &path) {
                        out.insert(name.to_owned(), v);
                    }
                }
                None => {
                    let explain = format!("`urbsim explain` lists every {kind}");
                    let hint = if find_spec(others, name).is_some() {
                        format!("`{}` is a {other_kind}: move it under [{other_section}]", shown(name))
                    } else if let Some(close) = closest(name, specs.iter().map(|s| s.key)) {
                        format!("did you mean `{close}`? {explain}")
                    } else {
                        explain
                    };
                    self.report(key.span(), path, format!("unknown {kind} `{}`", shown(name)), hint);
                }
            }
        }
        out
    }

    fn check_value(&mut self, spec: &KeySpec, value: &Spanned<DeValue>, path: &str) -> Option<Value> {
        match spec.rule {
            Rule::Number { min, max, schedule } => self.check_number(spec.unit, (min, max), schedule, value, path),
            Rule::Bool => self.check_bool(value, path).map(Value::Bool),
            Rule::Choice(list) => self.check_choice(list, value, path, spec.key).map(Value::Choice),
            Rule::Year { min, max, none_ok } => self.check_year((min, max, none_ok), value, path).map(Value::Year),
            Rule::Uncertain { min, max } => match value.get_ref() {
                DeValue::Table(table) => self.check_dist(spec.unit, (min, max), table, value.span(), path),
                _ => self.check_number(spec.unit, (min, max), false, value, path),
            },
            Rule::BaseYear => {
                self.report(
                    value.span(),
                    path,
                    format!("`{}` describes the base year, which every scenario shares", spec.key),
                    "a scenario changes the future, not the past: remove this line, and change a base-year value in \
                     the baseline data instead"
                        .to_string(),
                );
                None
            }
        }
    }

    fn check_dist(
        &mut self,
        unit: &str,
        (min, max): (f64, f64),
        table: &DeTable,
        span: Range<usize>,
        path: &str,
    ) -> Option<Value> {
        let mut kind = None;
        let mut fields = BTreeMap::new();
        for (key, item) in table.iter() {
            let name = key.get_ref().as_ref();
            match (name, item.get_ref()) {
                ("kind", DeValue::String(k)) => kind = Some(k.to_string()),
                ("values", DeValue::Array(items)) => {
                    for (i, v) in items.iter().enumerate() {
                        if let Some(x) = number_of(v.get_ref()) {
                            fields.insert(format!("{i:04}"), x);
                        }
                    }
                }
                (_, v) => match number_of(v) {
                    Some(x) => {
                        fields.insert(name.to_string(), x);
                    }
                    None => {
                        self.report(
                            item.span(),
                            format!("{path}.{}", segment(name)),
                            format!("expected a number, got {}", type_phrase(v)),
                            "distribution fields are numbers, like { kind = \"uniform\", low = 0.2, high = 0.5 }"
                                .to_string(),
                        );
                        return None;
                    }
                },
            }
        }
        let Some(kind) = kind else {
            self.report(
                span,
                path,
                "a distribution table needs `kind`",
                "write { kind = \"uniform\", low = ..., high = ... } or a single number".to_string(),
            );
            return None;
        };
        match crate::uncertainty::Dist::from_fields(&kind, &fields) {
            Ok(d) => {
                let (lo, hi) = d.support();
                if lo < min || hi > max {
                    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
                    self.report(
                        span,
                        path,
                        format!("the distribution {d} reaches outside [{}, {}]{unit}", fmt_num(min), fmt_num(max)),
                        "keep the distribution within the parameter's range (`urbsim explain` shows it)".to_string(),
                    );
                    return None;
                }
                Some(Value::Dist(d))
            }
            Err(e) => {
                self.report(span, path, e, "see `urbsim explain parameters` for the distributions in use".to_string());
                None
            }
        }
    }

    fn check_number(
        &mut self,
        unit: &str,
        (min, max): (f64, f64),
        schedule: bool,
        value: &Spanned<DeValue>,
        path: &str,
    ) -> Option<Value> {
        let v = value.get_ref();
        if let (DeValue::Table(table), true) = (v, schedule) {
            return self.check_schedule(unit, (min, max), table, value.span(), path);
        }
        if let Some(n) = number_of(v) {
            return self.check_range(unit, (min, max), n, value.span(), path).map(Value::Number);
        }
        let example = example_number(min, max);
        let hint = match v {
            DeValue::String(s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                format!("remove the quotes: write {}", shown(s.trim()))
            }
            DeValue::Table(_) => {
                format!("this key takes a single number like {example}, not a per-year table")
            }
            _ if schedule => {
                format!("write a number like {example}, or a per-year table {{ {} = {example} }}", self.example_year())
            }
            _ => format!("write a number like {example}"),
        };
        self.report(value.span(), path, format!("expected {}, got {}", number_phrase(unit), type_phrase(v)), hint);
        None
    }

    fn check_range(
        &mut self,
        unit: &str,
        (min, max): (f64, f64),
        n: f64,
        span: Range<usize>,
        path: &str,
    ) -> Option<f64> {
        if n.is_finite() && n >= min && n <= max {
            return Some(n);
        }
        let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        let (must, hint) = match (min.is_finite(), max.is_finite()) {
            (true, true) => (
                format!("in [{}, {}]{unit}", fmt_num(min), fmt_num(max)),
                format!("use a value between {} and {}", fmt_num(min), fmt_num(max)),
            ),
            (true, false) => {
                (format!("at least {}{unit}", fmt_num(min)), format!("use a value of at least {}", fmt_num(min)))
            }
            (false, true) => {
                (format!("at most {}{unit}", fmt_num(max)), format!("use a value of at most {}", fmt_num(max)))
            }
            (false, false) => ("a finite number".to_owned(), "use a finite number".to_owned()),
        };
        let got = self.source(span.clone());
        self.report(span, path, format!("must be {must}, got {got}"), hint);
        None
    }

    fn check_schedule(
        &mut self,
        unit: &str,
        bounds: (f64, f64),
        table: &DeTable,
        span: Range<usize>,
        path: &str,
    ) -> Option<Value> {
        let (first, last) = (self.schema.first_year, self.schema.last_year);
        let example = example_number(bounds.0, bounds.1);
        if table.is_empty() {
            self.report(
                span,
                path,
                "per-year table is empty",
                format!(
                    "add at least one year, like {{ {} = {example} }}, or write a single number",
                    self.example_year()
                ),
            );
            return None;
        }
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, item) in table.iter() {
            let text = key.get_ref().as_ref();
            let entry_path = format!("{path}.{}", segment(text));
            if !is_year_key(text) {
                ok = false;
                self.report(
                    key.span(),
                    entry_path,
                    format!("`{}` is not a year", shown(text)),
                    format!("keys of a per-year table are years, like {{ {} = {example} }}", self.example_year()),
                );
                continue;
            }
            let year = match text.parse::<u16>() {
                Ok(y) if (first..=last).contains(&y) => y,
                _ => {
                    ok = false;
                    self.report(
                        key.span(),
                        entry_path,
                        format!("year {} is outside [{first}, {last}]", shown(text)),
                        format!("use years from {first} to {last}"),
                    );
                    continue;
                }
            };
            if out.contains_key(&year) {
                ok = false;
                self.report(key.span(), entry_path, format!("year {year} appears twice"), "keep one entry per year");
                continue;
            }
            let Some(n) = number_of(item.get_ref()) else {
                ok = false;
                self.report(
                    item.span(),
                    entry_path,
                    format!("expected {}, got {}", number_phrase(unit), type_phrase(item.get_ref())),
                    format!("write a number like {example}"),
                );
                continue;
            };
            match self.check_range(unit, bounds, n, item.span(), &entry_path) {
                Some(n) => {
                    out.insert(year, n);
                }
                None => ok = false,
            }
        }
        ok.then_some(Value::Schedule(out))
    }

    fn check_bool(&mut self, value: &Spanned<DeValue>, path: &str) -> Option<bool> {
        let v = value.get_ref();
        if let DeValue::Boolean(b) = v {
            return Some(*b);
        }
        let hint = match v {
            DeValue::String(s) if s == "true" || s == "false" => {
                format!("remove the quotes: write {s}")
            }
            DeValue::Integer(_) => "write true or false (not 1 or 0)".to_owned(),
            _ => "write true or false".to_owned(),
        };
        self.report(value.span(), path, format!("expected true or false, got {}", type_phrase(v)), hint);
        None
    }

    fn check_choice(&mut self, list: &[&str], value: &Spanned<DeValue>, path: &str, key: &str) -> Option<usize> {
        let listed = list.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ");
        let first = list.first().copied().unwrap_or("");
        match value.get_ref() {
            DeValue::String(s) => {
                if let Some(i) = list.iter().position(|c| *c == s.as_ref()) {
                    return Some(i);
                }
                let hint = match closest(s, list.iter().copied()) {
                    Some(close) => format!("did you mean {}?", quoted(close)),
                    None => format!("write one of the listed values, like {key} = {}", quoted(first)),
                };
                self.report(value.span(), path, format!("must be one of {listed}, got {}", quoted(s)), hint);
            }
            other => {
                self.report(
                    value.span(),
                    path,
                    format!("expected one of {listed}, got {}", type_phrase(other)),
                    format!("write the value as a quoted string, like {key} = {}", quoted(first)),
                );
            }
        }
        None
    }

    /// Returns `Some(None)` for an accepted `"none"`.
    fn check_year(
        &mut self,
        (min, max, none_ok): (u16, u16, bool),
        value: &Spanned<DeValue>,
        path: &str,
    ) -> Option<Option<u16>> {
        let or_none = if none_ok { " or \"none\"" } else { "" };
        let also_none = if none_ok { ", or \"none\"" } else { "" };
        let v = value.get_ref();
        let (got, hint) = match v {
            DeValue::Integer(_) => {
                let year = number_of(v).unwrap_or(f64::NAN);
                if year >= f64::from(min) && year <= f64::from(max) {
                    return Some(Some(year as u16));
                }
                let got = self.source(value.span());
                self.report(
                    value.span(),
                    path,
                    format!("must be a year in [{min}, {max}], got {got}"),
                    format!("use a year between {min} and {max}{also_none}"),
                );
                return None;
            }
            DeValue::String(s) if none_ok && s == "none" => return Some(None),
            DeValue::String(s) => {
                let hint = if s.trim().parse::<i64>().is_ok() {
                    format!("remove the quotes: write {}", shown(s.trim()))
                } else if none_ok && s.trim().eq_ignore_ascii_case("none") {
                    "write \"none\" in lower case".to_owned()
                } else {
                    format!("write a year like {min}{also_none}")
                };
                (format!("the string {}", quoted(s)), hint)
            }
            DeValue::Float(_) => (type_phrase(v).to_owned(), format!("write the year as a whole number, like {min}")),
            DeValue::Datetime(_) => (type_phrase(v).to_owned(), format!("write just the year, like {min}")),
            _ => (type_phrase(v).to_owned(), format!("write a year like {min}{also_none}")),
        };
        self.report(value.span(), path, format!("expected a year{or_none}, got {got}"), hint);
        None
    }

    /// The year used in example per-year tables. The first year is usually the observed
    /// base year, so the one after it is the typical first policy year.
    fn example_year(&self) -> u16 {
        self.schema.first_year.saturating_add(1).min(self.schema.last_year).max(self.schema.first_year)
    }
}

fn find_spec<'x>(specs: &'x [KeySpec], key: &str) -> Option<&'x KeySpec> {
    specs.iter().find(|s| s.key == key)
}

fn number_of(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().parse().unwrap_or(f64::INFINITY)),
        DeValue::Integer(i) => {
            Some(i128::from_str_radix(i.as_str(), i.radix()).map(|n| n as f64).unwrap_or(f64::INFINITY))
        }
        DeValue::Float(f) => Some(f.as_str().parse().unwrap_or(f64::NAN)),
        _ => None,
    }
}

fn is_year_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

fn type_phrase(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn number_phrase(unit: &str) -> String {
    if unit.is_empty() { "a number".to_owned() } else { format!("a number ({unit})") }
}

/// A round number inside [min, max] for hints, so that following a hint never
/// produces a new range error.
fn example_number(min: f64, max: f64) -> String {
    const ROUND: [f64; 10] = [500.0, 100.0, 50.0, 5.0, 1.0, 1000.0, 10.0, 0.5, 0.1, 0.0];
    if let Some(x) = ROUND.iter().find(|x| **x >= min && **x <= max) {
        return fmt_num(*x);
    }
    let mid = (min + max) / 2.0;
    let pick = [mid, min, max].into_iter().find(|x| x.is_finite()).unwrap_or(0.0);
    fmt_num(pick)
}

fn fmt_num(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

/// User text made safe for a one-line message: control characters escaped, long text cut.
fn shown(s: &str) -> String {
    const LIMIT: usize = 60;
    let mut out: String = s.chars().take(LIMIT).flat_map(char::escape_debug).collect();
    if s.chars().nth(LIMIT).is_some() {
        out.push('…');
    }
    out
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", shown(s))
}

/// One key-path segment, quoted the TOML way when it is not a bare key.
fn segment(key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_owned() } else { quoted(key) }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A valid name close to `name`, offered in hints.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '_');
    if out.is_empty() { "my-scenario".to_owned() } else { out.to_owned() }
}

/// The known names a mistyped `input` may have meant, best first, at most `max`: names within a
/// small edit distance (at most 3, and a quarter of the length; case, `-` and `_` ignored),
/// nearest first and in the candidates' order among equals, then names that contain the input
/// or are contained in it. This is the one "did you mean" of the tool: scenario keys, `--lever`
/// and `explain` use it.
pub fn suggestions<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>, max: usize) -> Vec<&'c str> {
    let (mut near, within) = scored(input, candidates);
    near.sort_by_key(|(d, _)| *d);
    near.into_iter().map(|(_, c)| c).chain(within).take(max).collect()
}

/// Candidates within the edit-distance limit with their distance, and those that only contain
/// the input (or are contained in it).
fn scored<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> (Vec<(usize, &'c str)>, Vec<&'c str>) {
    // Edit distance is quadratic; a key this long is not a typo of a known key.
    if input.chars().count() > 64 {
        return (Vec::new(), Vec::new());
    }
    let normal = |s: &str| -> Vec<char> {
        s.chars().flat_map(char::to_lowercase).map(|c| if c == '-' { '_' } else { c }).collect()
    };
    let wanted = normal(input);
    let wanted_text: String = wanted.iter().collect();
    let (mut near, mut within) = (Vec::new(), Vec::new());
    for candidate in candidates {
        let other = normal(candidate);
        let limit = (wanted.len().max(other.len()) / 4 + 1).min(3);
        let distance = edit_distance(&wanted, &other);
        if distance <= limit {
            near.push((distance, candidate));
        } else if wanted.len() >= 3 {
            let other_text: String = other.iter().collect();
            if other_text.contains(&wanted_text) || wanted_text.contains(&other_text) {
                within.push(candidate);
            }
        }
    }
    (near, within)
}

/// The nearest known name within the edit-distance limit of [`suggestions`], if any.
fn closest<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let (near, _) = scored(input, candidates);
    // The first of the nearest, in the candidates' order.
    near.iter().min_by_key(|(d, _)| *d).map(|(_, c)| *c)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// adjacent transpositions each cost one, which matches common typing slips.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Best-effort key path for a syntax error, from the text alone (the parse failed,
/// so there is no tree): the enclosing `[section]` plus the key on the error's line.
fn nearest_key(text: &str, offset: usize) -> String {
    let offset = floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut section = String::new();
    for line in text[..line_start].lines() {
        if let Some(header) = header_name(line) {
            section = header;
        }
    }
    let line = &text[line_start..line_end];
    if let Some(header) = header_name(line) {
        return header;
    }
    let key = line.split_once('=').map(|(k, _)| dotted(k)).filter(|k| !k.is_empty() && looks_like_key(k));
    match key {
        Some(k) if section.is_empty() => k,
        Some(k) => format!("{section}.{k}"),
        None => section,
    }
}

fn header_name(line: &str) -> Option<String> {
    let inner = line.trim_start().strip_prefix('[')?;
    let inner = inner.trim_start_matches('[');
    let inner = inner.split([']', '#']).next().unwrap_or("");
    let name = dotted(inner);
    (!name.is_empty() && looks_like_key(&name)).then_some(name)
}

fn dotted(s: &str) -> String {
    s.split('.').map(str::trim).collect::<Vec<_>>().join(".")
}

fn looks_like_key(s: &str) -> bool {
    s.chars().count() <= 200
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '))
}

/// Path identity without the filesystem: `.` dropped and `a/..` folded.
fn lexical(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_put_typos_before_names_that_merely_contain_the_input() {
        let names = ["arh_new_units", "arh_rent_discount", "new_urban_jobs", "tfr"];
        assert_eq!(suggestions("arh_new_unit", names, 3), ["arh_new_units"]);
        assert_eq!(suggestions("ARH-new-units", names, 3), ["arh_new_units"]);
        assert_eq!(suggestions("arh", names, 3), ["arh_new_units", "arh_rent_discount"]);
        assert_eq!(suggestions("tfx", names, 3), ["tfr"]);
        assert!(suggestions("zzzzzzzz", names, 3).is_empty());
    }
    use std::io;

    const LEVERS: &[KeySpec] = &[
        KeySpec {
            key: "settle_years_required",
            unit: "years",
            rule: Rule::Number { min: 0.0, max: 10.0, schedule: false },
        },
        KeySpec {
            key: "arh_new_units",
            unit: "units/yr",
            rule: Rule::Number { min: 0.0, max: 3000.0, schedule: true },
        },
        KeySpec { key: "income_proof_required", unit: "", rule: Rule::Bool },
        KeySpec { key: "tax_record", unit: "", rule: Rule::Choice(&["off", "any_record", "iit_paid"]) },
        KeySpec { key: "rail_opening_year", unit: "", rule: Rule::Year { min: 2024, max: 2035, none_ok: true } },
    ];
    const PARAMETERS: &[KeySpec] = &[KeySpec {
        key: "tfr_base",
        unit: "births/woman",
        rule: Rule::Number { min: 0.5, max: 3.0, schedule: false },
    }];

    fn schema() -> Schema<'static> {
        Schema { levers: LEVERS, parameters: PARAMETERS, first_year: 2024, last_year: 2035 }
    }

    /// Loads `leaf` from an in-memory file set.
    fn load_set(files: &[(&str, &str)], leaf: &str) -> Result<Scenario, ScenarioErrors> {
        let map: BTreeMap<PathBuf, String> = files.iter().map(|(p, t)| (PathBuf::from(p), (*t).to_owned())).collect();
        let mut read =
            |p: &Path| map.get(p).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "file not found"));
        load(Path::new(leaf), &schema(), &mut read)
    }

    fn one(text: &str) -> Result<Scenario, ScenarioErrors> {
        load_set(&[("s.toml", text)], "s.toml")
    }

    fn problems(text: &str) -> Vec<Problem> {
        one(text).expect_err("expected problems").0
    }

    fn only(text: &str) -> Problem {
        let mut all = problems(text);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.remove(0)
    }

    fn at(p: &Problem) -> (usize, usize, &str) {
        (p.line, p.column, p.key.as_str())
    }

    const FULL: &str = r#"name = "open-settlement"
title = { zh = "开放落户", en = "Open settlement" }
description = "Drop settlement barriers"
enacts = ["二(一)1", "二(一)2"]
[options]
target_period = "2024-2028"
until = 2028
[levers]
settle_years_required = 0
arh_new_units = { 2025 = 800, 2026 = 1000.5 }
income_proof_required = false
tax_record = "iit_paid"
rail_opening_year = "none"
[parameters]
tfr_base = 1
"#;

    #[test]
    fn valid_file_round_trip() {
        let s = one(FULL).unwrap();
        assert_eq!(s.name, "open-settlement");
        assert_eq!(s.title_zh, "开放落户");
        assert_eq!(s.title_en, "Open settlement");
        assert_eq!(s.description, "Drop settlement barriers");
        assert_eq!(s.enacts, ["二(一)1", "二(一)2"]);
        assert_eq!(s.target_period, Some(TargetPeriod::From2024));
        assert_eq!(s.until, Some(2028));
        assert_eq!(s.levers["settle_years_required"], Value::Number(0.0));
        assert_eq!(s.levers["arh_new_units"], Value::Schedule(BTreeMap::from([(2025, 800.0), (2026, 1000.5)])));
        assert_eq!(s.levers["income_proof_required"], Value::Bool(false));
        assert_eq!(s.levers["tax_record"], Value::Choice(2));
        assert_eq!(s.levers["rail_opening_year"], Value::Year(None));
        assert_eq!(s.parameters["tfr_base"], Value::Number(1.0));
        assert_eq!(s.files, vec![(PathBuf::from("s.toml"), FULL.to_owned())]);
    }

    #[test]
    fn defaults_come_from_the_file_stem() {
        let s = load_set(&[("dir/my-scen.toml", "")], "dir/my-scen.toml").unwrap();
        assert_eq!(s.name, "my-scen");
        assert_eq!((s.title_zh.as_str(), s.title_en.as_str()), ("my-scen", "my-scen"));
        assert_eq!(s.description, "");
        assert!(s.enacts.is_empty() && s.levers.is_empty() && s.parameters.is_empty());
        assert_eq!((s.target_period, s.until), (None, None));
    }

    #[test]
    fn load_str_uses_given_text_and_path() {
        let mut read = |_: &Path| -> io::Result<String> { panic!("leaf must not be read") };
        let s = load_str(Path::new("x/y.toml"), "[levers]\ntax_record = \"off\"\n", &schema(), &mut read).unwrap();
        assert_eq!(s.name, "y");
        assert_eq!(s.levers["tax_record"], Value::Choice(0));
    }

    #[test]
    fn extends_merges_child_over_parent() {
        let base = r#"name = "baseline"
title = { zh = "基线", en = "Baseline" }
description = "base"
enacts = ["一"]
[options]
target_period = "2025-2028"
until = 2030
[levers]
settle_years_required = 5
tax_record = "any_record"
[parameters]
tfr_base = 1.2
"#;
        let child = r#"extends = "base.toml"
[options]
until = 2028
[levers]
settle_years_required = 0
"#;
        let s = load_set(&[("sc/base.toml", base), ("sc/child.toml", child)], "sc/child.toml").unwrap();
        assert_eq!(s.name, "child");
        // Title, description and enacts describe one file and are never inherited.
        assert_eq!((s.title_zh.as_str(), s.title_en.as_str()), ("child", "child"));
        assert_eq!(s.description, "");
        assert!(s.enacts.is_empty());
        assert_eq!(s.levers["settle_years_required"], Value::Number(0.0));
        assert_eq!(s.levers["tax_record"], Value::Choice(1));
        assert_eq!(s.parameters["tfr_base"], Value::Number(1.2));
        assert_eq!(s.target_period, Some(TargetPeriod::From2025));
        assert_eq!(s.until, Some(2028));
        let read: Vec<_> = s.files.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(read, [PathBuf::from("sc/child.toml"), PathBuf::from("sc/base.toml")]);
        assert_eq!(s.files[1].1, base);
    }

    #[test]
    fn extends_chain_of_three_resolves_relative_paths() {
        let files = [
            ("a/leaf.toml", "extends = \"../b/mid.toml\"\n[levers]\ntax_record = \"off\"\n"),
            (
                "a/../b/mid.toml",
                "extends = \"./root.toml\"\n[levers]\ntax_record = \"iit_paid\"\nsettle_years_required = 3\n",
            ),
            ("a/../b/root.toml", "[levers]\nsettle_years_required = 9\nincome_proof_required = true\n"),
        ];
        let s = load_set(&files, "a/leaf.toml").unwrap();
        assert_eq!(s.levers["tax_record"], Value::Choice(0));
        assert_eq!(s.levers["settle_years_required"], Value::Number(3.0));
        assert_eq!(s.levers["income_proof_required"], Value::Bool(true));
        assert_eq!(s.files.len(), 3);
    }

    #[test]
    fn integers_hex_and_floats_are_numbers() {
        let s = one("[levers]\narh_new_units = 0x10\nsettle_years_required = 2.5\n[parameters]\ntfr_base = 1_0e-1\n")
            .unwrap();
        assert_eq!(s.levers["arh_new_units"], Value::Number(16.0));
        assert_eq!(s.levers["settle_years_required"], Value::Number(2.5));
        assert_eq!(s.parameters["tfr_base"], Value::Number(1.0));
    }

    #[test]
    fn unknown_lever_suggests_close_name() {
        let p = only("[levers]\narh_new_unit = 5\n");
        assert_eq!(at(&p), (2, 1, "levers.arh_new_unit"));
        assert_eq!(p.file, PathBuf::from("s.toml"));
        assert_eq!(p.message, "unknown lever `arh_new_unit`");
        assert_eq!(p.hint, "did you mean `arh_new_units`? `urbsim explain` lists every lever");
    }

    #[test]
    fn unknown_lever_far_from_any_lists_nothing() {
        let p = only("[levers]\nzzzzzz = 5\n");
        assert_eq!(p.hint, "`urbsim explain` lists every lever");
    }

    #[test]
    fn lever_in_wrong_section_says_where_it_belongs() {
        let p = only("[parameters]\ntax_record = \"off\"\n");
        assert_eq!(at(&p), (2, 1, "parameters.tax_record"));
        assert_eq!(p.message, "unknown parameter `tax_record`");
        assert_eq!(p.hint, "`tax_record` is a lever: move it under [levers]");
    }

    #[test]
    fn wrong_type_for_number() {
        let p = only("[levers]\narh_new_units = \"lots\"\n");
        assert_eq!(at(&p), (2, 17, "levers.arh_new_units"));
        assert_eq!(p.message, "expected a number (units/yr), got a string");
        assert_eq!(p.hint, "write a number like 500, or a per-year table { 2025 = 500 }");
        let p = only("[levers]\narh_new_units = \"500\"\n");
        assert_eq!(p.hint, "remove the quotes: write 500");
    }

    #[test]
    fn number_out_of_range() {
        let p = only("[levers]\narh_new_units   =   5000\n");
        assert_eq!(at(&p), (2, 21, "levers.arh_new_units"));
        assert_eq!(p.message, "must be in [0, 3000] units/yr, got 5000");
        assert_eq!(p.hint, "use a value between 0 and 3000");
        let p = only("[parameters]\ntfr_base = nan\n");
        assert_eq!(p.message, "must be in [0.5, 3] births/woman, got nan");
    }

    #[test]
    fn bad_choice() {
        let p = only("[levers]\ntax_record = \"yes\"\n");
        assert_eq!(at(&p), (2, 14, "levers.tax_record"));
        assert_eq!(p.message, r#"must be one of "off", "any_record", "iit_paid", got "yes""#);
        assert_eq!(p.hint, r#"write one of the listed values, like tax_record = "off""#);
        assert_eq!(only("[levers]\ntax_record = \"any-record\"\n").hint, r#"did you mean "any_record"?"#);
        let p = only("[levers]\ntax_record = false\n");
        assert_eq!(p.message, r#"expected one of "off", "any_record", "iit_paid", got a boolean"#);
    }

    #[test]
    fn bool_and_year_rules() {
        let p = only("[levers]\nincome_proof_required = \"false\"\n");
        assert_eq!(p.message, "expected true or false, got a string");
        assert_eq!(p.hint, "remove the quotes: write false");
        let s = one("[levers]\nrail_opening_year = 2030\n").unwrap();
        assert_eq!(s.levers["rail_opening_year"], Value::Year(Some(2030)));
        let p = only("[levers]\nrail_opening_year = 2040\n");
        assert_eq!(at(&p), (2, 21, "levers.rail_opening_year"));
        assert_eq!(p.message, "must be a year in [2024, 2035], got 2040");
        assert_eq!(p.hint, "use a year between 2024 and 2035, or \"none\"");
        let p = only("[levers]\nrail_opening_year = \"2030\"\n");
        assert_eq!(p.message, "expected a year or \"none\", got the string \"2030\"");
        assert_eq!(p.hint, "remove the quotes: write 2030");
        let p = only("[levers]\nrail_opening_year = \"never\"\n");
        assert_eq!(p.hint, "write a year like 2024, or \"none\"");
    }

    #[test]
    fn schedule_year_out_of_range_points_at_the_year() {
        let p = only("[levers]\narh_new_units = { 2025 = 800, 2040 = 900 }\n");
        assert_eq!(at(&p), (2, 31, "levers.arh_new_units.2040"));
        assert_eq!(p.message, "year 2040 is outside [2024, 2035]");
        assert_eq!(p.hint, "use years from 2024 to 2035");
    }

    #[test]
    fn schedule_entry_problems() {
        let all = problems(
            "[levers]\narh_new_units = { 2025 = 5000, abc = 1, 2026 = \"x\" }\nsettle_years_required = { 2025 = 1 }\n",
        );
        let got: Vec<_> = all.iter().map(|p| (at(p), p.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ((2, 26, "levers.arh_new_units.2025"), "must be in [0, 3000] units/yr, got 5000"),
                ((2, 32, "levers.arh_new_units.abc"), "`abc` is not a year"),
                ((2, 48, "levers.arh_new_units.2026"), "expected a number (units/yr), got a string"),
                ((3, 25, "levers.settle_years_required"), "expected a number (years), got a table"),
            ]
        );
        let p = only("[levers]\narh_new_units = { 99999999 = 1 }\n");
        assert_eq!(p.message, "year 99999999 is outside [2024, 2035]");
        let p = only("[levers]\narh_new_units = {}\n");
        assert_eq!(p.message, "per-year table is empty");
    }

    #[test]
    fn schedule_in_a_header_table() {
        let s = one("[levers.arh_new_units]\n2027 = 10\n2025 = 5\n").unwrap();
        assert_eq!(s.levers["arh_new_units"], Value::Schedule(BTreeMap::from([(2025, 5.0), (2027, 10.0)])));
    }

    #[test]
    fn syntax_error_is_one_problem_at_its_position() {
        let p = only("name = \"x\"\n[levers]\narh_new_units = \n");
        assert_eq!(at(&p), (3, 17, "levers.arh_new_units"));
        assert_eq!(p.message, "string values must be quoted, expected literal string");
        assert_eq!(p.hint, "fix the TOML syntax at this position");
        let p = only("[levers]\ntax_record = \"off\"\ntax_record = \"off\"\n");
        assert_eq!(at(&p), (3, 1, "levers.tax_record"));
        assert_eq!(p.message, "duplicate key `tax_record`");
        let p = only("[levers\nx = 1\n");
        assert_eq!(at(&p), (1, 8, "levers"));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let p = only("title = { zh = \"开放\", fr = \"x\" }\n");
        assert_eq!(at(&p), (1, 22, "title.fr"));
        assert_eq!(p.message, "unknown key `fr` in title");
        assert_eq!(p.hint, "title accepts only zh and en");
    }

    #[test]
    fn a_description_may_be_given_in_both_languages() {
        let text = FULL.replace(
            "description = \"Drop settlement barriers\"",
            "description = { zh = \"放宽落户条件\", en = \"Drop settlement barriers\" }",
        );
        let s = one(&text).unwrap();
        assert_eq!((s.description_zh.as_str(), s.description.as_str()), ("放宽落户条件", "Drop settlement barriers"));
        // One text serves both languages.
        let s = one(FULL).unwrap();
        assert_eq!(s.description_zh, "Drop settlement barriers");
        let p = only("description = { zh = \"放宽\", de = \"x\" }\n");
        assert_eq!(at(&p), (1, 28, "description.de"));
        assert_eq!(p.hint, "description accepts only zh and en");
    }

    #[test]
    fn several_problems_reported_at_once_in_order() {
        let text =
            "nme = \"x\"\n[options]\nuntil = 2050\nperiod = 1\n[levers]\narh_new_units = 5000\ntax_record = \"yes\"\n";
        let all = problems(text);
        let got: Vec<_> = all.iter().map(at).collect();
        assert_eq!(
            got,
            [
                (1, 1, "nme"),
                (3, 9, "options.until"),
                (4, 1, "options.period"),
                (6, 17, "levers.arh_new_units"),
                (7, 14, "levers.tax_record"),
            ]
        );
        assert_eq!(all[0].hint, "did you mean `name`?");
        assert_eq!(all[1].message, "must be a year in [2024, 2035], got 2050");
        assert_eq!(all[2].hint, "valid options: target_period, until");
    }

    #[test]
    fn unknown_top_level_keys() {
        let p = only("lever = 1\n");
        assert_eq!(at(&p), (1, 1, "lever"));
        assert_eq!(p.message, "unknown top-level key `lever`");
        assert_eq!(p.hint, "did you mean `levers`?");
        assert_eq!(only("zzzzzzzz = 1\n").hint, TOP_LEVEL_LIST);
        assert_eq!(only("tax_record = \"off\"\n").hint, "`tax_record` is a lever: put it under [levers]");
        assert_eq!(only("[leversx]\n").key, "leversx");
    }

    #[test]
    fn sections_must_be_tables() {
        let p = only("levers = 3\n");
        assert_eq!(at(&p), (1, 10, "levers"));
        assert_eq!(p.message, "expected a table, got an integer");
    }

    #[test]
    fn target_period_values() {
        assert_eq!(
            one("[options]\ntarget_period = \"2025-2028\"\n").unwrap().target_period,
            Some(TargetPeriod::From2025)
        );
        let p = only("[options]\ntarget_period = \"2026-2028\"\n");
        assert_eq!(p.key, "options.target_period");
        assert_eq!(p.message, r#"must be one of "2025-2028", "2024-2028", got "2026-2028""#);
    }

    #[test]
    fn missing_parent_is_reported_at_the_extends_value() {
        let all = load_set(&[("dir/c.toml", "name = \"c\"\nextends =  \"base.toml\"\n")], "dir/c.toml").unwrap_err().0;
        assert_eq!(all.len(), 1);
        let p = &all[0];
        assert_eq!((p.file.as_path(), at(p)), (Path::new("dir/c.toml"), (2, 12, "extends")));
        assert_eq!(p.message, "cannot read `base.toml`: file not found");
        assert_eq!(
            p.hint,
            format!(
                "`extends` is relative to this file's directory; looked for `{}`",
                Path::new("dir/base.toml").display()
            )
        );
    }

    #[test]
    fn extends_cycle() {
        let files = [("a.toml", "extends = \"b.toml\"\n"), ("b.toml", "\nextends = \"./a.toml\"\n")];
        let all = load_set(&files, "a.toml").unwrap_err().0;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].file, PathBuf::from("b.toml"));
        assert_eq!(at(&all[0]), (2, 11, "extends"));
        assert_eq!(all[0].message, "extends cycle: a.toml -> b.toml -> a.toml");
        let all = load_set(&[("a.toml", "extends = \"a.toml\"\n")], "a.toml").unwrap_err().0;
        assert_eq!(all[0].message, "extends cycle: a.toml -> a.toml");
    }

    #[test]
    fn extends_depth_is_limited() {
        let texts: Vec<(String, String)> =
            (0..12).map(|i| (format!("f{i}.toml"), format!("extends = \"f{}.toml\"\n", i + 1))).collect();
        let files: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let all = load_set(&files, "f0.toml").unwrap_err().0;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].file, PathBuf::from(format!("f{MAX_EXTENDS_DEPTH}.toml")));
        assert_eq!(all[0].message, "extends chain is deeper than 8 levels");
        // Exactly MAX_EXTENDS_DEPTH hops is fine.
        let mut ok = files[..=MAX_EXTENDS_DEPTH].to_vec();
        ok[MAX_EXTENDS_DEPTH].1 = "";
        assert_eq!(load_set(&ok, "f0.toml").unwrap().files.len(), MAX_EXTENDS_DEPTH + 1);
    }

    #[test]
    fn parent_problems_use_the_parent_path_and_come_after_the_leaf() {
        let files = [
            ("c.toml", "extends = \"p.toml\"\n\n[levers]\ntax_record = \"x\"\n"),
            ("p.toml", "[levers]\narh_new_units = -1\n"),
        ];
        let all = load_set(&files, "c.toml").unwrap_err().0;
        let got: Vec<_> = all.iter().map(|p| (p.file.to_str().unwrap(), at(p))).collect();
        assert_eq!(got, [("c.toml", (4, 14, "levers.tax_record")), ("p.toml", (2, 17, "levers.arh_new_units"))]);
    }

    #[test]
    fn name_validation() {
        let p = only("name = \"Open Settlement\"\n");
        assert_eq!(at(&p), (1, 8, "name"));
        assert_eq!(p.message, "scenario name \"Open Settlement\" must match ^[a-z0-9][a-z0-9_-]*$");
        assert_eq!(p.hint, "use lower-case letters, digits, `-` and `_`, like name = \"open-settlement\"");
        let all = load_set(&[("Open Settlement.toml", "")], "Open Settlement.toml").unwrap_err().0;
        assert_eq!(at(&all[0]), (1, 1, "name"));
        assert_eq!(all[0].hint, "add name = \"open-settlement\" at the top of the file, or rename the file");
        assert!(load_set(&[("Bad.toml", "name = \"good_1\"")], "Bad.toml").is_ok());
    }

    #[test]
    fn unreadable_leaf() {
        let err = load_set(&[], "nope.toml").unwrap_err();
        assert_eq!(err.0[0].line, 0);
        assert_eq!(err.0[0].message, "cannot read `nope.toml`: file not found");
    }

    #[test]
    fn display_format() {
        let err = one("[levers]\narh_new_unit = 5\ntax_record = \"yes\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.toml:2:1: levers.arh_new_unit: unknown lever `arh_new_unit`\n  \
             hint: did you mean `arh_new_units`? `urbsim explain` lists every lever\n\
             s.toml:3:14: levers.tax_record: must be one of \"off\", \"any_record\", \"iit_paid\", got \"yes\"\n  \
             hint: write one of the listed values, like tax_record = \"off\"\n\
             2 problems in scenario files"
        );
        let mut p = err.0[0].clone();
        p.hint.clear();
        assert_eq!(
            ScenarioErrors(vec![p]).to_string(),
            "s.toml:2:1: levers.arh_new_unit: unknown lever `arh_new_unit`\n1 problem in scenario files"
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep_arrays = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let deep_tables = format!("[levers.arh_new_units]\n{}", "x.".repeat(5_000) + "y = 1");
        let deep_inline = format!("x = {}1{}", "{a=".repeat(50_000), "}".repeat(50_000));
        let long_key = format!("[levers]\n{} = 1\n", "k".repeat(100_000));
        let inputs = [
            "",
            "\u{0}\u{1}\u{ff}junk\u{7f}",
            "\u{feff}name = \"x\"",
            "[[levers]]\n",
            "levers = []\n[levers]\n",
            "title = { zh = 1, en = [] }\nenacts = [1, \"\"]\n",
            "[levers]\n\"\" = 1\n\"a\\nb\" = 2\n",
            "[levers]\narh_new_units = { 99999999 = 1, 2025 = 1e400, 2026 = -inf }\n",
            "[levers]\nrail_opening_year = 99999999999999999999999999\n",
            "\r\n[levers]\r\narh_new_unit = 1\r\n",
            &deep_arrays,
            &deep_tables,
            &deep_inline,
            &long_key,
        ];
        for text in inputs {
            let _ = one(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = one(&text);
        }

        #[test]
        fn toml_like_text_never_panics(text in "[\\[\\]{}=\" .,a-z0-9_\\n#-]{0,200}") {
            let _ = one(&text);
        }
    }
}
