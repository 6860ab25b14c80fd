//! The configurator's browser UI (issue 7): a Yew client-side app compiled to wasm32 and served
//! by `configurator serve` at `/`. See `ARCHITECTURE.md` ("The web UI").

mod api;
mod app;
mod charts;
mod configurator;
mod editor;
mod engine;
mod lint;
mod manage;
mod preview;
mod route;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
