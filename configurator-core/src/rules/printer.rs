//! Prints a rule's syntax tree back as canonical text.
//!
//! Used to show rules in explanations and to store rules built by tools; the text parses back
//! to the same tree (spans aside). Brackets are printed only where precedence or associativity
//! needs them, names are backticked only when they are not bare identifiers or are keywords,
//! and the symbolic operators are printed (`&`, `|`, `!`, `<->`), except `requires` and
//! `excludes` which have no symbol.
//!
//! Two trees the parser never produces have no exact text: a name containing a backtick (or
//! empty), and a negative number literal (printed `(-5)`, which parses as a negation of `5`).

use super::ast::{ArithOp, Cell, Expr, ExprKind, Ident, LogicOp, Path, RuleBody, Table, TableKind};
use super::parser::is_keyword;
use std::fmt::Write as _;

/// Prints a rule (formula or table) as text that `parse_rule` reads back to the same tree.
pub fn print_rule(rule: &RuleBody) -> String {
    match rule {
        RuleBody::Expr(e) => print_expr(e),
        RuleBody::Table(t) => print_table(t),
    }
}

/// Prints one formula; used for rules and for sub-formulas quoted in explanations.
pub fn print_expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

// Binding levels, loosest first (docs/catalog-format.md).
const IF: u8 = 0;
const IFF: u8 = 1;
const IMPLIES: u8 = 2;
const OR: u8 = 3;
const AND: u8 = 4;
const NOT: u8 = 5;
const CMP: u8 = 6;
const ADD: u8 = 7;
const MUL: u8 = 8;
const NEG: u8 = 9;
const ATOM: u8 = 10;

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If(..) => IF,
        ExprKind::Logic(op, ..) => match op {
            LogicOp::Iff => IFF,
            LogicOp::Implies | LogicOp::Requires | LogicOp::Excludes => IMPLIES,
            LogicOp::Or => OR,
            LogicOp::And => AND,
        },
        ExprKind::Not(_) => NOT,
        ExprKind::Compare(..) => CMP,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => ADD,
        ExprKind::Arith(ArithOp::Mul, ..) => MUL,
        ExprKind::Neg(_) => NEG,
        ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::Str(_)
        | ExprKind::Path(_)
        | ExprKind::Sum(_)
        | ExprKind::Count(_) => ATOM,
    }
}

fn write_operand(out: &mut String, e: &Expr, brackets: bool) {
    if brackets {
        out.push('(');
        write_expr(out, e);
        out.push(')');
    } else {
        write_expr(out, e);
    }
}

fn write_expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Number(d) => {
            if d.raw() < 0 {
                let _ = write!(out, "({d})");
            } else {
                let _ = write!(out, "{d}");
            }
        }
        ExprKind::Str(s) => write_string(out, s),
        ExprKind::Path(p) => write_path(out, p),
        ExprKind::Not(x) => {
            out.push('!');
            write_operand(out, x, level(x) < NOT);
        }
        ExprKind::Neg(x) => {
            out.push('-');
            write_operand(out, x, level(x) < NEG);
        }
        ExprKind::Logic(op, a, b) => {
            let (l, symbol) = match op {
                LogicOp::Iff => (IFF, "<->"),
                LogicOp::Implies => (IMPLIES, "->"),
                LogicOp::Requires => (IMPLIES, "requires"),
                LogicOp::Excludes => (IMPLIES, "excludes"),
                LogicOp::Or => (OR, "|"),
                LogicOp::And => (AND, "&"),
            };
            if l == IMPLIES {
                write_binary(out, a, symbol, b, l, Assoc::Right);
            } else {
                write_binary(out, a, symbol, b, l, Assoc::Left);
            }
        }
        ExprKind::Compare(op, a, b) => write_binary(out, a, op.symbol(), b, CMP, Assoc::None),
        ExprKind::Arith(op, a, b) => {
            let (l, symbol) = match op {
                ArithOp::Add => (ADD, "+"),
                ArithOp::Sub => (ADD, "-"),
                ArithOp::Mul => (MUL, "*"),
            };
            write_binary(out, a, symbol, b, l, Assoc::Left);
        }
        ExprKind::If(c, t, e) => {
            // An `if` as condition or then-branch would take the `then`/`else` that follow.
            out.push_str("if ");
            write_operand(out, c, level(c) == IF);
            out.push_str(" then ");
            write_operand(out, t, level(t) == IF);
            if let Some(e) = e {
                out.push_str(" else ");
                write_expr(out, e);
            }
        }
        ExprKind::Sum(p) => {
            out.push_str("sum(");
            write_path(out, p);
            out.push(')');
        }
        ExprKind::Count(ps) => {
            out.push_str("count(");
            for (i, p) in ps.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_path(out, p);
            }
            out.push(')');
        }
    }
}

