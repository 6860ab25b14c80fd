//! Simple inline SVG bar charts (the insights): one labelled bar per item, longest first, with
//! the numbers written out so the chart reads without colour and in a screen reader (the
//! figure also carries a table-like text alternative).

use crate::api::Count;
use yew::prelude::*;

/// Bars shown per chart.
const TOP: usize = 12;

pub fn bars(id: &str, title: &str, items: &[Count]) -> Html {
    let items = &items[..items.len().min(TOP)];
    let caption_id = format!("{id}-title");
    if items.is_empty() {
        return html! {
            <figure class="chart" id={id.to_string()} aria-labelledby={caption_id.clone()}>
                <figcaption id={caption_id}>{ title }</figcaption>
                <p class="hint">{ "No data yet." }</p>
            </figure>
        };
    }
    let max = items.iter().map(|c| c.count).max().unwrap_or(1).max(1) as f64;
    let row = 26.0;
    let label_w = 150.0;
    let bar_w = 190.0;
    let height = row * items.len() as f64 + 4.0;
    let summary = items
        .iter()
        .map(|c| format!("{}: {}", c.key, c.count))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <figure class="chart" id={id.to_string()} aria-labelledby={caption_id.clone()}>
            <figcaption id={caption_id}>{ title }</figcaption>
            <svg viewBox={format!("0 0 {} {height}", label_w + bar_w + 50.0)} role="img"
                aria-label={format!("{title}: {summary}")} preserveAspectRatio="xMinYMin meet">
                { for items.iter().enumerate().map(|(i, c)| {
                    let y = i as f64 * row + 2.0;
                    let w = (c.count as f64 / max * bar_w).max(2.0);
                    let label: String = if c.key.chars().count() > 22 {
                        c.key.chars().take(21).chain(std::iter::once('…')).collect()
                    } else {
                        c.key.clone()
                    };
                    html! {
                        <g data-key={c.key.clone()} data-count={c.count.to_string()}>
                            <title>{ format!("{}: {}", c.key, c.count) }</title>
                            <text x={(label_w - 6.0).to_string()} y={(y + 16.0).to_string()} text-anchor="end" class="chart-label">{ label }</text>
                            <rect x={label_w.to_string()} y={(y + 3.0).to_string()} width={w.to_string()} height={(row - 8.0).to_string()} rx="3" class="bar" />
                            <text x={(label_w + w + 6.0).to_string()} y={(y + 16.0).to_string()} class="chart-value">{ c.count.to_string() }</text>
                        </g>
                    }
                }) }
            </svg>
        </figure>
    }
}
