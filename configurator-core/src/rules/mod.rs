//! The rule language: syntax tree, parser (pest grammar in `grammar.pest`) and printer.
//!
//! The language is specified in `docs/catalog-format.md`.

pub mod ast;
pub mod parser;
pub mod printer;

pub use parser::{parse_rule, ParseError};
pub use printer::print_rule;

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
