//! UVL (Universal Variability Language, the format of flamapy and the UVL tool ecosystem).
//!
//! No maintained Rust UVL parser exists (crates.io has none; the reference parsers are ANTLR
//! grammars for Java and Python). UVL's layout is indentation-sensitive, which parser
//! generators (pest included) handle only through a custom pre-pass anyway, so this reader is a
//! small tokenizer that turns indentation into line tokens (like the official lexer's
//! INDENT/DEDENT), plus a recursive-descent parser for the tree and a precedence-climbing
//! parser for constraints. Every error carries the line and column.
//!
//! Supported: namespace, include (skipped), features with types, attributes (numbers, strings,
//! booleans; nested values are skipped), `abstract`, groups `mandatory`/`optional`/`or`/
//! `alternative`/`[n..m]`/`[n..*]`/`[n]`, feature cardinalities (read as a single feature,
//! with a warning), constraints with `! & | => <=>` (and `&& ||`), comparisons and arithmetic
//! over attribute values and `sum(attr)`. Imports of other files and values of typed features
//! (`Integer Size`, `len(Name)`) are not supported: imports are an error, constraints over
//! feature values are ignored with a warning.

use super::fm::{Expr, FeatureGroup, FeatureModel, FmConstraint, Num, Relation};
use crate::catalog::Value;
use crate::diagnostic::Diagnostic;
use crate::number::{Decimal, SCALE};
use crate::rules::ast::CmpOp;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
enum T {
    /// Identifier or quoted name (`quoted` true).
    Name(String, bool),
    Str(String),
    Num(String),
    /// A line break; the indentation width of the next line.
    Newline(usize),
    P(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
struct Tok {
    t: T,
    at: usize,
}

type Res<X> = Result<X, Vec<Diagnostic>>;

fn err_at<X>(src: &str, at: usize, msg: impl Into<String>) -> Res<X> {
    Err(vec![super::at(
        Diagnostic::error("syntax", msg.into()),
        src,
        at,
    )])
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '#' | '§' | '%' | '?' | '\\' | '\'' | ';')
}

const PUNCT: [&str; 26] = [
    "<=>", "&&", "||", "=>", "==", "!=", "<=", ">=", "..", "{", "}", "[", "]", "(", ")", ",", ".",
    "*", "!", "&", "|", "<", ">", "+", "-", "/",
];

fn lex(src: &str) -> Res<Vec<Tok>> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut depth = 0i32;
    let mut line_start = true;
    while i < b.len() {
        if line_start {
            // Measure the indentation of this line; skip blank and comment-only lines.
            let mut w = 0;
            let mut j = i;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                w += if b[j] == b'\t' { 4 } else { 1 };
                j += 1;
            }
            let rest = &src[j..];
            if rest.starts_with('\n')
                || rest.starts_with("\r\n")
                || rest.starts_with("//")
                || rest.is_empty()
            {
                // Blank or comment line: skip to its end.
                let end = rest.find('\n').map_or(b.len(), |k| j + k + 1);
                i = end;
                continue;
            }
            if depth == 0 {
                if let Some(Tok {
                    t: T::Newline(_), ..
                }) = toks.last()
                {
                    toks.pop();
                }
                toks.push(Tok {
                    t: T::Newline(w),
                    at: j,
                });
            }
            i = j;
            line_start = false;
            continue;
        }
        let c = src[i..].chars().next().unwrap_or(' ');
        if c == '\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
            continue;
        }
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |k| i + k);
            continue;
        }
        if src[i..].starts_with("/*") {
            match src[i + 2..].find("*/") {
                Some(k) => {
                    // A block comment ending a line keeps the line structure.
                    i = i + 2 + k + 2;
                    continue;
                }
                None => return err_at(src, i, "unterminated block comment"),
            }
        }
        let start = i;
        if c == '"' {
            let Some(k) = src[i + 1..].find(['"', '\n']) else {
                return err_at(src, i, "unterminated quoted name");
            };
            if b[i + 1 + k] == b'\n' {
                return err_at(src, i, "unterminated quoted name");
            }
            let name = &src[i + 1..i + 1 + k];
            if name.contains('.') {
                return err_at(
                    src,
                    i,
                    format!(
                        "feature name \"{name}\" contains a dot, which UVL does not allow in names"
                    ),
                );
            }
            toks.push(Tok {
                t: T::Name(name.to_string(), true),
                at: start,
            });
            i += k + 2;
            continue;
        }
        if c == '\'' {
            let Some(k) = src[i + 1..].find(['\'', '\n']) else {
                return err_at(src, i, "unterminated string");
            };
            if b[i + 1 + k] == b'\n' {
                return err_at(src, i, "unterminated string");
            }
            toks.push(Tok {
                t: T::Str(src[i + 1..i + 1 + k].to_string()),
                at: start,
            });
            i += k + 2;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && (b[j].is_ascii_alphabetic() || b[j] == b'_') {
                let end = src[j..]
                    .find(|c: char| !name_char(c))
                    .map_or(b.len(), |k| j + k);
                return err_at(
                    src,
                    i,
                    format!(
                        "illegal name {:?}: names start with a letter (quote it: \"{}\")",
                        &src[i..end],
                        &src[i..end]
                    ),
                );
            }
            toks.push(Tok {
                t: T::Num(src[i..j].to_string()),
                at: start,
            });
            i = j;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let end = src[i..]
                .find(|c: char| !name_char(c))
                .map_or(b.len(), |k| i + k);
            toks.push(Tok {
                t: T::Name(src[i..end].to_string(), false),
                at: start,
            });
            i = end;
            continue;
        }
        if let Some(p) = PUNCT.iter().find(|p| src[i..].starts_with(**p)) {
            match *p {
                "{" | "[" | "(" => depth += 1,
                "}" | "]" | ")" => depth = (depth - 1).max(0),
                _ => {}
            }
            toks.push(Tok {
                t: T::P(p),
                at: start,
            });
            i += p.len();
            continue;
        }
        return err_at(src, i, format!("unexpected character {c:?}"));
    }
    toks.push(Tok {
        t: T::Eof,
        at: src.len(),
    });
    Ok(toks)
}

