//! Parser of the rule language: the pest grammar in `grammar.pest` recognises the text, pest's
//! `PrattParser` folds operator sequences by precedence, and this module builds the syntax tree
//! of `ast.rs` with byte spans.
//!
//! Rule texts come from catalogs written by hand and from users of the server, so every error
//! is worded for a person (no grammar rule names) and no input makes the parser panic or
//! overflow the stack: texts longer than [`MAX_RULE_LEN`] bytes or nested deeper than
//! [`MAX_NESTING`] brackets and `if`s are refused before pest sees them, and operator chains
//! deeper than [`MAX_EXPR_DEPTH`] are refused before the tree is built.

use super::ast::{
    ArithOp, Cell, CmpOp, Expr, ExprKind, Ident, LogicOp, Path, RuleBody, Span, Table, TableKind,
};
use crate::number::{Decimal, MAX_UNITS};
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::collections::HashMap;
use std::fmt;

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "rules/grammar.pest"]
    pub(super) struct RuleParser;
}

use grammar::{Rule, RuleParser};

/// Longest rule text accepted, in bytes: a guard against pathological inputs, far above any
/// rule a person writes.
pub const MAX_RULE_LEN: usize = 100_000;

/// Deepest nesting of brackets and `if`s accepted: the grammar is recursive there, so this
/// bounds the parser's stack use.
pub const MAX_NESTING: usize = 200;

/// Deepest syntax tree accepted (operators inside operators, counting brackets): every later
/// pass (resolution, printing, encoding) walks the tree recursively.
pub const MAX_EXPR_DEPTH: usize = 500;

/// A syntax error in a rule text, located so that it can be shown as `line:column: message`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong, for a person (no grammar rule names).
    pub message: String,
    /// Byte offset in the rule text.
    pub offset: usize,
    /// 1-based line of `offset`.
    pub line: usize,
    /// 1-based column (in characters) of `offset`.
    pub column: usize,
}

impl ParseError {
    fn new(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let (line, column) = super::line_col(text, offset);
        ParseError {
            message: message.into(),
            offset,
            line,
            column,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses one rule text (a formula or a compatibility table) into its syntax tree.
///
/// Names are not resolved here; that needs the catalog (see `resolve`).
pub fn parse_rule(text: &str) -> Result<RuleBody, ParseError> {
    prescan(text)?;
    let mut pairs = RuleParser::parse(Rule::rule_text, text).map_err(|e| pest_error(text, e))?;
    let top = pairs
        .next()
        .ok_or_else(|| internal(text, 0, "no parse tree"))?;
    let body = top
        .into_inner()
        .find(|p| matches!(p.as_rule(), Rule::table | Rule::expr))
        .ok_or_else(|| internal(text, 0, "no rule body"))?;
    let builder = Builder {
        text,
        pratt: pratt(),
    };
    match body.as_rule() {
        Rule::table => builder.table(body).map(RuleBody::Table),
        _ => builder.expr_tree(body).map(RuleBody::Expr),
    }
}

fn internal(text: &str, offset: usize, what: &str) -> ParseError {
    ParseError::new(text, offset, format!("internal parser error ({what})"))
}

/// Operator precedence, loosest first (docs/catalog-format.md). `if then else` is handled by
/// the grammar since it is looser than every operator.
fn pratt() -> PrattParser<Rule> {
    PrattParser::new()
        .op(Op::infix(Rule::iff_op, Assoc::Left))
        .op(Op::infix(Rule::implies_op, Assoc::Right)
            | Op::infix(Rule::requires_op, Assoc::Right)
            | Op::infix(Rule::excludes_op, Assoc::Right))
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        // Comparisons do not associate; `Builder::op_expr` rejects `a < b < c`.
        .op(Op::infix(Rule::eq_op, Assoc::Left)
            | Op::infix(Rule::ne_op, Assoc::Left)
            | Op::infix(Rule::lt_op, Assoc::Left)
            | Op::infix(Rule::le_op, Assoc::Left)
            | Op::infix(Rule::gt_op, Assoc::Left)
            | Op::infix(Rule::ge_op, Assoc::Left))
        .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
}

// ---------------------------------------------------------------------------------------------
// Guards run before pest

/// Rejects over-long texts, unterminated strings, backticks and comments (with the position of
/// their start, which pest cannot give), and nesting deeper than [`MAX_NESTING`].
fn prescan(text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_RULE_LEN {
        return Err(ParseError::new(
            text,
            MAX_RULE_LEN,
            format!(
                "the rule is too long ({} bytes; at most {MAX_RULE_LEN})",
                text.len()
            ),
        ));
    }
    let b = text.as_bytes();
    let mut i = 0;
    let mut has_content = false;
    // `ifs[k]`: number of `if`s at bracket level k; all `if`s at one level are nested in each
    // other because an `if` cannot be an operand without brackets.
    let mut ifs: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let too_deep = |at: usize| {
        ParseError::new(
            text,
            at,
            format!(
                "the rule is nested too deeply (more than {MAX_NESTING} levels of brackets \
                 and `if`s); split it into several rules"
            ),
        )
    };
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(ParseError::new(
                                text,
                                start,
                                "unterminated string: missing closing '\"'",
                            ))
                        }
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                has_content = true;
            }
            b'`' => {
                let start = i;
                match b[i + 1..].iter().position(|&c| c == b'`') {
                    Some(n) => i += n + 2,
                    None => {
                        return Err(ParseError::new(
                            text,
                            start,
                            "unterminated name: missing closing '`'",
                        ))
                    }
                }
                has_content = true;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(n) => i += n + 4,
                None => {
                    return Err(ParseError::new(
                        text,
                        i,
                        "unterminated comment: missing closing '*/'",
                    ))
                }
            },
            b'(' | b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(i));
                }
                ifs.push(0);
                has_content = true;
                i += 1;
            }
            b')' | b'}' | b']' => {
                if ifs.len() > 1 {
                    let n = ifs.pop().unwrap_or(0);
                    depth = depth.saturating_sub(1 + n);
                }
                has_content = true;
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let after_dot = start > 0 && b[start - 1] == b'.';
                if &b[start..i] == b"if" && !after_dot {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(too_deep(start));
                    }
                    if let Some(top) = ifs.last_mut() {
                        *top += 1;
                    }
                }
                has_content = true;
            }
            c if c.is_ascii_whitespace() => i += 1,
            // A byte-order mark counts as white space, as in the grammar.
            0xEF if b[i..].starts_with("\u{feff}".as_bytes()) => i += 3,
            _ => {
                has_content = true;
                i += 1;
            }
        }
    }
    if !has_content {
        return Err(ParseError::new(
            text,
            text.len(),
            "the rule is empty: expected a formula or a table",
        ));
    }
    Ok(())
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::not_op
            | Rule::neg_op
            | Rule::iff_op
            | Rule::implies_op
            | Rule::requires_op
            | Rule::excludes_op
            | Rule::or_op
            | Rule::and_op
            | Rule::eq_op
            | Rule::ne_op
            | Rule::lt_op
            | Rule::le_op
            | Rule::gt_op
            | Rule::ge_op
            | Rule::add_op
            | Rule::sub_op
            | Rule::mul_op
    )
}

