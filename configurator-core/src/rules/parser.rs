//! Placeholder: being written (pest parser for the rule language).
use super::ast::RuleBody;

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

pub fn parse_rule(_text: &str) -> Result<RuleBody, ParseError> {
    Err(ParseError { message: "parser not written yet".into(), offset: 0, line: 1, column: 1 })
}