enum Assoc {
    Left,
    Right,
    None,
}

fn write_binary(out: &mut String, a: &Expr, symbol: &str, b: &Expr, l: u8, assoc: Assoc) {
    let (la, lb) = (level(a), level(b));
    let (pa, pb) = match assoc {
        Assoc::Left => (la < l, lb <= l),
        Assoc::Right => (la <= l, lb < l),
        Assoc::None => (la <= l, lb <= l),
    };
    write_operand(out, a, pa);
    out.push(' ');
    out.push_str(symbol);
    out.push(' ');
    write_operand(out, b, pb);
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn is_word(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A name that can stand alone: `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
fn is_bare(name: &str) -> bool {
    is_word(name) && !name.as_bytes()[0].is_ascii_digit() && !is_keyword(name)
}

fn write_name(out: &mut String, ident: &Ident, bare: bool) {
    if bare {
        out.push_str(&ident.name);
    } else {
        out.push('`');
        out.push_str(&ident.name);
        out.push('`');
    }
}

fn write_path(out: &mut String, path: &Path) {
    for (i, seg) in path.segments.iter().enumerate() {
        if i == 0 {
            write_name(out, seg, is_bare(&seg.name));
        } else {
            // After a dot any word is unambiguous (`cpu.i9`, `board.count`).
            out.push('.');
            write_name(out, seg, is_word(&seg.name));
        }
    }
}

