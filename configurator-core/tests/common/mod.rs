//! Shared by the brute-force tests: a seeded generator of small random catalogs with rules of
//! every kind, and enumeration of their valid products.
#![allow(dead_code)]

use configurator_core::catalog::{
    AttrType, AttributeDecl, Better, Catalog, Group, GroupKind, OptionDef, Rule, Value,
};
use configurator_core::eval;
use configurator_core::number::Decimal;
use std::collections::BTreeMap;

/// Small deterministic generator (xorshift), so one `u64` seed describes a whole catalog.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Shape {
    groups: Vec<(String, Vec<String>, u32, u32)>,
}

impl Shape {
    fn option(&self, r: &mut Rng) -> String {
        let (g, os, _, _) = &self.groups[r.below(self.groups.len())];
        format!("{g}.{}", os[r.below(os.len())])
    }
    fn group(&self, r: &mut Rng) -> String {
        self.groups[r.below(self.groups.len())].0.clone()
    }
    fn single_groups(&self) -> Vec<&(String, Vec<String>, u32, u32)> {
        self.groups.iter().filter(|g| g.3 <= 1).collect()
    }
}

fn formula(s: &Shape, r: &mut Rng, depth: u32) -> String {
    if depth == 0 || r.chance(30) {
        return match r.below(10) {
            0 => s.group(r),
            1 => format!("{}.w >= {}", s.group(r), r.below(5)),
            2 => format!("{}.tag == {}.tag", s.group(r), s.group(r)),
            3 => format!("sum(w) <= {}", r.below(8)),
            4 => format!("{}.cap >= count({})", s.group(r), s.group(r)),
            _ => s.option(r),
        };
    }
    let a = formula(s, r, depth - 1);
    let b = formula(s, r, depth - 1);
    match r.below(9) {
        0 => format!("({a}) & ({b})"),
        1 => format!("({a}) | ({b})"),
        2 => format!("({a}) -> ({b})"),
        3 => format!("({a}) <-> ({b})"),
        4 => format!("!({a})"),
        5 => format!("({a}) excludes ({b})"),
        6 => format!("if ({a}) then ({b}) else ({})", formula(s, r, depth - 1)),
        7 => format!("({a}) requires ({b})"),
        _ => format!("({a}) != ({b})"),
    }
}

fn rule_text(s: &Shape, r: &mut Rng) -> String {
    match r.below(9) {
        0 => format!("{} -> {}", s.option(r), s.option(r)),
        1 => format!("{}.tag == {}.tag", s.group(r), s.group(r)),
        2 => format!("{}.w <= {}.cap", s.group(r), s.group(r)),
        3 => format!("sum(w) + {} <= {}.cap", r.below(3), s.group(r)),
        4 => format!(
            "count({}, {}) <= {}",
            s.group(r),
            s.option(r),
            r.below(3) + 1
        ),
        5 => format!("sum(w) - 2 * count({}) > {}.w - 4", s.group(r), s.group(r)),
        6 | 7 => {
            let singles = s.single_groups();
            if singles.len() < 2 {
                return formula(s, r, 2);
            }
            let a = singles[r.below(singles.len())];
            let b = singles[r.below(singles.len())];
            if a.0 == b.0 {
                return formula(s, r, 2);
            }
            let cell = |r: &mut Rng, os: &Vec<String>| match r.below(6) {
                0 => "*".to_string(),
                1 => "-".to_string(),
                _ => os[r.below(os.len())].clone(),
            };
            let rows: Vec<String> = (0..1 + r.below(4))
                .map(|_| format!("({}, {})", cell(r, &a.1), cell(r, &b.1)))
                .collect();
            let kind = if r.chance(50) { "allowed" } else { "forbidden" };
            format!("{kind}({}, {}) = {{ {} }}", a.0, b.0, rows.join(", "))
        }
        _ => formula(s, r, 3),
    }
}

pub fn random_catalog(seed: u64) -> Catalog {
    let mut r = Rng(seed | 1);
    let n_groups = 1 + r.below(4);
    let mut shape = Shape { groups: Vec::new() };
    let mut total = 0;
    for gi in 0..n_groups {
        let n = (1 + r.below(4)).min(12 - total).max(1);
        total += n;
        let min = r.below(2) as u32;
        let max = if r.chance(70) {
            1
        } else {
            1 + r.below(n) as u32
        };
        shape.groups.push((
            format!("g{gi}"),
            (0..n).map(|i| format!("o{i}")).collect(),
            min.min(max),
            max,
        ));
        if total >= 12 {
            break;
        }
    }
    let groups = shape
        .groups
        .iter()
        .map(|(id, os, min, max)| Group {
            id: id.clone(),
            name: String::new(),
            kind: GroupKind::Visible,
            min: *min,
            max: *max,
            description: None,
            default: None,
            options: os
                .iter()
                .enumerate()
                .map(|(oi, o)| {
                    let mut attributes = BTreeMap::new();
                    if oi == 0 || r.chance(85) {
                        attributes.insert(
                            "w".to_string(),
                            Value::Number(Decimal::from_int(r.below(4) as i64).unwrap()),
                        );
                    }
                    attributes.insert(
                        "cap".to_string(),
                        Value::Number(Decimal::from_int(r.below(7) as i64).unwrap()),
                    );
                    if oi == 0 || r.chance(85) {
                        attributes.insert(
                            "tag".to_string(),
                            Value::Str(["a", "b"][r.below(2)].to_string()),
                        );
                    }
                    OptionDef {
                        id: o.clone(),
                        name: String::new(),
                        vendor: None,
                        price: Decimal::ZERO,
                        description: None,
                        attributes,
                    }
                })
                .collect(),
        })
        .collect();
    let rules = (0..r.below(5))
        .map(|i| Rule {
            id: format!("r{i}"),
            description: format!("rule {i}"),
            rule: Some(rule_text(&shape, &mut r)),
            table: None,
        })
        .collect();
    Catalog {
        id: "random".into(),
        name: "Random".into(),
        version: String::new(),
        currency: "EUR".into(),
        description: None,
        vendors: Vec::new(),
        attributes: BTreeMap::new(),
        groups,
        rules,
        feature_names: false,
        profiles: Vec::new(),
        presets: Vec::new(),
    }
}

/// Every selection (bit vector) that satisfies all constraints.
pub fn valid_products(c: &configurator_core::Compiled) -> Vec<Vec<bool>> {
    let n = c.n_options();
    (0u32..1 << n)
        .map(|bits| (0..n).map(|i| bits >> i & 1 == 1).collect::<Vec<bool>>())
        .filter(|sel| eval::violations(&c.index, &c.constraints, sel).is_empty())
        .collect()
}

/// `random_catalog` with prices, lead times, a `better` attribute and some infrastructure
/// groups, drawn from a second generator so the rules stay those of `random_catalog(seed)`.
pub fn priced_catalog(seed: u64) -> Catalog {
    let mut c = random_catalog(seed);
    let mut r = Rng(seed.rotate_left(17) ^ 0x5151_5151 | 1);
    for g in &mut c.groups {
        if r.chance(30) {
            g.kind = GroupKind::Infrastructure;
        }
        for o in &mut g.options {
            o.price = Decimal::from_raw(r.below(40) as i64 * 250_000);
            if r.chance(60) {
                o.attributes.insert(
                    "lead_time_days".into(),
                    Value::Number(Decimal::from_int(r.below(10) as i64).unwrap()),
                );
            }
        }
    }
    c.attributes.insert(
        "cap".into(),
        AttributeDecl {
            ty: AttrType::Number,
            unit: None,
            description: None,
            better: Some(Better::Higher),
        },
    );
    c
}