// ---------------------------------------------------------------------------------------------
// Building the tree

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Identifies a pair by its byte range (two `expr` pairs never share one).
fn key(pair: &Pair<Rule>) -> (usize, usize) {
    let s = pair.as_span();
    (s.start(), s.end())
}

/// Trees of nested `expr` pairs already built, with their depth, by [`key`].
type Done = HashMap<(usize, usize), (Expr, usize)>;

/// An expression during Pratt folding: `bare_cmp` tells that it is a comparison not wrapped in
/// brackets, so that a second comparison on it is reported as chaining.
struct Node {
    expr: Expr,
    bare_cmp: bool,
}

struct Builder<'t> {
    text: &'t str,
    pratt: PrattParser<Rule>,
}

impl<'t> Builder<'t> {
    fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError::new(self.text, offset, message)
    }

    fn internal(&self, pair: &Pair<Rule>) -> ParseError {
        internal(
            self.text,
            pair.as_span().start(),
            &format!("unexpected {:?}", pair.as_rule()),
        )
    }

    /// Builds the tree of an `expr` pair without recursing through brackets and `if`s: every
    /// nested `expr` is built first (children before parents) and picked up by its parent, so
    /// that stack use does not grow with nesting (the Pratt folding of one operator sequence
    /// still recurses, bounded by [`MAX_EXPR_DEPTH`]).
    fn expr_tree(&self, root: Pair<'t, Rule>) -> Result<Expr, ParseError> {
        let root_key = key(&root);
        let mut preorder = Vec::new();
        let mut stack = vec![root];
        while let Some(p) = stack.pop() {
            if matches!(
                p.as_rule(),
                Rule::expr | Rule::if_expr | Rule::op_expr | Rule::paren
            ) {
                if p.as_rule() == Rule::expr {
                    preorder.push(p.clone());
                }
                stack.extend(p.into_inner());
            }
        }
        // Reversed pre-order: descendants before ancestors, left to right.
        let mut done = Done::new();
        for p in preorder.into_iter().rev() {
            let k = key(&p);
            let built = self.expr_node(p, &mut done)?;
            done.insert(k, built);
        }
        done.remove(&root_key)
            .map(|(e, _)| e)
            .ok_or_else(|| internal(self.text, root_key.0, "expression not built"))
    }

    /// Takes the already built tree of a nested `expr` pair.
    fn take(&self, pair: &Pair<Rule>, done: &mut Done) -> Result<(Expr, usize), ParseError> {
        done.remove(&key(pair)).ok_or_else(|| self.internal(pair))
    }

    /// Builds an `expr` pair whose nested `expr`s are in `done`; returns it with its depth.
    fn expr_node(
        &self,
        pair: Pair<'t, Rule>,
        done: &mut Done,
    ) -> Result<(Expr, usize), ParseError> {
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.internal(&pair))?;
        match inner.as_rule() {
            Rule::if_expr => {
                let span = span_of(&inner);
                let mut parts = inner.into_inner().filter(|p| p.as_rule() == Rule::expr);
                let (Some(c), Some(t)) = (parts.next(), parts.next()) else {
                    return Err(internal(self.text, span.start, "if"));
                };
                let (c, dc) = self.take(&c, done)?;
                let (t, dt) = self.take(&t, done)?;
                let (e, de) = match parts.next() {
                    Some(e) => {
                        let (e, de) = self.take(&e, done)?;
                        (Some(Box::new(e)), de)
                    }
                    None => (None, 0),
                };
                let depth = 1 + dc.max(dt).max(de);
                self.check_depth(depth, span.start)?;
                Ok((
                    Expr {
                        kind: ExprKind::If(Box::new(c), Box::new(t), e),
                        span,
                    },
                    depth,
                ))
            }
            Rule::op_expr => self.op_expr(inner, done),
            _ => Err(self.internal(&inner)),
        }
    }

    fn check_depth(&self, depth: usize, offset: usize) -> Result<(), ParseError> {
        if depth > MAX_EXPR_DEPTH {
            return Err(self.err(
                offset,
                format!(
                    "the rule is too deeply nested (more than {MAX_EXPR_DEPTH} operators \
                     inside each other); split it into several rules"
                ),
            ));
        }
        Ok(())
    }

    fn op_expr(&self, pair: Pair<'t, Rule>, done: &mut Done) -> Result<(Expr, usize), ParseError> {
        // Each operator may nest once: an upper bound of the depth, checked before the Pratt
        // folding recurses on it.
        let mut ops = 0;
        let mut deepest = 1;
        for p in pair.clone().into_inner() {
            if is_operator(p.as_rule()) {
                ops += 1;
            } else if p.as_rule() == Rule::paren {
                let d = p
                    .into_inner()
                    .find(|q| q.as_rule() == Rule::expr)
                    .and_then(|q| done.get(&key(&q)))
                    .map_or(1, |(_, d)| *d);
                deepest = deepest.max(d);
            }
        }
        let depth = ops + deepest;
        self.check_depth(depth, pair.as_span().start())?;
        let node = self
            .pratt
            .map_primary(|p| {
                let expr = if p.as_rule() == Rule::paren {
                    let inner = p
                        .clone()
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::expr)
                        .ok_or_else(|| self.internal(&p))?;
                    // The brackets belong to the span, so that errors point at what was written.
                    let (mut e, _) = self.take(&inner, done)?;
                    e.span = span_of(&p);
                    e
                } else {
                    self.operand(p)?
                };
                Ok(Node {
                    expr,
                    bare_cmp: false,
                })
            })
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = Span::new(op.as_span().start(), rhs.expr.span.end);
                let inner = Box::new(rhs.expr);
                let kind = match op.as_rule() {
                    Rule::neg_op => ExprKind::Neg(inner),
                    _ => ExprKind::Not(inner),
                };
                Ok(Node {
                    expr: Expr { kind, span },
                    bare_cmp: false,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.expr.span.join(rhs.expr.span);
                let cmp = match op.as_rule() {
                    Rule::eq_op => Some(CmpOp::Eq),
                    Rule::ne_op => Some(CmpOp::Ne),
                    Rule::lt_op => Some(CmpOp::Lt),
                    Rule::le_op => Some(CmpOp::Le),
                    Rule::gt_op => Some(CmpOp::Gt),
                    Rule::ge_op => Some(CmpOp::Ge),
                    _ => None,
                };
                let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
                if let Some(cmp) = cmp {
                    if lhs.bare_cmp || rhs.bare_cmp {
                        return Err(self.err(
                            op.as_span().start(),
                            format!(
                                "comparisons cannot be chained: '{}' compares the result of \
                                 another comparison; write `a <= b & b <= c` instead",
                                op.as_str()
                            ),
                        ));
                    }
                    return Ok(Node {
                        expr: Expr {
                            kind: ExprKind::Compare(cmp, l, r),
                            span,
                        },
                        bare_cmp: true,
                    });
                }
                let kind = match op.as_rule() {
                    Rule::iff_op => ExprKind::Logic(LogicOp::Iff, l, r),
                    Rule::implies_op => ExprKind::Logic(LogicOp::Implies, l, r),
                    Rule::requires_op => ExprKind::Logic(LogicOp::Requires, l, r),
                    Rule::excludes_op => ExprKind::Logic(LogicOp::Excludes, l, r),
                    Rule::or_op => ExprKind::Logic(LogicOp::Or, l, r),
                    Rule::and_op => ExprKind::Logic(LogicOp::And, l, r),
                    Rule::add_op => ExprKind::Arith(ArithOp::Add, l, r),
                    Rule::sub_op => ExprKind::Arith(ArithOp::Sub, l, r),
                    Rule::mul_op => ExprKind::Arith(ArithOp::Mul, l, r),
                    _ => return Err(self.internal(&op)),
                };
                Ok(Node {
                    expr: Expr { kind, span },
                    bare_cmp: false,
                })
            })
            .parse(pair.into_inner())?;
        Ok((node.expr, depth))
    }

    fn operand(&self, pair: Pair<'t, Rule>) -> Result<Expr, ParseError> {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::true_lit => ExprKind::Bool(true),
            Rule::false_lit => ExprKind::Bool(false),
            Rule::number => ExprKind::Number(self.number(&pair)?),
            Rule::string => {
                let inner = pair
                    .clone()
                    .into_inner()
                    .next()
                    .ok_or_else(|| self.internal(&pair))?;
                ExprKind::Str(self.unescape(&inner)?)
            }
            Rule::path => ExprKind::Path(self.path(pair)?),
            Rule::sum_expr => {
                let path = pair
                    .clone()
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::path)
                    .ok_or_else(|| self.internal(&pair))?;
                ExprKind::Sum(self.path(path)?)
            }
            Rule::count_expr => {
                let paths = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::path)
                    .map(|p| self.path(p))
                    .collect::<Result<Vec<_>, _>>()?;
                ExprKind::Count(paths)
            }
            _ => return Err(self.internal(&pair)),
        };
        Ok(Expr { kind, span })
    }

    fn number(&self, pair: &Pair<Rule>) -> Result<Decimal, ParseError> {
        let text = pair.as_str();
        Decimal::parse(text).ok_or_else(|| {
            let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
            let message = if decimals > 6 {
                format!("number {text} has more than 6 digits after the decimal point")
            } else {
                format!("number {text} is too large (at most {MAX_UNITS})")
            };
            self.err(pair.as_span().start(), message)
        })
    }

    /// The string's content with `\"` and `\\` unescaped; any other escape is an error at the
    /// backslash.
    fn unescape(&self, inner: &Pair<Rule>) -> Result<String, ParseError> {
        let base = inner.as_span().start();
        let mut out = String::new();
        let mut chars = inner.as_str().char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, e)) => {
                    return Err(self.err(
                        base + i,
                        format!(
                            "unknown escape '\\{e}' in a string; only '\\\"' and '\\\\' are allowed"
                        ),
                    ))
                }
                None => return Err(self.err(base + i, "unterminated escape in a string")),
            }
        }
        Ok(out)
    }

    fn path(&self, pair: Pair<'t, Rule>) -> Result<Path, ParseError> {
        let span = span_of(&pair);
        let segments = pair
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::first_segment | Rule::later_segment))
            .map(|p| self.ident(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Path { segments, span })
    }

    /// A name from `first_segment`, `later_segment` or `name`; the span includes backticks.
    fn ident(&self, pair: Pair<'t, Rule>) -> Result<Ident, ParseError> {
        let span = span_of(&pair);
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.internal(&pair))?;
        let name = match inner.as_rule() {
            Rule::backticked => {
                let text = inner.clone().into_inner().next().map_or("", |p| p.as_str());
                if text.is_empty() {
                    return Err(self.err(span.start, "empty name between backticks"));
                }
                text.to_string()
            }
            _ => inner.as_str().to_string(),
        };
        Ok(Ident { name, span })
    }

    fn table(&self, pair: Pair<'t, Rule>) -> Result<Table, ParseError> {
        let span = span_of(&pair);
        let mut kind = TableKind::Allowed;
        let mut columns = Vec::new();
        let mut rows = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::allowed_kw => kind = TableKind::Allowed,
                Rule::forbidden_kw => kind = TableKind::Forbidden,
                Rule::name => columns.push(self.ident(p)?),
                Rule::row => {
                    let row_span = span_of(&p);
                    let mut cells = Vec::new();
                    for c in p.into_inner() {
                        match c.as_rule() {
                            Rule::cell_any => cells.push(Cell::Any(span_of(&c))),
                            Rule::cell_nothing => cells.push(Cell::Nothing(span_of(&c))),
                            Rule::name => cells.push(Cell::Option(self.ident(c)?)),
                            _ => {}
                        }
                    }
                    if cells.len() != columns.len() {
                        return Err(self.err(
                            row_span.start,
                            format!(
                                "this row has {} {} but the table has {} {}",
                                cells.len(),
                                plural(cells.len(), "cell", "cells"),
                                columns.len(),
                                plural(columns.len(), "column", "columns"),
                            ),
                        ));
                    }
                    rows.push(cells);
                }
                _ => {}
            }
        }
        Ok(Table {
            kind,
            columns,
            rows,
            span,
        })
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