fn print_table(t: &Table) -> String {
    let mut out = String::new();
    out.push_str(match t.kind {
        TableKind::Allowed => "allowed(",
        TableKind::Forbidden => "forbidden(",
    });
    for (i, c) in t.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_name(&mut out, c, is_bare(&c.name));
    }
    out.push_str(") = {");
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str(if i > 0 { ", (" } else { " (" });
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            match cell {
                Cell::Option(id) => write_name(&mut out, id, is_bare(&id.name)),
                Cell::Any(_) => out.push('*'),
                Cell::Nothing(_) => out.push('-'),
            }
        }
        out.push(')');
    }
    out.push_str(" }");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::number::Decimal;
    use crate::rules::ast::{CmpOp, Span};
    use crate::rules::parse_rule;
    use proptest::prelude::*;

    /// The rule with every span zeroed, to compare trees modulo spans.
    pub(crate) fn strip(rule: &RuleBody) -> RuleBody {
        match rule {
            RuleBody::Expr(e) => RuleBody::Expr(strip_expr(e)),
            RuleBody::Table(t) => RuleBody::Table(Table {
                kind: t.kind,
                columns: t.columns.iter().map(strip_ident).collect(),
                rows: t
                    .rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| match c {
                                Cell::Option(i) => Cell::Option(strip_ident(i)),
                                Cell::Any(_) => Cell::Any(Span::default()),
                                Cell::Nothing(_) => Cell::Nothing(Span::default()),
                            })
                            .collect()
                    })
                    .collect(),
                span: Span::default(),
            }),
        }
    }

    fn strip_ident(i: &Ident) -> Ident {
        Ident {
            name: i.name.clone(),
            span: Span::default(),
        }
    }

    fn strip_path(p: &Path) -> Path {
        Path {
            segments: p.segments.iter().map(strip_ident).collect(),
            span: Span::default(),
        }
    }

    fn strip_expr(e: &Expr) -> Expr {
        let b = |x: &Expr| Box::new(strip_expr(x));
        let kind = match &e.kind {
            ExprKind::Bool(v) => ExprKind::Bool(*v),
            ExprKind::Number(d) => ExprKind::Number(*d),
            ExprKind::Str(s) => ExprKind::Str(s.clone()),
            ExprKind::Path(p) => ExprKind::Path(strip_path(p)),
            ExprKind::Not(x) => ExprKind::Not(b(x)),
            ExprKind::Neg(x) => ExprKind::Neg(b(x)),
            ExprKind::Logic(op, x, y) => ExprKind::Logic(*op, b(x), b(y)),
            ExprKind::Compare(op, x, y) => ExprKind::Compare(*op, b(x), b(y)),
            ExprKind::Arith(op, x, y) => ExprKind::Arith(*op, b(x), b(y)),
            ExprKind::If(c, t, x) => ExprKind::If(b(c), b(t), x.as_deref().map(b)),
            ExprKind::Sum(p) => ExprKind::Sum(strip_path(p)),
            ExprKind::Count(ps) => ExprKind::Count(ps.iter().map(strip_path).collect()),
        };
        Expr {
            kind,
            span: Span::default(),
        }
    }

    fn print(text: &str) -> String {
        print_rule(&parse_rule(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn prints_canonical_text() {
        assert_eq!(print("a | b & c"), "a | b & c");
        assert_eq!(print("(a | b) & c"), "(a | b) & c");
        assert_eq!(print("a and b or not c"), "a & b | !c");
        assert_eq!(print("a -> b -> c"), "a -> b -> c");
        assert_eq!(print("(a -> b) -> c"), "(a -> b) -> c");
        assert_eq!(print("a - (b - c)"), "a - (b - c)");
        assert_eq!(print("(a - b) - c"), "a - b - c");
        assert_eq!(print("x.w+2*y.z<=10"), "x.w + 2 * y.z <= 10");
        assert_eq!(print("!(a < b)"), "!a < b");
        assert_eq!(print("(!a) < b"), "(!a) < b");
        assert_eq!(print("a iff b"), "a <-> b");
        assert_eq!(print("a requires b"), "a requires b");
        assert_eq!(print("if a then b else c"), "if a then b else c");
        assert_eq!(
            print("if a then (if b then c) else d"),
            "if a then (if b then c) else d"
        );
        assert_eq!(print("(if a then b) & c"), "(if a then b) & c");
        assert_eq!(print("sum( gpu.power_w )"), "sum(gpu.power_w)");
        assert_eq!(print("count(a,b.c)"), "count(a, b.c)");
        assert_eq!(print("199.90"), "199.9");
        assert_eq!(print(r#""a\"b\\c""#), r#""a\"b\\c""#);
        assert_eq!(print("engine.`1-6_dci`"), "engine.`1-6_dci`");
        assert_eq!(print("`if`.count.`x y`"), "`if`.count.`x y`");
        assert_eq!(print("`plain`"), "plain");
        assert_eq!(
            print("allowed(m,c)={(leather,black),(canvas,*),(`4k`,-),}"),
            "allowed(m, c) = { (leather, black), (canvas, *), (`4k`, -) }"
        );
        assert_eq!(
            print("forbidden(`if`, b) = { (1tb, x) }"),
            "forbidden(`if`, b) = { (`1tb`, x) }"
        );
        assert_eq!(print("allowed(a) = {}"), "allowed(a) = { }");
    }

    #[test]
    fn prints_trees_the_parser_does_not_make() {
        let e = Expr {
            kind: ExprKind::Number(Decimal::parse("-2.5").unwrap()),
            span: Span::default(),
        };
        let text = print_expr(&e);
        assert_eq!(text, "(-2.5)");
        assert!(parse_rule(&text).is_ok());
    }

    // ---- property: print then parse gives the same tree --------------------------------------

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z_][a-z0-9_]{0,6}",
            1 => prop::sample::select(vec![
                "if", "then", "else", "and", "or", "not", "requires", "excludes", "iff", "true",
                "false", "sum", "count", "allowed", "forbidden", "iffy", "orange", "android",
            ])
            .prop_map(str::to_string),
            1 => "[0-9][a-z0-9]{0,3}",
            1 => "[^`]{1,6}",
        ]
    }

    fn ident() -> impl Strategy<Value = Ident> {
        name().prop_map(|name| Ident {
            name,
            span: Span::default(),
        })
    }

    fn path() -> impl Strategy<Value = Path> {
        prop::collection::vec(ident(), 1..4).prop_map(|segments| Path {
            segments,
            span: Span::default(),
        })
    }

    fn mk(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            any::<bool>().prop_map(ExprKind::Bool),
            (0i64..2_000_000_000_000).prop_map(|r| ExprKind::Number(Decimal::from_raw(r))),
            any::<String>().prop_map(ExprKind::Str),
            path().prop_map(ExprKind::Path),
            path().prop_map(ExprKind::Sum),
            prop::collection::vec(path(), 1..4).prop_map(ExprKind::Count),
        ]
        .prop_map(mk)
    }

    fn expr() -> impl Strategy<Value = Expr> {
        let logic = prop::sample::select(vec![
            LogicOp::And,
            LogicOp::Or,
            LogicOp::Implies,
            LogicOp::Requires,
            LogicOp::Excludes,
            LogicOp::Iff,
        ]);
        let cmp = prop::sample::select(vec![
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ]);
        let arith = prop::sample::select(vec![ArithOp::Add, ArithOp::Sub, ArithOp::Mul]);
        leaf().prop_recursive(6, 64, 3, move |inner| {
            let bx = || inner.clone().prop_map(Box::new);
            prop_oneof![
                bx().prop_map(ExprKind::Not),
                bx().prop_map(ExprKind::Neg),
                (logic.clone(), bx(), bx()).prop_map(|(o, a, b)| ExprKind::Logic(o, a, b)),
                (cmp.clone(), bx(), bx()).prop_map(|(o, a, b)| ExprKind::Compare(o, a, b)),
                (arith.clone(), bx(), bx()).prop_map(|(o, a, b)| ExprKind::Arith(o, a, b)),
                (bx(), bx(), prop::option::of(bx())).prop_map(|(c, t, e)| ExprKind::If(c, t, e)),
            ]
            .prop_map(mk)
        })
    }

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            3 => ident().prop_map(Cell::Option),
            1 => Just(Cell::Any(Span::default())),
            1 => Just(Cell::Nothing(Span::default())),
        ]
    }

    fn table() -> impl Strategy<Value = Table> {
        (
            prop::sample::select(vec![TableKind::Allowed, TableKind::Forbidden]),
            prop::collection::vec(ident(), 1..4),
        )
            .prop_flat_map(|(kind, columns)| {
                let n = columns.len();
                prop::collection::vec(prop::collection::vec(cell(), n), 0..4).prop_map(
                    move |rows| Table {
                        kind,
                        columns: columns.clone(),
                        rows,
                        span: Span::default(),
                    },
                )
            })
    }

    fn rule() -> impl Strategy<Value = RuleBody> {
        prop_oneof![
            3 => expr().prop_map(RuleBody::Expr),
            1 => table().prop_map(RuleBody::Table),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn print_then_parse_is_identity(rule in rule()) {
            let text = print_rule(&rule);
            let parsed = parse_rule(&text);
            prop_assert!(parsed.is_ok(), "{text}: {:?}", parsed.err());
            if let Ok(parsed) = parsed {
                prop_assert_eq!(strip(&parsed), rule, "{}", text);
            }
        }

        #[test]
        fn parse_never_panics(text in "[a-z()!&|<=>\\-+*.,`\"{} ]{0,40}") {
            let _ = parse_rule(&text);
        }
    }
}
