//! Simple bar charts (the insights): one bar per item, longest first, labelled by the name
//! people know (the option's question and name, the rule's description, the question's name)
//! with the id as a secondary line. Drawn with HTML and CSS, so labels wrap on a phone, and the
//! numbers are written out so the chart reads without colour and in a screen reader.

use yew::prelude::*;

/// Bars shown per chart.
const TOP: usize = 12;

/// One bar: the id it counts (`group.option`, a rule or a group), its label, how often.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub key: String,
    pub label: String,
    pub count: u64,
}

pub fn bars(id: &str, title: &str, items: &[Bar]) -> Html {
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
    html! {
        <figure class="chart" id={id.to_string()} aria-labelledby={caption_id.clone()}>
            <figcaption id={caption_id}>{ title }</figcaption>
            <ol class="bars">
                { for items.iter().map(|c| {
                    let pct = (c.count as f64 / max * 100.0).max(1.0);
                    html! {
                        <li class="bar-row" data-key={c.key.clone()} data-count={c.count.to_string()}>
                            <span class="bar-label">
                                <span class="bar-name">{ &c.label }</span>
                                if c.label != c.key { <span class="bar-id">{ &c.key }</span> }
                            </span>
                            <span class="bar-track" aria-hidden="true">
                                <span class="bar" style={format!("width: {pct:.1}%")}></span>
                            </span>
                            <span class="bar-value">{ c.count.to_string() }</span>
                        </li>
                    }
                }) }
            </ol>
        </figure>
    }
}