// ---------------------------------------------------------------------------------------------
// Error messages

const KEYWORDS: [&str; 15] = [
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "requires",
    "excludes",
    "iff",
    "true",
    "false",
    "sum",
    "count",
    "allowed",
    "forbidden",
];

/// Whether `word` is reserved by the language (it must be backticked to be used as a name).
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// What pest was looking for, in words.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Operand,
    /// A path inside `sum(...)` or `count(...)`.
    AggregateArg,
    NameAfterDot,
    Column,
    Cell,
    Operator,
    Then,
    Else,
    Punct(&'static str),
    TableStart,
    End,
}

fn expected_of(rule: Rule) -> Option<Expected> {
    use Expected::*;
    Some(match rule {
        Rule::rule_text
        | Rule::expr
        | Rule::if_expr
        | Rule::op_expr
        | Rule::if_kw
        | Rule::not_op
        | Rule::neg_op
        | Rule::paren
        | Rule::lparen
        | Rule::number
        | Rule::string
        | Rule::true_lit
        | Rule::false_lit
        | Rule::sum_expr
        | Rule::sum_kw
        | Rule::count_expr
        | Rule::count_kw => Operand,
        Rule::path | Rule::first_segment | Rule::bare_ident => AggregateArg,
        Rule::later_segment | Rule::word => NameAfterDot,
        Rule::name | Rule::backticked => Column,
        Rule::cell_any | Rule::cell_nothing => Cell,
        r if is_operator(r) => Operator,
        Rule::then_kw => Then,
        Rule::else_kw => Else,
        Rule::rparen | Rule::cols_close | Rule::row_close | Rule::arg_close => Punct("')'"),
        Rule::cols_open | Rule::row_open | Rule::arg_open => Punct("'('"),
        Rule::column_comma | Rule::row_comma | Rule::cell_comma | Rule::arg_comma => Punct("','"),
        Rule::equals => Punct("'='"),
        Rule::rows_open => Punct("'{'"),
        Rule::rows_close => Punct("'}'"),
        Rule::table | Rule::allowed_kw | Rule::forbidden_kw => TableStart,
        Rule::EOI => End,
        _ => return None,
    })
}

