//! Syntax tree of the rule language, exactly as written (names unresolved).
//!
//! The parser produces it, the printer turns it back into text, and `resolve` checks names and
//! types against a catalog. Spans are byte offsets into the rule text so that every later error
//! can point at a line and column.

use crate::number::Decimal;

/// Byte range `start..end` in the rule text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A name as written: a bare identifier or a backtick-quoted one (quotes removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a`, `a.b`: a group, an option, an attribute, or a group's attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The path as written, segments joined with `.` (no backticks).
    pub fn dotted(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// One rule: a constraint written as a formula or as a compatibility table.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleBody {
    Expr(Expr),
    Table(Table),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Number(Decimal),
    Str(String),
    Path(Path),
    Not(Box<Expr>),
    /// Unary minus on a number term.
    Neg(Box<Expr>),
    Logic(LogicOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `if c then t` (else absent) or `if c then t else e`.
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `sum(attr)` or `sum(group.attr)`.
    Sum(Path),
    /// `count(group_or_option, ...)`, at least one argument.
    Count(Vec<Path>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    And,
    Or,
    /// `->` (also printed so).
    Implies,
    /// `requires`: same meaning as `->`, kept to print rules back as written.
    Requires,
    /// `excludes`: `!(a & b)`.
    Excludes,
    Iff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TableKind {
    Allowed,
    Forbidden,
}

/// `allowed(g1, g2) = { (a, b), (c, *) }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub kind: TableKind,
    pub columns: Vec<Ident>,
    pub rows: Vec<Vec<Cell>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// An option id of the column's group.
    Option(Ident),
    /// `*`: anything, including no choice.
    Any(Span),
    /// `-`: no option of the column's group is chosen.
    Nothing(Span),
}
