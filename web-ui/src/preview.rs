//! A simple SVG preview of visual products (the sneaker): every zone `<zone>_colour` is filled
//! with the chosen colour's `hex` attribute, and `<zone>_material` adds a texture and a label.
//! The colour of a zone is the customer's choice or the forced option, else the default
//! product's (the server's cheapest completion), else grey.

use crate::api::Product;
use crate::engine::GroupView;
use std::collections::BTreeMap;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub groups: Vec<GroupView>,
    pub states: BTreeMap<String, &'static str>,
    pub product: Option<Product>,
}

/// The zones drawn, back to front, with their SVG paths (side view, toe to the right).
const ZONES: &[(&str, &str)] = &[
    ("lining", "M70 78 Q110 62 160 70 L150 92 Q110 86 78 96 Z"),
    (
        "upper",
        "M28 150 L30 104 Q34 80 70 78 L78 96 Q110 86 150 92 L160 70 Q200 60 236 74 Q290 104 340 116 Q378 126 382 150 Z",
    ),
    ("toe", "M300 108 Q350 116 374 126 Q384 136 382 150 L300 150 Q292 128 300 108 Z"),
    ("logo", "M120 132 Q190 92 262 100 Q200 110 150 140 Z"),
    ("laces", "M172 74 L186 90 M192 78 L206 94 M212 84 L226 100 M232 90 L246 106 M252 96 L266 111"),
    ("sole", "M20 150 L386 150 Q394 152 392 164 L388 176 Q385 184 372 184 L30 184 Q18 184 17 172 Z"),
];

fn chosen<'a>(p: &'a Props, group: &str) -> Option<(&'a str, Option<&'a str>)> {
    let g = p.groups.iter().find(|g| g.id == group)?;
    let by_state = g.options.iter().find(|o| {
        matches!(
            p.states.get(&o.name).copied(),
            Some("selected") | Some("forced")
        )
    });
    let by_product = || {
        let lines = &p.product.as_ref()?.lines;
        g.options
            .iter()
            .find(|o| lines.iter().any(|l| l.option == o.name))
    };
    let o = by_state.or_else(by_product)?;
    Some((o.label.as_str(), o.hex.as_deref()))
}

fn texture(material: &str) -> Option<&'static str> {
    let m = material.to_ascii_lowercase();
    if m.contains("knit") || m.contains("canvas") {
        Some("url(#tex-weave)")
    } else if m.contains("suede") || m.contains("shearling") {
        Some("url(#tex-nap)")
    } else if m.contains("patent") || m.contains("metallic") || m.contains("reflective") {
        Some("url(#tex-gloss)")
    } else {
        None
    }
}

#[function_component(Preview)]
pub fn preview(p: &Props) -> Html {
    let mut legend = Vec::new();
    let shapes = ZONES.iter().map(|(zone, path)| {
        let colour = chosen(p, &format!("{zone}_colour"));
        let material = chosen(p, &format!("{zone}_material"));
        let fill = colour.and_then(|c| c.1).unwrap_or("#C8C8C8").to_string();
        legend.push(format!(
            "{zone}: {}{}",
            colour.map(|c| c.0).unwrap_or("?"),
            material.map(|m| format!(", {}", m.0)).unwrap_or_default()
        ));
        let tex = material.and_then(|m| texture(m.0));
        if *zone == "laces" {
            html! {
                <path d={*path} stroke={fill} stroke-width="5" stroke-linecap="round" fill="none"
                    data-zone={*zone} />
            }
        } else {
            html! {
                <g data-zone={*zone}>
                    <path d={*path} fill={fill} stroke="#333" stroke-width="1.5" />
                    if let Some(t) = tex { <path d={*path} fill={t} stroke="none" /> }
                </g>
            }
        }
    });
    let shapes: Vec<Html> = shapes.collect();
    let description = legend.join("; ");
    html! {
        <figure class="preview">
            <svg viewBox="0 0 400 200" role="img" aria-labelledby="preview-title preview-desc"
                xmlns="http://www.w3.org/2000/svg">
                <title id="preview-title">{ "Preview of your product" }</title>
                <desc id="preview-desc">{ description.clone() }</desc>
                <defs>
                    <pattern id="tex-weave" width="6" height="6" patternUnits="userSpaceOnUse">
                        <path d="M0 3 H6 M3 0 V6" stroke="rgba(0,0,0,0.18)" stroke-width="1" />
                    </pattern>
                    <pattern id="tex-nap" width="5" height="5" patternUnits="userSpaceOnUse">
                        <circle cx="2.5" cy="2.5" r="0.9" fill="rgba(0,0,0,0.2)" />
                    </pattern>
                    <linearGradient id="tex-gloss" x1="0" y1="0" x2="0" y2="1">
                        <stop offset="0" stop-color="rgba(255,255,255,0.55)" />
                        <stop offset="0.5" stop-color="rgba(255,255,255,0)" />
                    </linearGradient>
                </defs>
                { for shapes }
            </svg>
            <figcaption class="hint">{ description }</figcaption>
        </figure>
    }
}