/// Turns pest's error (rule names at a position) into a sentence.
fn pest_error(text: &str, err: pest::error::Error<Rule>) -> ParseError {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { message } => return ParseError::new(text, pos, message),
    };
    let mut expected: Vec<Expected> = positives.into_iter().filter_map(expected_of).collect();
    expected.sort();
    expected.dedup();
    ParseError::new(text, pos, describe(text, pos, &expected))
}

fn describe(text: &str, pos: usize, expected: &[Expected]) -> String {
    use Expected::*;
    let rest = text.get(pos..).unwrap_or("");
    let found = found_token(rest);
    let has = |e: Expected| expected.contains(&e);

    // Specific situations first.
    if has(AggregateArg) && !has(Operand) {
        match enclosing_call(text, pos) {
            Some("sum") => {
                return format!(
                    "expected an attribute in `sum(...)`, e.g. `sum(power_w)` or \
                     `sum(gpu.power_w)`{}",
                    found_suffix(&found)
                )
            }
            Some("count") => {
                return format!(
                    "expected a group or an option in `count(...)`, e.g. `count(storage)`{}",
                    found_suffix(&found)
                )
            }
            _ => {}
        }
    }
    if let Some(c @ (')' | '}' | ']')) = rest.chars().next() {
        let punct = match c {
            ')' => Some(Punct("')'")),
            '}' => Some(Punct("'}'")),
            _ => None,
        };
        if punct.is_none_or(|p| !has(p)) {
            let mut msg = format!("unexpected '{c}'");
            if has(End) {
                msg.push_str(": nothing is open here for it to close");
            } else if !expected.is_empty() {
                msg.push_str(&format!("; expected {}", list(expected)));
            }
            return msg;
        }
    }
    if has(Operand) {
        if let Some(word) = found.keyword {
            if word == "if" {
                return "an `if ... then ... else ...` inside an operator must be put in \
                        brackets: `a & (if b then c)`"
                    .to_string();
            }
        }
        if rest.starts_with('&') && text[..pos].trim_end().ends_with('&') {
            return "write '&' (or 'and') for 'and', not '&&'".to_string();
        }
        if rest.starts_with('|') && text[..pos].trim_end().ends_with('|') {
            return "write '|' (or 'or') for 'or', not '||'".to_string();
        }
    }
    if has(Operator) && rest.starts_with("=>") {
        return "write '->' (or 'requires') for an implication, not '=>'".to_string();
    }
    if has(Operator) && rest.starts_with('=') && !rest.starts_with("==") {
        return "use '==' to compare, not '='".to_string();
    }
    if has(Operand) && rest.starts_with('>') && text[..pos].ends_with('<') {
        return "use '!=' for 'not equal', not '<>'".to_string();
    }
    if rest.starts_with('\'') {
        return "strings are written in double quotes: \"text\"".to_string();
    }
    if expected.is_empty() {
        return match found.keyword {
            Some(k) => format!("unexpected keyword `{k}`"),
            None => format!("unexpected {}", found.describe()),
        };
    }
    format!("expected {} here{}", list(expected), found_suffix(&found))
}