/// An expression as written, before names are resolved.
#[derive(Clone, Debug)]
enum U {
    Bool(bool),
    Num(i128),
    Str,
    Ref(Vec<String>, usize),
    Not(Box<U>),
    And(Box<U>, Box<U>),
    Or(Box<U>, Box<U>),
    Implies(Box<U>, Box<U>),
    Iff(Box<U>, Box<U>),
    Cmp(CmpOp, Box<U>, Box<U>),
    Arith(&'static str, Box<U>, Box<U>),
    Neg(Box<U>),
    Call(String, Vec<U>, usize),
}

struct P<'a> {
    src: &'a str,
    toks: Vec<Tok>,
    pos: usize,
    fm: FeatureModel,
    /// Feature name -> index, and the offset where it was declared.
    names: HashMap<String, usize>,
    /// Typed features (Integer, Real, String): their values cannot be used in constraints.
    typed: Vec<bool>,
    raw_constraints: Vec<(U, usize, usize)>,
}

impl P<'_> {
    fn peek(&self) -> &T {
        &self.toks[self.pos].t
    }
    fn at(&self) -> usize {
        self.toks[self.pos].at
    }
    fn next(&mut self) -> Tok {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_p(&self, p: &str) -> bool {
        matches!(self.peek(), T::P(x) if *x == p)
    }
    fn expect_p(&mut self, p: &str) -> Res<()> {
        if self.is_p(p) {
            self.next();
            Ok(())
        } else {
            err_at(
                self.src,
                self.at(),
                format!("expected `{p}`, found {}", show(self.peek())),
            )
        }
    }
    fn newline_indent(&self) -> Option<usize> {
        match self.peek() {
            T::Newline(w) => Some(*w),
            _ => None,
        }
    }

    fn model(&mut self) -> Res<()> {
        loop {
            match self.peek().clone() {
                T::Eof => break,
                T::Newline(0) => {
                    self.next();
                }
                T::Newline(_) => {
                    return err_at(
                        self.src,
                        self.at(),
                        format!(
                            "unexpected indentation before {}",
                            show(&self.toks[self.pos + 1].t)
                        ),
                    );
                }
                T::Name(k, false) if k == "namespace" => {
                    self.next();
                    match self.next().t {
                        T::Name(n, _) => self.fm.name = Some(n),
                        other => {
                            return err_at(
                                self.src,
                                self.toks[self.pos - 1].at,
                                format!("expected the namespace's name, found {}", show(&other)),
                            )
                        }
                    }
                }
                T::Name(k, false) if k == "include" => {
                    self.next();
                    self.skip_block();
                }
                T::Name(k, false) if k == "imports" => {
                    let at = self.at();
                    self.next();
                    if matches!(self.peek(), T::Newline(w) if *w > 0) {
                        return err_at(self.src, at, "imports of other UVL files are not supported: merge the sub-models into one file");
                    }
                }
                T::Name(k, false) if k == "features" => {
                    self.next();
                    self.features()?;
                }
                T::Name(k, false) if k == "constraints" => {
                    self.next();
                    self.constraints()?;
                }
                other => {
                    return err_at(self.src, self.at(), format!("expected namespace, include, imports, features or constraints, found {}", show(&other)));
                }
            }
        }
        if self.fm.features.is_empty() {
            return err_at(self.src, 0, "the model has no `features` section");
        }
        Ok(())
    }

    fn skip_block(&mut self) {
        loop {
            match self.peek() {
                T::Eof | T::Newline(0) => return,
                _ => {
                    self.next();
                }
            }
        }
    }

    fn features(&mut self) -> Res<()> {
        let Some(w) = self.newline_indent().filter(|w| *w > 0) else {
            return err_at(
                self.src,
                self.at(),
                "expected the root feature, indented under `features`",
            );
        };
        if !self.fm.features.is_empty() {
            return err_at(self.src, self.at(), "a second `features` section");
        }
        self.next();
        self.feature(w)?;
        if let Some(w2) = self.newline_indent() {
            if w2 > 0 {
                let next = show(&self.toks[self.pos + 1].t);
                return err_at(
                    self.src,
                    self.at(),
                    format!("wrong indentation: {next} is not under a feature's group (a model has one root feature; groups are indented under their feature, features under their group)"),
                );
            }
        }
        Ok(())
    }

    /// A feature line at indentation `w` and its groups. Returns the feature's index.
    fn feature(&mut self, w: usize) -> Res<usize> {
        let at = self.at();
        let mut name_tok = self.next();
        let mut typed = false;
        if let T::Name(n, false) = &name_tok.t {
            if matches!(n.as_str(), "Integer" | "Real" | "String" | "Boolean")
                && matches!(self.peek(), T::Name(..))
            {
                typed = n != "Boolean";
                name_tok = self.next();
            }
        }
        let name = match &name_tok.t {
            T::Name(n, _) => {
                if matches!(self.peek(), T::P(".")) {
                    return err_at(
                        self.src,
                        at,
                        "features from imported models (`alias.Feature`) are not supported",
                    );
                }
                n.clone()
            }
            other => {
                return err_at(
                    self.src,
                    name_tok.at,
                    format!("expected a feature name, found {}", show(other)),
                )
            }
        };
        if self.names.contains_key(&name) {
            return err_at(
                self.src,
                name_tok.at,
                format!("feature {name:?} is declared twice; feature names must be unique"),
            );
        }
        let f = self.fm.feature(name.clone(), false);
        self.names.insert(name.clone(), f);
        self.typed.push(typed);
        if matches!(self.peek(), T::Name(k, false) if k == "cardinality") {
            let cat = self.at();
            self.next();
            self.cardinality()?;
            self.fm.warnings.push(super::at(
                Diagnostic::warning("feature-cardinality", format!("feature {name}: clones (feature cardinality) are not supported; it is read as one optional feature")),
                self.src,
                cat,
            ));
        }
        if self.is_p("{") {
            self.attributes(f)?;
        }
        match self.peek() {
            T::Newline(_) | T::Eof => {}
            other => {
                return err_at(
                    self.src,
                    self.at(),
                    format!("unexpected {} after feature {name}", show(other)),
                )
            }
        }
        // Groups, indented deeper.
        let mut gw: Option<usize> = None;
        while let Some(cw) = self.newline_indent() {
            if cw <= w {
                break;
            }
            if let Some(g) = gw {
                if cw != g {
                    return err_at(self.src, self.toks[self.pos + 1].at, "wrong indentation: this line is not aligned with the groups of its feature");
                }
            }
            gw = Some(cw);
            self.next();
            let kat = self.at();
            let relation = match self.next().t {
                T::Name(k, false) if k == "mandatory" => Relation::Mandatory,
                T::Name(k, false) if k == "optional" => Relation::Optional,
                T::Name(k, false) if k == "or" => Relation::Or,
                T::Name(k, false) if k == "alternative" => Relation::Alternative,
                T::P("[") => {
                    self.pos -= 1;
                    let (a, b) = self.cardinality()?;
                    Relation::Range(a, b)
                }
                T::Name(k, false) if k == "cardinality" => {
                    let (a, b) = self.cardinality()?;
                    Relation::Range(a, b)
                }
                other => {
                    return err_at(self.src, kat, format!("expected a group (mandatory, optional, or, alternative, [n..m]) under feature {name}, found {}", show(&other)))
                }
            };
            if !matches!(self.peek(), T::Newline(_) | T::Eof) {
                return err_at(
                    self.src,
                    self.at(),
                    format!("unexpected {} after the group keyword", show(self.peek())),
                );
            }
            let gi = self.fm.groups.len();
            self.fm.groups.push(FeatureGroup {
                parent: f,
                relation,
                children: Vec::new(),
            });
            let mut fw: Option<usize> = None;
            while let Some(chw) = self.newline_indent() {
                if chw <= cw {
                    break;
                }
                if let Some(x) = fw {
                    if chw != x {
                        return err_at(
                            self.src,
                            self.toks[self.pos + 1].at,
                            "wrong indentation: this feature is not aligned with its siblings",
                        );
                    }
                }
                fw = Some(chw);
                self.next();
                let c = self.feature(chw)?;
                self.fm.groups[gi].children.push(c);
            }
            if self.fm.groups[gi].children.is_empty() {
                return err_at(
                    self.src,
                    kat,
                    format!("the group under feature {name} has no features"),
                );
            }
            if let Relation::Range(a, Some(b)) = relation {
                if a > b {
                    return err_at(
                        self.src,
                        kat,
                        format!(
                            "group cardinality [{a}..{b}] has a lower bound above its upper bound"
                        ),
                    );
                }
            }
        }
        Ok(f)
    }

    /// `[n]`, `[n..m]`, `[n..*]`.
    fn cardinality(&mut self) -> Res<(u32, Option<u32>)> {
        self.expect_p("[")?;
        let a = self.int()?;
        let b = if self.is_p("..") {
            self.next();
            if self.is_p("*") {
                self.next();
                None
            } else {
                Some(self.int()?)
            }
        } else {
            Some(a)
        };
        self.expect_p("]")?;
        Ok((a, b))
    }

    fn int(&mut self) -> Res<u32> {
        let at = self.at();
        match self.next().t {
            T::Num(n) => n
                .parse()
                .or_else(|_| err_at(self.src, at, format!("expected a whole number, found {n}"))),
            other => err_at(
                self.src,
                at,
                format!("expected a whole number, found {}", show(&other)),
            ),
        }
    }

    fn attributes(&mut self, f: usize) -> Res<()> {
        self.expect_p("{")?;
        loop {
            if self.is_p("}") {
                self.next();
                return Ok(());
            }
            let kat = self.at();
            let key = match self.next().t {
                T::Name(k, _) => k,
                other => {
                    return err_at(
                        self.src,
                        kat,
                        format!("expected an attribute name, found {}", show(&other)),
                    )
                }
            };
            let value = if self.is_p(",") || self.is_p("}") {
                Some(Value::Bool(true))
            } else if key == "constraint" {
                let e = self.expr()?;
                self.raw_constraints.push((e, kat, self.at()));
                None
            } else if key == "constraints" {
                self.expect_p("[")?;
                while !self.is_p("]") {
                    let s = self.at();
                    let e = self.expr()?;
                    self.raw_constraints.push((e, s, self.at()));
                    if self.is_p(",") {
                        self.next();
                    }
                }
                self.next();
                None
            } else {
                self.value()?
            };
            if key == "abstract" {
                self.fm.features[f].abstract_ = value != Some(Value::Bool(false));
            } else if let Some(v) = value {
                self.fm.features[f].attributes.insert(key, v);
            }
            if self.is_p(",") {
                self.next();
            } else if !self.is_p("}") {
                return err_at(
                    self.src,
                    self.at(),
                    format!(
                        "expected `,` or `}}` in the attributes, found {}",
                        show(self.peek())
                    ),
                );
            }
        }
    }

    /// An attribute value; nested attribute lists and vectors are skipped (`None`).
    fn value(&mut self) -> Res<Option<Value>> {
        let at = self.at();
        let neg = if self.is_p("-") {
            self.next();
            true
        } else {
            false
        };
        match self.next().t {
            T::Num(n) => {
                let text = if neg { format!("-{n}") } else { n.clone() };
                let d = Decimal::parse(&text)
                    .or_else(|| text.parse::<f64>().ok().and_then(Decimal::from_f64));
                match d {
                    Some(d) => Ok(Some(Value::Number(d))),
                    None => err_at(self.src, at, format!("number {text} is out of range")),
                }
            }
            T::Str(s) if !neg => Ok(Some(Value::Str(s))),
            T::Name(b, false) if !neg && (b == "true" || b == "false") => {
                Ok(Some(Value::Bool(b == "true")))
            }
            T::P(open @ ("{" | "[")) if !neg => {
                let close = if open == "{" { "}" } else { "]" };
                let mut depth = 1;
                while depth > 0 {
                    match self.next().t {
                        T::P(p) if p == open => depth += 1,
                        T::P(p) if p == close => depth -= 1,
                        T::Eof => return err_at(self.src, at, format!("unclosed `{open}`")),
                        _ => {}
                    }
                }
                Ok(None)
            }
            other => err_at(
                self.src,
                at,
                format!("expected an attribute value, found {}", show(&other)),
            ),
        }
    }

    fn constraints(&mut self) -> Res<()> {
        let Some(cw) = self.newline_indent() else {
            return Ok(());
        };
        if cw == 0 {
            return Ok(());
        }
        while let Some(w) = self.newline_indent() {
            if w == 0 {
                break;
            }
            if w < cw {
                return err_at(
                    self.src,
                    self.toks[self.pos + 1].at,
                    "wrong indentation: constraints must be aligned",
                );
            }
            self.next();
            let start = self.at();
            let e = self.expr()?;
            // Continuation lines are indented deeper.
            if let Some(w2) = self.newline_indent() {
                if w2 > cw {
                    return err_at(
                        self.src,
                        self.toks[self.pos + 1].at,
                        "unexpected continuation; write one constraint per line",
                    );
                }
            }
            if !matches!(self.peek(), T::Newline(_) | T::Eof) {
                return err_at(
                    self.src,
                    self.at(),
                    format!("unexpected {} in the constraint", show(self.peek())),
                );
            }
            self.raw_constraints.push((e, start, self.at()));
        }
        Ok(())
    }

    // Precedence, loosest first: <=>, =>, |, &, comparisons, + -, * /, unary.
    fn expr(&mut self) -> Res<U> {
        let mut a = self.implies()?;
        while self.is_p("<=>") {
            self.next();
            let b = self.implies()?;
            a = U::Iff(Box::new(a), Box::new(b));
        }
        Ok(a)
    }
    fn implies(&mut self) -> Res<U> {
        let mut a = self.or()?;
        while self.is_p("=>") {
            self.next();
            let b = self.or()?;
            a = U::Implies(Box::new(a), Box::new(b));
        }
        Ok(a)
    }
    fn or(&mut self) -> Res<U> {
        let mut a = self.and()?;
        while self.is_p("|") || self.is_p("||") {
            self.next();
            let b = self.and()?;
            a = U::Or(Box::new(a), Box::new(b));
        }
        Ok(a)
    }
    fn and(&mut self) -> Res<U> {
        let mut a = self.cmp()?;
        while self.is_p("&") || self.is_p("&&") {
            self.next();
            let b = self.cmp()?;
            a = U::And(Box::new(a), Box::new(b));
        }
        Ok(a)
    }
    fn cmp(&mut self) -> Res<U> {
        let a = self.sum()?;
        let op = match self.peek() {
            T::P("==") => CmpOp::Eq,
            T::P("!=") => CmpOp::Ne,
            T::P("<") => CmpOp::Lt,
            T::P("<=") => CmpOp::Le,
            T::P(">") => CmpOp::Gt,
            T::P(">=") => CmpOp::Ge,
            _ => return Ok(a),
        };
        self.next();
        let b = self.sum()?;
        Ok(U::Cmp(op, Box::new(a), Box::new(b)))
    }
    fn sum(&mut self) -> Res<U> {
        let mut a = self.product()?;
        loop {
            let op = match self.peek() {
                T::P("+") => "+",
                T::P("-") => "-",
                _ => return Ok(a),
            };
            self.next();
            let b = self.product()?;
            a = U::Arith(op, Box::new(a), Box::new(b));
        }
    }
    fn product(&mut self) -> Res<U> {
        let mut a = self.unary()?;
        loop {
            let op = match self.peek() {
                T::P("*") => "*",
                T::P("/") => "/",
                _ => return Ok(a),
            };
            self.next();
            let b = self.unary()?;
            a = U::Arith(op, Box::new(a), Box::new(b));
        }
    }
    fn unary(&mut self) -> Res<U> {
        if self.is_p("!") {
            self.next();
            return Ok(U::Not(Box::new(self.unary()?)));
        }
        if self.is_p("-") {
            self.next();
            return Ok(U::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }
    fn atom(&mut self) -> Res<U> {
        let at = self.at();
        match self.next().t {
            T::P("(") => {
                let e = self.expr()?;
                self.expect_p(")")?;
                Ok(e)
            }
            T::Num(n) => match Decimal::parse(&n) {
                Some(d) => Ok(U::Num(d.raw() as i128)),
                None => err_at(
                    self.src,
                    at,
                    format!("number {n} has more than 6 decimals or is out of range"),
                ),
            },
            T::Str(_) => Ok(U::Str),
            T::Name(b, false) if b == "true" || b == "false" => Ok(U::Bool(b == "true")),
            T::Name(f, false)
                if self.is_p("(")
                    && matches!(f.as_str(), "sum" | "avg" | "len" | "floor" | "ceil") =>
            {
                self.next();
                let mut args = Vec::new();
                while !self.is_p(")") {
                    args.push(self.expr()?);
                    if self.is_p(",") {
                        self.next();
                    } else if !self.is_p(")") {
                        return err_at(
                            self.src,
                            self.at(),
                            format!("expected `,` or `)`, found {}", show(self.peek())),
                        );
                    }
                }
                self.next();
                Ok(U::Call(f, args, at))
            }
            T::Name(n, _) => {
                let mut path = vec![n];
                while self.is_p(".") {
                    self.next();
                    match self.next().t {
                        T::Name(m, _) => path.push(m),
                        other => {
                            return err_at(
                                self.src,
                                self.toks[self.pos - 1].at,
                                format!("expected a name after `.`, found {}", show(&other)),
                            )
                        }
                    }
                }
                Ok(U::Ref(path, at))
            }
            other => err_at(
                self.src,
                at,
                format!(
                    "expected a feature, a number or `(`, found {}",
                    show(&other)
                ),
            ),
        }
    }

    // Resolution.
    fn feature_ref(&self, path: &[String], at: usize) -> Result<Option<usize>, Vec<Diagnostic>> {
        let path: &[String] = match (&self.fm.name, path) {
            (Some(ns), [first, rest @ ..])
                if first == ns && !rest.is_empty() && !self.names.contains_key(first) =>
            {
                rest
            }
            _ => path,
        };
        match path {
            [f] => match self.names.get(f) {
                Some(i) => Ok(Some(*i)),
                None => {
                    let hint = crate::diagnostic::did_you_mean(&crate::diagnostic::suggest(
                        f,
                        self.names.keys().map(|s| s.as_str()),
                    ));
                    err_at(self.src, at, format!("unknown feature {f}{hint}")).map(|()| None)
                }
            },
            _ => Ok(None),
        }
    }

    fn boolean(&self, u: &U) -> Result<Result<Expr, String>, Vec<Diagnostic>> {
        Ok(Ok(match u {
            U::Bool(b) => Expr::Const(*b),
            U::Ref(path, at) => {
                if path.len() == 1 {
                    let f = self.feature_ref(path, *at)?.unwrap_or(0);
                    Expr::Feature(f)
                } else {
                    // A boolean attribute of a feature is a constant.
                    match self.attr(path, *at)? {
                        Some(Value::Bool(b)) => Expr::Const(b),
                        _ => return Ok(Err(format!("{} is not a condition", path.join(".")))),
                    }
                }
            }
            U::Not(x) => match self.boolean(x)? {
                Ok(e) => Expr::Not(Box::new(e)),
                Err(m) => return Ok(Err(m)),
            },
            U::And(a, b) | U::Or(a, b) | U::Implies(a, b) | U::Iff(a, b) => {
                let (ea, eb) = match (self.boolean(a)?, self.boolean(b)?) {
                    (Ok(x), Ok(y)) => (x, y),
                    (Err(m), _) | (_, Err(m)) => return Ok(Err(m)),
                };
                match u {
                    U::And(..) => Expr::And(vec![ea, eb]),
                    U::Or(..) => Expr::Or(vec![ea, eb]),
                    U::Implies(..) => Expr::Implies(Box::new(ea), Box::new(eb)),
                    _ => Expr::Iff(Box::new(ea), Box::new(eb)),
                }
            }
            U::Cmp(op, a, b) => match (self.number(a)?, self.number(b)?) {
                (Ok(x), Ok(y)) => Expr::Cmp(*op, x, y),
                (Err(m), _) | (_, Err(m)) => return Ok(Err(m)),
            },
            _ => {
                return Ok(Err(
                    "a number or string where a condition is expected".into()
                ))
            }
        }))
    }

    fn attr_opt(&self, path: &[String]) -> Option<&Value> {
        let f = self.names.get(path.get(path.len().checked_sub(2)?)?)?;
        self.fm.features[*f].attributes.get(path.last()?)
    }

    fn attr(&self, path: &[String], at: usize) -> Result<Option<Value>, Vec<Diagnostic>> {
        let (fpath, attr) = path.split_at(path.len() - 1);
        let Some(f) = self.feature_ref(fpath, at)? else {
            return Ok(None);
        };
        match self.fm.features[f].attributes.get(&attr[0]) {
            Some(v) => Ok(Some(v.clone())),
            None => err_at(
                self.src,
                at,
                format!(
                    "feature {} has no attribute {}",
                    self.fm.features[f].name, attr[0]
                ),
            )
            .map(|()| None),
        }
    }

    fn number(&self, u: &U) -> Result<Result<Num, String>, Vec<Diagnostic>> {
        Ok(Ok(match u {
            U::Num(n) => Num::Const(*n),
            U::Ref(path, at) if path.len() == 1 => {
                let f = self.feature_ref(path, *at)?.unwrap_or(0);
                return Ok(Err(if self.typed[f] {
                    format!("the value of typed feature {} is not supported", path[0])
                } else {
                    format!("{} is a feature, not a number", path[0])
                }));
            }
            U::Ref(path, at) => {
                let (fpath, _) = path.split_at(path.len() - 1);
                let f = self.feature_ref(fpath, *at)?;
                if f.is_some_and(|f| self.typed[f]) && self.attr_opt(path).is_none() {
                    return Ok(Err(format!(
                        "{} belongs to a typed feature",
                        path.join(".")
                    )));
                }
                match (f, self.attr(path, *at)?) {
                    (Some(f), Some(Value::Number(d))) => Num::Attr(f, d.raw() as i128),
                    _ => return Ok(Err(format!("{} is not a number", path.join(".")))),
                }
            }
            U::Neg(x) => match self.number(x)? {
                Ok(n) => Num::Neg(Box::new(n)),
                Err(m) => return Ok(Err(m)),
            },
            U::Arith(op, a, b) => {
                let (x, y) = match (self.number(a)?, self.number(b)?) {
                    (Ok(x), Ok(y)) => (Box::new(x), Box::new(y)),
                    (Err(m), _) | (_, Err(m)) => return Ok(Err(m)),
                };
                match *op {
                    "+" => Num::Add(x, y),
                    "-" => Num::Sub(x, y),
                    "*" => Num::Mul(x, y),
                    _ => Num::Div(x, y),
                }
            }
            U::Call(f, args, at) if f == "sum" => match args.as_slice() {
                [U::Ref(p, _)] if p.len() == 1 && !self.names.contains_key(&p[0]) => {
                    Num::Sum(p[0].clone())
                }
                [U::Ref(p, _)] if p.len() == 1 => {
                    return Ok(Err(format!(
                        "sum({}) names a feature; sum needs an attribute",
                        p[0]
                    )))
                }
                [_, _] => return Ok(Err("sum over a feature's subtree is not supported".into())),
                _ => return err_at(self.src, *at, "sum() takes an attribute name"),
            },
            U::Call(f, _, _) => return Ok(Err(format!("{f}() is not supported"))),
            U::Str => return Ok(Err("string constraints are not supported".into())),
            _ => return Ok(Err("a condition where a number is expected".into())),
        }))
    }
}

fn show(t: &T) -> String {
    match t {
        T::Name(n, true) => format!("\"{n}\""),
        T::Name(n, false) => format!("`{n}`"),
        T::Str(s) => format!("'{s}'"),
        T::Num(n) => n.clone(),
        T::Newline(_) => "the end of the line".into(),
        T::P(p) => format!("`{p}`"),
        T::Eof => "the end of the file".into(),
    }
}

/// Parses a UVL model.
pub fn parse(src: &str) -> Result<FeatureModel, Vec<Diagnostic>> {
    let toks = lex(src)?;
    let mut p = P {
        src,
        toks,
        pos: 0,
        fm: FeatureModel::default(),
        names: HashMap::new(),
        typed: Vec::new(),
        raw_constraints: Vec::new(),
    };
    p.model()?;
    let raw = std::mem::take(&mut p.raw_constraints);
    let lines = super::Lines::new(src);
    for (u, start, end) in raw {
        let line = lines.line(start);
        let text = src[start..end.max(start)].trim().to_string();
        match p.boolean(&u)? {
            Ok(expr) => p.fm.constraints.push(FmConstraint { expr, text, line }),
            Err(why) => p.fm.warnings.push(super::at(
                Diagnostic::warning(
                    "unsupported-constraint",
                    format!("constraint {text} is ignored ({why}); the imported model allows more products than the original"),
                ),
                src,
                start,
            )),
        }
    }
    let _ = SCALE;
    Ok(p.fm)
}
