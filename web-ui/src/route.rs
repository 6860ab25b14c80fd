//! The screens and their addresses. Every screen change goes through [`navigate`]: a new
//! history entry (`pushState`) and a `popstate` event, the same event the browser's back and
//! forward buttons fire, so the app has one way to follow the address (`App` listens to it).
//!
//! - `/` the catalog picker, `/?c=ID` a configuration (also its share link);
//! - `/?manage` the manufacturer's catalogs, `/?manage=ID` the editor of catalog ID,
//!   `/?manage=ID&view=insights` its insights.

use crate::api::encode;
use wasm_bindgen::JsValue;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Picker,
    Configuration(String),
    /// The manufacturer's side: the catalog being edited (none: the list) and its view.
    Manage {
        open: Option<String>,
        view: View,
    },
}

/// The editor's views (tabs), each with its own address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Edit,
    Insights,
}

impl Route {
    /// The route of the page's address.
    pub fn current() -> Route {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        Route::parse(&search)
    }

    fn parse(search: &str) -> Route {
        let Ok(p) = web_sys::UrlSearchParams::new_with_str(search) else {
            return Route::Picker;
        };
        if p.has("manage") {
            let view = match p.get("view").as_deref() {
                Some("insights") => View::Insights,
                _ => View::Edit,
            };
            return Route::Manage {
                open: p.get("manage").filter(|c| !c.is_empty()),
                view,
            };
        }
        match p.get("c").filter(|c| !c.is_empty()) {
            Some(id) => Route::Configuration(id),
            None => Route::Picker,
        }
    }

    /// The address of the route (path and query).
    pub fn url(&self) -> String {
        match self {
            Route::Picker => "/".into(),
            Route::Configuration(id) => format!("/?c={}", encode(id)),
            Route::Manage { open: None, .. } => "/?manage".into(),
            Route::Manage {
                open: Some(id),
                view: View::Edit,
            } => format!("/?manage={}", encode(id)),
            Route::Manage {
                open: Some(id),
                view: View::Insights,
            } => format!("/?manage={}&view=insights", encode(id)),
        }
    }
}

/// Goes to another screen: a new history entry, then the `popstate` the app follows.
pub fn navigate(route: &Route) {
    let Some(w) = web_sys::window() else { return };
    if Route::current() == *route {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&route.url()));
    }
    if let Ok(e) = web_sys::Event::new("popstate") {
        let _ = w.dispatch_event(&e);
    }
}

#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub to: Route,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    /// `aria-current="page"` (a tab or menu entry for the screen shown).
    #[prop_or_default]
    pub current: bool,
    #[prop_or_default]
    pub children: Html,
}

/// A real link (its address can be opened in a new tab, copied, read by screen readers) that
/// changes the screen in the page on a plain click or Enter.
#[function_component(Link)]
pub fn link(p: &LinkProps) -> Html {
    let to = p.to.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key()) {
            e.prevent_default();
            navigate(&to);
        }
    });
    html! {
        <a href={p.to.url()} id={p.id.clone()} class={p.class.clone()} onclick={onclick}
            aria-current={p.current.then_some("page")}>{ p.children.clone() }</a>
    }
}