/// `a`, `a or b`, `a, b or c`.
fn list(expected: &[Expected]) -> String {
    use Expected::*;
    let mut words: Vec<&str> = Vec::new();
    let operand = expected.contains(&Operand);
    for e in expected {
        let w = match e {
            Operand => "an option, a group, a number or '('",
            AggregateArg if operand => continue,
            AggregateArg => "a group, an option or an attribute",
            NameAfterDot => "a name after '.'",
            Column if expected.contains(&Cell) => continue,
            Column => "a group",
            Cell => "an option, '*' or '-'",
            Operator => "an operator",
            Then => "'then'",
            Else => "'else'",
            Punct(p) => p,
            TableStart if operand => continue,
            TableStart => "'allowed' or 'forbidden'",
            End => "the end of the rule",
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}

struct Found<'a> {
    text: Option<&'a str>,
    keyword: Option<&'a str>,
}

impl Found<'_> {
    fn describe(&self) -> String {
        match (self.keyword, self.text) {
            (Some(k), _) => format!("the keyword `{k}` (write `` `{k}` `` to use it as a name)"),
            (None, Some(t)) => format!("`{t}`"),
            (None, None) => "end of the rule".to_string(),
        }
    }
}

fn found_suffix(found: &Found) -> String {
    match found.text {
        None => ", but the rule ends".to_string(),
        Some(_) => format!(", found {}", found.describe()),
    }
}

/// The token starting `rest`, for "found ..." in messages.
fn found_token(rest: &str) -> Found<'_> {
    let Some(first) = rest.chars().next() else {
        return Found {
            text: None,
            keyword: None,
        };
    };
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let len = if is_word(first) {
        rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
    } else if let Some(op) = ["<->", "->", "<=", ">=", "==", "!=", "&&", "||", "/*", "//"]
        .iter()
        .find(|op| rest.starts_with(**op))
    {
        op.len()
    } else {
        first.len_utf8()
    };
    let token = &rest[..len];
    Found {
        text: Some(token),
        keyword: is_keyword(token).then_some(token),
    }
}

