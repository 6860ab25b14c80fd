//! Placeholder: being written (prints a rule back as text).
use super::ast::RuleBody;

pub fn print_rule(_rule: &RuleBody) -> String {
    String::new()
}