/// The word before the innermost unclosed '(' before `pos` (`sum`, `count`, `allowed`...).
fn enclosing_call(text: &str, pos: usize) -> Option<&str> {
    let before = text.get(..pos)?;
    let open = before.rfind('(')?;
    if before[open..].contains(')') {
        return None;
    }
    let head = before[..open].trim_end();
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    Some(&head[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::printer::print_rule;

    fn expr(text: &str) -> Expr {
        match parse_rule(text) {
            Ok(RuleBody::Expr(e)) => e,
            Ok(other) => panic!("{text}: expected an expression, got {other:?}"),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn err(text: &str) -> ParseError {
        match parse_rule(text) {
            Ok(r) => panic!("{text}: expected an error, got {r:?}"),
            Err(e) => e,
        }
    }

    /// Compact prefix rendering of a tree, without spans, to state the expected shape.
    fn shape(e: &Expr) -> String {
        use ExprKind::*;
        match &e.kind {
            Bool(b) => b.to_string(),
            Number(d) => d.to_string(),
            Str(s) => format!("{s:?}"),
            Path(p) => p.dotted(),
            Not(x) => format!("(! {})", shape(x)),
            Neg(x) => format!("(neg {})", shape(x)),
            Logic(op, a, b) => format!("({op:?} {} {})", shape(a), shape(b)),
            Compare(op, a, b) => format!("({} {} {})", op.symbol(), shape(a), shape(b)),
            Arith(op, a, b) => format!("({op:?} {} {})", shape(a), shape(b)),
            If(c, t, None) => format!("(if {} {})", shape(c), shape(t)),
            If(c, t, Some(x)) => format!("(if {} {} {})", shape(c), shape(t), shape(x)),
            Sum(p) => format!("(sum {})", p.dotted()),
            Count(ps) => format!(
                "(count {})",
                ps.iter().map(|p| p.dotted()).collect::<Vec<_>>().join(" ")
            ),
        }
    }

    fn sh(text: &str) -> String {
        shape(&expr(text))
    }

    #[test]
    fn precedence() {
        assert_eq!(sh("a | b & c"), "(Or a (And b c))");
        assert_eq!(sh("a & b | c"), "(Or (And a b) c)");
        assert_eq!(sh("a -> b -> c"), "(Implies a (Implies b c))");
        assert_eq!(sh("a requires b excludes c"), "(Requires a (Excludes b c))");
        assert_eq!(sh("!a & b"), "(And (! a) b)");
        assert_eq!(sh("not a and b"), "(And (! a) b)");
        assert_eq!(sh("!a < b"), "(! (< a b))");
        assert_eq!(sh("if a then b else c | d"), "(if a b (Or c d))");
        assert_eq!(sh("x.w + 2 * y.z <= 10"), "(<= (Add x.w (Mul 2 y.z)) 10)");
        assert_eq!(sh("a - b - c"), "(Sub (Sub a b) c)");
        assert_eq!(sh("a * b * c"), "(Mul (Mul a b) c)");
        assert_eq!(sh("-a * b"), "(Mul (neg a) b)");
        assert_eq!(sh("a <-> b -> c"), "(Iff a (Implies b c))");
        assert_eq!(sh("a iff b iff c"), "(Iff (Iff a b) c)");
        assert_eq!(sh("a | b -> c | d"), "(Implies (Or a b) (Or c d))");
        assert_eq!(sh("(a | b) & c"), "(And (Or a b) c)");
        assert_eq!(sh("a == b & c != d"), "(And (== a b) (!= c d))");
        assert_eq!(sh("if a then if b then c else d"), "(if a (if b c d))");
        assert_eq!(sh("a<-1"), "(< a (neg 1))");
        assert_eq!(sh("a<->b"), "(Iff a b)");
        assert_eq!(sh("a->b"), "(Implies a b)");
        assert_eq!(sh("a-b"), "(Sub a b)");
        assert_eq!(sh("a >= b"), "(>= a b)");
        assert_eq!(sh("a > b"), "(> a b)");
        assert_eq!(sh("a < b"), "(< a b)");
        assert_eq!(sh("--a"), "(neg (neg a))");
        assert_eq!(sh("!!a"), "(! (! a))");
    }

    #[test]
    fn spec_examples_parse() {
        for text in [
            "gpu.length_mm <= case.max_gpu_mm",
            "cpu.i9_14900k",
            "gpu",
            "!f",
            "not f",
            "f & g",
            "f and g",
            "f | g",
            "f or g",
            "f -> g",
            "f requires g",
            "f excludes g",
            "f <-> g",
            "f iff g",
            "if f then g",
            "if f then g else h",
            "material == suede",
            "material != suede",
            "true",
            "false",
            "cpu.socket == board.socket",
            "storage.interface == board.storage_if",
            "2 * count(fan)",
            "sum(power_w)",
            "sum(gpu.power_w)",
            "count(storage)",
            "count(storage, gpu.rtx4090, fan)",
            "sum(power_w) + 50 <= psu.watts",
            "count(storage) <= board.m2_slots",
            "sum(price) <= 3000",
            "gpu.rtx4090 -> psu.watts >= 850",
            "engine.`1-6_dci`",
            "allowed(material, colour) = { (leather, black), (leather, white), (canvas, *) }",
            "forbidden(cpu, board) = { (i9_14900k, h610_mini) }",
        ] {
            if let Err(e) = parse_rule(text) {
                panic!("{text}: {e}");
            }
        }
        assert_eq!(
            sh("gpu.rtx4090 -> psu.watts >= 850"),
            "(Implies gpu.rtx4090 (>= psu.watts 850))"
        );
        assert_eq!(
            sh("count(storage, gpu.rtx4090, fan)"),
            "(count storage gpu.rtx4090 fan)"
        );
    }

    #[test]
    fn atoms() {
        let e = expr("3.5");
        assert_eq!(e.kind, ExprKind::Number(Decimal::parse("3.5").unwrap()));
        assert_eq!(
            expr("12").kind,
            ExprKind::Number(Decimal::parse("12").unwrap())
        );
        assert_eq!(
            expr("0.000001").kind,
            ExprKind::Number(Decimal::from_raw(1))
        );
        assert_eq!(
            expr(r#""say \"hi\" \\ there""#).kind,
            ExprKind::Str(r#"say "hi" \ there"#.to_string())
        );
        assert_eq!(expr("\"\"").kind, ExprKind::Str(String::new()));
        assert_eq!(expr("true").kind, ExprKind::Bool(true));
        assert_eq!(expr("false").kind, ExprKind::Bool(false));
        let e = err("1.1234567");
        assert!(e.message.contains("more than 6 digits"), "{}", e.message);
        let e = err("a == 99999999999999");
        assert!(e.message.contains("too large"), "{}", e.message);
        assert_eq!(e.column, 6);
        let e = err(r#"a == "x\ny""#);
        assert!(e.message.contains("unknown escape"), "{}", e.message);
        assert_eq!(e.column, 8);
    }

    #[test]
    fn tables() {
        let RuleBody::Table(t) = parse_rule(
            "allowed(material, colour) = {\n  (leather, black),\n  (canvas, *),\n  (paper, -),\n}",
        )
        .unwrap() else {
            panic!("not a table")
        };
        assert_eq!(t.kind, TableKind::Allowed);
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["material", "colour"]
        );
        assert_eq!(t.rows.len(), 3);
        assert!(matches!(&t.rows[0][1], Cell::Option(i) if i.name == "black"));
        assert!(matches!(t.rows[1][1], Cell::Any(_)));
        assert!(matches!(t.rows[2][1], Cell::Nothing(_)));
        let Cell::Any(s) = t.rows[1][1] else { panic!() };
        assert_eq!(s.end - s.start, 1);
        let RuleBody::Table(t) =
            parse_rule("forbidden(`if`, b) = { (`4k tv`, 1tb), (*, *) }").unwrap()
        else {
            panic!("not a table")
        };
        assert_eq!(t.kind, TableKind::Forbidden);
        assert_eq!(t.columns[0].name, "if");
        assert!(matches!(&t.rows[0][0], Cell::Option(i) if i.name == "4k tv"));
        assert!(matches!(&t.rows[0][1], Cell::Option(i) if i.name == "1tb"));
        let RuleBody::Table(t) = parse_rule("allowed(a) = {}").unwrap() else {
            panic!("not a table")
        };
        assert!(t.rows.is_empty());

        let e = err("allowed(a, b) = { (x, y), (z) }");
        assert!(
            e.message.contains("1 cell but the table has 2 columns"),
            "{}",
            e.message
        );
        assert_eq!(e.column, 27);
        let e = err("allowed(a, b) = { (x, y) (z, w) }");
        assert!(e.message.contains("expected"), "{}", e.message);
        let e = err("allowed(a, b) = { (x, ) }");
        assert!(e.message.contains("an option, '*' or '-'"), "{}", e.message);
        let e = err("allowed() = { }");
        assert!(e.message.contains("a group"), "{}", e.message);
        let e = err("allowed(a, b) { (x, y) }");
        assert!(e.message.contains("'='"), "{}", e.message);
    }

    #[test]
    fn comments_and_whitespace() {
        assert_eq!(
            sh("// leading comment\na /* inline */ &\n\tb // trailing"),
            "(And a b)"
        );
        assert_eq!(sh("/* a ( \" ` */ a"), "a");
        assert_eq!(sh("a // ( unbalanced in a comment"), "a");
        assert_eq!(sh("\u{feff}a\r\n"), "a");
        let e = err("a & /* never closed");
        assert!(e.message.contains("unterminated comment"), "{}", e.message);
        assert_eq!(e.column, 5);
    }

    #[test]
    fn backticks_and_keywords() {
        let e = expr("engine.`1-6_dci`");
        let ExprKind::Path(p) = &e.kind else { panic!() };
        assert_eq!(p.segments[1].name, "1-6_dci");
        assert_eq!(p.segments[1].span, Span::new(7, 16));
        assert_eq!(sh("`if` & `and`.`or`"), "(And if and.or)");
        assert_eq!(sh("cpu.i9"), "cpu.i9");
        assert_eq!(sh("cpu.if & board.count"), "(And cpu.if board.count)");
        assert_eq!(sh("a.1.b"), "a.1.b");
        assert_eq!(sh("counter + sumx"), "(Add counter sumx)");
        assert_eq!(sh("iffy | orange"), "(Or iffy orange)");
        assert_eq!(sh("android & notice"), "(And android notice)");
        assert_eq!(sh("trueish | falsey"), "(Or trueish falsey)");
        assert_eq!(sh("ifa -> thenb"), "(Implies ifa thenb)");
        assert_eq!(sh("allowedx & forbiddeny"), "(And allowedx forbiddeny)");
        assert_eq!(sh("_x & x_1"), "(And _x x_1)");
        assert_eq!(sh("count(a) + count (b)"), "(Add (count a) (count b))");
        assert_eq!(sh("a or(b)"), "(Or a b)");
        assert_eq!(sh("not(a)"), "(! a)");
        assert!(parse_rule("count").is_err());
        assert!(parse_rule("a & if").is_err());
        assert!(parse_rule("a.b . c").is_err());
        let e = err("a & and");
        assert!(e.message.contains("keyword `and`"), "{}", e.message);
        let e = err("a & if b then c");
        assert!(e.message.contains("brackets"), "{}", e.message);
        let e = err("``");
        assert!(e.message.contains("empty name"), "{}", e.message);
        let e = err("a.`b");
        assert!(e.message.contains("unterminated name"), "{}", e.message);
        assert_eq!(e.column, 3);
    }

    #[test]
    fn spans() {
        let text = "x.w + 2 * y.z <= 10";
        let e = expr(text);
        assert_eq!(e.span, Span::new(0, text.len()));
        let ExprKind::Compare(_, l, r) = &e.kind else {
            panic!()
        };
        assert_eq!(&text[l.span.start..l.span.end], "x.w + 2 * y.z");
        assert_eq!(&text[r.span.start..r.span.end], "10");
        let ExprKind::Arith(_, a, m) = &l.kind else {
            panic!()
        };
        assert_eq!(&text[a.span.start..a.span.end], "x.w");
        assert_eq!(&text[m.span.start..m.span.end], "2 * y.z");
        let ExprKind::Path(p) = &a.kind else { panic!() };
        assert_eq!(p.span, Span::new(0, 3));
        assert_eq!(p.segments[1].span, Span::new(2, 3));

        let text = "  !(a | b) & sum(p)  ";
        let e = expr(text);
        assert_eq!(&text[e.span.start..e.span.end], "!(a | b) & sum(p)");
        let ExprKind::Logic(_, n, s) = &e.kind else {
            panic!()
        };
        assert_eq!(&text[n.span.start..n.span.end], "!(a | b)");
        assert_eq!(&text[s.span.start..s.span.end], "sum(p)");
        let ExprKind::Not(inner) = &n.kind else {
            panic!()
        };
        assert_eq!(&text[inner.span.start..inner.span.end], "(a | b)");

        let text = "if a then b else c";
        assert_eq!(expr(text).span, Span::new(0, text.len()));

        let text = "allowed(a) = { (x) } ";
        let RuleBody::Table(t) = parse_rule(text).unwrap() else {
            panic!()
        };
        assert_eq!(t.span, Span::new(0, text.len() - 1));
        assert_eq!(t.columns[0].span, Span::new(8, 9));
        let Cell::Option(x) = &t.rows[0][0] else {
            panic!()
        };
        assert_eq!(x.span, Span::new(16, 17));
    }

    #[test]
    fn error_positions_and_messages() {
        let e = err("cpu.i9 &");
        assert_eq!((e.line, e.column, e.offset), (1, 9, 8));
        assert!(
            e.message
                .contains("expected an option, a group, a number or '('"),
            "{}",
            e.message
        );

        let e = err("a <= b <= c");
        assert_eq!((e.line, e.column), (1, 8));
        assert!(e.message.contains("cannot be chained"), "{}", e.message);
        let e = err("a == b != c");
        assert!(e.message.contains("cannot be chained"), "{}", e.message);
        // Brackets make it a (type) question for the resolver, not a syntax error.
        assert!(parse_rule("(a < b) == c").is_ok());

        let e = err("a == \"abc");
        assert!(e.message.contains("unterminated string"), "{}", e.message);
        assert_eq!(e.column, 6);

        let e = err("sum()");
        assert_eq!(e.column, 5);
        assert!(e.message.contains("sum(power_w)"), "{}", e.message);
        let e = err("count( )");
        assert_eq!(e.column, 8);
        assert!(e.message.contains("group or an option"), "{}", e.message);
        let e = err("count(a, )");
        assert!(e.message.contains("group or an option"), "{}", e.message);

        let e = err("a)");
        assert!(e.message.starts_with("unexpected ')'"), "{}", e.message);
        assert_eq!(e.column, 2);
        let e = err("(a");
        assert!(e.message.contains("')'"), "{}", e.message);
        assert!(e.message.contains("rule ends"), "{}", e.message);
        let e = err("(a & )");
        assert!(e.message.contains("unexpected ')'"), "{}", e.message);
        let e = err("a b");
        assert_eq!(e.column, 3);
        assert!(
            e.message.contains("an operator or the end of the rule"),
            "{}",
            e.message
        );
        let e = err("then");
        assert!(e.message.contains("keyword `then`"), "{}", e.message);
        assert!(e.message.starts_with("expected an option"), "{}", e.message);
        let e = err("a => b");
        assert!(e.message.contains("'->'"), "{}", e.message);
        let e = err("a <> b");
        assert!(e.message.contains("'!='"), "{}", e.message);
        let e = err("a = b");
        assert!(e.message.contains("'=='"), "{}", e.message);
        let e = err("a && b");
        assert!(e.message.contains("'&&'"), "{}", e.message);
        let e = err("a == 'x'");
        assert!(e.message.contains("double quotes"), "{}", e.message);
        let e = err("if a b");
        assert!(e.message.contains("'then'"), "{}", e.message);
        let e = err("a.");
        assert!(e.message.contains("a name after '.'"), "{}", e.message);

        let e = err("// a comment\n(a &\n  b ) | ) c");
        assert_eq!((e.line, e.column), (3, 9));
        assert!(e.message.starts_with("unexpected ')'"), "{}", e.message);
        let e = err("a &\nb |\n  c <= <= d");
        assert_eq!((e.line, e.column), (3, 8));
        assert_eq!(e.to_string(), format!("3:8: {}", e.message));

        for text in ["a &", "a b", "(a", "a)", "sum()", "x <= <=", "allowed(a) {"] {
            let m = err(text).message;
            for raw in [
                "primary", "operand", "op_expr", "_op", "_kw", "EOI", "path", "rule",
            ] {
                assert!(
                    !m.contains(raw) || m.contains("the rule"),
                    "{text}: raw rule name in {m}"
                );
            }
        }
    }

    #[test]
    fn nasty_inputs_do_not_panic() {
        use crate::rules::printer::tests::strip;
        let e = err("");
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = err("   \n\t ");
        assert!(e.message.contains("empty"), "{}", e.message);
        assert!(err("\u{feff} ").message.contains("empty"));
        let e = err("// only a comment");
        assert!(e.message.contains("empty"), "{}", e.message);

        let deep = "(".repeat(10_000);
        let e = err(&deep);
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        assert_eq!(e.offset, MAX_NESTING);
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(err(&deep).message.contains("nested too deeply"));
        let ok = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse_rule(&ok).is_ok());
        let ifs = "if a then ".repeat(5_000) + "b";
        assert!(err(&ifs).message.contains("nested too deeply"));
        let elifs = "if a then b else ".repeat(5_000) + "c";
        assert!(err(&elifs).message.contains("nested too deeply"));
        let elifs = "if a then b else ".repeat(150) + "c";
        assert!(parse_rule(&elifs).is_ok());
        let nots = "!".repeat(50_000) + "a";
        assert!(err(&nots).message.contains("too deeply nested"));
        let chain = "a -> ".repeat(10_000) + "b";
        assert!(err(&chain).message.contains("too deeply nested"));
        // The deepest trees accepted parse, print and compare without exhausting a test
        // thread's stack.
        for chain in [
            "a | ".repeat(MAX_EXPR_DEPTH - 1) + "b",
            "a -> ".repeat(MAX_EXPR_DEPTH - 1) + "b",
            "!".repeat(MAX_EXPR_DEPTH - 1) + "a",
            format!(
                "{}a{}",
                "a & !(".repeat(MAX_NESTING),
                ")".repeat(MAX_NESTING)
            ),
        ] {
            let rule = parse_rule(&chain).unwrap_or_else(|e| panic!("{e}"));
            let printed = print_rule(&rule);
            assert_eq!(parse_rule(&printed).map(|r| strip(&r)), Ok(strip(&rule)));
        }
        let chain = "a | ".repeat(MAX_EXPR_DEPTH) + "b";
        assert!(err(&chain).message.contains("too deeply nested"));
        let nested = format!("{}a{}", "!(".repeat(150), ")".repeat(150));
        assert!(parse_rule(&nested).is_ok());

        let long = "a | ".repeat(30_000) + "b";
        let e = err(&long);
        assert!(e.message.contains("too long"), "{}", e.message);

        for text in [
            "\"",
            "`",
            "/*",
            "\\",
            "é",
            "a é",
            "((((",
            "))))",
            "}{",
            "a.`é`.b ==",
            "\"\\",
            "\"\\\"",
            "sum(",
            "count(,)",
            "allowed",
            "allowed(",
            "allowed(a) = {(",
            "-",
            "if",
            "if a then",
            "a ->",
            "a.b.",
            "1.",
            "1..2",
            "💥 & b",
            "a & 💥",
            "\0",
            "a /",
            "a */",
            "[a]",
            "a == -",
            "a <->",
            "not",
            "!",
        ] {
            let _ = parse_rule(text);
        }
        let e = err("a & 💥");
        assert_eq!(e.column, 5);
        assert!(e.message.contains("found `💥`"), "{}", e.message);
    }

    #[test]
    fn round_trip_through_printer() {
        use crate::rules::printer::tests::strip;
        for text in [
            "a | b & c",
            "(a | b) & c",
            "a -> b -> c",
            "(a -> b) -> c",
            "!a & b",
            "!(a & b)",
            "if a then b else c | d",
            "(if a then b) & c",
            "if a then (if b then c) else d",
            "x.w + 2 * y.z <= 10",
            "(x.w + 2) * y.z <= 10",
            "a - (b - c)",
            "-(a + b) * -c",
            "--a == b",
            "a requires b excludes c iff d",
            "sum(power_w) + 50 <= psu.watts",
            "count(storage, gpu.rtx4090, fan) >= 1",
            "engine.`1-6_dci` -> `if`.`count`.x.9",
            "material == \"say \\\"hi\\\" \\\\\"",
            "true & !false",
            "(a < b) == c",
            "!a < b",
            "!(a & b) < c",
            "a <-> (b <-> c)",
            "allowed(material, colour) = { (leather, black), (canvas, *), (`4k`, -) }",
            "forbidden(`if`, b) = { (x, y) }",
            "allowed(a) = {}",
            "3.25 * 2 - 0.000001 > 1",
        ] {
            let parsed = parse_rule(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let printed = print_rule(&parsed);
            let again =
                parse_rule(&printed).unwrap_or_else(|e| panic!("{text} printed as {printed}: {e}"));
            assert_eq!(strip(&parsed), strip(&again), "{text} printed as {printed}");
            // Printing is canonical: printing again gives the same text.
            assert_eq!(print_rule(&again), printed, "{text}");
        }
    }
}
